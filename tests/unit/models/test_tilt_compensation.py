"""The voice's own spectral tilt under line noise (models/tone/noise.py ``voice_tilt``).

Known answers on synthetic signals through the real front end: a harmonic voice whose tilt is
set by its harmonics' slope (the clean copy's measured tilt is the answer), in four 2 s turns
after 10 s of the line's noise alone, under steady white or pink noise 0-10 dB under the voice
(band levels). Additive noise mixes the noise's tilt into every frame's; the compensated tilt is
the clean copy's again. Nothing here is fitted: the tolerance (1 dB) is the brief's, the bounds
are the config's.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.audio.features import extract_features
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig, NoiseCompensationConfig, YellingConfig
from calltone.models.tone.detectors import YellingDetector
from calltone.models.tone.frames import CallFrames, PartyFrames
from calltone.models.tone.noise import NO_NOISE_DBFS, LineNoise, voice_tilt
from tests.support.synth import pink_noise, silence

SR = 16_000
HOP_S = 0.01
#: The compensation as measured (off by default: see NoiseCompensationConfig).
TILT_ON = NoiseCompensationConfig(tilt_max_noise_share=0.5)
VOICE_DBFS = -30.0
#: Harmonic amplitude slopes (amplitude ~ k^-slope): 1.0 reads a shout-like -9 dB in the
#: 300-3400 Hz band, 0.3 a bright -3 dB, 1.5 a dull calm-like -12 dB.
SHOUT, BRIGHT, DULL = 1.0, 0.3, 1.5


def harmonic_voice(f0_hz: float, dur_s: float, slope: float, seed: int) -> np.ndarray:
    """Harmonics of ``f0_hz`` up to 3.8 kHz at amplitudes ``k^-slope``, a syllable envelope,
    RMS ``VOICE_DBFS``."""
    t = np.arange(int(dur_s * SR)) / SR
    rng = np.random.default_rng(seed)
    x = sum(
        np.sin(2 * np.pi * f0_hz * k * t + rng.uniform(0, 6.28)) * k**-slope
        for k in range(1, int(3800 // f0_hz) + 1)
    )
    x = x * (0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * t) ** 2)
    return np.asarray(x * 10 ** (VOICE_DBFS / 20) / np.sqrt(np.mean(x**2)))


@cache
def call(slope: float) -> tuple[np.ndarray, np.ndarray]:
    """10 s of a -70 dBFS floor, then four 2 s turns with 1.5 s pauses; the signal and the
    sample mask of the turns."""
    parts, mask = [silence(10.0).astype(np.float64)], [np.zeros(10 * SR, bool)]
    for k in range(4):
        v = harmonic_voice(140.0 + 8 * k, 2.0, slope, seed=k)
        parts += [v, silence(1.5, seed=k + 3).astype(np.float64)]
        mask += [np.ones(v.size, bool), np.zeros(int(1.5 * SR), bool)]
    return np.concatenate(parts), np.concatenate(mask)


def band_dbfs(x: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Energy-mean band level (as the front end reads it) of the frames in ``mask``."""
    ch = extract_features(x[None, :].astype(np.float32)).channels[0]
    sel = np.ones(len(ch), bool) if mask is None else frame_mask(mask, len(ch)) & ch.speech
    return float(10 * np.log10(np.mean(10 ** (ch.loudness_dbfs[sel] / 10))))


def frame_mask(samples: np.ndarray, n_frames: int) -> np.ndarray:
    centres = np.arange(n_frames) * round(HOP_S * SR) + 512
    return samples[np.minimum(centres, samples.size - 1)]


