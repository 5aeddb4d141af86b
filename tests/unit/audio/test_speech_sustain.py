"""Quiet speech next to speech (``FeatureOptions.vad_sustain``, issue 13): word tails and quiet
syllables under steady noise stay speech; noise alone, a noise that rises after the speech, a key
tone and the other party's leak do not. Synthetic signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
from scipy.ndimage import binary_dilation

from calltone.audio.features import (
    FeatureOptions,
    SpeechGate,
    extract_features,
)
from tests.support.synth import pink_noise as pink
from tests.support.synth import pushed_features
from tests.unit.audio.test_speech_gate_noise import words

SR = 16_000
ON = FeatureOptions(vad_sustain=1.0)
OFF = FeatureOptions()
_BAND = scipy.signal.butter(2, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")


def band_rms(x: np.ndarray) -> float:
    """RMS in the telephone band, where the front end reads its levels."""
    return float(np.sqrt(np.mean(scipy.signal.sosfilt(_BAND, x) ** 2)))


def vowel(dur_s: float, *, f0_hz: float = 150.0, seed: int = 0) -> np.ndarray:
    """A sustained vowel: 19 harmonics of a 5 Hz vibrato around ``f0_hz``."""
    t = np.arange(int(dur_s * SR)) / SR
    rng = np.random.default_rng(seed)
    ph = 2 * np.pi * np.cumsum(f0_hz * (1 + 0.03 * np.sin(2 * np.pi * 5 * t))) / SR
    return np.asarray(sum(np.sin(k * ph + rng.uniform(0, 6.28)) / k for k in range(1, 20)))


def fading_word(
    snr_start_db: float,
    snr_end_db: float,
    *,
    seed: int = 0,
    noise_dbfs: float = -50.0,
    white: bool = False,
) -> tuple[np.ndarray, float, float]:
    """(signal, start_s, end_s): 6 s of steady pink (or white) noise at ``noise_dbfs`` (band
    level) and, from 2 s, a 1.2 s vowel whose band SNR over the noise goes linearly (in dB) from
    ``snr_start_db`` to ``snr_end_db``: a word whose tail fades into the line's noise."""
    n = 6 * SR
    noise = np.random.default_rng(seed + 7).standard_normal(n) if white else pink(n, seed + 7)
    noise *= 10 ** (noise_dbfs / 20) / band_rms(noise)
    v = vowel(1.2, seed=seed)
    v /= band_rms(v)
    v *= 10 ** ((noise_dbfs + np.linspace(snr_start_db, snr_end_db, v.size)) / 20)
    ramp = np.minimum(1.0, np.minimum(np.arange(v.size), v.size - np.arange(v.size)) / (0.02 * SR))
    x = noise.copy()
    x[2 * SR : 2 * SR + v.size] += v * ramp
    return x.astype(np.float32), 2.0, 3.2


def speech(x: np.ndarray, o: FeatureOptions) -> tuple[np.ndarray, np.ndarray]:
    fb = extract_features(np.atleast_2d(x).astype(np.float32), o)
    return fb.times_s, fb.channels[0].speech


# --------------------------------------------------------------------------------------------
# The gate's hysteresis with sustained frames


def gate_labels(raw: list[int] | np.ndarray, weak: list[int] | np.ndarray, **kw: int) -> np.ndarray:
    g = SpeechGate(onset_frames=kw.pop("onset", 5), hangover_frames=kw.pop("hang", 25), **kw)
    r, w = np.asarray(raw, bool), np.asarray(weak, bool)
    return np.concatenate((g.push(r, w), g.flush()))


def test_sustained_frames_never_start_speech() -> None:
    labels = gate_labels(np.zeros(200), np.ones(200), sustain_max_frames=50, lookback_frames=12)
    assert labels.size == 200 and not labels.any()


