"""Hostile clients against a real ``calltone serve`` while 6 real-time calls run (issue 15).

The server runs as its own process with its default settings (acoustic alerts only, no
Whisper, so the machine's two cores are not the limit). Six sample calls stream in real time
from 127.0.0.1 and their alerts are timed by the server (frame that completes a detection ->
alert sent; ``/health`` ``alert_latency``). Meanwhile an attacker on other loopback addresses
(127.0.0.2-127.0.0.9, as other machines on the floor would be) tries, one phase after another:

1. decompression bombs: FLAC silence at 192 kHz of about 200 KB (2 and 8 channels), 1 MB and
   5 MB (8 channels), 0.8-19 GB once decoded, uploaded with a trainer's token;
2. ten 300 MB unauthenticated bodies at once, half with ``Content-Length``, half chunked, to
   ``POST /v1/alerts/1/feedback`` as ``text/plain`` (what any web page can send);
3. 1,000 idle sockets (TCP connections that send half a request, from 4 addresses of 250) plus
   200 authenticated audio WebSockets that never send ``start``.

The bombs are made before any server starts, and the attacker runs in a process of its own, so
neither competes with the calls' client for its interpreter. Reported: each attack's outcome (status codes / close codes, how long until the server
answered or closed), the server process's peak resident memory (VmHWM) and the calls' alert
latency p50/p95.

Run: python bench/bench_hostile.py [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calltone.service.clients.replay import replay_samples  # noqa: E402
from calltone.service.storage import Store  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402

MIB = 1 << 20
CALLS = ("escalation_call", "interrupting_agent_call", "calm_call") * 2


def vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def flac_bomb(path: Path, target_bytes: int, channels: int = 8) -> Path:
    """FLAC silence at 192 kHz grown until the file is about ``target_bytes``."""
    block = np.zeros((192_000 * 10, channels), dtype=np.int16)
    with sf.SoundFile(path, "w", samplerate=192_000, channels=channels, format="FLAC") as f:
        while path.stat().st_size < target_bytes:
            f.write(block)
            f.flush()
    return path


BOMBS = (
    ("200 KB, 2 ch", 200_000, 2),
    ("200 KB, 8 ch", 200_000, 8),
    ("1 MB, 8 ch", 1_000_000, 8),
    ("5 MB, 8 ch", 5_000_000, 8),
)


def make_bombs(work: Path) -> list[tuple[str, Path]]:
    """Made once, before any server starts (encoding 5 MB of FLAC takes CPU time)."""
    out = []
    for label, size, channels in BOMBS:
        path = work / f"bomb-{size}-{channels}.flac"
        if not path.exists():
            flac_bomb(path, size, channels)
        out.append((label, path))
    return out


def attack_bombs(srv: Any, token: str, bombs: list[tuple[str, Path]]) -> list[dict[str, Any]]:
    out = []
    for label, bomb in bombs:
        info = sf.info(str(bomb))
        frames = info.frames * info.channels
        t0 = time.monotonic()
        r = httpx.post(
            srv.http + "/v1/recordings",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (bomb.name, bomb.read_bytes(), "audio/flac")},
            timeout=120,
        )
        out.append(
            {
                "attack": f"FLAC bomb {label} ({bomb.stat().st_size / 1e6:.2f} MB, "
                f"{frames * 4 / 1e9:.1f} GB decoded)",
                "status": r.status_code,
                "answer_s": round(time.monotonic() - t0, 2),
                "detail": r.json().get("detail", "")[:90],
            }
        )
    return out


def _big_body(srv: Any, i: int, chunked: bool, results: list[dict[str, Any]]) -> None:
    total = 300 * MIB
    head = (
        f"POST /v1/alerts/1/feedback HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
        "Content-Type: text/plain\r\n"
        + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n")
        + "\r\n"
    )
    chunk = b"[" * MIB
    piece = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") if chunked else chunk
    t0 = time.monotonic()
    sent = 0
    reply = b""
    with socket.create_connection(
        ("127.0.0.1", srv.port), timeout=30, source_address=(f"127.0.0.{2 + i % 8}", 0)
    ) as s:
        s.sendall(head.encode())
        try:
            while sent < total:
                s.sendall(piece)
                sent += len(chunk)
        except OSError:
            pass
        s.settimeout(10)
        try:
            while data := s.recv(65536):
                reply += data
        except OSError:
            pass
    status = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else "closed"
    results.append(
        {
            "chunked": chunked,
            "status": status,
            "sent_mb": round(sent / MIB),
            "answer_s": round(time.monotonic() - t0, 2),
        }
    )


def attack_bodies(srv: Any) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    threads = [
        threading.Thread(target=_big_body, args=(srv, i, i % 2 == 1, results)) for i in range(10)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "attack": "10 x 300 MB unauthenticated bodies at once (5 Content-Length, 5 chunked)",
        "status": dict(Counter(r["status"] for r in results)),
        "max_sent_mb": max(r["sent_mb"] for r in results),
        "max_answer_s": max(r["answer_s"] for r in results),
    }


async def _idle_ws(srv: Any, token: str, n: int) -> dict[str, Any]:
    import websockets

    async def one(i: int) -> tuple[int | None, str]:
        url = f"{srv.ws}/v1/calls/idle-{i}/audio?token={token}"
        try:
            async with websockets.connect(url, open_timeout=30, local_addr=("127.0.0.9", 0)) as ws:
                code = None
                try:
                    first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    await asyncio.wait_for(ws.recv(), 60)
                except websockets.ConnectionClosed:
                    pass
                code = ws.close_code
                return code, first.get("code", "") if isinstance(first, dict) else ""
        except Exception as exc:  # refused at the cap
            return None, type(exc).__name__

    t0 = time.monotonic()
    got = await asyncio.gather(*(one(i) for i in range(n)))
    return {
        "attack": f"{n} authenticated audio sockets that never send start",
        "outcomes": dict(Counter(f"{c} {why}" for c, why in got)),
        "all_gone_s": round(time.monotonic() - t0, 1),
    }


def attack_idle(srv: Any, token: str) -> list[dict[str, Any]]:
    socks = []
    refused = 0
    t0 = time.monotonic()
    for i in range(1000):
        try:
            s = socket.create_connection(
                ("127.0.0.1", srv.port), timeout=5, source_address=(f"127.0.0.{2 + i % 4}", 0)
            )
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            refused += 1
    health_during = httpx.get(srv.http + "/health", timeout=10).status_code
    closed = 0
    for s in socks:
        s.settimeout(max(0.1, 30 - (time.monotonic() - t0)))
        try:
            closed += s.recv(10) == b""
        except OSError:
            closed += 1
        s.close()
    idle_tcp = {
        "attack": "1,000 half-sent HTTP requests from 4 addresses",
        "refused_at_connect": refused,
        "closed_by_server": closed,
        "all_closed_after_s": round(time.monotonic() - t0, 1),
        "health_during": health_during,
    }
    return [idle_tcp, asyncio.run(_idle_ws(srv, token, 200))]


async def live_calls(srv: ServerProcess, tokens: dict[str, str]) -> list[Any]:
    from tests.support.service import sample

    return await asyncio.gather(
        *(
            replay_samples(
                sample(name),
                server=srv.ws,
                agent_id=f"live{i}",
                token=tokens[f"live{i}"],
                speed=1.0,
            )
            for i, name in enumerate(CALLS)
        )
    )


def run_attacks(
    target: dict[str, Any], tokens: dict[str, str], bombs: list[tuple[str, Path]], out: Any
) -> None:
    """All attacks, one after another, in a process of their own (the calls' client keeps its
    own interpreter: no GIL shared with the attacker's Python loops)."""
    srv = SimpleNamespace(**target)
    attacks: list[dict[str, Any]] = []
    attacks += attack_bombs(srv, tokens["trainer"], bombs)
    attacks.append(attack_bodies(srv))
    attacks += attack_idle(srv, tokens["attacker_agent"])
    out.put(attacks)


def phase(work: Path, attacked: bool, n: int, bombs: list[tuple[str, Path]]) -> dict[str, Any]:
    """One fresh server: 6 real-time calls, with the attacks beside them or without."""
    run = work / f"{'attacked' if attacked else 'quiet'}-{n}"
    run.mkdir()
    db_url = f"sqlite:///{run / 'calltone.db'}"
    tokens: dict[str, str] = {}
    with Store(db_url) as store:
        tokens["trainer"] = store.create_user("trainer", "trainer").token
        tokens["attacker_agent"] = store.create_user("mallory", "agent").token
        for i in range(len(CALLS)):
            tokens[f"live{i}"] = store.create_user(f"live{i}", "agent").token
    srv = ServerProcess(db_url, run, env={"TMPDIR": str(run), "CALLTONE_ANALYSIS_PROCESSES": "2"})
    srv.start()
    out: dict[str, Any] = {
        "mode": "attacked" if attacked else "quiet",
        "baseline_rss_mb": round(vm_kib(srv.pid, "VmRSS") / 1024),
    }
    try:
        calls_done: list[Any] = []
        caller = threading.Thread(
            target=lambda: calls_done.extend(asyncio.run(live_calls(srv, tokens)))
        )
        caller.start()
        if attacked:
            time.sleep(2.0)
            ctx = multiprocessing.get_context("spawn")
            box = ctx.Queue()
            target = {"http": srv.http, "ws": srv.ws, "port": srv.port}
            attacker = ctx.Process(target=run_attacks, args=(target, tokens, bombs, box))
            attacker.start()
            out["attacks"] = box.get(timeout=600)
            attacker.join()
        caller.join()
        out["peak_rss_mb"] = round(vm_kib(srv.pid, "VmHWM") / 1024)
        out["alert_latency"] = srv.health()["alert_latency"]
        out["calls_ok"] = sum(r.error is None and r.summary is not None for r in calls_done)
        out["alerts"] = sum(len(r.alerts) for r in calls_done)
    finally:
        srv.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="quiet/attacked pairs, interleaved")
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    bombs = make_bombs(work)
    results = []
    for n in range(args.repeats):
        for attacked in (False, True):
            results.append(phase(work, attacked, n, bombs))
            print(json.dumps(results[-1], indent=2), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
