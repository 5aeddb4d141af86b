"""Crosstalk gate: a leak whose pitch-tracker errors fall a frame or two apart from its source's
is still a leak; a voice of its own still shows (issue 13, Opus copies). Per-frame values with
known answers, fed to the gate directly."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.crosstalk import CrosstalkGate, CrosstalkOptions

N = 120


def source_track(seed: int) -> np.ndarray:
    """A voice whose pitch steps between syllables (120, 165, 100, 150 Hz: no step near a
    unison or a 2x/3x/4x ratio), with runs of 2-3 frames where the tracker reads 2x, 3x or 4x."""
    rng = np.random.default_rng(seed)
    levels = np.roll(np.array([120.0, 165.0, 100.0, 150.0]), seed)
    f0 = np.repeat(levels, N // 4 + 1)[:N] * (1 + 0.01 * np.sin(np.linspace(0, 9, N)))
    i = 8
    while i < N - 4:
        f0[i : i + int(rng.integers(2, 4))] *= float(rng.choice([2.0, 3.0, 4.0]))
        i += int(rng.integers(12, 18))
    return f0


def copy_late(f: np.ndarray, frames: int) -> np.ndarray:
    """The same track read ``frames`` frames late (where the two copies' trackers switch)."""
    return np.concatenate((f[:frames], f[:-frames]))


def run_gate(f_loud: np.ndarray, f_quiet: np.ndarray, options: CrosstalkOptions) -> np.ndarray:
    loud = np.stack([np.full(N, -12.0), np.full(N, -40.0)])  # 28 dB under: the level says leak
    f0 = np.stack([f_loud, f_quiet])
    ap = np.full((2, N), 0.1)
    gate = CrosstalkGate(2, options)
    return gate.push(loud, f0, ap, np.ones((2, N), bool))[1]


@pytest.mark.parametrize("seed", range(6))
def test_leak_with_its_tracker_errors_shifted_is_leak(seed: int) -> None:
    # The leak reads the same voice; its steps and errors come 2-3 frames after the source's.
    f = source_track(seed)
    assert run_gate(f, copy_late(f, 2 + seed % 2), CrosstalkOptions()).all()


def test_frame_by_frame_comparison_reads_such_a_leak_as_a_voice() -> None:
    # The reference window is what makes the difference (reference_frames=1: the old rule).
    hits = 0
    for seed in range(6):
        f = source_track(seed)
        leak = copy_late(f, 3)
        hits += int(not run_gate(f, leak, CrosstalkOptions(reference_frames=1)).all())
    assert hits == 6


@pytest.mark.parametrize("ratio", [1.5, 0.7, 1.3, 2.5])
def test_a_voice_of_its_own_is_not_leak(ratio: float) -> None:
    # A soft voice at its own pitch (not within the tolerances of the louder one's 1x-4x)
    # stays speech from the third frame of evidence on.
    f = 120.0 + 10.0 * np.sin(np.linspace(0, 3, N))
    own = f * ratio
    leak = run_gate(f, own, CrosstalkOptions())
    assert not leak[5:].any()


def test_a_leak_at_four_times_the_pitch_is_leak() -> None:
    f = 120.0 + 10.0 * np.sin(np.linspace(0, 3, N))
    assert run_gate(f, 4.0 * f, CrosstalkOptions()).all()


def test_blocks_give_the_same_decisions() -> None:
    f = source_track(3)
    leak = copy_late(f, 2)
    loud = np.stack([np.full(N, -12.0), np.full(N, -40.0)])
    f0 = np.stack([f, leak])
    ap = np.full((2, N), 0.1)
    en = np.ones((2, N), bool)
    whole = CrosstalkGate(2).push(loud, f0, ap, en)
    g = CrosstalkGate(2)
    parts = [
        g.push(loud[:, i : i + 2], f0[:, i : i + 2], ap[:, i : i + 2], en[:, i : i + 2])
        for i in range(0, N, 2)
    ]
    assert np.array_equal(np.concatenate(parts, axis=1), whole)


def test_a_voice_just_off_the_octave_of_a_gliding_voice_is_its_own() -> None:
    # The louder voice glides down 245 -> 225 Hz; the soft one sits 0.6 st off the octave
    # under the louder one's *current* pitch (so within the octave tolerance of its pitch a few
    # frames earlier): multiples are judged on the current frame, so it is a voice of its own.
    f = np.geomspace(245.0, 225.0, N)
    soft = f / 2 * 2 ** (-0.6 / 12)
    assert not run_gate(f, soft, CrosstalkOptions())[5:].any()
