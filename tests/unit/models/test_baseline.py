"""The speaker baseline on frames whose answers are known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline, leq_dbfs
from calltone.models.tone.config import BaselineConfig
from calltone.models.tone.frames import PartyFrames

HOP_S = 0.01


def feed(b: SpeakerBaseline, loudness_dbfs: np.ndarray) -> None:
    n = loudness_dbfs.size
    on = np.ones(n, bool)
    frames = PartyFrames(
        0,
        loudness_dbfs=loudness_dbfs.astype(np.float32),
        pitch_st=np.full(n, 5.0),
        voiced=on,
        speech=on,
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, -15.0),
        hnr_db=np.full(n, 20.0),
    )
    b.update(frames, flagged=np.zeros(n, bool))


def test_the_prior_gives_way_to_the_speakers_own_level():
    # A quiet recording (-50 dBFS). With 1 s of speech the -30 dBFS prior (worth 1 s) still
    # counts half; from 2 s on the baseline is the speaker's own level, not pulled 4 dB up.
    b = SpeakerBaseline(BaselineConfig(), hop_s=HOP_S)
    feed(b, np.full(100, -50.0))
    assert b.snapshot.loudness_dbfs == pytest.approx(-40.0, abs=0.01)
    feed(b, np.full(300, -50.0))
    assert b.snapshot.voiced_s == pytest.approx(4.0)
    assert b.snapshot.loudness_dbfs == pytest.approx(-50.0, abs=0.01)
    assert b.snapshot.leq_dbfs == pytest.approx(-50.0, abs=0.01)


def test_energy_mean_level():
    # Two frames at -20 and -30 dBFS: mean power (0.01 + 0.001) / 2.
    assert leq_dbfs(np.array([-20.0, -30.0])) == pytest.approx(10 * math.log10(0.0055))
    # Far below the float range of 10 ** (dB / 10) it stays exact (no underflow to -inf).
    assert leq_dbfs(np.array([-400.0, -410.0])) == pytest.approx(-400 + 10 * math.log10(0.55))


def test_the_tone_baseline_keeps_a_calm_speakers_louder_syllables():
    # Syllables at -40 and -35.5 dBFS: frames more than 5 dB over the median baseline are left
    # out of it, but the energy-mean baseline (5 dB over itself) keeps them, as the tone
    # window's energy mean will hold them too. (No fading memory here, so every frame counts
    # the same and the expected figures are exact.)
    b = SpeakerBaseline(BaselineConfig(memory_voiced_s=0.0), hop_s=HOP_S)
    feed(b, np.full(300, -40.0))
    feed(b, np.tile([-40.0, -40.0, -35.5], 200))
    assert b.snapshot.loudness_dbfs == pytest.approx(-40.0, abs=0.01)
    mixed = leq_dbfs(np.array([-40.0] * 700 + [-35.5] * 200))
    assert b.snapshot.leq_dbfs == pytest.approx(mixed, abs=0.01)
