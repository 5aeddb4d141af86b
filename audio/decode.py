"""Decode call recordings into 16 kHz float32, one row per channel.

WAV/FLAC/OGG go through soundfile (libsndfile); MP3/M4A/AAC through PyAV, which faster-whisper
already depends on. Any source rate from 8 kHz telephone audio up to 192 kHz is resampled with
soxr (the resampler librosa uses) so every later stage sees one rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from audio.errors import (
    AudioFileNotFoundError,
    CorruptAudioError,
    EmptyAudioError,
    InvalidSamplesError,
    SampleRateError,
    UnsupportedFormatError,
)

TARGET_SAMPLE_RATE = 16_000
MIN_SOURCE_RATE_HZ = 8_000
MAX_SOURCE_RATE_HZ = 192_000
MAX_CHANNELS = 8

SOUNDFILE_SUFFIXES = frozenset({".wav", ".wave", ".flac", ".ogg", ".oga", ".opus"})
AV_SUFFIXES = frozenset({".mp3", ".m4a", ".mp4", ".aac", ".webm"})


@dataclass(frozen=True)
class DecodedAudio:
    """A whole recording in memory.

    Attributes
    ----------
    samples : np.ndarray, shape (channels, n_samples), float32
        Samples in [-1, 1] at :attr:`sample_rate`.
    sample_rate : int
        Always 16000 after :func:`load_audio`.
    source_sample_rate : int
        The rate stored in the file, before resampling.
    path : str
        Where it came from (for the report).
    """

    samples: np.ndarray
    sample_rate: int
    source_sample_rate: int
    path: str = ""

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[1]) / float(self.sample_rate)


def check_sample_rate(sample_rate_hz: int) -> None:
    """Raise :class:`SampleRateError` unless the rate is one calltone can analyse."""
    if not MIN_SOURCE_RATE_HZ <= int(sample_rate_hz) <= MAX_SOURCE_RATE_HZ:
        raise SampleRateError(
            f"sample rate {sample_rate_hz} Hz is outside {MIN_SOURCE_RATE_HZ}-{MAX_SOURCE_RATE_HZ} Hz; "
            "speech analysis needs at least 8 kHz (telephone band): re-record or resample the call, "
            "e.g. `sox in.wav -r 16000 out.wav`"
        )


def check_finite(samples: np.ndarray, *, what: str = "audio") -> None:
    """Raise :class:`InvalidSamplesError` when any sample is NaN or infinite."""
    if not np.isfinite(samples).all():
        bad = int(np.size(samples) - np.count_nonzero(np.isfinite(samples)))
        raise InvalidSamplesError(
            f"{what} contains {bad} NaN or infinite samples; re-export it as 16-bit PCM WAV "
            "(e.g. `sox in.wav -b 16 -e signed-integer out.wav`)"
        )


def resample(
    samples: np.ndarray, orig_sr_hz: int, target_sr_hz: int = TARGET_SAMPLE_RATE
) -> np.ndarray:
    """Resample ``(channels, n)`` float audio with soxr (high quality); returns float32."""
    check_sample_rate(orig_sr_hz)
    if orig_sr_hz == target_sr_hz:
        return np.ascontiguousarray(samples, dtype=np.float32)
    out = soxr.resample(np.ascontiguousarray(samples.T, dtype=np.float32), orig_sr_hz, target_sr_hz)
    out = np.asarray(out, dtype=np.float32)
    if out.ndim == 1:
        out = out[:, None]
    return np.ascontiguousarray(out.T)


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except sf.LibsndfileError as exc:
        raise CorruptAudioError(
            f"{path.name}: cannot decode as {path.suffix.lstrip('.').upper()} ({exc}); "
            "the file is truncated or corrupt: re-export the recording"
        ) from None
    except (RuntimeError, ValueError, TypeError) as exc:
        raise CorruptAudioError(
            f"{path.name}: cannot decode ({exc}); the file is truncated or corrupt: re-export it"
        ) from None
    return np.ascontiguousarray(data.T), int(sr)


def _av_frame_to_array(frame: Any) -> np.ndarray:
    """One decoded PyAV audio frame as ``(channels, n)`` float32."""
    arr = frame.to_ndarray()
    n_ch = len(frame.layout.channels)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
    arr = arr.astype(np.float32, copy=False)
    if frame.format.is_planar:
        return np.asarray(arr.reshape(n_ch, -1))
    return np.asarray(arr.reshape(-1, n_ch).T)


def _read_av(path: Path) -> tuple[np.ndarray, int]:
    import av  # PyAV; imported lazily, only compressed formats need it

    chunks: list[np.ndarray] = []
    sr = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise EmptyAudioError(
                    f"{path.name}: the file has no audio stream; pass the call's audio recording"
                )
            frame: Any
            for frame in container.decode(container.streams.audio[0]):
                chunks.append(_av_frame_to_array(frame))
                sr = int(frame.sample_rate or sr)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise CorruptAudioError(
            f"{path.name}: cannot decode ({exc}); the file is truncated, corrupt or not audio: "
            "re-export the recording"
        ) from None
    if not chunks:
        raise EmptyAudioError(
            f"{path.name}: the file decodes to no audio; pass a non-empty recording"
        )
    return np.ascontiguousarray(np.concatenate(chunks, axis=1)), sr


def load_audio(path: str | Path, *, target_sr_hz: int = TARGET_SAMPLE_RATE) -> DecodedAudio:
    """Decode a recording into ``(channels, n)`` float32 at ``target_sr_hz``.

    Raises
    ------
    AudioFileNotFoundError, UnsupportedFormatError, CorruptAudioError, EmptyAudioError,
    SampleRateError, InvalidSamplesError
        Each with a message that names the problem and how to fix it.
    """
    p = Path(path)
    if p.is_dir():
        raise AudioFileNotFoundError(
            f"{p}: is a directory, not a recording; pass the call's audio file"
        )
    if not p.is_file():
        raise AudioFileNotFoundError(f"{p}: no such file; check the path to the call recording")
    if p.stat().st_size == 0:
        raise EmptyAudioError(f"{p.name}: the file is empty (0 bytes); pass a non-empty recording")
    suffix = p.suffix.lower()
    if suffix in SOUNDFILE_SUFFIXES:
        samples, sr = _read_soundfile(p)
    elif suffix in AV_SUFFIXES:
        samples, sr = _read_av(p)
    else:
        raise UnsupportedFormatError(
            f"{p.name}: unsupported format {suffix or '(no extension)'!r}; calltone reads "
            "WAV, FLAC, OGG, MP3 and M4A: convert it, e.g. `ffmpeg -i call.xyz call.wav`"
        )
    if samples.size == 0 or samples.shape[1] == 0:
        raise EmptyAudioError(f"{p.name}: the file holds no samples; pass a non-empty recording")
    if samples.shape[0] > MAX_CHANNELS:
        raise UnsupportedFormatError(
            f"{p.name}: {samples.shape[0]} channels is more than {MAX_CHANNELS}; export the agent "
            "and customer channels only"
        )
    check_sample_rate(sr)
    check_finite(samples, what=p.name)
    return DecodedAudio(
        samples=resample(samples, sr, target_sr_hz),
        sample_rate=target_sr_hz,
        source_sample_rate=sr,
        path=str(p),
    )
