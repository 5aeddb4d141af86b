"""``BaselineConfig.other_turn_floor_spreads`` (issue 13, session 12): a party's frames far
under their own level, heard while the other party holds the floor, are not learnt; their own
speech in their turns, soft or not, and their overlapping speech at talking level still are.
Synthetic voices with known levels and pitches."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, silence, voiced

OWN_DBFS = -20.0
DUR_S = 44.0


def _add(x: np.ndarray, at_s: float, sig: np.ndarray) -> None:
    i = int(at_s * SR)
    x[i : i + sig.size] += sig[: x.size - i]


def call(
    *,
    neighbour_db_under: float | None = None,
    agent_later: tuple[float, float, float] | None = None,
    customer_until_s: float = 39.0,
) -> np.ndarray:
    """The agent speaks 0.5-8.5 s at -20 dBFS (200 Hz); the customer 9-39 s in sentences
    (2.6 s on, 0.4 s off; 120 Hz, -20 dBFS), or until ``customer_until_s``. ``neighbour_db_under``: a neighbour's voice
    (1.4 s phrases at 150/170 Hz, 0.6 s pauses) that far under the agent in the agent's
    microphone from 8.5 s on. ``agent_later``: (start s, duration s, level dBFS) of more of
    the agent's own speech."""
    a = silence(DUR_S, seed=11)
    c = silence(DUR_S, seed=12)
    _add(a, 0.5, voiced(200, 8.0, OWN_DBFS, seed=5))
    if agent_later is not None:
        t0, dur, lvl = agent_later
        _add(a, t0, voiced(200, dur, lvl, seed=6))
    if neighbour_db_under is not None:
        for k, at_s in enumerate(np.arange(8.5, DUR_S - 1.5, 2.0)):
            nb = voiced(150 if k % 2 else 170, 1.4, OWN_DBFS - neighbour_db_under, seed=20 + k)
            _add(a, at_s, nb)
    for k, at_s in enumerate(np.arange(9.0, customer_until_s - 1.0, 3.0)):
        _add(c, at_s, voiced(120, 2.6, OWN_DBFS, seed=40 + k))
    return np.stack([a, c])


def run(
    x: np.ndarray, floor_spreads: float | None, *, until_s: float, chunk_s: float = 0.1
) -> tuple[BaselineSnapshot, BaselineSnapshot]:
    """The agent's baseline at 8.5 s (the end of their first words; pushed in ``chunk_s``
    chunks) and at ``until_s``; ``floor_spreads`` None: the default config."""
    over = {} if floor_spreads is None else {"other_turn_floor_spreads": floor_spreads}
    cfg = AnalysisConfig.from_dict({"baseline": over})
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
    step = max(1, round(chunk_s * SR))
    first: BaselineSnapshot | None = None
    for i in range(0, min(x.shape[1], round(until_s * SR)), step):
        an.push(x[:, i : i + step])
        if first is None and i + step >= round(8.5 * SR):
            first = an.baselines["agent"].snapshot
    assert first is not None
    return first, an.baselines["agent"].snapshot


@pytest.mark.parametrize("db_under", [12.0, 18.0])
def test_a_neighbour_under_the_customers_turn_does_not_drag_the_agent(db_under: float) -> None:
    """30 s of a neighbour 12 or 18 dB under the agent, heard through the customer's turn:
    the agent's level and pitch stay as their own first words set them. With the rule off
    (0) the neighbour becomes the agent's normal: the pitch goes to the neighbour's and the
    level falls."""
    x = call(neighbour_db_under=db_under)
    first, on = run(x, None, until_s=39.0)
    assert on.loudness_dbfs == pytest.approx(first.loudness_dbfs, abs=1.0)
    assert on.pitch_hz == pytest.approx(200.0, rel=0.03)
    first0, off = run(x, 0.0, until_s=39.0)
    assert first0 == first
    assert off.pitch_hz < 180.0
    assert off.loudness_dbfs < first.loudness_dbfs - 1.0


def test_the_agents_own_soft_speech_in_their_turn_is_still_learnt() -> None:
    """The agent's own speech 10 dB softer than their first words, in their own turn after
    the customer's: learnt as with the rule off (the same baseline), the level falls."""
    x = call(agent_later=(15.5, 20.0, OWN_DBFS - 10.0), customer_until_s=15.0)
    first, on = run(x, None, until_s=38.0)
    _, off = run(x, 0.0, until_s=38.0)
    assert on.to_dict() == off.to_dict()
    assert on.loudness_dbfs < first.loudness_dbfs - 5.0


def test_the_agents_overlapping_speech_at_talking_level_is_still_learnt() -> None:
    """The agent talking 4 dB louder than their first words over the customer's turn for 24 s
    (meeting-style overlap): learnt, the level rises as with the rule off."""
    x = call(agent_later=(12.0, 24.0, OWN_DBFS + 4.0))
    first, on = run(x, None, until_s=38.0)
    _, off = run(x, 0.0, until_s=38.0)
    assert on.loudness_dbfs > first.loudness_dbfs + 1.0
    assert on.loudness_dbfs == pytest.approx(off.loudness_dbfs, abs=0.5)
    assert on.own_s == pytest.approx(off.own_s, abs=0.5)


def test_the_rule_does_not_depend_on_chunking() -> None:
    """The other party's turn is carried across pushes: 0.1 s and 1.3 s chunks give the
    same baseline."""
    x = call(neighbour_db_under=12.0)
    _, a = run(x, None, until_s=31.2, chunk_s=0.1)
    _, b = run(x, None, until_s=31.2, chunk_s=1.3)
    assert a.to_dict() == b.to_dict()


def test_the_partys_own_soft_syllables_in_their_turn_are_learnt_while_the_other_seems_to_talk() -> (
    None
):
    """The customer's turn holds soft syllables 12 dB under their talking level (0.4 s
    after each 1.2 s of talk) while the agent's microphone carries a voice at the agent's
    own level throughout (the agent seems to hold the floor too): they are the customer's
    own turn, learnt as with the rule off."""
    a = silence(DUR_S, seed=11)
    c = silence(DUR_S, seed=12)
    _add(a, 0.5, voiced(200, 8.0, OWN_DBFS, seed=5))
    _add(a, 9.0, voiced(180, 30.0, OWN_DBFS, seed=7))
    _add(c, 1.0, voiced(120, 6.0, OWN_DBFS, seed=8))
    for k, at_s in enumerate(np.arange(9.0, 38.0, 1.6)):
        _add(c, at_s, voiced(120, 1.2, OWN_DBFS, seed=40 + k))
        _add(c, at_s + 1.2, voiced(120, 0.4, OWN_DBFS - 12.0, seed=80 + k))
    x = np.stack([a, c])
    cfg_on = AnalysisConfig()
    cfg_off = AnalysisConfig.from_dict({"baseline": {"other_turn_floor_spreads": 0.0}})
    snaps: list[BaselineSnapshot] = []
    for cfg in (cfg_on, cfg_off):
        an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
        for i in range(0, x.shape[1], SR // 10):
            an.push(x[:, i : i + SR // 10])
        snaps.append(an.baselines["customer"].snapshot)
    on, off = snaps
    assert on.loudness_dbfs == pytest.approx(off.loudness_dbfs, abs=0.1)
    assert on.speech_level_dbfs == pytest.approx(off.speech_level_dbfs, abs=0.1)
    assert on.own_s == pytest.approx(off.own_s, abs=0.05)
