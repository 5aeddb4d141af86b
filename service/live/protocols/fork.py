"""A FreeSWITCH audio fork (``mod_audio_fork`` / ``mod_audio_stream``) at ``WS /v1/fork``.

FreeSWITCH is told ``uuid_audio_fork <uuid> start wss://host/v1/fork?token=KEY <mix>
<rate> <metadata>``: it connects, sends the metadata as one text frame, then binary L16 (16-bit
little-endian, as the host's memory holds it) at 8 or 16 kHz: ``mono`` (the leg's received
audio only), ``mixed`` (both sides summed into one channel) or ``stereo`` (the leg's received
audio first, the audio it hears second). The socket's end is the call's end: a normal close
ends the call, a dropped connection leaves it ``interrupted``.

The fork's dial string does not carry the format in-band, so it is taken from the metadata
(``sample_rate``, ``mix``), else the URL query (``?sample_rate=16000&mix=stereo``), else the
settings. ``agent_id`` and ``call_id`` (or FreeSWITCH's ``uuid``) come from the metadata;
``agent_channel`` (stereo) and ``mono_role`` (mono) may be given there or in the URL too.
Errors are sent as ``{"type": "error", "data": {"code", "message"}}`` (FreeSWITCH raises a
``mod_audio_fork::error`` event with it) and the socket is closed with a matching code.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import re
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from calltone.service.live.hub import LiveHub
from calltone.service.live.protocols.bridge import CallBridge, CallStart, source_user
from calltone.service.live.protocols.config import SourceSettings
from calltone.service.live.protocols.errors import (
    AdapterError,
    AuthError,
    BadFrameError,
    UnsupportedFormatError,
)

log = logging.getLogger("calltone.protocols.fork")

MIXES = ("mono", "mixed", "stereo")
RATES = (8000, 16000)
_CALL_ID_RE = re.compile(r"[^A-Za-z0-9._@-]")


def authenticate(ws: WebSocket, sources: SourceSettings) -> str:
    """The source name whose key the connection carries (``?token=`` or HTTP Basic)."""
    key = ws.query_params.get("token")
    name: str | None = None
    header = ws.headers.get("authorization", "")
    if not key and header.lower().startswith("basic "):
        try:
            name, _, key = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise AuthError("malformed HTTP Basic authorization header") from exc
    if not key:
        if sources.fork_allow_unauthenticated:
            return "unauthenticated"
        raise AuthError(
            "no key: put ?token=KEY in the fork URL (or HTTP Basic auth) with a key whose "
            "SHA-256 is in CALLTONE_FORK_KEYS"
        )
    source = sources.fork_source(key, name)
    if source is None:
        raise AuthError("unknown fork key")
    return source


def _choice(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if value not in allowed:
        raise UnsupportedFormatError(
            f"{what} {str(value)[:20]!r} is not supported; use one of "
            f"{', '.join(str(a) for a in allowed)}"
        )
    return value


def plan_call(
    metadata: dict[str, Any], query: dict[str, str], sources: SourceSettings, source: str
) -> CallStart:
    """The call the fork describes (metadata first, then the URL, then the settings)."""

    def pick(name: str, default: Any) -> Any:
        if name in metadata:
            return metadata[name]
        return query.get(name, default)

    try:
        rate = int(pick("sample_rate", sources.fork_sample_rate_hz))
    except (TypeError, ValueError) as exc:
        raise UnsupportedFormatError("sample_rate must be 8000 or 16000") from exc
    _choice(rate, RATES, "sample_rate")
    mix = _choice(str(pick("mix", pick("mix_type", sources.fork_mix))), MIXES, "mix")
    agent = metadata.get("agent_id") or sources.fork_default_agent_id
    if not agent or not isinstance(agent, str):
        raise AdapterError(
            "the metadata has no agent_id (or set CALLTONE_FORK_DEFAULT_AGENT_ID)",
            code="bad_start",
        )
    raw_id = metadata.get("call_id") or metadata.get("uuid")
    if not raw_id or not isinstance(raw_id, str):
        raise AdapterError(
            "the metadata has no call_id or uuid (pass FreeSWITCH's ${uuid})", code="bad_start"
        )
    call_id = "fork-" + _CALL_ID_RE.sub("_", raw_id)[:150]
    if mix == "stereo":
        try:
            agent_channel = int(pick("agent_channel", sources.fork_agent_channel))
        except (TypeError, ValueError) as exc:
            raise AdapterError("agent_channel must be 0 or 1", code="bad_start") from exc
        _choice(agent_channel, (0, 1), "agent_channel")
        channels, mono_role = 2, "agent"
    else:
        channels, agent_channel = 1, 0
        mono_role = str(pick("mono_role", sources.fork_mono_role))
        _choice(mono_role, ("agent", "customer"), "mono_role")
    separate = False
    agent_speaker = "auto"
    if mix == "mixed":
        flag = str(pick("separate", sources.fork_separate_mixed)).lower()
        _choice(flag, ("true", "false", "1", "0"), "separate")
        separate = flag in ("true", "1")
        agent_speaker = str(pick("agent_speaker", sources.fork_agent_speaker))
        _choice(agent_speaker, ("auto", "first", "second"), "agent_speaker")
    return CallStart(
        call_id=call_id,
        agent_id=agent,
        sample_rate_hz=rate,
        channels=channels,
        agent_channel=agent_channel,
        mono_role=mono_role,
        source={"protocol": "fork", "source": source, "mix": mix, "uuid": str(raw_id)[:200]},
        separate=separate,
        agent_speaker=agent_speaker,
    )


async def serve_fork(ws: WebSocket, hub: LiveHub, sources: SourceSettings) -> None:
    """The whole life of one fork connection."""
    try:
        source = authenticate(ws, sources)
    except AuthError as exc:
        log.warning("fork refused at the upgrade: %s", exc.message)
        await ws.close(1008)  # before accept: HTTP 403
        return
    await ws.accept()
    bridge: CallBridge | None = None
    try:
        try:
            msg = await asyncio.wait_for(ws.receive(), sources.fork_metadata_timeout_s)
        except TimeoutError as exc:
            raise AdapterError(
                f"no metadata within {sources.fork_metadata_timeout_s:.0f} s", code="timeout"
            ) from exc
        if msg["type"] == "websocket.disconnect":
            return
        if msg.get("text") is None:
            raise AdapterError(
                "audio before the metadata: the first frame must be the JSON metadata",
                code="missing_start",
            )
        text = msg["text"]
        if len(text) > sources.fork_max_text_bytes:
            raise AdapterError("metadata too large", code="bad_start", close_code=1009)
        try:
            metadata = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise AdapterError(
                f"metadata is not JSON ({exc.msg})", code="bad_start", close_code=1007
            ) from exc
        if not isinstance(metadata, dict):
            raise AdapterError("metadata must be a JSON object", code="bad_start", close_code=1007)
        call = plan_call(metadata, dict(ws.query_params), sources, source)
        bridge = CallBridge(hub, call, source_user("fork", source))
        error = await bridge.open()
        if error is not None:
            bridge = None
            raise AdapterError(
                f"calltone cannot take this call: {error['message']}", code=error["code"]
            )
        log.info("fork %s: call %s started (%s)", source, call.call_id, call.source["mix"])
        frame_bytes = 2 * call.channels
        limit = min(hub.settings.max_frame_bytes, call.sample_rate_hz * frame_bytes)
        while True:
            try:
                msg = await asyncio.wait_for(ws.receive(), sources.fork_idle_timeout_s)
            except TimeoutError as exc:
                raise AdapterError(
                    f"no audio for {sources.fork_idle_timeout_s:.0f} s", code="timeout"
                ) from exc
            if msg["type"] == "websocket.disconnect":
                if msg.get("code", 1000) in (1000, 1001):
                    await bridge.stop()  # the fork ends with the call (or a hang-up)
                else:
                    log.warning(
                        "fork %s: call %s dropped (%s)", source, call.call_id, msg.get("code")
                    )
                    await bridge.abort()
                await bridge.wait(timeout_s=hub.settings.transcription_drain_s + 30.0)
                return
            data = msg.get("bytes")
            if data is None:
                raise AdapterError(
                    "a second text frame: after the metadata a fork sends binary audio only",
                    code="already_started",
                )
            if not data or len(data) % frame_bytes:
                raise BadFrameError(
                    f"audio frame of {len(data)} bytes is not a whole number of "
                    f"{call.channels}-channel 16-bit samples"
                )
            if len(data) > limit:
                raise BadFrameError(
                    f"audio frame of {len(data)} bytes is over {limit}",
                    code="frame_too_large",
                    close_code=1009,
                )
            if bridge.port.closed.is_set():
                raise AdapterError(
                    "calltone stopped processing this call", code="internal", close_code=1011
                )
            await bridge.push(data)
    except AdapterError as exc:
        log.warning("fork %s: %s: %s", source, exc.code, exc.message)
        with contextlib.suppress(Exception):
            await ws.send_text(
                json.dumps({"type": "error", "data": {"code": exc.code, "message": exc.message}})
            )
            await ws.close(exc.close_code, reason=f"{exc.code}"[:120])
    except WebSocketDisconnect:
        pass
    finally:
        if bridge is not None:
            await bridge.close()
