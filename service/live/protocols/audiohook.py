"""Genesys Cloud AudioHook (Monitor), protocol version 2, at ``WS /v1/audiohook``.

Flow (client = Genesys): the upgrade carries ``Audiohook-Organization-Id``,
``Audiohook-Session-Id``, ``Audiohook-Correlation-Id``, ``X-API-KEY`` and an HTTP message
signature; then text messages ``{"version": "2", "id", "type", "seq", "serverseq", "position",
"parameters"}`` and binary frames of interleaved audio. ``open`` -> ``opened`` (one media format
chosen), ``ping`` -> ``pong``, ``paused``/``resumed``/``discarded`` (gaps, filled with silence so
the call's timeline stays true), ``update``, ``error``, ``close`` -> ``closed``. Problems are
answered with the server's ``disconnect`` (``reason`` ``unauthorized`` or ``error``, ``info``
saying what was wrong), after which Genesys closes the session. The probe connection (all-zero
conversation id) is answered and recorded as no call.

Channels: ``external`` is the customer, ``internal`` the agent, in whatever order offered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from typing import Any

import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from calltone.service.live.hub import LiveHub
from calltone.service.live.protocols.bridge import MAX_GAP_S, CallBridge, CallStart, source_user
from calltone.service.live.protocols.codec import mulaw_decode, parse_duration_s
from calltone.service.live.protocols.config import SourceSettings, sha256_hex
from calltone.service.live.protocols.errors import AdapterError, AuthError, UnsupportedFormatError
from calltone.service.live.protocols.signature import NonceMemory, Verifier

log = logging.getLogger("calltone.protocols.audiohook")

NULL_UUID = "00000000-0000-0000-0000-000000000000"
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
CLIENT_TYPES = ("open", "close", "ping", "paused", "resumed", "discarded", "update", "error")
SUPPORTED_FORMATS = ("PCMU", "L16")
RATE_HZ = 8000


class SessionError(AdapterError):
    """A protocol violation: answered with ``disconnect`` (reason ``error``)."""


def make_verifier(sources: SourceSettings) -> Verifier:
    return Verifier(
        secret_of=sources.audiohook_secret,
        max_age_s=sources.audiohook_max_signature_age_s,
        clock_skew_s=sources.audiohook_clock_skew_s,
        min_nonce_chars=sources.audiohook_min_nonce_chars,
        nonces=NonceMemory(sources.audiohook_nonce_memory),
    )


def _lookup(params: dict[str, Any], path: str) -> Any:
    node: Any = params
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def resolve_agent(params: dict[str, Any], sources: SourceSettings) -> str:
    """The calltone agent id of an ``open``: first path found, mapped, else the default."""
    for path in sources.audiohook_agent_id_paths:
        value = _lookup(params, path)
        if isinstance(value, str | int) and str(value).strip():
            found = str(value).strip()
            return sources.audiohook_agent_ids.get(found, found)
    if sources.audiohook_default_agent_id:
        return sources.audiohook_default_agent_id
    raise SessionError(
        "no agent id in the open message (looked at "
        f"{', '.join(sources.audiohook_agent_id_paths)}); add an agentId to the integration's "
        "custom config or set CALLTONE_AUDIOHOOK_DEFAULT_AGENT_ID"
    )


def choose_media(offered: Any) -> dict[str, Any]:
    """The first offered format the runner takes: audio, PCMU or L16, 8 kHz, known channels."""
    if not isinstance(offered, list) or not offered:
        raise UnsupportedFormatError("the open message offers no media")
    for m in offered:
        if not isinstance(m, dict):
            continue
        chans = m.get("channels")
        if (
            m.get("type") == "audio"
            and m.get("format") in SUPPORTED_FORMATS
            and m.get("rate") == RATE_HZ
            and isinstance(chans, list)
            and 1 <= len(chans) <= 2
            and len(set(chans)) == len(chans)
            and all(c in ("external", "internal") for c in chans)
        ):
            return {"type": "audio", "format": m["format"], "channels": chans, "rate": RATE_HZ}
    raise UnsupportedFormatError(
        "none of the offered media formats is supported; offer audio PCMU or L16 at 8000 Hz "
        "with channels external and/or internal"
    )


class AudioHookSession:
    """One AudioHook WebSocket: the protocol's state machine around one :class:`CallBridge`."""

    def __init__(
        self, ws: WebSocket, hub: LiveHub, sources: SourceSettings, session_id: str, org_id: str
    ) -> None:
        self.ws = ws
        self.hub = hub
        self.sources = sources
        self.session_id = session_id
        self.org_id = org_id
        self.api_key = ""
        self.seq = 0
        self.clientseq = 0
        self.state = "preparing"  # -> active <-> paused -> closed | disconnecting
        self.media: dict[str, Any] | None = None
        self.bridge: CallBridge | None = None
        self.probe = False
        self.position_s = 0.0
        self._bytes_per_frame = 0
        self._agent_index = 0
        self._order: list[int] = []

    # -- sending -------------------------------------------------------------------------------

    async def send(self, type_: str, parameters: dict[str, Any]) -> None:
        self.seq += 1
        msg = {
            "version": "2",
            "type": type_,
            "seq": self.seq,
            "clientseq": self.clientseq,
            "id": self.session_id,
            "parameters": parameters,
        }
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self.ws.send_text(json.dumps(msg))

    async def disconnect(self, reason: str, info: str) -> None:
        """Tell Genesys to end the session, then wait (bounded) for its ``close``."""
        if self.state in ("disconnecting", "closed"):
            return
        log.warning("audiohook session %s: disconnect (%s): %s", self.session_id, reason, info)
        self.state = "disconnecting"
        await self.send("disconnect", {"reason": reason, "info": info})
        if self.bridge is not None:
            await self.bridge.abort()
        deadline = time.monotonic() + self.sources.audiohook_close_timeout_s
        while time.monotonic() < deadline:
            try:
                msg = await asyncio.wait_for(self.ws.receive(), deadline - time.monotonic())
            except (TimeoutError, WebSocketDisconnect, RuntimeError):
                break
            if msg["type"] == "websocket.disconnect":
                return
            text = msg.get("text")
            if text is None:
                continue
            with contextlib.suppress(ValueError, AttributeError):
                raw = json.loads(text)
                if isinstance(raw, dict) and isinstance(raw.get("seq"), int):
                    self.clientseq = raw["seq"]
                if isinstance(raw, dict) and raw.get("type") == "close":
                    await self.send("closed", {})
                    break
        self.state = "closed"
        with contextlib.suppress(Exception):
            await self.ws.close(1000)

    # -- receiving -----------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while self.state not in ("closed", "disconnecting"):
                try:
                    msg = await asyncio.wait_for(
                        self.ws.receive(), self.sources.audiohook_idle_timeout_s
                    )
                except TimeoutError:
                    await self.disconnect(
                        "error", f"no message for {self.sources.audiohook_idle_timeout_s:.0f} s"
                    )
                    return
                if msg["type"] == "websocket.disconnect":
                    if self.bridge is not None and self.state != "closed":
                        log.warning(
                            "audiohook session %s: socket closed without close; call %s "
                            "interrupted",
                            self.session_id,
                            self.bridge.call_id,
                        )
                    return
                try:
                    if msg.get("bytes") is not None:
                        await self.on_audio(msg["bytes"])
                    else:
                        await self.on_text(msg.get("text") or "")
                except AuthError as exc:
                    await self.disconnect("unauthorized", exc.message)
                    return
                except AdapterError as exc:
                    await self.disconnect("error", exc.message)
                    return
        finally:
            if self.bridge is not None:
                await self.bridge.close()

    async def on_text(self, text: str) -> None:
        if len(text.encode()) > self.sources.audiohook_max_text_bytes:
            raise SessionError(
                f"text message too large (> {self.sources.audiohook_max_text_bytes} bytes)"
            )
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SessionError(f"text message is not valid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise SessionError("message is not a JSON object")
        if raw.get("version") != "2":
            raise SessionError(f"unsupported protocol version {raw.get('version')!r} (2 is)")
        seq, serverseq = raw.get("seq"), raw.get("serverseq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise SessionError("message without a valid seq")
        if not isinstance(serverseq, int) or isinstance(serverseq, bool) or serverseq < 0:
            raise SessionError("message without a valid serverseq")
        if not isinstance(raw.get("parameters"), dict) or not isinstance(raw.get("type"), str):
            raise SessionError("message without type or parameters")
        try:
            self.position_s = parse_duration_s(raw.get("position"))
        except ValueError as exc:
            raise SessionError(f"invalid position: {exc}") from exc
        if seq != self.clientseq + 1:
            raise SessionError(
                f"Invalid seq value (expected {self.clientseq + 1}, got {seq}): "
                "not monotonically increasing"
            )
        self.clientseq = seq
        if serverseq > self.seq:
            raise SessionError(f"Invalid serverseq {serverseq}: the server sent only {self.seq}")
        if raw.get("id") != self.session_id:
            raise SessionError("Session identifier mismatch (id is not Audiohook-Session-Id)")
        kind, params = raw["type"], raw["parameters"]
        if kind not in CLIENT_TYPES:
            raise SessionError(f"Invalid Message: {kind!r} is not a supported client message")
        handler = getattr(self, f"on_{kind}")
        await handler(params)

    async def on_open(self, params: dict[str, Any]) -> None:
        if self.state != "preparing":
            raise SessionError("a second open message on this session")
        conversation = params.get("conversationId")
        participant = params.get("participant")
        if not isinstance(conversation, str) or not UUID_RE.match(conversation):
            raise SessionError("open: conversationId must be a UUID")
        if not isinstance(participant, dict):
            raise SessionError("open: participant must be an object")
        if params.get("organizationId") != self.org_id:
            raise AuthError(
                "organizationId of the open message differs from the Audiohook-Organization-Id "
                "header"
            )
        self.media = choose_media(params.get("media"))
        chans: list[str] = self.media["channels"]
        width = 1 if self.media["format"] == "PCMU" else 2
        self._bytes_per_frame = width * len(chans)
        if conversation == NULL_UUID:
            self.probe = True
            log.info("audiohook session %s: connection probe answered (no call)", self.session_id)
            self.state = "active"
            await self.send("opened", {"media": [self.media], "startPaused": False})
            return
        agent = resolve_agent(params, self.sources)
        roles = {"internal": "agent", "external": "customer"}
        if len(chans) == 2:
            agent_channel, mono_role = chans.index("internal"), "agent"
        else:
            agent_channel, mono_role = 0, roles[chans[0]]
        start = CallStart(
            call_id=f"ah-{conversation}-{self.session_id}",
            agent_id=agent,
            sample_rate_hz=RATE_HZ,
            channels=len(chans),
            agent_channel=agent_channel,
            mono_role=mono_role,
            source={
                "protocol": "audiohook",
                "api_key_sha256": sha256_hex(self.api_key)[:12],  # which key, not the key
                "organization_id": self.org_id,
                "conversation_id": conversation,
                "session_id": self.session_id,
                "participant_id": str(participant.get("id", "")),
                "format": str(self.media["format"]),
            },
        )
        self.bridge = CallBridge(
            self.hub, start, source_user("audiohook", start.source["api_key_sha256"])
        )
        error = await self.bridge.open()
        if error is not None:
            self.bridge = None
            raise SessionError(f"calltone cannot take this call: {error['message']}")
        self.state = "active"
        log.info(
            "audiohook session %s: call %s opened (%s, agent %s)",
            self.session_id,
            start.call_id,
            self.media["format"],
            agent,
        )
        await self.send("opened", {"media": [self.media], "startPaused": False})

    async def on_audio(self, data: bytes) -> None:
        if self.state == "preparing":
            raise SessionError("Received audio before the open transaction completed")
        if self.state == "paused":
            raise SessionError("Received audio while paused")
        if self.state != "active" or self.media is None:
            raise SessionError(f"Received audio in state {self.state}")
        if not data or len(data) % self._bytes_per_frame:
            raise SessionError(
                f"Binary data not a valid audio frame: {len(data)} bytes is not a multiple of "
                f"{self._bytes_per_frame} ({self.media['format']}, {len(self.media['channels'])} "
                "channel(s))"
            )
        if len(data) > self.hub.settings.max_frame_bytes:
            raise SessionError(f"audio frame of {len(data)} bytes is too large")
        if self.probe or self.bridge is None:
            raise SessionError("the connection probe carries no audio")
        if self.media["format"] == "PCMU":
            pcm = mulaw_decode(data).tobytes()  # the table is little-endian int16
        else:
            pcm = np.frombuffer(data, dtype="<i2").tobytes()
        if self.bridge.port.closed.is_set():
            raise SessionError("calltone stopped processing this call (see the server log)")
        await self.bridge.push(pcm)

    async def on_close(self, params: dict[str, Any]) -> None:
        reason = params.get("reason")
        log.info("audiohook session %s: close (%s)", self.session_id, reason)
        self.state = "closed"
        if self.bridge is not None:
            await self.bridge.stop()
        await self.send("closed", {})
        with contextlib.suppress(Exception):
            await self.ws.close(1000)
        if self.bridge is not None:
            await self.bridge.wait(timeout_s=self.hub.settings.transcription_drain_s + 30.0)

    async def on_ping(self, params: dict[str, Any]) -> None:
        await self.send("pong", {})
        if self.bridge is not None:  # keeps the call alive through a long pause (hold)
            await self.bridge.keepalive()

    async def on_paused(self, params: dict[str, Any]) -> None:
        if self.state == "active":
            self.state = "paused"
            log.info("audiohook session %s: paused at %.2f s", self.session_id, self.position_s)

    async def on_resumed(self, params: dict[str, Any]) -> None:
        if self.state != "paused":
            log.warning("audiohook session %s: resumed while %s", self.session_id, self.state)
            return
        gap_s = self._gap(params, "resumed")
        self.state = "active"
        if self.bridge is not None:
            await self.bridge.push_silence(gap_s)

    async def on_discarded(self, params: dict[str, Any]) -> None:
        gap_s = self._gap(params, "discarded")
        log.info("audiohook session %s: %.2f s of audio discarded", self.session_id, gap_s)
        if self.bridge is not None and self.state in ("active", "paused"):
            await self.bridge.push_silence(gap_s)

    def _gap(self, params: dict[str, Any], what: str) -> float:
        try:
            parse_duration_s(params.get("start"))
            gap_s = parse_duration_s(params.get("discarded"))
        except ValueError as exc:
            raise SessionError(f"{what}: invalid start/discarded ({exc})") from exc
        if gap_s > MAX_GAP_S:
            raise SessionError(
                f"{what}: a gap of {gap_s:.0f} s is over the {MAX_GAP_S:.0f} s calltone takes"
            )
        return gap_s

    async def on_update(self, params: dict[str, Any]) -> None:
        log.info("audiohook session %s: update %s", self.session_id, sorted(params))

    async def on_error(self, params: dict[str, Any]) -> None:
        log.warning(
            "audiohook session %s: client error %s: %s",
            self.session_id,
            params.get("code"),
            str(params.get("message", ""))[:200],
        )


async def serve_audiohook(
    ws: WebSocket, hub: LiveHub, sources: SourceSettings, verifier: Verifier
) -> None:
    """The whole life of one AudioHook connection."""
    headers = {k.lower(): v for k, v in ws.headers.items()}
    session_id = headers.get("audiohook-session-id", "").strip()
    org_id = headers.get("audiohook-organization-id", "").strip()
    await ws.accept()
    if not UUID_RE.match(session_id):
        await AudioHookSession(ws, hub, sources, NULL_UUID, org_id).disconnect(
            "error", "missing or invalid Audiohook-Session-Id header field (a UUID)"
        )
        return
    session = AudioHookSession(ws, hub, sources, session_id, org_id)
    target = ws.url.path + (f"?{ws.url.query}" if ws.url.query else "")
    started = time.monotonic()
    try:
        if not org_id or not headers.get("audiohook-correlation-id"):
            raise AuthError(
                "missing Audiohook-Organization-Id or Audiohook-Correlation-Id header field"
            )
        session.api_key = verifier.verify(headers, target)
    except AuthError as exc:
        delay_s = sources.audiohook_failure_delay_ms / 1000.0 - (time.monotonic() - started)
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        await session.disconnect("unauthorized", exc.message)
        return
    await session.run()
