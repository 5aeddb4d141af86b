"""The per-call runner: one :class:`CallRunner` per audio socket, sharing the node's hub.

Why it is shaped this way:

- The acoustic analysis is CPU work, so it runs in worker processes (:mod:`.workers`), never
  on the event loop; each call processes its frames in order, and frames that arrived while the
  previous batch was being analysed are analysed together (one step instead of many), which is
  what lets 50 calls share two cores (:meth:`.hub.LiveHub.batch_s` sizes the steps). The frame
  queue is bounded, so a client that sends faster than real time is slowed down by TCP instead
  of growing memory.
- Every alert is committed to storage (which assigns its id) *before* it is sent on the socket
  (as a typed message of :mod:`.messages`) or announced on the bus; feeds then read storage, so
  a reconnecting client misses nothing.
- Transcription runs beside the alerts (:mod:`.transcription`); phrase cues found in transcripts
  go back through the call's own session (in order with its audio), so a request for a manager
  can raise an escalation flag.

:func:`run_call` opens a call over calltone's own protocol (:mod:`.protocols.calltone`), which
the platform adapters also speak through :mod:`.protocols.bridge`; :mod:`.listen` relays the
call's audio to supervisors listening in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from calltone.audio.channels import ChannelRoles
from calltone.audio.pcm import PcmFormat
from calltone.models.recorded.transcript import cue_event
from calltone.models.speech.cues import learn_customer_name
from calltone.models.speech.redact import SegmentRedactor
from calltone.models.speech.transcript import Segment
from calltone.models.tone.events import Event
from calltone.models.tone.session import SessionUpdate, Utterance, UtteranceOptions
from calltone.service.guard import MessageTooComplexError, loads_bounded
from calltone.service.live.hub import AlertLatency, LiveHub, audio_channel
from calltone.service.live.messages import (
    AlertMessage,
    ErrorMessage,
    EventMessage,
    OutboundMessage,
    Pong,
    Started,
    Summary,
    TranscriptGap,
    TranscriptMessage,
    encode,
)
from calltone.service.live.profiles import load_agent_profile, update_agent_profile
from calltone.service.live.protocols.calltone import (
    CLOSE_INTERNAL,
    CLOSE_INVALID,
    CLOSE_NORMAL,
    CLOSE_POLICY,
    CLOSE_UNSUPPORTED,
    ProtocolError,
    StartMessage,
    check_frame,
    parse_start,
    reject_with,
)
from calltone.service.live.transcription import Transcribed
from calltone.service.live.workers import (
    AnalysisError,
    OpenCall,
    Worker,
)
from calltone.service.storage import (
    AlertRecord,
    ConflictError,
    InvalidRecordError,
    NewAlert,
    NewEvent,
    NewSegment,
    UserRecord,
)

if TYPE_CHECKING:
    from calltone.models.separation_stream import StreamSeparationConfig

log = logging.getLogger("calltone.live")


CUE_WINDOW_SEGMENTS = 40
"""Transcript segments searched for phrase cues per new utterance (keeps cost flat in long calls)."""


@dataclass
class _Outbox:
    """What a processing step produced, stored, ready to send."""

    messages: list[OutboundMessage] = field(default_factory=list)
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
        self._transcribed: deque[Transcribed] = deque()
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
            separation=separation_config(self.start_msg),
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
                # asyncio.timeout, not wait_for: wait_for wraps every frame's receive in a
                # task of its own (50 calls send 2,500 frames a second to one event loop).
                async with asyncio.timeout(idle_s):
                    msg = await self.ws.receive()
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
                now = time.monotonic()
                first = not self._pending
                if first:
                    self._first_pending_at = now
                self._pending.append(data)
                self._pending_at.append(now)
                self._pending_bytes += len(data)
                if self._pending_bytes >= self._max_pending_bytes:
                    self._room.clear()
                if first or not self._room.is_set() or self._batch_due():
                    self._wake.set()  # the processor times a batch's wait itself
                await self._relay_audio(data, now)
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
            await self.send(Pong(round(self.time_s, 2)))
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

    async def _relay_audio(self, data: bytes, now: float) -> None:
        """Copy the frame to supervisors listening in (checked at most every 0.5 s)."""
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
                        # Until the batch's first frame has waited its time, or the receiver
                        # says it holds enough audio (_batch_due), a transcript came or the
                        # input ended; not at every frame.
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(left_s):
                                await self._wake.wait()
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

    def _batch_due(self) -> bool:
        """The pending audio fills a batch (the processor's test, less the wait's part): the
        receiver wakes the processor for it, instead of at every frame."""
        left_s = self.hub.batch_s() - self._pending_bytes / self._bytes_per_s
        return left_s <= 0.001

    async def _step(
        self,
        pcm: bytes,
        transcribed: list[Transcribed],
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
            out.messages += [TranscriptMessage(d) for d in shown]
            cue_events += t.cue_events
        dispatched = time.monotonic()
        updates = await self.worker.step(self.call_id, pcm, cue_events)
        analysed = time.monotonic()
        if pcm:
            self.time_s += len(pcm) / self.fmt.bytes_per_frame / self.fmt.sample_rate_hz
        stored = await self._store_and_send(updates, out)
        if pcm and arrivals and updates and updates[0].alerts:
            # Acoustic alerts (the first update's) were just sent: time them from the arrival
            # of the frame holding their audio time (the batch's first frame if earlier).
            sent = time.monotonic()
            for rec in out.alerts[: len(updates[0].alerts)]:
                arrived = next((t for end_s, t in arrivals if end_s >= rec.at_s), arrivals[0][1])
                self.hub.record_alert_latency(
                    AlertLatency(
                        total_ms=(sent - arrived) * 1000.0,
                        wait_ms=(dispatched - arrived) * 1000.0,
                        analysis_ms=(analysed - dispatched) * 1000.0,
                        store_ms=(stored - analysed) * 1000.0,
                        send_ms=(sent - stored) * 1000.0,
                    )
                )

    async def _store_and_send(self, updates: list[SessionUpdate], out: _Outbox) -> float:
        """Store what the step produced, then send it; returns when storing ended (monotonic s)."""
        transcripts = out.messages
        out.messages = []
        if any(u.events or u.alerts for u in updates):
            await self.hub.io(self._store_updates, updates, out)
        stored = time.monotonic()
        for upd in updates:
            for utt in upd.utterances:
                self._submit(utt, out)
        out.messages += transcripts
        await self._deliver(out)
        return stored

    def _store_updates(self, updates: list[SessionUpdate], out: _Outbox) -> None:
        """Storage thread: events, then alerts (the store assigns their ids) before any send."""
        store = self.hub.store
        for upd in updates:
            if upd.events:
                rows = [NewEvent.from_event(e, self.time_s) for e in _last_per_id(upd.events)]
                store.add_events(self.call_id, rows)
                out.messages += [EventMessage(e.to_dict()) for e in upd.events]
            for alert in upd.alerts:
                rec = store.add_alert(NewAlert.from_alert(alert))
                out.alerts.append(rec)
                self.stored_alerts.append(rec)
                out.messages.append(AlertMessage(rec.to_dict()))

    def _submit(self, utt: Utterance, out: _Outbox) -> None:
        worker = self.hub.transcription
        if worker is None or utt.samples.size == 0:
            return
        if worker.submit(self, utt):
            self._pending_utterances += 1
        else:
            out.messages.append(self._gap(utt, "transcription backlog full"))

    def _gap(self, utt: Utterance, reason: str) -> TranscriptGap:
        self.gaps += 1
        return TranscriptGap(
            from_s=round(utt.start_s, 2),
            to_s=round(utt.end_s, 2),
            reason=reason,
            speaker=utt.speaker,
        )

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
                    await self.send(TranscriptMessage(d))

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

    def transcription_done(self, result: Transcribed) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown
            self._loop.call_soon_threadsafe(self._on_transcribed, result)

    def _on_transcribed(self, t: Transcribed) -> None:
        self._transcribed.append(t)
        self._wake.set()

    # -- sending --------------------------------------------------------------------------------

    async def _deliver(self, out: _Outbox) -> None:
        for m in out.messages:
            await self.send(m)
        if out.alerts:
            await self.hub.announce_alerts(out.alerts)

    async def send(self, message: OutboundMessage) -> None:
        if not self.socket_open:
            return
        async with self._send_lock:
            try:
                await self.ws.send_text(encode(message))
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.socket_open = False

    async def send_error(self, err: ProtocolError) -> None:
        await self.send(ErrorMessage(err.code, err.message))

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
            await self.send(Summary(summary))
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
                TranscriptGap(
                    from_s=None,
                    to_s=round(self.time_s, 2),
                    reason=f"{self._pending_utterances} utterance(s) still waiting for "
                    f"transcription {timeout_s:.0f} s after stop; dropped",
                )
            )


def _last_per_id(events: list[Event]) -> list[Event]:
    """An event may open and close in one batch; store its latest state once."""
    latest: dict[str, Event] = {}
    for e in events:
        latest[e.id] = e
    return list(latest.values())


# -- opening a call -----------------------------------------------------------------------------


def separation_config(start: StartMessage) -> StreamSeparationConfig | None:
    """The live separation a ``separate`` start message asks for (None: none)."""
    if not start.separate:
        return None
    from calltone.models.separation_stream import StreamSeparationConfig

    return StreamSeparationConfig(agent_speaker=start.agent_speaker)


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
        await reject_with(ws, exc)
        return
    if call_id in hub.calls:
        await reject_with(
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
    separation = separation_config(start)
    if separation is not None:
        meta["separate"] = True
        meta["agent_speaker"] = separation.agent_speaker
        meta["separation_delay_s"] = separation.delay_s
    if start.source:
        meta["source"] = dict(start.source)
    try:
        await hub.io(hub.store.start_call, call_id, str(start.agent_id), meta=meta)
    except ConflictError as exc:
        code = "call_live" if "already live" in str(exc) else "call_finished"
        await reject_with(ws, ProtocolError(code, str(exc), CLOSE_POLICY))
        return
    except InvalidRecordError as exc:
        await reject_with(ws, ProtocolError("bad_call", str(exc), CLOSE_POLICY))
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
        await runner.send(Started(call_id=call_id, agent_id=runner.agent_id, format=meta))
        await runner.serve()
    finally:
        hub.calls.pop(call_id, None)
        if not runner._finished:  # cancelled (server shutdown): still leave a truthful state
            with contextlib.suppress(Exception):
                await asyncio.shield(runner._finish(ended=False))
        runner.release()
