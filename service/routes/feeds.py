"""Alert feeds over WebSocket (agents, supervisors) and the supervisor feed over REST.

A feed first sends everything in storage after ``after``, then live items. It subscribes to the
bus *before* reading the backlog and treats bus messages only as doorbells ("read storage after
the last id you sent"); storage appends commit in id order, so nothing is lost in the gap between
the backlog read and the live subscription and nothing is sent twice. A client that reconnects
with ``after=<last id it saw>`` resumes exactly.

A client that stops reading (a frozen tab, a stuck headset app) must not hold anything up: each
feed is its own task reading storage at its own pace, so nobody waits for it, and what it has not
taken stays in storage rather than in memory. Once the unsent bytes fill the socket buffers, a
send waits; if one waits longer than ``feed_send_timeout_s`` the feed is cut off with close code
1013 and a reason naming the ``after=`` to resume with, and its task, subscription and (under
uvicorn) connection are released at once, whether or not the close reaches the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket
from starlette.websockets import WebSocketDisconnect

from calltone.service.deps import StoreDep, SupervisorUser, may_see_agent, socket_user
from calltone.service.live.hub import ALERTS_CHANNEL, FEED_CHANNEL, LiveHub
from calltone.service.live.protocols.calltone import CLOSE_INVALID, CLOSE_POLICY, reject
from calltone.service.routes.schemas import MAX_ID, AfterQuery, FeedEntryOut
from calltone.service.storage import Store

router = APIRouter(tags=["feeds"])
log = logging.getLogger("calltone.feeds")

CLOSE_TRY_AGAIN = 1013
"""RFC 6455 "try again later": the pages reconnect on it (1008 would tell them not to retry)."""
CLOSE_GRACE_S = 2.0
"""How long the close frame may wait for room in a cut-off client's socket before the connection
is dropped without it."""

PAGE_ROWS = 500

Reader = Callable[[int], list[tuple[int, dict[str, Any]]]]


def _after(ws: WebSocket) -> int | None:
    raw = ws.query_params.get("after", "0")
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 <= value <= MAX_ID else None


async def stream_feed(
    ws: WebSocket,
    hub: LiveHub,
    *,
    channel: str,
    after: int,
    read: Reader,
    relevant: Callable[[dict[str, Any]], bool],
) -> None:
    """Backlog after ``after``, then live items, each exactly once, until the client leaves."""
    send_timeout_s = hub.settings.feed_send_timeout_s
    async with hub.bus.subscribe(channel) as sub:
        cursor = after
        gone = asyncio.create_task(_until_disconnect(ws))
        hub.feeds_open += 1
        try:
            ready_sent = False
            while not gone.done():
                page = await hub.io(read, cursor)
                for item_id, message in page:
                    await _send(ws, json.dumps(message), send_timeout_s)
                    cursor = item_id
                if len(page) >= PAGE_ROWS:
                    continue
                if not ready_sent:
                    await _send(ws, json.dumps({"type": "ready", "after": cursor}), send_timeout_s)
                    ready_sent = True
                await _wait_doorbell(sub, gone, relevant, hub.settings.feed_poll_s)
        except _TooSlow:
            await _cut_off(ws, hub, cursor)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            hub.feeds_open -= 1
            gone.cancel()


class _TooSlow(Exception):
    """One send waited longer than ``feed_send_timeout_s``: the client stopped reading."""


async def _send(ws: WebSocket, text: str, timeout_s: float) -> None:
    """Send, waiting at most ``timeout_s`` for room in the socket's buffers.

    The server waits before writing when the connection's unsent bytes are over the transport's
    high-water mark (64 KiB in asyncio), so a send that times out has written nothing.
    """
    try:
        await asyncio.wait_for(ws.send_text(text), timeout_s)
    except TimeoutError as exc:
        raise _TooSlow from exc


async def _cut_off(ws: WebSocket, hub: LiveHub, cursor: int) -> None:
    """Close a feed whose client stopped reading; drop the connection if even the close
    cannot be sent within ``CLOSE_GRACE_S``."""
    hub.feeds_cut_slow += 1
    timeout_s = hub.settings.feed_send_timeout_s
    reason = (
        f"feed client too slow: stopped reading for {timeout_s:g} s; "
        f"reconnect with after={cursor}"
    )  # a close reason holds at most 123 bytes
    client = f"{ws.client.host}:{ws.client.port}" if ws.client else "unknown client"
    log.warning("%s (%s, %s)", reason, ws.url.path, client)  # the path only: no token
    try:
        await asyncio.wait_for(ws.close(CLOSE_TRY_AGAIN, reason), CLOSE_GRACE_S)
        return
    except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        pass
    _drop_connection(ws)


def _drop_connection(ws: WebSocket) -> None:
    """Reset the TCP connection of a client that does not read even its close frame.

    ASGI has no message for this, and closing politely would keep the socket and the bytes
    queued for it until the peer goes away. Under uvicorn the socket's receive callable belongs
    to the connection's protocol object, whose transport (asyncio's or uvloop's) can be aborted;
    a zero linger makes that a reset, so the kernel frees the unsent bytes too. Under a server
    where this is not found nothing happens here and the connection lasts until that server's
    keepalive ping goes unanswered (the feed's task and subscription are released either way).
    """
    protocol = getattr(getattr(ws, "_receive", None), "__self__", None)
    transport = getattr(protocol, "transport", None)
    abort = getattr(transport, "abort", None)
    if transport is None or not callable(abort):
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    abort()


async def _wait_doorbell(
    sub: Any, gone: asyncio.Task[None], relevant: Callable[[dict[str, Any]], bool], poll_s: float
) -> None:
    """Return when a relevant item may be in storage, the client left, or ``poll_s`` passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + poll_s
    while True:
        left = deadline - loop.time()
        if left <= 0 or gone.done():
            return
        got = asyncio.ensure_future(sub.get())
        done, _ = await asyncio.wait({got, gone}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
        if got not in done:
            got.cancel()
            return
        messages = [got.result()]
        while (more := sub.get_nowait()) is not None:
            messages.append(more)
        for raw in messages:
            try:
                note = json.loads(raw)
            except (ValueError, TypeError):
                return
            if not isinstance(note, dict) or relevant(note):
                return


async def _until_disconnect(ws: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass


def _agent_reader(store: Store, agent_id: str) -> Reader:
    def read(cursor: int) -> list[tuple[int, dict[str, Any]]]:
        page = store.alerts_after(cursor, agent_id=agent_id, audience="agent", limit=PAGE_ROWS)
        return [(a.id, {"type": "alert", "alert": a.to_dict()}) for a in page]

    return read


def _feed_reader(store: Store) -> Reader:
    def read(cursor: int) -> list[tuple[int, dict[str, Any]]]:
        out = []
        for entry in store.feed_after(cursor, limit=PAGE_ROWS):
            message: dict[str, Any] = {"type": "feed", "entry": entry.to_dict()}
            alert_id = entry.payload.get("alert_id")
            if entry.kind == "alert" and isinstance(alert_id, int):
                with contextlib.suppress(Exception):
                    message["alert"] = store.get_alert(alert_id).to_dict()
            out.append((entry.id, message))
        return out

    return read


@router.websocket("/v1/agents/{agent_id}/alerts")
async def agent_alerts(ws: WebSocket, agent_id: str) -> None:
    """An agent's alerts (their own only; supervisors and admins may watch any agent)."""
    await ws.accept()
    hub: LiveHub = ws.app.state.hub
    user = await socket_user(ws, hub, "agent", "supervisor", "admin")
    if user is None:
        return
    if not may_see_agent(user, agent_id):
        await reject(
            ws,
            "forbidden",
            f"agent {user.name!r} cannot read the alerts of {agent_id!r}",
            CLOSE_POLICY,
        )
        return
    after = _after(ws)
    if after is None:
        await reject(
            ws, "bad_after", f"after must be an alert id from 0 to {MAX_ID}", CLOSE_INVALID
        )
        return
    await stream_feed(
        ws,
        hub,
        channel=ALERTS_CHANNEL,
        after=after,
        read=_agent_reader(hub.store, agent_id),
        relevant=lambda note: (
            note.get("agent_id") == agent_id and note.get("audience") in ("agent", "both", None)
        ),
    )


@router.websocket("/v1/supervisor/feed")
async def supervisor_feed(ws: WebSocket) -> None:
    """Call starts and ends, escalation flags, take-a-break suggestions and acks."""
    await ws.accept()
    hub: LiveHub = ws.app.state.hub
    if await socket_user(ws, hub, "supervisor", "admin") is None:
        return
    after = _after(ws)
    if after is None:
        await reject(ws, "bad_after", f"after must be a feed id from 0 to {MAX_ID}", CLOSE_INVALID)
        return
    await stream_feed(
        ws,
        hub,
        channel=FEED_CHANNEL,
        after=after,
        read=_feed_reader(hub.store),
        relevant=lambda note: True,
    )


@router.get("/v1/supervisor/feed", response_model=list[FeedEntryOut])
def supervisor_feed_page(
    _: SupervisorUser,
    store: StoreDep,
    after: AfterQuery = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> object:
    """The same feed for polling clients."""
    return [e.to_dict() for e in store.feed_after(after, limit=limit)]
