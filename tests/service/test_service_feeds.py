"""Feeds resume exactly: every alert once, none lost, across reconnects; over SQLite and
PostgreSQL; and across two nodes sharing storage and a Redis bus."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.service import (
    LiveServer,
    pg_schema_url,
    pg_unavailable,
    read_feed,
    redis_unavailable,
    running_server,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("feeds") / "calltone.db"
        with running_server(f"sqlite:///{db}") as srv:
            yield _users(srv)
        return
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    with pg_schema_url() as url, running_server(url) as srv:
        yield _users(srv)


def _users(srv: LiveServer) -> LiveServer:
    srv.user("r1", "agent")
    srv.user("r2", "agent")
    srv.user("boss", "supervisor")
    return srv


async def _resuming_reader(
    server: LiveServer, agent: str, done: asyncio.Event
) -> tuple[list[dict[str, Any]], int]:
    """Connect, take one alert, drop the connection, resume with after=last id; repeat."""
    seen: list[dict[str, Any]] = []
    reconnects = 0
    last = 0
    while True:
        finished = done.is_set()
        msgs = await read_feed(
            server.url(f"/v1/agents/{agent}/alerts", server.tokens[agent], after=last),
            until=(lambda m: m["type"] == "ready") if finished else None,
            max_items=None if finished else 1,
            timeout_s=30 if finished else 3,
        )
        reconnects += 1
        for m in msgs:
            if m["type"] == "alert":
                seen.append(m["alert"])
                last = m["alert"]["id"]
        if finished:
            return seen, reconnects


def test_resume_after_disconnect_gets_every_alert_exactly_once(server: LiveServer) -> None:
    async def run() -> tuple[Any, ...]:
        done = asyncio.Event()
        resuming = asyncio.create_task(_resuming_reader(server, "r1", done))
        steady = asyncio.create_task(
            read_feed(
                server.url("/v1/agents/r1/alerts", server.tokens["r1"], after=0),
                until=lambda m: (
                    m["type"] == "alert"
                    and m["alert"]["call_id"] == "r1-c3"
                    and m["alert"]["kind"] == "take_a_break"
                ),
                timeout_s=90,
            )
        )
        board = asyncio.create_task(
            read_feed(
                server.url("/v1/supervisor/feed", server.tokens["boss"], after=0),
                until=lambda m: (
                    m["type"] == "feed"
                    and m["entry"]["kind"] == "call_ended"
                    and m["entry"]["call_id"] == "r1-c3"
                ),
                timeout_s=90,
            )
        )
        await asyncio.sleep(0.3)
        calls = [
            server.areplay("escalation_call", "r1", call_id="r1-c1"),
            server.areplay("interrupting_agent_call", "r1", call_id="r1-c2"),
            server.areplay("calm_call", "r2", call_id="r2-c1"),
        ]
        await asyncio.gather(*calls)
        await server.areplay("escalation_call", "r1", call_id="r1-c3")
        done.set()
        return await resuming, await steady, await board

    (resumed, reconnects), steady_msgs, board_msgs = asyncio.run(run())
    stored = [
        a.id for a in server.store.alerts_after(0, agent_id="r1", audience="agent", limit=5000)
    ]
    assert len(stored) >= 5
    ids = [a["id"] for a in resumed]
    assert ids == stored, "resuming reader: every agent alert once, in id order"
    assert reconnects >= 3
    steady = [m["alert"]["id"] for m in steady_msgs if m["type"] == "alert"]
    assert steady == stored, "connected reader: every alert once"
    assert all(a["agent_id"] == "r1" for a in resumed)
    # the supervisor board saw starts, flags and ends once each, in order
    entries = [m["entry"] for m in board_msgs if m["type"] == "feed"]
    entry_ids = [e["id"] for e in entries]
    assert entry_ids == sorted(set(entry_ids))
    started = {e["call_id"] for e in entries if e["kind"] == "call_started"}
    assert {"r1-c1", "r1-c2", "r2-c1", "r1-c3"} <= started
    flags = [m for m in board_msgs if m["type"] == "feed" and m["entry"]["kind"] == "alert"]
    assert any(m["alert"]["kind"] == "escalation_flag" for m in flags)
    assert all(m["alert"]["audience"] in ("supervisor", "both") for m in flags)


def test_feed_refuses_bad_after_and_agents(server: LiveServer) -> None:
    bad = asyncio.run(
        read_feed(server.url("/v1/agents/r1/alerts", server.tokens["r1"], after="x"), timeout_s=5)
    )
    assert bad[0]["code"] == "bad_after"
    agent = asyncio.run(
        read_feed(server.url("/v1/supervisor/feed", server.tokens["r1"]), timeout_s=5)
    )
    assert agent[0]["code"] == "forbidden"


def test_killed_call_interrupted_in_storage(server: LiveServer) -> None:
    server.replay(
        "calm_call",
        "r2",
        call_id="r2-killed",
        stop=False,
        stop_after_frames=300,
        abort_when=lambda r: bool(r.of_type("started")),
    )
    deadline = time.monotonic() + 20
    while server.store.get_call("r2-killed").state == "live" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.store.get_call("r2-killed").state == "interrupted"


def test_two_nodes_share_storage_and_a_redis_bus(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A call on node A reaches an agent feed on node B through Redis, not by polling."""
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    db = f"sqlite:///{tmp_path_factory.mktemp('nodes') / 'shared.db'}"
    common = {"bus_url": "redis://127.0.0.1:6379/0", "feed_poll_s": 120.0}
    with (
        running_server(db, node_id="node-a", **common) as a,
        running_server(db, node_id="node-b", **common) as b,
    ):
        a.user("n1", "agent")
        b.tokens.update(a.tokens)

        async def run() -> tuple[Any, list[dict[str, Any]], float]:
            feed = asyncio.create_task(
                read_feed(
                    b.url("/v1/agents/n1/alerts", b.tokens["n1"], after=0),
                    until=lambda m: m["type"] == "alert",
                    timeout_s=60,
                )
            )
            await asyncio.sleep(0.5)
            sent_at: list[float] = []

            def note(msg: dict[str, Any]) -> None:
                if msg["type"] == "alert" and not sent_at:
                    sent_at.append(time.monotonic())

            call = await a.areplay("escalation_call", "n1", call_id="n1-c1", on_message=note)
            msgs = await feed
            return call, msgs, time.monotonic() - sent_at[0]

        call, msgs, _ = asyncio.run(run())
        alerts = [m["alert"] for m in msgs if m["type"] == "alert"]
        assert alerts and alerts[0]["id"] == call.alerts[0]["id"]
        # node B's poll interval is 120 s; arriving within the test means the bus carried it
        assert b.store.get_call("n1-c1").state == "ended"
        assert b.store.get_call("n1-c1").node_id == "node-a"


