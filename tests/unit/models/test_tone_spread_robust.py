"""The speaker's pitch spread read robustly for agent_tone's vote thresholds
(``BaselineSnapshot.pitch_spread_robust_st``, ``AgentToneConfig.spread_scale_robust_share``;
issue 13, session 19). Hand-built frames with known pitch distributions; no recordings.

A narrowband pitch tracker's gross errors (a few frames an octave or two off) widen the
standard deviation of a speaker's pitch by semitones; half the 16th-84th percentile range
hardly moves, and for normally spread pitch both read the same.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import AgentToneConfig, BaselineConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import agent_tone_events, own_speech_snapshot, steady_speech

HOP_S = 0.01
SD_ST = 1.5


def _frames(pitch_st: np.ndarray) -> PartyFrames:
    n = pitch_st.size
    on = np.ones(n, bool)
    return PartyFrames(
        0,
        loudness_dbfs=np.full(n, -30.0, np.float32),
        pitch_st=pitch_st.astype(np.float64),
        voiced=on,
        speech=on,
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, -12.0, np.float32),
        hnr_db=np.full(n, 10.0, np.float32),
    )


def _normal_pitch(n: int, seed: int = 0) -> np.ndarray:
    """``n`` pitches (st) at the quantiles of N(10, SD_ST), in a random order: a normal spread
    known exactly, without sampling noise."""
    q = (np.arange(n) + 0.5) / n
    st = np.array([NormalDist(10.0, SD_ST).inv_cdf(float(p)) for p in q])
    return np.random.default_rng(seed).permutation(st)


def _baseline(robust: bool) -> SpeakerBaseline:
    # No fading memory and the prior's pitch weight 0: the figures are the frames' own.
    cfg = BaselineConfig(memory_voiced_s=0.0, prior_pitch_weight_s=0.0)
    return SpeakerBaseline(cfg, hop_s=HOP_S, pitch_spread_robust=robust)


def test_normally_spread_pitch_reads_the_same_spread_both_ways() -> None:
    b = _baseline(True)
    b.update(_frames(_normal_pitch(2000)), flagged=np.zeros(2000, bool))
    s = b.snapshot
    assert s.pitch_spread_st == pytest.approx(SD_ST, abs=0.05)
    assert s.pitch_spread_robust_st == pytest.approx(SD_ST, abs=0.1)


def test_a_few_gross_pitch_errors_widen_the_standard_deviation_not_the_robust_spread() -> None:
    # 20 s of the voice, then 4 % of as many frames again two octaves up (+26 st, as actor 09's
    # neutral clip reads on the +6 dB G.711 copy).
    b = _baseline(True)
    pitch = _normal_pitch(2000)
    pitch[::25] = 10.0 + 26.0
    b.update(_frames(pitch), flagged=np.zeros(pitch.size, bool))
    s = b.snapshot
    assert s.pitch_spread_st > 5.0  # the standard deviation: sqrt(1.5^2 + 0.04 * 26^2) ~ 5.4
    assert s.pitch_spread_robust_st is not None
    assert s.pitch_spread_robust_st < SD_ST + 0.3


def test_off_the_baseline_does_not_read_it() -> None:
    b = _baseline(False)
    b.update(_frames(_normal_pitch(500)), flagged=np.zeros(500, bool))
    assert b.snapshot.pitch_spread_robust_st is None


# A speaker whose spread reads 5.4 st by the standard deviation and 2.7 st robustly.
WIDE = own_speech_snapshot(-30.0, 10.0, pitch_spread_st=5.4, pitch_spread_robust_st=2.7)


@pytest.mark.parametrize(("share", "scale"), [(0.0, 2.0), (0.5, 1.5), (1.0, 1.0)])
def test_the_vote_scale_reads_the_share_of_the_robust_spread(share: float, scale: float) -> None:
    det = AgentToneDetector(
        AgentToneConfig(spread_scale_robust_share=share), speaker="agent", hop_s=HOP_S
    )
    assert det.spread_scale(WIDE) == pytest.approx(scale)
    # A snapshot without the robust reading (off, or hand-built) keeps the standard deviation.
    plain = own_speech_snapshot(-30.0, 10.0, pitch_spread_st=5.4)
    assert det.spread_scale(plain) == pytest.approx(2.0)
    # Never read up: a speaker whose pitch sits in two clusters reads wider robustly (4.4 st)
    # than by the standard deviation (3.24 st, scale 1.2); the scale stays the latter's.
    bimodal = own_speech_snapshot(-30.0, 10.0, pitch_spread_st=3.24, pitch_spread_robust_st=4.4)
    assert det.spread_scale(bimodal) == pytest.approx(1.2)


def test_a_sparse_louder_and_higher_window_is_voted_against_the_robust_spread() -> None:
    # 1.5 s of speech 7 dB over the baseline, one frame in 15 voiced (0.1 s per 1.5 s, a
    # sparse window) at +3.7 st: the sparse vote needs 2.5 st times the spread scale.
    frames = steady_speech(150, base_dbfs=-30.0, base_st=10.0, db_over=7.0, st_over=3.7,
                           voiced_every=15)  # fmt: skip
    # The standard deviation's scale (2.0): 5.0 st needed, and the score alone (+7 dB, 0.72)
    # is under min_score: calm.
    off = AgentToneConfig(spread_scale_robust_share=0.0)
    assert agent_tone_events(frames, WIDE, off) == []
    # On (the default since session 19): the robust spread's scale (1.0), 2.5 st needed.
    assert AgentToneConfig().spread_scale_robust_share == 1.0
    ev = agent_tone_events(frames, WIDE, AgentToneConfig(spread_scale_robust_share=1.0))
    assert ev and ev[0].evidence.get("sparse_vote") is True
    assert ev[0].evidence["pitch_threshold_scale"] == pytest.approx(1.0)
    assert ev[0].evidence["pitch_spread_robust_st"] == pytest.approx(2.7)
    assert ev[0].thresholds["pitch_st_over_baseline"] == pytest.approx(2.5)


def _swinging(n: int, swing_st: float) -> PartyFrames:
    """``n`` fully voiced frames 5 dB over a -30 dBFS baseline whose pitch alternates every
    0.25 s between ``swing_st`` over and under 10 st (mean 10 st, standard deviation
    ``swing_st``)."""
    f = steady_speech(n, base_dbfs=-30.0, base_st=10.0, db_over=5.0, st_over=0.0)
    up = (np.arange(n) // 25) % 2 == 0
    return PartyFrames(
        0,
        loudness_dbfs=f.loudness_dbfs,
        pitch_st=10.0 + np.where(up, swing_st, -swing_st),
        voiced=f.voiced,
        speech=f.speech,
        nucleus=f.nucleus,
        tilt_db=f.tilt_db,
        hnr_db=f.hnr_db,
        noise_dbfs=f.noise_dbfs,
    )


def test_the_pitch_variability_vote_keeps_the_standard_deviations_scale() -> None:
    # Pitch variability compares standard deviations (the window's less the baseline's), so
    # its threshold keeps the standard deviation's scale whatever the share: for WIDE (SD 5.4,
    # robust 2.7) 2.5 st x 2.0 = 5.0 st, while the pitch level's reads 2.5 x 1.0.
    on = AgentToneConfig(spread_scale_robust_share=1.0)
    det = AgentToneDetector(on, speaker="agent", hop_s=HOP_S)
    th = det.thresholds(["pitch", "pitch_variability"], 1.0, det.spread_scale(WIDE, robust=False))
    assert th["pitch_st_over_baseline"] == pytest.approx(2.5)
    assert th["pitch_spread_st_over_baseline"] == pytest.approx(5.0)
    # 4 s, +5 dB, the pitch swinging +-9 st (SD 9: 3.6 st over WIDE's 5.4): over the robust
    # scale's 2.5 st, under the standard deviation's 5.0. Loudness and variability would be
    # a vote at the first; at the second it is one signal, and the score (0.63) is calm.
    frames = _swinging(400, 9.0)
    assert agent_tone_events(frames, WIDE, on) == []
    assert agent_tone_events(frames, WIDE, AgentToneConfig(spread_scale_robust_share=0.0)) == []
    # The same window against a speaker whose standard deviation is 2.7 st (scale 1.0) is
    # voted: the test can tell the two scales apart.
    narrow = own_speech_snapshot(-30.0, 10.0, pitch_spread_st=2.7, pitch_spread_robust_st=2.7)
    ev = agent_tone_events(frames, narrow, on)
    assert ev and ev[0].evidence["voted"] is True
    assert "pitch_variability" in ev[0].evidence["fired"]
