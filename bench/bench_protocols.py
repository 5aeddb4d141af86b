"""Platform adapters under load: N concurrent Genesys AudioHook sessions in real time.

The server runs as its own process (``calltone serve --no-transcribe``, as bench_live's alert
figures do: acoustic alerts never wait for Whisper). Each session is a real AudioHook client
(signed upgrade, ``open``/``opened``, 8 kHz PCMU stereo frames paced in real time, ``ping``,
``close``/``closed``) streaming one of the three sample calls; each agent's alert feed
(``/v1/agents/{id}/alerts``) is watched, since in monitor mode that is where alerts go. The
same load is then streamed over calltone's own protocol (8 kHz PCM, same frames) on a fresh
server, as the baseline the adapter is compared with in the same run.

Figures per mode: alert latency from sending the frame that holds the alert's audio time to
the alert on the agent's feed (p50/p95/max, client side), the server's own frame-arrival to
alert figure (``/health``), whether anything was dropped (every session ended with every frame
analysed, the alerts of every call equal to those of the same call streamed alone), server CPU.

Run: python bench/bench_protocols.py [--sessions 50] [--frame-ms 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_live import Server, machine_busy_s, start_server  # noqa: E402

from calltone.service.clients.platforms import (  # noqa: E402
    PlatformResult,
    replay_audiohook,
    replay_calltone_8k,
    telephone_audio,
)
from calltone.service.clients.replay import load_call  # noqa: E402
from calltone.service.storage import Store  # noqa: E402

SAMPLES = ["escalation_call", "interrupting_agent_call", "calm_call"]
API_KEY = "bench-key"
SECRET = b"bench-client-secret-0123456789abcdef"


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


async def watch_feed(
    server: Server, agent: str, token: str, out: list, ready: asyncio.Event
) -> None:
    from websockets.asyncio.client import connect

    async with connect(f"{server.ws}/v1/agents/{agent}/alerts?token={token}&after=0") as ws:
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "ready":
                ready.set()
            elif msg["type"] == "alert":
                out.append((time.monotonic(), msg["alert"]))


async def one_session(
    server: Server,
    mode: str,
    i: int,
    audio: np.ndarray,
    token: str,
    admin: str,
    frame_ms: int,
    delay_s: float,
) -> tuple[PlatformResult, list, str]:
    agent = f"ag{i:02d}"
    feed: list[tuple[float, dict[str, Any]]] = []
    ready = asyncio.Event()
    watcher = asyncio.create_task(watch_feed(server, agent, token, feed, ready))
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.sleep(delay_s)
    if mode == "audiohook":
        result = await replay_audiohook(
            audio,
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id=agent,
            frame_ms=frame_ms,
            speed=1.0,
        )
    else:
        result = await replay_calltone_8k(
            audio,
            server=server.ws,
            token=admin,
            agent_id=agent,
            call_id=f"own-{uuid.uuid4().hex[:10]}",
            speed=1.0,
            frame_ms=frame_ms,
        )
    await asyncio.sleep(1.5)  # the last alerts (take_a_break after close) reach the feed
    watcher.cancel()
    return result, feed, agent


def completing_frames(audio: np.ndarray, frame_ms: int) -> dict[tuple[str, float], int]:
    """(alert kind, at_s) -> index of the frame whose push raised it, found by pushing the
    same frames through the streaming core in-process (as bench_live does): an alert's
    ``at_s`` can be earlier than the audio that completes its detection."""
    from calltone.audio.channels import ChannelRoles
    from calltone.audio.pcm import PcmFormat
    from calltone.models.tone.session import CallSession

    session = CallSession(roles=ChannelRoles(), n_channels=2, pcm=PcmFormat(8000, 2))
    step = 8000 * frame_ms // 1000
    out: dict[tuple[str, float], int] = {}
    for i, start in enumerate(range(0, audio.shape[0], step)):
        frame = np.ascontiguousarray(audio[start : start + step]).astype("<i2").tobytes()
        for a in session.push_pcm(frame).alerts:
            out[(a.kind, round(a.at_s, 2))] = i
    return out


def feed_latencies(result: PlatformResult, feed: list, table: dict) -> list[float]:
    out = []
    for t, alert in feed:
        if alert["call_id"] != result.call_id:
            continue
        idx = table.get((alert["kind"], round(alert["at_s"], 2)))
        if idx is None or idx >= len(result.frame_log):
            continue  # end-of-call alerts (take_a_break) come from the close, not a frame
        out.append((t - result.frame_log[idx][1]) * 1000.0)
    return out


async def run_mode(
    mode: str, sessions: int, frame_ms: int, calls: dict[str, np.ndarray], workdir: Path
) -> dict[str, Any]:
    env = {"CALLTONE_AUDIOHOOK_KEYS": json.dumps({API_KEY: base64.b64encode(SECRET).decode()})}
    server = start_server(workdir, transcribe=False, **env)
    try:
        with Store(server.db_url) as store:
            admin = store.create_user("root", "admin").token
            tokens = {
                f"ag{i:02d}": store.create_user(f"ag{i:02d}", "agent").token
                for i in range(sessions)
            }
        names = [SAMPLES[i % len(SAMPLES)] for i in range(sessions)]
        tables = {n: completing_frames(a, frame_ms) for n, a in calls.items()}
        cpu0, busy0, t0 = server.cpu_s(), machine_busy_s(), time.monotonic()
        raw = await asyncio.gather(
            *(
                one_session(
                    server,
                    mode,
                    i,
                    calls[names[i]],
                    tokens[f"ag{i:02d}"],
                    admin,
                    frame_ms,
                    delay_s=2.0 * i / sessions,
                )
                for i in range(sessions)
            ),
            return_exceptions=True,
        )
        wall = time.monotonic() - t0
        failed = [f"{type(r).__name__}: {r}"[:200] for r in raw if isinstance(r, BaseException)]
        outs = [r for r in raw if not isinstance(r, BaseException)]
        names = [n for n, r in zip(names, raw, strict=True) if not isinstance(r, BaseException)]
        cpu = server.cpu_s() - cpu0
        other = (machine_busy_s() - busy0 - cpu) / wall
        health = httpx.get(f"http://127.0.0.1:{server.port}/health", timeout=10).json()
        lat: list[float] = []
        per_call: dict[str, list[list[tuple[str, float]]]] = {n: [] for n in SAMPLES}
        ended = 0
        with Store(server.db_url) as store:
            for (result, feed, _agent), name in zip(outs, names, strict=True):
                lat += feed_latencies(result, feed, tables[name])
                assert result.call_id is not None
                call = store.get_call(result.call_id)
                summary = call.summary or {}
                full = abs(summary.get("duration_s", 0) - calls[name].shape[0] / 8000) < 0.05
                ended += call.state == "ended" and full
                per_call[name].append(
                    [(a.kind, a.at_s) for a in store.alerts_after(0, call_id=result.call_id)]
                )
        same = all(len({json.dumps(x) for x in runs}) == 1 for runs in per_call.values())
        return {
            "mode": mode,
            "sessions": sessions,
            "frame_ms": frame_ms,
            "feed_alerts": len(lat),
            "feed_alerts_not_from_a_frame": sum(len(f) for _, f, _ in outs) - len(lat),
            "feed_p50_ms": pct(lat, 50),
            "feed_p95_ms": pct(lat, 95),
            "feed_max_ms": round(max(lat), 1) if lat else None,
            "server_alert_latency": health["alert_latency"],
            "server_alert_latency_parts": health.get("alert_latency_parts"),
            "calls_ended_complete": ended,
            "client_sessions_failed": len(failed),
            "failures": failed[:5],
            "alerts_identical_across_copies": same,
            "alerts_per_sample": {n: runs[0] if runs else [] for n, runs in per_call.items()},
            "server_cpu_cores": round(cpu / wall, 2),
            "other_load_cores": round(other, 2),
            "wall_s": round(wall, 1),
        }
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--frame-ms", type=int, default=20)
    ap.add_argument("--modes", default="audiohook,calltone")
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the server and this client (negative, root only: estimate a dedicated "
        "node on a shared machine; the figures say so)",
    )
    args = ap.parse_args()
    if args.nice:
        os.nice(args.nice)  # the server it starts inherits it
        # With autogroup scheduling (Linux default) niceness only ranks processes within one
        # session: the session's own autogroup niceness is what ranks it against other work.
        autogroup = Path("/proc/self/autogroup")
        if autogroup.exists():
            try:
                autogroup.write_text(str(args.nice))
            except OSError as exc:
                print(f"cannot set the autogroup niceness ({exc}); --nice may not help")
    calls = {n: telephone_audio(load_call(ROOT / "samples" / n / "call.wav")) for n in SAMPLES}
    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start",
        "nice": args.nice,
        "autogroup": Path("/proc/self/autogroup").read_text().strip()
        if Path("/proc/self/autogroup").exists()
        else None,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for k, mode in enumerate(args.modes.split(",")):
            key = mode if mode not in report else f"{mode}-{k}"  # modes may repeat (interleaved)
            report[key] = asyncio.run(
                run_mode(mode, args.sessions, args.frame_ms, calls, Path(tmp))
            )
            print(json.dumps(report[key], indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
