"""The speech gate's level after a shout (``FeatureOptions.vad_peak_follow``; issue 13, session 15).

The range gate reads ``vad_range_db`` under a held speech peak. Held alone (0.5 dB/s), one loud
burst keeps the gate up for tens of seconds, and the speaker's normal speech after it loses its
quieter syllables. With ``vad_peak_follow`` the reference is the larger of a fast-decaying hold
and the held peak capped at the speaker's usual level plus ``vad_peak_over_usual_db``: after a
burst the gate returns to where the usual voice puts it; in a long silence it stays there, so
breath and a faint voiced echo 40 dB under the voice remain non-speech.

Every signal here is synthetic, with levels set by construction (the words of
``test_speech_gate_noise``: harmonic words with syllable dips, over white noise at -85 dBFS).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from calltone.audio.features import (
    FeatureOptions,
    FeatureStream,
    FrontEnd,
    concat_blocks,
    extract_features,
)
from tests.unit.audio.test_speech_gate_noise import words

SR = 16_000
HOP = SR // 100
USUAL_DBFS = -26.0
OFF = FeatureOptions(vad_peak_follow=0.0)
ON = FeatureOptions(vad_peak_follow=1.0)
#: The fast hold alone (the cap at the usual level taken away): what the cap is for.
FAST_ONLY = FeatureOptions(vad_peak_follow=1.0, vad_peak_over_usual_db=-300.0)


def _at(x: np.ndarray, on: np.ndarray, level_dbfs: float) -> np.ndarray:
    return x * 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x[on] ** 2))


def burst_call(
    burst_db: float | None, after_db: float = 0.0
) -> tuple[np.ndarray, int, int, np.ndarray]:
    """(signal, first frame after the burst's pause, last frame, on mask of the speech after):
    ~14 s of words at the usual level, three words ``burst_db`` over it (``None``: silence of
    the same length), 2 s of pause, then eight words ``after_db`` relative to the usual level."""
    a, a_on = words(0, n_words=10)
    b, b_on = words(1, n_words=3)
    c, c_on = words(2, n_words=8)
    b = _at(b, b_on, USUAL_DBFS + burst_db) if burst_db is not None else np.zeros(b.size)
    parts = [_at(a, a_on, USUAL_DBFS), b, np.zeros(2 * SR), _at(c, c_on, USUAL_DBFS + after_db)]
    x = np.concatenate(parts)
    x = x + np.random.default_rng(9).standard_normal(x.size) * 10 ** (-85.0 / 20)
    start = (x.size - c.size) // HOP
    return x.astype(np.float32), start, x.size // HOP, c_on


def gate_dbfs(x: np.ndarray, options: FeatureOptions) -> np.ndarray:
    """The strict gate's level per frame (``FrontEnd``'s raw frames)."""
    fe = FrontEnd(options, 1)
    a = fe.push(x[None])
    b = fe.push(np.zeros((1, 0), np.float32), final=True)
    return np.concatenate((a.gate_dbfs[0], b.gate_dbfs[0]))


def speech(x: np.ndarray, options: FeatureOptions) -> np.ndarray:
    return extract_features(x[None], options).channels[0].speech


@pytest.mark.parametrize(("burst_db", "held_over_db", "followed_over_db"), [(20.0, 14.0, 8.0)])
def test_the_gate_returns_toward_the_usual_voice_after_a_burst(
    burst_db: float, held_over_db: float, followed_over_db: float
) -> None:
    # A burst 20 dB over the usual voice, 2 s of pause, then the usual voice again; 4 s into
    # it (6 s after the burst) the held peak alone still stands 20 - 0.5 x 6 = 17 dB over
    # where the voice puts it (> 14 dB: the gate without the burst also moves), while the
    # followed peak is back under the usual peak's mean, moved by the burst's share of 30 s
    # of speech (~4 s of +20 dB: ~2.5 dB), plus vad_peak_over_usual_db (3 dB): < 8 dB.
    x, start, _, _ = burst_call(burst_db)
    x0, *_ = burst_call(None)
    probe = start + 400
    on, on0 = gate_dbfs(x, ON)[probe], gate_dbfs(x0, ON)[probe]
    off, off0 = gate_dbfs(x, OFF)[probe], gate_dbfs(x0, OFF)[probe]
    assert off - off0 > held_over_db
    assert on - on0 < followed_over_db


@pytest.mark.parametrize("after_db", [0.0, -10.0])
def test_speech_after_a_burst_keeps_its_talk_time(after_db: float) -> None:
    # The words after a burst 20 dB over the usual voice (normal, or 10 dB softer): the held
    # peak alone loses over 4 % of their talk time against the same call without the burst;
    # the followed peak loses less than half as much.
    x, start, end, _ = burst_call(20.0, after_db)
    x0, *_ = burst_call(None, after_db)
    lost = {}
    for name, options in (("off", OFF), ("on", ON)):
        got = int(speech(x, options)[start:end].sum())
        ref = int(speech(x0, options)[start:end].sum())
        lost[name] = ref - got
        if name == "off":
            assert lost[name] > 0.04 * ref
    assert lost["on"] < 0.5 * lost["off"]


def _breath(n: int, seed: int) -> np.ndarray:
    """Aperiodic noise in the breath band (500-3000 Hz) with a 0.5 s rise and fall, unit RMS."""
    sos = scipy.signal.butter(4, [500, 3000], btype="bandpass", fs=SR, output="sos")
    y = scipy.signal.sosfilt(sos, np.random.default_rng(seed).standard_normal(n))
    y *= np.sin(np.pi * np.arange(n) / n)
    return np.asarray(y / np.sqrt(np.mean(y**2)))


def _echo(n: int) -> np.ndarray:
    """A faint voiced tail: harmonics of 140 Hz, unit RMS (a distant voice, a late echo)."""
    t = np.arange(n) / SR
    y = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 8)) * np.sin(np.pi * t / t[-1])
    return np.asarray(y / np.sqrt(np.mean(y**2)))


@pytest.mark.parametrize("silence_s", [1.0, 3.0])
def test_breath_and_a_faint_echo_40_db_under_the_voice_are_not_speech(silence_s: float) -> None:
    # The usual voice, then silence, then breaths and a voiced echo 40 dB under the voice's
    # active level, 0.6 s each with 0.5 s between, over a -85 dBFS line noise (so the floor
    # gate, -76 dBFS, does not stop them: only the range under the voice's level does). (The
    # held peak decays 0.5 dB/s: after ~8 s of silence it lets such sounds in, on or off.)
    a, a_on = words(0, n_words=10)
    quiet = -40.0 + USUAL_DBFS
    n = int(0.6 * SR)
    tail = [np.zeros(int(silence_s * SR))]
    for sound in (_breath(n, 20), _echo(n)):
        tail += [sound * 10 ** (quiet / 20), np.zeros(SR // 2)]
    x = np.concatenate([_at(a, a_on, USUAL_DBFS), *tail])
    x = (x + np.random.default_rng(9).standard_normal(x.size) * 10 ** (-85.0 / 20)).astype(
        np.float32
    )
    first = (a.size + int(silence_s * SR)) // HOP
    for options in (OFF, ON):
        assert not speech(x, options)[first:].any()
    # Without the cap at the usual peak the fast hold (3 dB/s) lets them in.
    assert speech(x, FAST_ONLY)[first:].sum() > 30


def test_the_followed_peak_does_not_depend_on_chunking() -> None:
    x, *_ = burst_call(20.0, -10.0)
    whole = extract_features(x[None], ON).channels[0]
    for step in (320, 1111):
        stream = FeatureStream(1, ON)
        blocks = [stream.push(x[None, i : i + step]) for i in range(0, x.size, step)]
        blocks.append(stream.finish())
        got = concat_blocks(blocks).channels[0]
        np.testing.assert_array_equal(got.speech, whole.speech)
        np.testing.assert_array_equal(got.loudness_dbfs, whole.loudness_dbfs)


def test_off_is_the_held_peak_and_a_steady_voice_changes_little() -> None:
    # Off is the held peak. On, the gate is never over it, and for a voice that never bursts
    # it stays within 3 dB of it: the usual peak (the fast hold's mean over speech) sits a few
    # dB under the held peak, and the cap is 3 dB over the usual peak.
    x0, *_ = burst_call(None)
    g_on, g_off = gate_dbfs(x0, ON), gate_dbfs(x0, OFF)
    assert np.all(g_on <= g_off + 1e-9)
    assert np.max(g_off - g_on) < 3.0
