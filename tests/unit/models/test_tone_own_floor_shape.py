"""The own-score bar goes under ``min_score`` only for a window not shaped like the speaker's
own calm windows (``AgentToneConfig.own_score_floor_calm_quantile``, ``own_score_floor_min_st``,
``own_score_floor_min_db``, ``own_score_floor_either``).

Hand-built frames against a fixed baseline (-30 dBFS, 10 st, HNR 10 dB); no recordings. The
speaker is known: three 1.5 s sentences (three turns) and six more, all at the baseline's
level, 2 st over its pitch, HNR 10 dB, so every calm window scores ~0.12 and the own bar is its
floor 0.7; the calm windows' loudness quantile is +0 dB and their pitch quantile +2 st. Then,
after a 3 s pause, a 1.2 s stretch (too little voiced for the vote, ``vote_min_voiced_s``
1.5 s) at +3 dB whose HNR is 4 dB under the baseline's: its score is
``sigmoid(-1.8181 + 0.3953 * 3 + 0.0997 * (0 - 2) + 0.4261 * 4)`` = 0.705, over the floor and
under ``min_score`` 0.7705; loudness (+3 dB < 4 dB) does not fire, so nothing votes. Known
answers with the pitch rule (quantile 0.9, 2.5 st):

- the stretch at the calm windows' pitch (+2 st) is calm-shaped: no event (the own bar alone
  makes it one);
- the same stretch 5 st over the baseline (3 st over the calm windows) is louder *and* higher:
  an event, whose evidence carries the calm shape and whose thresholds the rule;
- with the loudness rule alone (6 dB), a +3 dB stretch is calm-shaped and a stretch whose
  loudness stands 6 dB over the calm windows' (+6.5 dB, HNR 1 dB under: score 0.727) is not;
  with ``own_score_floor_either`` one of the two suffices, without it both are needed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import OWN_BAR_OFF, agent_tone_events, line_frames, own_speech_snapshot

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
OFF = AgentToneConfig(**OWN_BAR_OFF)
# The own bar alone (no shape rule, no hold).
OWN_BAR = AgentToneConfig(**(OWN_BAR_OFF | {"own_score_quantile": 0.98, "own_score_min_turns": 3}))
PITCH = replace(OWN_BAR, own_score_floor_calm_quantile=0.9, own_score_floor_min_st=2.5)
LOUD = replace(OWN_BAR, own_score_floor_calm_quantile=0.9, own_score_floor_min_db=6.0)
BOTH = replace(PITCH, own_score_floor_min_db=6.0)
EITHER = replace(BOTH, own_score_floor_either=1)


def _speech(seconds: float, db: float, st: float, hnr_db: float = 10.0) -> PartyFrames:
    """Steady, fully voiced speech ``db`` / ``st`` over the baseline; a syllable every 0.5 s."""
    n = round(seconds / HOP_S)
    return PartyFrames(
        0,
        loudness_dbfs=np.full(n, OWN_DBFS + db, np.float32),
        pitch_st=np.full(n, OWN_ST + st),
        voiced=np.ones(n, bool),
        speech=np.ones(n, bool),
        nucleus=np.arange(n) % 50 == 25,
        tilt_db=np.full(n, -12.0, np.float32),
        hnr_db=np.full(n, hnr_db, np.float32),
        noise_dbfs=np.full(n, OWN_DBFS - 40.0, np.float32),
    )


def _pause(seconds: float) -> PartyFrames:
    n = round(seconds / HOP_S)
    return line_frames(np.full(n, -80.0), OWN_DBFS - 40.0, speech=False)


def _talk(db: float, st: float, hnr_db: float) -> PartyFrames:
    """The known speaker's calm sentences, a pause, then the stretch under test."""
    calm = [b for _ in range(9) for b in (_speech(1.5, 0.0, 2.0), _pause(1.5))]
    return PartyFrames.concat([*calm, _pause(1.5), _speech(1.2, db, st, hnr_db), _pause(2.0)])


def _events(talk: PartyFrames, config: AgentToneConfig) -> list:
    return agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), config, hop_s=HOP_S)


CALM_SHAPED = (3.0, 2.0, 6.0)  # +3 dB, at the calm pitch, 4 dB harsher: score 0.705
HIGHER = (3.0, 5.0, 6.0)  # the same, 3 st over the calm windows' pitch
LOUDER = (6.5, 2.0, 9.0)  # 6.5 dB over the calm windows, at their pitch: score 0.727


