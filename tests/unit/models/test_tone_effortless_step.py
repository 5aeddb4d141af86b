"""agent_tone's effortless rise from one effort step (``AgentToneConfig.effortless_rise_min_db``
6 dB, ``effortless_rise_max_st`` 1 st): a window one effort step louder than the baseline whose
voiced frames are no higher in pitch is not scored on its loudness. Hand-built frames with
known levels and pitches; no recordings."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, TimeFn
from tests.support.frames import line_frames, settled_snapshot

HOP_S = 0.01
N = 400
BASE_DBFS = -30.0
BASE_ST = 10.0
BASE = settled_snapshot(
    BASE_DBFS,
    BASE_ST,
    hnr_db=10.0,
    speech_leq_dbfs=BASE_DBFS,
    own_voiced_s=20.0,
    own_speech_s=30.0,
)


def _scored_loudness(db_over: float, st_over: float, config: AgentToneConfig) -> float:
    """The loudness the score reads on the last full window of 4 s of voiced speech
    ``db_over`` the baseline's level and ``st_over`` its pitch (HNR and tilt at the
    baseline's: only loudness and pitch differ)."""
    frames = line_frames(
        np.full(N, BASE_DBFS + db_over), -80.0, tilt_db=-12.0, pitch_st=BASE_ST + st_over
    )
    det = AgentToneDetector(config, speaker="agent", hop_s=HOP_S)
    det.trace = []
    det.push(CallFrames(0, {"agent": frames}, TimeFn(HOP_S, 0.032)), {"agent": BASE})
    return det.trace[-1][2][0]


ONE_STEP = AgentToneConfig()  # the default: from one effort step, 6 dB


@pytest.mark.parametrize("st_over", [-2.0, 0.0, 1.0])
def test_one_effort_step_louder_at_the_same_pitch_is_not_scored(st_over: float) -> None:
    # +7 dB (over one effort step) with the pitch at most 1 st up: loudness enters as 0.
    assert _scored_loudness(7.0, st_over, ONE_STEP) == 0.0
    # The rule from two steps (12 dB) scores it.
    two = AgentToneConfig(effortless_rise_min_db=12.0)
    assert _scored_loudness(7.0, st_over, two) == pytest.approx(7.0, abs=0.01)


def test_one_effort_step_louder_with_the_pitch_rise_effort_brings_is_scored() -> None:
    assert _scored_loudness(7.0, 3.0, ONE_STEP) == pytest.approx(7.0, abs=0.01)


def test_under_one_effort_step_the_loudness_is_scored_whatever_the_pitch() -> None:
    assert _scored_loudness(5.0, -2.0, ONE_STEP) == pytest.approx(5.0, abs=0.01)
