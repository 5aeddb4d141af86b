"""Cue recall and precision on telephone speech (issue 14).

The labelled utterances of ``bench/cue_set.py`` are spoken with espeak-ng voices, passed through
telephone channels of ``bench/telephone.py`` (G.711 mu-law; GSM with noise at 20 dB SNR) and
transcribed one utterance at a time with calltone's recorded-call settings, with and without the
cue hotwords; :func:`models.speech.cues.find_cues` then runs on the transcript. Per cue kind: recall and
precision over every (utterance, voice) pair, beside the same matcher on the written text (what
the matcher alone loses). Real transcripts add negatives: every sentence of the phone call's STM
and of the AMI transcripts, searched as agent and as customer speech; any cue there is counted
as a false positive (none of them holds one; checked by reading).

Run: ``python bench/bench_cues.py [--no-hotwords] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import telephone  # noqa: E402
from cue_set import CUSTOMER_NAME, UTTERANCES, VOICES  # noqa: E402

from calltone.models.recorded.transcript import CUE_HOTWORDS, recorded_call_options  # noqa: E402
from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import Segment, Word  # noqa: E402

SR = 16_000


def shared_data_dir() -> Path:
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def text_segment(speaker: str, text: str) -> Segment:
    """The written text as one segment, words spread evenly (the matcher without Whisper)."""
    parts = text.split()
    words = [Word(w, 0.3 * k, 0.3 * k + 0.25) for k, w in enumerate(parts)]
    return Segment(speaker, 0.0, words[-1].end_s, text, words)


def speak(text: str, voice: str, condition: str, folder: Path) -> np.ndarray:
    wav = folder / "u.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), text], check=True, timeout=30
    )
    y, sr = sf.read(wav, dtype="float32")
    x = telephone.to_16k(telephone.simulate(y, sr, telephone.CONDITIONS[condition])).reshape(-1)
    pad = np.zeros(SR // 2, dtype=np.float32)
    return np.concatenate([pad, x, pad])


def real_sentences(data: Path) -> list[str]:
    out = []
    stm = data / "phone_call_2spk" / "sample.stm"
    if stm.is_file():
        out += [
            ln.split(maxsplit=5)[5] for ln in stm.read_text().splitlines() if ln.count(" ") >= 5
        ]
    for p in sorted((data / "ami_meeting_4spk_60s" / "text").glob("*.txt")):
        out += [s for s in re.split(r"(?<=[.?!])\s+", p.read_text(encoding="utf-8")) if s.strip()]
    return out


def score(pairs: list[tuple[frozenset[str], set[str]]], kinds: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in kinds:
        tp = sum(1 for truth, got in pairs if k in truth and k in got)
        fn = sum(1 for truth, got in pairs if k in truth and k not in got)
        fp = sum(1 for truth, got in pairs if k not in truth and k in got)
        out[k] = {
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "tp": tp,
            "fn": fn,
            "fp": fp,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-hotwords", action="store_true", help="skip the hotwords variant")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    matcher = CueMatcher.from_file()
    kinds = matcher.kinds
    base = recorded_call_options()
    systems = {"calltone recorded-call settings": Transcriber(base)}
    if not args.no_hotwords:
        systems["... + cue hotwords"] = Transcriber(replace(base, hotwords=CUE_HOTWORDS))

    def found(segs: list[Segment]) -> set[str]:
        return {c.kind for c in matcher.find_cues(segs, customer_name=CUSTOMER_NAME)}

    results: dict[str, Any] = {"load_1min": [os.getloadavg()[0]]}
    text_pairs = [(truth, found([text_segment(spk, t)])) for spk, t, truth in UTTERANCES]
    results["written text"] = score(text_pairs, kinds)
    misses: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        clips = [
            (spk, text, truth, speak(text, voice, cond, Path(tmp)))
            for voice, cond in VOICES
            for spk, text, truth in UTTERANCES
        ]
        for name, tr in systems.items():
            pairs = []
            for spk, text, truth, x in clips:
                segs = tr.transcribe_array(x, speaker=spk)
                got = found(segs)
                pairs.append((truth, got))
                if got != set(truth):
                    heard = " ".join(s.text for s in segs)
                    misses.setdefault(name, []).append(f"{text} -> {heard} {sorted(got)}")
            results[name] = score(pairs, kinds)
            results["load_1min"].append(os.getloadavg()[0])
    real = real_sentences(shared_data_dir())
    fps: Counter[str] = Counter()
    for sentence in real:
        for spk in ("agent", "customer"):
            fps.update(found([text_segment(spk, sentence)]))
    results["real transcripts"] = {"sentences": len(real), "false_positives": dict(fps)}
    results["misses"] = misses
    for name in ["written text", *systems]:
        print(f"\n{name}")
        for k in kinds:
            r = results[name][k]
            print(f"  {k:<20} recall {r['recall']}  precision {r['precision']}  ({r})")
    print("\nreal transcripts:", results["real transcripts"])
    for name, lines in misses.items():
        print(f"\nmisses of {name}:")
        for ln in lines:
            print("  ", ln)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
