"""Hold music is nobody speaking (issue 13, session 12): known answers on synthetic chords, held
notes and speech-like voices, chunking, and real speech keeping its talk time."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.decode import load_audio
from calltone.audio.features import FeatureOptions, FeatureStream, concat_blocks, extract_features
from tests.support.synth import SR, pink_noise
from tests.unit.audio.test_speech_gate_noise import words

#: Music judged (off by default: the suite's synthetic voices are steady-F0 tones, held notes by
#: this measure; docs/benchmarks.md, session 12).
ON = FeatureOptions(music_min_held_share=0.2)
#: The gate without the music judge (the default).
OFF = FeatureOptions()


def _tone(f0_hz: np.ndarray, n_harm: int = 8) -> np.ndarray:
    """Harmonics 1..n of a (possibly moving) fundamental, amplitudes 1/k, below 7 kHz."""
    ph = 2 * np.pi * np.cumsum(f0_hz) / SR
    return np.asarray(
        sum(np.where(k * f0_hz < 7000, np.sin(k * ph + k), 0.0) / k for k in range(1, n_harm + 1))
    )


def _after_quiet(x: np.ndarray, level_dbfs: float = -20.0, quiet_s: float = 3.0) -> np.ndarray:
    """``x`` at ``level_dbfs`` RMS after ``quiet_s`` of pink noise 50 dB under it (a line)."""
    x = x * 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))
    n = round(quiet_s * SR)
    y = np.concatenate((np.zeros(n), x))
    y += pink_noise(y.size, 5) * 10 ** ((level_dbfs - 50) / 20)
    return y.astype(np.float32)


def _speech_share(x: np.ndarray, opts: FeatureOptions, t0_s: float, t1_s: float) -> float:
    fb = extract_features(x[None, :], opts)
    t = fb.times_s
    sel = (t >= t0_s) & (t < t1_s)
    return float(fb.channels[0].speech[sel].mean())


def chord_pad(dur_s: float) -> np.ndarray:
    """Sustained chords (C, G, Am, F triads with the root an octave down), 2 s each, every voice
    8 harmonics with a 5 Hz vibrato of +-0.15 st."""
    t = np.arange(round(dur_s * SR)) / SR
    out = np.zeros(t.size)
    chords = [(130.8, (0, 4, 7)), (196.0, (0, 4, 7)), (220.0, (0, 3, 7)), (174.6, (0, 4, 7))]
    for i in range(int(np.ceil(dur_s / 2))):
        a, b = i * 2 * SR, min(t.size, (i + 1) * 2 * SR)
        root, tri = chords[i % 4]
        for j, semi in enumerate((-12, *tri)):
            vib = 2 ** (0.15 / 12 * np.sin(2 * np.pi * 5.0 * t[a:b] + j))
            out[a:b] += _tone(root * 2 ** (semi / 12) * vib)
    return out


def held_notes(dur_s: float) -> np.ndarray:
    """One voice: 0.6 s notes of a C major scale up and down (a melody of held notes)."""
    n_note = round(0.6 * SR)
    scale = [0, 2, 4, 5, 7, 9, 11, 12, 11, 9, 7, 5, 4, 2]
    n = round(dur_s * SR)
    f0 = np.concatenate(
        [np.full(n_note, 261.6 * 2 ** (scale[i % len(scale)] / 12)) for i in range(n // n_note + 1)]
    )[:n]
    env = np.ones(n)
    return _tone(f0) * env


def test_a_chord_pad_is_not_speech() -> None:
    x = _after_quiet(chord_pad(8.0))
    # From 2 s into the pad to its end (the first ~1-2 s count as speech until the window
    # holds enough of it; the speech gate's floor reaches the pad itself after 8 s).
    assert _speech_share(x, OFF, 5.0, 11.0) > 0.8  # the gate alone takes it for speech
    assert _speech_share(x, ON, 5.0, 11.0) < 0.05


def test_held_notes_are_not_speech() -> None:
    x = _after_quiet(held_notes(8.0))
    assert _speech_share(x, OFF, 5.0, 11.0) > 0.8
    assert _speech_share(x, ON, 5.0, 11.0) < 0.05


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("f0_hz", [110.0, 140.0, 220.0])
def test_a_speech_like_voice_with_pitch_glides_still_is(seed: int, f0_hz: float) -> None:
    # Harmonic "words": f0 gliding +-10 % at 0.5-2 Hz, syllable bumps, pauses (as the speech
    # gate's own tests use), loud and with no noise to fill its pauses.
    x, _ = words(seed, n_words=16, f0_hz=f0_hz)
    x = (0.1 * x / np.sqrt(np.mean(x**2))).astype(np.float32)
    on = extract_features(x[None, :], ON).channels[0].speech
    off = extract_features(x[None, :], OFF).channels[0].speech
    assert off.mean() > 0.3
    assert np.array_equal(on, off)


def test_a_voice_over_a_steady_line_tone_still_is() -> None:
    # A steady 2375 Hz tone 20 dB under the voice (a line's whine) is held in every frame, but
    # the voice's own peaks outnumber it.
    x, _ = words(3, n_words=16)
    x = 0.1 * x / np.sqrt(np.mean(x**2))
    t = np.arange(x.size) / SR
    x = (x + 0.01 * np.sin(2 * np.pi * 2375.0 * t)).astype(np.float32)
    on = extract_features(x[None, :], ON).channels[0].speech
    off = extract_features(x[None, :], OFF).channels[0].speech
    assert np.array_equal(on, off)


def test_music_then_speech_is_speech_again() -> None:
    # The window still holds the music when the voice comes back (its first word 1.2 s after
    # the pad): the voice's first second or so is lost, then every frame is as before.
    pad = _after_quiet(chord_pad(10.0))
    v, _ = words(4, n_words=12)
    v = (0.1 * v / np.sqrt(np.mean(v**2))).astype(np.float32)
    x = np.concatenate((pad, v))
    fb = extract_features(x[None, :], ON)
    on = fb.channels[0].speech
    off = extract_features(x[None, :], OFF).channels[0].speech
    after = fb.times_s > pad.size / SR
    assert off[after].sum() > 1000
    assert (off & ~on & after).sum() <= 150  # frames: 1.5 s
    late = fb.times_s > pad.size / SR + 3.0
    assert np.array_equal(on[late], off[late])


def test_chunking_does_not_change_the_music_frames() -> None:
    x = np.concatenate((_after_quiet(held_notes(6.0)), _after_quiet(chord_pad(5.0), quiet_s=1.0)))
    whole = extract_features(x[None, :], ON).channels[0].speech
    s = FeatureStream(1, ON)
    rng = np.random.default_rng(7)
    blocks, i = [], 0
    while i < x.size:
        k = int(rng.integers(1, 4000))
        blocks.append(s.push(x[None, i : i + k]))
        i += k
    blocks.append(s.finish())
    assert np.array_equal(concat_blocks(blocks).channels[0].speech, whole)


def test_real_speech_keeps_its_talk_time(shared_data) -> None:  # type: ignore[no-untyped-def]
    """RAVDESS actors' calm and angry clips (wideband) and both sides of the LCA telephone
    call: the same speech frames with and without the music judge."""
    rav = shared_data / "ravdess_dev"
    clips = sorted(rav.glob("**/*.wav"))
    assert clips
    parts = []
    for p in clips[::3]:
        parts += [load_audio(p).samples[0].astype(np.float32), np.zeros(SR // 4, np.float32)]
    signals = [np.concatenate(parts)]
    lca = shared_data / "lca_calls"
    for name in ("Auto_Repairs_40_UTC_agent.flac", "Auto_Repairs_40_UTC_caller.flac"):
        signals.append(load_audio(lca / name).samples[0].astype(np.float32))
    for x in signals:
        on = extract_features(x[None, :], ON).channels[0].speech
        off = extract_features(x[None, :], OFF).channels[0].speech
        assert off.sum() > 1000
        assert np.array_equal(on, off)
