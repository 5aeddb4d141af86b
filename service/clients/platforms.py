"""Clients that stream a recording exactly as each platform would (``calltone replay --protocol``).

A site can test its AudioHook integration keys, its Twilio auth token and stream parameters or
its FreeSWITCH fork URL against calltone without the platform, and the tests use the same
clients. Each takes the call as 8 kHz int16 samples, column 0 the agent and column 1 the
customer (:func:`telephone_audio` makes that from any recording: 8 kHz through G.711 mu-law,
as the telephone network delivers it), and returns what the server said.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np

from calltone.service.clients.common import ClientError, socket_url
from calltone.service.live.protocols.codec import (
    float_to_int16,
    format_duration,
    mulaw_decode,
    mulaw_encode,
)
from calltone.service.live.protocols.signature import sign

RATE_HZ = 8000


def telephone_audio(samples_16k: np.ndarray, *, agent_channel: int = 0) -> np.ndarray:
    """``(channels, n)`` float at 16 kHz -> ``(n, 2)`` int16 at 8 kHz, agent first, through
    G.711 mu-law and back (what every platform here receives from the network)."""
    import soxr

    x = np.atleast_2d(np.asarray(samples_16k, dtype=np.float32))
    if x.shape[0] != 2:
        raise ClientError(
            f"the recording has {x.shape[0]} channel(s); platform replays need two (agent and "
            "customer on their own channels)"
        )
    if agent_channel == 1:
        x = x[::-1]
    narrow = np.asarray(soxr.resample(x.T, 16_000, RATE_HZ), dtype=np.float32)
    pcm = float_to_int16(narrow)
    return mulaw_decode(mulaw_encode(pcm.reshape(-1))).reshape(pcm.shape)


@dataclass
class PlatformResult:
    """What the server said to a platform client (JSON texts, close code, timings)."""

    call_id: str | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str | None = None
    refused_status: int | None = None
    sent_frames: int = 0
    elapsed_s: float = 0.0
    frame_log: list[tuple[float, float]] = field(default_factory=list)
    """(audio end s on the call's timeline, time.monotonic() sent) per audio frame."""

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]


async def _pace(t0: float, audio_s: float, speed: float) -> None:
    if speed > 0:
        delay = t0 + audio_s / speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def _connect(url: str, headers: dict[str, str] | None, result: PlatformResult) -> Any:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    try:
        return await connect(
            url,
            additional_headers=headers or {},
            max_size=2**20,
            open_timeout=10,
            close_timeout=5,
            compression=None,
        )
    except InvalidStatus as exc:
        result.refused_status = exc.response.status_code
        return None
    except (TimeoutError, OSError) as exc:
        raise ClientError(f"cannot connect to {url.split('?')[0]} ({exc})") from exc


async def _drain(ws: Any, result: PlatformResult, timeout_s: float) -> None:
    from websockets.exceptions import ConnectionClosed

    with contextlib.suppress(ConnectionClosed, TimeoutError):
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=timeout_s)
            if isinstance(raw, str):
                result.messages.append(json.loads(raw))
    result.close_code = ws.close_code
    result.close_reason = ws.close_reason


# -- Genesys AudioHook ----------------------------------------------------------------------------


def audiohook_headers(
    url: str,
    *,
    api_key: str,
    client_secret: bytes | None,
    session_id: str,
    organization_id: str,
    correlation_id: str | None = None,
    created: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The upgrade headers Genesys sends, signed as Genesys signs them."""
    parts = urlsplit(url)
    headers = {
        "Audiohook-Organization-Id": organization_id,
        "Audiohook-Session-Id": session_id,
        "Audiohook-Correlation-Id": correlation_id or str(uuid.uuid4()),
        "X-API-KEY": api_key,
    }
    if client_secret:
        components = {
            "@request-target": parts.path + (f"?{parts.query}" if parts.query else ""),
            "@authority": parts.netloc.lower(),
            "audiohook-organization-id": headers["Audiohook-Organization-Id"],
            "audiohook-session-id": headers["Audiohook-Session-Id"],
            "audiohook-correlation-id": headers["Audiohook-Correlation-Id"],
            "x-api-key": api_key,
        }
        headers.update(
            sign(
                components,
                key_id=api_key,
                secret=client_secret,
                nonce=nonce or base64.b64encode(secrets.token_bytes(18)).decode(),
                created=int(time.time()) if created is None else created,
            )
        )
    return headers


class AudioHookClient:
    """Genesys' side of one AudioHook session (messages numbered as Genesys numbers them)."""

    def __init__(self, ws: Any, session_id: str) -> None:
        self.ws = ws
        self.session_id = session_id
        self.seq = 0
        self.serverseq = 0
        self.position_s = 0.0

    async def send(self, type_: str, parameters: dict[str, Any], *, seq: int | None = None) -> None:
        self.seq = self.seq + 1 if seq is None else seq
        await self.ws.send(
            json.dumps(
                {
                    "version": "2",
                    "id": self.session_id,
                    "type": type_,
                    "seq": self.seq,
                    "serverseq": self.serverseq,
                    "position": format_duration(self.position_s),
                    "parameters": parameters,
                }
            )
        )

    async def recv(self, timeout_s: float = 10.0) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=timeout_s)
            if isinstance(raw, str):
                msg: dict[str, Any] = json.loads(raw)
                self.serverseq = int(msg.get("seq", self.serverseq))
                return msg


