"""Live calls: one :class:`CallRunner` per audio socket, sharing one :class:`LiveHub` per app.

Why it is shaped this way:

- The acoustic analysis is CPU work, so it runs in a small thread pool, never on the event loop;
  each call processes its frames in order, and frames that arrived while the previous batch was
  being analysed are analysed together (one push instead of many), which is what lets 50 calls
  share two cores. The frame queue is bounded, so a client that sends faster than real time is
  slowed down by TCP instead of growing memory.
- Every alert is committed to storage (which assigns its id) *before* it is sent on the socket or
  announced on the bus; feeds then read storage, so a reconnecting client misses nothing.
- Transcription runs beside the alerts in its own worker threads with one bounded backlog for the
  whole node. When the backlog is full an utterance is dropped and the call is told
  (``transcript_gap``); alerts never wait for Whisper. Phrase cues found in transcripts go back
  through the call's own session (in order with its audio), so a request for a manager can raise
  an escalation flag.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from calltone.audio.channels import ChannelRoles, resolve_roles
from calltone.audio.errors import CalltoneError
from calltone.audio.pcm import PcmFormat
from calltone.models.recorded.transcript import cue_event
from calltone.models.speech.cues import CueMatcher, learn_customer_name
from calltone.models.speech.redact import SegmentRedactor
from calltone.models.speech.transcriber import Transcriber
from calltone.models.speech.transcript import Segment
from calltone.models.tone.alerts import AgentStrain, Alert
from calltone.models.tone.events import Event
from calltone.models.tone.session import SessionUpdate, Utterance, UtteranceOptions
from calltone.service.guard import MessageTooComplexError, loads_bounded
from calltone.service.live.bus import Bus
from calltone.service.live.profiles import load_agent_profile, update_agent_profile
from calltone.service.live.workers import (
    AnalysisError,
    AnalysisPool,
    Finished,
    OpenCall,
    Worker,
)
from calltone.service.settings import Settings
from calltone.service.storage import (
    AlertRecord,
    ConflictError,
    InvalidRecordError,
    NewAlert,
    NewEvent,
    NewSegment,
    NotFoundError,
    Store,
    UserRecord,
)

log = logging.getLogger("calltone.live")

T = TypeVar("T")

# WebSocket close codes (RFC 6455 section 7.4.1).
CLOSE_NORMAL = 1000
CLOSE_UNSUPPORTED = 1003
CLOSE_INVALID = 1007
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011

STEP_CPU_S = 0.0011
"""Fixed CPU cost of one analysis step (``CallSession.push``), measured on the project machine."""
AUDIO_CPU_S_PER_S = 0.003
"""CPU seconds per second of audio analysed, beyond the fixed step cost."""
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
MIN_BATCH_S = 0.02
MAX_BATCH_S = 0.2

ALERTS_CHANNEL = "alerts"
FEED_CHANNEL = "feed"
CUE_WINDOW_SEGMENTS = 40
"""Transcript segments searched for phrase cues per new utterance (keeps cost flat in long calls)."""


def audio_channel(call_id: str) -> str:
    return f"audio:{call_id}"


class ProtocolError(CalltoneError):
    """Bad input on a socket: sent to the client as an ``error`` message, then the socket closes."""

    def __init__(self, code: str, message: str, close_code: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code


class StartMessage(BaseModel):
    """The first message on ``/v1/calls/{call_id}/audio``."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["start"]
    agent_id: str | None = None
    sample_rate: int = Field(16_000, description="Hz of the PCM frames that follow")
    channels: int = 2
    encoding: str = "pcm_s16le"
    agent_channel: int = 0
    customer_name: str | None = Field(None, description="lets phrase cues recognise the name")
    mono_role: Literal["agent", "customer"] = Field(
        "agent", description="who the single voice of a one-channel call is"
    )
    source: dict[str, str] | None = Field(
        None,
        description="where the audio comes from (a platform adapter's ids: protocol, session, "
        "conversation); kept in the call's meta",
    )


