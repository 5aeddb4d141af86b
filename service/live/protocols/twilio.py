"""Twilio Media Streams at ``WS /v1/twilio`` (``<Start><Stream>`` with ``track="both_tracks"``).

Twilio opens the socket with an ``X-Twilio-Signature`` header (HMAC of the stream URL with the
account's auth token, checked with the official ``twilio`` package's ``RequestValidator``),
then sends JSON text messages: ``connected``, ``start`` (``streamSid``, ``callSid``,
``tracks``, ``customParameters``, ``mediaFormat`` audio/x-mulaw 8000 Hz mono), ``media``
(``track`` inbound/outbound, ``chunk``, ``timestamp`` in ms, base64 ``payload``; numbers may
come as strings), ``dtmf``, ``mark`` and ``stop``, each but the first with a
``sequenceNumber`` one above the last. Both tracks come on one socket as separate mono
messages: they are put side by side by ``timestamp``; a track Twilio sends nothing for (it
skips silence) is filled with silence once the other runs ``twilio_track_skew_ms`` ahead.

Twilio has no error message towards the stream's server: bad input is answered the way Twilio
itself ends a stream, by closing the socket with a code and a reason (logged on both sides);
a bad signature is refused at the upgrade (HTTP 403), before any call exists.
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

import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from calltone.service.live.hub import LiveHub
from calltone.service.live.protocols.bridge import MAX_GAP_S, CallBridge, CallStart, source_user
from calltone.service.live.protocols.codec import mulaw_decode
from calltone.service.live.protocols.config import SourceSettings
from calltone.service.live.protocols.errors import (
    AdapterError,
    AuthError,
    BadFrameError,
    UnsupportedFormatError,
)

log = logging.getLogger("calltone.protocols.twilio")

RATE_HZ = 8000
TRACKS = ("inbound", "outbound")
MAX_CHUNK_SAMPLES = 8000
_SID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")


def check_signature(ws: WebSocket, sources: SourceSettings) -> None:
    """Raise :class:`AuthError` unless ``X-Twilio-Signature`` signs this stream's URL."""
    signature = ws.headers.get("x-twilio-signature")
    token = sources.twilio_auth_token
    if not signature:
        if sources.twilio_allow_unsigned:
            return
        raise AuthError("no X-Twilio-Signature header (set CALLTONE_TWILIO_AUTH_TOKEN)")
    if token is None:
        raise AuthError("signed stream, but CALLTONE_TWILIO_AUTH_TOKEN is not set")
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(token.get_secret_value())
    path = ws.url.path + (f"?{ws.url.query}" if ws.url.query else "")
    host = ws.headers.get("host", "")
    candidates = (
        [sources.twilio_public_url.rstrip("/") + path]
        if sources.twilio_public_url
        else [f"wss://{host}{path}", f"ws://{host}{path}"]
    )
    if not any(validator.validate(url, {}, signature) for url in candidates):
        raise AuthError(
            "X-Twilio-Signature does not match (wrong auth token, or set "
            "CALLTONE_TWILIO_PUBLIC_URL to the wss:// URL Twilio is given)"
        )


class TrackAligner:
    """Two mono tracks with their own timestamps -> one two-channel timeline."""

    def __init__(self, tracks: list[str], skew_samples: int, max_gap_samples: int) -> None:
        self.tracks = tracks
        self.skew = skew_samples
        self.max_gap = max_gap_samples
        self._buf: dict[str, list[np.ndarray]] = {t: [] for t in tracks}
        self._end = dict.fromkeys(tracks, 0)  # absolute sample index where each track's data ends
        self.emitted = 0
        self.filled_samples = 0

    def add(self, track: str, start_sample: int, samples: np.ndarray) -> None:
        end = self._end[track]
        if start_sample - max(self._end.values()) > self.max_gap:
            raise AdapterError(
                f"media.timestamp jumps {(start_sample - end) / RATE_HZ:.0f} s ahead (over "
                f"{self.max_gap / RATE_HZ:.0f} s)",
                code="bad_message",
                close_code=1007,
            )
        if start_sample > end:  # Twilio skipped this track's silence (or lost packets)
            self._pad(track, start_sample - end)
        elif start_sample < end:  # overlap or a repeat: keep what we have
            samples = samples[end - start_sample :]
        if samples.size:
            self._buf[track].append(samples)
            self._end[track] += samples.size

    def _pad(self, track: str, n: int) -> None:
        self._buf[track].append(np.zeros(n, dtype=np.int16))
        self._end[track] += n
        self.filled_samples += n

    def take(self, *, flush: bool = False) -> np.ndarray:
        """Samples every track has, shape ``(n, channels)``; a lagging track is filled with
        silence once the leader is more than the skew ahead (all of it when ``flush``)."""
        lead = max(self._end.values())
        for t in self.tracks:
            behind = lead - self._end[t]
            if flush and behind > 0:
                self._pad(t, behind)
            elif behind > self.skew:
                self._pad(t, behind - self.skew)
        n = min(self._end.values()) - self.emitted
        if n <= 0:
            return np.zeros((0, len(self.tracks)), dtype=np.int16)
        cols = []
        for t in self.tracks:
            data = np.concatenate(self._buf[t]) if len(self._buf[t]) != 1 else self._buf[t][0]
            cols.append(data[:n])
            self._buf[t] = [data[n:]] if data.size > n else []
        self.emitted += n
        return np.stack(cols, axis=1)


