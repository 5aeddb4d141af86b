"""Errors of the platform adapters: each names what was wrong and how to fix it."""

from __future__ import annotations

from calltone.audio.errors import CalltoneError


class AdapterError(CalltoneError):
    """Bad input from a platform: the adapter answers in the platform's own way, then closes.

    ``code`` is a short machine name (logged, and sent where the platform has a place for it);
    ``close_code`` is the WebSocket close code for platforms whose only error signal is a close.
    """

    close_code = 1008
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, close_code: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if close_code is not None:
            self.close_code = close_code


class BadFrameError(AdapterError):
    """An audio frame that is empty, has a partial sample, or is too large."""

    close_code = 1007
    code = "bad_frame"


class UnsupportedFormatError(AdapterError):
    """A media format the runner cannot take (codec, rate or channel layout)."""

    close_code = 1003
    code = "unsupported_format"


class AuthError(AdapterError):
    """A missing, wrong, stale or replayed credential."""

    close_code = 1008
    code = "unauthorized"
