"""Cluster scoring: 10-minute calls per hour, local workers vs a 1- and 2-worker Dask cluster.

Builds N ten-minute two-channel calls (bench_scoring.build_calls: the samples tiled), then
scores them with

- ``local``: ``service.scoring.batch.score_many`` with 2 worker processes (``calltone score``), wall time
  including starting the processes and loading Whisper in each;
- ``cluster-1`` / ``cluster-2``: a real ``dask scheduler`` and 1 or 2 ``dask worker --nthreads 1``
  processes on loopback, scored by ``service.scoring.cluster.score_on_cluster`` (``calltone score
  --cluster``). Wall time includes registering the worker plugin (Whisper loaded per worker) but
  not starting the scheduler and workers (a cluster outlives one batch); that start is reported
  on its own.

Then the per-call cost of the Dask round trip (a re-run where every call is skipped: hash the
file, send the outcome back) and the scheduler's memory with 100,000 queued calls submitted at
once vs the bounded window that ``score_on_cluster`` keeps.

Run: python bench/bench_cluster.py [--calls 4] [--modes local,cluster-2,cluster-1] [--acoustic]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scoring import CALL_S, build_calls  # noqa: E402

from calltone.service.scoring.batch import ScoreOptions, score_many  # noqa: E402
from calltone.service.scoring.cluster import CallEntry, expand_inputs, score_entry, score_on_cluster  # noqa: E402

QUEUED = 100_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def dask_cluster(n_workers: int, logs: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` + ``n_workers`` ``dask worker --nthreads 1`` on loopback."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], name: str) -> None:
        with (logs / name).open("wb") as fh:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dask", *args],
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=logs,
                    start_new_session=True,
                )
            )

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], "s.log")
        for i in range(n_workers):
            start(
                ["worker", address, "--nthreads", "1", "--no-dashboard", "--death-timeout", "60"],
                f"w{i}.log",
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout=10, set_as_default=False) as c:
                    if n_workers:
                        c.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield address, procs
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def run_local(paths: list[Path], out: Path, options: ScoreOptions) -> dict[str, Any]:
    t0 = time.perf_counter()
    report = score_many(paths, out, options, workers=2, progress=False)
    wall = time.perf_counter() - t0
    assert not report.failed, report.failed
    return {"wall_s": wall, "task_s": [o.wall_s for o in report.outcomes]}


def run_cluster(
    paths: list[Path], out: Path, options: ScoreOptions, n_workers: int, logs: Path
) -> dict[str, Any]:
    from distributed import Client

    entries = expand_inputs([str(p) for p in paths])
    t_start = time.perf_counter()
    with dask_cluster(n_workers, logs) as (address, _), Client(address, set_as_default=False) as c:
        started_s = time.perf_counter() - t_start
        t0 = time.perf_counter()
        report = score_on_cluster(entries, out, options, c, progress=False)
        wall = time.perf_counter() - t0
        assert not report.failed, report.failed
        rss = c.run(lambda: psutil.Process().memory_info().rss)
        t1 = time.perf_counter()
        again = score_on_cluster(entries, out, options, c, progress=False)
        skip_wall = time.perf_counter() - t1
        assert len(again.skipped) == len(entries)
    return {
        "wall_s": wall,
        "task_s": [o.wall_s for o in report.outcomes],
        "cluster_start_s": started_s,
        "worker_rss_mib": sorted(v / 2**20 for v in rss.values()),
        "rerun_skip_s_per_call": skip_wall / len(entries),
    }


def scheduler_memory(logs: Path, call: Path) -> dict[str, float]:
    """Scheduler RSS with 100,000 calls submitted at once vs the bounded window (no workers)."""
    from distributed import Client

    entries = [CallEntry(str(call), f"call_{i:06d}") for i in range(QUEUED)]
    out: dict[str, float] = {}
    with dask_cluster(0, logs) as (address, procs), Client(address, set_as_default=False) as c:
        sched = psutil.Process(procs[0].pid)
        out["idle_mib"] = sched.memory_info().rss / 2**20
        window = 8  # what score_on_cluster keeps in flight for 2 one-thread workers
        futs = [
            c.submit(score_entry, e, "/nonexistent", ScoreOptions(), key=f"w-{i}", pure=False)
            for i, e in enumerate(entries[:window])
        ]
        time.sleep(2)
        out["window_mib"] = sched.memory_info().rss / 2**20
        del futs
        t0 = time.perf_counter()
        futs = [
            c.submit(score_entry, e, "/nonexistent", ScoreOptions(), key=f"q-{i}", pure=False)
            for i, e in enumerate(entries)
        ]
        while c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) < QUEUED:
            time.sleep(0.5)
        out["submit_all_s"] = time.perf_counter() - t0
        out["all_queued_mib"] = sched.memory_info().rss / 2**20
        c.cancel(futs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=4)
    ap.add_argument("--modes", default="local,cluster-2,cluster-1")
    ap.add_argument("--acoustic", action="store_true", help="--no-transcribe (acoustic only)")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args()

    options = ScoreOptions(transcribe=not args.acoustic)
    figures: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "calls": args.calls,
        "call_s": CALL_S,
        "transcribe": options.transcribe,
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = build_calls(folder, args.calls)
        for k, mode in enumerate(args.modes.split(",")):
            out = folder / f"out_{k}_{mode}"
            load = os.getloadavg()[0]
            if mode == "local":
                r = run_local(paths, out, options)
            else:
                r = run_cluster(paths, out, options, int(mode.split("-")[1]), folder)
            r["mode"], r["load_before"] = mode, load
            r["calls_per_hour"] = 3600 * args.calls / r["wall_s"]
            r["median_task_s"] = statistics.median(r.pop("task_s"))
            figures["runs"].append(r)
            print(json.dumps(r), flush=True)
        if not args.skip_memory:
            figures["scheduler_memory"] = scheduler_memory(folder, paths[0])
            print(json.dumps(figures["scheduler_memory"]), flush=True)
    figures["load_after"] = os.getloadavg()[0]
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