def audiohook_open_parameters(
    *,
    organization_id: str,
    conversation_id: str,
    agent_id: str | None,
    media: list[dict[str, Any]],
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "organizationId": organization_id,
        "conversationId": conversation_id,
        "participant": {
            "id": str(uuid.uuid4()) if conversation_id != NULL_UUID else NULL_UUID,
            "ani": "+15550100",
            "aniName": "Caller",
            "dnis": "+15550199",
        },
        "media": media,
        "language": "en-US",
    }
    if agent_id is not None:
        params["customConfig"] = {"agentId": agent_id}
    return params


NULL_UUID = "00000000-0000-0000-0000-000000000000"


def audiohook_media(fmt: str = "PCMU", order: tuple[str, ...] = ("external", "internal")) -> dict:
    return {"type": "audio", "format": fmt, "channels": list(order), "rate": RATE_HZ}


async def replay_audiohook(
    call_8k: np.ndarray | None,
    *,
    server: str,
    api_key: str,
    client_secret: bytes | None,
    agent_id: str | None,
    organization_id: str | None = None,
    session_id: str | None = None,
    conversation_id: str | None = None,
    media_format: str = "PCMU",
    channel_order: tuple[str, ...] = ("external", "internal"),
    frame_ms: int = 100,
    speed: float = 1.0,
    pauses: list[tuple[float, float]] | None = None,
    ping_every_s: float = 5.0,
) -> PlatformResult:
    """Stream ``call_8k`` (``(n, 2)`` int16, agent first) as Genesys AudioHook would.

    ``call_8k`` None is the connection probe (all-zero conversation id, no audio).
    ``pauses`` are ``(at_s, duration_s)`` stretches of the call that are not sent: ``paused``
    at ``at_s``, then ``resumed`` with ``discarded`` = the duration (as for a secure pause).
    """
    org = organization_id or str(uuid.uuid4())
    sid = session_id or str(uuid.uuid4())
    probe = call_8k is None
    conv = NULL_UUID if probe else conversation_id or str(uuid.uuid4())
    url = socket_url(server, "/v1/audiohook")
    headers = audiohook_headers(
        url, api_key=api_key, client_secret=client_secret, session_id=sid, organization_id=org
    )
    result = PlatformResult(call_id=None if probe else f"ah-{conv}-{sid}")
    t_start = time.monotonic()
    ws = await _connect(url, headers, result)
    if ws is None:
        return result
    client = AudioHookClient(ws, sid)
    try:
        media = audiohook_media(media_format, channel_order)
        await client.send(
            "open",
            audiohook_open_parameters(
                organization_id=org, conversation_id=conv, agent_id=agent_id, media=[media]
            ),
        )
        opened = await client.recv()
        result.messages.append(opened)
        if opened.get("type") != "opened":
            await _finish_audiohook(client, result, "error")
            return result
        if call_8k is not None:
            idx = {"internal": 0, "external": 1}
            cols = [idx[c] for c in channel_order]
            pcm = np.ascontiguousarray(call_8k[:, cols])
            # encoded once up front: a platform sends what its codec produced, and the
            # client's CPU stays with pacing (50 sessions in one process)
            width = 1 if media_format == "PCMU" else 2
            encoded = (
                mulaw_encode(pcm.reshape(-1))
                if media_format == "PCMU"
                else pcm.astype("<i2").tobytes()
            )
            step = RATE_HZ * frame_ms // 1000
            skip = sorted(pauses or [])
            t0 = time.monotonic()
            last_ping = t0
            i = 0
            while i < pcm.shape[0]:
                at_s = i / RATE_HZ
                if skip and at_s >= skip[0][0]:
                    _, dur_s = skip.pop(0)
                    await client.send("paused", {})
                    n_skip = round(dur_s * RATE_HZ)
                    i += n_skip
                    await _pace(t0, (i / RATE_HZ), speed)
                    start = format_duration(client.position_s)
                    await client.send(
                        "resumed", {"start": start, "discarded": format_duration(n_skip / RATE_HZ)}
                    )
                    continue
                chunk = pcm[i : i + step]
                if skip:
                    chunk = chunk[: max(1, round(skip[0][0] * RATE_HZ) - i)]
                n_ch = pcm.shape[1]
                data = encoded[i * n_ch * width : (i + chunk.shape[0]) * n_ch * width]
                await _pace(t0, at_s, speed)
                await ws.send(data)
                result.sent_frames += 1
                i += chunk.shape[0]
                result.frame_log.append((i / RATE_HZ, time.monotonic()))
                client.position_s += chunk.shape[0] / RATE_HZ
                if speed > 0 and time.monotonic() - last_ping > ping_every_s:
                    last_ping = time.monotonic()
                    await client.send("ping", {})
        await _finish_audiohook(client, result, "end")
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
        result.elapsed_s = time.monotonic() - t_start
    return result


