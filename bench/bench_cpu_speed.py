"""Acoustic analysis speed in CPU time, wideband and narrowband, on a 10-minute two-channel call.

Wall-clock speed (bench_speed.py) swings with whatever else a shared machine runs; the process's
own CPU time does not, so this is the figure to compare code versions with on a busy machine.
The call is the bundled escalation sample tiled to 10 minutes, and its telephone copy through
G.711 mu-law (bench/telephone.py). Medians of ``--runs``.

Run: python bench/bench_cpu_speed.py [--runs 3] [--root OTHER_CHECKOUT]
``--root`` measures another checkout's code (e.g. a ``git worktree`` of an older commit) on the
same audio, in the same run, for before/after figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALL_S = 600


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, default=HERE.parent)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.root))
    sys.path.insert(1, str(HERE))
    import numpy as np
    import telephone

    from calltone.audio.channels import ChannelRoles
    from calltone.audio.decode import DecodedAudio, load_audio
    from calltone.models.recorded.analysis import run_analyzer
    from calltone.models.tone.config import AnalysisConfig

    x = load_audio(HERE.parent / "samples" / "escalation_call" / "call.wav").samples
    reps = int(np.ceil(CALL_S * 16000 / x.shape[1]))
    call = np.tile(x, (1, reps))[:, : CALL_S * 16000]
    out = {}
    for name, audio in (("wideband", call), ("nb_ulaw", telephone.through(call, "nb_ulaw"))):
        dec = DecodedAudio(audio, 16000, 16000, name)
        times = []
        for _ in range(args.runs):
            t0 = time.process_time()
            run_analyzer(dec, ChannelRoles(agent=0, customer=1), AnalysisConfig())
            times.append(time.process_time() - t0)
        med = statistics.median(times)
        out[name] = {"cpu_s_median": round(med, 3), "x_real_time_cpu": round(CALL_S / med, 1)}
    print(json.dumps({"root": str(args.root), **out}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
