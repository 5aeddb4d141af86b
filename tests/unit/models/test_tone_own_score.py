"""agent_tone's score bar read against the speaker's own calm windows
(``AgentToneConfig.own_score_quantile``).

Hand-built frames against a fixed baseline (-30 dBFS, 10 st); no recordings. Every window is
fully voiced at the baseline's HNR and tilt, 2 st over its pitch (not an effortless rise) with
no pitch spread, so the committed score is ``sigmoid(-1.8181 + 0.3953 L - 0.0997 * 2)`` for a
window ``L`` dB over the baseline: 0.117 at +0 dB, 0.711 at +7.4 dB, 0.721 at +7.5 dB, 0.793
at +8.5 dB, against ``min_score`` 0.7705.

- A speaker whose calm windows all score 0.117 (logit -2.02): the 98th percentile plus 0.5
  logit is 0.18, under the floor ``own_score_min_score`` 0.7, so the bar is 0.7 and a +7.5 dB
  stretch (0.721) is non-calm; with the option off it is not (0.721 < 0.7705).
- A speaker whose normal speech reads +7.4 dB (0.711, logit 0.90): the bar is
  sigmoid(0.90 + 0.5) = 0.803, so +8.5 dB (0.793) is calm for them; off it is an event.
- Before ``own_score_min_s`` of calm windows the bar is ``min_score``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import (
    OWN_BAR_OFF,
    agent_tone_events,
    line_frames,
    own_speech_snapshot,
    steady_speech,
)

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
GAP = 50  # frames of silence after each stretch
# The own bar alone (session 17's option: no turn rule), and no own bar at all.
ON = AgentToneConfig(
    own_score_quantile=0.98,
    own_score_margin_logit=0.5,
    own_score_min_score=0.7,
    own_score_max_score=0.9,
    own_score_min_turns=0,
)
OFF = AgentToneConfig(own_score_quantile=0.0, own_score_min_turns=0)


def _talk(parts: list[tuple[float, float]]) -> PartyFrames:
    """Consecutive stretches of steady speech, (seconds, dB over the baseline), each followed
    by 0.5 s of silence (so each is its own speech run)."""
    blocks = []
    for s, db in parts:
        blocks.append(
            steady_speech(
                round(s / HOP_S), base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=db, st_over=2.0
            )
        )
        blocks.append(line_frames(np.full(GAP, -80.0), OWN_DBFS - 3.0, speech=False))
    return PartyFrames.concat(blocks)


def _score(db_over: float) -> float:
    z = -1.8181 + 0.3953 * db_over - 0.0997 * 2.0
    return 1.0 / (1.0 + math.exp(-z))


def _events(talk: PartyFrames, config: AgentToneConfig) -> list:
    return agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), config, hop_s=HOP_S)


def test_the_known_scores() -> None:
    assert _score(0.0) == pytest.approx(0.117, abs=0.001)
    assert _score(7.5) == pytest.approx(0.721, abs=0.001)
    assert _score(8.5) == pytest.approx(0.793, abs=0.001)
    det = AgentToneDetector(OFF, speaker="agent", hop_s=HOP_S)
    det.trace = []
    talk = _talk([(4.0, 7.5)])
    det.push(
        CallFrames(0, {"agent": talk}, TimeFn(HOP_S, 0.032)),
        {"agent": own_speech_snapshot(OWN_DBFS, OWN_ST)},
    )
    vals = det.trace[-1][2]
    assert float(det.score(_col(vals))[0]) == pytest.approx(_score(7.5), abs=0.001)


def _col(vals: tuple[float, ...]) -> np.ndarray:  # (6, 1) for AgentToneDetector.score
    return np.array(vals, float).reshape(6, 1)


def test_a_speaker_whose_calm_windows_score_low_is_judged_against_the_floor() -> None:
    talk = _talk([(10.0, 0.0), (3.0, 7.5)])
    assert _events(talk, OFF) == []
    on = _events(talk, ON)
    assert on and {e.kind for e in on} == {"agent_tone"} and len({e.id for e in on}) == 1
    ev = on[-1].evidence
    assert ev["own_score_min_score"] == pytest.approx(0.7, abs=1e-3)
    # Opened by the first window over the floor (it still holds some calm speech): under
    # min_score, so only the own bar made it an event.
    assert 0.7 <= ev["score"] < 0.7705
    assert ev["min_score"] == 0.7705
    assert on[-1].thresholds["own_score_quantile"] == 0.98
    # The event is the raised stretch (from 10.5 s), not the calm speech before it.
    assert on[-1].start_s >= 10.5


def test_a_speaker_whose_normal_speech_scores_high_gets_a_higher_bar() -> None:
    talk = _talk([(10.0, 7.4), (3.0, 8.5)])
    off = _events(talk, OFF)
    assert off and {e.kind for e in off} == {"agent_tone"}
    assert _events(talk, ON) == []


def test_before_enough_calm_windows_the_bar_is_min_score() -> None:
    # 2 s of calm speech: under own_score_min_s (5 s) of confirmed calm windows.
    talk = _talk([(2.0, 0.0), (3.0, 7.5)])
    assert _events(talk, ON) == []
    # Even from the floor's side: 8.5 dB (0.793) is an event with or without the option.
    loud = _talk([(2.0, 0.0), (3.0, 8.5)])
    assert _events(loud, ON) and _events(loud, OFF)


def test_windows_rising_into_an_event_do_not_join_the_calm_ones() -> None:
    det = AgentToneDetector(ON, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    talk = _talk([(10.0, 0.0), (3.0, 12.0)])
    det.push(CallFrames(0, {"agent": talk}, time_of), {"agent": base})
    # Evaluations every 0.1 s; windows hold 0.3 s voiced from frame 29 on, so the first judged
    # one is at frame 29 (0.3 s). The shout starts at 10 s and turns the first window that
    # reaches it active; every calm window in the 3 s before that was still waiting.
    calm_logit = math.log(_score(0.0) / (1.0 - _score(0.0)))
    assert all(z == pytest.approx(calm_logit, abs=1e-3) for z in det._own_calm)
    # Confirmed: the windows from 0.3 s up to 3 s before the first active one (which comes
    # after 10.5 s, once enough of the shout is in its window), none holding the shout.
    assert 73 <= len(det._own_calm) <= 90
    assert not det._own_pending


@pytest.mark.parametrize("sizes", [[1400], [7] * (1400 // 7), [2] * 700])
def test_pushes_of_any_size_give_the_events_of_one_push(sizes: list[int]) -> None:
    talk = _talk([(10.0, 0.0), (3.0, 7.5)])
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    det = AgentToneDetector(ON, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    out = []
    at = 0
    for n in sizes:
        step = det.push(CallFrames(at, {"agent": talk.slice(at, at + n)}, time_of), {"agent": base})
        out += step.events
        at += n
    out += det.finish(at, time_of, {"agent": base})
    one = _events(talk, ON)
    assert [(e.id, e.start_s, e.end_s) for e in out] == [(e.id, e.start_s, e.end_s) for e in one]


def test_off() -> None:
    # On by default since session 19 (with the turn rule, the shape rule and the hold);
    # the session-start judgement is the own bar off.
    assert (AgentToneConfig().own_score_quantile, AgentToneConfig().own_score_min_turns) == (
        0.98,
        3,
    )
    c = AgentToneConfig(**OWN_BAR_OFF)
    talk = _talk([(10.0, 0.0), (3.0, 7.5)])
    assert _events(talk, c) == []
    assert _events(talk, OFF) == []
