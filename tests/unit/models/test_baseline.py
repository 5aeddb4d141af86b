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


def sparse_frames(levels: np.ndarray, voiced: np.ndarray) -> PartyFrames:
    """Speech frames at ``levels`` of which only ``voiced`` have a pitch."""
    n = levels.size
    return PartyFrames(
        0,
        loudness_dbfs=levels.astype(np.float32),
        pitch_st=np.where(voiced, 5.0, np.nan),
        voiced=voiced,
        speech=np.ones(n, bool),
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, -15.0),
        hnr_db=np.full(n, 20.0),
    )


def test_the_speech_level_does_not_depend_on_which_frames_the_pitch_tracker_voiced():
    # Syllables whose frames run -40, -46, -52 dBFS. On a clean line all are voiced; on a
    # quiet coded line the pitch tracker keeps only the loudest (-40) voiced. The voiced
    # energy mean moves with that choice (+2.4 dB); the energy mean of speech frames, which
    # the speech gate finds alike on both lines, does not. (No fading memory: exact figures.)
    levels = np.tile([-40.0, -46.0, -52.0], 300)

    def baseline(voiced: np.ndarray) -> SpeakerBaseline:
        b = SpeakerBaseline(BaselineConfig(memory_voiced_s=0.0), hop_s=HOP_S)
        b.update(sparse_frames(levels, voiced), flagged=np.zeros(levels.size, bool))
        return b

    clean = baseline(np.ones(levels.size, bool)).snapshot
    coded = baseline(levels == -40.0).snapshot
    expected = leq_dbfs(np.array([-40.0, -46.0, -52.0]))
    assert clean.speech_level_dbfs == pytest.approx(expected, abs=0.05)
    assert coded.speech_level_dbfs == pytest.approx(expected, abs=0.05)
    assert coded.leq_dbfs - clean.leq_dbfs == pytest.approx(-40.0 - expected, abs=0.05)
    assert coded.leq_dbfs - clean.leq_dbfs > 2.0


def test_the_speech_level_leaves_the_prior_on_speech_time():
    # A -50 dBFS speaker on a line where one speech frame in five is voiced. The -30 dBFS prior
    # (worth 1 s) leaves the speech level after 2 s of the speaker's own speech, voiced or
    # not; the voiced median keeps it until 2 s of voiced speech (a call's settling line noise,
    # taken for speech, must not become the level yelling is judged against).
    levels = np.full(150, -50.0)
    voiced = np.zeros(150, bool)
    voiced[::5] = True
    b = SpeakerBaseline(BaselineConfig(), hop_s=HOP_S)
    b.update(sparse_frames(levels, voiced), flagged=np.zeros(150, bool))
    # 1.5 s of speech: the prior still weighs 1 s against it.
    assert b.snapshot.speech_level_dbfs == pytest.approx((-50.0 * 1.5 - 30.0) / 2.5, abs=0.1)
    b.update(sparse_frames(levels, voiced), flagged=np.zeros(150, bool))
    assert b.snapshot.own_s == pytest.approx(0.6)
    assert b.snapshot.loudness_dbfs > -45.0
    assert b.snapshot.speech_level_dbfs == pytest.approx(-50.0, abs=0.05)
    # With 1 s voiced in 5 s of speech (a line voicing a fifth of the frames) the voiced
    # statistics are the speaker's own too.
    b.update(sparse_frames(levels, voiced), flagged=np.zeros(150, bool))
    assert b.snapshot.loudness_dbfs > -45.0  # 0.9 s voiced: not yet
    b.update(sparse_frames(levels, voiced), flagged=np.zeros(150, bool))
    assert b.snapshot.own_s == pytest.approx(1.2)
    assert b.snapshot.loudness_dbfs == pytest.approx(-50.0, abs=0.05)