def parse_start(
    text: str | None,
    user: UserRecord,
    *,
    max_bytes: int = 16 * 1024,
    max_depth: int = 32,
) -> tuple[StartMessage, PcmFormat, ChannelRoles]:
    """Validate the ``start`` message (parsed within ``max_bytes`` and ``max_depth``); every
    failure names what to send instead."""
    if text is None:
        raise ProtocolError(
            "missing_start",
            'the first message must be JSON {"type": "start", "agent_id": ..., "sample_rate": '
            '16000, "channels": 2, "encoding": "pcm_s16le"}, not audio',
            CLOSE_POLICY,
        )
    try:
        raw = loads_bounded(text, max_bytes=max_bytes, max_depth=max_depth)
    except MessageTooComplexError as exc:
        raise ProtocolError(
            "bad_start", f"the start message: {exc}; send a JSON object", CLOSE_INVALID
        ) from exc
    if not isinstance(raw, dict) or raw.get("type") != "start":
        raise ProtocolError(
            "missing_start",
            'the first message must be {"type": "start", ...}; got '
            f"{str(raw.get('type') if isinstance(raw, dict) else type(raw).__name__)!r}",
            CLOSE_POLICY,
        )
    try:
        start = StartMessage.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise ProtocolError(
            "bad_start", f"start message field {where!r}: {err['msg']}", CLOSE_INVALID
        ) from exc
    if start.agent_id is None:
        if user.agent_id is None:
            raise ProtocolError(
                "bad_start",
                "the start message needs agent_id (the agent on this call)",
                CLOSE_INVALID,
            )
        start = start.model_copy(update={"agent_id": user.agent_id})
    if user.role == "agent" and start.agent_id != user.agent_id:
        raise ProtocolError(
            "forbidden",
            f"agent {user.agent_id!r} cannot stream calls of agent {start.agent_id!r}; use your "
            "own agent_id or an admin token",
            CLOSE_POLICY,
        )
    try:
        fmt = PcmFormat(start.sample_rate, start.channels, start.encoding)
    except CalltoneError as exc:
        raise ProtocolError("unsupported_format", str(exc), CLOSE_UNSUPPORTED) from exc
    try:
        roles = resolve_roles(
            fmt.channels,
            agent_channel=None
            if start.mono_role == "customer" and fmt.channels == 1
            else start.agent_channel,
            mono_role=start.mono_role,
        )
    except CalltoneError as exc:
        raise ProtocolError("bad_start", str(exc), CLOSE_INVALID) from exc
    return start, fmt, roles


def check_frame(data: bytes, fmt: PcmFormat, max_frame_bytes: int) -> None:
    """Reject a frame before it is queued (the session would, but too late to say which)."""
    limit = min(max_frame_bytes, fmt.max_frame_bytes)
    if not data:
        raise ProtocolError(
            "bad_frame",
            "empty audio frame; send 20-200 ms of PCM per binary message",
            CLOSE_INVALID,
        )
    if len(data) > limit:
        raise ProtocolError(
            "frame_too_large",
            f"audio frame of {len(data)} bytes is over the {limit}-byte limit; send 20-200 ms "
            "per binary message",
            CLOSE_TOO_BIG,
        )
    if len(data) % fmt.bytes_per_frame:
        raise ProtocolError(
            "bad_frame",
            f"audio frame of {len(data)} bytes is not a whole number of {fmt.channels}-channel "
            f"16-bit samples ({fmt.bytes_per_frame} bytes each); send whole interleaved samples",
            CLOSE_INVALID,
        )


# -- transcription ------------------------------------------------------------------------------


def lower_thread_priority(nice: int) -> None:
    """Make the calling thread (and threads it creates later) yield the CPU to the alerts."""
    if nice > 0 and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


@dataclass
class _Job:
    runner: CallRunner
    utterance: Utterance


@dataclass
class _Transcribed:
    """Whisper's answer for one utterance: segments (stored) and the phrase cues they hold."""

    utterance: Utterance
    segments: list[Segment] | None
    cue_events: list[Event]
    problem: str | None
    stored: list[dict[str, Any]] | None = None  # what was stored and is sent (redacted)


class TranscriptionWorker:
    """Whisper beside the acoustic path: worker threads fed by one bounded backlog per node."""

    def __init__(
        self, transcriber: Transcriber, *, backlog: int, workers: int, nice: int = 0
    ) -> None:
        self.transcriber = transcriber
        self.nice = nice
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=backlog)
        self._threads = [
            threading.Thread(target=self._work, name=f"transcribe-{i}", daemon=True)
            for i in range(workers)
        ]
        self.busy_s = 0.0
        self.done = 0
        self.dropped = 0
        for t in self._threads:
            t.start()

    def submit(self, runner: CallRunner, utterance: Utterance) -> bool:
        """Queue an utterance; False (dropped) when the backlog is full."""
        try:
            self._jobs.put_nowait(_Job(runner, utterance))
        except queue.Full:
            self.dropped += 1
            return False
        return True

    @property
    def backlog(self) -> int:
        return self._jobs.qsize()

    def close(self) -> None:
        for _ in self._threads:
            with contextlib.suppress(queue.Full):
                self._jobs.put(None, timeout=1.0)
        for t in self._threads:
            t.join(timeout=5.0)

    def _work(self) -> None:
        lower_thread_priority(self.nice)
        while True:
            job = self._jobs.get()
            if job is None:
                return
            runner, utt = job.runner, job.utterance
            if runner.abandoned:
                runner.transcription_done(_Transcribed(utt, None, [], "call ended"))
                continue
            t0 = time.perf_counter()
            try:
                segments = self.transcriber.transcribe_array(
                    utt.samples, speaker=utt.speaker, offset_s=utt.start_s
                )
                stored = runner.store_transcript(segments)
                cues = runner.cue_events(segments)
                runner.transcription_done(_Transcribed(utt, segments, cues, None, stored))
            except Exception as exc:  # one bad utterance must not stop transcription
                log.exception("transcription failed for call %s", runner.call_id)
                runner.transcription_done(
                    _Transcribed(utt, None, [], f"transcription failed: {exc}")
                )
            finally:
                self.busy_s += time.perf_counter() - t0
                self.done += 1


