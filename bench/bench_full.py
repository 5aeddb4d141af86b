"""Full recorded-call analysis (acoustics + Whisper on both channels) of a 10-minute call.

Reports the ratio call duration / wall time (target >= 25x on the 2-core machine) and the peak
resident memory, for the default settings and for the levers that matter (beam size, batching).
The call is the three bundled sample calls tiled to 10 minutes (synthetic speech, in the repo).
Run: python bench/bench_full.py [--runs 2]
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

from audio.channels import ChannelRoles  # noqa: E402
from audio.decode import DecodedAudio, load_audio  # noqa: E402
from models.analysis import run_session  # noqa: E402
from models.config import AnalysisConfig  # noqa: E402
from models.pipeline import transcribe_session  # noqa: E402
from models.transcriber import Transcriber, TranscriberOptions, load_whisper_model  # noqa: E402

CALL_S = 600.0


def ten_minute_call() -> DecodedAudio:
    parts = [load_audio(p).samples for p in sorted((ROOT / "samples").glob("*/call.wav"))]
    x = np.concatenate(parts, axis=1)
    reps = int(np.ceil(CALL_S * 16000 / x.shape[1]))
    x = np.ascontiguousarray(np.tile(x, (1, reps))[:, : int(CALL_S * 16000)])
    return DecodedAudio(x, 16000, 16000, "ten-minutes")


def run_once(audio: DecodedAudio, tr: Transcriber) -> tuple[float, int]:
    t0 = time.perf_counter()
    session = run_session(audio, ChannelRoles(0, 1), AnalysisConfig())
    result = transcribe_session(audio, session, transcriber=tr)
    return time.perf_counter() - t0, sum(len(s.words) for s in result.segments)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    audio = ten_minute_call()
    model = load_whisper_model(None, compute_type="int8", cpu_threads=0)
    out = {}
    for name, opts in {
        "default (batched, batch 4, beam 1)": TranscriberOptions(),
        "per region, beam 1": TranscriberOptions(strategy="per_region"),
        "batched, beam 5": TranscriberOptions(beam_size=5),
    }.items():
        tr = Transcriber(opts, model=model)
        walls, words = [], 0
        for _ in range(args.runs):
            wall, words = run_once(audio, tr)
            walls.append(wall)
        med = statistics.median(walls)
        out[name] = {
            "median_wall_s": round(med, 1),
            "x_real_time": round(CALL_S / med, 1),
            "words": words,
        }
        print(name, out[name], flush=True)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
