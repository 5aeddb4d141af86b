"""WebSocket routes of live calls: audio in, and a supervisor listening in. Thin: the work is in
:mod:`calltone.service.live.runner` and :mod:`calltone.service.live.listen`."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from calltone.service.deps import socket_user
from calltone.service.live.listen import stream_listen
from calltone.service.live.runner import run_call

router = APIRouter(tags=["live"])


@router.websocket("/v1/calls/{call_id}/audio")
async def call_audio(ws: WebSocket, call_id: str) -> None:
    """``start`` JSON, binary PCM frames, ``stop``; events, alerts, transcripts come back."""
    await ws.accept()
    hub = ws.app.state.hub
    user = await socket_user(ws, hub, "agent", "admin")
    if user is not None:
        await run_call(hub, ws, call_id, user)


@router.websocket("/v1/calls/{call_id}/listen")
async def call_listen(ws: WebSocket, call_id: str) -> None:
    """A supervisor listens in: one ``start`` JSON (the format), then the call's binary PCM."""
    await ws.accept()
    hub = ws.app.state.hub
    if await socket_user(ws, hub, "supervisor", "admin") is not None:
        await stream_listen(hub, ws, call_id)
