"""Decode call recordings into 16 kHz float32, one row per channel.

WAV/FLAC/OGG go through soundfile (libsndfile); MP3/M4A/AAC through PyAV, which faster-whisper
already depends on. Any source rate from 8 kHz telephone audio up to 192 kHz is resampled with
soxr (the resampler librosa uses) so every later stage sees one rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from calltone.audio.errors import (
    AudioFileNotFoundError,
    CorruptAudioError,
    DecodedTooLargeError,
    EmptyAudioError,
    InvalidSamplesError,
    SampleRateError,
    UnsupportedFormatError,
)

TARGET_SAMPLE_RATE = 16_000
MIN_SOURCE_RATE_HZ = 8_000
MAX_SOURCE_RATE_HZ = 192_000
MAX_CHANNELS = 8

DECODED_SAMPLE_BYTES = 4
"""Bytes one decoded sample takes (float32): the unit of the decoded-size budget."""
_UNKNOWN_FRAMES = 1 << 62
"""libsndfile reports SF_COUNT_MAX frames when the header does not say how long the file is."""

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


@dataclass(frozen=True)
class AudioProbe:
    """What a recording's header says, read without decoding any audio.

    Attributes
    ----------
    frames : int or None
        Samples per channel, or None when the header does not say (streamed files).
    sample_rate_hz : int
    channels : int
    """

    frames: int | None
    sample_rate_hz: int
    channels: int

    @property
    def decoded_bytes(self) -> int | None:
        """Bytes the decoded samples take as float32 at the file's own rate (None: unknown)."""
        if self.frames is None:
            return None
        return self.frames * self.channels * DECODED_SAMPLE_BYTES

    @property
    def duration_s(self) -> float | None:
        if self.frames is None or self.sample_rate_hz <= 0:
            return None
        return self.frames / self.sample_rate_hz


def _too_large(name: str, decoded_bytes: int, budget_bytes: int, how: str) -> DecodedTooLargeError:
    return DecodedTooLargeError(
        f"{name}: decodes to {how}{decoded_bytes / 2**20:.0f} MiB of samples, over the "
        f"{budget_bytes / 2**20:.0f} MiB decoded-size budget (CALLTONE_MAX_DECODED_BYTES); "
        "upload the call at its real length, rate and channel count (two channels, 8-48 kHz)"
    )


def probe_audio(path: str | Path) -> AudioProbe:
    """Read a recording's header only: length, rate and channels, no samples decoded.

    Raises
    ------
    AudioFileNotFoundError, UnsupportedFormatError, CorruptAudioError, EmptyAudioError
    """
    p = _existing(path)
    suffix = p.suffix.lower()
    if suffix in SOUNDFILE_SUFFIXES:
        try:
            info = sf.info(str(p))
        except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
            raise CorruptAudioError(
                f"{p.name}: cannot read as {suffix.lstrip('.').upper()} ({exc}); the file is "
                "truncated, corrupt or not audio: re-export the recording"
            ) from None
        frames = None if info.frames >= _UNKNOWN_FRAMES else int(info.frames)
        return AudioProbe(frames, int(info.samplerate), int(info.channels))
    if suffix in AV_SUFFIXES:
        return _probe_av(p)
    raise _unsupported(p)


def _probe_av(path: Path) -> AudioProbe:
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise EmptyAudioError(
                    f"{path.name}: the file has no audio stream; pass the call's audio recording"
                )
            stream = container.streams.audio[0]
            ctx = stream.codec_context
            sr = int(ctx.sample_rate or stream.rate or 0)
            channels = int(ctx.channels or 0)
            seconds: float | None = None
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                seconds = container.duration / av.time_base
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise CorruptAudioError(
            f"{path.name}: cannot read ({exc}); the file is truncated, corrupt or not audio: "
            "re-export the recording"
        ) from None
    frames = None if seconds is None or sr <= 0 else math.ceil(seconds * sr)
    return AudioProbe(frames, sr, channels)


