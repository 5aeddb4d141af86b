"""Pace is voted only against a baseline that has heard enough of the speaker's syllables
(``AgentToneConfig.vote_pace_min_baseline_speech_s``): known answers on hand-built frames."""

from __future__ import annotations

import dataclasses

import numpy as np

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import agent_tone_events, own_speech_snapshot, steady_speech


def _quick_louder(n: int) -> PartyFrames:
    # 5 dB over the baseline at its own pitch (loudness fires, the score stays under
    # min_score), a syllable nucleus every 0.2 s: 5/s, 2.5x the baseline's 2/s (pace fires).
    f = steady_speech(n, base_dbfs=-30.0, base_st=5.0, db_over=5.0, st_over=0.0)
    return dataclasses.replace(f, nucleus=np.arange(n) % 20 == 10)


def test_pace_is_not_voted_against_a_few_seconds_of_speech():
    frames = _quick_louder(600)
    young = own_speech_snapshot(
        -30.0, 5.0, syllable_rate_per_s=2.0, own_speech_s=4.0, own_voiced_s=3.0, voiced_s=3.0
    )
    off = AgentToneConfig(vote_pace_min_baseline_speech_s=0.0)
    on = AgentToneConfig(vote_pace_min_baseline_speech_s=10.0)
    ev = agent_tone_events(frames, young, off)
    assert len({e.start_s for e in ev}) == 1 and ev[0].evidence["voted"]
    assert {"loudness", "pace"} <= set(ev[0].evidence["fired"])
    assert ev[0].evidence["score"] < ev[0].evidence["min_score"]  # the vote, not the score
    assert agent_tone_events(frames, young, on) == []
    # Past the threshold (or from a saved profile) pace is voted as before, and the event
    # lists the threshold that let it count.
    heard = dataclasses.replace(young, own_speech_s=12.0)
    ev = agent_tone_events(frames, heard, on)
    assert len({e.start_s for e in ev}) == 1 and ev[0].evidence["voted"]
    assert ev[0].thresholds["vote_pace_min_baseline_speech_s"] == 10.0
    saved = dataclasses.replace(young, own_speech_s=None, from_profile=True)
    assert len({e.start_s for e in agent_tone_events(frames, saved, on)}) == 1


def test_pace_vote_is_on_by_default():
    assert AgentToneConfig().vote_pace_min_baseline_speech_s > 0
