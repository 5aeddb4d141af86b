"""The calltone web service: ``create_app(settings)`` builds it, ``calltone serve`` runs it.

The lifespan opens storage once (and marks calls a crash left live as interrupted), loads the
Whisper model once (unless transcription is off), and starts the message bus; every request and
socket then shares them through ``app.state.hub``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from calltone.service import apidocs
from calltone.service.guard import RequestGuard
from calltone.service.live.bus import make_bus
from calltone.service.live.cpu import single_threaded_blas
from calltone.service.live.hub import LiveHub
from calltone.service.live.transcription import lower_thread_priority
from calltone.service.live.workers import AnalysisPool
from calltone.service.logsafe import install_log_filters
from calltone.service.ratelimit import SigninLimiter
from calltone.service.retention import retention_loop
from calltone.service.routes import (
    alerts,
    calls,
    feeds,
    live,
    pages,
    profiles,
    protocols,
    recordings,
    users,
)
from calltone.service.routes.recordings import MULTIPART_OVERHEAD_BYTES
from calltone.service.routes.schemas import Health, document_errors
from calltone.service.settings import Settings, load_settings
from calltone.service.storage import (
    ConflictError,
    InvalidRecordError,
    NotFoundError,
    StorageError,
    StorageUnavailableError,
    Store,
)

log = logging.getLogger("calltone.app")

API_VERSION = "1"


def _load_transcriber(settings: Settings) -> object | None:
    """Load Whisper once, in a throwaway thread at the transcription niceness: CTranslate2's
    worker threads are created here and inherit it, so they yield the CPU to the alerts."""
    if not settings.transcribe:
        return None
    from calltone.models.speech.options import TranscriberOptions
    from calltone.models.speech.transcriber import Transcriber

    context = settings.whisper_context_min_s
    transcriber = Transcriber(
        TranscriberOptions(
            model=settings.whisper_model,
            cpu_threads=settings.whisper_threads,
            context_min_s=None if context >= 30.0 else context,
        )
    )
    failure: list[BaseException] = []

    def load() -> None:
        lower_thread_priority(settings.transcription_nice)
        try:
            _ = transcriber.model  # load now (ModelLoadError here, not on the first call)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=load, name="whisper-load")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return transcriber


def preflight(settings: Settings) -> None:
    """Fail fast, before uvicorn starts, on what the lifespan would fail on (storage, Whisper,
    bus), so ``calltone serve`` can print one line instead of a server traceback."""
    Store(settings.db_url, node_id=settings.node_id).close()
    _load_transcriber(settings)  # cached: the lifespan gets the same model at once

    async def check_bus() -> None:
        bus = make_bus(settings.bus_url)
        await bus.start()
        await bus.close()

    asyncio.run(check_bus())


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app for ``settings`` (default: from ``CALLTONE_*`` variables)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with single_threaded_blas():  # Whisper's BLAS in its niced thread (transcription.py)
            async with _serving(app):
                yield

    @asynccontextmanager
    async def _serving(app: FastAPI) -> AsyncIterator[None]:
        store = await asyncio.to_thread(Store, settings.db_url, node_id=settings.node_id)
        interrupted = await asyncio.to_thread(store.mark_live_calls_interrupted)
        if interrupted:
            log.warning("marked %d call(s) left live by a restart as interrupted", len(interrupted))
        bus = make_bus(settings.bus_url)
        try:
            transcriber = await asyncio.to_thread(_load_transcriber, settings)
            await bus.start()
        except BaseException:
            store.close()
            raise
        analysis = AnalysisPool(settings.analysis_processes, settings.analysis_threads)
        try:
            await analysis.warm_up()
        except BaseException:
            analysis.close()
            await bus.close()
            store.close()
            raise
        hub = LiveHub(settings, store, bus, transcriber, analysis)  # type: ignore[arg-type]
        app.state.hub = hub
        if interrupted:
            await hub.announce_feed()
        retention = asyncio.create_task(
            retention_loop(
                store,
                retention_days=settings.retention_days,
                interval_s=settings.retention_interval_s,
            ),
            name="retention",
        )
        try:
            yield
        finally:
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            await bus.close()
            await asyncio.to_thread(hub.close)
            store.close()

    app = FastAPI(
        title="calltone",
        version=API_VERSION,
        summary="Live call-tone monitoring: audio in over WebSocket, alerts to agents and "
        "supervisors.",
        lifespan=lifespan,
        docs_url=None,  # served from local assets below: no CDN (service/apidocs.py)
        redoc_url=None,
    )
    apidocs.install(app)
    # failed sign-ins per client address (service/ratelimit.py); in memory, per process
    app.state.signin_limiter = SigninLimiter(settings.signin_max_failures, settings.signin_window_s)
    install_log_filters()  # no audio, transcript text or tokens in uvicorn's logs (logsafe.py)
    # body limits, stalled bodies and foreign origins before any route (service/guard.py)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        upload_limits={
            ("POST", "/v1/recordings"): settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        },
        body_idle_timeout_s=settings.body_idle_timeout_s,
        allowed_origins=settings.cors_origins,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    for router in (
        calls.router,
        alerts.router,
        users.router,
        feeds.router,
        live.router,
        profiles.router,
    ):
        app.include_router(router)
    recordings.install(app)  # uploads -> background scoring -> scorecards (issue 5)
    pages.install(app)  # board, agent and trainer pages, sign-in, /static (issue 6)
    protocols.install(app)  # Genesys AudioHook, Twilio Media Streams, FreeSWITCH fork (issue 18)

    @app.get("/health", response_model=Health, tags=["health"])
    async def health(request: Request) -> object:
        hub: LiveHub = request.app.state.hub
        worker = hub.transcription
        return {
            "status": "ok",
            "live_calls": len(hub.calls),
            "alert_latency": hub.latency_summary(),
            "alert_latency_parts": hub.latency_parts(),
            "analysis_batch_ms": round(hub.batch_s() * 1000, 1),
            "transcription": worker is not None,
            "transcription_backlog": worker.backlog if worker is not None else 0,
            "bus": type(hub.bus).__name__,
            "feeds": hub.feeds_open,
            "feeds_cut_slow": hub.feeds_cut_slow,
            "tasks": len(asyncio.all_tasks()),
        }

    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Storage errors become HTTP statuses with the store's actionable message."""
    document_errors(app)  # the spec's 422 says: a message, or FastAPI's validation list
    statuses: list[tuple[type[StorageError], int]] = [
        (NotFoundError, status.HTTP_404_NOT_FOUND),
        (ConflictError, status.HTTP_409_CONFLICT),
        (InvalidRecordError, 422),
        (StorageUnavailableError, status.HTTP_503_SERVICE_UNAVAILABLE),
        (StorageError, status.HTTP_500_INTERNAL_SERVER_ERROR),
    ]
    for exc_type, code in statuses:

        def handler(_: Request, exc: Exception, code: int = code) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=code)

        app.add_exception_handler(exc_type, handler)
