"""Acoustic analysis of live calls in worker processes.

Why processes: the streaming core is numpy-heavy Python with a fixed cost per push, and in one
interpreter it competes with the event loop for the GIL; measured with 50 real-time calls, the
server then used less than one of the two cores and alerts queued for a second. Each worker
process owns the :class:`~models.tone.session.CallSession` of the calls assigned to it (a call stays
on one worker, so its state never moves), and the event loop only moves bytes.

``processes=0`` keeps everything in this process (threads): simpler to debug, fine for a few calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import socket
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from calltone.audio.channels import ChannelRoles
from calltone.audio.errors import CalltoneError
from calltone.audio.pcm import PcmFormat
from calltone.models.tone.alerts import Alert, AlertConfig
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.session import CallSession, SessionUpdate, UtteranceOptions


class AnalysisError(CalltoneError):
    """A call's analysis failed in its worker (or the worker died)."""


@dataclass(frozen=True)
class OpenCall:
    """Everything a worker needs to create a call's session."""

    call_id: str
    agent_id: str
    roles: ChannelRoles
    fmt: PcmFormat
    config: AnalysisConfig
    alert_config: AlertConfig
    utterances: UtteranceOptions | None
    profiles: dict[str, BaselineSnapshot] | None = None
    """Saved voice profiles by role (``{"agent": ...}``) the call's baselines start from."""


@dataclass
class Finished:
    """The end of a call, as the service needs it (small enough to send between processes)."""

    final: SessionUpdate
    duration_s: float
    events: list[dict[str, Any]]
    metrics: dict[str, Any]
    notes: list[str]
    agent_baseline: BaselineSnapshot | None = None
    """The agent's final baseline (None: no agent channel), for their voice profile."""


@dataclass(frozen=True)
class Closed:
    """The end-of-call alerts, decided once the late transcript cues are in, and the agent's
    recent hard calls as the worker's copy of the strain record now holds them."""

    alerts: list[Alert]
    hard_calls: tuple[float, ...] = ()


def handle(sessions: dict[str, CallSession], op: str, call_id: str, payload: Any) -> Any:
    """One request to a worker (the same code runs in a process or a thread)."""
    if op == "open":
        spec: OpenCall = payload
        sessions[call_id] = CallSession(
            roles=spec.roles,
            n_channels=spec.fmt.channels,
            config=spec.config,
            alert_config=spec.alert_config,
            call_id=spec.call_id,
            agent_id=spec.agent_id,
            pcm=spec.fmt,
            utterances=spec.utterances,
            profiles=spec.profiles,
        )
        return None
    if op == "close":
        sessions.pop(call_id, None)
        return None
    session = sessions.get(call_id)
    if session is None:
        raise AnalysisError(f"no live analysis for call {call_id!r} in this worker")
    if op == "step":
        pcm, cue_events = payload
        updates = []
        if pcm:  # after finish only cue events come (the analyzer takes no more audio)
            updates.append(session.push_pcm(pcm))
        if cue_events:
            updates.append(session.add_events(cue_events))
        return updates
    if op == "finish":
        # The session stays until "close": late transcript cues may still raise a flag, and
        # the end-of-call decision waits for them ("end_of_call").
        result = session.finish()
        analysis = result.analysis
        return Finished(
            final=result.final,
            duration_s=analysis.duration_s,
            events=[e.to_dict() for e in analysis.events_sorted()],
            metrics=analysis.metrics,
            notes=list(analysis.notes),
            agent_baseline=analysis.baselines.get("agent")
            if analysis.roles.agent is not None
            else None,
        )
    if op == "end_of_call":
        strain, wall_time_s = payload
        alerts = session.close(strain=strain, wall_time_s=wall_time_s)
        return Closed(alerts, strain.hard_calls(session.agent_id))
    raise AnalysisError(f"unknown analysis request {op!r}")


