"""Signal in, numbers out: decoding, channels, frames, speech activity, loudness, pitch, pace.

This package imports nothing else of calltone's, so it can be reused and tested on its own.
"""

from calltone.audio.errors import (
    AudioError,
    AudioFileNotFoundError,
    AudioTooShortError,
    CalltoneError,
    ChannelLayoutError,
    CorruptAudioError,
    EmptyAudioError,
    FrameError,
    InvalidSamplesError,
    SampleRateError,
    UnsupportedFormatError,
)

TARGET_SAMPLE_RATE = 16_000

__all__ = [
    "TARGET_SAMPLE_RATE",
    "AudioError",
    "AudioFileNotFoundError",
    "AudioTooShortError",
    "CalltoneError",
    "ChannelLayoutError",
    "CorruptAudioError",
    "EmptyAudioError",
    "FrameError",
    "InvalidSamplesError",
    "SampleRateError",
    "UnsupportedFormatError",
]
