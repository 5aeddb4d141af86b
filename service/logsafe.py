"""Keep call audio, transcripts and tokens out of the server's logs.

calltone's own log messages name calls, agents and jobs, never audio or transcript text. Two
things below the app would still put them in the logs:

- uvicorn runs its WebSockets on the ``websockets`` protocol with the ``uvicorn.error`` logger;
  at ``--log-level debug`` that protocol logs every frame with a preview of its payload: the
  call's PCM bytes as hex, and the first ~75 characters of every JSON message (transcripts
  included). :class:`CallDataFilter` rewrites data-frame records to their kind and size only
  (control frames and connection states are kept as they are).
- uvicorn logs every socket's path with its query string at ``info``, and browsers and the
  headset client pass ``?token=...`` there; at ``debug`` the protocol also logs the handshake's
  headers (``Authorization: Bearer ...``, the ``calltone_token`` cookie). The filter masks the
  token in all three.

``create_app`` installs the filter (idempotent) on uvicorn's loggers, so any server running
the app gets it, not only ``calltone serve``.
"""

from __future__ import annotations

import logging
import re

GUARDED_LOGGERS = ("uvicorn.error", "uvicorn.access")

_TOKEN_RE = re.compile(
    r"((?:^|[?&\s])token=|calltone_token=|\bBearer\s+)[^&;,\s\"']+", re.IGNORECASE
)
_TOKEN_SHAPE_RE = re.compile(r"\bct(?:_|%5f)[A-Za-z0-9_\-%]{8,}", re.IGNORECASE)
"""A calltone token by its shape (``ct_`` + URL-safe base64), wherever it sits: the key it came
under may be percent-encoded (``?%74oken=``), misspelt, or in a path or header we do not know."""
_DATA_OPCODES = frozenset({"TEXT", "BINARY", "CONT"})


def redact_tokens(text: str) -> str:
    """``...?token=ct_abc&after=3`` -> ``...?token=***&after=3`` (also ``Bearer ct_abc``
    and ``calltone_token=ct_abc``), and anything shaped like a token -> ``ct_***``."""
    return _TOKEN_SHAPE_RE.sub("ct_***", _TOKEN_RE.sub(r"\1***", text))


class CallDataFilter(logging.Filter):
    """Frame payloads become ``< TEXT [123 bytes]``; ``token=`` values become ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg in ("< %s", "> %s") and isinstance(args, tuple) and len(args) == 1:
            frame = args[0]
            opcode = getattr(getattr(frame, "opcode", None), "name", None)
            data = getattr(frame, "data", None)
            if opcode in _DATA_OPCODES and isinstance(data, bytes | bytearray | memoryview):
                record.msg = f"{record.msg[0]} {opcode} [{len(data)} bytes; content not logged]"
                record.args = ()
                return True
        if isinstance(args, tuple) and args:
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True


def install_log_filters() -> None:
    """Add :class:`CallDataFilter` to uvicorn's loggers (once)."""
    for name in GUARDED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, CallDataFilter) for f in logger.filters):
            logger.addFilter(CallDataFilter())
