"""WebSocket routes of the contact-centre platforms' own protocols (thin: the work is in
:mod:`service.live.protocols`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, WebSocket

from calltone.service.live.protocols.audiohook import make_verifier, serve_audiohook
from calltone.service.live.protocols.config import SourceSettings, load_sources
from calltone.service.live.protocols.fork import serve_fork
from calltone.service.live.protocols.twilio import serve_twilio

router = APIRouter(tags=["platforms"])


def _sources(ws: WebSocket) -> SourceSettings:
    sources: SourceSettings = ws.app.state.sources
    return sources


@router.websocket("/v1/audiohook")
async def audiohook(ws: WebSocket) -> None:
    """Genesys Cloud AudioHook (Monitor), protocol v2 (docs/protocols/audiohook.md)."""
    await serve_audiohook(ws, ws.app.state.hub, _sources(ws), ws.app.state.audiohook_verifier)


@router.websocket("/v1/twilio")
async def twilio(ws: WebSocket) -> None:
    """Twilio Media Streams (docs/protocols/twilio.md)."""
    await serve_twilio(ws, ws.app.state.hub, _sources(ws))


@router.websocket("/v1/fork")
async def fork(ws: WebSocket) -> None:
    """FreeSWITCH mod_audio_fork / mod_audio_stream (docs/protocols/fork.md)."""
    await serve_fork(ws, ws.app.state.hub, _sources(ws))


def install(app: FastAPI, sources: SourceSettings | None = None) -> None:
    """Read the per-source settings (failing now, not at the first call) and add the routes."""
    app.state.sources = sources or load_sources()
    app.state.audiohook_verifier = make_verifier(app.state.sources)
    app.include_router(router)
