"""Full analysis of a 10-minute two-channel *narrowband* call against plain faster-whisper
greedy + VAD on both channels, same model, same run, interleaved (issue 14).

The call is the three bundled sample calls tiled to 10 minutes (as bench_full.py), each channel
through a telephone channel of ``bench/telephone.py`` (default ``nb_ulaw``), saved as an 8 kHz
stereo WAV. Per run and system: wall time from the file on disk to the result (calltone: decode,
acoustic analysis, transcription, cues, like ``calltone analyze``; plain: ``decode_audio`` with
``split_stereo`` and ``transcribe`` per channel), and the word error rate per party against the
sample scripts. Runs are interleaved (run 1 of every system, then run 2, ...) because the machine
is shared: load from other processes then falls on all systems alike. The 1-minute load average
is printed with each run. calltone always computes word times (cues, pace, interruption checks
need them), plain faster-whisper does not by default, so plain greedy + VAD is also run with
``word_timestamps=True``.

Run: ``python bench/bench_call_speed.py [--runs 3] [--condition nb_ulaw] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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
from bench_full import CALL_S, references, ten_minute_call  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import recorded_call_options, transcribe_session  # noqa: E402
from calltone.models.speech import transcriber as transcriber_module  # noqa: E402
from calltone.models.speech.options import TranscriberOptions  # noqa: E402
from calltone.models.speech.text import word_error_rate  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.whisper_model import resolve_model_path  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

Texts = dict[str, str]


def narrowband_call(condition: str, folder: Path) -> Path:
    """The 10-minute call through ``condition`` on each channel, as an 8 kHz stereo WAV."""
    audio = ten_minute_call()
    cond = telephone.CONDITIONS[condition]
    rows = [telephone.simulate(ch, 16000, cond, seed=k) for k, ch in enumerate(audio.samples)]
    sr = rows[0][1]
    n = min(r[0].shape[0] for r in rows)
    path = folder / f"ten_minutes_{condition}.wav"
    sf.write(path, np.stack([r[0][:n] for r in rows], axis=1), sr, subtype="PCM_16")
    return path


def calltone(
    options: TranscriberOptions,
    *,
    call_order_batches: bool = False,
    meaning: bool | None = None,
) -> Callable[[Path], Texts]:
    """``calltone analyze`` on the file; ``call_order_batches`` batches windows in call order
    (before issue 14's length batches), to compare both in one run; ``meaning`` forces the
    meaning cues on (True) or off (False) instead of the cue file's option (None). Each run
    starts with an empty sentence cache, as a new ``calltone analyze`` process would."""
    from calltone.models.speech.cues import CueMatcher
    from calltone.models.speech.meaning_cues import default_finder

    tr = Transcriber(options)
    tr.model  # noqa: B018 - loaded outside the timing
    matcher = CueMatcher.from_file()
    if meaning is not None:
        matcher.meaning = default_finder() if meaning else None

    def in_call_order(windows: Any, batch_size: int) -> list[list[int]]:
        n = len(windows)
        return [list(range(i, min(i + batch_size, n))) for i in range(0, n, batch_size)]

    def run(path: Path) -> Texts:
        batches = transcriber_module.length_batches
        if call_order_batches:
            transcriber_module.length_batches = in_call_order  # type: ignore[assignment]
        try:
            audio = load_audio(path)
            session = run_session(audio, ChannelRoles(0, 1), AnalysisConfig())
            if matcher.meaning is not None:
                matcher.meaning._cache.clear()  # a new process encodes every sentence
            segs = transcribe_session(audio, session, transcriber=tr, cues=matcher).segments
        finally:
            transcriber_module.length_batches = batches  # type: ignore[assignment]
        return {p: " ".join(s.text for s in segs if s.speaker == p) for p in ("agent", "customer")}

    return run


def plain(model_path: str, **kwargs: Any) -> Callable[[Path], Texts]:
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(model_path, device="cpu", compute_type="int8", local_files_only=True)

    def run(path: Path) -> Texts:
        left, right = decode_audio(str(path), split_stereo=True)
        out = {}
        for party, x in (("agent", left), ("customer", right)):
            segs, _ = model.transcribe(x, language="en", **kwargs)
            out[party] = " ".join(s.text.strip() for s in segs)
        return out

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--condition", default="nb_ulaw", choices=sorted(telephone.CONDITIONS))
    ap.add_argument("--plain-defaults", action="store_true", help="also plain beam 5 + VAD (slow)")
    ap.add_argument("--beam5", action="store_true", help="also calltone with beam 5 (slow)")
    ap.add_argument(
        "--before",
        action="store_true",
        help="also calltone as before issue 14's speed work (pauses kept, call-order batches)",
    )
    ap.add_argument(
        "--meaning",
        action="store_true",
        help="also calltone with the meaning cues forced on (models/speech/meaning_cues.py)",
    )
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    model_path = resolve_model_path(None)
    base = recorded_call_options(model_path)
    systems: dict[str, Callable[[Path], Texts]] = {
        "calltone analyze (recorded_call_options)": calltone(base),
        "plain greedy + VAD": plain(model_path, beam_size=1, vad_filter=True),
        "plain greedy + VAD + word timestamps": plain(
            model_path, beam_size=1, vad_filter=True, word_timestamps=True
        ),
    }
    if args.before:
        systems["calltone before (pauses kept, call-order batches)"] = calltone(
            replace(base, max_pause_s=None), call_order_batches=True
        )
    if args.meaning:
        systems["calltone analyze + meaning cues"] = calltone(base, meaning=True)
    if args.beam5:
        systems["calltone, beam 5"] = calltone(replace(base, beam_size=5))
    if args.plain_defaults:
        systems["plain beam 5 + VAD"] = plain(model_path, vad_filter=True)
    refs = references()
    walls: dict[str, list[float]] = {k: [] for k in systems}
    cpus: dict[str, list[float]] = {k: [] for k in systems}
    texts: dict[str, Texts] = {}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        path = narrowband_call(args.condition, Path(tmp))
        names = list(systems)
        for run in range(args.runs):
            # each round starts with the next system, so none always runs first (the load of a
            # shared machine drifts within a round)
            for name in names[run % len(names) :] + names[: run % len(names)]:
                t0, c0 = time.perf_counter(), time.process_time()
                texts[name] = systems[name](path)
                wall = time.perf_counter() - t0
                walls[name].append(wall)
                cpus[name].append(time.process_time() - c0)
                loads.append(os.getloadavg()[0])
                print(
                    f"run {run + 1}: {name}: {wall:.1f} s (CPU {cpus[name][-1]:.1f} s), "
                    f"load {loads[-1]:.1f}",
                    flush=True,
                )
    out: dict[str, Any] = {"condition": args.condition, "call_s": CALL_S, "systems": {}}
    greedy = statistics.median(walls["plain greedy + VAD"])
    greedy_cpu = statistics.median(cpus["plain greedy + VAD"])
    for name in systems:
        med = statistics.median(walls[name])
        out["systems"][name] = {
            "walls_s": [round(w, 1) for w in walls[name]],
            "median_s": round(med, 1),
            "x_real_time": round(CALL_S / med, 1),
            "speed_vs_plain_greedy_vad": round(greedy / med, 2),
            "cpu_s": [round(c, 1) for c in cpus[name]],
            "cpu_vs_plain_greedy_vad": round(greedy_cpu / statistics.median(cpus[name]), 2),
            "wer": {p: round(word_error_rate(refs[p], texts[name][p]), 3) for p in refs},
        }
        print(name, out["systems"][name], flush=True)
    out["load_1min"] = {"min": min(loads), "max": max(loads)}
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
