"""SIGKILL the real server in the middle of live calls, restart it, and lose nothing (issue 7.2).

``calltone serve`` runs as its own process on a SQLite file. Several calls stream sample audio
faster than real time while every agent's alert feed, a supervisor board and the calls' own
sockets record what they receive. At a chosen moment (the first alert, a burst of alerts, the
take-a-break raised as a call ends, just after one call ended) the server process gets SIGKILL:
no shutdown code runs.

Then, before the restart: the analysis workers went away with their parent, the database passes
``PRAGMA integrity_check`` and is in WAL mode, and every alert, feed entry and event any client
received is in it (nothing announced before it was committed). After the restart on the same
file: the calls that were live are ``interrupted``, every feed that resumes with
``after=<last id it saw>`` receives exactly the stored items it had not seen, once each, in
order, and a new call works end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from calltone.service.clients.common import socket_url
from calltone.service.clients.replay import replay_samples
from calltone.service.storage import Store
from tests.support.server_process import ServerProcess, alive, children_of
from tests.support.service import read_feed, sample

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPEED = 3.0  # 45 s sample calls in ~15 s; the first alerts come ~9 s in
AGENTS = ("k1", "k2", "k3", "k4")
CALLS = (  # (agent, sample, start delay s)
    ("k1", "escalation_call", 0.0),
    ("k2", "interrupting_agent_call", 0.7),
    ("k3", "escalation_call", 1.4),
    ("k4", "calm_call", 2.1),
)


@dataclass
class Seen:
    """Everything clients received before the kill."""

    alerts: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> alert
    agent_feed: dict[str, list[int]] = field(default_factory=dict)  # agent -> alert ids in order
    board: list[int] = field(default_factory=list)  # supervisor feed entry ids in order
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    call_alerts: dict[str, list[int]] = field(default_factory=dict)  # call -> alert ids
    events: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    summaries: set[str] = field(default_factory=set)
    killed_after_alerts: int | None = None
    killed_at: float | None = None

    def kinds(self) -> set[str]:
        return {a["kind"] for a in self.alerts.values()}


MOMENTS: dict[str, Callable[[Seen], bool]] = {
    # the instant the first alert reaches any client
    "first_alert": lambda seen: len(seen.alerts) >= 1,
    # several calls raising alerts at once
    "alert_burst": lambda seen: len(seen.alerts) >= 5,
    # a call is finishing (take_a_break is raised at the end, then the call is ended in storage)
    "call_ending": lambda seen: "take_a_break" in seen.kinds(),
    # one call has ended (its summary arrived), the others are still streaming
    "after_a_call_ended": lambda seen: bool(seen.summaries),
}


@contextlib.contextmanager
def serve(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    db = tmp_path / "calltone.db"
    url = f"sqlite:///{db}"
    with Store(url) as store:  # users before the first start, as `calltone users add` would
        tokens = {name: store.create_user(name, "agent").token for name in AGENTS}
        tokens["boss"] = store.create_user("boss", "supervisor").token
    srv = ServerProcess(url, tmp_path)
    try:
        srv.start()
        yield srv, tokens
    finally:
        srv.stop()


async def _record_agent_feed(
    srv: ServerProcess, agent: str, token: str, seen: Seen, note: Callable[[Any], None]
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    ids = seen.agent_feed.setdefault(agent, [])
    url = socket_url(srv.ws, f"/v1/agents/{agent}/alerts", token=token, after=0)
    with contextlib.suppress(ConnectionClosed, OSError):
        async with connect(url) as ws:
            async for raw in ws:
                msg = json.loads(raw)
                if msg["type"] == "alert":
                    ids.append(msg["alert"]["id"])
                    note(msg["alert"])


async def _record_board(
    srv: ServerProcess, token: str, seen: Seen, note: Callable[[Any], None]
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    url = socket_url(srv.ws, "/v1/supervisor/feed", token=token, after=0)
    with contextlib.suppress(ConnectionClosed, OSError):
        async with connect(url) as ws:
            async for raw in ws:
                msg = json.loads(raw)
                if msg["type"] == "feed":
                    seen.board.append(msg["entry"]["id"])
                    seen.entries[msg["entry"]["id"]] = msg["entry"]
                    if "alert" in msg:
                        note(msg["alert"])


async def _stream_until_killed(
    srv: ServerProcess, tokens: dict[str, str], moment: str, round_no: int
) -> Seen:
    seen = Seen()
    condition = MOMENTS[moment]

    def note(alert: dict[str, Any] | None) -> None:
        if alert is not None:
            seen.alerts.setdefault(alert["id"], alert)
        if seen.killed_at is None and condition(seen):
            srv.kill()  # at once, from inside the client's receive path
            seen.killed_at = time.monotonic()
            seen.killed_after_alerts = len(seen.alerts)

    def on_call_message(call_id: str) -> Callable[[dict[str, Any]], None]:
        def on_message(msg: dict[str, Any]) -> None:
            if msg["type"] == "started":
                seen.started.add(call_id)
            elif msg["type"] == "summary":
                seen.summaries.add(call_id)
                note(None)
            elif msg["type"] == "event":
                seen.events[(call_id, str(msg["event"]["id"]))] = msg["event"]
            elif msg["type"] == "alert":
                seen.call_alerts.setdefault(call_id, []).append(msg["alert"]["id"])
                note(msg["alert"])

        return on_message

    async def call(agent: str, name: str, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        call_id = f"r{round_no}-{agent}"
        with contextlib.suppress(Exception):  # the server dies under it
            await replay_samples(
                sample(name),
                server=srv.ws,
                agent_id=agent,
                token=tokens[agent],
                call_id=call_id,
                speed=SPEED,
                on_message=on_call_message(call_id),
            )

    feeds = [asyncio.create_task(_record_agent_feed(srv, a, tokens[a], seen, note)) for a in AGENTS]
    feeds.append(asyncio.create_task(_record_board(srv, tokens["boss"], seen, note)))
    await asyncio.sleep(0.5)
    calls = [asyncio.create_task(call(*c)) for c in CALLS]
    _, pending = await asyncio.wait(calls + feeds, timeout=120)
    for task in pending:
        task.cancel()
    assert seen.killed_at is not None, f"the kill moment {moment!r} never came; saw {seen.alerts}"
    return seen


def _check_database_file(db: Path) -> dict[str, Any]:
    """Integrity and journal mode with plain sqlite3, the server being dead."""
    wal = db.with_name(db.name + "-wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        journal = con.execute("PRAGMA journal_mode").fetchone()[0]
        fk_problems = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    assert integrity == [("ok",)], f"database damaged by the kill: {integrity}"
    assert journal == "wal", f"SQLite journal mode is {journal!r}, not WAL"
    assert fk_problems == [], f"foreign key violations after the kill: {fk_problems}"
    return {"wal_bytes_at_kill": wal_bytes}


async def _resume(url: str) -> list[dict[str, Any]]:
    """Reconnect and read the backlog (up to ``ready``)."""
    return await read_feed(url, until=lambda m: m["type"] == "ready", timeout_s=30)


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_mid_calls_loses_no_alert(moment: str, tmp_path: Path) -> None:
    with serve(tmp_path) as (srv, tokens):
        db = tmp_path / "calltone.db"
        workers = children_of(srv.pid)
        assert workers, "expected the server's analysis worker process"

        # -- calls and feeds, until SIGKILL ------------------------------------------------------
        seen = asyncio.run(_stream_until_killed(srv, tokens, moment, 1))
        assert srv.wait_dead() == -9, "the server process should have died of SIGKILL"
        deadline = time.monotonic() + 15
        while any(alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(p) for p in workers), "analysis workers outlived the killed server"

        # -- the file as the kill left it ----------------------------------------------------
        file_facts = _check_database_file(db)
        with Store(srv.db_url) as store:
            stored_alerts = {a.id: a for a in store.alerts_after(0, limit=5000)}
            stored_feed = {e.id: e for e in store.feed_after(0, limit=5000)}
            states_at_kill = {c.call_id: c.state for c in store.list_calls(limit=5000)}
            stored_events = {(c, e.id) for c in states_at_kill for e in store.list_events(c)}
        lost = sorted(set(seen.alerts) - set(stored_alerts))
        assert not lost, f"alerts received by clients but not stored: {lost}"
        for alert_id, alert in seen.alerts.items():
            rec = stored_alerts[alert_id]
            assert (rec.call_id, rec.kind, rec.at_s) == (
                alert["call_id"],
                alert["kind"],
                alert["at_s"],
            ), f"alert {alert_id} differs in storage"
        assert set(seen.board) <= set(stored_feed), "feed entries announced but not stored"
        assert set(seen.events) <= stored_events, "events sent but not stored"
        live_at_kill = sorted(c for c, s in states_at_kill.items() if s == "live")
        assert live_at_kill, f"no call was live at the kill ({states_at_kill})"
        assert set(live_at_kill) <= seen.started - seen.summaries
        assert all(states_at_kill[c] == "ended" for c in seen.summaries)

        # -- restart on the same file ----------------------------------------------------------
        srv.start()
        boss = {"Authorization": f"Bearer {tokens['boss']}"}
        for call_id in live_at_kill:
            got = httpx.get(f"{srv.http}/v1/calls/{call_id}", headers=boss, timeout=10)
            assert got.status_code == 200, got.text
            detail = got.json()
            assert detail["call"]["state"] == "interrupted", detail["call"]
            # what was stored before the kill is still shown with the call
            assert {a["id"] for a in detail["alerts"]} == {
                a.id for a in stored_alerts.values() if a.call_id == call_id
            }
        listed = httpx.get(
            f"{srv.http}/v1/calls", headers=boss, params={"state": "live"}, timeout=10
        ).json()
        assert listed == [], f"calls still live after the restart: {listed}"
        assert srv.health()["live_calls"] == 0

        # -- every feed resumes after the last id it saw: the rest, once each ----------------------
        async def resume_all() -> dict[str, list[dict[str, Any]]]:
            jobs = {
                a: _resume(
                    socket_url(
                        srv.ws,
                        f"/v1/agents/{a}/alerts",
                        token=tokens[a],
                        after=(seen.agent_feed[a] or [0])[-1],
                    )
                )
                for a in AGENTS
            }
            jobs["boss"] = _resume(
                socket_url(
                    srv.ws,
                    "/v1/supervisor/feed",
                    token=tokens["boss"],
                    after=(seen.board or [0])[-1],
                )
            )
            results = await asyncio.gather(*jobs.values())
            return dict(zip(jobs, results, strict=True))

        resumed = asyncio.run(resume_all())
        with Store(srv.db_url) as store:
            delivered_on_resume = 0
            for agent in AGENTS:
                mine = store.alerts_after(0, agent_id=agent, audience="agent", limit=5000)
                stored_ids = [a.id for a in mine]
                before = seen.agent_feed[agent]
                after = [m["alert"]["id"] for m in resumed[agent] if m["type"] == "alert"]
                assert before + after == stored_ids, (
                    f"agent {agent}: before the kill {before}, on resume {after}, stored "
                    f"{stored_ids}: each stored alert must arrive exactly once, in order"
                )
                delivered_on_resume += len(after)
            feed_ids = [e.id for e in store.feed_after(0, limit=5000)]
            board_after = [m["entry"] for m in resumed["boss"] if m["type"] == "feed"]
            assert seen.board + [e["id"] for e in board_after] == feed_ids, (
                "the board must get every stored feed entry exactly once, in order"
            )
            ended_on_restart = {
                e["call_id"]
                for e in board_after
                if e["kind"] == "call_ended" and e["payload"].get("state") == "interrupted"
            }
            assert set(live_at_kill) <= ended_on_restart, "the board is told of the interruptions"
            all_alerts = store.alerts_after(0, limit=5000)

        # -- a new call on the restarted server, end to end -----------------------------------
        async def new_call() -> tuple[Any, list[dict[str, Any]]]:
            last = max([a.id for a in all_alerts if a.agent_id == "k1"] or [0])
            feed = asyncio.create_task(
                read_feed(
                    socket_url(srv.ws, "/v1/agents/k1/alerts", token=tokens["k1"], after=last),
                    until=lambda m: m["type"] == "alert" and m["alert"]["kind"] == "take_a_break",
                    timeout_s=60,
                )
            )
            await asyncio.sleep(0.3)
            result = await replay_samples(
                sample("escalation_call"),
                server=srv.ws,
                agent_id="k1",
                token=tokens["k1"],
                call_id="after-restart",
                speed=0,
            )
            return result, await feed

        result, feed_msgs = asyncio.run(new_call())
        assert result.summary is not None and result.summary["state"] == "ended", result.error
        kinds = [a["kind"] for a in result.alerts]
        assert "de_escalate" in kinds, kinds
        fed = [m["alert"]["id"] for m in feed_msgs if m["type"] == "alert"]
        assert fed == [a["id"] for a in result.alerts if a["audience"] in ("agent", "both")]
        assert min(fed) > max(stored_alerts or {0: None}), "new alert ids continue after the old"

        facts = {
            "moment": moment,
            "alerts_seen_by_clients_before_kill": len(seen.alerts),
            "alerts_stored_at_kill": len(stored_alerts),
            "alerts_lost": len(lost),
            "stored_unseen_then_delivered_on_resume": delivered_on_resume,
            "feed_entries_seen_before_kill": len(seen.board),
            "board_entries_on_resume": len(board_after),
            "events_seen": len(seen.events),
            "calls_live_at_kill": live_at_kill,
            "calls_ended_before_kill": sorted(seen.summaries),
            **file_facts,
        }
        print("\ncrash-restart:", json.dumps(facts))
    # graceful stop after the restart: the file is still sound
    _check_database_file(tmp_path / "calltone.db")