@cache
def tilts(slope: float, noise: str | None, snr_db: float = 0.0) -> tuple[float, float]:
    """Mean measured and compensated tilt (dB) of the turns' voiced speech frames, the voice
    ``snr_db`` over ``noise`` ("white", "pink" or None: the clean copy)."""
    x, mask = call(slope)
    if noise is not None:
        n = (
            np.random.default_rng(7).standard_normal(x.size)
            if noise == "white"
            else pink_noise(x.size, 7)
        )
        gain_db = band_dbfs(x, mask) - snr_db - band_dbfs(n)
        x = x + n * 10 ** (gain_db / 20)
    ch = extract_features(x[None, :].astype(np.float32)).channels[0]
    sel = frame_mask(mask, len(ch)) & ch.voiced & ch.speech
    assert sel.sum() > 50
    out = LineNoise(TILT_ON, hop_s=HOP_S).compensate(
        0, ch.loudness_dbfs, ch.speech, ch.hnr_db, ch.tilt_db
    )
    return float(np.mean(ch.tilt_db[sel])), float(np.mean(out["voice_tilt_db"][sel]))


def test_on_a_clean_line_the_tilt_is_left_as_measured() -> None:
    for slope in (SHOUT, BRIGHT, DULL):
        measured, own = tilts(slope, None)
        assert own == pytest.approx(measured, abs=0.02)
    assert tilts(SHOUT, None)[0] == pytest.approx(-9.0, abs=1.0)
    assert tilts(DULL, None)[0] < -11.0
    assert tilts(BRIGHT, None)[0] > -4.0


@pytest.mark.parametrize(
    ("slope", "noise", "snr_db"),
    [
        (SHOUT, "white", 0.0),
        (SHOUT, "white", 5.0),
        (SHOUT, "white", 10.0),
        (DULL, "white", 10.0),
        (DULL, "pink", 0.0),
        (DULL, "pink", 5.0),
    ],
)
def test_under_noise_the_compensated_tilt_is_the_clean_ones(
    slope: float, noise: str, snr_db: float
) -> None:
    clean = tilts(slope, None)[0]
    measured, own = tilts(slope, noise, snr_db)
    # The noise pulls the measured tilt towards its own (white: -1.5 dB, this pink: -8 dB)...
    assert abs(measured - clean) > 1.0
    # ...the voice's own is the clean copy's.
    assert own == pytest.approx(clean, abs=1.0)


def test_a_dull_voice_under_a_bright_noise_is_corrected_only_part_of_the_way() -> None:
    # The limit, stated: a calm-like voice (-13.5 dB) 5 dB over white noise (-1.5 dB) holds a
    # twentieth of the frame's difference power; the frames nearest the noise are corrected
    # only as far as the share bound, so the mean comes most of the way back, not all of it.
    clean = tilts(DULL, None)[0]
    measured, own = tilts(DULL, "white", 5.0)
    assert measured - clean > 5.0
    assert 0.0 < own - clean < 0.3 * (measured - clean)


def test_the_correction_is_the_power_mix_taken_apart_and_bounded() -> None:
    c = TILT_ON
    # Voice -10 dB tilt at -40 dBFS, noise -2 dB tilt at -45 dBFS (share 0.316): the mix.
    pv, tv, pn, tn = 10**-4, 10**-1, 10**-4.5, 10**-0.2
    p = pv + pn
    tilt = 10 * np.log10((pv * tv + pn * tn) / p)
    own = voice_tilt(
        np.array([10 * np.log10(p)]),
        np.array([tilt]),
        -45.0,
        -45.0 - 2.0,
        c,
    )
    assert own[0] == pytest.approx(-10.0, abs=1e-3)
    # No noise known: nothing changes.
    same = voice_tilt(np.array([-40.0]), np.array([-7.0]), NO_NOISE_DBFS, NO_NOISE_DBFS, c)
    assert same[0] == pytest.approx(-7.0, abs=1e-4)
    # A frame at the noise's level: only the bounded share comes out, at most the bound.
    at = voice_tilt(np.array([-45.0]), np.array([-3.0]), -45.0, -45.0 - 2.0, c)
    assert abs(at[0] - -3.0) <= c.tilt_max_correction_db + 1e-4
    off = NoiseCompensationConfig()  # the default: the tilt as measured
    assert off.tilt_max_noise_share == 0.0
    assert voice_tilt(np.array([-40.0]), np.array([-7.0]), -45.0, -47.0, off)[0] == -7.0


