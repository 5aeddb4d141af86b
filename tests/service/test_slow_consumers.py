"""A feed client that stops reading slows nobody down and is cut off with a reason (issue 7.3).

``calltone serve`` runs as its own process with ``feed_send_timeout_s`` = 2 s. Short live calls
keep the supervisor feed busy while three boards subscribe to it:

- a normal board that reads everything (its lag from commit to receipt is measured);
- a raw TCP client with a tiny receive buffer that subscribes with ``after=0`` (the day's
  backlog, as a board opened in the afternoon does), completes the WebSocket handshake and never
  reads again: the server must drop it (server-side: the ``feeds_cut_slow`` counter, a log
  line, its TCP connection gone from the kernel's table, tasks and memory back where they were);
- a ``websockets`` client, also with a tiny buffer, that stops reading until the server has given
  up on it, then reads again: it gets the close code 1013 and a reason naming the ``after=`` id,
  reconnects with it, and ends up with every feed entry exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from calltone.service.clients.common import socket_url
from calltone.service.clients.replay import replay_samples
from calltone.service.storage import NewAlert, Store
from tests.support.server_process import (
    ServerProcess,
    open_fds,
    rss_kib,
    tcp_connection_held,
    tcp_socket,
)
from tests.support.service import read_feed, sample

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SEND_TIMEOUT_S = 2.0
TINY_RCVBUF = 4096
SMALL_MSS = 536
AGENTS = ("s1", "s2", "s3")
ROUND = (("s1", "escalation_call"), ("s2", "interrupting_agent_call"), ("s3", "escalation_call"))


def _stalled_client(port: int, path: str) -> socket.socket:
    """Open a WebSocket by hand with a tiny receive buffer, read the 101 answer, stop reading."""
    s = _small_buffer_socket(port)
    s.setblocking(True)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):  # byte by byte: take the HTTP answer, nothing more
        byte = s.recv(1)
        assert byte, f"the server closed during the handshake: {head!r}"
        head += byte
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


def _small_buffer_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer and a small MSS.

    The MSS matters on loopback: Linux sizes a connection's send buffer from the peer's MSS, and
    loopback's 64 KiB MSS gives the server ~2.6 MB of kernel send buffer per socket before its
    own writes wait. A client announcing 536 bytes (as on a small-MTU link) gets a send buffer of
    tens of KB, like a client across a real network (MSS 1460).
    """
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, TINY_RCVBUF)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, SMALL_MSS)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


FLAG = {  # an escalation flag as the live service stores it
    "kind": "escalation_flag",
    "audience": "supervisor",
    "at_s": 38.75,
    "message": "This call may need a supervisor. (customer still yelling after de-escalation)",
    "tip": "Listen in, or offer the agent help; the customer may need someone who can decide.",
    "source": {
        "file": "004_d1ad1576c38320c8.txt",
        "title": "Knowing When to Escalate to Supervisors",
        "quote": "If a customer remains dissatisfied or the situation becomes unmanageable, "
        "it's time to involve a supervisor.",
    },
    "event_ids": ["yelling-customer-0003755"],
    "thresholds": {"yelling_db_over_baseline": 10.0, "yelling_st_over_baseline": 3.0},
}
EARLIER_CALLS = 150
"""Calls earlier in the day: 450 feed entries, ~270 KB of backlog for a board opening now."""


def _earlier_calls(store: Store) -> None:
    for i in range(EARLIER_CALLS):
        call_id = f"earlier-{i}"
        store.start_call(call_id, "s1", meta={"sample_rate": 16000, "channels": 2})
        store.add_alert(NewAlert.from_dict({**FLAG, "call_id": call_id}))
        store.end_call(call_id, state="ended", summary={"duration_s": 45.7})


def _lag_s(entry: dict[str, Any], received_wall_s: float) -> float:
    created = dt.datetime.fromisoformat(entry["created_at"]).timestamp()
    return received_wall_s - created