def check_decoded_budget(probe: AudioProbe, budget_bytes: int, *, name: str) -> None:
    """Raise :class:`DecodedTooLargeError` when the header promises more samples than
    ``budget_bytes`` as float32.

    A header that does not say how long the file is passes here: :func:`load_audio` with
    ``max_decoded_bytes`` refuses such soundfile formats and counts PyAV ones as it decodes.
    """
    decoded = probe.decoded_bytes
    if decoded is not None and decoded > budget_bytes:
        raise _too_large(name, decoded, budget_bytes, "")


def _read_soundfile(path: Path, max_decoded_bytes: int | None = None) -> tuple[np.ndarray, int]:
    try:
        if max_decoded_bytes is not None:
            info = sf.info(str(path))
            if info.frames >= _UNKNOWN_FRAMES:
                raise DecodedTooLargeError(
                    f"{path.name}: the header does not say how long the recording is, so it "
                    "cannot be decoded within the decoded-size budget; re-export it (e.g. "
                    "`sox in.flac out.flac`)"
                )
            decoded = info.frames * info.channels * DECODED_SAMPLE_BYTES
            if decoded > max_decoded_bytes:
                raise _too_large(path.name, decoded, max_decoded_bytes, "")
        # sf.read allocates the header's frame count and reads no further: bounded above
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


def _read_av(path: Path, max_decoded_bytes: int | None = None) -> tuple[np.ndarray, int]:
    import av  # PyAV; imported lazily, only compressed formats need it

    chunks: list[np.ndarray] = []
    sr = 0
    decoded = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise EmptyAudioError(
                    f"{path.name}: the file has no audio stream; pass the call's audio recording"
                )
            frame: Any
            for frame in container.decode(container.streams.audio[0]):
                chunk = _av_frame_to_array(frame)
                decoded += chunk.size * DECODED_SAMPLE_BYTES
                if max_decoded_bytes is not None and decoded > max_decoded_bytes:
                    # headers of compressed formats only estimate: count as we decode
                    raise _too_large(path.name, decoded, max_decoded_bytes, "more than ")
                chunks.append(chunk)
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


def _existing(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        raise AudioFileNotFoundError(
            f"{p}: is a directory, not a recording; pass the call's audio file"
        )
    if not p.is_file():
        raise AudioFileNotFoundError(f"{p}: no such file; check the path to the call recording")
    if p.stat().st_size == 0:
        raise EmptyAudioError(f"{p.name}: the file is empty (0 bytes); pass a non-empty recording")
    return p


def _unsupported(p: Path) -> UnsupportedFormatError:
    return UnsupportedFormatError(
        f"{p.name}: unsupported format {p.suffix.lower() or '(no extension)'!r}; calltone reads "
        "WAV, FLAC, OGG, MP3 and M4A: convert it, e.g. `ffmpeg -i call.xyz call.wav`"
    )


def load_audio(
    path: str | Path,
    *,
    target_sr_hz: int = TARGET_SAMPLE_RATE,
    max_decoded_bytes: int | None = None,
) -> DecodedAudio:
    """Decode a recording into ``(channels, n)`` float32 at ``target_sr_hz``.

    Parameters
    ----------
    max_decoded_bytes : int, optional
        Refuse (before decoding where the header says the length, while decoding otherwise)
        files whose samples take more than this as float32 at their own rate: a few hundred KB
        of FLAC silence at 192 kHz x 8 channels decodes to gigabytes. None: no budget.

    Raises
    ------
    AudioFileNotFoundError, UnsupportedFormatError, CorruptAudioError, EmptyAudioError,
    SampleRateError, InvalidSamplesError, DecodedTooLargeError
        Each with a message that names the problem and how to fix it.
    """
    p = _existing(path)
    suffix = p.suffix.lower()
    if suffix in SOUNDFILE_SUFFIXES:
        samples, sr = _read_soundfile(p, max_decoded_bytes)
    elif suffix in AV_SUFFIXES:
        samples, sr = _read_av(p, max_decoded_bytes)
    else:
        raise _unsupported(p)
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
