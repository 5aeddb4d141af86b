"""agent_tone's voice-quality signal where the line's noise is near the calm voice
(``AgentToneConfig.harshness_min_voice_snr_db``) and from the telephone band
(``harshness_band_hnr_share``)."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from calltone.models.tone.stream import _with_band_hnr

HOP_S = 0.01
N = 400  # 4 s of voiced speech
BASELINE = BaselineSnapshot(
    loudness_dbfs=-30.0,
    pitch_st=12.0,
    pitch_spread_st=2.0,
    syllable_rate_per_s=4.0,
    tilt_db=-11.0,
    voiced_s=20.0,
    settled=True,
    hnr_db=10.0,
    speech_leq_dbfs=-30.0,
)


def _harshness(config: AgentToneConfig, noise_dbfs: float) -> list[float]:
    """The harshness values of every evaluation over 4 s of speech at the baseline's level and
    pitch, HNR 6 dB (4 dB under the baseline's), on a line whose noise is ``noise_dbfs``."""
    f = PartyFrames(
        0,
        loudness_dbfs=np.full(N, -30.0, np.float32),
        pitch_st=np.full(N, 12.0),
        voiced=np.ones(N, bool),
        speech=np.ones(N, bool),
        nucleus=np.arange(N) % 25 == 0,
        tilt_db=np.full(N, -11.0, np.float32),
        hnr_db=np.full(N, 6.0, np.float32),
        noise_dbfs=np.full(N, noise_dbfs, np.float32),
    )
    det = AgentToneDetector(config, speaker="agent", hop_s=HOP_S)
    det.trace = []
    det.push(CallFrames(0, {"agent": f}, TimeFn(HOP_S, 0.032)), {"agent": BASELINE})
    k = AgentToneDetector.VALUES.index("harshness_db_over_baseline")
    return [t[2][k] for t in det.trace if t[1]]


@pytest.mark.parametrize("noise_dbfs", [-120.0, -60.0, -52.0])
def test_harshness_counts_on_a_line_whose_noise_is_far_under_the_voice(noise_dbfs):
    # No noise known, 30 dB and 22 dB under the calm voice: the 4 dB HNR drop is read.
    gated = AgentToneConfig(harshness_min_voice_snr_db=20.0)
    got = _harshness(gated, noise_dbfs)
    assert got and all(v == pytest.approx(4.0) for v in got)


@pytest.mark.parametrize("noise_dbfs", [-48.0, -35.0])
def test_harshness_is_not_read_where_the_noise_is_near_the_calm_voice(noise_dbfs):
    # 18 dB and 5 dB under the calm voice: the HNR reads the line's noise, so it is left out
    # (0); with the gate off (the default) it is read as measured.
    gated = AgentToneConfig(harshness_min_voice_snr_db=20.0)
    assert all(v == 0.0 for v in _harshness(gated, noise_dbfs))
    assert all(v == pytest.approx(4.0) for v in _harshness(AgentToneConfig(), noise_dbfs))


def test_band_hnr_share_mixes_the_two_hnrs():
    levels: dict[str, np.ndarray] = {
        "voice_hnr_db": np.array([10.0, 4.0], np.float32),
        "noise_dbfs": np.zeros(2),
    }
    band = np.array([6.0, 8.0], np.float32)
    assert _with_band_hnr(levels, band, 0.0) is levels
    np.testing.assert_allclose(_with_band_hnr(levels, band, 1.0)["voice_hnr_db"], band)
    np.testing.assert_allclose(_with_band_hnr(levels, band, 0.5)["voice_hnr_db"], [8.0, 6.0])
