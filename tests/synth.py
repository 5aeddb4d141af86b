"""Synthetic signals with known answers, and where the real recordings live."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SR = 16_000


def shared_data_dir() -> Path:
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def voiced(
    f0_hz: float,
    dur_s: float,
    level_dbfs: float,
    *,
    sr: int = SR,
    syll_hz: float = 4.0,
    seed: int = 0,
) -> np.ndarray:
    """A speech-like voiced signal: harmonics of ``f0_hz`` with a syllable-rate envelope.

    Its RMS over the whole signal is ``level_dbfs``; a little noise keeps YIN honest.
    """
    t = np.arange(int(dur_s * sr)) / sr
    rng = np.random.default_rng(seed)
    x = sum(np.sin(2 * np.pi * f0_hz * k * t + rng.uniform(0, 6.28)) / k for k in range(1, 6))
    env = 0.6 + 0.4 * np.sin(2 * np.pi * syll_hz * t) ** 2
    x = x * env + 0.01 * rng.standard_normal(t.size)
    x *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))
    return x.astype(np.float32)


def silence(dur_s: float, *, level_dbfs: float = -70.0, seed: int = 1, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (level_dbfs / 20) * rng.standard_normal(int(dur_s * sr))).astype(np.float32)
