"""Defences against hostile clients that apply before any route runs (issue 15).

Three layers, outermost first:

- :class:`ConnectionGuard` sits in uvicorn's protocol classes (``calltone serve`` passes them):
  it closes a connection whose client address already holds ``max_connections_per_address``
  open connections, and one that has not sent a complete request head within
  ``http_header_timeout_s`` (of connecting or of its previous response). Without it, 300
  half-sent requests held 300 descriptors for ever.
- :class:`RequestGuard` is a pure ASGI middleware (it never reads a body it does not pass on):
  a body larger than its route's limit gets 413 *before routing and before the token is read*
  (from ``Content-Length`` at once, else while streaming), a body that stalls gets 408, a
  cookie-authenticated non-GET request or any WebSocket handshake from a foreign ``Origin`` gets
  403.
- :func:`loads_bounded` parses a socket's JSON text within a size and a nesting depth, so
  100,000 ``[`` is a clear ``error`` instead of an uncaught ``RecursionError``.

Why Origin: the session cookie is SameSite=Strict, but "site" ignores the port and covers
sibling subdomains, so a page on another port of the same host rode a supervisor's cookie into
the feed and the ack API. Browsers always send ``Origin`` on WebSocket handshakes and on
cross-origin POSTs; non-browser clients (softphones, ``calltone replay``, platform adapters)
send none and are judged by their token alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from calltone.audio.errors import CalltoneError

log = logging.getLogger("calltone.guard")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "calltone_token"


class MessageTooComplexError(CalltoneError):
    """A JSON text message over the size or nesting limit, or not JSON at all."""


# --------------------------------------------------------------------------------------------
# Bounded JSON


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text`` outside strings (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


def loads_bounded(text: str, *, max_bytes: int, max_depth: int) -> Any:
    """``json.loads`` for text a client sent, within ``max_bytes`` and ``max_depth``.

    Raises
    ------
    MessageTooComplexError
        Too long, nested too deep, or not JSON; the message says which and the limit.
    """
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > max_bytes else len(text)
    if size > max_bytes:
        raise MessageTooComplexError(
            f"the message is {size} bytes, over the {max_bytes} byte limit for JSON messages "
            "(CALLTONE_MAX_WS_TEXT_BYTES)"
        )
    depth = json_depth(text)
    if depth > max_depth:
        raise MessageTooComplexError(
            f"the message nests {depth} levels deep, over the limit of {max_depth} "
            "(CALLTONE_MAX_JSON_DEPTH); send a flat JSON object"
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
        raise MessageTooComplexError(f"the message is not valid JSON ({why})") from None


# --------------------------------------------------------------------------------------------
# Origin


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def origin_allowed(scope: Scope, allowed: frozenset[str]) -> bool:
    """No Origin (not a browser), the server's own origin, or one of ``allowed``."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin in allowed:
        return True
    if origin == "null":
        return False
    parts = urlsplit(origin)
    host = (_header(scope, b"host") or "").strip().lower()
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host


def _uses_cookie(scope: Scope) -> bool:
    auth = (_header(scope, b"authorization") or "").lower()
    if auth.startswith("bearer "):
        return False
    return SESSION_COOKIE in (_header(scope, b"cookie") or "")


# --------------------------------------------------------------------------------------------
# The ASGI middleware


