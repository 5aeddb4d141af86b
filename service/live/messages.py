"""Typed messages the server sends on live sockets (docs/live-protocol.md has the wire format).

Each message is a frozen dataclass whose :meth:`to_dict` is the JSON object sent, with its
``type`` first; :func:`encode` turns one into the text frame. The call runner sends the call
socket's messages, the listen relay its own, and the protocol module the ``error`` message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class _Message:
    type: ClassVar[str]

    def fields(self) -> dict[str, Any]:
        """The message's fields (without ``type``), in wire order."""
        return dict(self.__dict__)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object sent: ``{"type": ..., **fields}``."""
        return {"type": self.type, **self.fields()}


# -- the call socket (/v1/calls/{call_id}/audio) --------------------------------------------------


@dataclass(frozen=True)
class Started(_Message):
    """The call is live: its id, agent and the audio format it was opened with."""

    type: ClassVar[str] = "started"
    call_id: str
    agent_id: str
    format: dict[str, Any]


@dataclass(frozen=True)
class EventMessage(_Message):
    """A detector or phrase-cue event (sent when it opens and again when it closes)."""

    type: ClassVar[str] = "event"
    event: dict[str, Any]


@dataclass(frozen=True)
class AlertMessage(_Message):
    """An alert, already stored (its id is the store's)."""

    type: ClassVar[str] = "alert"
    alert: dict[str, Any]


@dataclass(frozen=True)
class TranscriptMessage(_Message):
    """A transcript segment, as stored (card and phone numbers masked unless turned off)."""

    type: ClassVar[str] = "transcript"
    segment: dict[str, Any]


@dataclass(frozen=True)
class TranscriptGap(_Message):
    """Audio that will not be transcribed (backlog full, failure, or dropped at the end);
    ``speaker`` is None for a gap that covers everything still pending."""

    type: ClassVar[str] = "transcript_gap"
    from_s: float | None
    to_s: float
    reason: str
    speaker: str | None = None

    def fields(self) -> dict[str, Any]:
        head = {} if self.speaker is None else {"speaker": self.speaker}
        return {**head, "from_s": self.from_s, "to_s": self.to_s, "reason": self.reason}


@dataclass(frozen=True)
class Pong(_Message):
    """The answer to a ``ping``: the call's audio time so far."""

    type: ClassVar[str] = "pong"
    time_s: float


@dataclass(frozen=True)
class Summary(_Message):
    """The end of a stopped call: duration, events, alerts, metrics, transcription counts."""

    type: ClassVar[str] = "summary"
    summary: dict[str, Any]

    def fields(self) -> dict[str, Any]:
        return dict(self.summary)


@dataclass(frozen=True)
class ErrorMessage(_Message):
    """Why the server is about to close the socket: ``code`` for programs, ``message`` for
    people (it says what to send instead)."""

    type: ClassVar[str] = "error"
    code: str
    message: str


# -- the listen socket (/v1/calls/{call_id}/listen) -----------------------------------------------


@dataclass(frozen=True)
class ListenStart(_Message):
    """The format of the PCM frames that follow on a listen socket."""

    type: ClassVar[str] = "start"
    call_id: str
    agent_id: str
    sample_rate: int | None
    channels: int | None
    encoding: str
    agent_channel: int | None


@dataclass(frozen=True)
class CallEnded(_Message):
    """The call a listener follows has ended (with its id, or with the state storage has)."""

    type: ClassVar[str] = "end"
    call_id: str | None = None
    state: str | None = None

    def fields(self) -> dict[str, Any]:
        return {k: v for k, v in (("call_id", self.call_id), ("state", self.state)) if v}


OutboundMessage = (
    Started
    | EventMessage
    | AlertMessage
    | TranscriptMessage
    | TranscriptGap
    | Pong
    | Summary
    | ErrorMessage
    | ListenStart
    | CallEnded
)


def encode(message: OutboundMessage) -> str:
    """The text frame of ``message``."""
    return json.dumps(message.to_dict())
