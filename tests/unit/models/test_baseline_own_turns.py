"""With ``BaselineConfig.learn_during_other_speech`` 0 (off by default), a party's normal is
learnt in their own turns, not from a neighbour's babble heard in their microphone while the
other party talks (issue 13, session 11). Synthetic voices with known levels."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, silence, voiced

OWN_DBFS = -20.0
BABBLE_DBFS = -32.0  # 12 dB under the agent's own voice


def call() -> np.ndarray:
    """The agent speaks 0.5-8.5 s at -20 dBFS (200 Hz); the customer 9-39 s at -20 dBFS
    (120 Hz); a neighbour's voice (150/170 Hz phrases, -32 dBFS) runs through the agent's
    microphone from 8.5 s to the end; the agent speaks again 39.5-43.5 s."""
    a = silence(44.0, seed=11)
    c = silence(44.0, seed=12)
    for at_s, sig in (
        (0.5, voiced(200, 8.0, OWN_DBFS, seed=5)),
        (39.5, voiced(200, 4.0, OWN_DBFS, seed=6)),
    ):
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    # The neighbour talks in phrases: 1.4 s on, 0.6 s off, two pitches in turn.
    for k, at_s in enumerate(np.arange(8.5, 42.5, 2.0)):
        nb = voiced(150 if k % 2 else 170, 1.4, BABBLE_DBFS, seed=20 + k, syll_hz=3.0)
        a[int(at_s * SR) : int(at_s * SR) + nb.size] += nb
    # The customer talks in sentences: 2.6 s on, 0.4 s off.
    for k, at_s in enumerate(np.arange(9.0, 38.0, 3.0)):
        cust = voiced(120, 2.6, OWN_DBFS, seed=40 + k)
        c[int(at_s * SR) : int(at_s * SR) + cust.size] += cust
    return np.stack([a, c])


def agent_baseline(learn_during_other_speech: int) -> tuple[float, float, float]:
    """The agent's baseline level (dBFS) before the neighbour (8.5 s), and level and pitch
    (Hz) at 39 s, after 30 s of the neighbour under the customer's turn (the rule of
    ``other_turn_floor_spreads`` off, so this setting alone decides)."""
    cfg = AnalysisConfig.from_dict(
        {
            "baseline": {
                "learn_during_other_speech": learn_during_other_speech,
                "other_turn_floor_spreads": 0.0,
            }
        }
    )
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
    x = call()
    before = None
    for i in range(0, x.shape[1], SR // 10):
        an.push(x[:, i : i + SR // 10])
        if before is None and an.time_s >= 8.5:
            before = an.baselines["agent"].snapshot.loudness_dbfs
        if an.time_s >= 39.0:
            break
    snap = an.baselines["agent"].snapshot
    assert before is not None
    return before, snap.loudness_dbfs, snap.pitch_hz


def test_babble_under_the_customers_turn_is_not_the_agents_normal() -> None:
    before, after, pitch_hz = agent_baseline(0)
    assert after == pytest.approx(before, abs=1.5)
    assert pitch_hz == pytest.approx(200.0, rel=0.03)
    # Learning over the customer's speech (the old rule, 1), 30 s of the neighbour pull the
    # agent's level down 10 dB and its pitch to the neighbour's.
    before1, after1, pitch1_hz = agent_baseline(1)
    assert before1 == before
    assert before1 - after1 > 6.0
    assert pitch1_hz < 180.0