def _int(value: Any, what: str) -> int:
    """Twilio sends numbers as strings in places; both are accepted."""
    if isinstance(value, bool):
        raise AdapterError(f"{what} must be a number", code="bad_message", close_code=1007)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise AdapterError(
            f"{what} must be a number, not {str(value)[:40]!r}", code="bad_message", close_code=1007
        ) from exc


class TwilioStream:
    """One Media Streams socket around one :class:`CallBridge`."""

    def __init__(self, ws: WebSocket, hub: LiveHub, sources: SourceSettings) -> None:
        self.ws = ws
        self.hub = hub
        self.sources = sources
        self.last_seq: int | None = None
        self.bridge: CallBridge | None = None
        self.aligner: TrackAligner | None = None
        self.stream_sid = ""
        self.dtmf: list[str] = []

    async def run(self) -> None:
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(
                        self.ws.receive(), self.sources.twilio_idle_timeout_s
                    )
                except TimeoutError as exc:
                    raise AdapterError(
                        f"no message for {self.sources.twilio_idle_timeout_s:.0f} s",
                        code="timeout",
                        close_code=1008,
                    ) from exc
                if msg["type"] == "websocket.disconnect":
                    if self.bridge is not None:
                        log.warning(
                            "twilio stream %s: socket closed without stop; call %s interrupted",
                            self.stream_sid,
                            self.bridge.call_id,
                        )
                    return
                if msg.get("bytes") is not None:
                    raise BadFrameError(
                        "binary frame: Media Streams sends JSON text messages only",
                        code="bad_message",
                    )
                if await self.on_text(msg.get("text") or ""):
                    return
        except AdapterError as exc:
            log.warning("twilio stream %s: %s: %s", self.stream_sid or "-", exc.code, exc.message)
            with contextlib.suppress(Exception):
                await self.ws.close(exc.close_code, reason=f"{exc.code}: {exc.message}"[:120])
        finally:
            if self.bridge is not None:
                await self.bridge.close()

    async def on_text(self, text: str) -> bool:
        """Handle one message; True once the stream ended normally."""
        if len(text) > self.sources.twilio_max_text_bytes:
            raise AdapterError("message too large", code="frame_too_large", close_code=1009)
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AdapterError(
                f"message is not JSON ({exc.msg})", code="bad_message", close_code=1007
            ) from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
            raise AdapterError("message has no 'event'", code="bad_message", close_code=1007)
        event = raw["event"]
        if event == "connected":
            return False
        if "sequenceNumber" in raw:
            seq = _int(raw["sequenceNumber"], "sequenceNumber")
            if self.last_seq is not None and seq != self.last_seq + 1:
                raise AdapterError(
                    f"out-of-order sequenceNumber {seq} after {self.last_seq}",
                    code="out_of_order",
                    close_code=1008,
                )
            self.last_seq = seq
        if event == "start":
            await self.on_start(raw)
        elif event == "media":
            await self.on_media(raw)
        elif event == "stop":
            await self.on_stop()
            return True
        elif event == "dtmf":
            digit = str((raw.get("dtmf") or {}).get("digit", ""))[:1]
            self.dtmf.append(digit)
            log.info("twilio stream %s: dtmf", self.stream_sid)  # digits may be a card number
        elif event == "mark":
            pass  # only sent back for marks we sent; monitor mode sends none
        else:
            raise AdapterError(
                f"unknown event {event[:40]!r}", code="unknown_message", close_code=1003
            )
        return False

    async def on_start(self, raw: dict[str, Any]) -> None:
        if self.bridge is not None:
            raise AdapterError("a second start message", code="already_started")
        start = raw.get("start")
        if not isinstance(start, dict):
            raise AdapterError("start message without 'start'", code="bad_start", close_code=1007)
        call_sid, stream_sid = start.get("callSid"), start.get("streamSid", raw.get("streamSid"))
        if not all(isinstance(s, str) and _SID_RE.match(s) for s in (call_sid, stream_sid)):
            raise AdapterError(
                "start needs callSid and streamSid", code="bad_start", close_code=1007
            )
        self.stream_sid = str(stream_sid)
        fmt = start.get("mediaFormat") or {}
        if not (
            isinstance(fmt, dict)
            and fmt.get("encoding") == "audio/x-mulaw"
            and _int(fmt.get("sampleRate"), "sampleRate") == RATE_HZ
            and _int(fmt.get("channels", 1), "channels") == 1
        ):
            raise UnsupportedFormatError(
                f"media format {fmt!r} is not supported; Media Streams send audio/x-mulaw, "
                "8000 Hz, 1 channel"
            )
        tracks = start.get("tracks") or ["inbound"]
        if not isinstance(tracks, list) or not tracks or any(t not in TRACKS for t in tracks):
            raise AdapterError(
                f"tracks {tracks!r}: expected inbound and/or outbound",
                code="bad_start",
                close_code=1007,
            )
        tracks = [t for t in TRACKS if t in tracks]  # channel 0 inbound, 1 outbound
        params = start.get("customParameters") or {}
        if not isinstance(params, dict):
            raise AdapterError("customParameters must be an object", code="bad_start")
        if not self.sources.twilio_stream_key_ok(params.get("calltone_key")):
            raise AuthError("missing or wrong calltone_key stream parameter")
        agent_track = params.get("agent_track", self.sources.twilio_agent_track)
        if agent_track not in TRACKS:
            raise AdapterError(
                f"agent_track {str(agent_track)[:20]!r} must be inbound or outbound",
                code="bad_start",
                close_code=1007,
            )
        agent = params.get(self.sources.twilio_agent_id_parameter)
        agent = agent or self.sources.twilio_default_agent_id
        if not agent:
            raise AdapterError(
                f"no <Parameter name='{self.sources.twilio_agent_id_parameter}'> on the stream "
                "(or set CALLTONE_TWILIO_DEFAULT_AGENT_ID)",
                code="bad_start",
            )
        if len(tracks) == 2:
            agent_channel, mono_role = tracks.index(agent_track), "agent"
        else:
            agent_channel, mono_role = 0, "agent" if tracks[0] == agent_track else "customer"
        call = CallStart(
            call_id=f"tw-{call_sid}-{stream_sid}",
            agent_id=str(agent),
            sample_rate_hz=RATE_HZ,
            channels=len(tracks),
            agent_channel=agent_channel,
            mono_role=mono_role,
            source={
                "protocol": "twilio",
                "call_sid": str(call_sid),
                "stream_sid": str(stream_sid),
                "account_sid": str(start.get("accountSid", "")),
                "agent_track": str(agent_track),
            },
        )
        skew = self.sources.twilio_track_skew_ms * RATE_HZ // 1000
        self.aligner = TrackAligner(tracks, skew, int(MAX_GAP_S * RATE_HZ))
        self.bridge = CallBridge(self.hub, call, source_user("twilio", str(call_sid)))
        error = await self.bridge.open()
        if error is not None:
            self.bridge = None
            raise AdapterError(
                f"calltone cannot take this call: {error['message']}", code=error["code"]
            )
        log.info("twilio stream %s: call %s started", stream_sid, call.call_id)

    async def on_media(self, raw: dict[str, Any]) -> None:
        if self.bridge is None or self.aligner is None:
            raise AdapterError("media before start", code="missing_start")
        media = raw.get("media")
        if not isinstance(media, dict):
            raise AdapterError("media message without 'media'", code="bad_message", close_code=1007)
        track = media.get("track")
        if track not in self.aligner.tracks:
            raise AdapterError(
                f"media on track {str(track)[:20]!r}, which the start did not announce",
                code="bad_message",
                close_code=1007,
            )
        timestamp_ms = _int(media.get("timestamp"), "media.timestamp")
        if timestamp_ms < 0:
            raise AdapterError("negative media.timestamp", code="bad_message", close_code=1007)
        try:
            payload = base64.b64decode(str(media.get("payload", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadFrameError("media.payload is not base64") from exc
        if not payload or len(payload) > MAX_CHUNK_SAMPLES:
            raise BadFrameError(f"media payload of {len(payload)} bytes (1-8000 expected)")
        self.aligner.add(str(track), timestamp_ms * RATE_HZ // 1000, mulaw_decode(payload))
        await self._forward()

    async def _forward(self, *, flush: bool = False) -> None:
        assert self.aligner is not None and self.bridge is not None
        frames = self.aligner.take(flush=flush)
        if frames.size:
            if self.bridge.port.closed.is_set():
                raise AdapterError(
                    "calltone stopped processing this call", code="internal", close_code=1011
                )
            await self.bridge.push(frames.astype("<i2").tobytes())

    async def on_stop(self) -> None:
        if self.bridge is None:
            raise AdapterError("stop before start", code="missing_start")
        await self._forward(flush=True)
        await self.bridge.stop()
        log.info("twilio stream %s: stop", self.stream_sid)
        await self.bridge.wait(timeout_s=self.hub.settings.transcription_drain_s + 30.0)
        with contextlib.suppress(Exception):
            await self.ws.close(1000)


async def serve_twilio(ws: WebSocket, hub: LiveHub, sources: SourceSettings) -> None:
    """The whole life of one Media Streams connection."""
    try:
        check_signature(ws, sources)
    except AuthError as exc:
        log.warning("twilio stream refused at the upgrade: %s", exc.message)
        await ws.close(1008)  # before accept: HTTP 403 for the upgrade request
        return
    await ws.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await TwilioStream(ws, hub, sources).run()
