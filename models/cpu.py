"""How many threads numpy's BLAS may use while calltone's own analysis runs.

The acoustic analysis's matrix products are small (per-step cepstra of a 100 ms push, 12-
dimensional Gaussians, a mel filterbank of 80 bands), too small to share between cores: with
OpenBLAS's thread pool the pool's threads mostly spin waiting for work. Measured on the 10-minute
two-channel call of ``bench/bench_cpu_speed.py`` (session 15, docs/benchmarks.md): 3.2-3.6 s of
CPU with the pool against 1.7-1.9 s on one thread, the same analysis. One thread also sums in the
same order on every machine, so a recorded call's last bits (and so any value on a threshold's
edge) are the same locally, live (``service.live.cpu``) and on a cluster worker.
"""

from __future__ import annotations

import contextlib
import functools
from contextlib import AbstractContextManager
from typing import Any

from calltone.audio.errors import ParameterError


@functools.cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # scans the loaded BLAS libraries once


def blas_threads_limit(threads: int | None) -> AbstractContextManager[Any]:
    """numpy's BLAS on at most ``threads`` threads inside the ``with`` block (``threadpoolctl``;
    the libraries are scanned once per process); ``None`` leaves the library's own pool.

    The limit is process-wide while the block runs, so wrap only work that runs alone (a
    recorded call's analysis, the separation of a mono call), not a server's event loop.
    """
    if threads is None:
        return contextlib.nullcontext()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ParameterError(
            f"blas_threads = {threads!r}; pass a whole number of threads (1 or more), or None "
            "for the BLAS library's own pool"
        )
    return _controller().limit(limits=threads, user_api="blas")
