"""The telephone-band alpha ratio (``ChannelFrames.alpha_db``) on signals with known answers.

A harmonic source whose spectral slope is set (harmonic ``k`` at amplitude ``k ** slope``):
its alpha ratio is the power of the harmonics over ``alpha_split_hz`` over the power of those
under it, each through the front end's two band filters; it is the same on a 300-3400 Hz,
8 kHz copy, the same at any level, and higher for a brighter source by the slope's known amount.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from calltone.audio.errors import ParameterError
from calltone.audio.features import FeatureOptions, FeatureStream, concat_blocks, extract_features

SR = 16_000
ON = FeatureOptions(alpha_ratio=True)


def _harmonics(f0_hz: float) -> np.ndarray:
    return np.arange(1, int(7600 / f0_hz) + 1, dtype=float)


def _voice(f0_hz: float, slope: float, seconds: float = 2.0, rms: float = 0.05) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    ks = _harmonics(f0_hz)
    x = sum(k**slope * np.sin(2 * np.pi * f0_hz * k * t + 0.3 * k * k) for k in ks)
    return rms * x / np.sqrt(np.mean(x**2))


def _expected_alpha_db(f0_hz: float, slope: float) -> float:
    """High-part over low-part power of the harmonics through the front end's two filters."""
    o = ON
    ks = _harmonics(f0_hz)
    power = ks ** (2 * slope)
    parts = []
    for edges in ((o.alpha_low_hz, o.alpha_split_hz), (o.alpha_split_hz, o.band_high_hz)):
        sos = scipy.signal.butter(
            o.alpha_filter_order, edges, btype="bandpass", fs=SR, output="sos"
        )
        _, h = scipy.signal.sosfreqz(sos, worN=ks * f0_hz, fs=SR)
        parts.append(float(np.sum(power * np.abs(h) ** 2)))
    return 10 * np.log10(parts[1] / parts[0])


def _median_alpha(x: np.ndarray, options: FeatureOptions = ON) -> float:
    lead = (0.0005 * np.random.default_rng(3).standard_normal(SR)).astype(np.float32)
    fb = extract_features(np.concatenate((lead, x.astype(np.float32)))[None, :], options)
    c = fb.channels[0]
    keep = (fb.times_s > 1.3) & (fb.times_s < 2.7) & c.voiced
    assert keep.sum() > 100
    return float(np.median(c.alpha_db[keep]))


def _telephone(x: np.ndarray) -> np.ndarray:
    """300-3400 Hz (8th-order Butterworth, as bench/telephone.py), 8 kHz, and back to 16 kHz."""
    sos = scipy.signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")
    nb = scipy.signal.resample_poly(scipy.signal.sosfiltfilt(sos, x), 1, 2)
    return scipy.signal.resample_poly(nb, 2, 1)[: x.size]


@pytest.mark.parametrize("f0_hz", [110.0, 220.0])
@pytest.mark.parametrize("slope", [-1.5, -1.0, -0.5])
def test_alpha_ratio_is_the_harmonics_power_balance(f0_hz, slope):
    got = _median_alpha(_voice(f0_hz, slope))
    want = _expected_alpha_db(f0_hz, slope)
    assert abs(got - want) < 0.5, (got, want)


@pytest.mark.parametrize("f0_hz", [110.0, 220.0])
@pytest.mark.parametrize("slope", [-1.5, -0.5])
def test_alpha_ratio_is_the_same_on_a_narrowband_copy(f0_hz, slope):
    x = _voice(f0_hz, slope)
    wide = _median_alpha(x)
    narrow = _median_alpha(_telephone(x))
    assert abs(wide - narrow) < 1.0, (wide, narrow)


def test_alpha_ratio_does_not_depend_on_level():
    # A level offset or a gain control multiplies both band powers alike.
    x = _voice(130.0, -1.0)
    at = _median_alpha(x)
    for gain_db in (-20.0, 6.0):
        assert abs(_median_alpha(x * 10 ** (gain_db / 20)) - at) < 0.01, gain_db


def test_a_brighter_source_reads_its_slope():
    # Slope -0.5 against -1.5: the alpha ratio rises by the known amount (~10 dB), on the
    # wideband voice and on its telephone copy.
    want = _expected_alpha_db(110.0, -0.5) - _expected_alpha_db(110.0, -1.5)
    assert want > 8.0
    for fn in (lambda v: v, _telephone):
        rise = _median_alpha(fn(_voice(110.0, -0.5))) - _median_alpha(fn(_voice(110.0, -1.5)))
        assert abs(rise - want) < 1.0, (rise, want)


def test_alpha_ratio_does_not_depend_on_chunking():
    x = np.concatenate((np.zeros(SR // 2), _voice(150.0, -1.0, 1.5))).astype(np.float32)
    whole = extract_features(x[None, :], ON).channels[0].alpha_db
    stream = FeatureStream(1, ON)
    blocks = [stream.push(x[None, i : i + 333]) for i in range(0, x.size, 333)]
    blocks.append(stream.finish())
    chunked = concat_blocks(blocks).channels[0].alpha_db
    assert np.array_equal(whole, chunked)
    assert np.any(whole != 0)


def test_alpha_ratio_off_is_zero_and_leaves_the_other_fields():
    x = np.concatenate((np.zeros(SR // 2), _voice(150.0, -1.0, 1.5))).astype(np.float32)
    off = extract_features(x[None, :]).channels[0]
    on = extract_features(x[None, :], ON).channels[0]
    assert not np.any(off.alpha_db)
    for name in ("loudness_dbfs", "tilt_db", "hnr_db", "voiced", "speech"):
        assert np.array_equal(getattr(off, name), getattr(on, name), equal_nan=True), name


def test_alpha_ratio_needs_its_split_inside_the_band():
    with pytest.raises(ParameterError):
        FeatureOptions(alpha_ratio=True, alpha_split_hz=200.0)
    with pytest.raises(ParameterError):
        FeatureOptions(alpha_ratio=True, band_high_hz=0.0)
