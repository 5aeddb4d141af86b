"""Chunk invariance: the same call analysed in pushes of several sizes must give the same result.

The live service pushes audio in steps of 20-500 ms (``service.live.hub.LiveHub.batch_s``: the
step grows with the server's load); ``calltone analyze`` pushes a recording in 10 s chunks
(``models.recorded.analysis.DEFAULT_CHUNK_S``). Every input here is run through
:func:`models.recorded.analysis.run_session` at each step size and the results are compared
against the 20 ms run: events (kind, speaker, start, end, evidence, thresholds; every float to
the bit), the alerts after ``close()``, and the metrics (baselines, level shifts, pair-up
follows, talk time...).

Inputs: synthetic calls (``tests/support/synth.py`` voices: a lasting +10 dB step of both
lines, a shout, a pause of digital silence), the three samples, and where
``CALLTONE_SHARED_DATA`` has them the LCA Auto_Repairs call (240 s) and RAVDESS calls
(``bench_calls.ravdess_call``) wideband and through G.711 (``nb_ulaw``).

Run: ``python bench/bench_chunking.py [--steps 0.02,0.1,0.13,0.5,10] [--only NAME,...]
[--quick] [--json out.json]``. Prints one line per input and step: ``same`` or what differs.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from _common import shared_data_dir  # noqa: E402

from calltone.models.tone.config import AnalysisConfig  # noqa: E402
from tests.support.chunking import SR, call, differences, signature  # noqa: E402

DEFAULT_STEPS = (0.02, 0.1, 0.13, 0.5, 10.0)


# ------------------------------------------------------------------------------------ inputs


def synthetic_inputs() -> dict[str, Callable[[], np.ndarray]]:
    """Two-party synthetic calls with known structure (:func:`tests.support.chunking.call`)."""
    return {
        "synth_plain": lambda: call(),
        "synth_shout": lambda: call(shout=True),
        "synth_step10_shout": lambda: call(step_db=10.0, shout=True, dur_s=70.0),
        "synth_pause_shout": lambda: call(shout=True, pause=True),
        "synth_step10_pause": lambda: call(step_db=10.0, pause=True, shout=True, dur_s=70.0),
    }


def _samples_of(path: Path) -> np.ndarray:
    from calltone.audio.decode import load_audio

    return load_audio(path).samples


def sample_inputs() -> dict[str, Callable[[], np.ndarray]]:
    out: dict[str, Callable[[], np.ndarray]] = {}
    for name in ("calm_call", "escalation_call", "interrupting_agent_call"):
        path = ROOT / "samples" / name / "call.wav"
        if path.exists():
            out[f"sample_{name}"] = functools.partial(_samples_of, path)
    return out


def real_inputs(quick: bool = False) -> dict[str, Callable[[], np.ndarray]]:
    """LCA Auto_Repairs and RAVDESS calls, wideband and G.711 (skipped without the data)."""
    d = shared_data_dir()
    out: dict[str, Callable[[], np.ndarray]] = {}
    lca = d / "lca_calls"
    if (lca / "Auto_Repairs_40_UTC_agent.flac").exists():
        from calltone.audio.decode import load_audio

        def lca_call() -> np.ndarray:
            ag = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
            cu = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
            n = min(ag.size, cu.size)
            return np.stack([ag[:n], cu[:n]])

        out["lca_auto_repairs"] = lca_call
        if not quick:
            out["lca_auto_repairs_ulaw"] = lambda: _through(lca_call(), "nb_ulaw", 7)
    if (d / "ravdess_dev").exists():
        import bench_calls

        actors = ("01", "06") if quick else ("01", "04", "06", "09", "11")
        for a in actors:
            for role in ("agent", "customer"):
                for cond in ("wideband", "nb_ulaw"):

                    def rav(a: str = a, role: str = role, cond: str = cond) -> np.ndarray:
                        clips = bench_calls.load_ravdess()
                        call = bench_calls.ravdess_call(clips, a, role)
                        k = 2 * bench_calls.ACTORS.index(a) + (role == "customer")
                        return bench_calls.CACHE.get(
                            f"call-{a}-{role}",
                            call.samples,
                            cond,
                            bench_calls.DEFAULT_SEED + 100 * k,
                            call.meta["calm_levels_dbfs"],
                        )

                    out[f"ravdess_{a}_{role}_{cond}"] = rav
    return out


def _through(x: np.ndarray, cond: str, seed: int) -> np.ndarray:
    from telephone import through

    return np.asarray(through(x, cond, seed=seed), np.float32)


def all_inputs(quick: bool = False) -> dict[str, Callable[[], np.ndarray]]:
    return {**synthetic_inputs(), **sample_inputs(), **real_inputs(quick)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", default=",".join(str(s) for s in DEFAULT_STEPS))
    ap.add_argument("--only", default="", help="comma-separated input names (prefixes)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path, help="write every signature here")
    ap.add_argument("--set", action="append", default=[], help="SECTION.KEY=VALUE override")
    args = ap.parse_args(argv)
    from _common import config_overrides

    cfg = AnalysisConfig.from_dict(config_overrides(args.set, ap))
    steps = [float(s) for s in args.steps.split(",")]
    only = [s for s in args.only.split(",") if s]
    inputs = all_inputs(args.quick)
    dump: dict[str, Any] = {}
    n_diff = 0
    for name, make in inputs.items():
        if only and not any(name.startswith(o) for o in only):
            continue
        x = make()
        t0 = time.process_time()
        sigs = {s: signature(x, s, cfg) for s in steps}
        ref = sigs[steps[0]]
        bad = []
        for s in steps[1:]:
            diffs = list(differences(ref, sigs[s]))
            if diffs:
                bad.append(s)
                print(f"{name} step {s:g} vs {steps[0]:g}: {len(diffs)} differences", flush=True)
                for d in diffs[:12]:
                    print(f"    {d}", flush=True)
        n_diff += bool(bad)
        ev = len(ref["events"])
        print(
            f"{name}: {x.shape[1] / SR:.0f} s, {ev} events, "
            f"{'same at every step' if not bad else 'DIFFERS at ' + ','.join(f'{s:g}' for s in bad)}"
            f" ({time.process_time() - t0:.0f} s CPU)",
            flush=True,
        )
        dump[name] = {str(s): sigs[s] for s in steps}
    print(f"inputs differing: {n_diff} of {len(dump)}")
    if args.json:
        args.json.write_text(json.dumps(dump))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
