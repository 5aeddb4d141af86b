"""Live PCM frames in, 16 kHz float32 channels out.

Softphones and headset clients send interleaved 16-bit little-endian PCM at their own rate; this
turns each frame into ``(channels, n)`` float32 at 16 kHz with a streaming resampler, so a call
sent in 20 ms frames gives the same samples as one sent in 200 ms frames (up to the resampler's
fixed delay, which is the same for both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

from calltone.audio.decode import MAX_SOURCE_RATE_HZ, MIN_SOURCE_RATE_HZ, TARGET_SAMPLE_RATE
from calltone.audio.errors import ChannelLayoutError, FrameError, SampleRateError

SUPPORTED_ENCODINGS = ("pcm_s16le",)
MAX_FRAME_S = 1.0


@dataclass(frozen=True)
class PcmFormat:
    """What a live client promised to send."""

    sample_rate_hz: int = 16_000
    channels: int = 2
    encoding: str = "pcm_s16le"

    def __post_init__(self) -> None:
        if self.encoding not in SUPPORTED_ENCODINGS:
            raise FrameError(
                f"encoding {self.encoding!r} is not supported; send 'pcm_s16le' "
                "(interleaved 16-bit little-endian PCM)"
            )
        if not MIN_SOURCE_RATE_HZ <= self.sample_rate_hz <= MAX_SOURCE_RATE_HZ:
            raise SampleRateError(
                f"sample_rate {self.sample_rate_hz} Hz is outside {MIN_SOURCE_RATE_HZ}-"
                f"{MAX_SOURCE_RATE_HZ} Hz; send 8000, 16000 or 48000 Hz audio"
            )
        if self.channels not in (1, 2):
            raise ChannelLayoutError(
                f"channels={self.channels}: a live call sends 1 (one party) or 2 (agent + customer)"
            )

    @property
    def bytes_per_frame(self) -> int:
        """Bytes per sample frame (one sample of every channel)."""
        return 2 * self.channels

    @property
    def max_frame_bytes(self) -> int:
        return int(MAX_FRAME_S * self.sample_rate_hz) * self.bytes_per_frame


class PcmStream:
    """Decode and resample live PCM frames, keeping resampler state between frames."""

    def __init__(self, fmt: PcmFormat) -> None:
        self.fmt = fmt
        self._resampler = (
            soxr.ResampleStream(
                fmt.sample_rate_hz, TARGET_SAMPLE_RATE, fmt.channels, dtype="float32"
            )
            if fmt.sample_rate_hz != TARGET_SAMPLE_RATE
            else None
        )
        self.samples_in = 0

    def decode(self, data: bytes) -> np.ndarray:
        """One binary frame to ``(channels, n)`` float32 at 16 kHz.

        Raises
        ------
        FrameError
            Empty, too large, or not a whole number of samples for every channel.
        """
        fmt = self.fmt
        if not data:
            raise FrameError("empty audio frame; send 20-200 ms of PCM per binary message")
        if len(data) > fmt.max_frame_bytes:
            raise FrameError(
                f"audio frame of {len(data)} bytes is over {fmt.max_frame_bytes} bytes "
                f"({MAX_FRAME_S:.0f} s); send 20-200 ms per message"
            )
        if len(data) % fmt.bytes_per_frame:
            raise FrameError(
                f"audio frame of {len(data)} bytes is not a whole number of {fmt.channels}-channel "
                f"16-bit samples ({fmt.bytes_per_frame} bytes each); send whole interleaved samples"
            )
        x = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        x = x.reshape(-1, fmt.channels)
        self.samples_in += x.shape[0]
        return self._resample(x, last=False)

    def flush(self) -> np.ndarray:
        """The resampler's tail at the end of the call."""
        return self._resample(np.zeros((0, self.fmt.channels), np.float32), last=True)

    def _resample(self, x: np.ndarray, *, last: bool) -> np.ndarray:
        if self._resampler is not None:
            x = self._resampler.resample_chunk(x, last=last)
        return np.ascontiguousarray(
            np.asarray(x, dtype=np.float32).reshape(-1, self.fmt.channels).T
        )


def encode_pcm_s16le(samples: np.ndarray) -> bytes:
    """``(channels, n)`` float samples to interleaved 16-bit PCM (for clients and tests)."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0 - 1.0 / 32768)
    return (x.T * 32768.0).astype("<i2").tobytes()
