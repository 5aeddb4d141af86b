"""agent_tone: the turn vote (``AgentToneConfig.turn_vote_min_db`` / ``turn_vote_min_st``).

Known answers by construction: against a fixed baseline (speech level -30 dBFS, pitch 10 st,
HNR 10 dB, spread 2 st, 30 s of the speaker's own speech), 2 s of speech 5 dB over it whose
voiced frames (every 4th: 0.5 s voiced, under ``vote_min_voiced_s`` 1.5 s) stand 3 st over
its pitch. A window reads +5 dB and a pitch spread of 0 (2 st under the baseline's), so it
scores ``sigmoid(-1.8181 + 0.3953 * 5 - 0.0997 * 2)`` = 0.490, under ``min_score``, and the
full vote needs 1.5 s voiced: no event by default. The turn as a whole reads +5 dB and +3 st:
with the turn vote at 4 dB / 2.5 st it is non-calm.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import OWN_BAR_OFF, agent_tone_events, own_speech_snapshot, steady_speech

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
SCORE = 1.0 / (1.0 + math.exp(-(-1.8181 + 0.3953 * 5.0 - 0.0997 * 2.0)))


def _cfg(**kw: float) -> AgentToneConfig:
    return AgentToneConfig(**(OWN_BAR_OFF | kw))  # type: ignore[arg-type]


def _turn(db_over: float = 5.0, st_over: float = 3.0, n: int = 200) -> PartyFrames:
    return steady_speech(
        n, base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=db_over, st_over=st_over, voiced_every=4
    )


def _base(**kw: object) -> object:
    return own_speech_snapshot(OWN_DBFS, OWN_ST, **kw)


def test_off_by_default_and_the_window_alone_stays_calm() -> None:
    assert AgentToneConfig().turn_vote_min_db == 0.0
    assert round(SCORE, 3) == 0.490
    assert agent_tone_events(_turn(), _base(), AgentToneConfig(), hop_s=HOP_S) == []  # type: ignore[arg-type]
    assert agent_tone_events(_turn(), _base(), _cfg(), hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_a_turn_louder_and_higher_as_a_whole_votes() -> None:
    evs = agent_tone_events(_turn(), _base(), _cfg(turn_vote_min_db=4.0), hop_s=HOP_S)  # type: ignore[arg-type]
    assert evs
    tv = evs[-1].evidence["turn_vote"]
    assert tv["loudness_db_over_turn_baseline"] == pytest.approx(5.0, abs=0.01)
    assert tv["pitch_st_over_turn_baseline"] == pytest.approx(3.0, abs=0.01)
    # Read once 1 s of speech and 0.3 s voiced are heard: frame 120 (every 4th voiced).
    assert tv["speech_s"] == pytest.approx(1.21, abs=0.005)
    assert tv["voiced_s"] == pytest.approx(0.31, abs=0.005)
    assert evs[-1].thresholds["turn_vote_min_db"] == 4.0
    assert evs[-1].thresholds["turn_vote_min_st"] == 2.5
    # The event starts with the turn's first voiced frame.
    assert evs[-1].start_s == pytest.approx(0.032, abs=0.02)


@pytest.mark.parametrize(("db_over", "st_over"), [(3.5, 3.0), (5.0, 2.0), (5.0, -3.0)])
def test_not_louder_or_not_higher_is_no_vote(db_over: float, st_over: float) -> None:
    cfg = _cfg(turn_vote_min_db=4.0)
    assert agent_tone_events(_turn(db_over, st_over), _base(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_too_short_a_turn_is_not_read() -> None:
    cfg = _cfg(turn_vote_min_db=4.0)
    assert agent_tone_events(_turn(n=90), _base(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]
    shorter = _cfg(turn_vote_min_db=4.0, turn_vote_min_speech_s=0.8, turn_vote_min_voiced_s=0.2)
    assert agent_tone_events(_turn(n=90), _base(), shorter, hop_s=HOP_S)  # type: ignore[arg-type]


@pytest.mark.parametrize("fields", [{"voiced_s": 0.5}, {"own_speech_s": 1.0}])
def test_not_against_a_baseline_that_does_not_rest_on_the_speaker(fields: dict) -> None:
    cfg = _cfg(turn_vote_min_db=4.0)
    assert agent_tone_events(_turn(), _base(**fields), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def _push_blocks(frames: PartyFrames, bases: list[object], cfg: AgentToneConfig, size: int) -> list:
    det = AgentToneDetector(cfg, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    out: list = []
    for k, b in enumerate(bases):
        blk = frames.slice(k * size, (k + 1) * size)
        out += det.push(CallFrames(k * size, {"agent": blk}, time_of), {"agent": b}).events  # type: ignore[dict-item]
    return out + det.finish(len(frames), time_of, {"agent": bases[-1]})  # type: ignore[dict-item]


def test_the_turn_is_read_against_the_baseline_it_began_with() -> None:
    # From the second tick on the baseline has learnt the turn (its level 3 dB up, pitch
    # 2 st up: against that the turn reads +2 dB, +1 st); the turn vote keeps the first.
    cfg = _cfg(turn_vote_min_db=4.0)
    learnt = own_speech_snapshot(OWN_DBFS + 3.0, OWN_ST + 2.0)
    bases = [_base(), learnt, learnt, learnt]
    evs = _push_blocks(_turn(), bases, cfg, 50)
    assert evs and evs[-1].evidence["turn_vote"]["loudness_db_over_turn_baseline"] == pytest.approx(
        5.0, abs=0.01
    )
    # A turn that begins against the learnt baseline reads it (no vote).
    assert _push_blocks(_turn(), [learnt] * 4, cfg, 50) == []


def test_a_pause_ends_the_turn() -> None:
    # 0.6 s at +5 dB / +3 st, a 1 s pause, 0.6 s more: two turns of 0.6 s each, none read
    # at 1 s of speech; joined across a pause under own_score_turn_gap_s they are one turn.
    t = _turn()
    on = np.r_[np.ones(60, bool), np.zeros(100, bool), np.ones(60, bool)]
    n = on.size
    frames = dataclasses.replace(
        _turn(n=n),
        speech=on,
        voiced=on & (np.arange(n) % 4 == 0),
        pitch_st=np.where(on & (np.arange(n) % 4 == 0), OWN_ST + 3.0, np.nan),
    )
    del t
    cfg = _cfg(turn_vote_min_db=4.0, turn_vote_min_voiced_s=0.2)
    assert agent_tone_events(frames, _base(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]
    cfg = _cfg(turn_vote_min_db=4.0, turn_vote_min_voiced_s=0.2, own_score_turn_gap_s=1.2)
    assert agent_tone_events(frames, _base(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]


def test_the_snr_gate() -> None:
    # steady_speech's line noise is 3 dB under the baseline: the voice's SNR is 3 dB.
    cfg = _cfg(turn_vote_min_db=4.0, turn_vote_max_voice_snr_db=10.0)
    assert agent_tone_events(_turn(), _base(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]
    cfg = _cfg(turn_vote_min_db=4.0, turn_vote_max_voice_snr_db=2.0)
    assert agent_tone_events(_turn(), _base(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [7, 50, 200])
def test_the_reading_does_not_depend_on_how_the_stream_was_cut(size: int) -> None:
    cfg = _cfg(turn_vote_min_db=4.0)
    frames = _turn()
    evs = _push_blocks(frames, [_base()] * (200 // size + 1), cfg, size)
    assert evs
    tv = evs[-1].evidence["turn_vote"]
    assert tv["speech_s"] == pytest.approx(1.21, abs=0.005)
    assert tv["loudness_db_over_turn_baseline"] == pytest.approx(5.0, abs=0.01)
