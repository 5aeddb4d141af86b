"""Live separation of mono streams (issue 20): DER of the streaming form beside the offline one.

Every case of ``bench_diarization.py`` (the phone call and AMI mixtures with RTTM, the LCA call
and AMI sources summed, RAVDESS actor-pair calls, the bundled samples) is streamed through
:class:`models.separation_stream.StreamSeparator` in ``--chunk-ms`` pushes, as a live call's
frames arrive, and its decided speaker per 10 ms frame is scored with the same DER (0.25 s
collar, overlap scored) as the offline :func:`models.diarization.diarize` of the whole file, in
the same run, wideband and through G.711 u-law. Also: CPU seconds per second of audio of the
streaming separator, and the delay it held at the end.

Run: ``python3 bench/bench_live_separation.py [--conditions wb,nb_ulaw] [--only NAME]
[--chunk-ms 100]``. Needs ``../shared/data`` for all but the bundled samples.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_diarization import cases, hyp_segments  # noqa: E402
from der import der, segments_from_mask  # noqa: E402
from telephone import through  # noqa: E402

from calltone.models.diarization import diarize  # noqa: E402
from calltone.models.separation_stream import StreamSeparator  # noqa: E402

SR = 16_000


class RecordingSeparator(StreamSeparator):
    """Keeps every decided frame's speaker (the separator itself forgets old ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.all_labels: list[np.ndarray] = []

    def _decide(self, upto: int) -> None:
        a = self._decided
        super()._decide(upto)
        self.all_labels.append(self._labels[a - self._f0_frame : upto - self._f0_frame].copy())


def live_segments(mono: np.ndarray, chunk: int) -> tuple[list, float, float]:
    """(hypothesis segments, CPU s per audio s, delay held at the end in s)."""
    sep = RecordingSeparator()
    t0 = time.process_time()
    delays = []
    for i in range(0, mono.size, chunk):
        sep.push(mono[i : i + chunk])
        delays.append(sep.delay_s)
    sep.finish()
    cpu = (time.process_time() - t0) / (mono.size / SR)
    labels = np.concatenate(sep.all_labels) if sep.all_labels else np.zeros(0, np.int8)
    segs = [*segments_from_mask(labels == 0, "s0"), *segments_from_mask(labels == 1, "s1")]
    steady = delays[len(delays) // 2 :] or [0.0]
    return segs, cpu, float(statistics.median(steady))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default="wb,nb_ulaw")
    ap.add_argument("--only", default=None)
    ap.add_argument("--chunk-ms", type=int, default=100)
    args = ap.parse_args()
    chunk = SR * args.chunk_ms // 1000
    print("| file | condition | offline DER | live DER | live CPU s per audio s | live delay s |")
    print("|---|---|---|---|---|---|")
    rows: dict[str, list[tuple[float, float]]] = {}
    for case in cases(args.only):
        for cond in args.conditions.split(","):
            mono = case.mono if cond == "wb" else through(case.mono[None, :], cond)[0]
            mono = np.asarray(mono, dtype=np.float32)
            end_s = mono.size / SR
            offline = der(case.reference, hyp_segments(diarize(mono)), uem_end_s=end_s).der
            segs, cpu, delay = live_segments(mono, chunk)
            live = der(case.reference, segs, uem_end_s=end_s).der
            rows.setdefault(cond, []).append((offline, live))
            print(
                f"| {case.name} | {cond} | {offline:.3f} | {live:.3f} | {cpu:.3f} | {delay:.2f} |",
                flush=True,
            )
    for cond, vals in rows.items():
        off = statistics.median(v[0] for v in vals)
        liv = statistics.median(v[1] for v in vals)
        print(f"| **median** | {cond} | {off:.3f} | {liv:.3f} | | |")


if __name__ == "__main__":
    main()
