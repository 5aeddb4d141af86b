"""agent_tone against a young baseline (``AgentToneConfig.young_baseline_min_db``) and sparse
windows that are louder and higher (``AgentToneConfig.sparse_vote_min_db``), issue 13,
session 15. Hand-built frames with known levels and pitches; no recordings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import agent_tone_events, steady_speech

HOP_S = 0.01
N = 300  # 3 s of the agent's speech
BASE_DBFS = -50.0
BASE_ST = 4.0
YOUNG_ON = AgentToneConfig(young_baseline_min_db=18.0)
YOUNG_OFF = AgentToneConfig(young_baseline_min_db=0.0)
VOTE_ON = AgentToneConfig(sparse_vote_min_db=6.0)
VOTE_OFF = AgentToneConfig(sparse_vote_min_db=0.0)
# RAVDESS actor 05 as agent on GSM "re loud" when its first angry-strong clip came: 1.77 s of
# its speech learnt, 0.81 s of it voiced (under both min_baseline_speech_s and
# min_baseline_voiced_s: no window was judged).
YOUNG = BaselineSnapshot(
    loudness_dbfs=BASE_DBFS,
    pitch_st=BASE_ST,
    pitch_spread_st=2.0,
    syllable_rate_per_s=4.0,
    tilt_db=-11.0,
    voiced_s=0.81,
    settled=False,
    hnr_db=10.0,
    speech_leq_dbfs=BASE_DBFS,
    own_voiced_s=0.81,
    own_speech_s=1.77,
)
FULL = replace(YOUNG, voiced_s=20.0, own_voiced_s=20.0, own_speech_s=30.0, settled=True)


def _speech(db_over: float, st_over: float, *, voiced_every: int = 1) -> PartyFrames:
    """3 s of speech ``db_over`` the baseline's level, its voiced frames (every
    ``voiced_every``-th) ``st_over`` its pitch; HNR and tilt at the baseline's."""
    return steady_speech(
        N,
        base_dbfs=BASE_DBFS,
        base_st=BASE_ST,
        db_over=db_over,
        st_over=st_over,
        voiced_every=voiced_every,
    )


def _events(frames: PartyFrames, baseline: BaselineSnapshot, config: AgentToneConfig):
    return agent_tone_events(frames, baseline, config, hop_s=HOP_S)


# ---- young baseline


def test_both_rules_are_on_by_default():
    c = AgentToneConfig()
    assert c.young_baseline_min_db == 18.0 and c.sparse_vote_min_db == 6.0


def test_a_shout_against_a_young_baseline_is_judged_on_level():
    # +25 dB, +14 st, one frame in ten voiced (a shout on a noisy coded line) against 1.77 s of
    # speech: non-calm with the rule on, judged on level, and the event says so.
    ev = _events(_speech(25.0, 14.0, voiced_every=10), YOUNG, YOUNG_ON)
    assert ev
    e = ev[-1]
    assert e.evidence["young_baseline"] is True
    assert "loudness" in e.evidence["fired"]
    assert e.thresholds["young_baseline_min_db"] == 18.0
    assert e.thresholds["young_baseline_min_speech_s"] == 1.0
    assert e.thresholds["level_baseline_min_pitch_st"] == 2.5
    assert e.evidence["score_contributions"]["voice_quality"] == 0.0
    # Off: never judged, as before this rule.
    assert _events(_speech(25.0, 14.0, voiced_every=10), YOUNG, YOUNG_OFF) == []


@pytest.mark.parametrize(
    ("db_over", "st_over", "why"),
    [
        (16.0, 14.0, "under the yelling cold start's three effort steps"),
        (25.0, 1.0, "louder without a higher pitch: a nearer voice than the one learnt"),
    ],
)
def test_no_tone_against_a_young_baseline_without_a_clear_raise(db_over, st_over, why):
    assert _events(_speech(db_over, st_over, voiced_every=10), YOUNG, YOUNG_ON) == [], why


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"own_speech_s": 0.8}, "under 1 s of the speaker's own speech: mostly the prior"),
        ({"own_speech_s": None}, "speech time not known"),
        ({"from_profile": True}, "a saved profile is not young"),
    ],
)
def test_the_young_rule_needs_some_own_speech(change, why):
    assert _events(_speech(25.0, 14.0), replace(YOUNG, **change), YOUNG_ON) == [], why


def test_the_young_rule_leaves_older_baselines_alone():
    # Against a fully voiced baseline a +14 dB, +1 st window is judged on the full score (the
    # effortless-rise rule leaves its loudness unscored): nothing here changes with the rule.
    for b in (FULL, replace(YOUNG, own_speech_s=2.64, voiced_s=0.76, own_voiced_s=0.76)):
        on = _events(_speech(14.0, 1.0), b, YOUNG_ON)
        off = _events(_speech(14.0, 1.0), b, YOUNG_OFF)
        assert [e.start_s for e in on] == [e.start_s for e in off]
        assert not any(e.evidence.get("young_baseline") for e in on)


# ---- sparse vote


def test_a_sparse_window_louder_and_higher_is_non_calm():
    # One frame in fifteen voiced (0.2 s in the 3 s window: sparse), +7 dB, +6 st: the
    # level-only score needs +7.7 dB, so off it is calm; on, loudness and pitch both fire.
    frames = _speech(7.0, 6.0, voiced_every=15)
    assert _events(frames, FULL, VOTE_OFF) == []
    ev = _events(frames, FULL, VOTE_ON)
    assert ev
    e = ev[-1]
    assert e.evidence["sparse_vote"] is True
    assert {"loudness", "pitch"} <= set(e.evidence["fired"])
    assert e.thresholds["sparse_vote_min_db"] == 6.0
    assert e.thresholds["pitch_st_over_baseline"] == 2.5


@pytest.mark.parametrize(
    ("db_over", "st_over", "every", "why"),
    [
        (5.0, 6.0, 15, "under one effort step louder"),
        (7.0, 1.0, 15, "louder without a higher pitch"),
        (7.0, 6.0, 1, "a fully voiced window: the score judges it, not the sparse vote"),
    ],
)
def test_no_sparse_vote_without_both_signals(db_over, st_over, every, why):
    ev = _events(_speech(db_over, st_over, voiced_every=every), FULL, VOTE_ON)
    assert not any(e.evidence.get("sparse_vote") for e in ev), why
    if every == 15:
        assert ev == [], why


@pytest.mark.parametrize("block", [2, 7, 333])
def test_the_same_events_in_any_chunking(block):
    for frames, base, cfg in (
        (_speech(25.0, 14.0, voiced_every=10), YOUNG, YOUNG_ON),
        (_speech(7.0, 6.0, voiced_every=15), FULL, VOTE_ON),
    ):
        whole = _events(frames, base, cfg)
        det = AgentToneDetector(cfg, speaker="agent", hop_s=HOP_S)
        time_of = TimeFn(HOP_S, 0.032)
        got = []
        for a in range(0, N, block):
            part = frames.slice(a, min(N, a + block))
            got += det.push(CallFrames(a, {"agent": part}, time_of), {"agent": base}).events
        got += det.finish(N, time_of, {"agent": base})
        closed = [(e.start_s, e.end_s) for e in got if e.end_s is not None]
        assert closed and closed == [(e.start_s, e.end_s) for e in whole if e.end_s is not None]