def test_the_own_bar_alone_flags_a_calm_shaped_window_over_its_floor() -> None:
    # The cost the rule is for: the floor (0.7 < min_score) admits it.
    talk = _talk(*CALM_SHAPED)
    assert _events(talk, OFF) == []
    ev = _events(talk, OWN_BAR)
    assert ev and 0.7 <= ev[-1].evidence["score"] < 0.7705
    assert ev[-1].evidence["own_score_min_score"] == pytest.approx(0.7, abs=1e-3)


def test_a_calm_shaped_window_is_judged_against_min_score() -> None:
    assert _events(_talk(*CALM_SHAPED), PITCH) == []


def test_a_higher_window_is_judged_against_the_own_bar() -> None:
    ev = _events(_talk(*HIGHER), PITCH)
    assert ev and {e.kind for e in ev} == {"agent_tone"}
    e = ev[-1]
    assert 0.7 <= e.evidence["score"] < 0.7705  # only the lowered bar made it an event
    assert not e.evidence["voted"]
    assert e.evidence["own_score_calm_shape"]["pitch_st_over_baseline"] == pytest.approx(2.0)
    assert e.evidence["own_score_calm_shape"]["loudness_db_over_baseline"] == pytest.approx(
        0.0, abs=0.05
    )
    assert e.thresholds["own_score_floor_min_st"] == 2.5
    assert e.thresholds["own_score_floor_calm_quantile"] == 0.9


def test_the_loudness_rule() -> None:
    assert _events(_talk(*CALM_SHAPED), LOUD) == []  # +3 dB: within 6 dB of the calm windows
    assert _events(_talk(*LOUDER), OWN_BAR)
    assert _events(_talk(*LOUDER), LOUD)
    assert _events(_talk(*LOUDER), PITCH) == []  # at the calm pitch


def test_both_rules_or_either() -> None:
    # Both asked: louder alone or higher alone is calm-shaped.
    assert _events(_talk(*LOUDER), BOTH) == []
    assert _events(_talk(*HIGHER), BOTH) == []
    # Either: each is enough; the calm-shaped window still is not.
    assert _events(_talk(*LOUDER), EITHER)
    assert _events(_talk(*HIGHER), EITHER)
    assert _events(_talk(*CALM_SHAPED), EITHER) == []


def test_before_the_speaker_is_known_nothing_changes() -> None:
    # One sentence, then the higher stretch: the bar is min_score anyway (own_score_min_turns).
    talk = PartyFrames.concat(
        [_speech(1.5, 0.0, 2.0), _pause(4.5), _speech(1.2, *HIGHER[:2], HIGHER[2]), _pause(2.0)]
    )
    assert _events(talk, PITCH) == [] and _events(talk, OWN_BAR) == []


@pytest.mark.parametrize("chunk", [10_000, 7, 3])
def test_pushes_of_any_size_give_the_events_of_one_push(chunk: int) -> None:
    talk = PartyFrames.concat([_talk(*HIGHER), _talk(*CALM_SHAPED)])
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    det = AgentToneDetector(PITCH, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    out = []
    for at in range(0, len(talk), chunk):
        step = det.push(
            CallFrames(at, {"agent": talk.slice(at, at + chunk)}, time_of), {"agent": base}
        )
        out += step.events
    out += det.finish(len(talk), time_of, {"agent": base})
    one = _events(talk, PITCH)
    assert len({e.id for e in one}) == 1  # the higher stretch only
    # Each event as it stands at its last update (a push may announce it before it closes).
    last = {e.id: (e.start_s, e.end_s) for e in out}
    assert last == {e.id: (e.start_s, e.end_s) for e in one}


def test_on_by_default_with_either_rule() -> None:
    c = AgentToneConfig()
    assert (c.own_score_floor_calm_quantile, c.own_score_floor_min_db) == (0.9, 6.0)
    assert (c.own_score_floor_min_st, c.own_score_floor_either) == (2.5, 1)
    # The defaults judge the three stretches as EITHER does (the hold does not act here:
    # the baseline's level never falls).
    for shape in (CALM_SHAPED, HIGHER, LOUDER):
        assert bool(_events(_talk(*shape), c)) == bool(_events(_talk(*shape), EITHER))
    assert _events(_talk(*CALM_SHAPED), c) == []
    # The own bar with the shape rule's quantile at 0 is the own bar alone.
    talk = _talk(*CALM_SHAPED)
    assert len(_events(talk, OWN_BAR)) == len(
        _events(talk, replace(OWN_BAR, own_score_floor_min_st=2.5))
    )
