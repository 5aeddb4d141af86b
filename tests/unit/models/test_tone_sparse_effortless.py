"""A louder window with sparse voicing whose voiced frames are not higher is not effort
(``AgentToneConfig.effortless_rise_sparse_min_voiced_s``).

Hand-built frames against a fixed baseline (-30 dBFS, 10 st); no recordings. Speech with one
voiced frame in 15 holds 0.2 s voiced in a 3 s window: under ``min_voiced_s`` (0.3 s), over
``sparse_min_voiced_s`` (0.05 s), so the window is judged on its level alone, scoring
``sigmoid(-1.8181 + 0.3953 L)`` at ``L`` dB over the baseline: 0.851 at +9 dB, over
``min_score`` 0.7705. Known answers: at +9 dB with its voiced frames 3 st *under* the
baseline's pitch it is an event with the rule off and not with it on (a rise in level without
a rise in pitch); at +9 dB and 4 st over (a raised voice) it is an event either way.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import (
    agent_tone_events,
    line_frames,
    own_speech_snapshot,
    steady_speech,
)

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
ON = AgentToneConfig(effortless_rise_sparse_min_voiced_s=0.05)


def _talk(db_over: float, st_over: float) -> PartyFrames:
    calm = steady_speech(1000, base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=0.0, st_over=2.0)
    # 3.5 s of silence: no window holds both the calm speech and the sparse stretch.
    gap = line_frames(np.full(350, -80.0), OWN_DBFS - 3.0, speech=False)
    sparse = steady_speech(
        400,
        base_dbfs=OWN_DBFS,
        base_st=OWN_ST,
        db_over=db_over,
        st_over=st_over,
        voiced_every=15,
    )
    return PartyFrames.concat([calm, gap, sparse, gap])


def _events(talk: PartyFrames, config: AgentToneConfig) -> list:
    return agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), config, hop_s=HOP_S)


def test_the_known_level_only_score() -> None:
    assert 1.0 / (1.0 + math.exp(1.8181 - 0.3953 * 9.0)) == pytest.approx(0.851, abs=0.001)


def test_a_sparse_louder_window_with_a_falling_pitch_is_not_effort() -> None:
    talk = _talk(9.0, -3.0)
    off = _events(talk, AgentToneConfig())
    assert off and {e.kind for e in off} == {"agent_tone"}
    assert _events(talk, ON) == []


def test_a_sparse_louder_and_higher_window_is_still_an_event() -> None:
    talk = _talk(9.0, 4.0)
    assert _events(talk, AgentToneConfig())
    assert _events(talk, ON)


def test_off_by_default() -> None:
    assert AgentToneConfig().effortless_rise_sparse_min_voiced_s == 0.0
