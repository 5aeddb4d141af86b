"""The telephone-band HNR (``ChannelFrames.band_hnr_db``) on signals with known answers."""

from __future__ import annotations

import numpy as np
import scipy.signal

from calltone.audio import features
from calltone.audio.features import FeatureOptions, FeatureStream, concat_blocks, extract_features

SR = 16_000
ON = FeatureOptions(band_hnr=True)
F0_HZ = 137.0
HARMONICS = range(1, 23)  # up to ~3 kHz: inside the telephone band's top edge


def _voice(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * F0_HZ * k * t + 0.3 * k * k) / k for k in HARMONICS)
    return 0.1 * x / np.sqrt(np.mean(x**2))


def _band_gain(freqs_hz: np.ndarray) -> np.ndarray:
    """Power response of the front end's band filter at ``freqs_hz``."""
    o = FeatureOptions()
    sos = scipy.signal.butter(
        2, [o.band_low_hz, o.band_high_hz], btype="bandpass", fs=SR, output="sos"
    )
    _, h = scipy.signal.sosfreqz(sos, worN=freqs_hz, fs=SR)
    return np.abs(h) ** 2


def _expected_band_hnr_db(noise_rms: float) -> float:
    """Harmonic over noise power after the band filter (white noise, the harmonics' amplitudes
    as built by :func:`_voice`)."""
    t = np.arange(SR) / SR
    raw = sum(np.sin(2 * np.pi * F0_HZ * k * t + 0.3 * k * k) / k for k in HARMONICS)
    scale = 0.1 / np.sqrt(np.mean(raw**2))
    ks = np.array(list(HARMONICS), float)
    harmonic = float(np.sum((scale / ks) ** 2 / 2 * _band_gain(ks * F0_HZ)))
    grid = np.linspace(1.0, SR / 2 - 1.0, 4000)
    noise = noise_rms**2 * float(np.mean(_band_gain(grid)))
    return 10 * np.log10(harmonic / noise)


def _median_in(x: np.ndarray, field: str) -> float:
    lead = (0.0005 * np.random.default_rng(3).standard_normal(SR)).astype(np.float32)
    fb = extract_features(np.concatenate((lead, x.astype(np.float32)))[None, :], ON)
    c = fb.channels[0]
    keep = (fb.times_s > 1.3) & (fb.times_s < 2.7) & c.voiced
    assert keep.sum() > 100
    return float(np.median(getattr(c, field)[keep]))


def test_band_hnr_is_the_in_band_harmonic_to_noise_ratio():
    rng = np.random.default_rng(11)
    for noise_rms in (0.003, 0.01, 0.03):
        x = _voice(2.0) + noise_rms * rng.standard_normal(2 * SR)
        got = _median_in(x, "band_hnr_db")
        want = _expected_band_hnr_db(noise_rms)
        assert abs(got - want) < 1.5, (noise_rms, got, want)


def test_band_hnr_is_the_same_on_a_narrowband_copy():
    # The same voice and noise through a telephone band (8 kHz, 300-3400 Hz) and back to 16 kHz:
    # the band HNR reads within 1 dB of the wideband one.
    rng = np.random.default_rng(5)
    x = _voice(2.0) + 0.01 * rng.standard_normal(2 * SR)
    sos = scipy.signal.butter(8, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")
    nb = scipy.signal.resample_poly(scipy.signal.sosfiltfilt(sos, x), 1, 2)
    back = scipy.signal.resample_poly(nb, 2, 1)[: x.size]
    wide = _median_in(x, "band_hnr_db")
    narrow = _median_in(back, "band_hnr_db")
    assert abs(wide - narrow) < 1.0, (wide, narrow)


def test_band_hnr_does_not_depend_on_chunking(monkeypatch):
    # Whole-file pushes work in batches of frames: small batches here, so the batching is run.
    monkeypatch.setattr(features, "_BAND_BATCH_FRAMES", 64)
    rng = np.random.default_rng(2)
    x = np.concatenate(
        (0.0005 * rng.standard_normal(SR), _voice(1.5) + 0.01 * rng.standard_normal(int(1.5 * SR)))
    ).astype(np.float32)
    whole = extract_features(x[None, :], ON).channels[0].band_hnr_db
    for step in (320, 1111):
        stream = FeatureStream(1, ON)
        blocks = [stream.push(x[None, i : i + step]) for i in range(0, x.size, step)]
        blocks.append(stream.finish())
        got = concat_blocks(blocks).channels[0].band_hnr_db
        np.testing.assert_array_equal(got, whole)


def test_band_hnr_is_off_by_default():
    # Off (the default), the band HNR costs nothing and reads as "not analysed".
    rng = np.random.default_rng(4)
    x = np.concatenate(
        (0.0005 * rng.standard_normal(SR), _voice(1.0) + 0.01 * rng.standard_normal(SR))
    )
    c = extract_features(x.astype(np.float32)[None, :]).channels[0]
    assert np.all(c.band_hnr_db == features.HNR_MIN_DB)
    assert c.voiced.any()
