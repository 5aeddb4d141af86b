"""CPU time per 20 ms push of a live two-channel call (``CallSession.push``).

A live call reaches its worker process as 20 ms frames, and every frame goes through
``CallSession.push`` (features, baselines, detectors, alerts); with tens of calls per core that
per-push cost sets the alert latency. This benchmark feeds the bundled escalation sample in
320-sample (20 ms at 16 kHz) pushes, wideband and through the telephone channels of
``bench/telephone.py`` (G.711 mu-law by default), and reports the process CPU time per push
(robust to other load on a shared machine, unlike wall time), the median of ``--runs`` runs.

Beside it, ``library_floor_ms`` is the CPU of the plain library work a push cannot avoid: the
two ``scipy.signal.sosfilt`` calls (telephone band, pitch anti-alias) of the step and one YIN's
three FFTs of two 64 ms windows. The rest is ours: numpy calls on arrays of two frames.

``--root OLD`` measures another checkout too (e.g. ``git worktree add /tmp/before <commit>``),
each run in a fresh interpreter, before and after interleaved so both see the same load.

``--step-ms 100`` pushes 100 ms steps instead (the step the live service takes at 50 calls);
``--this NEW`` measures that checkout as "this" instead of the installed one (to compare two
trees that differ only in the files under test while the installed tree holds other work).
``--set SECTION.KEY=VALUE`` (repeatable) configures "this" call, ``--root-set`` the root's (e.g.
one tree with and without an option: ``--root T --this T --set features.x=1``).

Run: python bench/bench_push.py [--runs 5] [--conditions wideband,nb_ulaw] [--root OLD]
    [--this NEW] [--step-ms 20] [--set SECTION.KEY=VALUE ...] [--root-set SECTION.KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HOP = 320  # samples: 20 ms at 16 kHz


def _load(condition: str) -> np.ndarray:
    sys.path.insert(0, str(ROOT / "bench"))
    import telephone

    from calltone.audio.decode import load_audio

    x = load_audio(ROOT / "samples" / "escalation_call" / "call.wav").samples
    return x if condition == "wideband" else telephone.through(x, condition)


def push_cpu_ms(x: np.ndarray, hop: int = HOP, overrides: dict | None = None) -> float:
    """CPU ms per push of ``hop`` samples of ``x`` (2, n) through a fresh two-party
    ``CallSession`` (``overrides``: ``AnalysisConfig.from_dict``'s nested dict)."""
    from calltone.audio.channels import ChannelRoles
    from calltone.models.tone.config import AnalysisConfig
    from calltone.models.tone.session import CallSession

    session = CallSession(
        roles=ChannelRoles(agent=0, customer=1),
        n_channels=2,
        config=AnalysisConfig.from_dict(overrides) if overrides else None,
    )
    t0 = time.process_time()
    n = 0
    for i in range(0, x.shape[1] - hop, hop):
        session.push(x[:, i : i + hop])
        n += 1
    return (time.process_time() - t0) / n * 1000.0


def library_floor_ms(repeats: int = 2000) -> float:
    """CPU ms of a push's unavoidable library calls (two sosfilt calls, three FFTs)."""
    import scipy.fft
    import scipy.signal

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, HOP)).astype(np.float32)
    band = scipy.signal.butter(2, [300.0, 3400.0], btype="bandpass", fs=16_000, output="sos")
    anti_alias = scipy.signal.butter(8, 0.45, output="sos")
    zb = np.zeros((band.shape[0], 2, 2))
    za = np.zeros((anti_alias.shape[0], 2, 2))
    frames = rng.standard_normal((2, 512)).astype(np.float32)
    t0 = time.process_time()
    for _ in range(repeats):
        scipy.signal.sosfilt(band, x.astype(np.float64), axis=-1, zi=zb)
        scipy.signal.sosfilt(anti_alias, x, axis=-1, zi=za)
        a = scipy.fft.rfft(frames, n=512, axis=1)
        b = scipy.fft.rfft(frames[:, 256:0:-1], n=512, axis=1)
        scipy.fft.irfft(a * b, n=512, axis=1)
    return (time.process_time() - t0) / repeats * 1000.0


def _one_run(
    root: Path | None, condition: str, hop: int = HOP, sets: list[str] | None = None
) -> float:
    """One run in a fresh interpreter of this checkout or of ``root`` (a calltone shim),
    configured by ``sets`` (``--set`` items)."""
    env = dict(os.environ)
    if root is not None:
        shim = Path(tempfile.mkdtemp(prefix="calltone-shim-"))
        (shim / "calltone").mkdir()
        (shim / "calltone" / "__init__.py").write_text(
            "__path__ = [" + repr(str(root)) + "]\n", encoding="utf-8"
        )
        env["PYTHONPATH"] = str(shim)
    out = subprocess.run(
        [sys.executable, __file__, "--child", condition, "--hop", str(hop)]
        + [f"--set={item}" for item in sets or []],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--conditions", default="wideband,nb_ulaw")
    ap.add_argument("--root", type=Path, help="another checkout to measure, interleaved")
    ap.add_argument(
        "--this", type=Path, help="measure this checkout as 'this' (default: installed)"
    )
    ap.add_argument("--step-ms", type=int, default=20, help="push size in ms (20: a live frame)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="config override of 'this' call (repeatable)",
    )
    ap.add_argument(
        "--root-set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="config override of the --root call (repeatable)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--hop", type=int, default=HOP, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "bench"))
        from _common import config_overrides

        overrides = config_overrides(args.set, ap)
        x = _load(args.child)
        push_cpu_ms(x[:, : 16_000 * 5], args.hop, overrides)  # warm up imports and caches
        print(push_cpu_ms(x, args.hop, overrides))
        return
    hop = args.step_ms * 16
    load_before = os.getloadavg()
    this = args.this.resolve() if args.this is not None else None
    versions: dict[str, Path | None] = {"this": this}
    sets = {"this": args.set, "before": args.root_set}
    if args.root is not None:
        versions = {"before": args.root.resolve(), "this": this}
    runs: dict[tuple[str, str], list[float]] = {}
    for r in range(args.runs):
        for cond in args.conditions.split(","):
            order = list(versions) if r % 2 == 0 else list(reversed(versions))
            for name in order:
                runs.setdefault((name, cond), []).append(
                    _one_run(versions[name], cond, hop, sets[name])
                )
    out: dict[str, object] = {
        "step_ms": args.step_ms,
        "set": {name: sets[name] for name in versions},
        "cpu_ms_per_push": {
            f"{name}/{cond}": round(statistics.median(v), 3) for (name, cond), v in runs.items()
        },
        "runs": {f"{name}/{cond}": [round(t, 3) for t in v] for (name, cond), v in runs.items()},
        "library_floor_ms": round(library_floor_ms(), 3),
        "load_average_1m": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    if args.root is not None:
        out["this_over_before"] = {
            cond: round(
                statistics.median(runs[("this", cond)]) / statistics.median(runs[("before", cond)]),
                3,
            )
            for cond in args.conditions.split(",")
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
