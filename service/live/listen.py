"""The listen relay: a supervisor hears a live call's audio on ``/v1/calls/{call_id}/listen``.

The call runner publishes each PCM frame on the bus channel :func:`~.hub.audio_channel` (only
while someone listens) and an empty frame when the call ends; this relay sends a ``start``
message with the format, then the frames, then ``end``.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from calltone.service.live.hub import LiveHub, audio_channel
from calltone.service.live.messages import (
    CallEnded,
    ListenStart,
    encode,
)
from calltone.service.live.protocols.calltone import CLOSE_NORMAL, CLOSE_POLICY, reject
from calltone.service.storage import (
    NotFoundError,
)


async def stream_listen(hub: LiveHub, ws: WebSocket, call_id: str) -> None:
    """Relay a live call's PCM frames to a listening supervisor until the call ends."""
    try:
        call = await hub.io(hub.store.get_call, call_id)
    except NotFoundError:
        await reject(
            ws,
            "unknown_call",
            f"no call {call_id!r}; list live calls with GET /v1/calls?state=live",
            CLOSE_POLICY,
        )
        return
    if call.state != "live":
        await reject(
            ws,
            "call_finished",
            f"call {call_id!r} is {call.state}; only live calls can be listened to",
            CLOSE_POLICY,
        )
        return
    async with hub.bus.subscribe(audio_channel(call_id), maxsize=50) as sub:
        meta = call.meta
        await ws.send_text(
            encode(
                ListenStart(
                    call_id=call_id,
                    agent_id=call.agent_id,
                    sample_rate=meta.get("sample_rate"),
                    channels=meta.get("channels"),
                    encoding=meta.get("encoding", "pcm_s16le"),
                    agent_channel=meta.get("agent_channel", 0),
                )
            )
        )
        receiver = asyncio.create_task(_until_disconnect(ws))
        try:
            while not receiver.done():
                got = asyncio.create_task(sub.get())
                done, _ = await asyncio.wait(
                    {got, receiver}, timeout=2.0, return_when=asyncio.FIRST_COMPLETED
                )
                if got in done:
                    frame = got.result()
                    if not frame:  # the runner's end-of-call marker
                        await ws.send_text(encode(CallEnded(call_id=call_id)))
                        await ws.close(CLOSE_NORMAL)
                        return
                    await ws.send_bytes(frame)
                    continue
                got.cancel()
                if receiver in done:
                    return
                still = await hub.io(hub.store.get_call, call_id)
                if still.state != "live":
                    await ws.send_text(encode(CallEnded(state=still.state)))
                    await ws.close(CLOSE_NORMAL)
                    return
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()


async def _until_disconnect(ws: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
