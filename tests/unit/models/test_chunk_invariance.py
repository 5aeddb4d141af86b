"""A call's analysis does not depend on how its audio was cut into pushes.

The live service pushes 20-500 ms steps (the step grows with the server's load); a recording
goes through in 10 s chunks. Every decision the core makes is taken on the call's global frame
grid (frames, detector strides, 1 s baseline ticks), never at a push's end: the same audio gives
the same events, alerts and metrics to the bit (``tests/support/chunking.py``;
``bench/bench_chunking.py`` runs it on real calls).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.chunking import call, differences, signature

ROOT = Path(__file__).resolve().parents[3]


def _same_at(x: np.ndarray, steps: tuple[float, ...]) -> dict[float, dict]:
    sigs = {s: signature(x, s) for s in steps}
    ref = sigs[steps[0]]
    for s in steps[1:]:
        diffs = list(differences(ref, sigs[s]))
        assert not diffs, f"{s} s pushes vs {steps[0]} s: {diffs[:8]}"
    return sigs


def test_a_step_of_both_lines_is_read_at_the_same_time_whatever_the_push_size() -> None:
    """Both lines +10 dB from 23.37 s, then the agent and the customer shout: the step is read
    on the 1 s tick grid (it was read at the end of whichever push completed the tracker's
    window: 28.06 s in 20 ms pushes, 28.30 s in 0.5 s ones, 29.03 s in 10 s chunks, and the
    agent's shout came out as agent_tone alone in 20 ms pushes, as yelling too in the others)."""
    x = call(step_db=10.0, shout=True, dur_s=70.0)
    sigs = _same_at(x, (0.02, 0.13, 0.5, 10.0))
    ref = sigs[0.02]
    shifts = ref["metrics"]["customer"]["level_shifts"]
    assert len(shifts) == 1 and 8.0 < float.fromhex(shifts[0]["shift_db"]) < 12.0
    kinds = {(e["kind"], e["speaker"]) for e in ref["events"]}
    assert ("yelling", "customer") in kinds
    assert ("agent_tone", "agent") in kinds
    assert ref["alerts"], "the shouts raise alerts"


def test_a_hold_after_a_step_gives_the_same_call_at_every_push_size() -> None:
    """The same with 6.6 s of digital silence on both lines after the step (a hold)."""
    x = call(step_db=10.0, shout=True, pause=True, dur_s=70.0)
    _same_at(x, (0.02, 0.1, 10.0))


def test_pushes_of_random_sizes_give_the_recorded_call() -> None:
    """The step-of-both-lines call in pushes of random lengths (1 sample to 0.6 s, seeded: pieces
    shorter than a frame, pushes ending anywhere in a tick) against the recorded 10 s chunks."""
    x = call(step_db=10.0, shout=True, dur_s=70.0)
    sizes = np.random.default_rng(5).integers(1, 9600, size=997).tolist()
    diffs = list(differences(signature(x, 10.0), signature(x, sizes)))
    assert not diffs, diffs[:8]


@pytest.mark.slow
def test_lca_call_live_and_recorded_agree() -> None:
    """The LCA Auto_Repairs call (240 s, real telephone speech) in 20 ms pushes and in the
    recorded analysis's 10 s chunks; skipped without the shared data."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_chunking import real_inputs

    make = real_inputs(quick=True).get("lca_auto_repairs")
    if make is None:
        pytest.skip("needs CALLTONE_SHARED_DATA lca_calls")
    _same_at(make(), (0.02, 0.5, 10.0))
