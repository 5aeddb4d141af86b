"""The speech gate under steady noise: synthetic voices with known on/off times (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import FeatureOptions, FeatureStream, concat_blocks, extract_features
from tests.support.synth import pink_noise as pink

SR = 16_000
#: The gate as it was before the steady-noise gate (the strict gate only).
STRICT_ONLY = FeatureOptions(vad_steady_margin_db=99.0)


def words(seed: int = 0, n_words: int = 24, f0_hz: float = 140.0) -> tuple[np.ndarray, np.ndarray]:
    """A harmonic "voice" of words with pauses: (signal, on mask per sample).

    Each word is 0.4-1.6 s of 11 harmonics with a gliding f0, syllable bumps 3-6 per second that
    dip ~20 dB between syllables, 80 ms fades at its edges and a level of +-6 dB, so its quiet
    parts sit near a noise 15 dB under its active level, as real speech does. Pauses 0.4-1.2 s.
    """
    rng = np.random.default_rng(seed)
    parts, on = [], []
    for _ in range(n_words):
        gap = np.zeros(int(rng.uniform(0.4, 1.2) * SR))
        parts.append(gap)
        on.append(np.zeros(gap.size, bool))
        dur = rng.uniform(0.4, 1.6)
        t = np.arange(int(dur * SR)) / SR
        f = f0_hz * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
        ph = 2 * np.pi * np.cumsum(f) / SR
        x = sum(np.sin(k * ph) / k for k in range(1, 12))
        syl = 0.1 + 0.9 * np.sin(np.pi * ((t * rng.uniform(3, 6)) % 1)) ** 2
        edge = np.minimum(1.0, np.minimum(t, dur - t) / 0.08)
        parts.append(x * syl * edge * 10 ** (rng.uniform(-6, 6) / 20))
        on.append(np.ones(t.size, bool))
    parts.append(np.zeros(SR))
    on.append(np.zeros(SR, bool))
    return np.concatenate(parts), np.concatenate(on)


def voice_in_noise(snr_db: float, *, seed: int = 0, level_dbfs: float = -26.0) -> tuple:
    """(noisy, clean, on mask): the words at ``level_dbfs`` RMS over their on-time, pink noise
    ``snr_db`` under that level."""
    x, on = words(seed)
    x *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x[on] ** 2))
    noise = pink(x.size, seed + 100) * 10 ** ((level_dbfs - snr_db) / 20)
    return (x + noise).astype(np.float32), x.astype(np.float32), on


def talk_s(x: np.ndarray, options: FeatureOptions | None = None) -> float:
    fb = extract_features(x[None], options)
    return float(fb.channels[0].speech.sum()) * (options or FeatureOptions()).hop_s


@pytest.mark.parametrize("seed", [0, 1])
def test_talk_time_of_a_voice_under_pink_noise_at_15_db(seed: int) -> None:
    noisy, clean, on = voice_in_noise(15.0, seed=seed)
    truth = on.sum() / SR
    got = talk_s(noisy)
    assert abs(got / truth - 1.0) <= 0.10
    assert abs(got / talk_s(clean + pink(clean.size, 7).astype(np.float32) * 1e-4) - 1.0) <= 0.10


@pytest.mark.parametrize("seed", [0, 2])
def test_the_steady_noise_gate_hears_more_of_a_voice_than_the_strict_gate(seed: int) -> None:
    """At 5 dB SNR the strict gate (9 dB over the floor) loses a syllable's quieter half; the
    steady-noise gate keeps the voiced frames, and labels no pause as speech."""
    noisy, _, on = voice_in_noise(5.0, seed=seed)
    o = FeatureOptions()
    new = extract_features(noisy[None], o).channels[0].speech
    old = extract_features(noisy[None], STRICT_ONLY).channels[0].speech
    centre = (np.arange(new.size) * o.hop + o.pitch_window // 2).clip(max=on.size - 1)
    truth = on[centre]
    recall_new = (new & truth).sum() / truth.sum()
    recall_old = (old & truth).sum() / truth.sum()
    assert recall_new > 0.75
    assert recall_new > recall_old + 0.1
    # Frames well inside pauses (0.3 s from any voice) stay non-speech.
    far = ~np.convolve(truth, np.ones(61), mode="same").astype(bool)
    assert new[far].mean() < 0.01


def test_steady_noise_alone_and_a_rising_noise_are_not_speech() -> None:
    """A voice, then 12 s of its steady line noise alone, then the noise 6 dB louder for 6 s (a
    line turned up after the floors were measured): the relaxed gate sits under the risen
    noise, but noise shows no voice."""
    voice, _, _ = voice_in_noise(40.0, seed=5, level_dbfs=-26.0)
    n1, n2 = 16 * SR, 6 * SR
    x = pink(n1 + n2, 3) * 10 ** (-50 / 20)
    x[n1:] *= 2.0
    x[: 4 * SR] += voice[: 4 * SR]
    fb = extract_features(x.astype(np.float32)[None])
    t, sp = fb.times_s, fb.channels[0].speech
    assert sp[t < 4.0].mean() > 0.3  # the voice was heard
    assert sp[t > 5.0].mean() < 0.01


def test_fluctuating_noise_keeps_the_strict_gate() -> None:
    """Noise whose level swings by 12 dB (babble, traffic): its spread widens the relaxed
    margin to the strict gate, so the two gates label the same frames."""
    n = 20 * SR
    t = np.arange(n) / SR
    swing = 10 ** (6 * np.sin(2 * np.pi * 0.7 * t) / 20)
    x = (pink(n, 6) * swing * 10 ** (-45 / 20)).astype(np.float32)
    voice, _, _ = voice_in_noise(30.0, seed=8, level_dbfs=-25.0)
    x[: 3 * SR] += voice[: 3 * SR]
    a = extract_features(x[None]).channels[0].speech
    b = extract_features(x[None], STRICT_ONLY).channels[0].speech
    assert np.mean(a != b) < 0.005


def test_the_steady_noise_gate_does_not_depend_on_chunking() -> None:
    noisy, _, _ = voice_in_noise(12.0, seed=4)
    x = noisy[: 15 * SR][None]
    whole = extract_features(x)
    s = FeatureStream(1)
    blocks = [s.push(x[:, i : i + 320]) for i in range(0, x.shape[1], 320)]
    blocks.append(s.finish())
    got = concat_blocks(blocks)
    for name in ("speech", "voiced", "f0_hz"):
        assert np.array_equal(
            getattr(got.channels[0], name), getattr(whole.channels[0], name), equal_nan=True
        ), name


def test_voicing_reads_yin_less_the_steady_noise_share() -> None:
    """Noise 15 dB under a harmonic voice pushes YIN's difference of its quieter syllables over
    the voicing limit; less the steady noise's expected share, more of them are voiced, at the
    clean copy's pitch, and never in the pauses (0.3 s from the voice)."""
    noisy, clean, on = voice_in_noise(15.0, seed=0)
    floor = pink(clean.size, 9).astype(np.float32) * np.float32(1e-5)
    ref = extract_features((clean + floor)[None]).channels[0]
    got = extract_features(noisy[None]).channels[0]
    raw = extract_features(noisy[None], FeatureOptions(voicing_noise_share_max=0.0)).channels[0]
    n = min(ref.voiced.size, got.voiced.size)
    both = ref.voiced[:n] & got.voiced[:n]
    recall = both.sum() / ref.voiced[:n].sum()
    recall_raw = (ref.voiced[:n] & raw.voiced[:n]).sum() / ref.voiced[:n].sum()
    assert recall > recall_raw + 0.02
    err = np.abs(got.f0_hz[:n][both] / ref.f0_hz[:n][both] - 1.0)
    assert (err > 0.2).mean() <= 0.05
    o = FeatureOptions()
    centre = (np.arange(n) * o.hop + o.pitch_window // 2).clip(max=on.size - 1)
    far = ~np.convolve(on[centre], np.ones(61), mode="same").astype(bool)
    assert not got.voiced[:n][far].any()
