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
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from _common import shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

SR = 16000
DEFAULT_STEPS = (0.02, 0.1, 0.13, 0.5, 10.0)


def _exact(v: Any) -> Any:
    """Floats as hex (to the bit), containers recursively."""
    if isinstance(v, float | np.floating):
        return float(v).hex()
    if isinstance(v, dict):
        return {str(k): _exact(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_exact(x) for x in v]
    if isinstance(v, np.ndarray):
        return _exact(v.tolist())
    if isinstance(v, np.integer | np.bool_):
        return v.item()
    return v


def signature(
    x: np.ndarray, step_s: float, config: AnalysisConfig | None = None, roles: ChannelRoles | None = None
) -> dict[str, Any]:
    """Everything a reader sees of the call ``x`` analysed in ``step_s`` pushes."""
    roles = roles or (ChannelRoles(agent=0, customer=1) if x.shape[0] == 2 else ChannelRoles(agent=0))
    res = run_session(
        DecodedAudio(np.ascontiguousarray(x, np.float32), SR, SR, "chunking"),
        roles,
        config or AnalysisConfig(),
        chunk_s=step_s,
    )
    alerts = [a.to_dict() for a in res.alerts]
    alerts += [a.to_dict() for a in res.close()]
    an = res.analysis
    events = [
        {
            "kind": e.kind,
            "speaker": e.speaker,
            "start_s": e.start_s,
            "end_s": e.end_s,
            "evidence": e.evidence,
            "thresholds": e.thresholds,
        }
        for e in an.events_sorted()
    ]
    return _exact(
        {
            "events": events,
            "alerts": sorted(alerts, key=lambda a: (a["at_s"], a["kind"])),
            "metrics": an.metrics,
            "speech_runs": {
                p: [(r.start_s, r.end_s) for r in runs] for p, runs in an.speech_runs.items()
            },
        }
    )


def differences(a: Any, b: Any, path: str = "") -> Iterator[str]:
    """Where two signatures differ (paths into them, with both values)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                yield f"{path}/{k}: {'missing' if k not in a else _short(a[k])} vs {'missing' if k not in b else _short(b[k])}"
            else:
                yield from differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} vs {len(b)} items"
            if path.endswith("events"):
                ka = [(e["kind"], e["speaker"], _f(e["start_s"]), _f(e["end_s"])) for e in a]
                kb = [(e["kind"], e["speaker"], _f(e["start_s"]), _f(e["end_s"])) for e in b]
                yield f"{path}: only in first {[e for e in ka if e not in kb]}, only in second {[e for e in kb if e not in ka]}"
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {_short(a)} vs {_short(b)}"


def _f(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return round(float.fromhex(v), 3)
        except ValueError:
            return v
    return v


def _short(v: Any) -> str:
    v = _f(v) if isinstance(v, str) else v
    s = json.dumps(v, default=str) if not isinstance(v, str | float | int) else str(v)
    return s if len(s) < 160 else s[:157] + "..."


# ------------------------------------------------------------------------------------ inputs


def synthetic_inputs() -> dict[str, Callable[[], np.ndarray]]:
    """Two-party synthetic calls with known structure (``tests/support/synth.py``)."""
    sys.path.insert(0, str(ROOT))
    from tests.support.synth import silence, voiced

    def call(step_db: float = 0.0, shout: bool = False, pause: bool = False, dur_s: float = 60.0) -> np.ndarray:
        x = np.stack([silence(dur_s, seed=21), silence(dur_s, seed=22)])
        seed = 300
        f0 = {0: 210.0, 1: 120.0}
        for ch in (0, 1):
            t = 0.5 + 3.1 * ch
            while t < dur_s - 3.0:
                for st in (0.0, 2.0, -1.0, 3.0):
                    seed += 1
                    sig = voiced(f0[ch] * 2 ** (st / 12), 0.5, -26.0, seed=seed)
                    i = int(t * SR)
                    x[ch, i : i + sig.size] += sig[: x.shape[1] - i]
                    t += 0.9
                t += 2.6
        if shout:
            sig = voiced(f0[0] * 2**0.5, 3.0, -12.0, seed=7)
            i = int(40.3 * SR)
            x[0, i : i + sig.size] += sig
            sig = voiced(f0[1] * 2**0.7, 2.6, -10.0, seed=8)
            i = int(47.1 * SR)
            x[1, i : i + sig.size] += sig
        if step_db:
            x[:, int(23.37 * SR) :] *= 10 ** (step_db / 20)
        if pause:
            x[:, int(30.21 * SR) : int(36.77 * SR)] = 0.0
        return x.astype(np.float32)

    return {
        "synth_plain": lambda: call(),
        "synth_shout": lambda: call(shout=True),
        "synth_step10_shout": lambda: call(step_db=10.0, shout=True, dur_s=70.0),
        "synth_pause_shout": lambda: call(shout=True, pause=True),
        "synth_step10_pause": lambda: call(step_db=10.0, pause=True, shout=True, dur_s=70.0),
    }


def sample_inputs() -> dict[str, Callable[[], np.ndarray]]:
    from calltone.audio.decode import load_audio

    out: dict[str, Callable[[], np.ndarray]] = {}
    for name in ("calm_call", "escalation_call", "interrupting_agent_call"):
        path = ROOT / "samples" / name / "call.wav"
        if path.exists():
            out[f"sample_{name}"] = lambda p=path: load_audio(p).samples
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