def test_sustained_frames_continue_speech_for_at_most_the_cap() -> None:
    raw = np.r_[np.ones(10), np.zeros(200)]
    weak = np.r_[np.zeros(10), np.ones(100), np.zeros(100)]
    labels = gate_labels(raw, weak, sustain_max_frames=50)
    # 10 raw frames, 50 sustained ones; past the cap they are a pause, which ends speech.
    assert labels.size == 210 and labels[:60].all() and not labels[60:].any()
    # Without sustained frames: the raw run alone.
    plain = gate_labels(raw, np.zeros(210), sustain_max_frames=50)
    assert plain[:10].all() and not plain[10:].any()


def test_sustained_frames_after_a_pause_has_begun_are_a_pause() -> None:
    # raw, 3 frames under every gate, then sustained frames: the pause runs on through them.
    raw = np.r_[np.ones(10), np.zeros(100)]
    weak = np.r_[np.zeros(13), np.ones(40), np.zeros(57)]
    labels = gate_labels(raw, weak, sustain_max_frames=50)
    assert labels[:10].all() and not labels[10:].any()


def test_lookback_takes_the_sustained_frames_right_before_an_onset() -> None:
    raw = np.r_[np.zeros(30), np.ones(10), np.zeros(40)]
    weak = np.r_[np.zeros(10), np.ones(20), np.zeros(50)]
    labels = gate_labels(raw, weak, sustain_max_frames=0, lookback_frames=12)
    assert not labels[:18].any() and labels[18:40].all() and not labels[40:].any()
    # A raw run too short for an onset is one of the candidates: the 12 frames before the run
    # that confirms the onset (at 30) are speech, the short raw run among them.
    raw2 = np.r_[np.zeros(20), np.ones(2), np.zeros(8), np.ones(10), np.zeros(40)]
    weak2 = np.r_[np.zeros(10), np.ones(10), np.zeros(2), np.ones(8), np.zeros(50)]
    labels2 = gate_labels(raw2, weak2, lookback_frames=12)
    assert not labels2[:18].any() and labels2[18:40].all()
    # ... and a frame under every gate in between ends the candidates.
    weak3 = weak2.copy()
    weak3[25] = False
    labels3 = gate_labels(raw2, weak3, lookback_frames=12)
    assert not labels3[:26].any() and labels3[26:40].all()


