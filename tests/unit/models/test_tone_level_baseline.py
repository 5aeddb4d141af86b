"""agent_tone against a baseline with seconds of the speaker's speech but little of it voiced
(a line whose noise buries the calm voice: ``AgentToneConfig.min_baseline_speech_s``,
``min_baseline_speech_voiced_s``, ``level_baseline_min_db``, ``level_baseline_min_pitch_st``).
Hand-built frames with known levels and pitches; no recordings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import agent_tone_events, steady_speech

HOP_S = 0.01
N = 400  # 4 s of the agent's speech
BASE_DBFS = -50.0
BASE_ST = 12.0
# RAVDESS actor 11 as agent on AMR with noise at the calm voice's level, as it stood at the
# angry clips: 2.64 s of the speaker's speech learnt, 0.76 s of it voiced.
THIN = BaselineSnapshot(
    loudness_dbfs=BASE_DBFS,
    pitch_st=BASE_ST,
    pitch_spread_st=2.0,
    syllable_rate_per_s=4.0,
    tilt_db=-11.0,
    voiced_s=0.76,
    settled=False,
    hnr_db=10.0,
    speech_leq_dbfs=BASE_DBFS,
    own_voiced_s=0.76,
    own_speech_s=2.64,
)


def _speech(db_over: float, st_over: float, *, voiced_every: int = 1) -> PartyFrames:
    """4 s of speech ``db_over`` the baseline's level, its voiced frames (every
    ``voiced_every``-th) ``st_over`` its pitch; HNR and tilt at the baseline's."""
    return steady_speech(
        N,
        base_dbfs=BASE_DBFS,
        base_st=BASE_ST,
        db_over=db_over,
        st_over=st_over,
        voiced_every=voiced_every,
    )


def _events(frames: PartyFrames, baseline: BaselineSnapshot, config: AgentToneConfig | None = None):
    return agent_tone_events(frames, baseline, config or AgentToneConfig(), hop_s=HOP_S)


def test_a_clear_raise_is_judged_on_level_against_a_thinly_voiced_baseline():
    # +20 dB and +8 st over a baseline of 2.64 s of speech, 0.76 s voiced: non-calm, judged on
    # its level alone (pitch, spread, tilt and harshness enter as 0), and the event says so.
    ev = _events(_speech(20.0, 8.0), THIN)
    assert ev, "a clear raise against a thinly voiced baseline is judged"
    e = ev[-1]
    assert e.evidence["level_only_baseline"] is True
    assert "loudness" in e.evidence["fired"]
    assert not {"pitch", "pitch_variability", "vocal_effort", "voice_quality"} & set(
        e.evidence["fired"]
    )
    assert e.thresholds["min_baseline_speech_s"] == 2.0
    assert e.thresholds["level_baseline_min_db"] == 12.0
    assert e.thresholds["level_baseline_min_pitch_st"] == 2.5
    assert e.evidence["score_contributions"]["voice_quality"] == 0.0


@pytest.mark.parametrize(
    ("db_over", "st_over", "why"),
    [
        (
            10.0,
            8.0,
            "under two effort steps louder: the thin yardstick may be a calm voice's quiet end",
        ),
        (20.0, 1.0, "louder without a higher pitch: a nearer voice than the one learnt"),
    ],
)
def test_no_tone_without_a_clear_raise(db_over, st_over, why):
    assert _events(_speech(db_over, st_over), THIN) == [], why


def test_sparse_windows_are_not_judged_against_a_thinly_voiced_baseline():
    # One frame in twenty voiced (0.15 s in any 3 s window, under min_voiced_s): judged on its
    # level against a fully voiced baseline (the sparse rule), not against a thin one.
    assert _events(_speech(20.0, 8.0, voiced_every=20), THIN) == []
    full = replace(THIN, voiced_s=20.0, own_voiced_s=20.0, own_speech_s=30.0, settled=True)
    assert _events(_speech(20.0, 8.0, voiced_every=20), full)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"own_speech_s": 1.5}, "under 2 s of speech: the speech level still rests on the prior"),
        (
            {"voiced_s": 0.3, "own_voiced_s": 0.3},
            "under 0.5 s voiced: maybe a line's settling noise",
        ),
        ({"own_speech_s": None}, "speech time not known"),
    ],
)
def test_the_rule_needs_its_baseline(change, why):
    # The young-baseline rule (``young_baseline_min_db``, tested in test_tone_young_baseline.py)
    # judges some of these baselines at +18 dB: off here, this is the level-only rule alone.
    no_young = AgentToneConfig(young_baseline_min_db=0.0)
    assert _events(_speech(20.0, 8.0), replace(THIN, **change), no_young) == [], why


def test_off_leaves_the_window_unjudged_as_before():
    off = AgentToneConfig(min_baseline_speech_s=0.0, young_baseline_min_db=0.0)
    assert _events(_speech(20.0, 8.0), THIN, off) == []


def test_a_fully_voiced_baseline_is_judged_on_every_signal_as_before():
    # The same raise against a baseline with 20 s voiced: the full score, pitch fired too, and
    # no level-only mark; a 10 dB rise with the pitch up is non-calm there as before.
    full = replace(THIN, voiced_s=20.0, own_voiced_s=20.0, own_speech_s=30.0, settled=True)
    ev = _events(_speech(20.0, 8.0), full)
    assert ev and "level_only_baseline" not in ev[-1].evidence
    assert "pitch" in ev[-1].evidence["fired"]
    assert _events(_speech(10.0, 8.0), full)


@pytest.mark.parametrize("block", [2, 7, 333])
def test_the_same_events_in_any_chunking(block):
    # Live 20 ms pushes (2 frames), odd blocks and the whole stretch at once agree.
    frames = _speech(20.0, 8.0)
    whole = _events(frames, THIN)
    det = AgentToneDetector(AgentToneConfig(), speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    got = []
    for a in range(0, N, block):
        part = frames.slice(a, min(N, a + block))
        got += det.push(CallFrames(a, {"agent": part}, time_of), {"agent": THIN}).events
    got += det.finish(N, time_of, {"agent": THIN})
    closed = [(e.start_s, e.end_s) for e in got if e.end_s is not None]
    assert closed and closed == [(e.start_s, e.end_s) for e in whole if e.end_s is not None]