# -- the hub ------------------------------------------------------------------------------------


class LiveHub:
    """What every live call and feed shares: storage, bus, analysis workers, Whisper, strain."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        bus: Bus,
        transcriber: Transcriber | None,
        analysis: AnalysisPool | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.analysis_config = settings.analysis_config()
        self.alert_config = settings.alert_config()
        self.strain = AgentStrain(self.alert_config)
        self._strain_lock = threading.Lock()
        self.analysis = analysis or AnalysisPool(0, settings.analysis_threads)
        self.io_pool = ThreadPoolExecutor(16, thread_name_prefix="storage")
        self.transcription = (
            TranscriptionWorker(
                transcriber,
                backlog=settings.transcription_backlog,
                workers=settings.transcription_workers,
                nice=settings.transcription_nice,
            )
            if transcriber is not None
            else None
        )
        self.cues = CueMatcher.from_file() if transcriber is not None else None
        self.calls: dict[str, CallRunner] = {}
        self.alert_latency_ms: deque[float] = deque(maxlen=2000)
        """Frame arrival to alert sent on the call's socket, last 2000 acoustic alerts."""
        self.feeds_open = 0
        """Agent-alert and supervisor feed sockets being served now."""
        self.feeds_cut_slow = 0
        """Feeds closed since start-up because their client stopped reading."""

    def latency_summary(self) -> dict[str, float | int | None]:
        values = sorted(self.alert_latency_ms)
        if not values:
            return {"n": 0, "p50_ms": None, "p95_ms": None}
        return {
            "n": len(values),
            "p50_ms": round(values[len(values) // 2], 1),
            "p95_ms": round(values[min(len(values) - 1, int(0.95 * len(values)))], 1),
        }

    def batch_s(self) -> float:
        """Audio per analysis step for the current number of live calls.

        A step costs about ``STEP_CPU_S`` plus ``AUDIO_CPU_S_PER_S`` per second of audio (measured:
        20 ms steps use 5.7 % of a core per call, 200 ms steps 0.8 %). Few calls: every 20 ms
        frame is analysed at once (lowest latency). Many calls: steps grow just enough that the
        analysis stays within ``analysis_cpu_share`` of the cores, leaving the rest to sockets,
        storage and Whisper; 50 calls on 2 cores get ~100 ms steps instead of saturating.
        """
        s = self.settings
        if s.analysis_batch_ms is not None:
            return s.analysis_batch_ms / 1000.0
        n = max(1, len(self.calls))
        room = s.analysis_cpu_share * CORES - AUDIO_CPU_S_PER_S * n
        if room <= 0:
            return MAX_BATCH_S
        return min(MAX_BATCH_S, max(MIN_BATCH_S, STEP_CPU_S * n / room))

    async def io(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking storage call off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.io_pool, lambda: fn(*args, **kwargs))

    async def announce_alerts(self, records: list[AlertRecord]) -> None:
        """Ring the doorbells for alerts already committed to storage."""
        for rec in records:
            await self.bus.publish(
                ALERTS_CHANNEL,
                json.dumps(
                    {"id": rec.id, "agent_id": rec.agent_id, "audience": rec.audience}
                ).encode(),
            )
        if any(r.audience in ("supervisor", "both") for r in records):
            await self.announce_feed()

    async def announce_feed(self) -> None:
        await self.bus.publish(FEED_CHANNEL, b"{}")

    async def finish(self, worker: Worker, call_id: str) -> Finished:
        """End a call's audio analysis (its end-of-call alerts wait for :meth:`end_of_call`)."""
        return await worker.finish(call_id)

    async def end_of_call(self, worker: Worker, call_id: str, agent_id: str) -> list[Alert]:
        """Close a finished call's session: its end-of-call alerts, with this node's record of
        the agent's recent hard calls (updated by it)."""
        with self._strain_lock:
            snapshot = self.strain.for_agent(agent_id)
        out = await worker.end_of_call(call_id, snapshot, time.time())
        with self._strain_lock:  # an agent has one call at a time, so this is their history
            self.strain.set_hard_calls(agent_id, out.hard_calls)
        return out.alerts

    def close(self) -> None:
        if self.transcription is not None:
            self.transcription.close()
        self.analysis.close()
        self.io_pool.shutdown(wait=True, cancel_futures=True)


# -- one call -----------------------------------------------------------------------------------


@dataclass
class _Outbox:
    """What a processing step produced, stored, ready to send."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[AlertRecord] = field(default_factory=list)


class CallRunner:
    """Drives one live call: frames in, events/alerts/transcripts out, stored before sent."""

    def __init__(
        self,
        hub: LiveHub,
        ws: WebSocket,
        *,
        call_id: str,
        start: StartMessage,
        fmt: PcmFormat,
        roles: ChannelRoles,
    ) -> None:
        self.hub = hub
        self.ws = ws
        self.call_id = call_id
        self.agent_id = str(start.agent_id)
        self.fmt = fmt
        self.roles = roles
        self.start_msg = start
        self.worker: Worker | None = None
        self._pending: list[bytes] = []  # frames received, not yet analysed
        self._pending_at: list[float] = []  # when each arrived (monotonic)
        self._audio_done_s = 0.0  # audio handed to the analysis so far
        self._pending_bytes = 0
        self._first_pending_at = 0.0
        self._bytes_per_s = fmt.bytes_per_frame * fmt.sample_rate_hz
        self._max_pending_bytes = int(hub.settings.max_pending_audio_s * self._bytes_per_s)
        self._room = asyncio.Event()  # set while the pending audio is under its cap
        self._room.set()
        self._input_done = False
        self._failed = False
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._send_lock = asyncio.Lock()
        self._transcribed: deque[_Transcribed] = deque()
        self._pending_utterances = 0  # touched only on the event loop
        self.abandoned = False
        self._finished = False
        self._stopping = False
        self.socket_open = True
        self.time_s = 0.0
        self.stored_alerts: list[AlertRecord] = []
        self.segments: deque[Segment] = deque(maxlen=CUE_WINDOW_SEGMENTS)
        self._cue_ids: set[str] = set()
        self._customer_name = start.customer_name
        self.n_segments = 0
        # Card and phone numbers are masked before a transcript is stored or sent; a segment
        # ending in digits is held until the speaker's next one (numbers said in groups).
        self._redactor = SegmentRedactor() if hub.settings.redact_transcripts else None
        self._redact_lock = threading.Lock()
        self.gaps = 0
        self.frames_in = 0
        self.bytes_in = 0
        self.batches = 0
        self.listeners_checked_at = 0.0
        self.has_listeners = False
        self.profile_used = False  # the agent's baseline started from their voice profile

    async def open(self) -> None:
        """Create the call's session on the least busy analysis worker."""
        profile = None
        if self.hub.settings.voice_profiles and self.roles.agent is not None:
            profile = await self.hub.io(load_agent_profile, self.hub.store, self.agent_id)
        self.profile_used = profile is not None
        self.worker = self.hub.analysis.assign()
        spec = OpenCall(
            call_id=self.call_id,
            agent_id=self.agent_id,
            roles=self.roles,
            fmt=self.fmt,
            config=self.hub.analysis_config,
            alert_config=self.hub.alert_config,
            utterances=UtteranceOptions() if self.hub.transcription is not None else None,
            profiles={"agent": profile.baseline} if profile is not None else None,
        )
        await self.worker.open_call(spec)

    def release(self) -> None:
        if self.worker is not None:
            self.hub.analysis.release(self.worker)
            self.worker = None

    # -- receiving (event loop) -----------------------------------------------------------------

    async def serve(self) -> None:
        """Run the call until ``stop``, a protocol error or a disconnect."""
        processor = asyncio.create_task(self._process_loop(), name=f"call-{self.call_id}")
        outcome: Literal["stop", "gone", "error"] = "gone"
        error: ProtocolError | None = None
        try:
            outcome = await self._receive_loop()
        except ProtocolError as exc:
            outcome, error = "error", exc
        except WebSocketDisconnect:
            outcome = "gone"
        finally:
            if outcome != "stop":
                self.abandoned = True
            self._input_done = True
            self._wake.set()
        if error is not None:
            await self.send_error(error)
            await self.close(error.close_code)
        try:
            await processor
        except Exception:
            log.exception("call %s: processing failed", self.call_id)
            await self.send_error(
                ProtocolError("internal", "the server failed processing this call", CLOSE_INTERNAL)
            )
            await self.close(CLOSE_INTERNAL)
            outcome = "error"
        try:
            await self._finish(ended=outcome == "stop")
        except Exception:
            log.exception("call %s: finishing failed", self.call_id)
            await self._end_call_only()

    async def _receive_loop(self) -> Literal["stop", "gone"]:
        limit = self.hub.settings.max_frame_bytes
        idle_s = self.hub.settings.audio_idle_timeout_s
        while True:
            try:
                msg = await asyncio.wait_for(self.ws.receive(), idle_s)
            except TimeoutError:
                raise ProtocolError(
                    "idle",
                    f"nothing received for {idle_s:g} s (CALLTONE_AUDIO_IDLE_TIMEOUT_S); stream "
                    'audio, send {"type": "ping"} while paused, or {"type": "stop"} to end',
                    CLOSE_POLICY,
                ) from None
            if msg["type"] == "websocket.disconnect":
                self.socket_open = False
                return "gone"
            data = msg.get("bytes")
            if data is not None:
                check_frame(data, self.fmt, limit)
                self.frames_in += 1
                self.bytes_in += len(data)
                if not self._room.is_set():  # analysis is behind: stop reading (TCP slows them)
                    await self._room.wait()
                if self._failed:
                    raise ProtocolError(
                        "internal", "the server failed analysing this call", CLOSE_INTERNAL
                    )
                if not self._pending:
                    self._first_pending_at = time.monotonic()
                self._pending.append(data)
                self._pending_at.append(time.monotonic())
                self._pending_bytes += len(data)
                if self._pending_bytes >= self._max_pending_bytes:
                    self._room.clear()
                self._wake.set()
                await self._relay_audio(data)
                continue
            await self._on_text(msg.get("text") or "")
            if self._stopping:
                return "stop"

    async def _on_text(self, text: str) -> None:
        settings = self.hub.settings
        try:
            raw = loads_bounded(
                text, max_bytes=settings.max_ws_text_bytes, max_depth=settings.max_json_depth
            )
        except MessageTooComplexError as exc:
            raise ProtocolError(
                "bad_message", f"text messages must be JSON: {exc}", CLOSE_INVALID
            ) from exc
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind == "stop":
            self._stopping = True
        elif kind == "ping":
            await self.send({"type": "pong", "time_s": round(self.time_s, 2)})
        elif kind == "start":
            raise ProtocolError(
                "already_started", "this call already started; send audio or stop", CLOSE_POLICY
            )
        else:
            raise ProtocolError(
                "unknown_message",
                f'unknown message type {kind!r}; send binary audio, {{"type": "stop"}} or '
                '{"type": "ping"}',
                CLOSE_UNSUPPORTED,
            )

    async def _relay_audio(self, data: bytes) -> None:
        """Copy the frame to supervisors listening in (checked at most every 0.5 s)."""
        now = time.monotonic()
        if now - self.listeners_checked_at > 0.5:
            self.listeners_checked_at = now
            self.has_listeners = await self.hub.bus.has_subscribers(audio_channel(self.call_id))
        if self.has_listeners:
            await self.hub.bus.publish(audio_channel(self.call_id), data)

    # -- processing -----------------------------------------------------------------------------

    async def _process_loop(self) -> None:
        """Analyse what has arrived, in order, in batches sized to the node's load.

        Each analysis step has a fixed cost (~1 ms), so with many calls frames are analysed a
        few at a time (see :meth:`LiveHub.batch_s`); a batch goes when it holds that much audio
        or its first frame has waited that long, and frames that queued up while the previous
        step ran always go together.
        """
        try:
            await self._process_batches()
        except BaseException:
            self._failed = True
            self._room.set()  # never leave the receiver waiting for room that will not come
            raise

    async def _process_batches(self) -> None:
        max_batch = self.fmt.max_frame_bytes
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                if not self._pending and not self._transcribed:
                    if self._input_done:
                        return
                    break
                if self._pending and not self._input_done and not self._transcribed:
                    target_s = self.hub.batch_s()
                    waited_s = time.monotonic() - self._first_pending_at
                    left_s = target_s - max(self._pending_bytes / self._bytes_per_s, waited_s)
                    if left_s > 0.001:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), timeout=left_s)
                        self._wake.clear()
                        continue
                chunks: list[bytes] = []
                arrivals: list[tuple[float, float]] = []  # (audio end s, arrival) per frame
                size = 0
                while self._pending and (
                    size + len(self._pending[0]) <= max_batch or not chunks
                ):  # a single frame over the cap goes alone
                    chunk = self._pending.pop(0)
                    chunks.append(chunk)
                    size += len(chunk)
                    self._audio_done_s += len(chunk) / self._bytes_per_s
                    arrivals.append((self._audio_done_s, self._pending_at.pop(0)))
                self._pending_bytes -= size
                if self._pending:
                    self._first_pending_at = time.monotonic()
                if self._pending_bytes < self._max_pending_bytes:
                    self._room.set()
                transcribed = list(self._transcribed)
                self._transcribed.clear()
                self.batches += 1
                await self._step(b"".join(chunks), transcribed, arrivals)

    async def _step(
        self,
        pcm: bytes,
        transcribed: list[_Transcribed],
        arrivals: list[tuple[float, float]] | None = None,
    ) -> None:
        """Analyse audio and transcript cues, store what came out, then send it."""
        if self.worker is None:
            raise AnalysisError(f"call {self.call_id!r} has no analysis worker")
        out = _Outbox()
        cue_events: list[Event] = []
        for t in transcribed:
            self._pending_utterances -= 1
            if t.segments is None:
                out.messages.append(self._gap(t.utterance, t.problem or "not transcribed"))
                continue
            shown = t.stored if t.stored is not None else [s.to_dict() for s in t.segments]
            out.messages += [{"type": "transcript", "segment": d} for d in shown]
            cue_events += t.cue_events
        updates = await self.worker.step(self.call_id, pcm, cue_events)
        if pcm:
            self.time_s += len(pcm) / self.fmt.bytes_per_frame / self.fmt.sample_rate_hz
        await self._store_and_send(updates, out)
        if pcm and arrivals and updates and updates[0].alerts:
            # Acoustic alerts (the first update's) were just sent: time them from the arrival
            # of the frame holding their audio time (the batch's first frame if earlier).
            sent = time.monotonic()
            for rec in out.alerts[: len(updates[0].alerts)]:
                arrived = next((t for end_s, t in arrivals if end_s >= rec.at_s), arrivals[0][1])
                self.hub.alert_latency_ms.append((sent - arrived) * 1000.0)

    async def _store_and_send(self, updates: list[SessionUpdate], out: _Outbox) -> None:
        transcripts = out.messages
        out.messages = []
        if any(u.events or u.alerts for u in updates):
            await self.hub.io(self._store_updates, updates, out)
        for upd in updates:
            for utt in upd.utterances:
                self._submit(utt, out)
        out.messages += transcripts
        await self._deliver(out)

    def _store_updates(self, updates: list[SessionUpdate], out: _Outbox) -> None:
        """Storage thread: events, then alerts (the store assigns their ids) before any send."""
        store = self.hub.store
        for upd in updates:
            if upd.events:
                rows = [NewEvent.from_event(e, self.time_s) for e in _last_per_id(upd.events)]
                store.add_events(self.call_id, rows)
                out.messages += [{"type": "event", "event": e.to_dict()} for e in upd.events]
            for alert in upd.alerts:
                rec = store.add_alert(NewAlert.from_alert(alert))
                out.alerts.append(rec)
                self.stored_alerts.append(rec)
                out.messages.append({"type": "alert", "alert": rec.to_dict()})

    def _submit(self, utt: Utterance, out: _Outbox) -> None:
        worker = self.hub.transcription
        if worker is None or utt.samples.size == 0:
            return
        if worker.submit(self, utt):
            self._pending_utterances += 1
        else:
            out.messages.append(self._gap(utt, "transcription backlog full"))

    def _gap(self, utt: Utterance, reason: str) -> dict[str, Any]:
        self.gaps += 1
        return {
            "type": "transcript_gap",
            "speaker": utt.speaker,
            "from_s": round(utt.start_s, 2),
            "to_s": round(utt.end_s, 2),
            "reason": reason,
        }

    # -- transcription callbacks (worker threads) ------------------------------------------------

    def store_transcript(self, segments: list[Segment]) -> list[dict[str, Any]]:
        """Store the segments (card and phone numbers masked unless turned off); return them.

        Cue matching keeps the unmasked words. Each segment is read with the other party's last
        words as context ("what's your card number?"); a number split across two segments is
        only caught by the recorded-call path (models.speech.redact.redact_segments).
        """
        out: list[dict[str, Any]] = []
        with self._redact_lock:
            for seg in segments:
                if self._redactor is None:
                    out.append(seg.to_dict())
                else:
                    out += self._redactor.push(seg.to_dict())
        for d in out:
            self.hub.store.add_segment(self.call_id, NewSegment.from_dict(d))
        self.n_segments += len(out)
        return out

    async def _flush_redacted(self, *, send: bool) -> None:
        """Store (and send) segments the redactor held back waiting for a number's other half."""
        if self._redactor is None:
            return
        with self._redact_lock:
            held = self._redactor.flush()
        for d in held:
            await self.hub.io(self.hub.store.add_segment, self.call_id, NewSegment.from_dict(d))
            self.n_segments += 1
            if send:
                with contextlib.suppress(Exception):
                    await self.send({"type": "transcript", "segment": d})

    def cue_events(self, segments: list[Segment]) -> list[Event]:
        """Phrase cues in the newest segments (searched with recent context for the name)."""
        matcher = self.hub.cues
        if matcher is None or not segments:
            return []
        self.segments.extend(segments)
        window = list(self.segments)
        if self._customer_name is None:
            self._customer_name = learn_customer_name(window)
        events = []
        for cue in matcher.find_cues(window, customer_name=self._customer_name or ""):
            ev = cue_event(cue.to_event_dict())
            key = f"{ev.id}-{cue.kind}"
            if key not in self._cue_ids:
                self._cue_ids.add(key)
                events.append(ev)
        return events

    def transcription_done(self, result: _Transcribed) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown
            self._loop.call_soon_threadsafe(self._on_transcribed, result)

    def _on_transcribed(self, t: _Transcribed) -> None:
        self._transcribed.append(t)
        self._wake.set()

    # -- sending --------------------------------------------------------------------------------

    async def _deliver(self, out: _Outbox) -> None:
        for m in out.messages:
            await self.send(m)
        if out.alerts:
            await self.hub.announce_alerts(out.alerts)

    async def send(self, message: dict[str, Any]) -> None:
        if not self.socket_open:
            return
        async with self._send_lock:
            try:
                await self.ws.send_text(json.dumps(message))
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.socket_open = False

    async def send_error(self, err: ProtocolError) -> None:
        await self.send({"type": "error", "code": err.code, "message": err.message})

    async def close(self, code: int) -> None:
        if not self.socket_open:
            return
        self.socket_open = False
        with contextlib.suppress(Exception):
            if self.ws.application_state != WebSocketState.DISCONNECTED:
                await self.ws.close(code)

    # -- the end --------------------------------------------------------------------------------

    async def _finish(self, *, ended: bool) -> None:
        """Close the analysis, store and send the tail, end the call, send the summary."""
        if self._finished:
            return
        self._finished = True
        hub = self.hub
        if self.worker is None:
            raise AnalysisError(f"call {self.call_id!r} has no analysis worker")
        worker = self.worker
        done = await hub.finish(worker, self.call_id)
        self.time_s = max(self.time_s, done.duration_s)
        saved = None
        if hub.settings.voice_profiles:
            saved = await hub.io(
                update_agent_profile, hub.store, self.agent_id, done.agent_baseline
            )
        await self._store_and_send([done.final], _Outbox())
        if ended:
            await self._drain_transcripts(hub.settings.transcription_drain_s)
        else:
            self.abandoned = True
        # Take-a-break is decided once the late cues are in: a manager request in the last
        # seconds raises a flag, which makes the call a hard one.
        closing = await hub.end_of_call(worker, self.call_id, self.agent_id)
        if closing:
            await self._store_and_send([SessionUpdate([], closing)], _Outbox())
        await self._flush_redacted(send=ended)
        await worker.close_call(self.call_id)
        self.release()
        summary = {
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "state": "ended" if ended else "interrupted",
            "duration_s": round(done.duration_s, 2),
            "events": done.events,
            "alerts": [a.to_dict() for a in self.stored_alerts],
            "metrics": done.metrics,
            "notes": done.notes,
            "transcription": {
                "enabled": hub.transcription is not None,
                "segments": self.n_segments,
                "gaps": self.gaps,
            },
            "frames": self.frames_in,
            "voice_profile": {
                "enabled": hub.settings.voice_profiles,
                "from_profile": self.profile_used,
                "saved": saved is not None,
                "calls": saved.calls if saved is not None else None,
            },
        }
        try:
            await hub.io(
                hub.store.end_call,
                self.call_id,
                state="ended" if ended else "interrupted",
                summary={k: v for k, v in summary.items() if k not in ("events", "alerts")},
            )
        except ConflictError:
            log.warning("call %s was already ended", self.call_id)
        await hub.announce_feed()
        await hub.bus.publish(audio_channel(self.call_id), b"")  # listeners: the call ended
        if ended:
            await self.send({"type": "summary", **summary})
            await self.close(CLOSE_NORMAL)

    async def _end_call_only(self) -> None:
        """Last resort after a failure: never leave the call live in storage."""
        if self.worker is not None:
            with contextlib.suppress(Exception):
                await self.worker.close_call(self.call_id)
            self.release()
        with contextlib.suppress(Exception):
            await self.hub.io(self.hub.store.end_call, self.call_id, state="interrupted")
            await self.hub.announce_feed()
        await self.close(CLOSE_INTERNAL)

    async def _drain_transcripts(self, timeout_s: float) -> None:
        """Wait (bounded) for this call's utterances still with Whisper, then report the rest.

        The session is finished by now, so only the policy sees late cue events (a request for
        a manager still raises a flag); they go through the same store-then-send path.
        """
        deadline = time.monotonic() + timeout_s
        while self._pending_utterances > 0 or self._transcribed:
            if self._transcribed:
                transcribed = list(self._transcribed)
                self._transcribed.clear()
                await self._step(b"", transcribed)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(left, 0.5))
        if self._pending_utterances > 0:
            self.abandoned = True
            self.gaps += 1
            await self.send(
                {
                    "type": "transcript_gap",
                    "from_s": None,
                    "to_s": round(self.time_s, 2),
                    "reason": f"{self._pending_utterances} utterance(s) still waiting for "
                    f"transcription {timeout_s:.0f} s after stop; dropped",
                }
            )


