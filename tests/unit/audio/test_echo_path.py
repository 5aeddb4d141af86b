"""Echo paths on separate channels: a delayed copy of the other party is not speech.

A line echo (the far end's hybrid returning the agent's voice on the customer channel, 30-300 ms
later) or a softphone's speaker leaking into its microphone puts a delayed, quieter copy of one
channel on the other. Frame-by-frame crosstalk tests compare simultaneous frames, so the copy read
as speech of its own (false interruptions and, on the agent channel, the customer's voice judged
as the agent's tone). Known answers: levels and voices built here with a known delay and gain.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.crosstalk import CrosstalkOptions, EchoPath
from calltone.audio.features import FeatureOptions, extract_features

SR = 16_000
HOP_S = 0.01


def talk_levels(n: int, *, seed: int, talking: np.ndarray) -> np.ndarray:
    """Per-frame levels (dB) of a talker: syllables of random length and level where
    ``talking``, a -70 dB floor elsewhere."""
    rng = np.random.default_rng(seed)
    out = np.full(n, -70.0)
    i = 0
    while i < n:
        m = int(rng.integers(8, 26))
        if talking[i]:
            out[i : i + m] = rng.uniform(-30.0, -14.0) + rng.normal(
                0.0, 1.0, size=out[i : i + m].size
            )
        i += m + int(rng.integers(2, 8))
    return out


def power_sum_db(*levels_db: np.ndarray) -> np.ndarray:
    return np.asarray(10.0 * np.log10(sum(10.0 ** (x / 10.0) for x in levels_db)))


def turns(n: int, first: bool) -> np.ndarray:
    """Alternating 4 s turns (400 frames), starting with this party when ``first``."""
    k = (np.arange(n) // 400) % 2
    return k == (0 if first else 1)


@pytest.mark.parametrize(("delay_frames", "gain_db"), [(3, -12.0), (15, -20.0), (30, -26.0)])
def test_the_delay_and_gain_of_an_echo_are_found_and_the_echo_is_predicted(
    delay_frames: int, gain_db: float
) -> None:
    n = 3000
    a = talk_levels(n, seed=1, talking=turns(n, True))
    own_b = talk_levels(n, seed=2, talking=turns(n, False))
    echo_of_a = np.concatenate((np.full(delay_frames, -120.0), a[:-delay_frames])) + gain_db
    b = power_sum_db(own_b, echo_of_a)
    path = EchoPath(2, CrosstalkOptions())
    levels = np.stack([a, b])
    predicted = np.concatenate([path.push(levels[:, i : i + 7])[0] for i in range(0, n, 7)], axis=1)
    assert path.source.tolist() == [-1, 0]
    assert path.delay_frames[1] == delay_frames
    assert abs(path.gain_db[1] - gain_db) < 1.0
    assert path.correlation[1] > 0.9
    # Once found (within the first turn), the prediction follows the echo in channel 1: it is
    # the highest of the source's levels one frame either side of the delay, so it covers the
    # echo (a frame under the prediction plus the margin is echo) without standing far over it.
    later = (np.arange(n) > 400) & turns(n, True) & (echo_of_a > -60)
    err = predicted[1, later] - echo_of_a[later]
    assert -1.0 < np.median(err) < 3.0
    assert np.mean(err > -CrosstalkOptions().echo_margin_db) > 0.99
    assert np.isneginf(predicted[0]).all()  # channel 0 carries no echo


def test_two_parties_taking_turns_have_no_echo_path() -> None:
    # Conversation: each party's level has nothing to do with the other's, at any delay.
    n = 3000
    a = talk_levels(n, seed=3, talking=turns(n, True))
    b = talk_levels(n, seed=4, talking=turns(n, False))
    # ...and a few seconds of double talk, where both are loud at once.
    b[1000:1300] = talk_levels(300, seed=5, talking=np.ones(300, bool))
    path = EchoPath(2, CrosstalkOptions())
    for i in range(0, n, 2):
        echo, src, _ = path.push(np.stack([a[i : i + 2], b[i : i + 2]]))
        assert (src == -1).all() and np.isneginf(echo).all()


def syllables(dur_s: float, *, seed: int, level_dbfs: float, f0_hz: float) -> np.ndarray:
    """Voiced syllables of random length, pitch and level (no regular rhythm)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(dur_s * SR), np.float32)
    i = 0
    while i < out.size:
        m = int(rng.uniform(0.08, 0.28) * SR)
        t = np.arange(min(m, out.size - i)) / SR
        f = f0_hz * rng.uniform(0.85, 1.2)
        x = sum(np.sin(2 * np.pi * f * k * t) / k for k in range(1, 8))
        env = np.sin(np.pi * np.arange(t.size) / max(t.size, 1)) ** 0.5
        gain = 10 ** ((level_dbfs + rng.uniform(-5, 5)) / 20) * np.sqrt(2) / 1.2
        out[i : i + t.size] = gain * x * env
        i += m + int(rng.uniform(0.03, 0.15) * SR)
    return out


def test_an_echo_on_the_other_channel_is_not_speech_and_its_own_voice_still_is() -> None:
    # Channel 0 talks for 8 s; channel 1 carries its echo (120 ms later, 20 dB down), then
    # talks for 6 s itself while channel 0 listens. Without the echo path the copy was speech
    # in most of channel 0's turn (a false interruption every few seconds on a real call).
    rng = np.random.default_rng(0)
    a_talk = syllables(8.0, seed=1, level_dbfs=-20.0, f0_hz=120.0)
    b_talk = syllables(6.0, seed=2, level_dbfs=-22.0, f0_hz=210.0)
    n = int(15.0 * SR)
    x = np.zeros((2, n), np.float32)
    x[0, : a_talk.size] = a_talk
    x[1, int(8.5 * SR) : int(8.5 * SR) + b_talk.size] = b_talk
    d = int(0.12 * SR)
    with_echo = x.copy()
    with_echo[1, d:] += x[0, :-d] * np.float32(10 ** (-20 / 20))
    floor = (10 ** (-70 / 20) * rng.standard_normal(x.shape)).astype(np.float32)
    opts = FeatureOptions()
    clean = extract_features(x + floor, opts).channels[1].speech
    echoed = extract_features(with_echo + floor, opts).channels[1].speech
    t = np.asarray(opts.frame_time_s(np.arange(echoed.size)))
    # After the first 3 s (the path needs 1.6 s of the source's speech and is estimated on a
    # 0.5 s grid), channel 0's turn.
    listening = (t > 3.0) & (t < 8.0)
    assert echoed[listening].mean() < 0.05
    # Channel 1's own turn: the same talk time as without the echo (within 5 %).
    own = (t > 8.4) & (t < 14.6)
    assert abs(echoed[own].sum() - clean[own].sum()) <= 0.05 * clean[own].sum()
    assert clean[own].mean() > 0.5
