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
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from calltone.models.tone.alerts import AgentStrain
from calltone.models.tone.events import Event
from calltone.models.tone.session import CallSession, SessionUpdate
from calltone.service.live.cpu import single_threaded_blas
from calltone.service.live.framing import (
    FrameClosedError,
    encode_frame,
    read_frame,
    recv_frame,
)
from calltone.service.live.worker_messages import (
    AnalysisError,
    CloseCall,
    Closed,
    EndOfCall,
    Failure,
    Finish,
    Finished,
    OpenCall,
    Reply,
    Request,
    Step,
    WorkerReply,
    WorkerRequest,
    WorkerResult,
)

R = TypeVar("R")


def handle(sessions: dict[str, CallSession], call_id: str, request: WorkerRequest) -> WorkerResult:
    """Answer one request (the same code runs in a worker process or a thread)."""
    if isinstance(request, OpenCall):
        sessions[call_id] = CallSession(
            roles=request.roles,
            n_channels=request.fmt.channels,
            config=request.config,
            alert_config=request.alert_config,
            call_id=request.call_id,
            agent_id=request.agent_id,
            pcm=request.fmt,
            utterances=request.utterances,
            profiles=request.profiles,
            separation=request.separation,
        )
        return None
    if isinstance(request, CloseCall):
        sessions.pop(call_id, None)
        return None
    session = sessions.get(call_id)
    if session is None:
        raise AnalysisError(f"no live analysis for call {call_id!r} in this worker")
    if isinstance(request, Step):
        updates = []
        if request.pcm:  # after finish only cue events come (the analyzer takes no more audio)
            updates.append(session.push_pcm(request.pcm))
        if request.cue_events:
            updates.append(session.add_events(request.cue_events))
        return updates
    if isinstance(request, Finish):
        # The session stays until CloseCall: late transcript cues may still raise a flag, and
        # the end-of-call decision waits for them (EndOfCall).
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
    if isinstance(request, EndOfCall):
        alerts = session.close(strain=request.strain, wall_time_s=request.wall_time_s)
        return Closed(alerts, request.strain.hard_calls(session.agent_id))
    raise AnalysisError(f"unknown analysis request {type(request).__name__}")


def serve_requests(sock: socket.socket) -> None:
    """A worker process: answer the requests on ``sock`` in order until the pipe closes."""
    single_threaded_blas()  # this process's whole life: no BLAS threads beside the analysis
    sessions: dict[str, CallSession] = {}
    while True:
        try:
            request = recv_frame(sock)
        except (FrameClosedError, OSError, KeyboardInterrupt):
            return
        if not isinstance(request, Request):
            return  # not our server on the other end: stop rather than guess
        frame: bytes
        try:
            frame = encode_frame(
                Reply(request.request_id, handle(sessions, request.call_id, request.body))
            )
        except Exception as exc:  # report it to the call; the other calls keep going
            frame = encode_frame(Failure(request.request_id, f"{type(exc).__name__}: {exc}"))
        try:
            sock.sendall(frame)
        except OSError:
            return