async def _finish_audiohook(client: AudioHookClient, result: PlatformResult, reason: str) -> None:
    from websockets.exceptions import ConnectionClosed

    with contextlib.suppress(ConnectionClosed):
        await client.send("close", {"reason": reason})
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        while True:
            msg = await client.recv(timeout_s=30.0)
            result.messages.append(msg)
            if msg.get("type") == "closed":
                break
    await _drain(client.ws, result, 5.0)


# -- Twilio Media Streams -------------------------------------------------------------------------


def twilio_signature(url: str, auth_token: str) -> str:
    """``X-Twilio-Signature`` of a stream URL (the twilio package's own computation)."""
    from twilio.request_validator import RequestValidator

    return str(RequestValidator(auth_token).compute_signature(url, {}))


async def replay_twilio(
    call_8k: np.ndarray,
    *,
    server: str,
    auth_token: str | None,
    agent_id: str | None,
    stream_key: str | None = None,
    agent_track: str | None = None,
    call_sid: str | None = None,
    stream_sid: str | None = None,
    signed_url: str | None = None,
    speed: float = 1.0,
    skip_silent_chunks: bool = False,
    chunk_ms: int = 20,
) -> PlatformResult:
    """Stream ``call_8k`` as Twilio Media Streams with ``track="both_tracks"`` would: the
    customer as ``inbound`` (the caller into Twilio), the agent as ``outbound``, 20 ms mu-law
    chunks, ``timestamp`` in ms from the stream's start, numbers as strings as Twilio sends
    them. ``skip_silent_chunks`` leaves out all-zero chunks, as Twilio does for a silent track.
    """
    call_sid = call_sid or "CA" + uuid.uuid4().hex
    stream_sid = stream_sid or "MZ" + uuid.uuid4().hex
    url = socket_url(server, "/v1/twilio")
    headers = {}
    if auth_token:
        headers["X-Twilio-Signature"] = twilio_signature(signed_url or url, auth_token)
    result = PlatformResult(call_id=f"tw-{call_sid}-{stream_sid}")
    t_start = time.monotonic()
    ws = await _connect(url, headers, result)
    if ws is None:
        return result
    seq = 0

    async def send(event: str, body: dict[str, Any]) -> None:
        nonlocal seq
        seq += 1
        await ws.send(
            json.dumps(
                {"event": event, "sequenceNumber": str(seq), **body, "streamSid": stream_sid}
            )
        )

    from websockets.exceptions import ConnectionClosed

    try:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        params: dict[str, str] = {}
        if agent_id:
            params["agent_id"] = agent_id
        if stream_key:
            params["calltone_key"] = stream_key
        if agent_track:
            params["agent_track"] = agent_track
        await send(
            "start",
            {
                "start": {
                    "accountSid": "AC" + "0" * 32,
                    "streamSid": stream_sid,
                    "callSid": call_sid,
                    "tracks": ["inbound", "outbound"],
                    "customParameters": params,
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                }
            },
        )
        step = RATE_HZ * chunk_ms // 1000
        t0 = time.monotonic()
        chunks = {"inbound": 0, "outbound": 0}
        with contextlib.suppress(ConnectionClosed):
            for i in range(0, call_8k.shape[0], step):
                await _pace(t0, i / RATE_HZ, speed)
                for track, col in (("inbound", 1), ("outbound", 0)):
                    part = call_8k[i : i + step, col]
                    if skip_silent_chunks and not part.any():
                        continue
                    chunks[track] += 1
                    await send(
                        "media",
                        {
                            "media": {
                                "track": track,
                                "chunk": str(chunks[track]),
                                "timestamp": str(i * 1000 // RATE_HZ),
                                "payload": base64.b64encode(mulaw_encode(part)).decode(),
                            }
                        },
                    )
                    result.sent_frames += 1
            await send("stop", {"stop": {"accountSid": "AC" + "0" * 32, "callSid": call_sid}})
        await _drain(ws, result, 60.0)
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
        result.elapsed_s = time.monotonic() - t_start
    return result


# -- FreeSWITCH audio fork ------------------------------------------------------------------------


async def replay_fork(
    call_8k: np.ndarray,
    *,
    server: str,
    key: str | None,
    agent_id: str,
    call_uuid: str | None = None,
    mix: str = "stereo",
    sample_rate_hz: int = 8000,
    leg: str = "customer",
    speed: float = 1.0,
    frame_ms: int = 20,
) -> PlatformResult:
    """Stream ``call_8k`` as ``uuid_audio_fork <uuid> start <url> <mix> <rate> <metadata>``
    would on the ``leg`` party's channel: metadata text, then L16 frames; stereo puts the
    leg's own voice (what it sends) first and what it hears second; ``mono`` sends the leg's
    voice only, ``mixed`` both summed."""
    import soxr

    call_uuid = call_uuid or str(uuid.uuid4())
    query: dict[str, Any] = {"sample_rate": sample_rate_hz, "mix": mix}
    if key:
        query["token"] = key
    url = socket_url(server, "/v1/fork") + "?" + urlencode(query)
    own, heard = (1, 0) if leg == "customer" else (0, 1)
    x = call_8k.astype(np.int32)
    if mix == "stereo":
        pcm = np.stack([x[:, own], x[:, heard]], axis=1)
    elif mix == "mono":
        pcm = x[:, [own]]
    else:
        pcm = np.clip(x[:, [0]] + x[:, [1]], -32768, 32767)
    pcm = pcm.astype(np.int16)
    if sample_rate_hz != RATE_HZ:
        pcm = float_to_int16(
            soxr.resample(pcm.astype(np.float32) / 32768.0, RATE_HZ, sample_rate_hz)
        )
        pcm = pcm.reshape(-1, 1 if mix != "stereo" else 2)
    result = PlatformResult(call_id=f"fork-{call_uuid}")
    t_start = time.monotonic()
    ws = await _connect(url, None, result)
    if ws is None:
        return result
    from websockets.exceptions import ConnectionClosed

    try:
        await ws.send(json.dumps({"uuid": call_uuid, "agent_id": agent_id}))
        step = sample_rate_hz * frame_ms // 1000
        t0 = time.monotonic()
        with contextlib.suppress(ConnectionClosed):
            for i in range(0, pcm.shape[0], step):
                await _pace(t0, i / sample_rate_hz, speed)
                await ws.send(np.ascontiguousarray(pcm[i : i + step]).astype("<i2").tobytes())
                result.sent_frames += 1
            await ws.close(1000)
        await _drain(ws, result, 5.0)
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
        result.elapsed_s = time.monotonic() - t_start
    return result


# -- calltone's own protocol at 8 kHz (the reference the platform replays are compared with) -----


async def replay_calltone_8k(
    call_8k: np.ndarray,
    *,
    server: str,
    token: str,
    agent_id: str,
    call_id: str,
    speed: float = 0.0,
    frame_ms: int = 20,
) -> PlatformResult:
    """``call_8k`` over ``/v1/calls/{call_id}/audio`` as 8 kHz stereo PCM (agent channel 0)."""
    url = socket_url(server, f"/v1/calls/{call_id}/audio", token=token)
    result = PlatformResult(call_id=call_id)
    ws = await _connect(url, None, result)
    if ws is None:
        return result
    try:
        await ws.send(
            json.dumps(
                {
                    "type": "start",
                    "agent_id": agent_id,
                    "sample_rate": RATE_HZ,
                    "channels": 2,
                    "encoding": "pcm_s16le",
                    "agent_channel": 0,
                }
            )
        )
        step = RATE_HZ * frame_ms // 1000
        t0 = time.monotonic()
        for i in range(0, call_8k.shape[0], step):
            await _pace(t0, i / RATE_HZ, speed)
            await ws.send(np.ascontiguousarray(call_8k[i : i + step]).astype("<i2").tobytes())
            result.sent_frames += 1
            result.frame_log.append((min(i + step, call_8k.shape[0]) / RATE_HZ, time.monotonic()))
        await ws.send(json.dumps({"type": "stop"}))
        await _drain(ws, result, 60.0)
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
    return result


# -- the command line (``calltone replay --protocol ...``) ----------------------------------------

PROTOCOLS = ("calltone", "audiohook", "twilio", "fork")


def add_protocol_options(p: Any) -> None:
    """The ``calltone replay`` options of the platform clients."""
    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="calltone",
        help="stream as calltone's own client (default) or as a platform would: Genesys "
        "AudioHook, Twilio Media Streams, a FreeSWITCH audio fork (docs/protocols/)",
    )
    p.add_argument("--api-key", default=None, help="AudioHook: the integration's API key")
    p.add_argument(
        "--client-secret",
        default=None,
        help="AudioHook: the client secret, base64 (default: $CALLTONE_AUDIOHOOK_CLIENT_SECRET)",
    )
    p.add_argument(
        "--format",
        dest="media_format",
        choices=["PCMU", "L16"],
        default="PCMU",
        help="AudioHook: the media format offered",
    )
    p.add_argument(
        "--auth-token",
        default=None,
        help="Twilio: the account's auth token that signs the stream (default: $TWILIO_AUTH_TOKEN)",
    )
    p.add_argument("--stream-key", default=None, help="Twilio: the calltone_key <Parameter>")
    p.add_argument("--fork-key", default=None, help="fork: the key in the fork URL (?token=)")
    p.add_argument("--mix", choices=["mono", "mixed", "stereo"], default="stereo", help="fork")
    p.add_argument(
        "--leg",
        choices=["customer", "agent"],
        default="customer",
        help="fork: whose call leg the fork is attached to",
    )