def test_feed_client_that_stops_reading_is_cut_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'calltone.db'}"
    with Store(url) as store:
        tokens = {a: store.create_user(a, "agent").token for a in AGENTS}
        for name in ("board", "stalled", "pausing"):
            tokens[name] = store.create_user(name, "supervisor").token
        _earlier_calls(store)
    srv = ServerProcess(url, tmp_path, env={"CALLTONE_FEED_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S)})
    srv.start()
    try:
        _run(srv, tokens)
    finally:
        srv.stop()


def _run(srv: ServerProcess, tokens: dict[str, str]) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    feed_path = "/v1/supervisor/feed"
    facts: dict[str, Any] = {}
    board: list[tuple[dict[str, Any], float]] = []  # (entry, wall time received)
    stop_traffic = asyncio.Event()
    calls_done = 0

    rounds = 0

    async def traffic(max_rounds: int | None = None) -> None:
        nonlocal calls_done, rounds
        n = 0
        while not stop_traffic.is_set() and (max_rounds is None or n < max_rounds):
            n += 1
            rounds += 1
            await asyncio.gather(
                *(
                    replay_samples(
                        sample(name),
                        server=srv.ws,
                        agent_id=agent,
                        token=tokens[agent],
                        call_id=f"t{rounds}-{agent}",
                        speed=0,
                    )
                    for agent, name in ROUND
                )
            )
            calls_done += len(ROUND)

    async def read_board() -> None:
        url = socket_url(srv.ws, feed_path, token=tokens["board"], after=0)
        with contextlib.suppress(ConnectionClosed):
            async with connect(url) as ws:
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg["type"] == "feed":
                        board.append((msg["entry"], time.time()))

    async def wait_for(predicate: Any, timeout_s: float, what: str) -> float:
        t0 = time.monotonic()
        while not predicate():
            if time.monotonic() - t0 > timeout_s:
                raise AssertionError(f"{what} did not happen within {timeout_s} s")
            await asyncio.sleep(0.1)
        return time.monotonic() - t0

    async def health() -> dict[str, Any]:
        return await asyncio.to_thread(srv.health)

    async def scenario() -> None:
        reader = asyncio.create_task(read_board())
        # warm up: one round of calls, so baseline memory includes the analysis code paths
        await asyncio.sleep(0.5)
        await traffic(max_rounds=1)
        await asyncio.sleep(1.0)
        h0 = await health()
        base = {
            "tasks": h0["tasks"],
            "feeds": h0["feeds"],
            "rss_kib": rss_kib(srv.pid),
            "fds": open_fds(srv.pid),
        }
        facts["baseline"] = base
        assert h0["feeds"] == 1 and h0["feeds_cut_slow"] == 0

        # -- a client that never reads again ------------------------------------------------
        last = board[-1][0]["id"]
        query = urlencode({"after": 0, "token": tokens["stalled"]})
        stalled = _stalled_client(srv.port, f"{feed_path}?{query}")
        stalled_port = stalled.getsockname()[1]
        calls = asyncio.create_task(traffic())
        cut_after_s = await wait_for(
            lambda: cut_count[0] >= 1, 60, "cutting off the stalled feed client"
        )
        facts["stalled_cut_after_connect_s"] = round(cut_after_s, 1)
        facts["calls_before_cut"] = calls_done
        try:
            gone_s = await wait_for(
                lambda: not tcp_connection_held(srv.port, stalled_port),
                10,
                "the server dropping the stalled client's TCP connection",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {tcp_socket(srv.port, stalled_port)}") from None
        facts["stalled_server_socket_after_cut"] = tcp_socket(srv.port, stalled_port)
        facts["stalled_connection_gone_after_cut_s"] = round(gone_s, 2)
        stalled.setblocking(False)
        received, ending = 0, "still open"
        try:
            while chunk := stalled.recv(1 << 16):
                received += len(chunk)
            ending = "closed"
        except ConnectionResetError:
            ending = "reset by the server"
        except BlockingIOError:
            pass
        stalled.close()
        facts["stalled_client_sees"] = f"{received} bytes then {ending}"
        assert ending != "still open", "the stalled client's connection should be over"

        # -- a client that pauses, then reads again: it gets the reason and resumes ---------
        before = cut_count[0]
        sock = _small_buffer_socket(srv.port)
        pausing_seen: list[int] = []
        last_board = board[-1][0]["id"]
        async with connect(
            socket_url(srv.ws, feed_path, token=tokens["pausing"], after=0),
            sock=sock,
            max_queue=4,
        ) as ws:
            await wait_for(lambda: cut_count[0] > before, 60, "cutting off the pausing client")
            with contextlib.suppress(ConnectionClosed):
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg["type"] == "feed":
                        pausing_seen.append(msg["entry"]["id"])
            close_code, close_reason = ws.close_code, ws.close_reason or ""
        facts["pausing_close"] = [close_code, close_reason]
        resumed = await read_feed(
            socket_url(
                srv.ws,
                feed_path,
                token=tokens["pausing"],
                after=pausing_seen[-1] if pausing_seen else 0,
            ),
            until=lambda m: m["type"] == "ready",
            timeout_s=30,
        )
        resumed_ids = [m["entry"]["id"] for m in resumed if m["type"] == "feed"]

        # -- let traffic run on a little, then stop and settle ------------------------------
        await asyncio.sleep(2.0)
        stop_traffic.set()
        await calls
        await asyncio.sleep(1.5)
        h1 = await health()
        facts["after"] = {
            "tasks": h1["tasks"],
            "feeds": h1["feeds"],
            "rss_kib": rss_kib(srv.pid),
            "fds": open_fds(srv.pid),
            "feeds_cut_slow": h1["feeds_cut_slow"],
        }
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader

        with Store(srv.db_url) as store:
            stored = [e.id for e in store.feed_after(0, limit=5000)]
        # the normal board got everything, once, in order
        assert [e["id"] for e, _ in board] == stored, "the reading board missed or repeated entries"
        lags = sorted(_lag_s(e, t) for e, t in board if e["id"] > last)
        facts["board_entries_during_test"] = len(lags)
        facts["board_lag_ms"] = {
            "p50": round(1000 * lags[len(lags) // 2]),
            "p95": round(1000 * lags[int(0.95 * (len(lags) - 1))]),
            "max": round(1000 * lags[-1]),
        }
        assert lags[int(0.95 * (len(lags) - 1))] < 0.5 and lags[-1] < 1.5, facts["board_lag_ms"]
        # the pausing client: told why, and resumed without a gap or a repeat
        assert close_code == 1013, facts["pausing_close"]
        assert "too slow" in close_reason and "after=" in close_reason, close_reason
        told = int(close_reason.rsplit("after=", 1)[1].split()[0].rstrip(".;"))
        assert told == (pausing_seen[-1] if pausing_seen else 0)
        got = pausing_seen + resumed_ids
        assert got == stored[: len(got)], "pausing client: every entry once, in order"
        assert got[-1] >= last_board, "and everything there was when it resumed"
        facts["pausing_entries_before_cut"] = len(pausing_seen)
        facts["pausing_entries_on_resume"] = len(resumed_ids)

    cut_count = [0]

    async def watch_health() -> None:
        while True:
            with contextlib.suppress(Exception):
                cut_count[0] = (await health())["feeds_cut_slow"]
            await asyncio.sleep(0.1)

    async def main() -> None:
        watcher = asyncio.create_task(watch_health())
        try:
            await scenario()
        finally:
            watcher.cancel()

    asyncio.run(main())
    after, base = facts["after"], facts["baseline"]
    assert after["feeds_cut_slow"] == 2
    assert after["feeds"] == base["feeds"], "cut-off feeds are no longer served"
    assert after["tasks"] <= base["tasks"] + 2, f"tasks grew: {base} -> {after}"
    # (a few more SQLite pool connections may have opened under load: 3 descriptors each)
    assert after["fds"] <= base["fds"] + 9, f"file descriptors grew: {base} -> {after}"
    assert after["rss_kib"] - base["rss_kib"] < 40_000, f"memory grew: {base} -> {after}"
    log = srv.log()
    assert log.count("feed client too slow") == 2, log[-3000:]
    assert "token=" not in log.split("feed client too slow", 1)[1].splitlines()[0]
    print("\nslow-consumers:", json.dumps(facts))