def test_the_noise_tilt_does_not_depend_on_chunking() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    speech = (np.arange(n) // 150) % 2 == 1
    level = np.where(speech, -30.0, -55.0) + rng.normal(0, 1.0, n)
    tilt = np.where(speech, -9.0, -3.0) + rng.normal(0, 0.5, n)
    hnr = np.where(speech, 20.0, -5.0)
    whole = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S).push_levels(
        0, level, speech, hnr, tilt
    )
    assert np.median(whole.diff_dbfs[-500:] - whole.level_dbfs[-500:]) == pytest.approx(
        -3.0, abs=0.5
    )
    for chunk in (1, 7, 333):
        t = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S)
        parts = [
            t.push_levels(
                a,
                level[a : a + chunk],
                speech[a : a + chunk],
                hnr[a : a + chunk],
                tilt[a : a + chunk],
            )
            for a in range(0, n, chunk)
        ]
        np.testing.assert_array_equal(np.concatenate([p.diff_dbfs for p in parts]), whole.diff_dbfs)


def _cold_start_events(tilt_db: float, voice_tilt_db: float) -> list:
    """A speaker with 0.5 s of own speech (cold start) shouting 12 dB over the baseline and
    4 st over its pitch, for 1.5 s, with the given measured and own tilts."""
    base = BaselineSnapshot(
        loudness_dbfs=-40.0,
        pitch_st=0.0,
        pitch_spread_st=2.0,
        syllable_rate_per_s=4.0,
        tilt_db=-12.0,
        voiced_s=1.5,
        settled=False,
        own_voiced_s=0.5,
    )
    n_speech, n = 150, 250
    speech = np.arange(n) < n_speech
    frames = PartyFrames(
        0,
        loudness_dbfs=np.where(speech, -28.0, -90.0).astype(np.float32),
        pitch_st=np.where(speech, 4.0, np.nan),
        voiced=speech,
        speech=speech,
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, tilt_db),
        hnr_db=np.full(n, 15.0),
        voice_tilt_db=np.full(n, voice_tilt_db),
    )
    det = YellingDetector(YellingConfig(), speaker="customer", hop_s=HOP_S)
    events = []
    for a in range(0, n, 10):
        block = CallFrames(a, {"customer": frames.slice(a, a + 10)}, lambda i: i * HOP_S)
        events += det.push(block, {"customer": base}).events
    return [e for e in events if not e.is_open]


def test_the_yelling_cold_start_reads_the_voice_own_tilt() -> None:
    c = YellingConfig()
    bright, dull = c.cold_start_min_tilt_db + 1.5, c.cold_start_min_tilt_db - 2.5
    # A shout whose measured tilt the line's noise dulled passes on its own tilt...
    assert len(_cold_start_events(tilt_db=dull, voice_tilt_db=bright)) == 1
    # ...and a dull voice made to read bright by a bright noise does not.
    assert _cold_start_events(tilt_db=bright, voice_tilt_db=dull) == []


def _baseline_tilt(x: np.ndarray, share: float) -> float:
    cfg = AnalysisConfig.from_dict(
        {"noise": {"agent_tone_voice_tilt_share": share, "tilt_max_noise_share": 0.5}}
    )
    audio = DecodedAudio(x[None, :].astype(np.float32), SR, SR, "synthetic")
    res = run_session(audio, ChannelRoles(0, None), cfg)
    return float(res.analysis.baselines["agent"].tilt_db)


def test_the_baseline_reads_the_voice_own_tilt_only_when_asked() -> None:
    x, mask = call(DULL)
    n = np.random.default_rng(7).standard_normal(x.size)
    noisy = x + n * 10 ** ((band_dbfs(x, mask) - 10.0 - band_dbfs(n)) / 20)
    clean = _baseline_tilt(x, 0.0)
    assert _baseline_tilt(x, 1.0) == pytest.approx(clean, abs=0.05)
    # A calm voice 10 dB over white noise: its measured tilt reads ~4 dB brighter; the
    # baseline keeps it unless asked, and then reads the voice's own.
    assert _baseline_tilt(noisy, 0.0) - clean > 2.0
    assert _baseline_tilt(noisy, 1.0) == pytest.approx(clean, abs=1.0)