@pytest.mark.parametrize("seed", range(6))
def test_without_sustained_frames_the_labels_are_the_plain_gate(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.random(600) < rng.uniform(0.1, 0.9)
    cuts = np.sort(rng.choice(np.arange(1, 600), 30, replace=False))
    plain = SpeechGate(onset_frames=5, hangover_frames=25)
    sus = SpeechGate(onset_frames=5, hangover_frames=25, sustain_max_frames=50)
    a = [plain.push(r) for r in np.split(raw, cuts)] + [plain.flush()]
    b = [sus.push(r, np.zeros(r.size, bool)) for r in np.split(raw, cuts)] + [sus.flush()]
    assert np.array_equal(np.concatenate(a), np.concatenate(b))


@pytest.mark.parametrize("seed", range(4))
def test_sustained_labels_do_not_depend_on_chunking(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.random(700) < rng.uniform(0.05, 0.6)
    weak = rng.random(700) < rng.uniform(0.1, 0.9)

    def run(cuts: np.ndarray) -> np.ndarray:
        g = SpeechGate(
            onset_frames=5, hangover_frames=25, sustain_max_frames=30, lookback_frames=12
        )
        out = [g.push(r, w) for r, w in zip(np.split(raw, cuts), np.split(weak, cuts), strict=True)]
        return np.concatenate([*out, g.flush()])

    whole = run(np.zeros(0, int))
    assert whole.size == 700
    assert np.array_equal(whole, run(np.arange(1, 700)))
    assert np.array_equal(whole, run(np.sort(rng.choice(np.arange(1, 700), 50, replace=False))))


# --------------------------------------------------------------------------------------------
# The front end


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_word_tail_fading_into_steady_noise_stays_speech(seed: int) -> None:
    # From 15 dB over a white noise down to 3 dB under it: the voice is there to its end. The
    # plain gate ends the word where its tail nears the noise; with sustain it runs to the end
    # and stops there (nothing after the end but the smoothing's and the frame's reach).
    x, start, end = fading_word(15.0, -3.0, seed=seed, white=True)
    t, sp = speech(x, ON)
    inside = (t >= start) & (t < end)
    assert (sp & inside).sum() / inside.sum() >= 0.95
    assert not sp[t < start - 0.05].any()
    assert not sp[t > end + 0.1].any()
    _, plain = speech(x, OFF)
    assert (plain & inside).sum() / inside.sum() <= 0.93


@pytest.mark.parametrize("seed", range(8))
def test_under_pink_noise_a_word_is_never_shorter_and_never_runs_on(seed: int) -> None:
    # Pink noise dips deeper than white (its short floor sits further under its mean), so the
    # constant-false-alarm margin is wider and less of the tail comes back on some seeds.
    x, start, end = fading_word(15.0, -3.0, seed=seed)
    t, sp = speech(x, ON)
    _, plain = speech(x, OFF)
    inside = (t >= start) & (t < end)
    assert (sp & inside).sum() >= (plain & inside).sum()
    assert not sp[(t < start - 0.05) | (t > end + 0.1)].any()


@pytest.mark.parametrize("snr_db", [6.0, 10.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_words_under_steady_noise_gain_talk_and_no_frame_away_from_them(
    snr_db: float, seed: int
) -> None:
    # Words whose syllables dip ~20 dB (tests.unit.audio.test_speech_gate_noise.words), pink
    # noise snr_db under their active band level.
    x, on = words(seed)
    x *= 10 ** (-26 / 20) / band_rms(x[on])
    noise = pink(x.size, seed + 100)
    noise *= 10 ** ((-26 - snr_db) / 20) / band_rms(noise)
    y = (x + noise).astype(np.float32)
    found = {}
    for name, o in (("off", OFF), ("on", ON)):
        t, sp = speech(y, o)
        truth = on[np.minimum((t * SR).astype(int), on.size - 1)]
        near = binary_dilation(truth, iterations=35)  # 0.35 s either side of a word
        assert not (sp & ~near).any()
        found[name] = (sp & truth).sum() / truth.sum()
        extra = (sp & ~truth).sum() / truth.sum()
        assert extra <= 0.04
    assert found["on"] >= found["off"] + 0.03


@pytest.mark.parametrize("level_dbfs", [-68.0, -45.0, -30.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_noise_alone_is_never_speech(level_dbfs: float, seed: int) -> None:
    # Steady, and swinging +-3 dB at ~3 Hz (as test_speech_onset_noise's).
    t = np.arange(8 * SR) / SR
    swing = 10 ** (3.0 * np.sin(2 * np.pi * (2.5 + seed * 0.4) * t - np.pi / 2) / 20)
    for gain in (np.ones_like(t), swing):
        x = (pink(t.size, seed) * gain * 10 ** (level_dbfs / 20)).astype(np.float32)
        assert not speech(x, ON)[1].any()


@pytest.mark.parametrize("step_db", [3.0, 6.0])
def test_a_noise_that_rises_after_the_speech_is_not_talk_for_long(step_db: float) -> None:
    # Gain control turns the line up in the pause after a word: the noise is now over the
    # floors measured before. Sustained frames stop within vad_sustain_max_s.
    x, _, end = fading_word(15.0, 10.0, seed=3)
    x = x.astype(np.float64)
    x[int((end + 0.02) * SR) :] *= 10 ** (step_db / 20)
    t, sp = speech(x.astype(np.float32), ON)
    last = float(t[np.flatnonzero(sp)[-1]])
    assert last <= end + ON.vad_sustain_max_s + ON.vad_hangover_s + 0.1


def test_a_key_tone_right_after_a_word_is_not_sustained() -> None:
    # A DTMF digit (697 + 1209 Hz) 50 ms after the word ends, loud: the key-tone check drops it,
    # and what it drops is no quiet speech either: the labels are the plain gate's.
    x, _, end = fading_word(15.0, 10.0, seed=4)
    a = int((end + 0.05) * SR)
    tt = np.arange(int(0.4 * SR)) / SR
    digit = 0.05 * (np.sin(2 * np.pi * 697 * tt) + np.sin(2 * np.pi * 1209 * tt))
    x[a : a + tt.size] += digit.astype(np.float32)
    t, sp = speech(x, ON)
    _, plain = speech(x, OFF)
    # The word's own faded edge may be sustained; nothing from the digit's start on is.
    assert plain.any() and not plain[t > end + 0.05].any()
    assert not sp[t > end + 0.05].any()
    assert sp.sum() <= plain.sum() + 5


def test_the_other_partys_leak_is_not_sustained() -> None:
    # Channel 1 says a word ending at 3.2 s; channel 0 starts loud at 3.25 s and leaks into
    # channel 1 25 dB under: channel 1's speech ends with its hangover, not with channel 0's.
    x1, _, end = fading_word(15.0, 10.0, seed=5)
    v = vowel(2.0, f0_hz=210.0, seed=6)
    v *= 10 ** (-20 / 20) / band_rms(v)
    x0 = (pink(x1.size, 50) * 10 ** (-50 / 20)).astype(np.float64)
    a = int((end + 0.05) * SR)
    x0[a : a + v.size] += v
    x1 = x1.astype(np.float64)
    x1[a : a + v.size] += v * 10 ** (-25 / 20)
    x = np.stack((x0, x1)).astype(np.float32)
    fb_on = extract_features(x, ON)
    fb_off = extract_features(x, OFF)
    t = fb_on.times_s
    on1 = fb_on.channels[1].speech
    assert not on1[t > end + 0.05 + OFF.vad_hangover_s + 0.1].any()
    assert on1.sum() <= fb_off.channels[1].speech.sum() + 10


@pytest.mark.parametrize("seed", [0, 1])
def test_no_sustain_while_the_other_party_talks(seed: int) -> None:
    # Channel 1's word tail fades into its line's noise (sustained when alone, see above);
    # channel 0 starts talking at 2.9 s, before channel 1's tail: channel 1 is not sustained
    # under channel 0's turn (no overlap made for the turn-taking to read), so its labels are
    # the plain gate's. Channel 0 does not leak into channel 1 at all.
    x1, _, _ = fading_word(15.0, -3.0, seed=seed, white=True)
    v = vowel(2.0, f0_hz=210.0, seed=seed + 10)
    v *= 10 ** (-30 / 20) / band_rms(v)
    x0 = np.random.default_rng(seed + 60).standard_normal(x1.size) * 10 ** (-60 / 20)
    a = int(2.9 * SR)
    x0[a : a + v.size] += v
    both = np.stack((x0, x1)).astype(np.float32)
    on = extract_features(both, ON)
    off = extract_features(both, OFF)
    later = on.times_s >= 2.9
    assert np.array_equal(on.channels[1].speech[later], off.channels[1].speech[later])
    alone = extract_features(x1[None], ON).channels[0].speech
    assert alone[later].sum() >= on.channels[1].speech[later].sum() + 5


def test_chunked_pushes_give_the_same_frames() -> None:
    x1, _, _ = fading_word(15.0, -3.0, seed=1)
    x0, _, _ = fading_word(12.0, 0.0, seed=2)
    x = np.stack((x1, np.roll(x0, int(1.4 * SR))))  # two parties, turns apart and overlapping
    whole = extract_features(x, ON)
    chunked = pushed_features(x, ON)
    for c in range(2):
        assert np.array_equal(chunked.channels[c].speech, whole.channels[c].speech)
        assert np.array_equal(chunked.channels[c].nucleus, whole.channels[c].nucleus)


def test_off_by_default_and_adds_no_pitch() -> None:
    assert FeatureOptions().vad_sustain == 0.0
    x, _, _ = fading_word(15.0, -3.0, seed=2)
    on = extract_features(x[None], ON).channels[0]
    off = extract_features(x[None], OFF).channels[0]
    # Only the speech labels move: pitch, voicing and loudness are the same frames.
    assert on.speech.sum() > off.speech.sum()
    assert np.array_equal(on.voiced, off.voiced)
    assert np.array_equal(on.f0_hz, off.f0_hz, equal_nan=True)
    assert np.array_equal(on.loudness_dbfs, off.loudness_dbfs)
