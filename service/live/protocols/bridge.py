"""The in-process "socket" a platform adapter hands to :func:`service.live.runner.run_call`.

The live call runner reads calltone's own protocol from a WebSocket: a ``start`` JSON, binary
interleaved PCM, a ``stop``. An adapter does not reimplement any of that; it translates its
platform's messages into those three things and pushes them into a :class:`RunnerPort`, which
looks to the runner like the socket it knows (``receive``, ``send_text``, ``close``). What the
runner sends back (events, alerts, the summary) is collected here; platforms in monitor mode
do not read it, so alerts reach people through the feeds, where the runner puts them anyway.

The port's inbox is bounded: when the analysis falls behind, the runner stops reading, the
adapter's ``push`` waits, and the adapter stops reading the platform's socket, so TCP slows
the platform down exactly as it slows one of our own clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import time
from typing import Any

from starlette.websockets import WebSocketState

from calltone.service.live.hub import LiveHub
from calltone.service.live.runner import run_call
from calltone.service.storage import UserRecord

log = logging.getLogger("calltone.protocols")

INBOX_MESSAGES = 16
"""Messages (frames) queued between an adapter and its runner before the adapter waits."""
MAX_PUSH_S = 0.2
"""Longest PCM frame pushed to the runner (its limit is 1 s; 200 ms keeps steps even)."""
KEEPALIVE_S = 10.0
"""A call whose platform is connected but sends no audio (hold, Twilio's skipped silence) is
pinged this often (at most a third of ``audio_idle_timeout_s``), so the runner's audio idle timeout does not end it: for platform calls the
adapters' own idle timeouts (``*_idle_timeout_s``) decide when a silent connection is gone."""
MAX_GAP_S = 3600.0
"""Longest gap (pause, discarded or skipped audio) one message may put on a call's timeline."""


class RunnerPort:
    """What :func:`run_call` sees as its WebSocket: fed by an adapter, read by the runner."""

    def __init__(self) -> None:
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=INBOX_MESSAGES)
        self.application_state = WebSocketState.CONNECTED
        self.client_state = WebSocketState.CONNECTED
        self.sent: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self.started = asyncio.Event()

    # -- the runner's side (the WebSocket interface it uses) -----------------------------------

    async def receive(self) -> dict[str, Any]:
        return await self._inbox.get()

    async def send_text(self, text: str) -> None:
        msg = json.loads(text)
        self.sent.append(msg)
        if msg.get("type") in ("started", "error"):
            self.started.set()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.close_code = code
        self.application_state = WebSocketState.DISCONNECTED
        self.closed.set()
        self.started.set()

    # -- the adapter's side -------------------------------------------------------------------

    async def put(self, message: dict[str, Any]) -> bool:
        """Queue a message for the runner (waiting while it is behind); False once it closed."""
        if self.closed.is_set():
            return False
        try:
            self._inbox.put_nowait(message)
            return True
        except asyncio.QueueFull:
            pass
        putting = asyncio.ensure_future(self._inbox.put(message))
        closing = asyncio.ensure_future(self.closed.wait())
        try:
            await asyncio.wait({putting, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not putting.done():
                putting.cancel()
        return putting.done() and not putting.cancelled()

    @property
    def error(self) -> dict[str, Any] | None:
        return next((m for m in self.sent if m.get("type") == "error"), None)

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return [m["alert"] for m in self.sent if m.get("type") == "alert"]

    @property
    def summary(self) -> dict[str, Any] | None:
        return next((m for m in self.sent if m.get("type") == "summary"), None)


@dataclasses.dataclass
class CallStart:
    """What an adapter learned from its platform's opening messages."""

    call_id: str
    agent_id: str
    sample_rate_hz: int
    channels: int
    agent_channel: int = 0
    mono_role: str = "agent"
    source: dict[str, str] = dataclasses.field(default_factory=dict)
    separate: bool = False
    """One channel mixing both parties, separated live (docs/diarization.md)."""
    agent_speaker: str = "auto"

    def message(self) -> dict[str, Any]:
        return {
            "type": "start",
            "agent_id": self.agent_id,
            "sample_rate": self.sample_rate_hz,
            "channels": self.channels,
            "encoding": "pcm_s16le",
            "agent_channel": self.agent_channel,
            "mono_role": self.mono_role,
            "source": self.source,
            **({"separate": True, "agent_speaker": self.agent_speaker} if self.separate else {}),
        }


def source_user(protocol: str, source: str) -> UserRecord:
    """The identity a platform streams as: allowed to stream for any agent (as an admin
    softphone gateway is), but it exists only for this socket and holds no token."""
    return UserRecord(
        id=0,
        name=f"{protocol}:{source}",
        role="admin",
        agent_id=None,
        created_at=dt.datetime.now(dt.UTC),
    )


class CallBridge:
    """One platform call driven through the live runner: ``open``, ``push``, ``stop``/``abort``."""

    def __init__(self, hub: LiveHub, start: CallStart, user: UserRecord) -> None:
        self.hub = hub
        self.start = start
        self.user = user
        self.port = RunnerPort()
        self.task: asyncio.Task[None] | None = None
        self.bytes_per_frame = 2 * start.channels
        self.frames_pushed = 0
        self.samples_pushed = 0
        self.silence_s = 0.0
        self._max_push_bytes = int(MAX_PUSH_S * start.sample_rate_hz) * self.bytes_per_frame
        self._ended = False
        self._last_put = time.monotonic()
        self._keepalive: asyncio.Task[None] | None = None

    @property
    def call_id(self) -> str:
        return self.start.call_id

    @property
    def time_s(self) -> float:
        """Audio handed to the runner so far (the call's timeline, gaps included)."""
        return self.samples_pushed / self.start.sample_rate_hz

    async def open(self) -> dict[str, Any] | None:
        """Start the runner and hand it the ``start``; the runner's ``error`` if it refused."""
        self.task = asyncio.create_task(
            run_call(self.hub, self.port, self.call_id, self.user),  # type: ignore[arg-type]
            name=f"bridge-{self.call_id}",
        )
        await self.port.put({"type": "websocket.receive", "text": json.dumps(self.start.message())})
        started = asyncio.create_task(self.port.started.wait())
        await asyncio.wait({started, self.task}, return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        if self.port.error is not None:
            return self.port.error
        if self.task.done() and not any(m.get("type") == "started" for m in self.port.sent):
            return {"type": "error", "code": "internal", "message": "the call did not start"}
        self._keepalive = asyncio.create_task(self._keep_alive(), name=f"keepalive-{self.call_id}")
        return None

    async def _keep_alive(self) -> None:
        every_s = min(KEEPALIVE_S, self.hub.settings.audio_idle_timeout_s / 3)
        while not self._ended and not self.port.closed.is_set():
            await asyncio.sleep(every_s / 2)
            if time.monotonic() - self._last_put >= every_s:
                await self.keepalive()

    async def push(self, pcm: bytes) -> None:
        """Interleaved little-endian 16-bit PCM, whole sample frames, any length."""
        for i in range(0, len(pcm), self._max_push_bytes):
            chunk = pcm[i : i + self._max_push_bytes]
            self.frames_pushed += 1
            self.samples_pushed += len(chunk) // self.bytes_per_frame
            self._last_put = time.monotonic()
            await self.port.put({"type": "websocket.receive", "bytes": chunk})

    async def push_silence(self, seconds: float) -> None:
        """A gap on the call timeline (paused, discarded or skipped audio) as digital silence."""
        if seconds > MAX_GAP_S:
            raise ValueError(f"a gap of {seconds:.0f} s is over the {MAX_GAP_S:.0f} s limit")
        n = round(max(0.0, seconds) * self.start.sample_rate_hz)
        if n <= 0:
            return
        self.silence_s += n / self.start.sample_rate_hz
        frame = bytes(self._max_push_bytes)  # one 200 ms frame, reused: never the whole gap
        left = n * self.bytes_per_frame
        while left > 0:
            await self.push(frame[: min(left, len(frame))])
            left -= len(frame)

    async def keepalive(self) -> None:
        """The platform is alive but sends no audio (paused, on hold): tell the runner, whose
        audio socket would otherwise time out (``audio_idle_timeout_s``)."""
        if not self._ended:
            self._last_put = time.monotonic()
            await self.port.put({"type": "websocket.receive", "text": '{"type": "ping"}'})

    async def stop(self) -> None:
        """The platform ended the call normally: the runner finishes it as ``ended``."""
        if not self._ended:
            self._ended = True
            await self.port.put({"type": "websocket.receive", "text": '{"type": "stop"}'})

    async def abort(self) -> None:
        """The platform went away without ending the call: the runner marks it interrupted."""
        if not self._ended:
            self._ended = True
            await self.port.put({"type": "websocket.disconnect", "code": 1006})

    async def wait(self, timeout_s: float | None = None) -> None:
        """Wait for the runner to finish the call (storage, feeds, summary)."""
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self.task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout=timeout_s)
        except TimeoutError:
            log.warning(
                "call %s: the runner is still finishing after %s s", self.call_id, timeout_s
            )
        except Exception:
            log.exception("call %s: the runner failed", self.call_id)

    async def close(self) -> None:
        """Make sure the runner ends (interrupted if nobody said stop), then wait for it."""
        if self.task is None:
            return
        if not self.task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.abort(), timeout=5.0)
        await self.wait()
