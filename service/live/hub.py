"""The live hub: what every live call and feed of one node shares.

Storage, the bus, the analysis workers, Whisper, the agents' strain record, and the size of an
analysis step: the acoustic analysis is CPU work with a fixed cost per step, so with few calls
every 20 ms frame is analysed at once and with many calls steps grow just enough that the
analysis stays within its share of the cores (:meth:`LiveHub.batch_s`).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from calltone.models.speech.cues import CueMatcher
from calltone.models.speech.transcriber import Transcriber
from calltone.models.tone.alerts import AgentStrain, Alert
from calltone.service.live.bus import Bus
from calltone.service.live.transcription import TranscriptionWorker
from calltone.service.live.workers import (
    AnalysisPool,
    Finished,
    Worker,
)
from calltone.service.settings import Settings
from calltone.service.storage import (
    AlertRecord,
    Store,
)

if TYPE_CHECKING:
    from calltone.service.live.runner import CallRunner

T = TypeVar("T")


STEP_CPU_S = 0.0011
"""Fixed CPU cost of one analysis step (``CallSession.push``), measured on the project machine."""
AUDIO_CPU_S_PER_S = 0.003
"""CPU seconds per second of audio analysed, beyond the fixed step cost."""
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
MIN_BATCH_S = 0.02
MAX_BATCH_S = 0.2

ALERTS_CHANNEL = "alerts"
FEED_CHANNEL = "feed"


@dataclass(frozen=True)
class AlertLatency:
    """One acoustic alert's way from the frame that completed it to its socket (ms).

    ``wait_ms``: the frame waiting for its analysis step (batching, the call's previous step);
    ``analysis_ms``: the step in its worker, queue included; ``store_ms``: events and alerts
    committed to storage; ``send_ms``: written to the call's socket.
    """

    total_ms: float
    wait_ms: float
    analysis_ms: float
    store_ms: float
    send_ms: float


def _percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None}
    values = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(values[len(values) // 2], 1),
        "p95_ms": round(values[min(len(values) - 1, int(0.95 * len(values)))], 1),
    }


def audio_channel(call_id: str) -> str:
    return f"audio:{call_id}"


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
        self.alert_latency: deque[AlertLatency] = deque(maxlen=2000)
        """Frame arrival to alert sent on the call's socket, last 2000 acoustic alerts."""
        self.feeds_open = 0
        """Agent-alert and supervisor feed sockets being served now."""
        self.feeds_cut_slow = 0
        """Feeds closed since start-up because their client stopped reading."""

    def record_alert_latency(self, latency: AlertLatency) -> None:
        self.alert_latency.append(latency)

    def latency_summary(self) -> dict[str, float | int | None]:
        """Frame arrival to alert sent (n, p50_ms, p95_ms) over the recent acoustic alerts."""
        return _percentiles([a.total_ms for a in self.alert_latency])

    def latency_parts(self) -> dict[str, dict[str, float | int | None]]:
        """Where the alert latency goes, each part's own p50/p95 (they need not add up)."""
        parts = ("wait_ms", "analysis_ms", "store_ms", "send_ms")
        return {p: _percentiles([getattr(a, p) for a in self.alert_latency]) for p in parts}

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
