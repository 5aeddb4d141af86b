"""G.711 mu-law and 16-bit linear PCM for the platform adapters (numpy tables, no ``audioop``).

``audioop`` left the standard library in Python 3.13, and a per-sample Python loop is far too
slow for 50 live calls, so mu-law is decoded through a 256-entry table (one ``take`` per frame)
and encoded (for the replay clients) with the ITU-T G.711 segment arithmetic vectorised.
"""

from __future__ import annotations

import re

import numpy as np

from calltone.service.live.protocols.errors import BadFrameError

MULAW_BIAS = 0x84
MULAW_CLIP = 32_635


def _mulaw_table() -> np.ndarray:
    """The 256 linear values of G.711 mu-law code words (ITU-T G.711, table 2a)."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype("<i2")


MULAW_TO_LINEAR = _mulaw_table()
"""``MULAW_TO_LINEAR[code]`` is the 16-bit sample of a mu-law byte."""


def mulaw_decode(data: bytes) -> np.ndarray:
    """mu-law bytes -> int16 samples (one per byte)."""
    return MULAW_TO_LINEAR[np.frombuffer(data, dtype=np.uint8)]


def mulaw_encode(samples: np.ndarray) -> bytes:
    """int16 samples -> mu-law bytes (G.711 segment encoding, as a telephone network does)."""
    x = np.asarray(samples, dtype=np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), MULAW_CLIP) + MULAW_BIAS
    exponent = np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    code = ~(sign | (exponent << 4) | mantissa) & 0xFF
    return code.astype(np.uint8).tobytes()


def float_to_int16(samples: np.ndarray) -> np.ndarray:
    """float samples in [-1, 1] -> int16 (clipped)."""
    return (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).astype(np.int16)


def interleave(channels: list[np.ndarray]) -> bytes:
    """Equal-length int16 channels -> interleaved little-endian PCM bytes."""
    stacked = np.stack([np.asarray(c, dtype="<i2") for c in channels], axis=1)
    return stacked.tobytes()


def l16_to_le(data: bytes) -> bytes:
    """Network-order (big-endian) L16 -> little-endian PCM, as RFC 3551 L16 is sent."""
    return np.frombuffer(data, dtype=">i2").astype("<i2").tobytes()


def check_whole_samples(data: bytes, bytes_per_frame: int, what: str) -> None:
    """Raise :class:`BadFrameError` for an empty frame or one with a partial sample."""
    if not data:
        raise BadFrameError(f"empty {what} audio frame")
    if len(data) % bytes_per_frame:
        raise BadFrameError(
            f"{what} audio frame of {len(data)} bytes is not a whole number of "
            f"{bytes_per_frame}-byte sample frames"
        )


_DURATION_RE = re.compile(r"^PT(\d+(?:\.\d+)?)S$")


def parse_duration_s(value: object) -> float:
    """AudioHook's ISO-8601 durations (``PT1.5S``) -> seconds; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"a duration must be a string like 'PT1.5S', not {value!r}")
    m = _DURATION_RE.match(value)
    if m is None:
        raise ValueError(f"duration {value!r} is not of the form 'PT<seconds>S'")
    return float(m.group(1))


def format_duration(seconds: float) -> str:
    """Seconds -> ``PT1.5S`` (millisecond resolution, no exponent)."""
    text = f"{max(0.0, seconds):.3f}".rstrip("0").rstrip(".")
    return f"PT{text}S"