def run_cli(args: Any, samples_16k: np.ndarray, server: str) -> int:
    """``calltone replay --protocol P``: stream, print the session's outcome (and, with a
    token, the call's alerts as stored); exit 0, 2 when the server refused or disconnected."""
    import os

    call_8k = telephone_audio(samples_16k, agent_channel=args.agent_channel)
    speed = args.speed
    if args.protocol == "audiohook":
        if not args.api_key:
            raise ClientError("--protocol audiohook needs --api-key (the integration's API key)")
        secret_b64 = args.client_secret or os.environ.get("CALLTONE_AUDIOHOOK_CLIENT_SECRET", "")
        try:
            secret = base64.b64decode(secret_b64, validate=True) if secret_b64 else None
        except ValueError as exc:
            raise ClientError("--client-secret must be base64, as Genesys shows it") from exc
        result = asyncio.run(
            replay_audiohook(
                call_8k,
                server=server,
                api_key=args.api_key,
                client_secret=secret,
                agent_id=args.agent,
                media_format=args.media_format,
                speed=speed,
            )
        )
        ok = [m.get("type") for m in result.messages][-1:] == ["closed"] and not result.of_type(
            "disconnect"
        )
    elif args.protocol == "twilio":
        result = asyncio.run(
            replay_twilio(
                call_8k,
                server=server,
                auth_token=args.auth_token or os.environ.get("TWILIO_AUTH_TOKEN"),
                agent_id=args.agent,
                stream_key=args.stream_key,
                speed=speed,
            )
        )
        ok = result.close_code == 1000
    else:
        result = asyncio.run(
            replay_fork(
                call_8k,
                server=server,
                key=args.fork_key,
                agent_id=args.agent,
                mix=args.mix,
                leg=args.leg,
                speed=speed,
            )
        )
        ok = result.close_code == 1000 and not result.messages
    for msg in result.messages:
        print(json.dumps(msg), flush=True)
    if result.refused_status is not None:
        print(f"refused at the upgrade: HTTP {result.refused_status} (check the key/token)")
        return 2
    print(
        f"{args.protocol}: call {result.call_id}, {result.sent_frames} frames in "
        f"{result.elapsed_s:.1f} s, closed {result.close_code} {result.close_reason or ''}".rstrip()
    )
    token = args.token or os.environ.get("CALLTONE_TOKEN")
    if ok and token and result.call_id:
        _print_alerts(server, token, result.call_id)
    return 0 if ok else 2


def _print_alerts(server: str, token: str, call_id: str) -> None:
    import httpx

    base = server.replace("ws://", "http://").replace("wss://", "https://").rstrip("/")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        call = httpx.get(
            f"{base}/v1/calls/{call_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        if call.status_code != 200 or call.json().get("call", {}).get("state") != "live":
            break
        time.sleep(0.2)
    got = httpx.get(
        f"{base}/v1/alerts",
        params={"call_id": call_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if got.status_code != 200:
        print(f"(alerts not readable with that token: HTTP {got.status_code})")
        return
    for a in got.json():
        print(f"alert {a['kind']} at {a['at_s']:.2f} s: {a['message']}")
