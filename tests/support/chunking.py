"""Chunk invariance: what a reader sees of a call, to the bit, and where two such differ.

The live service pushes audio in steps of 20-500 ms (by load) and a recording goes through in
10 s chunks: both must give the same events, alerts and metrics (``bench/bench_chunking.py``,
``tests/unit/models/test_chunk_invariance.py``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.session import CallSession
from tests.support.synth import silence, voiced

SR = 16000


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
    x: np.ndarray,
    step_s: float | Sequence[int],
    config: AnalysisConfig | None = None,
    roles: ChannelRoles | None = None,
) -> dict[str, Any]:
    """Everything a reader sees of the call ``x`` analysed in ``step_s`` pushes (seconds; or
    push lengths in samples, used in turn)."""
    roles = roles or (
        ChannelRoles(agent=0, customer=1) if x.shape[0] == 2 else ChannelRoles(agent=0)
    )
    x = np.ascontiguousarray(x, np.float32)
    if isinstance(step_s, float | int):
        res = run_session(
            DecodedAudio(x, SR, SR, "chunking"), roles, config or AnalysisConfig(), chunk_s=step_s
        )
    else:
        session = CallSession(roles=roles, n_channels=x.shape[0], config=config, call_id="chunking")
        i = 0
        for n in itertools.cycle(step_s):
            if i >= x.shape[1]:
                break
            session.push(x[:, i : i + n])
            i += n
        res = session.finish()
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


def call(
    step_db: float = 0.0, shout: bool = False, pause: bool = False, dur_s: float = 60.0
) -> np.ndarray:
    """A two-party synthetic call (agent channel 0 at 210 Hz, customer 1 at 120 Hz): turns of
    four 0.5 s phrases at -26 dBFS over -70 dBFS noise; ``shout``: the agent at -12 dBFS from
    40.3 s (3 s, 0.5 st higher) and the customer at -10 dBFS from 47.1 s; ``step_db``: both
    lines' lasting gain step from 23.37 s; ``pause``: digital silence on both lines
    30.21-36.77 s (a hold)."""
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
