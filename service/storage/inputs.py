"""Typed inputs of the :class:`~calltone.service.storage.store.Store`: what a caller adds.

A caller that holds a detector :class:`~calltone.models.tone.events.Event`, a policy
:class:`~calltone.models.tone.alerts.Alert` or a transcript segment builds one of these records
(``from_event``, ``from_alert``, ``from_dict``); the record checks its fields once, when it is
made, and the store writes it as given. Records made from dicts (tests, tools, JSON read back)
go through ``from_dict``, which also names missing and unknown keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from calltone.models.tone.alerts import Alert
from calltone.models.tone.events import Event

from .db import InvalidRecordError
from .validation import (
    check_choice,
    check_name,
    check_seconds,
    check_text,
    json_dict,
    json_list,
    require_keys,
)

AUDIENCES: Final = ("agent", "supervisor", "both")
"""Who an alert is for: the agent's headset, the supervisor board, or both."""

ALERT_KIND_CHARS: Final = 50


def _set(record: object, name: str, value: object) -> None:
    """Store a normalised field value on a frozen record (only from ``__post_init__``)."""
    object.__setattr__(record, name, value)


@dataclasses.dataclass(frozen=True)
class NewEvent:
    """A detector event to store for a call (replacing a stored event with the same id).

    Attributes
    ----------
    id : str
        The event's id within its call (letters, digits, ``. _ @ -``).
    kind : str
        What happened ("yelling", "interruption", ...).
    speaker : str or None
        Whose event it is; None for call-wide events such as dead air.
    start_s, end_s : float
        Audio time in the call; an event still open is stored with its end so far.
    evidence : dict
        The detector's numbers, as plain JSON (NaN becomes null).
    extra : dict
        Any further keys of the analysis JSON's event (e.g. ``open``), given back at top level
        by :meth:`~calltone.service.storage.store.EventRecord.to_dict`.
    """

    id: str
    kind: str
    speaker: str | None
    start_s: float
    end_s: float
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        what = f"event {self.id!r}"
        check_name(self.id, "event id")
        check_text(self.kind, f"{what}: kind")
        if self.speaker is not None:
            check_text(self.speaker, f"{what}: speaker")
        start_s = check_seconds(self.start_s, f"{what}: start_s")
        end_s = check_seconds(self.end_s, f"{what}: end_s")
        if end_s < start_s:
            raise InvalidRecordError(f"{what}: end_s {end_s} is before start_s {start_s}")
        _set(self, "start_s", start_s)
        _set(self, "end_s", end_s)
        _set(self, "evidence", json_dict(self.evidence, f"{what}: evidence"))
        _set(self, "extra", json_dict(self.extra, f"{what}: extra keys"))

    _RESERVED: ClassVar[frozenset[str]] = frozenset(
        {"id", "call_id", "kind", "speaker", "start_s", "end_s", "evidence"}
    )

    @classmethod
    def from_dict(cls, event: Mapping[str, Any], *, what: str = "event") -> NewEvent:
        """An event dict of the analysis JSON (id, kind, start_s, end_s required; an integer id
        is kept as a string; keys other than the fields go to ``extra``)."""
        if not isinstance(event, Mapping):
            raise InvalidRecordError(f"{what} must be a dict, got {type(event).__name__}")
        require_keys(event, ("id", "kind", "start_s", "end_s"), what)
        event_id = event["id"]
        if isinstance(event_id, bool) or not isinstance(event_id, str | int):
            raise InvalidRecordError(f"{what}: id must be a string or integer, got {event_id!r}")
        return cls(
            id=str(event_id),
            kind=event["kind"],
            speaker=event.get("speaker"),
            start_s=event["start_s"],
            end_s=event["end_s"],
            evidence=event.get("evidence") or {},
            extra={k: v for k, v in event.items() if k not in cls._RESERVED},
        )

    @classmethod
    def from_event(cls, event: Event, now_s: float) -> NewEvent:
        """A detector event as the analysis JSON has it; an open event (no end yet) is stored
        with ``now_s`` (the call's audio time so far) as its end and replaced when it closes."""
        d = event.to_dict()
        if d["end_s"] is None:
            d["end_s"] = max(float(d["start_s"]), round(now_s, 2))
        return cls.from_dict(d)


