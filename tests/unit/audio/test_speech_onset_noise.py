"""Speech onsets on a line that carries only noise (issue 13): a silent party's channel must not
start a turn on its own noise. Synthetic signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import FeatureOptions, extract_features
from tests.support.synth import pink_noise as pink
from tests.support.synth import pushed_features

SR = 16_000


@pytest.mark.parametrize("level_dbfs", [-68.0, -45.0, -30.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_steady_noise_from_the_first_sample_is_never_speech(level_dbfs: float, seed: int) -> None:
    # Noise present from the first sample: the floor must be the noise's from the start. (The
    # smoothing once averaged the history before the first frame in as silence, which put the
    # floor up to 7 dB under the noise for the first 8 s; the noise's own swings then crossed
    # the gate: a silent party "started talking" in the first seconds of most noisy calls.)
    # The noise's level swings by +-3 dB at ~3 Hz (a codec's or a room's noise), 6 dB from
    # trough to crest: under the 9 dB margin over the floor. The call starts in a trough.
    t = np.arange(6 * SR) / SR
    swing = 10 ** (3.0 * np.sin(2 * np.pi * (2.5 + seed * 0.4) * t - np.pi / 2) / 20)
    x = (pink(6 * SR, seed) * swing * 10 ** (level_dbfs / 20)).astype(np.float32)
    fb = extract_features(x[None])
    assert not fb.channels[0].speech.any()


def test_first_frames_level_floor_matches_later_floor() -> None:
    # The floor the gate uses at the start equals the one it settles on later, within the
    # noise's own spread (so the strict gate's margin is the configured one from frame 0).
    from calltone.audio.features import FrontEnd

    o = FeatureOptions()
    x = (pink(10 * SR, 5) * 10 ** (-40 / 20)).astype(np.float32)
    raw = FrontEnd(o, 1).push(x[None])
    floor = raw.gate_dbfs[0] - o.vad_snr_db
    early, late = float(floor[:50].min()), float(floor[-50:].min())
    assert abs(early - late) < 1.5


def test_voice_after_noise_starts_on_time_and_chunking_is_exact() -> None:
    # A harmonic voice 20 dB over the noise, 3 s into the call: speech starts within 30 ms of
    # it, nothing before; 20 ms chunks give the same frames as the whole signal.
    n = 5 * SR
    noise = pink(n, 9) * 10 ** (-50 / 20)
    t = np.arange(int(1.5 * SR)) / SR
    v = sum(np.sin(2 * np.pi * k * 150.0 * t) / k for k in range(1, 10))
    v = v / np.sqrt(np.mean(v**2)) * 10 ** (-30 / 20)
    x = noise.copy()
    x[3 * SR : 3 * SR + v.size] += v
    x = x.astype(np.float32)
    fb = extract_features(x[None])
    sp = fb.channels[0].speech
    first = float(fb.times_s[np.flatnonzero(sp)[0]])
    assert abs(first - 3.0) < 0.03
    chunked = pushed_features(x[None], FeatureOptions())
    assert np.array_equal(chunked.channels[0].speech, sp)
    assert np.array_equal(chunked.channels[0].loudness_dbfs, fb.channels[0].loudness_dbfs)
