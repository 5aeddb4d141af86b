"""DTMF key tones are nobody speaking (issue 13, session 11): known answers on synthetic tone
pairs, voices and noise."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import FeatureOptions, extract_features
from calltone.audio.tones import DTMF_HIGH_HZ, DTMF_LOW_HZ, dtmf_frames
from tests.support.synth import pink_noise, voiced
from tests.unit.audio.test_speech_gate_noise import words

SR = 16_000
#: Key tones judged (off by default for its live cost: docs/benchmarks.md, session 11).
OPTS = FeatureOptions(dtmf_min_pair_share=0.8)
#: The gate as it was before (and the default): no frame is a key tone.
NO_TONES = FeatureOptions()


def pair(f_low: float, f_high: float, dur_s: float, *, twist_db: float = 0.0) -> np.ndarray:
    t = np.arange(round(dur_s * SR)) / SR
    return np.sin(2 * np.pi * f_low * t) + 10 ** (-twist_db / 20) * np.sin(2 * np.pi * f_high * t)


def tone_share(x: np.ndarray) -> float:
    """Share of the 32 ms frames (10 ms hop) of a 1-D signal judged a tone pair."""
    length = round(OPTS.frame_length_s * SR)
    starts = np.arange(0, x.size - length, 160)
    r = dtmf_frames(
        np.asarray(x, np.float32)[None],
        np.stack((np.zeros_like(starts), starts)),
        length,
        SR,
        min_pair_share=OPTS.dtmf_min_pair_share,
        min_tone_share=OPTS.dtmf_min_tone_share,
    )
    return float(r.mean())


@pytest.mark.parametrize("f_low", DTMF_LOW_HZ)
@pytest.mark.parametrize("f_high", DTMF_HIGH_HZ)
def test_every_digit_is_a_tone_pair(f_low: float, f_high: float) -> None:
    assert tone_share(0.1 * pair(f_low, f_high, 0.3)) == 1.0


@pytest.mark.parametrize(("deviation", "twist_db"), [(0.015, 0.0), (-0.015, 4.0), (0.01, 8.0)])
def test_within_the_receiver_tolerances(deviation: float, twist_db: float) -> None:
    x = pair(770.0 * (1 + deviation), 1477.0 * (1 + deviation), 0.3, twist_db=twist_db)
    assert tone_share(0.1 * x) == 1.0


def test_one_tone_voices_and_noise_are_not() -> None:
    t = np.arange(SR) / SR
    assert tone_share(0.1 * np.sin(2 * np.pi * 941.0 * t)) == 0.0
    assert tone_share(0.1 * pink_noise(SR, 3)) == 0.0
    for f0 in (98.0, 116.0, 139.0, 174.0, 233.0, 241.0, 348.0):  # incl. near-subharmonics
        assert tone_share(voiced(f0, 1.0, -20.0, seed=1)) == 0.0, f0


def test_digits_in_the_pauses_are_not_speech_and_the_voice_is_kept() -> None:
    # Words at -26 dBFS, then 16 digits (100 ms on, 80 ms off) 10 dB louder: before, speech;
    # now nobody, while the words' own talk time does not move.
    x, on = words(2)
    x = x * 10 ** (-26.0 / 20) / np.sqrt(np.mean(x[on] ** 2))
    keyed = x.copy()
    digit = np.concatenate((pair(852.0, 1336.0, 0.1), np.zeros(round(0.08 * SR))))
    digits = np.tile(digit, 16) * 10 ** (-16.0 / 20)  # a pair of unit sines: RMS 1
    keyed = np.concatenate((keyed, np.zeros(digits.size + SR)))
    start = x.size + SR // 2
    keyed[start : start + digits.size] += digits
    span = slice(start // 160, (start + digits.size) // 160)
    after = extract_features(keyed[None].astype(np.float32), OPTS).channels[0].speech
    before = extract_features(keyed[None].astype(np.float32), NO_TONES).channels[0].speech
    assert before[span].mean() > 0.8  # the failure this fixes
    assert after[span].mean() < 0.05
    n = x.size // 160
    assert abs(int(after[:n].sum()) - int(before[:n].sum())) <= 0.01 * before[:n].sum()
