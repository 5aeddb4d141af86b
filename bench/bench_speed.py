"""Acoustic-only analysis speed on a 10-minute two-channel call (ratio call duration / wall time).

The call is built from the bundled samples (synthetic, in the repo) tiled to 10 minutes, so the
benchmark runs anywhere; with ../shared/data present an AMI-based call is measured too.
Run: python bench/bench_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_analyzer  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

CALL_S = 600.0


def ten_minutes(parts: list[np.ndarray]) -> np.ndarray:
    x = np.concatenate(parts, axis=1)
    reps = int(np.ceil(CALL_S * 16000 / x.shape[1]))
    return np.ascontiguousarray(np.tile(x, (1, reps))[:, : int(CALL_S * 16000)])


def measure(samples: np.ndarray, runs: int) -> dict:
    audio = DecodedAudio(samples, 16000, 16000, "bench")
    cfg = AnalysisConfig()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run_analyzer(audio, ChannelRoles(0, 1), cfg)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {
        "runs": runs,
        "median_wall_s": round(med, 3),
        "x_real_time": round(CALL_S / med, 1),
        "min_wall_s": round(min(times), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    out = {}
    samples = [load_audio(p).samples for p in sorted((ROOT / "samples").glob("*/call.wav"))]
    out["samples_tiled"] = measure(ten_minutes(samples), args.runs)
    data = ROOT.parent / "shared" / "data" / "ami_meeting_4spk_60s" / "sources"
    if data.is_dir():
        a = load_audio(data / "source0.wav").samples[0]
        b = load_audio(data / "source1.wav").samples[0]
        out["ami_tiled"] = measure(ten_minutes([np.stack([a, b])]), args.runs)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
