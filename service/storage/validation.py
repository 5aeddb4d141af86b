"""Field checks shared by the store and its typed input records.

Each check returns the value it accepted (normalised: seconds as ``float``, JSON cleaned by
:func:`~calltone.service.storage.db.jsonable`) or raises :class:`InvalidRecordError` naming the
field, what was wrong and what is accepted, so a bad record is refused before any SQL runs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .db import InvalidRecordError, jsonable
from .tables import NAME_CHARS

MAX_PAGE: Final = 5000
"""The most rows one listing call returns."""

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def check_name(value: object, what: str, max_chars: int = NAME_CHARS) -> str:
    """An identifier (user, agent, call, job or event id): letters, digits and ``. _ @ -``."""
    if not isinstance(value, str) or not _NAME_RE.match(value) or len(value) > max_chars:
        raise InvalidRecordError(
            f"{what} {value!r} is not valid: use 1-{max_chars} characters from letters, digits "
            "and . _ @ - (starting with a letter or digit)"
        )
    return value


def check_choice(value: object, what: str, choices: Sequence[str]) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise InvalidRecordError(f"{what} {value!r} is not one of: {', '.join(choices)}")
    assert isinstance(value, str)
    return value


def check_seconds(value: object, what: str) -> float:
    """A finite, non-negative number of seconds, as ``float``."""
    if isinstance(value, bool) or not hasattr(value, "__float__"):
        raise InvalidRecordError(f"{what} must be a number of seconds, got {value!r}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidRecordError(f"{what} must be a finite, non-negative number, got {value!r}")
    return seconds


def check_text(value: object, what: str) -> str:
    """A string (any content)."""
    if not isinstance(value, str):
        raise InvalidRecordError(f"{what} must be a string, got {type(value).__name__}")
    return value


def json_dict(value: object, what: str) -> dict[str, Any]:
    """A mapping, cleaned to plain JSON (NaN as null, numpy unwrapped)."""
    if not isinstance(value, Mapping):
        raise InvalidRecordError(f"{what} must be a dict, got {type(value).__name__}")
    result: dict[str, Any] = jsonable(value)
    return result


def json_list(value: object, what: str) -> list[Any]:
    """A sequence other than a string, cleaned to a plain JSON list."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidRecordError(f"{what} must be a list, got {type(value).__name__}")
    result: list[Any] = jsonable(list(value))
    return result


def require_keys(record: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    """Refuse a dict that lacks any of ``keys``, naming the missing ones and the ones given."""
    missing = [key for key in keys if key not in record]
    if missing:
        raise InvalidRecordError(
            f"{what} lacks {', '.join(missing)}; it needs {', '.join(keys)} "
            f"(got keys: {', '.join(sorted(map(str, record))) or 'none'})"
        )


def check_limit(limit: int) -> int:
    """A page size between 1 and :data:`MAX_PAGE`."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRecordError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    return limit


def check_aware(value: dt.datetime, what: str) -> dt.datetime:
    """A timezone-aware datetime, converted to UTC."""
    if value.tzinfo is None:
        raise InvalidRecordError(
            f"{what} must be timezone-aware (e.g. datetime.now(timezone.utc) - timedelta(...)), "
            f"got naive {value.isoformat()}"
        )
    return value.astimezone(dt.UTC)