def _last_per_id(events: list[Event]) -> list[Event]:
    """An event may open and close in one batch; store its latest state once."""
    latest: dict[str, Event] = {}
    for e in events:
        latest[e.id] = e
    return list(latest.values())


# -- opening a call -----------------------------------------------------------------------------


async def run_call(hub: LiveHub, ws: WebSocket, call_id: str, user: UserRecord) -> None:
    """The whole life of one audio socket (already accepted and authenticated)."""
    settings = hub.settings
    try:
        try:
            msg = await asyncio.wait_for(ws.receive(), settings.ws_start_timeout_s)
        except TimeoutError:
            raise ProtocolError(
                "start_timeout",
                f"no start message within {settings.ws_start_timeout_s:g} s "
                "(CALLTONE_WS_START_TIMEOUT_S); send it as soon as the socket opens",
                CLOSE_POLICY,
            ) from None
        if msg["type"] == "websocket.disconnect":
            return
        start, fmt, roles = parse_start(
            msg.get("text"),
            user,
            max_bytes=settings.max_ws_text_bytes,
            max_depth=settings.max_json_depth,
        )
    except ProtocolError as exc:
        await _reject(ws, exc)
        return
    if call_id in hub.calls:
        await _reject(
            ws,
            ProtocolError(
                "call_live",
                f"call {call_id!r} is already streaming on another socket",
                CLOSE_POLICY,
            ),
        )
        return
    meta = {
        "sample_rate": fmt.sample_rate_hz,
        "channels": fmt.channels,
        "encoding": fmt.encoding,
        "agent_channel": roles.agent,
        "transcribe": hub.transcription is not None,
    }
    if start.source:
        meta["source"] = dict(start.source)
    try:
        await hub.io(hub.store.start_call, call_id, str(start.agent_id), meta=meta)
    except ConflictError as exc:
        code = "call_live" if "already live" in str(exc) else "call_finished"
        await _reject(ws, ProtocolError(code, str(exc), CLOSE_POLICY))
        return
    except InvalidRecordError as exc:
        await _reject(ws, ProtocolError("bad_call", str(exc), CLOSE_POLICY))
        return
    await hub.announce_feed()
    runner = CallRunner(hub, ws, call_id=call_id, start=start, fmt=fmt, roles=roles)
    hub.calls[call_id] = runner
    try:
        try:
            await runner.open()
        except AnalysisError as exc:
            log.error("call %s: %s", call_id, exc)
            await runner.send_error(
                ProtocolError(
                    "internal", "the server cannot analyse calls right now; retry", CLOSE_INTERNAL
                )
            )
            await runner._end_call_only()
            return
        await runner.send(
            {"type": "started", "call_id": call_id, "agent_id": runner.agent_id, "format": meta}
        )
        await runner.serve()
    finally:
        hub.calls.pop(call_id, None)
        if not runner._finished:  # cancelled (server shutdown): still leave a truthful state
            with contextlib.suppress(Exception):
                await asyncio.shield(runner._finish(ended=False))
        runner.release()


