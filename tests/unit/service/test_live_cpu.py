"""Live transcription yields the CPU to the alerts: all of Whisper's work runs niced."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from calltone.audio.decode import load_audio
from calltone.models.speech.options import ModelLoadError, TranscriberOptions
from calltone.models.speech.transcriber import Transcriber
from calltone.models.speech.whisper_model import _load_cached, resolve_model_path
from calltone.service.live.cpu import single_threaded_blas
from calltone.service.live.transcription import lower_thread_priority

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "escalation_call" / "call.wav"
NICE = 10

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads per-thread CPU and niceness from /proc"
)


def _cpu_ticks_by_nice() -> dict[int, int]:
    """CPU ticks (user + system) of this process's threads, summed per niceness."""
    out: dict[int, int] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        nice, ticks = int(fields[16]), int(fields[11]) + int(fields[12])
        out[nice] = out.get(nice, 0) + ticks
    return out


def _transcribe_in_niced_thread(samples: Any) -> dict[int, int]:
    """Load a Whisper model and transcribe in a thread niced like the live service's (which
    loads its model in such a thread, so CTranslate2's threads inherit the niceness); CPU ticks
    gained per niceness meanwhile."""
    before: dict[int, int] = {}
    after: dict[int, int] = {}

    def work() -> None:
        lower_thread_priority(NICE)
        # a fresh copy, not the run's cached one (which a nice-0 thread may have loaded)
        model = _load_cached.__wrapped__(resolve_model_path(None), "int8", 1, 1)
        transcriber = Transcriber(TranscriberOptions(cpu_threads=1), model=model)
        transcriber.transcribe_array(samples[: 16_000 * 2], speaker="agent", offset_s=0.0)
        before.update(_cpu_ticks_by_nice())
        for _ in range(2):
            transcriber.transcribe_array(samples, speaker="agent", offset_s=0.0)
        after.update(_cpu_ticks_by_nice())  # before this thread ends and leaves /proc

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return {n: after.get(n, 0) - before.get(n, 0) for n in after}


@pytest.mark.slow
def test_whisper_work_runs_at_the_transcription_niceness_with_single_threaded_blas() -> None:
    try:
        resolve_model_path(None)
    except ModelLoadError as exc:
        pytest.skip(f"Whisper model not available: {exc}")
    samples = load_audio(SAMPLE).samples[1][: 16_000 * 20]
    with single_threaded_blas():
        gained = _transcribe_in_niced_thread(samples)
    niced = sum(t for n, t in gained.items() if n >= NICE)
    normal = gained.get(0, 0)
    assert niced >= 20, f"the transcription itself should take CPU: {gained}"
    # Only the test's own bookkeeping (reading /proc) may run at nice 0; without the BLAS limit
    # numpy's OpenBLAS threads did ~12 % of Whisper's work there.
    assert normal <= max(3, 0.03 * niced), f"Whisper work ran at normal priority: {gained}"