@dataclasses.dataclass(frozen=True)
class NewSegment:
    """One transcript segment to store for a call.

    Attributes
    ----------
    speaker : str
        Who said it ("agent" or "customer").
    start_s, end_s : float
        Audio time in the call.
    text : str
        What was said (after redaction, if on).
    words : list
        Word timings (``{"word", "start_s", "end_s"}`` dicts), as plain JSON.
    extra : dict
        Any further keys of the segment dict (e.g. ``redacted``), given back at top level.
    """

    speaker: str
    start_s: float
    end_s: float
    text: str
    words: list[Any] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        what = "transcript segment"
        check_text(self.speaker, f"{what}: speaker")
        _set(self, "start_s", check_seconds(self.start_s, f"{what}: start_s"))
        _set(self, "end_s", check_seconds(self.end_s, f"{what}: end_s"))
        check_text(self.text, f"{what}: text")
        _set(self, "words", json_list(self.words, f"{what}: words"))
        _set(self, "extra", json_dict(self.extra, f"{what}: extra keys"))

    _RESERVED: ClassVar[frozenset[str]] = frozenset(
        {"id", "call_id", "speaker", "start_s", "end_s", "text", "words"}
    )

    @classmethod
    def from_dict(cls, segment: Mapping[str, Any]) -> NewSegment:
        """A ``segments[]`` entry of the analysis JSON (speaker, start_s, end_s, text required)."""
        what = "transcript segment"
        if not isinstance(segment, Mapping):
            raise InvalidRecordError(f"{what} must be a dict, got {type(segment).__name__}")
        require_keys(segment, ("speaker", "start_s", "end_s", "text"), what)
        return cls(
            speaker=segment["speaker"],
            start_s=segment["start_s"],
            end_s=segment["end_s"],
            text=segment["text"],
            words=segment.get("words") or [],
            extra={k: v for k, v in segment.items() if k not in cls._RESERVED},
        )


@dataclasses.dataclass(frozen=True)
class NewAlert:
    """An alert to store (the store assigns its id) and then deliver.

    Attributes
    ----------
    call_id : str
        The call it was raised in (must exist).
    kind : str
        The alert kind, 1-50 characters ("de_escalate", "escalation_flag", ...).
    audience : str
        One of :data:`AUDIENCES`.
    at_s : float
        Audio time in the call.
    message, tip : str
        What the person reads.
    source : dict
        The seed guidance it traces to.
    event_ids : list
        The events behind it.
    thresholds : dict
        The thresholds that fired.
    agent_id : str or None
        The call's agent; None takes the call's (a different one is refused when stored).
    """

    call_id: str
    kind: str
    audience: str
    at_s: float
    message: str
    tip: str = ""
    source: dict[str, Any] = dataclasses.field(default_factory=dict)
    event_ids: list[Any] = dataclasses.field(default_factory=list)
    thresholds: dict[str, Any] = dataclasses.field(default_factory=dict)
    agent_id: str | None = None

    def __post_init__(self) -> None:
        check_text(self.call_id, "alert call_id")
        check_text(self.kind, "alert kind")
        if not self.kind or len(self.kind) > ALERT_KIND_CHARS:
            raise InvalidRecordError(
                f"alert kind must be 1-{ALERT_KIND_CHARS} characters, got {self.kind!r}"
            )
        check_choice(self.audience, "alert audience", AUDIENCES)
        _set(self, "at_s", check_seconds(self.at_s, "alert at_s"))
        check_text(self.message, "alert message")
        check_text(self.tip, "alert tip")
        _set(self, "source", json_dict(self.source, "alert source"))
        _set(self, "event_ids", json_list(self.event_ids, "alert event_ids"))
        _set(self, "thresholds", json_dict(self.thresholds, "alert thresholds"))

    _REQUIRED: ClassVar[tuple[str, ...]] = ("call_id", "kind", "audience", "at_s", "message")
    _KEYS: ClassVar[frozenset[str]] = frozenset(
        {*_REQUIRED, "agent_id", "tip", "source", "event_ids", "thresholds", "id"}
    )

    @classmethod
    def from_dict(cls, alert: Mapping[str, Any]) -> NewAlert:
        """An alert dict: call_id, kind, audience, at_s, message required; agent_id, tip,
        source, event_ids, thresholds optional. An ``id`` key (an analysis-local alert id) is
        ignored: the store assigns ids. Other keys are refused."""
        if not isinstance(alert, Mapping):
            raise InvalidRecordError(f"an alert must be a dict, got {type(alert).__name__}")
        require_keys(alert, cls._REQUIRED, "alert")
        unknown = sorted(set(map(str, alert)) - cls._KEYS)
        if unknown:
            raise InvalidRecordError(
                f"alert has unknown keys {', '.join(unknown)}; allowed: "
                f"{', '.join(sorted(cls._KEYS))}"
            )
        return cls(
            call_id=alert["call_id"],
            kind=alert["kind"],
            audience=alert["audience"],
            at_s=alert["at_s"],
            message=alert["message"],
            tip=alert.get("tip", ""),
            source=alert.get("source") or {},
            event_ids=alert.get("event_ids") or [],
            thresholds=alert.get("thresholds") or {},
            agent_id=alert.get("agent_id"),
        )

    @classmethod
    def from_alert(cls, alert: Alert) -> NewAlert:
        """A policy alert. The store keeps no separate reason, so a reason goes into the message
        people read, in parentheses."""
        message = f"{alert.message} ({alert.reason})" if alert.reason else alert.message
        return cls(
            call_id=alert.call_id,
            kind=alert.kind,
            audience=alert.audience,
            at_s=round(alert.at_s, 2),
            message=message,
            tip=alert.tip,
            source=alert.source.to_dict(),
            event_ids=list(alert.event_ids),
            thresholds=dict(alert.thresholds),
            agent_id=alert.agent_id,
        )


__all__ = ["AUDIENCES", "NewAlert", "NewEvent", "NewSegment"]
