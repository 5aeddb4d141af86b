"""The exception tree shared by every layer.

It lives in ``audio`` because ``audio`` imports nothing of ours; ``models`` and ``service``
subclass :class:`CalltoneError` for their own failures. Every message names the problem *and*
the fix, so the CLI can print it as one line and exit with status 2.
"""

from __future__ import annotations


class CalltoneError(Exception):
    """Base class of every error calltone raises on purpose."""


class AudioError(CalltoneError):
    """Audio that cannot be analysed as given."""


class AudioFileNotFoundError(AudioError):
    """The path does not exist or is not a file."""


class UnsupportedFormatError(AudioError):
    """The container or codec is not one calltone reads."""


class CorruptAudioError(AudioError):
    """The file claims a supported format but cannot be decoded."""


class EmptyAudioError(AudioError):
    """The file decodes to zero samples."""


class AudioTooShortError(AudioError):
    """Fewer samples than one analysis frame."""


class InvalidSamplesError(AudioError):
    """NaN or infinite sample values."""


class SampleRateError(AudioError):
    """A sample rate outside the range calltone accepts."""


class ChannelLayoutError(AudioError):
    """The channel count or channel roles do not fit a call."""


class FrameError(AudioError):
    """A live PCM frame that is malformed (not whole samples, too large, empty)."""


class DecodedTooLargeError(AudioError):
    """A recording whose decoded samples would exceed the memory budget (a decompression bomb,
    a header that lies, or simply a call too long for the machine)."""


class ParameterError(CalltoneError, ValueError):
    """An option or argument with a value calltone cannot use (as librosa's ParameterError).

    The message names the parameter, the value given and what it accepts, so the command line
    prints it as one line. It is also a :class:`ValueError`, so pydantic validators and callers
    that catch ``ValueError`` keep working.
    """
