"""DTMF key tones are nobody speaking (issue 13, sessions 11-12): known answers on synthetic tone
pairs, voices, vowels, whistles, chords and noise, at 8 and 16 kHz."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import FeatureOptions, extract_features
from calltone.audio.tones import DTMF_HIGH_HZ, DTMF_LOW_HZ, dtmf_frames
from tests.support.synth import pink_noise, pushed_features, voiced
from tests.unit.audio.test_speech_gate_noise import words

SR = 16_000
#: Key tones judged, as the default does.
OPTS = FeatureOptions(dtmf_min_pair_share=0.85)
#: The gate without the check: no frame is a key tone.
NO_TONES = FeatureOptions(dtmf_min_pair_share=0.0)
RATES = (8_000, 16_000)


def opts(sr: int, on: bool = True) -> FeatureOptions:
    return FeatureOptions(sample_rate_hz=sr, dtmf_min_pair_share=0.85 if on else 0.0)


def pair(
    f_low: float, f_high: float, dur_s: float, *, twist_db: float = 0.0, sr: int = SR
) -> np.ndarray:
    t = np.arange(round(dur_s * sr)) / sr
    return np.sin(2 * np.pi * f_low * t) + 10 ** (-twist_db / 20) * np.sin(2 * np.pi * f_high * t)


def tone_share(x: np.ndarray, sr: int = SR) -> float:
    """Share of the 64 ms windows (10 ms hop; the front end's pitch window) of a 1-D signal at
    ``sr`` judged a tone pair."""
    length = round(OPTS.pitch_frame_length_s * sr)
    starts = np.arange(0, x.size - length, sr // 100)
    r = dtmf_frames(
        np.asarray(x, np.float32)[None],
        np.stack((np.zeros_like(starts), starts)),
        length,
        sr,
        min_pair_share=OPTS.dtmf_min_pair_share,
        min_tone_share=OPTS.dtmf_min_tone_share,
        max_deviation=OPTS.dtmf_max_deviation_share,
    )
    return float(r.mean())


def speech(x: np.ndarray, o: FeatureOptions) -> np.ndarray:
    return extract_features(np.asarray(x, np.float32)[None], o).channels[0].speech


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("f_low", DTMF_LOW_HZ)
@pytest.mark.parametrize("f_high", DTMF_HIGH_HZ)
def test_every_digit_is_a_tone_pair(f_low: float, f_high: float, sr: int) -> None:
    assert tone_share(0.1 * pair(f_low, f_high, 0.3, sr=sr), sr) == 1.0


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize(("deviation", "twist_db"), [(0.015, 0.0), (-0.015, 4.0), (0.01, 8.0)])
def test_within_the_receiver_tolerances(deviation: float, twist_db: float, sr: int) -> None:
    x = pair(770.0 * (1 + deviation), 1477.0 * (1 + deviation), 0.3, twist_db=twist_db, sr=sr)
    assert tone_share(0.1 * x, sr) == 1.0


@pytest.mark.parametrize("sr", RATES)
def test_off_frequency_pairs_and_a_line_noise_over_them_are_not(sr: int) -> None:
    # ITU-T Q.24: a receiver rejects tones 3.5 % or more off; and a pair with as much white
    # noise as itself (at 16 kHz 39 % of it in the telephone band) is no clean digit.
    assert tone_share(0.1 * pair(770.0 * 1.04, 1477.0 * 1.04, 0.3, sr=sr), sr) == 0.0
    assert tone_share(0.1 * pair(770.0 * 0.96, 1477.0, 0.3, sr=sr), sr) == 0.0
    x = pair(852.0, 1336.0, 0.3, sr=sr)  # RMS 1
    noise = np.random.default_rng(3).standard_normal(x.size)
    assert tone_share(0.1 * (x + noise), sr) == 0.0


def test_one_tone_voices_and_noise_are_not() -> None:
    t = np.arange(SR) / SR
    assert tone_share(0.1 * np.sin(2 * np.pi * 941.0 * t)) == 0.0
    assert tone_share(0.1 * pink_noise(SR, 3)) == 0.0
    for f0 in (98.0, 116.0, 139.0, 174.0, 233.0, 241.0, 348.0):  # incl. near-subharmonics
        assert tone_share(voiced(f0, 1.0, -20.0, seed=1)) == 0.0, f0


def sung_vowel(
    f0_hz: float, formants_hz: tuple[float, ...], *, vibrato_st: float, bw_hz: float, sr: int
) -> np.ndarray:
    """A held vowel: harmonics of ``f0_hz`` (vibrato 5.5 Hz, +-``vibrato_st``) through
    resonances at ``formants_hz`` (bandwidth ``bw_hz``), 0.4 s (two vibrato cycles) at -20
    dBFS."""
    t = np.arange(round(0.4 * sr)) / sr
    ph = 2 * np.pi * np.cumsum(f0_hz * 2 ** (vibrato_st / 12 * np.sin(2 * np.pi * 5.5 * t))) / sr
    x = np.zeros(t.size)
    for k in range(1, int(3800 / f0_hz)):
        gain = sum(1.0 / np.sqrt(1 + ((k * f0_hz - f) / (bw_hz / 2)) ** 2) for f in formants_hz)
        x += gain / np.sqrt(k) * np.sin(k * ph)
    return 0.1 * x / np.sqrt(np.mean(x**2))


#: Vowel formants (Hz): /a/ and /ae/ put F1 and F2 right in the low and high groups.
VOWELS = {
    "a": (700.0, 1200.0, 2500.0),
    "ae": (800.0, 1700.0, 2500.0),
    "o": (500.0, 900.0, 2400.0),
    "u": (350.0, 800.0, 2300.0),
    "er": (500.0, 1350.0, 1700.0),
}


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("vowel", sorted(VOWELS))
def test_held_and_sung_vowels_are_not(vowel: str, sr: int) -> None:
    # Talk-off (Bellcore / Q.24): any pitch 100-480 Hz, held or with vibrato, narrow or wide
    # formants; incl. f0 ~400 Hz /a/, whose 2nd and 3rd harmonics (800, 1200 Hz) sit next to
    # 770 and 1209 Hz and hold ~90 % of the band's power (4 % off: no key tone).
    for f0 in (*np.arange(100.0, 481.0, 11.0), 401.0):
        for vibrato, bw in ((0.0, 50.0), (0.3, 50.0), (0.3, 100.0)):
            x = sung_vowel(f0, VOWELS[vowel], vibrato_st=vibrato, bw_hz=bw, sr=sr)
            assert tone_share(x, sr) == 0.0, (f0, vibrato, bw)


@pytest.mark.parametrize("sr", RATES)
def test_whistles_and_chords_are_not(sr: int) -> None:
    t = np.arange(sr) / sr
    for f in (700.0, 941.0, 1209.0, 1500.0, 2200.0):  # a whistle: one tone, with vibrato
        ph = 2 * np.pi * np.cumsum(f * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) / sr
        assert tone_share(0.1 * np.sin(ph), sr) == 0.0, f
    semitone = 2 ** (1 / 12)
    for root in (196.0, 233.1, 261.6, 349.2, 392.0, 466.2):  # major and minor triads
        for third in (3, 4):
            notes = (root, root * semitone**third, root * semitone**7)
            sines = sum(np.sin(2 * np.pi * f * t) for f in notes)
            keys = sum(np.sin(2 * np.pi * k * f * t) / k for f in notes for k in range(1, 8))
            assert tone_share(0.1 * sines, sr) == 0.0, (root, third)
            assert tone_share(0.05 * keys, sr) == 0.0, (root, third)


def keyed(sr: int, digit_s: float, n_words: int = 24) -> tuple[np.ndarray, np.ndarray, slice, int]:
    """Words at -26 dBFS, then 16 digits (``digit_s`` on, 80 ms off) 10 dB louder, at ``sr``:
    the signal, the words alone, the digits' frames and the words' frame count."""
    x, on = words(2, n_words)
    x = x * 10 ** (-26.0 / 20) / np.sqrt(np.mean(x[on] ** 2))
    if sr == 8_000:  # the words' harmonics stop under 2 kHz: every other sample is their copy
        x = x[::2]
    hop = sr // 100
    digit = np.concatenate((pair(852.0, 1336.0, digit_s, sr=sr), np.zeros(round(0.08 * sr))))
    digits = np.tile(digit, 16) * 10 ** (-16.0 / 20)  # a pair of unit sines: RMS 1
    sig = np.concatenate((x, np.zeros(digits.size + sr)))
    start = x.size + sr // 2
    sig[start : start + digits.size] += digits
    return sig, x, slice(start // hop, (start + digits.size) // hop), x.size // hop


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("digit_s", [0.1, 0.04])
def test_digits_in_the_pauses_are_not_speech_and_the_voice_is_kept(sr: int, digit_s: float) -> None:
    # Before, the digits were speech; now nobody, while the words' own talk time does not move.
    sig, _, span, n = keyed(sr, digit_s)
    after, before = speech(sig, opts(sr)), speech(sig, opts(sr, on=False))
    assert before[span].mean() > 0.6  # the failure this fixes
    assert after[span].mean() < 0.05
    assert abs(int(after[:n].sum()) - int(before[:n].sum())) <= 0.01 * before[:n].sum()


@pytest.mark.parametrize("sr", RATES)
def test_sung_vowels_and_chords_keep_their_frames(sr: int) -> None:
    # Through the front end: the check changes no frame of a held /a/ at ~400 Hz (the closest
    # voice to a digit), a sung /ae/ or a chord.
    t = np.arange(sr) / sr
    chord = sum(np.sin(2 * np.pi * k * f * t) / k for f in (392.0, 493.9, 587.3) for k in (1, 2, 3))
    for x in (
        sung_vowel(401.0, VOWELS["a"], vibrato_st=0.0, bw_hz=50.0, sr=sr),
        sung_vowel(401.0, VOWELS["a"], vibrato_st=0.3, bw_hz=50.0, sr=sr),
        sung_vowel(330.0, VOWELS["ae"], vibrato_st=0.3, bw_hz=80.0, sr=sr),
        0.05 * chord,
    ):
        sig = np.concatenate((np.zeros(sr // 2), np.tile(x, 3)[:sr], np.zeros(sr // 2)))
        on, off = speech(sig, opts(sr)), speech(sig, opts(sr, on=False))
        assert off.sum() > 50
        assert np.array_equal(on, off)


def test_any_push_size_gives_the_same_frames() -> None:
    # Each frame is judged on its own pitch window: a live call's 20 ms pushes and one block
    # give the same speech frames.
    sig, _, span, _ = keyed(SR, 0.05, n_words=4)
    x = np.asarray(sig, np.float32)[None]
    whole = speech(sig, OPTS)
    live = pushed_features(x, OPTS).channels[0].speech
    assert whole[span].mean() < 0.05
    assert np.array_equal(live, whole)
