"""Synthetic signals with known answers, and where the real recordings live."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
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


def pink_noise(n: int, seed: int) -> np.ndarray:
    """Unit-RMS pink-ish noise (white through a one-pole low-pass), as bench/telephone.py's."""
    import scipy.signal

    w = np.random.default_rng(seed).standard_normal(n)
    y = scipy.signal.lfilter([1.0], [1.0, -0.95], w)
    return np.asarray(y / np.sqrt(np.mean(y**2)))


def words_segment(speaker: str, text: str, t0_s: float = 0.0) -> Any:
    """A transcript segment of ``text``'s words, one every 0.3 s (0.24 s long) from ``t0_s``."""
    from calltone.models.speech.transcript import Segment, Word

    words = [Word(w, t0_s + 0.3 * k, t0_s + 0.3 * k + 0.24) for k, w in enumerate(text.split())]
    return Segment(speaker, t0_s, words[-1].end_s, text, words)


def silence(dur_s: float, *, level_dbfs: float = -70.0, seed: int = 1, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (level_dbfs / 20) * rng.standard_normal(int(dur_s * sr))).astype(np.float32)


CARD_AND_PHONE = (
    # A Luhn-valid card with varied digits: Whisper tiny.en loops on a run of ones
    # ("4111 1111 ..." came back as 41-1-1-1-... and was dropped as a repetition).
    "My credit card number is 4 5 3 9, 1 4 8 8, 0 3 4 3, 6 4 6 7. "
    "And my phone number is 2 0 2, 5 5 5, 0 1 7 3."
)


def card_call(tmp_path: Path, *, tail_s: float = 2.0) -> np.ndarray:
    """A two-channel call whose customer reads a card and a phone number (needs espeak-ng)."""
    import subprocess

    from calltone.audio.decode import load_audio

    speech = tmp_path / "card_speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us+m3", "-s", "150", "-w", str(speech), CARD_AND_PHONE],
        check=True,
        capture_output=True,
    )
    x = load_audio(speech).samples[0]
    call = np.zeros((2, x.size + int((1.0 + tail_s) * SR)), np.float32)
    call[1, SR : SR + x.size] = x
    call += (1e-4 * np.random.default_rng(0).standard_normal(call.shape)).astype(np.float32)
    return call


def stream_call(x: np.ndarray, config: Any, *, step_s: float = 0.1) -> Any:
    """A two-channel call ``x`` (agent on channel 0, customer on 1, ``SR``) pushed through a
    :class:`~calltone.models.tone.stream.CallAnalyzer` with ``config`` in ``step_s`` blocks,
    as the live service does, and finished; returns the analyzer."""
    from calltone.audio.channels import ChannelRoles
    from calltone.models.tone.stream import CallAnalyzer

    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=config)
    step = round(step_s * SR)
    for i in range(0, x.shape[1], step):
        an.push(x[:, i : i + step])
    an.finish()
    return an


def pushed_features(x: np.ndarray, options: Any, *, push_samples: int = 320) -> Any:
    """The front end's frames of ``x`` (channels, samples) pushed live in blocks of
    ``push_samples`` (320: a 20 ms frame at 16 kHz), joined: to compare with the whole-signal
    ``extract_features`` of the same audio."""
    from calltone.audio.features import FeatureStream, concat_blocks

    stream = FeatureStream(x.shape[0], options)
    blocks = [stream.push(x[:, i : i + push_samples]) for i in range(0, x.shape[1], push_samples)]
    return concat_blocks([*blocks, stream.finish()])
