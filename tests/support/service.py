"""A real calltone server on loopback for the service tests (uvicorn in a thread, real sockets).

Not a mock: the same ``create_app`` and uvicorn that ``calltone serve`` runs, on a free port, with
a temporary SQLite file (or a PostgreSQL schema), and clients that speak the real protocol with
the ``websockets`` package.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

from calltone.service.app import create_app
from calltone.service.clients.common import socket_url
from calltone.service.clients.replay import ReplayResult, load_call, replay_samples
from calltone.service.settings import Settings
from calltone.service.storage import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_CONNINFO = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@functools.cache
def sample(name: str) -> np.ndarray:
    return load_call(SAMPLES / name / "call.wav")


@functools.cache
def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name / "expected.json").read_text())
    return data


@dataclass
class LiveServer:
    """A running server plus a side connection to its storage for checks."""

    settings: Settings
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    store: Store
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def user(self, name: str, role: str) -> str:
        """Create a user (once) and return its token."""
        if name not in self.tokens:
            self.tokens[name] = self.store.create_user(name, role).token
        return self.tokens[name]

    def get(self, path: str, token: str, **params: Any) -> httpx.Response:
        return httpx.get(
            self.http + path,
            headers={"Authorization": f"Bearer {token}"},
            params=params,
            timeout=30,
        )

    def post(self, path: str, token: str, body: Any = None) -> httpx.Response:
        return httpx.post(
            self.http + path, headers={"Authorization": f"Bearer {token}"}, json=body, timeout=30
        )

    def replay(self, name: str, agent: str, **kwargs: Any) -> ReplayResult:
        return asyncio.run(self.areplay(name, agent, **kwargs))

    async def areplay(self, name: str, agent: str, **kwargs: Any) -> ReplayResult:
        kwargs.setdefault("speed", 0)
        return await replay_samples(
            sample(name),
            server=self.ws,
            agent_id=agent,
            token=self.tokens[agent],
            call_id=kwargs.pop("call_id", f"{name}-{uuid.uuid4().hex[:8]}"),
            **kwargs,
        )

    def url(self, path: str, token: str | None, **query: Any) -> str:
        return socket_url(self.ws, path, token=token, **query)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.store.close()


def start_server(db_url: str, **overrides: Any) -> LiveServer:
    """Start uvicorn with ``create_app`` on a free loopback port; returns once it answers."""
    port = free_port()
    values: dict[str, Any] = {
        "db_url": db_url,
        "port": port,
        "transcribe": False,
        "feed_poll_s": 2.0,
        "analysis_processes": 1,
    }
    values.update(overrides)
    settings = Settings(**values)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_max_size=1 << 20,
        lifespan="on",
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server failed to start; see the log above")
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 120 s")
        time.sleep(0.05)
    return LiveServer(settings, port, server, thread, Store(db_url))


@contextlib.contextmanager
def running_server(db_url: str, **overrides: Any) -> Iterator[LiveServer]:
    srv = start_server(db_url, **overrides)
    try:
        yield srv
    finally:
        srv.stop()


def pg_unavailable() -> str | None:
    """Why PostgreSQL tests must skip, or None when the test server is reachable."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        with psycopg.connect(PG_CONNINFO, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 (db 'test') is unreachable: {exc}".splitlines()[0]
    return None


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema, dropped afterwards."""
    import psycopg

    schema = f"ct_svc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def redis_unavailable() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis package is not installed (pip install 'calltone[redis]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at 127.0.0.1:6379 is unreachable: {exc}"
    return None


async def read_feed(
    url: str,
    *,
    until: Any = None,
    max_items: int | None = None,
    timeout_s: float = 30.0,
) -> list[dict[str, Any]]:
    """Messages from a feed socket until ``until(msg)`` is true, ``max_items`` items
    (non-``ready`` messages) arrived, or ``timeout_s`` passed."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    out: list[dict[str, Any]] = []
    items = 0
    async with connect(url) as ws:
        deadline = time.monotonic() + timeout_s
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while time.monotonic() < deadline:
                raw = await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic())
                msg = json.loads(raw)
                out.append(msg)
                if msg.get("type") not in ("ready",):
                    items += 1
                if until is not None and until(msg):
                    break
                if max_items is not None and items >= max_items:
                    break
    return out


async def socket_exchange(
    url: str, messages: list[str | bytes], *, timeout_s: float = 10.0
) -> tuple[list[dict[str, Any]], int | None]:
    """Send ``messages`` in order, then read until the server closes: (replies, close code)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    replies: list[dict[str, Any]] = []
    async with connect(url) as ws:
        with contextlib.suppress(ConnectionClosed):
            for m in messages:
                await ws.send(m)
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=timeout_s)
                if isinstance(raw, str):
                    replies.append(json.loads(raw))
        code = ws.close_code
    return replies, code
