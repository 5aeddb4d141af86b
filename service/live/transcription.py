"""Live transcription: Whisper beside the acoustic path, in worker threads of the server.

One bounded backlog serves the whole node. When it is full an utterance is dropped and its call
is told (``transcript_gap``); alerts never wait for Whisper. A worker thread stores the segments
through the call (redacted), finds its phrase cues, and hands both back to the call's event loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from calltone.models.speech.transcriber import Transcriber
from calltone.models.speech.transcript import Segment
from calltone.models.tone.events import Event
from calltone.models.tone.session import Utterance

log = logging.getLogger("calltone.live.transcription")


def lower_thread_priority(nice: int) -> None:
    """Make the calling thread (and threads it creates later) yield the CPU to the alerts."""
    if nice > 0 and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class TranscriptSink(Protocol):
    """The call a transcription job belongs to (a :class:`~.runner.CallRunner`)."""

    call_id: str
    abandoned: bool

    def store_transcript(self, segments: list[Segment]) -> list[dict[str, Any]]: ...

    def cue_events(self, segments: list[Segment]) -> list[Event]: ...

    def transcription_done(self, result: Transcribed) -> None: ...


@dataclass
class TranscriptionJob:
    runner: TranscriptSink
    utterance: Utterance


@dataclass
class Transcribed:
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
        self._jobs: queue.Queue[TranscriptionJob | None] = queue.Queue(maxsize=backlog)
        self._threads = [
            threading.Thread(target=self._work, name=f"transcribe-{i}", daemon=True)
            for i in range(workers)
        ]
        self.busy_s = 0.0
        self.done = 0
        self.dropped = 0
        for t in self._threads:
            t.start()

    def submit(self, runner: TranscriptSink, utterance: Utterance) -> bool:
        """Queue an utterance; False (dropped) when the backlog is full."""
        try:
            self._jobs.put_nowait(TranscriptionJob(runner, utterance))
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
                runner.transcription_done(Transcribed(utt, None, [], "call ended"))
                continue
            t0 = time.perf_counter()
            try:
                segments = self.transcriber.transcribe_array(
                    utt.samples, speaker=utt.speaker, offset_s=utt.start_s
                )
                stored = runner.store_transcript(segments)
                cues = runner.cue_events(segments)
                runner.transcription_done(Transcribed(utt, segments, cues, None, stored))
            except Exception as exc:  # one bad utterance must not stop transcription
                log.exception("transcription failed for call %s", runner.call_id)
                runner.transcription_done(
                    Transcribed(utt, None, [], f"transcription failed: {exc}")
                )
            finally:
                self.busy_s += time.perf_counter() - t0
                self.done += 1
