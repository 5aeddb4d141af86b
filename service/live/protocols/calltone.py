"""calltone's own live protocol on ``/v1/calls/{call_id}/audio``: the first adapter.

A client sends a JSON ``start`` message (:class:`StartMessage`), then binary frames of
interleaved 16-bit PCM, ``{"type": "ping"}`` while paused and ``{"type": "stop"}`` at the end
(docs/live-protocol.md). This module owns what the protocol accepts and how it refuses: the
start message and frame checks, :class:`ProtocolError` with its WebSocket close codes, and the
``error`` message. :func:`calltone.service.live.runner.run_call` drives a call with it; the
platform adapters beside this module (AudioHook, Twilio, FreeSWITCH fork) translate their own
wire formats into it through :mod:`.bridge`.
"""

from __future__ import annotations

import contextlib
import importlib.util
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.websockets import WebSocket

from calltone.audio.channels import ChannelRoles, resolve_roles
from calltone.audio.errors import CalltoneError
from calltone.audio.pcm import PcmFormat
from calltone.models.diarization import AgentSpeakerMode
from calltone.service.guard import MessageTooComplexError, loads_bounded
from calltone.service.live.messages import (
    ErrorMessage,
    encode,
)
from calltone.service.storage import (
    UserRecord,
)

# WebSocket close codes (RFC 6455 section 7.4.1).
CLOSE_NORMAL = 1000
CLOSE_UNSUPPORTED = 1003
CLOSE_INVALID = 1007
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011


class ProtocolError(CalltoneError):
    """Bad input on a socket: sent to the client as an ``error`` message, then the socket closes."""

    def __init__(self, code: str, message: str, close_code: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code


class StartMessage(BaseModel):
    """The first message on ``/v1/calls/{call_id}/audio``."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["start"]
    agent_id: str | None = None
    sample_rate: int = Field(16_000, description="Hz of the PCM frames that follow")
    channels: int = 2
    encoding: str = "pcm_s16le"
    agent_channel: int = 0
    customer_name: str | None = Field(None, description="lets phrase cues recognise the name")
    mono_role: Literal["agent", "customer"] = Field(
        "agent", description="who the single voice of a one-channel call is"
    )
    separate: bool = Field(
        False,
        description="a one-channel stream that mixes both parties: separate them live "
        "(docs/diarization.md, 'Live mono streams'; alerts come delay_s later)",
    )
    agent_speaker: AgentSpeakerMode = Field(
        "auto",
        description="with separate: which speaker of the mix is the agent (auto: the agent's "
        "saved voice profile when it tells the voices apart, else the first speaker)",
    )
    source: dict[str, str] | None = Field(
        None,
        description="where the audio comes from (a platform adapter's ids: protocol, session, "
        "conversation); kept in the call's meta",
    )


def parse_start(
    text: str | None,
    user: UserRecord,
    *,
    max_bytes: int = 16 * 1024,
    max_depth: int = 32,
) -> tuple[StartMessage, PcmFormat, ChannelRoles]:
    """Validate the ``start`` message (parsed within ``max_bytes`` and ``max_depth``); every
    failure names what to send instead."""
    if text is None:
        raise ProtocolError(
            "missing_start",
            'the first message must be JSON {"type": "start", "agent_id": ..., "sample_rate": '
            '16000, "channels": 2, "encoding": "pcm_s16le"}, not audio',
            CLOSE_POLICY,
        )
    try:
        raw = loads_bounded(text, max_bytes=max_bytes, max_depth=max_depth)
    except MessageTooComplexError as exc:
        raise ProtocolError(
            "bad_start", f"the start message: {exc}; send a JSON object", CLOSE_INVALID
        ) from exc
    if not isinstance(raw, dict) or raw.get("type") != "start":
        raise ProtocolError(
            "missing_start",
            'the first message must be {"type": "start", ...}; got '
            f"{str(raw.get('type') if isinstance(raw, dict) else type(raw).__name__)!r}",
            CLOSE_POLICY,
        )
    try:
        start = StartMessage.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise ProtocolError(
            "bad_start", f"start message field {where!r}: {err['msg']}", CLOSE_INVALID
        ) from exc
    if start.agent_id is None:
        if user.agent_id is None:
            raise ProtocolError(
                "bad_start",
                "the start message needs agent_id (the agent on this call)",
                CLOSE_INVALID,
            )
        start = start.model_copy(update={"agent_id": user.agent_id})
    if user.role == "agent" and start.agent_id != user.agent_id:
        raise ProtocolError(
            "forbidden",
            f"agent {user.agent_id!r} cannot stream calls of agent {start.agent_id!r}; use your "
            "own agent_id or an admin token",
            CLOSE_POLICY,
        )
    try:
        fmt = PcmFormat(start.sample_rate, start.channels, start.encoding)
    except CalltoneError as exc:
        raise ProtocolError("unsupported_format", str(exc), CLOSE_UNSUPPORTED) from exc
    if start.separate:
        if fmt.channels != 1:
            raise ProtocolError(
                "bad_start",
                f"separate needs a one-channel stream (the mix of both parties), not "
                f"{fmt.channels} channels; send channels 1, or drop separate for a two-channel call",
                CLOSE_INVALID,
            )
        if importlib.util.find_spec("librosa") is None:
            raise ProtocolError(
                "separation_unavailable",
                "this server cannot separate a mono mix: the speaker features need the 'mono' "
                "extra (pip install 'calltone[mono]' on the server); send two channels, or drop "
                "separate",
                CLOSE_UNSUPPORTED,
            )
        return start, fmt, ChannelRoles(agent=0, customer=1)
    try:
        roles = resolve_roles(
            fmt.channels,
            agent_channel=None
            if start.mono_role == "customer" and fmt.channels == 1
            else start.agent_channel,
            mono_role=start.mono_role,
        )
    except CalltoneError as exc:
        raise ProtocolError("bad_start", str(exc), CLOSE_INVALID) from exc
    return start, fmt, roles


def check_frame(data: bytes, fmt: PcmFormat, max_frame_bytes: int) -> None:
    """Reject a frame before it is queued (the session would, but too late to say which)."""
    limit = min(max_frame_bytes, fmt.max_frame_bytes)
    if not data:
        raise ProtocolError(
            "bad_frame",
            "empty audio frame; send 20-200 ms of PCM per binary message",
            CLOSE_INVALID,
        )
    if len(data) > limit:
        raise ProtocolError(
            "frame_too_large",
            f"audio frame of {len(data)} bytes is over the {limit}-byte limit; send 20-200 ms "
            "per binary message",
            CLOSE_TOO_BIG,
        )
    if len(data) % fmt.bytes_per_frame:
        raise ProtocolError(
            "bad_frame",
            f"audio frame of {len(data)} bytes is not a whole number of {fmt.channels}-channel "
            f"16-bit samples ({fmt.bytes_per_frame} bytes each); send whole interleaved samples",
            CLOSE_INVALID,
        )


async def reject_with(ws: WebSocket, err: ProtocolError) -> None:
    """Send ``err`` as an ``error`` message and close the socket with its close code."""
    with contextlib.suppress(Exception):
        await ws.send_text(encode(ErrorMessage(err.code, err.message)))
        await ws.close(err.close_code)


async def reject(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    """Send an ``error`` message and close (for routes outside a call)."""
    await reject_with(ws, ProtocolError(code, message, close_code))
