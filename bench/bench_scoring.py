"""Batch scoring throughput: 10-minute two-channel calls per hour on this machine.

Builds N ten-minute calls by tiling the bundled sample calls (each call starts from a different
sample, so the calls differ), writes them as 16 kHz 16-bit WAV, then runs the real batch path
(`service.scoring.batch.score_many`, what `calltone score` runs: decode, analysis, Whisper, scoring,
HTML report, CSV) with and without transcription and with 1 and 2 worker processes. Wall time
includes starting the workers and loading Whisper once per worker, as a real batch pays it.

Modes may repeat (``--modes transcribe,full-context,transcribe,full-context``) to interleave
settings on a noisy machine; ``full-context`` is ``calltone score --full-context``.

Run: python bench/bench_scoring.py [--calls 4] [--workers 1,2] [--modes acoustic,transcribe,packed]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calltone.audio.decode import load_audio  # noqa: E402
from calltone.service.scoring.batch import ScoreOptions, score_many  # noqa: E402

CALL_S = 600.0
SR = 16000
SAMPLES = ("calm_call", "escalation_call", "interrupting_agent_call")


def build_calls(folder: Path, n: int) -> list[Path]:
    """``n`` ten-minute two-channel calls tiled from the samples, rotated per call."""
    parts = [load_audio(ROOT / "samples" / s / "call.wav").samples for s in SAMPLES]
    paths = []
    for k in range(n):
        order = parts[k % 3 :] + parts[: k % 3]
        x = np.concatenate(order, axis=1)
        reps = int(np.ceil(CALL_S * SR / x.shape[1]))
        call = np.tile(x, (1, reps))[:, : int(CALL_S * SR)]
        path = folder / f"call_{k + 1:02d}.wav"
        sf.write(path, call.T, SR, subtype="PCM_16")
        paths.append(path)
    return paths


def run(
    paths: list[Path],
    out: Path,
    *,
    transcribe: bool,
    workers: int,
    pack_gap_s: float | None,
    full_context: bool = False,
) -> dict:
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    options = ScoreOptions(transcribe=transcribe, pack_gap_s=pack_gap_s, full_context=full_context)
    report = score_many(paths, out, options, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    failed = report.failed
    if failed:
        raise SystemExit(f"bench: {len(failed)} call(s) failed: {failed[0].error}")
    per_call = [o.wall_s for o in report.outcomes]
    return {
        "mode": (
            "transcribed"
            + (f", packed {pack_gap_s:g} s" if pack_gap_s else "")
            + (", full 30 s context" if full_context else "")
        )
        if transcribe
        else "acoustic only",
        "workers": workers,
        "calls": len(paths),
        "wall_s": round(wall, 1),
        "calls_per_hour": round(len(paths) / wall * 3600, 1),
        "median_call_s": round(statistics.median(per_call), 1),
        "audio_x_real_time": round(len(paths) * CALL_S / wall, 1),
        "load_avg_1min": round((load_before + os.getloadavg()[0]) / 2, 1),
        "median_overall": round(
            statistics.median(o.overall_score for o in report.outcomes if o.overall_score), 1
        ),
        "overall_by_call": {
            o.call_id: None if o.overall_score is None else round(o.overall_score, 1)
            for o in report.outcomes
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=4, help="ten-minute calls per run (default 4)")
    ap.add_argument("--workers", default="1,2", help="worker counts to try (default 1,2)")
    ap.add_argument(
        "--modes",
        default="acoustic,transcribe",
        help="acoustic, transcribe, packed (transcribe with --pack-gap-s 1) and/or full-context; "
        "default acoustic,transcribe",
    )
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    modes = [m.strip() for m in args.modes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="calltone-bench-") as tmp:
        folder = Path(tmp)
        paths = build_calls(folder, args.calls)
        for k, mode in enumerate(modes):
            for w in workers:
                res = run(
                    paths,
                    folder / f"out_{k}_{mode}_{w}",
                    transcribe=mode in ("transcribe", "packed", "full-context"),
                    workers=w,
                    pack_gap_s=1.0 if mode == "packed" else None,
                    full_context=mode == "full-context",
                )
                print(json.dumps(res), flush=True)
                results.append(res)
    print(
        f"\nmachine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        "\n| mode | workers | calls | wall time | calls per hour | x real time | median per call "
        "| load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['mode']} | {r['workers']} | {r['calls']} | {r['wall_s']} s | "
            f"**{r['calls_per_hour']:.0f}** | {r['audio_x_real_time']}x | {r['median_call_s']} s "
            f"| {r['load_avg_1min']} |"
        )


if __name__ == "__main__":
    main()