def _worker_main(conn: Connection) -> None:
    """A worker process: answer requests in order until the pipe closes."""
    sessions: dict[str, CallSession] = {}
    while True:
        try:
            request_id, op, call_id, payload = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            conn.send((request_id, "ok", handle(sessions, op, call_id, payload)))
        except Exception as exc:  # report it to the call; the other calls keep going
            conn.send((request_id, "error", f"{type(exc).__name__}: {exc}"))


class Worker:
    """One analysis worker: a process (or a thread of this process when ``process`` is False).

    Requests are pipelined over the worker's socket straight from the event loop (the same
    length-prefixed pickles as ``multiprocessing.Connection``), and a reader task hands each
    answer to the call waiting for it. No thread sits between the loop and the pipe: with 25
    calls per worker, threads that had to win the GIL back for every request (5 ms switch
    interval) made steps queue for 0.1-0.4 s.
    """

    def __init__(self, index: int, *, process: bool) -> None:
        self.index = index
        self.calls = 0
        self._process: Any = None
        self._conn: Connection | None = None
        self._sessions: dict[str, CallSession] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._dead: str | None = None
        if not process:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"analysis-{index}")
            return
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        parent, child = ctx.Pipe()  # a socketpair on POSIX
        self._process = ctx.Process(
            target=_worker_main, args=(child,), name=f"calltone-analysis-{index}", daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent

    async def start(self) -> None:
        """Attach the worker's socket to the running event loop."""
        if self._conn is None or self._writer is not None:
            return
        sock = socket.socket(fileno=os.dup(self._conn.fileno()))
        reader, self._writer = await asyncio.open_connection(sock=sock)
        self._reader_task = asyncio.create_task(self._read(reader), name=f"analysis-{self.index}")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                (size,) = struct.unpack("!i", await reader.readexactly(4))
                if size == -1:
                    (size,) = struct.unpack("!Q", await reader.readexactly(8))
                request_id, status, result = pickle.loads(await reader.readexactly(size))
                future = self._waiting.pop(request_id, None)
                if future is not None and not future.done():
                    future.set_result((status, result))
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            self._fail(f"it stopped answering ({type(exc).__name__})")

    def _fail(self, why: str) -> None:
        """The process is gone: fail every waiting request, and every later one at once."""
        self._dead = f"analysis worker {self.index} died: {why}; its calls are interrupted"
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_result(("error", self._dead))

    async def run(self, op: str, call_id: str, payload: Any = None) -> Any:
        """Run a request; requests to one worker are answered in the order they were made."""
        loop = asyncio.get_running_loop()
        if self._executor is not None:
            return await loop.run_in_executor(
                self._executor, handle, self._sessions, op, call_id, payload
            )
        if self._writer is None:
            await self.start()
        if self._dead is not None or self._writer is None:
            raise AnalysisError(self._dead or f"analysis worker {self.index} is not running")
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting[request_id] = future
        body = pickle.dumps((request_id, op, call_id, payload), protocol=pickle.HIGHEST_PROTOCOL)
        self._writer.write(struct.pack("!i", len(body)) + body)
        await self._writer.drain()
        status, result = await future
        if status == "error":
            raise AnalysisError(f"analysis of call {call_id!r} failed: {result}")
        return result

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._reader_task is not None:
            self._reader_task.cancel()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()


class AnalysisPool:
    """The workers of one node; a new call goes to the one with the fewest live calls."""

    def __init__(self, processes: int, threads: int = 2) -> None:
        if processes > 0:
            self.workers = [Worker(i, process=True) for i in range(processes)]
        else:
            self.workers = [Worker(i, process=False) for i in range(max(1, threads))]
        self._lock = threading.Lock()

    def assign(self) -> Worker:
        with self._lock:
            worker = min(self.workers, key=lambda w: w.calls)
            worker.calls += 1
            return worker

    def release(self, worker: Worker) -> None:
        with self._lock:
            worker.calls -= 1

    async def warm_up(self) -> None:
        """Wait until every worker process has imported the analysis code and answers."""
        for w in self.workers:
            await w.start()
        await asyncio.gather(*(w.run("close", "-") for w in self.workers))

    def close(self) -> None:
        for w in self.workers:
            w.close()
