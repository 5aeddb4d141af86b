"""Whose voice takes a turn (issue 13, session 14): once a party's voice models know another
voice in their microphone, only frames with evidence of their own voice (their level and their
timbre, ``InterruptionConfig.own_voice_evidence``) open or carry a turn. Known answers on
hand-built masks through the turn detector, and on synthetic formant voices (a neighbour 12 dB
under the agent, the agent's own cut-in) through the whole front end."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.models.tone.config import AnalysisConfig, InterruptionConfig
from calltone.models.tone.events import Event
from calltone.models.tone.frames import CallFrames, TimeFn
from calltone.models.tone.stream import CallAnalyzer
from calltone.models.tone.turns import InterruptionDetector
from tests.support.synth import SR, silence
from tests.unit.audio.test_voice_match import OWN_DBFS, _add, call, formant_voice
from tests.unit.models.test_turns_far_voice import HOP_S, N, baseline, levels, party, spans

# The customer talks 1-6 s; the agent's microphone carries a voice 0-8 s at the agent's own
# level (so the far-voice rule cannot tell), which is another voice where ``not_own`` says so.
CUSTOMER = spans((1.0, 6.0))
VOICE = spans((0.0, 8.0))


def detect(
    not_own: np.ndarray | None, *, block: int, config: InterruptionConfig | None = None
) -> list[Event]:
    agent = party(VOICE, levels(VOICE, OWN_DBFS))
    customer = party(CUSTOMER, levels(CUSTOMER, OWN_DBFS))
    b = {"agent": baseline(20.0), "customer": baseline(20.0)}
    det = InterruptionDetector(config or InterruptionConfig(), hop_s=HOP_S)
    t = TimeFn(HOP_S, 0.0)
    frames = CallFrames(0, {"agent": agent, "customer": customer}, t)
    out: list[Event] = []
    for i in range(0, N, block):
        j = min(N, i + block)
        marks = None if not_own is None else {"agent": not_own[i:j]}
        out += det.push(frames.slice(i, j), b, marks).events
    out += det.finish(N, t)
    return list({e.id: e for e in out}.values())


@pytest.mark.parametrize("block", [N, 1, 7, 50])
def test_another_voice_neither_opens_nor_carries_a_turn(block: int) -> None:
    """The agent-side voice is all another voice's: no interruption either way (it is not the
    agent cutting in at 1 s, nor the agent's turn the customer cuts into); with the rule off,
    or with no party under it (models not ready), the same masks give interruptions."""
    gap = spans((0.9, 2.0))  # a pause in the other voice: without the rule the agent "cuts in"
    other = VOICE & ~gap
    assert detect(other, block=block) == []
    off = InterruptionConfig(own_voice_evidence=0)
    assert detect(other, block=block, config=off) != []
    assert detect(None, block=block) == detect(None, block=block, config=off)


@pytest.mark.parametrize("block", [N, 1, 7, 50])
def test_the_agents_own_cut_in_is_one_interruption_that_says_so(block: int) -> None:
    """Another voice 0-8 s but the agent's own voice 3-5 s: one agent interruption starting at
    3 s (the first own frame), its evidence saying the newcomer's voice was checked."""
    other = VOICE & ~spans((3.0, 5.0))
    ev = [e for e in detect(other, block=block) if e.speaker == "agent"]
    assert len(ev) == 1
    assert ev[0].start_s == pytest.approx(3.0, abs=0.02)
    assert ev[0].evidence["newcomer_own_voice"] is True
    assert ev[0].thresholds["own_voice_level_spreads"] == 0.0


@pytest.mark.parametrize("block", [N, 1, 7, 50])
def test_short_gaps_of_evidence_inside_own_speech_change_nothing(block: int) -> None:
    """The agent's own cut-in 3-5 s whose frames lack evidence for 0.2 s in every 0.5 s (soft
    consonants, a smoothed ratio that wavers): within ``far_voice_hangover_s`` of an own frame
    they still count, so the event is the one without those gaps."""
    own = spans((3.0, 5.0))
    holes = np.zeros(N, bool)
    for a in np.arange(3.2, 5.0, 0.5):
        holes |= spans((a, a + 0.2))
    whole = [(e.start_s, e.end_s) for e in detect(VOICE & ~own, block=block)]
    holed = [(e.start_s, e.end_s) for e in detect((VOICE & ~own) | (own & holes), block=block)]
    assert holed == whole