class RequestGuard:
    """Body limits, stalled bodies and foreign origins, before routing (pure ASGI).

    Parameters
    ----------
    app
        The application to guard.
    max_body_bytes : int
        Limit of every request body but those in ``upload_limits``.
    upload_limits : dict of (method, path) to int
        Larger limits for the upload routes.
    body_idle_timeout_s : float
        A body that sends nothing for this long is answered 408.
    allowed_origins : iterable of str
        Foreign origins allowed anyway (``CALLTONE_CORS_ORIGINS``).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        upload_limits: dict[tuple[str, str], int],
        body_idle_timeout_s: float,
        allowed_origins: list[str] | tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_limits = upload_limits
        self.body_idle_timeout_s = body_idle_timeout_s
        self.allowed_origins = frozenset(o.strip().lower().rstrip("/") for o in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            if not origin_allowed(scope, self.allowed_origins):
                log.warning("WebSocket %s refused: foreign Origin", scope.get("path"))
                # closing before accept answers the handshake with HTTP 403
                await send({"type": "websocket.close", "code": 1008, "reason": "foreign origin"})
                return
            await self.app(scope, receive, send)
            return
        await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "GET")
        if (
            method not in SAFE_METHODS
            and _uses_cookie(scope)
            and not origin_allowed(scope, self.allowed_origins)
        ):
            await _reply(
                send,
                403,
                "this request came from another site's page (its Origin is not this server's); "
                "use the calltone pages, or send 'Authorization: Bearer <token>' without the "
                "session cookie",
            )
            return
        limit = self.upload_limits.get((method, scope.get("path", "")), self.max_body_bytes)
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isascii() or not declared.strip().isdigit():
                await _reply(send, 400, "Content-Length must be a whole number of bytes")
                return
            if int(declared) > limit:
                await _reply(send, 413, _too_large(int(declared), limit, scope))
                return
        state = {"started": False, "cut": False, "received": 0, "body_done": False}

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                return  # we answered already; the app is unwinding
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        async def guarded_receive() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            if state["body_done"]:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_idle_timeout_s)
            except TimeoutError:
                await self._cut(
                    state,
                    send,
                    408,
                    f"the request body stalled for {self.body_idle_timeout_s:g} s "
                    "(CALLTONE_BODY_IDLE_TIMEOUT_S); send it at once",
                )
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    await self._cut(state, send, 413, _too_large(state["received"], limit, scope))
                    return {"type": "http.disconnect"}
                if not message.get("more_body"):
                    state["body_done"] = True
            return message

        await self.app(scope, guarded_receive, guarded_send)

    @staticmethod
    async def _cut(state: dict[str, Any], send: Send, code: int, detail: str) -> None:
        if not state["started"]:
            await _reply(send, code, detail)
        state["cut"] = True


def _too_large(size: int, limit: int, scope: Scope) -> str:
    setting = (
        "CALLTONE_MAX_UPLOAD_BYTES"
        if scope.get("path") == "/v1/recordings"
        else "CALLTONE_MAX_BODY_BYTES"
    )
    return f"the request body is over {size} bytes, more than the {limit} byte limit ({setting})"


async def _reply(send: Send, code: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------------------------
# Connections (uvicorn protocol classes)


class ConnectionGuard:
    """Per-address connection counts and request-head deadlines, shared by one server's
    protocol instances (all on the event loop thread: no locks).

    Keyed by transport, never by the ASGI ``client``: uvicorn's proxy-header support rewrites
    that to the forwarded address. ``max_per_address`` 0 turns the cap off.
    """

    def __init__(self, *, max_per_address: int = 0, header_timeout_s: float = 0.0) -> None:
        self.max_per_address = max_per_address
        self.header_timeout_s = header_timeout_s
        self.per_address: Counter[str] = Counter()
        self.refused = 0
        self.timed_out = 0
        self._open: dict[Any, str] = {}
        self._timers: dict[Any, asyncio.TimerHandle] = {}

    def configure(self, *, max_per_address: int, header_timeout_s: float) -> None:
        self.max_per_address = max_per_address
        self.header_timeout_s = header_timeout_s

    def opened(self, transport: Any) -> bool:
        """Count a new connection and start its head deadline; False (and the connection
        reset) when its address is over the cap."""
        if transport in self._open:
            return True
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "unknown"
        if self.max_per_address and self.per_address[address] >= self.max_per_address:
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                log.warning(
                    "refused a connection from %s: it holds %d already "
                    "(CALLTONE_MAX_CONNECTIONS_PER_ADDRESS; %d refused so far)",
                    address,
                    self.per_address[address],
                    self.refused,
                )
            transport.abort()
            return False
        self._open[transport] = address
        self.per_address[address] += 1
        self.waiting_for_head(transport)
        return True

    def closed(self, transport: Any) -> None:
        self.head_received(transport)
        address = self._open.pop(transport, None)
        if address is not None:
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]

    def head_received(self, transport: Any) -> None:
        """A request's (or WebSocket handshake's) head is complete: stop its deadline."""
        timer = self._timers.pop(transport, None)
        if timer is not None:
            timer.cancel()

    def waiting_for_head(self, transport: Any) -> None:
        """(Re)start the deadline for the next request head on ``transport``."""
        if self.header_timeout_s <= 0 or transport not in self._open:
            return
        self.head_received(transport)
        loop = asyncio.get_running_loop()
        self._timers[transport] = loop.call_later(self.header_timeout_s, self._expire, transport)

    def _expire(self, transport: Any) -> None:
        self._timers.pop(transport, None)
        if not transport.is_closing():
            self.timed_out += 1
            transport.abort()


CONNECTIONS = ConnectionGuard()
"""The process's guard; ``calltone serve`` configures it from the settings."""


def protocol_classes(guard: ConnectionGuard = CONNECTIONS) -> tuple[type[Any], type[Any]]:
    """uvicorn ``http`` and ``ws`` protocol classes that report to ``guard``."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

    http_base: Any = AutoHTTPProtocol
    ws_base: Any = AutoWebSocketsProtocol

    class GuardedHTTP(http_base):
        def connection_made(self, transport: Any) -> None:
            if guard.opened(transport):
                super().connection_made(transport)

        # httptools calls this once a request's head is parsed (upgrades included); h11 has
        # no such hook, so a cycle appearing is the sign there
        def on_headers_complete(self) -> None:
            guard.head_received(self.transport)
            super().on_headers_complete()

        def handle_events(self) -> None:
            before = getattr(self, "cycle", None)
            super().handle_events()
            if getattr(self, "cycle", None) is not before:
                guard.head_received(self.transport)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                guard.waiting_for_head(self.transport)

        def connection_lost(self, exc: Exception | None) -> None:
            transport = getattr(self, "transport", None)
            if transport is None:  # refused in connection_made: nothing was set up
                return
            guard.closed(transport)
            super().connection_lost(exc)

    class GuardedWS(ws_base):
        def connection_made(self, transport: Any) -> None:
            guard.head_received(transport)  # the handshake's head arrived over HTTP
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            guard.closed(self.transport)
            super().connection_lost(exc)

    return GuardedHTTP, GuardedWS
