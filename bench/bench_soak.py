"""Soak: N concurrent live calls plus M supervisor feeds for a long stretch (issue 7, load).

The server runs as its own process (``calltone serve``, as deployed). Each of ``--calls`` slots
streams sample calls back to back in real time (20 ms PCM frames, escalation and interrupting
calls alternating so alerts keep coming, each with its agent's alert feed open) until
``--minutes`` have passed; ``--feeds`` supervisor feed sockets read the whole time, and every
``--resume-every-s`` each of them drops its connection and resumes with ``after=<last id>``.

Checked at the end:

- no dropped frames: every call's ``summary.frames`` equals the frames its client sent;
- no errors: no ``error`` message, no failed socket, every call ended with a summary;
- nothing lost or doubled on the feeds: each supervisor feed saw exactly the ids that storage
  holds after its starting point, in order, once each, across its reconnects;
- alert latency: frame that completes a detection -> alert on the agent's feed, p50/p95
  (same method as ``bench_live.py``);
- memory: resident memory of the server and its workers sampled every 5 s; it rises while
  caches fill in the first minutes, so flatness is judged after minute 2 (median of minutes 2-4
  against the last minute, and the slope after minute 2); first-minute figures are kept too.

Run: python bench/bench_soak.py [--minutes 10] [--calls 50] [--feeds 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_live import (  # noqa: E402
    SAMPLES,
    CallRun,
    Server,
    completing_frames,
    frames_of,
    latencies,
    machine_busy_s,
    make_users,
    pcm_of,
    server_health,
    start_server,
    stream_call,
)

from calltone.service.storage import Store  # noqa: E402


@dataclass
class FeedLog:
    """What one supervisor feed client saw."""

    name: str
    start_after: int
    ids: list[int] = field(default_factory=list)
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)


async def supervisor_feed(
    server: Server, log: FeedLog, token: str, stop: asyncio.Event, resume_every_s: float
) -> None:
    from websockets.asyncio.client import connect

    cursor = log.start_after
    rng = random.Random(log.name)
    while not stop.is_set():
        url = f"{server.ws}/v1/supervisor/feed?token={token}&after={cursor}"
        until = time.monotonic() + resume_every_s * rng.uniform(0.7, 1.3)
        try:
            async with connect(url, max_size=2**24) as ws:
                while not stop.is_set() and time.monotonic() < until:
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                    except TimeoutError:
                        continue
                    msg = json.loads(raw)
                    if msg.get("type") == "feed":
                        log.ids.append(int(msg["entry"]["id"]))
                        cursor = log.ids[-1]
                    elif msg.get("type") == "error":
                        log.errors.append(str(msg))
        except Exception as exc:  # a failed socket is an error of the soak, not of the bench
            log.errors.append(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(0.5)
        log.reconnects += 1


async def call_slot(
    server: Server,
    slot: int,
    token: str,
    agent: str,
    frames: dict[str, list[bytes]],
    deadline: float,
    runs: list[CallRun],
    errors: list[str],
) -> None:
    await asyncio.sleep(random.Random(slot).uniform(0, 3.0))
    k = 0
    while time.monotonic() < deadline:
        name = SAMPLES[(slot + k) % 2]
        run = CallRun(name, f"soak{slot:03d}-{k:03d}-{server.port}", agent)
        k += 1
        try:
            await stream_call(server, run, token, frames[name], speed=1.0)
        except Exception as exc:
            errors.append(f"{run.call_id}: {type(exc).__name__}: {exc}")
        runs.append(run)


async def soak(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    frames = {name: frames_of(pcm_of(name)) for name in SAMPLES}
    completing = {name: completing_frames(f) for name, f in frames.items()}
    agents = [f"soak{i:03d}" for i in range(args.calls)]
    tokens = make_users(server, agents)
    with Store(server.db_url) as store:
        sups = [store.create_user(f"sup{i:02d}", "supervisor").token for i in range(args.feeds)]
        start_after = store.last_feed_id()
    stop = asyncio.Event()
    feeds = [FeedLog(f"sup{i:02d}", start_after) for i in range(args.feeds)]
    feed_tasks = [
        asyncio.create_task(supervisor_feed(server, f, t, stop, args.resume_every_s))
        for f, t in zip(feeds, sups, strict=True)
    ]
    runs: list[CallRun] = []
    errors: list[str] = []
    t0 = time.monotonic()
    deadline = t0 + args.minutes * 60
    rss: list[tuple[float, float]] = []

    async def sample_memory() -> None:
        while not stop.is_set():
            rss.append((time.monotonic() - t0, server.rss_tree_mb()))
            await asyncio.sleep(5.0)

    mem_task = asyncio.create_task(sample_memory())
    cpu0, busy0 = server.cpu_s(), machine_busy_s()
    await asyncio.gather(
        *(
            call_slot(server, i, tokens[agents[i]], agents[i], frames, deadline, runs, errors)
            for i in range(args.calls)
        )
    )
    wall_s = time.monotonic() - t0
    cpu_cores = (server.cpu_s() - cpu0) / wall_s
    machine_cores = (machine_busy_s() - busy0) / wall_s
    await asyncio.sleep(args.feed_poll_s + 2.0)  # let the feeds catch up with the last call_ended
    stop.set()
    await asyncio.gather(*feed_tasks, mem_task)

    with Store(server.db_url) as store:
        stored: list[int] = []
        cursor = start_after
        while page := store.feed_after(cursor, limit=5000):
            stored += [e.id for e in page]
            cursor = page[-1].id
        interrupted = [c.call_id for c in store.list_calls(limit=5000) if c.state != "ended"]

    frames_sent = sum(len(r.sent_at) for r in runs)
    dropped = [
        r.call_id for r in runs if r.summary is None or r.summary.get("frames") != len(r.sent_at)
    ]
    feed_report = []
    for f in feeds:
        feed_report.append(
            {
                "feed": f.name,
                "entries": len(f.ids),
                "reconnects": f.reconnects,
                "duplicates": len(f.ids) - len(set(f.ids)),
                "missing": len(set(stored) - set(f.ids)),
                "exact": f.ids == stored,
                "errors": f.errors[:3],
            }
        )
    first = [m for t, m in rss if t <= 60]
    last = [m for t, m in rss if t >= wall_s - 60]
    # Caches fill during the first minutes (SQLite pages, Whisper buffers, worker heaps):
    # "flat" is judged after that, from minute 2 on: the median of minutes 2-4 against the
    # last minute, and the least-squares slope over everything after minute 2.
    warm = [(t, m) for t, m in rss if t >= 120]
    settled = [m for t, m in warm if t <= 240]
    slope = (
        float(np.polyfit([t for t, _ in warm], [m for _, m in warm], 1)[0]) * 60
        if len(warm) >= 3
        else None
    )
    return {
        "minutes": args.minutes,
        "calls_concurrent": args.calls,
        "supervisor_feeds": args.feeds,
        "wall_s": round(wall_s, 1),
        "calls_completed": sum(r.summary is not None for r in runs),
        "calls_started": len(runs),
        "calls_not_ended_in_storage": len(interrupted),
        "frames_sent": frames_sent,
        "calls_with_dropped_frames": len(dropped),
        "errors": len(errors) + sum(len(f.errors) for f in feeds),
        "error_samples": errors[:5],
        "alerts_on_agent_feeds": sum(len(r.alerts_feed) for r in runs),
        **latencies(runs, completing),
        "server_side": server_health(server)["alert_latency"],
        "transcript_segments": sum(r.transcripts for r in runs),
        "transcript_gaps": sum(r.gaps for r in runs),
        "feed_entries_stored": len(stored),
        "feeds_exact": sum(bool(f["exact"]) for f in feed_report),
        "feed_reconnects": sum(int(f["reconnects"]) for f in feed_report),
        "feeds": feed_report,
        "rss_first_minute_median_mb": round(statistics.median(first), 1) if first else None,
        "rss_last_minute_median_mb": round(statistics.median(last), 1) if last else None,
        "rss_growth_mb": round(statistics.median(last) - statistics.median(first), 1)
        if first and last
        else None,
        "rss_minutes_2_to_4_median_mb": round(statistics.median(settled), 1) if settled else None,
        "rss_growth_after_warmup_mb": round(statistics.median(last) - statistics.median(settled), 1)
        if settled and last
        else None,
        "rss_slope_after_warmup_mb_per_min": None if slope is None else round(slope, 2),
        "rss_peak_mb": round(max(m for _, m in rss), 1) if rss else None,
        "server_cpu_cores": round(cpu_cores, 2),
        "machine_cpu_cores": round(machine_cores, 2),
        "load_avg": os.getloadavg(),
        "rss_curve_mb": [(round(t), round(m)) for t, m in rss[:: max(1, len(rss) // 40)]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--calls", type=int, default=50, help="concurrent real-time calls")
    ap.add_argument("--feeds", type=int, default=10, help="supervisor feed sockets")
    ap.add_argument("--resume-every-s", type=float, default=60.0)
    ap.add_argument("--no-transcribe", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    args.feed_poll_s = 5.0
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), transcribe=not args.no_transcribe)
        try:
            report = asyncio.run(soak(server, args))
        finally:
            server.stop()
    report["transcribe"] = not args.no_transcribe
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
