"""A neighbour's babble in the agent's microphone is not the agent taking a turn (issue 13,
session 11). Synthetic frames whose answers are known by construction: the agent's own voice at
-18 dBFS, a far voice 25 dB under it."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import InterruptionConfig
from calltone.models.tone.events import Event
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from calltone.models.tone.turns import InterruptionDetector

HOP_S = 0.01
TOTAL_S = 8.0
N = round(TOTAL_S / HOP_S)
OWN_DBFS = -18.0
FAR_DBFS = -43.0  # 25 dB under the agent's own voice


def spans(*s: tuple[float, float]) -> np.ndarray:
    m = np.zeros(N, bool)
    for a, b in s:
        m[round(a / HOP_S) : round(b / HOP_S)] = True
    return m


def party(speech: np.ndarray, level_dbfs: np.ndarray) -> PartyFrames:
    z = np.zeros(N, np.float32)
    nuc = np.zeros(N, bool)
    nuc[np.flatnonzero(speech)[::20]] = True  # a syllable every 0.2 s of speech
    return PartyFrames(
        0,
        level_dbfs.astype(np.float32),
        np.full(N, np.nan, np.float32),
        speech.copy(),
        speech.copy(),
        nuc,
        z,
        z,
    )


def baseline(own_voiced_s: float, *, level_dbfs: float = OWN_DBFS) -> BaselineSnapshot:
    return BaselineSnapshot(
        loudness_dbfs=level_dbfs,
        pitch_st=15.0,
        pitch_spread_st=2.0,
        syllable_rate_per_s=4.0,
        tilt_db=-10.0,
        voiced_s=own_voiced_s,
        settled=own_voiced_s >= 12.0,
        own_voiced_s=own_voiced_s,
    )


def detect(
    agent: PartyFrames,
    customer: PartyFrames,
    baselines: dict[str, BaselineSnapshot],
    *,
    block: int,
    config: InterruptionConfig | None = None,
) -> list[Event]:
    det = InterruptionDetector(config or InterruptionConfig(), hop_s=HOP_S)
    t = TimeFn(HOP_S, 0.0)
    frames = CallFrames(0, {"agent": agent, "customer": customer}, t)
    out: list[Event] = []
    for i in range(0, N, block):
        out += det.push(frames.slice(i, min(N, i + block)), baselines).events
    out += det.finish(N, t)
    return list({e.id: e for e in out}.values())


# The customer talks 1-6 s (syllables every 0.2 s); a neighbour's babble runs through the agent's
# microphone 0-8 s, far under the agent's own voice; the agent says nothing.
CUSTOMER = spans((1.0, 6.0))
BABBLE = spans((0.0, TOTAL_S))


def levels(mask: np.ndarray, on_dbfs: float) -> np.ndarray:
    return np.where(mask, on_dbfs, -90.0)


@pytest.mark.parametrize("block", [N, 1, 7, 50])
def test_far_babble_in_the_agent_mic_is_no_interruption(block: int) -> None:
    agent = party(BABBLE, levels(BABBLE, FAR_DBFS))
    customer = party(CUSTOMER, levels(CUSTOMER, OWN_DBFS))
    b = {"agent": baseline(20.0), "customer": baseline(20.0)}
    assert detect(agent, customer, b, block=block) == []
    # Off (0 dB): the babble is the agent talking over the customer, as before.
    off = InterruptionConfig(far_voice_db_under_baseline=0.0)
    assert detect(agent, customer, b, block=block, config=off) != []


@pytest.mark.parametrize("block", [N, 1, 7, 50])
def test_the_agent_cutting_in_over_babble_is_still_an_interruption(block: int) -> None:
    # The agent's own voice from 3 s to 5 s over the same babble: an interruption of the
    # customer's turn, starting where the agent's near voice starts.
    own = spans((3.0, 5.0))
    agent = party(BABBLE, np.where(own, OWN_DBFS, FAR_DBFS))
    customer = party(CUSTOMER, levels(CUSTOMER, OWN_DBFS))
    b = {"agent": baseline(20.0), "customer": baseline(20.0)}
    ev = [e for e in detect(agent, customer, b, block=block) if e.speaker == "agent"]
    assert len(ev) == 1
    assert ev[0].start_s == pytest.approx(3.0, abs=0.02)


def test_soft_syllables_inside_the_agents_turn_stay_the_agents() -> None:
    # The agent talks 3-5 s with a soft stretch 20 dB under (a consonant, a syllable's decay)
    # of 0.2 s every 0.5 s: within the hangover, the turn is one stretch of speech as before.
    own = spans((3.0, 5.0))
    lv = np.where(own, OWN_DBFS, -90.0)
    for t in np.arange(3.3, 5.0, 0.5):
        lv[round(t / HOP_S) : round((t + 0.2) / HOP_S)] = OWN_DBFS - 20.0
    agent = party(own, lv)
    customer = party(CUSTOMER, levels(CUSTOMER, OWN_DBFS))
    b = {"agent": baseline(20.0), "customer": baseline(20.0)}
    on = detect(agent, customer, b, block=N)
    off = detect(
        agent, customer, b, block=N, config=InterruptionConfig(far_voice_db_under_baseline=0.0)
    )
    assert [(e.speaker, e.start_s, e.end_s) for e in on] == [
        (e.speaker, e.start_s, e.end_s) for e in off
    ]
    assert len(on) == 1


def test_no_rule_before_the_baseline_rests_on_the_partys_own_voice() -> None:
    # Under 2 s of the agent's own voiced speech the baseline is the prior's: no frame is far.
    agent = party(BABBLE, levels(BABBLE, FAR_DBFS))
    customer = party(CUSTOMER, levels(CUSTOMER, OWN_DBFS))
    b = {"agent": baseline(1.0), "customer": baseline(20.0)}
    off = InterruptionConfig(far_voice_db_under_baseline=0.0)
    assert [e.id for e in detect(agent, customer, b, block=N)] == [
        e.id for e in detect(agent, customer, b, block=N, config=off)
    ]
