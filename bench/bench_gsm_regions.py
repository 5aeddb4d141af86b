"""Which of the speech regions calltone hands Whisper cost the words on GSM + noise (issue 14).

``bench_narrowband.py`` found calltone 4-6 word errors behind plain faster-whisper (defaults:
beam 5, no VAD, the whole file) on ``nb_gsm_noise20``. Here each clip of that benchmark is put
through the same channel and transcribed both ways with word times; both hypotheses are aligned
to the reference word by word (edit distance with backtrace), and every reference word plain got
and calltone missed is placed by plain's time for it:

- *no run*: outside every speech run the acoustic front end found (never handed to Whisper);
- *gated*: inside a run the crosstalk level gate (``crosstalk_gate_db``) dropped;
- *in a region*: inside a region Whisper decoded, so lost in decoding (its context, the window
  cut, greedy search), split into within 0.3 s of the region's edge and inside it.

The reverse (words calltone got and plain missed) is counted the same way for balance.

Run: ``nice -n 10 python bench/bench_gsm_regions.py [--condition nb_gsm_noise20] [--json out]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench_narrowband import channel_fn, clips, shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import (  # noqa: E402
    recorded_call_options,
    transcribe_session,
)
from calltone.models.speech.planning import level_gate  # noqa: E402
from calltone.models.speech.text import normalize  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import SpeechRegion  # noqa: E402
from calltone.models.speech.whisper_model import resolve_model_path  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

EDGE_S = 0.3

Timed = list[tuple[str, float]]  # normalised token, time (s)


def tokens_of(words: list[tuple[str, float, float]]) -> Timed:
    return [(t, 0.5 * (a + b)) for w, a, b in words for t in normalize(w).split()]


def hits(ref: list[str], hyp: Timed) -> list[float | None]:
    """For each reference token, the time of the hypothesis token aligned to it when they are
    equal (a hit), else None (substituted or deleted)."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1][0])
            d[i, j] = min(sub, d[i - 1, j] + 1, d[i, j - 1] + 1)
    out: list[float | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1][0]):
            if ref[i - 1] == hyp[j - 1][0]:
                out[i - 1] = hyp[j - 1][1]
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return out


def place(t: float, runs: list[SpeechRegion], kept: list[SpeechRegion]) -> str:
    for r in kept:
        if r.start_s <= t <= r.end_s:
            near = min(t - r.start_s, r.end_s - t) < EDGE_S
            return "in a region, near its edge" if near else "in a region, inside"
    if any(r.start_s <= t <= r.end_s for r in runs):
        return "gated"
    return "no run"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--condition", default="nb_gsm_noise20")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from faster_whisper import WhisperModel, decode_audio

    model_path = resolve_model_path(None)
    plain = WhisperModel(model_path, device="cpu", compute_type="int8", local_files_only=True)
    opts = recorded_call_options(model_path)
    tr = Transcriber(opts)
    fn = channel_fn(args.condition)
    out: dict[str, Any] = {"condition": args.condition, "load_1min": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        for k, c in enumerate(clips(shared_data_dir())):
            y, sr = (c.samples, c.sr) if fn is None else fn(c.samples, c.sr)
            path = Path(tmp) / f"{k}.wav"
            sf.write(path, np.clip(y, -1, 1), sr, subtype="PCM_16")
            audio = load_audio(path)
            session = run_session(audio, ChannelRoles(0, None), AnalysisConfig())
            runs = [
                SpeechRegion(r.start_s, r.end_s)
                for rs in session.analysis.speech_runs.values()
                for r in rs
            ]
            kept = (
                level_gate(audio.samples[0], runs, gate_db=opts.crosstalk_gate_db)
                if opts.crosstalk_gate_db is not None
                else runs
            )
            segs = transcribe_session(audio, session, transcriber=tr).segments
            ct = tokens_of([(w.word, w.start_s, w.end_s) for s in segs for w in s.words])
            psegs, _ = plain.transcribe(
                decode_audio(str(path)), language="en", word_timestamps=True
            )
            pw = tokens_of([(w.word, w.start, w.end) for s in psegs for w in (s.words or [])])
            ref = normalize(c.reference).split()
            h_ct, h_pl = hits(ref, ct), hits(ref, pw)
            lost: dict[str, list[str]] = {}
            won: dict[str, list[str]] = {}
            for tok, a, b in zip(ref, h_ct, h_pl, strict=True):
                if b is not None and a is None:
                    lost.setdefault(place(b, runs, kept), []).append(f"{tok}@{b:.1f}")
                if a is not None and b is None:
                    won.setdefault(place(a, runs, kept), []).append(f"{tok}@{a:.1f}")
            row = {
                "words": len(ref),
                "calltone_hits": sum(h is not None for h in h_ct),
                "plain_hits": sum(h is not None for h in h_pl),
                "runs": [(round(r.start_s, 2), round(r.end_s, 2)) for r in runs],
                "gated_runs": [
                    (round(r.start_s, 2), round(r.end_s, 2)) for r in runs if r not in kept
                ],
                "plain_got_calltone_missed": lost,
                "calltone_got_plain_missed": won,
            }
            out[c.name] = row
            print(c.name, json.dumps(row, indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
