"""``calltone serve --demo``: a living supervisor board within a minute of installing.

It creates demo users (a supervisor, a trainer, an admin and three agents), prints their
sign-in links, and replays the sample calls (``samples/*/call.wav``) on a loop as live calls of
the three agents. The replays run as tasks in the server's own event loop and use the ordinary
replay client over real WebSockets to 127.0.0.1, so what the board shows is exactly what a
softphone would produce. The demo always binds to loopback, and unless ``--db`` is given keeps
its data in a temporary SQLite file that is deleted on exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import random
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI

from calltone.audio.errors import CalltoneError
from calltone.service.app import create_app, preflight
from calltone.service.clients.common import ClientError
from calltone.service.clients.replay import load_call, replay_samples
from calltone.service.settings import Settings
from calltone.service.storage import ConflictError, Store, sqlite_url

log = logging.getLogger("calltone.demo")

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
SAMPLES_ENV = "CALLTONE_DEMO_SAMPLES"
DEMO_AGENTS = ("ana", "ben", "cleo")
DEMO_USERS = (
    ("sam", "supervisor"),
    ("tara", "trainer"),
    ("ada", "admin"),
    *((agent, "agent") for agent in DEMO_AGENTS),
)
FIRST_CALL_DELAYS_S = (1.0, 6.0, 12.0)
"""When each demo agent's first call starts, so the tiles do not all move in step."""
PAUSE_BETWEEN_CALLS_S = (3.0, 8.0)
RETRY_S = 3.0
SAMPLE_ORDER = ("escalation_call", "interrupting_agent_call", "calm_call")
"""The first agent starts with the escalation, so a flag shows within the first minute."""


class DemoError(CalltoneError):
    """The demo cannot start (no sample calls to replay)."""


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    token: str


def sample_calls(folder: Path | None = None) -> list[Path]:
    """The sample recordings to replay, the escalation first."""
    root = folder or Path(os.environ.get(SAMPLES_ENV) or SAMPLES_DIR)
    found = sorted(root.glob("*/call.wav"))
    if not found:
        raise DemoError(
            f"no sample calls (*/call.wav) under {root}; run the demo from a calltone checkout "
            f"or point {SAMPLES_ENV} at a folder of two-channel calls"
        )
    rank = {name: i for i, name in enumerate(SAMPLE_ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.parent.name, len(rank)), p.parent.name))


def create_users(db_url: str) -> list[DemoUser]:
    """The demo users with a fresh token each (existing users get a new token)."""
    store = Store(db_url)
    try:
        users = []
        for name, role in DEMO_USERS:
            try:
                token = store.create_user(name, role).token
            except ConflictError:
                token = store.issue_token(name)
            users.append(DemoUser(name, role, token))
        return users
    finally:
        store.close()


async def replay_forever(
    server: str,
    agent: str,
    token: str,
    calls: list[Path],
    *,
    first_delay_s: float,
    start_index: int,
    speed: float = 1.0,
) -> None:
    """Replay ``calls`` one after another as live calls of ``agent`` until cancelled."""
    audio: dict[Path, np.ndarray] = {}
    rng = random.Random(agent)
    await asyncio.sleep(first_delay_s)
    n = 0
    while True:
        path = calls[(start_index + n) % len(calls)]
        n += 1
        call_id = f"demo-{agent}-{n:03d}-{uuid.uuid4().hex[:4]}"
        try:
            if path not in audio:
                audio[path] = await asyncio.to_thread(load_call, path)
            result = await replay_samples(
                audio[path],
                server=server,
                agent_id=agent,
                token=token,
                call_id=call_id,
                speed=speed,
            )
            if result.error:
                log.warning("demo call %s: %s", call_id, result.error.get("message"))
        except ClientError as exc:  # the server is starting or stopping
            log.info("demo call %s: %s", call_id, exc)
            await asyncio.sleep(RETRY_S)
            continue
        except CalltoneError as exc:
            log.warning("demo call %s: %s", call_id, exc)
        except (OSError, ConnectionError) as exc:
            log.info("demo call %s: %s", call_id, exc)
        await asyncio.sleep(rng.uniform(*PAUSE_BETWEEN_CALLS_S))


def install_replays(
    app: FastAPI, server: str, users: list[DemoUser], calls: list[Path], speed: float = 1.0
) -> None:
    """Run the demo agents' replay loops while ``app`` runs."""
    inner = app.router.lifespan_context
    agents = [u for u in users if u.role == "agent"]

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            tasks = [
                asyncio.create_task(
                    replay_forever(
                        server,
                        u.name,
                        u.token,
                        calls,
                        first_delay_s=FIRST_CALL_DELAYS_S[i % len(FIRST_CALL_DELAYS_S)],
                        start_index=i,
                        speed=speed,
                    ),
                    name=f"demo-{u.name}",
                )
                for i, u in enumerate(agents)
            ]
            try:
                yield state
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    app.router.lifespan_context = lifespan


def banner(base: str, users: list[DemoUser], calls: list[Path], temporary: bool) -> str:
    where = "a temporary database, deleted on exit" if temporary else "the database given"
    width = max(len(u.name) for u in users)
    lines = [
        f"calltone demo on {base} (loopback only; {where})",
        "",
        "Sign in: open a link below, or paste a token at " + f"{base}/signin",
    ]
    for u in users:
        lines.append(f"  {u.role:<10}  {u.name:<{width}}  {u.token}")
    lines.append("")
    for u in users:
        lines.append(f"  {u.name:<{width}}  {base}/signin#token={u.token}")
    agents = ", ".join(u.name for u in users if u.role == "agent")
    lines += [
        "",
        f"Pages: {base}/board (supervisor)  {base}/agent (agent)  {base}/trainer (trainer)"
        f"  API: {base}/docs",
        f"Live calls: {', '.join(p.parent.name for p in calls)} replayed on a loop as calls of "
        f"{agents}. Ctrl-C stops.",
        "",
    ]
    return "\n".join(lines)


def start_demo(settings: Settings, *, db_given: bool) -> tuple[Settings, FastAPI]:
    """Settings and app for ``calltone serve --demo`` (prints the sign-in links)."""
    calls = sample_calls()
    if settings.host not in ("127.0.0.1", "localhost"):
        print(
            f"calltone demo: binding 127.0.0.1, not {settings.host}: the demo's tokens are "
            "printed here, so it stays on this machine",
            flush=True,
        )
    update: dict[str, Any] = {"host": "127.0.0.1"}
    if not db_given:
        tmp = tempfile.TemporaryDirectory(prefix="calltone-demo-")
        atexit.register(tmp.cleanup)
        update["db_url"] = sqlite_url(str(Path(tmp.name) / "demo.db"))
    settings = settings.model_copy(update=update)
    preflight(settings)
    users = create_users(settings.db_url)
    app = create_app(settings)
    install_replays(app, f"ws://127.0.0.1:{settings.port}", users, calls)
    print(banner(f"http://127.0.0.1:{settings.port}", users, calls, not db_given), flush=True)
    return settings, app