def _interruptions(x: np.ndarray, **interruption: float) -> list[Event]:
    cfg = AnalysisConfig.from_dict({"interruption": interruption} if interruption else {})
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
    step = round(0.5 * SR)
    for i in range(0, x.shape[1], step):
        an.push(x[:, i : i + step])
    an.end_audio()
    return [e for e in an.result().events if e.kind == "interruption"]


def test_front_end_neighbour_is_no_cut_in_and_the_agents_own_is() -> None:
    """Synthetic voices (tests/unit/audio/test_voice_match.call): the customer talks 9-39 s, a
    neighbour (another vocal tract, 150/170 Hz) 12 dB under the agent in the agent's mic from
    8.5 s, 1.4 s phrases every 2 s. No agent interruption after the voice models are ready
    (the models are ready well before 30 s). The agent's own voice cutting in at 31 s for 2 s
    over the customer's sentence at 30-32.6 s is an agent interruption starting within 0.2 s
    of 31 s whose evidence says its voice was checked."""
    x = call(neighbour_db_under=12.0)
    late = [e for e in _interruptions(x) if e.start_s >= 20.0]
    assert late == []
    cut = x.copy()
    _add(cut[0], 31.0, formant_voice(200, 2.0, OWN_DBFS, tract=1.0, seed=77))
    ev = [e for e in _interruptions(cut) if e.speaker == "agent" and e.start_s >= 20.0]
    assert len(ev) == 1
    assert ev[0].start_s == pytest.approx(31.0, abs=0.15)
    assert ev[0].evidence["newcomer_own_voice"] is True


def similar_neighbour_call(*, cut_in_at_s: float | None = None) -> np.ndarray:
    """The agent (200 Hz, formants x1) speaks 0.5-8.5 s and 40-48 s; the customer (120 Hz)
    9-39 s in sentences (2.6 s on, 0.4 s off); a neighbour with a voice *like the agent's*
    (formants x0.95, 190/210 Hz) 12 dB under them in their microphone, 1.4 s phrases every
    3.1 s from 8.5 s: each phrase starts a new "turn" inside a customer's sentence, and the
    timbre barely tells it from the agent. ``cut_in_at_s``: the agent's own voice there for 2 s."""
    dur_s = 50.0
    a = silence(dur_s, seed=11)
    c = silence(dur_s, seed=12)
    _add(a, 0.5, formant_voice(200, 8.0, OWN_DBFS, tract=1.0, seed=5))
    _add(a, 40.0, formant_voice(200, 8.0, OWN_DBFS, tract=1.0, seed=6))
    for k, at_s in enumerate(np.arange(8.5, dur_s - 1.5, 3.1)):
        f0 = 210 if k % 2 else 190
        _add(a, at_s, formant_voice(f0, 1.4, OWN_DBFS - 12.0, tract=0.95, seed=20 + k))
    for k, at_s in enumerate(np.arange(9.0, 38.0, 3.0)):
        _add(c, at_s, formant_voice(120, 2.6, OWN_DBFS, tract=0.85, seed=40 + k))
    if cut_in_at_s is not None:
        _add(a, cut_in_at_s, formant_voice(200, 2.0, OWN_DBFS, tract=1.0, seed=77))
    return np.stack([a, c])


def test_front_end_a_similar_neighbour_cuts_in_only_with_the_rule_off() -> None:
    """The similar neighbour's phrases are 9 agent "interruptions" with the rule off (every
    phrase after the first at 11.65 s: 14.8, 17.9, ... 36.5 s); on, only the one before the
    voice models are ready (cold start: nothing changes) is left."""
    x = similar_neighbour_call()
    off = _interruptions(x, own_voice_evidence=0)
    on = _interruptions(x)
    assert len([e for e in off if e.start_s >= 14.0]) >= 6
    assert [e for e in on if e.start_s >= 14.0] == []
    assert [e.start_s for e in on] == [e.start_s for e in off if e.start_s < 14.0]


def test_front_end_the_agents_own_cut_in_over_a_similar_neighbour() -> None:
    """The agent's own voice at their level for 2 s from 31 s over the customer's sentence,
    with the similar neighbour in the microphone: one agent interruption after the cold
    start, within 0.15 s of 31 s, its evidence saying the voice was checked."""
    ev = [
        e
        for e in _interruptions(similar_neighbour_call(cut_in_at_s=31.0))
        if e.speaker == "agent" and e.start_s >= 14.0
    ]
    assert len(ev) == 1
    assert ev[0].start_s == pytest.approx(31.0, abs=0.15)
    assert ev[0].evidence["newcomer_own_voice"] is True
