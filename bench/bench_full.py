"""Full recorded-call analysis (acoustics + Whisper on both channels) of a 10-minute call.

Reports the ratio call duration / wall time (target >= 25x on the 2-core machine), the words
found and their word error rate against the sample scripts, CPU time and the peak resident
memory, for the default settings and for the levers that matter (windows of real audio vs one
window per region vs packing, parallel channels, beam size). The call is the three bundled sample
calls tiled to 10 minutes (synthetic speech, in the repo). Runs are interleaved (run 1 of every
setting, then run 2, ...) so load from other processes spreads over all settings alike.
Run: python bench/bench_full.py [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_transcribe import peak_rss_mb  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import (  # noqa: E402
    recorded_call_options,
    transcribe_session,
)
from calltone.models.speech.options import TranscriberOptions  # noqa: E402
from calltone.models.speech.text import word_error_rate  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import Segment  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

CALL_S = 600.0


def ten_minute_call() -> DecodedAudio:
    parts = [load_audio(p).samples for p in sorted((ROOT / "samples").glob("*/call.wav"))]
    x = np.concatenate(parts, axis=1)
    reps = int(np.ceil(CALL_S * 16000 / x.shape[1]))
    x = np.ascontiguousarray(np.tile(x, (1, reps))[:, : int(CALL_S * 16000)])
    return DecodedAudio(x, 16000, 16000, "ten-minutes")


def references() -> dict[str, str]:
    """What each party says in the ten-minute call, from the sample scripts (tiled alike)."""
    utts: list[tuple[float, str, str]] = []
    offset_s = 0.0
    calls = sorted((ROOT / "samples").glob("*/call.wav"))
    while offset_s < CALL_S:
        for path in calls:
            script = json.loads((path.parent / "script.json").read_text(encoding="utf-8"))
            for u in script["utterances"]:
                if offset_s + u["start_s"] < CALL_S:
                    utts.append((offset_s + u["start_s"], u["speaker"], u["text"]))
            offset_s += load_audio(path).samples.shape[1] / 16000
    utts.sort()
    return {p: " ".join(t for _s, q, t in utts if q == p) for p in ("agent", "customer")}


def run_once(audio: DecodedAudio, tr: Transcriber) -> tuple[float, float, list[Segment]]:
    cpu0, t0 = time.process_time(), time.perf_counter()
    session = run_session(audio, ChannelRoles(0, 1), AnalysisConfig())
    result = transcribe_session(audio, session, transcriber=tr)
    return time.perf_counter() - t0, time.process_time() - cpu0, result.segments


def settings(quick: bool, select: list[str] | None = None) -> dict[str, TranscriberOptions]:
    fast = recorded_call_options()
    full = recorded_call_options(full_context=True)
    out = {
        "default: encoder sees audio + 1 s (>= 10 s), windows <= 15 s, early stops retried": fast,
        "--full-context (session 2 default): 30 s encoder input, windows <= 28 s": full,
        "default without retrying early stops": replace(fast, context_retry_s=None),
        "encoder sees audio + 1 s (>= 10 s), windows <= 28 s": replace(fast, window_s=28.0),
        "default, batch 2": replace(fast, batch_size=2),
        "full context, 2 channels at once (2 x 1 thread)": replace(full, workers=2),
        "full context, pauses over 1 s cut to 1 s (max_pause_s=1)": replace(full, max_pause_s=1.0),
        "one window per region (session 1)": replace(full, window_s=None),
        "packed 1 s apart (opt-in)": replace(full, window_s=None, pack_gap_s=1.0),
    }
    if quick:
        out = dict(list(out.items())[:2])
    if select:
        out = {k: v for k, v in out.items() if any(word in k for word in select)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="only the default and one alternative")
    ap.add_argument(
        "--select", nargs="*", default=None, help="only settings whose name holds one of these"
    )
    args = ap.parse_args()
    audio = ten_minute_call()
    refs = references()
    configs = settings(args.quick, args.select)
    transcribers = {name: Transcriber(opts) for name, opts in configs.items()}
    for tr in transcribers.values():
        tr.model  # load outside the timing  # noqa: B018
    walls: dict[str, list[float]] = {name: [] for name in configs}
    cpus: dict[str, list[float]] = {name: [] for name in configs}
    found: dict[str, list[Segment]] = {}
    loads = [os.getloadavg()[0]]
    for run in range(args.runs):
        for name, tr in transcribers.items():
            wall, cpu, found[name] = run_once(audio, tr)
            walls[name].append(wall)
            cpus[name].append(cpu)
            loads.append(os.getloadavg()[0])
            print(f"run {run + 1}: {name}: {wall:.1f} s (cpu {cpu:.1f} s)", flush=True)
    out: dict[str, object] = {}
    for name in configs:
        med = statistics.median(walls[name])
        segs = found[name]
        out[name] = {
            "median_wall_s": round(med, 1),
            "x_real_time": round(CALL_S / med, 1),
            "median_cpu_s": round(statistics.median(cpus[name]), 1),
            "words": sum(len(s.words) for s in segs),
            "wer": {
                p: round(word_error_rate(ref, " ".join(s.text for s in segs if s.speaker == p)), 3)
                for p, ref in refs.items()
            },
        }
        print(name, out[name], flush=True)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["load_average_1min"] = {"min": min(loads), "max": max(loads)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
