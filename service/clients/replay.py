"""``calltone replay``: a recording streamed to the live service as if it were a live call.

The frames go at real time (or faster) in calltone's own protocol, and the server's messages
come back as they would to a softphone; :func:`format_message` prints the ones a person wants
to see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from calltone.audio.pcm import encode_pcm_s16le
from calltone.service.clients.common import (
    FRAME_MS,
    SAMPLE_RATE_HZ,
    ClientError,
    new_call_id,
    socket_url,
)

# -- replay -------------------------------------------------------------------------------------


@dataclass
class ReplayResult:
    """Everything the server said during a replayed call (times are ``time.monotonic()``)."""

    call_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    received_at: list[float] = field(default_factory=list)
    frame_sent_at: list[float] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    close_code: int | None = None

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return [m["alert"] for m in self.of_type("alert")]


async def replay_samples(
    samples: np.ndarray,
    *,
    server: str,
    agent_id: str,
    token: str,
    call_id: str | None = None,
    speed: float = 1.0,
    frame_ms: int = FRAME_MS,
    agent_channel: int = 0,
    on_message: Callable[[dict[str, Any]], None] | None = None,
    stop: bool = True,
    stop_after_frames: int | None = None,
    abort_when: Callable[[ReplayResult], bool] | None = None,
    separate: bool = False,
    agent_speaker: str = "auto",
) -> ReplayResult:
    """Stream ``(channels, n)`` float samples at 16 kHz as ``frame_ms`` PCM frames.

    ``separate=True`` sends a one-channel mix of both parties and asks the server to separate
    them live (``agent_speaker``: which speaker is the agent); two channels are mixed down.

    ``speed`` 1 is real time, 2 twice as fast, 0 as fast as the server takes them.
    ``stop=False`` with ``stop_after_frames`` drops the connection mid-call (tests a crash),
    once ``abort_when(result)`` is true if given.
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    x = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    if separate and x.shape[0] > 1:
        x = np.clip(x.sum(axis=0, keepdims=True), -1.0, 1.0)  # what a mono recorder would send
    call_id = call_id or new_call_id(agent_id)
    result = ReplayResult(call_id=call_id)
    url = socket_url(server, f"/v1/calls/{quote(call_id, safe='')}/audio", token=token)
    step = SAMPLE_RATE_HZ * frame_ms // 1000
    frames = [encode_pcm_s16le(x[:, i : i + step]) for i in range(0, x.shape[1], step)]
    if stop_after_frames is not None:
        frames = frames[:stop_after_frames]
    try:
        ws_cm = connect(url, max_size=2**24, open_timeout=10, close_timeout=5, compression=None)
        ws = await ws_cm.__aenter__()
    except (TimeoutError, OSError) as exc:
        raise ClientError(
            f"cannot connect to {server} ({exc}); is `calltone serve` running there?"
        ) from exc
    try:

        async def receive() -> None:
            try:
                async for raw in ws:
                    if isinstance(raw, bytes):
                        continue
                    msg = json.loads(raw)
                    result.messages.append(msg)
                    result.received_at.append(time.monotonic())
                    if msg.get("type") == "summary":
                        result.summary = msg
                    elif msg.get("type") == "error":
                        result.error = msg
                    if on_message is not None:
                        on_message(msg)
            except ConnectionClosed:
                pass

        receiver = asyncio.create_task(receive())
        t0 = time.monotonic()
        frame_s = frame_ms / 1000.0
        try:
            await ws.send(
                json.dumps(
                    {
                        "type": "start",
                        "agent_id": agent_id,
                        "sample_rate": SAMPLE_RATE_HZ,
                        "channels": int(x.shape[0]),
                        "encoding": "pcm_s16le",
                        "agent_channel": agent_channel,
                        **({"separate": True, "agent_speaker": agent_speaker} if separate else {}),
                    }
                )
            )
            for i, frame in enumerate(frames):
                if speed > 0:
                    delay = t0 + i * frame_s / speed - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                if receiver.done():
                    break
                result.frame_sent_at.append(time.monotonic())
                await ws.send(frame)
            if stop and not receiver.done():
                await ws.send(json.dumps({"type": "stop"}))
        except ConnectionClosed:
            pass
        if stop:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(receiver), timeout=120)
        else:
            if abort_when is not None:  # keep reading until the server got this far
                deadline = time.monotonic() + 60
                while not abort_when(result) and not receiver.done():
                    if time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.02)
            receiver.cancel()
        result.close_code = ws.close_code
    finally:
        if stop:
            await ws_cm.__aexit__(None, None, None)
        else:  # a killed client: drop the TCP connection without a closing handshake
            ws.transport.abort()
            with contextlib.suppress(Exception):
                await ws_cm.__aexit__(None, None, None)
    return result


def load_call(path: str | Path) -> np.ndarray:
    """A recording as ``(channels, n)`` float32 at 16 kHz (any format ``analyze`` reads)."""
    from calltone.audio.decode import load_audio

    return load_audio(path).samples


def format_message(msg: dict[str, Any]) -> str | None:
    """One readable line for the messages a person wants to see; None for the rest."""
    kind = msg.get("type")
    if kind == "alert":
        a = msg["alert"]
        return (
            f"[{a['at_s']:7.2f} s] ALERT {a['kind']} (for {a['audience']}): {a['message']} "
            f"Tip: {a['tip']}"
        )
    if kind == "error":
        return f"error {msg.get('code')}: {msg.get('message')}"
    if kind == "transcript_gap":
        return f"transcript gap {msg.get('from_s')}-{msg.get('to_s')} s: {msg.get('reason')}"
    if kind == "summary":
        return (
            f"call {msg['call_id']} {msg['state']}: {msg['duration_s']:.1f} s, "
            f"{len(msg['events'])} events, {len(msg['alerts'])} alerts"
        )
    return None