async def _reject(ws: WebSocket, err: ProtocolError) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(json.dumps({"type": "error", "code": err.code, "message": err.message}))
        await ws.close(err.close_code)


async def reject(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    """Send an ``error`` message and close (for routes outside a call)."""
    await _reject(ws, ProtocolError(code, message, close_code))


async def stream_listen(hub: LiveHub, ws: WebSocket, call_id: str) -> None:
    """Relay a live call's PCM frames to a listening supervisor until the call ends."""
    try:
        call = await hub.io(hub.store.get_call, call_id)
    except NotFoundError:
        await reject(
            ws,
            "unknown_call",
            f"no call {call_id!r}; list live calls with GET /v1/calls?state=live",
            CLOSE_POLICY,
        )
        return
    if call.state != "live":
        await reject(
            ws,
            "call_finished",
            f"call {call_id!r} is {call.state}; only live calls can be listened to",
            CLOSE_POLICY,
        )
        return
    async with hub.bus.subscribe(audio_channel(call_id), maxsize=50) as sub:
        meta = call.meta
        await ws.send_text(
            json.dumps(
                {
                    "type": "start",
                    "call_id": call_id,
                    "agent_id": call.agent_id,
                    "sample_rate": meta.get("sample_rate"),
                    "channels": meta.get("channels"),
                    "encoding": meta.get("encoding", "pcm_s16le"),
                    "agent_channel": meta.get("agent_channel", 0),
                }
            )
        )
        receiver = asyncio.create_task(_until_disconnect(ws))
        try:
            while not receiver.done():
                got = asyncio.create_task(sub.get())
                done, _ = await asyncio.wait(
                    {got, receiver}, timeout=2.0, return_when=asyncio.FIRST_COMPLETED
                )
                if got in done:
                    frame = got.result()
                    if not frame:  # the runner's end-of-call marker
                        await ws.send_text(json.dumps({"type": "end", "call_id": call_id}))
                        await ws.close(CLOSE_NORMAL)
                        return
                    await ws.send_bytes(frame)
                    continue
                got.cancel()
                if receiver in done:
                    return
                still = await hub.io(hub.store.get_call, call_id)
                if still.state != "live":
                    await ws.send_text(json.dumps({"type": "end", "state": still.state}))
                    await ws.close(CLOSE_NORMAL)
                    return
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()


async def _until_disconnect(ws: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