def test_redis_bus_publish_subscribe() -> None:
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    from calltone.service.live.bus import RedisBus

    async def run() -> tuple[list[bytes], bool, bool, int]:
        bus, other = RedisBus("redis://127.0.0.1:6379/0"), RedisBus("redis://127.0.0.1:6379/0")
        await bus.start()
        await other.start()
        try:
            channel = f"test-{time.time_ns()}"
            async with bus.subscribe(channel, maxsize=3) as sub:
                has = await other.has_subscribers(channel)
                for i in range(5):
                    await other.publish(channel, json.dumps({"n": i}).encode())
                await asyncio.sleep(0.5)
                got = []
                while (m := sub.get_nowait()) is not None:
                    got.append(m)
                dropped = sub.dropped
            other._numsub.clear()
            gone = await other.has_subscribers(channel)
            return got, has, gone, dropped
        finally:
            await bus.close()
            await other.close()

    got, has, gone, dropped = asyncio.run(run())
    assert has and not gone
    assert [json.loads(m)["n"] for m in got] == [2, 3, 4], "bounded: oldest dropped"
    assert dropped == 2


def test_memory_bus_bounded_and_unsubscribes() -> None:
    from calltone.service.live.bus import MemoryBus

    async def run() -> tuple[list[bytes | None], bool, bool]:
        bus = MemoryBus()
        async with bus.subscribe("c", maxsize=2) as sub:
            for i in range(4):
                await bus.publish("c", bytes([i]))
            during = await bus.has_subscribers("c")
            got = [sub.get_nowait(), sub.get_nowait(), sub.get_nowait()]
        return got, during, await bus.has_subscribers("c")

    got, during, after = asyncio.run(run())
    assert got == [b"\x02", b"\x03", None] and during and not after


def test_unreachable_redis_is_a_clear_error() -> None:
    from calltone.service.live.bus import BusError, RedisBus, make_bus

    async def run() -> str:
        bus = RedisBus("redis://127.0.0.1:1/0")
        try:
            await bus.start()
        except BusError as exc:
            return str(exc)
        return ""

    message = asyncio.run(run())
    assert "cannot reach Redis" in message and "memory://" in message
    with pytest.raises(BusError, match="unknown bus URL"):
        make_bus("kafka://x")