class Worker:
    """One analysis worker: a process (or a thread of this process when ``process`` is False).

    Requests are pipelined over the worker's socket straight from the event loop (frames of
    :mod:`calltone.service.live.framing`, which the worker process reads with the same module),
    and a reader task hands each reply to the call waiting for it. No thread sits between the
    loop and the pipe: with 25 calls per worker, threads that had to win the GIL back for every
    request (5 ms switch interval) made steps queue for 0.1-0.4 s.
    """

    def __init__(self, index: int, *, process: bool) -> None:
        self.index = index
        self.calls = 0
        self._process: Any = None
        self._sock: socket.socket | None = None
        self._sessions: dict[str, CallSession] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._waiting: dict[int, asyncio.Future[WorkerReply]] = {}
        self._next_id = 0
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._dead: str | None = None
        if not process:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"analysis-{index}")
            return
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        parent, child = socket.socketpair()
        self._process = ctx.Process(
            target=serve_requests, args=(child,), name=f"calltone-analysis-{index}", daemon=True
        )
        self._process.start()
        child.close()
        self._sock = parent

    async def start(self) -> None:
        """Attach the worker's socket to the running event loop."""
        if self._sock is None or self._writer is not None:
            return
        reader, self._writer = await asyncio.open_connection(sock=self._sock)
        self._reader_task = asyncio.create_task(self._read(reader), name=f"analysis-{self.index}")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                reply = await read_frame(reader)
                if not isinstance(reply, Reply | Failure):
                    self._fail(f"it answered {type(reply).__name__}, not a reply")
                    return
                future = self._waiting.pop(reply.request_id, None)
                if future is not None and not future.done():
                    future.set_result(reply)
        except (FrameClosedError, ConnectionError, OSError) as exc:
            self._fail(f"it stopped answering ({type(exc).__name__})")

    def _fail(self, why: str) -> None:
        """The process is gone: fail every waiting request, and every later one at once."""
        self._dead = f"analysis worker {self.index} died: {why}; its calls are interrupted"
        waiting, self._waiting = self._waiting, {}
        for request_id, future in waiting.items():
            if not future.done():
                future.set_result(Failure(request_id, self._dead))

    async def _request(self, call_id: str, request: WorkerRequest) -> WorkerResult:
        """Send a request and wait for its result; one worker answers in the order asked."""
        loop = asyncio.get_running_loop()
        if self._executor is not None:
            return await loop.run_in_executor(
                self._executor, handle, self._sessions, call_id, request
            )
        if self._writer is None:
            await self.start()
        if self._dead is not None or self._writer is None:
            raise AnalysisError(self._dead or f"analysis worker {self.index} is not running")
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[WorkerReply] = loop.create_future()
        self._waiting[request_id] = future
        self._writer.write(encode_frame(Request(request_id, call_id, request)))
        await self._writer.drain()
        reply = await future
        if isinstance(reply, Failure):
            raise AnalysisError(f"analysis of call {call_id!r} failed: {reply.problem}")
        return reply.result

    async def _typed(self, call_id: str, request: WorkerRequest, kind: type[R]) -> R:
        result = await self._request(call_id, request)
        if not isinstance(result, kind):
            raise AnalysisError(
                f"analysis of call {call_id!r}: {type(request).__name__} answered "
                f"{type(result).__name__}, not {kind.__name__}"
            )
        return result

    async def open_call(self, spec: OpenCall) -> None:
        """Create the call's session in this worker."""
        await self._request(spec.call_id, spec)

    async def step(self, call_id: str, pcm: bytes, cue_events: list[Event]) -> list[SessionUpdate]:
        """Analyse audio and phrase cues: an update for the audio (if any), then the cues'."""
        return await self._typed(call_id, Step(pcm, cue_events), list)

    async def finish(self, call_id: str) -> Finished:
        """End the call's audio analysis (its session stays for late cues)."""
        return await self._typed(call_id, Finish(), Finished)

    async def end_of_call(self, call_id: str, strain: AgentStrain, wall_time_s: float) -> Closed:
        """The call's end-of-call alerts, with the agent's hard calls as now recorded."""
        return await self._typed(call_id, EndOfCall(strain, wall_time_s), Closed)

    async def close_call(self, call_id: str) -> None:
        """Forget the call's session (unknown calls are fine)."""
        await self._request(call_id, CloseCall())

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._reader_task is not None:
            self._reader_task.cancel()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        elif self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
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
        await asyncio.gather(*(w.close_call("-") for w in self.workers))

    def close(self) -> None:
        for w in self.workers:
            w.close()


__all__ = [
    "AnalysisError",
    "AnalysisPool",
    "Closed",
    "Finished",
    "OpenCall",
    "Worker",
    "handle",
    "serve_requests",
]
