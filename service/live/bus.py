"""Fan-out of live messages between the parts of the service (and between nodes).

The bus carries two kinds of traffic:

- *doorbells* on ``alerts`` and ``feed``: "something new was committed to storage". Feeds react by
  reading storage after the last id they sent, so storage stays the single source of truth and a
  lost or duplicated bus message can never lose or repeat an alert;
- *audio* on ``audio:{call_id}`` for supervisors listening in: best effort, dropped when a
  listener is slow (live audio that arrives late is useless anyway).

:class:`MemoryBus` serves one node; :class:`RedisBus` (Redis pub/sub) lets any node serve any
supervisor. Both honour the same interface, and subscriptions are bounded queues that drop their
oldest message when full, so a stuck client never grows memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol

from calltone.audio.errors import CalltoneError

log = logging.getLogger("calltone.bus")

DEFAULT_QUEUE_MESSAGES = 256
REDIS_PREFIX = "calltone:"
NUMSUB_CACHE_S = 1.0


class BusError(CalltoneError):
    """The message bus cannot be reached or used."""


class Subscription:
    """Messages for one subscriber: a bounded queue that drops the oldest when full."""

    def __init__(self, channel: str, maxsize: int = DEFAULT_QUEUE_MESSAGES) -> None:
        self.channel = channel
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize)
        self.dropped = 0

    def deliver(self, data: bytes) -> None:
        """Called on the event loop by the bus."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(data)

    async def get(self) -> bytes:
        return await self._queue.get()

    def get_nowait(self) -> bytes | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None


class Bus(Protocol):
    """What the service needs from a message bus."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, channel: str, data: bytes) -> None:
        """Send ``data`` to every current subscriber of ``channel`` on any node."""
        ...

    def subscribe(
        self, channel: str, maxsize: int = DEFAULT_QUEUE_MESSAGES
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Subscribed once the context is entered: anything published after that arrives."""
        ...

    async def has_subscribers(self, channel: str) -> bool:
        """Whether publishing on ``channel`` would reach anyone (cheap; may be briefly stale)."""
        ...


class MemoryBus:
    """In-process fan-out for a single node."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subs.clear()

    async def publish(self, channel: str, data: bytes) -> None:
        for sub in list(self._subs.get(channel, ())):
            sub.deliver(data)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channel: str, maxsize: int = DEFAULT_QUEUE_MESSAGES
    ) -> AsyncIterator[Subscription]:
        sub = Subscription(channel, maxsize)
        self._subs.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self._subs.get(channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[channel]

    async def has_subscribers(self, channel: str) -> bool:
        return bool(self._subs.get(channel))


class RedisBus:
    """Redis pub/sub behind the :class:`Bus` interface (``redis://host:port/db``).

    One connection publishes and one pub/sub connection per node reads; local subscribers share
    it. Pub/sub is at-most-once, which is why feeds treat messages as doorbells and also poll.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._redis: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._subs: dict[str, set[Subscription]] = {}
        self._lock = asyncio.Lock()
        self._numsub: dict[str, tuple[float, bool]] = {}
        self._confirmed: dict[str, asyncio.Event] = {}

    async def start(self) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError as exc:
            raise BusError(
                "bus_url is redis:// but the redis package is not installed; run: "
                "pip install 'calltone[redis]'"
            ) from exc
        self._redis = aioredis.Redis.from_url(self.url, socket_connect_timeout=3)
        try:
            await self._redis.ping()
        except Exception as exc:  # redis raises ConnectionError, TimeoutError, OSError...
            await self._redis.aclose()
            raise BusError(
                f"cannot reach Redis at {self.url}: {exc}; start Redis or set "
                "CALLTONE_BUS_URL=memory:// for a single node"
            ) from exc
        self._pubsub = self._redis.pubsub()
        # A pub/sub connection needs a subscription before it can be read; this one is ours.
        await self._subscribe_confirmed(REDIS_PREFIX + "_bus", start_reader=True)

    async def _subscribe_confirmed(self, name: str, *, start_reader: bool = False) -> None:
        """SUBSCRIBE and wait for Redis to confirm, so later publishes reach us."""
        confirmed = self._confirmed[name] = asyncio.Event()
        await self._pubsub.subscribe(name)
        if start_reader:
            self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")
        try:
            await asyncio.wait_for(confirmed.wait(), timeout=5.0)
        except TimeoutError as exc:
            raise BusError(f"Redis at {self.url} did not confirm SUBSCRIBE {name}") from exc
        finally:
            self._confirmed.pop(name, None)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
        self._subs.clear()

    async def _read(self) -> None:
        while True:
            try:
                msg = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: feeds keep polling storage meanwhile
                log.warning("redis bus read failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                continue
            if msg is None:
                continue
            channel = msg["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            if msg.get("type") == "subscribe":
                waiter = self._confirmed.get(channel)
                if waiter is not None:
                    waiter.set()
                continue
            if msg.get("type") != "message":
                continue
            for sub in list(self._subs.get(channel[len(REDIS_PREFIX) :], ())):
                sub.deliver(msg["data"])

    async def publish(self, channel: str, data: bytes) -> None:
        try:
            await self._redis.publish(REDIS_PREFIX + channel, data)
        except Exception as exc:  # never let a bus hiccup fail a call: storage has the data
            log.warning("redis publish on %s failed: %s", channel, exc)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channel: str, maxsize: int = DEFAULT_QUEUE_MESSAGES
    ) -> AsyncIterator[Subscription]:
        sub = Subscription(channel, maxsize)
        async with self._lock:
            subs = self._subs.setdefault(channel, set())
            if not subs:
                await self._subscribe_confirmed(REDIS_PREFIX + channel)
            subs.add(sub)
        try:
            yield sub
        finally:
            async with self._lock:
                left = self._subs.get(channel)
                if left is not None:
                    left.discard(sub)
                    if not left:
                        del self._subs[channel]
                        with contextlib.suppress(Exception):
                            await self._pubsub.unsubscribe(REDIS_PREFIX + channel)

    async def has_subscribers(self, channel: str) -> bool:
        now = time.monotonic()
        cached = self._numsub.get(channel)
        if cached is not None and now - cached[0] < NUMSUB_CACHE_S:
            return cached[1]
        try:
            counts = await self._redis.pubsub_numsub(REDIS_PREFIX + channel)
            found = bool(counts and int(counts[0][1]) > 0)
        except Exception:
            found = True  # unknown: publish anyway
        self._numsub[channel] = (now, found)
        return found


def make_bus(url: str) -> MemoryBus | RedisBus:
    """The bus for ``url``: ``memory://`` or ``redis://...``."""
    if url.startswith("memory:"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    raise BusError(f"unknown bus URL {url!r}; use memory:// or redis://host:6379/0")
