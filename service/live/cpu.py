"""CPU hygiene of the live processes (the server and its analysis workers)."""

from __future__ import annotations

from typing import Any

from calltone.models.cpu import blas_threads_limit


def single_threaded_blas() -> Any:
    """Run numpy's BLAS in the calling thread, for as long as the returned limiter lives.

    OpenBLAS keeps a pool of its own threads, started at import at normal priority: Whisper's
    feature extraction (a matrix product per window) then ran there, outside the niced
    transcription thread, and took ~12 % of Whisper's CPU at the alerts' priority. The live
    service's matrices are small, so the pool buys nothing there; the analysis workers get the
    same limit so two processes never run four BLAS threads on two cores. ``restore_original_limits()``
    (or leaving it as a context manager) undoes it. The same limiter the recorded analysis
    runs under (:func:`calltone.models.cpu.blas_threads_limit`).
    """
    return blas_threads_limit(1)
