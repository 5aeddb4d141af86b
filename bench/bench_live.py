"""Live service benchmark: alert latency, detection delay, 50 concurrent calls, memory.

The server runs as a separate process (``calltone serve``, exactly as deployed) so the load
generator does not share its interpreter; clients are real WebSocket clients sending 20 ms PCM
frames. Figures:

1. processing latency: from sending the frame that completes a detection (found by replaying the
   same 20 ms frames through ``CallSession`` in-process: the alert comes out of that frame's push)
   to the alert arriving on the agent's own feed socket (``/v1/agents/{id}/alerts``), p50/p95;
2. detection delay from the true onset in ``samples/*/expected.json``: in audio time
   (``at_s - onset``) and end to end in wall time at real-time pacing;
3. N concurrent real-time calls (default 50, transcription on): acoustic alert latency p50/p95,
   whether transcription keeps up (segments vs gaps), server CPU;
4. resident memory of the server over a 60-minute call streamed faster than real time.

Run: python bench/bench_live.py [--calls 50] [--memory-minutes 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.audio.pcm import PcmFormat, encode_pcm_s16le  # noqa: E402
from calltone.models.tone.session import CallSession  # noqa: E402
from calltone.service.storage import Store  # noqa: E402

FRAME_MS = 20
SR = 16_000
FRAME_BYTES = SR * FRAME_MS // 1000 * 4
SAMPLES = ["escalation_call", "interrupting_agent_call", "calm_call"]
ONSETS = {  # the first true event of each kind, from expected.json
    name: json.loads((ROOT / "samples" / name / "expected.json").read_text())["events"]
    for name in SAMPLES
}


def pcm_of(name: str) -> bytes:
    return encode_pcm_s16le(load_audio(ROOT / "samples" / name / "call.wav").samples)


def frames_of(pcm: bytes) -> list[bytes]:
    return [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]


def completing_frames(frames: list[bytes]) -> dict[tuple[str, float], int]:
    """(alert kind, at_s) -> index of the 20 ms frame whose push raised it (in-process)."""
    session = CallSession(roles=ChannelRoles(), n_channels=2, pcm=PcmFormat(SR, 2))
    out: dict[tuple[str, float], int] = {}
    for i, f in enumerate(frames):
        for a in session.push_pcm(f).alerts:
            out[(a.kind, round(a.at_s, 2))] = i
    return out


# -- server process -----------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    db_url: str

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds of the server and its analysis worker processes."""
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parts = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat.parent.name == str(self.proc.pid) or parts[1] == str(self.proc.pid):
                total += (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_tree_mb(self) -> float:
        """Resident memory of the server plus its worker processes."""
        return sum(self.rss_by_process_mb().values())

    def rss_by_process_mb(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if status.parent.name == str(self.proc.pid) or fields.get("PPid", "").strip() == str(
                self.proc.pid
            ):
                out[status.parent.name] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy so far (all processes, all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


SERVER_NICE = 0
"""``--server-nice``: a negative value (root only) gives the server priority over other work on
a shared machine, to estimate a dedicated node; figures say when it was used."""


def start_server(workdir: Path, *, transcribe: bool, **env: str) -> Server:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db_url = f"sqlite:///{workdir / f'bench-{port}.db'}"
    args = [
        sys.executable,
        "-m",
        "calltone.service.cli",
        "serve",
        "--port",
        str(port),
        "--db",
        db_url,
        "--log-level",
        "warning",
    ]
    if not transcribe:
        args.append("--no-transcribe")
    if SERVER_NICE:
        args = ["nice", "-n", str(SERVER_NICE), *args]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return Server(proc, port, db_url)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


# -- a streaming client -------------------------------------------------------------------------


@dataclass
class CallRun:
    name: str
    call_id: str
    agent: str
    sent_at: list[float] = field(default_factory=list)
    alerts_call: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    alerts_feed: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    transcripts: int = 0
    gaps: int = 0
    summary: dict[str, Any] | None = None
    t0: float = 0.0


async def stream_call(
    server: Server,
    run: CallRun,
    token: str,
    frames: list[bytes] | Any,
    *,
    speed: float,
    feed: bool = True,
) -> CallRun:
    from websockets.asyncio.client import connect

    feed_task = None
    if feed:
        feed_ready = asyncio.Event()
        feed_task = asyncio.create_task(_read_feed(server, run, token, feed_ready))
        await feed_ready.wait()
    url = f"{server.ws}/v1/calls/{run.call_id}/audio?token={token}"
    async with connect(url, max_size=2**24, compression=None) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "start",
                    "agent_id": run.agent,
                    "sample_rate": SR,
                    "channels": 2,
                    "encoding": "pcm_s16le",
                }
            )
        )

        async def receive() -> None:
            async for raw in ws:
                msg = json.loads(raw)
                kind = msg["type"]
                if kind == "alert":
                    run.alerts_call.append((time.monotonic(), msg["alert"]))
                elif kind == "transcript":
                    run.transcripts += 1
                elif kind == "transcript_gap":
                    run.gaps += 1
                elif kind == "summary":
                    run.summary = msg
                    return
                elif kind == "error":
                    raise RuntimeError(f"{run.call_id}: {msg}")

        receiver = asyncio.create_task(receive())
        run.t0 = t0 = time.monotonic()
        frame_s = FRAME_MS / 1000
        for i, frame in enumerate(frames):
            if speed > 0:
                delay = t0 + i * frame_s / speed - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            if speed > 0:
                run.sent_at.append(time.monotonic())
            await ws.send(frame)
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(receiver, timeout=600)
    if feed_task is not None:
        await asyncio.sleep(0.5)
        feed_task.cancel()
    return run


async def _read_feed(server: Server, run: CallRun, token: str, ready: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    url = f"{server.ws}/v1/agents/{run.agent}/alerts?token={token}&after=0"
    async with connect(url) as ws:
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "ready":
                ready.set()
            elif msg["type"] == "alert":
                run.alerts_feed.append((time.monotonic(), msg["alert"]))


def server_health(server: Server) -> dict[str, Any]:
    """The server's own view: frame arrival to alert sent, measured inside the server."""
    health: dict[str, Any] = httpx.get(f"http://127.0.0.1:{server.port}/health", timeout=10).json()
    return health


def make_users(server: Server, agents: list[str]) -> dict[str, str]:
    with Store(server.db_url) as store:
        return {a: store.create_user(a, "agent").token for a in agents}


# -- figures ------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def latencies(runs: list[CallRun], completing: dict[str, dict[tuple[str, float], int]]) -> dict:
    """Frame-completing-detection -> alert on the agent feed socket, and on the call socket."""
    feed_ms, call_ms = [], []
    for run in runs:
        table = completing[run.name]
        for arrivals, into in ((run.alerts_feed, feed_ms), (run.alerts_call, call_ms)):
            for t, alert in arrivals:
                if alert["call_id"] != run.call_id:
                    continue
                idx = table.get((alert["kind"], round(alert["at_s"], 2)))
                if idx is None or idx >= len(run.sent_at):
                    continue  # end-of-call alerts (take_a_break) come from stop, not a frame
                into.append((t - run.sent_at[idx]) * 1000)
    return {
        "feed_n": len(feed_ms),
        "feed_p50_ms": round(pct(feed_ms, 50), 1),
        "feed_p95_ms": round(pct(feed_ms, 95), 1),
        "feed_max_ms": round(max(feed_ms), 1) if feed_ms else None,
        "call_socket_p50_ms": round(pct(call_ms, 50), 1),
        "call_socket_p95_ms": round(pct(call_ms, 95), 1),
    }


def detection_delays(runs: list[CallRun]) -> dict:
    """Audio-time delay (alert at_s - true onset) and wall delay (arrival - onset sent)."""
    out: dict[str, dict[str, list[float]]] = {}
    targets = {"yelling": "de_escalate", "interruption": "let_them_finish"}
    for run in runs:
        for ev in ONSETS[run.name][:1]:
            kind = targets.get(ev["kind"])
            hits = [(t, a) for t, a in run.alerts_feed if a["kind"] == kind]
            if not hits:
                continue
            t, alert = hits[0]
            d = out.setdefault(ev["kind"], {"audio_s": [], "wall_s": []})
            d["audio_s"].append(alert["at_s"] - ev["start_s"])
            onset_frame = int(ev["start_s"] * 1000 / FRAME_MS)
            if onset_frame < len(run.sent_at):
                d["wall_s"].append(t - run.sent_at[onset_frame])
    return {
        k: {
            "n": len(v["audio_s"]),
            "audio_median_s": round(statistics.median(v["audio_s"]), 2),
            "audio_max_s": round(max(v["audio_s"]), 2),
            "wall_median_s": round(statistics.median(v["wall_s"]), 2) if v["wall_s"] else None,
            "wall_max_s": round(max(v["wall_s"]), 2) if v["wall_s"] else None,
        }
        for k, v in out.items()
    }


# -- scenarios ----------------------------------------------------------------------------------


async def concurrent_calls(
    server: Server, n: int, frames: dict[str, list[bytes]], speed: float = 1.0
) -> tuple[list[CallRun], dict]:
    agents = [f"bench{i:03d}-{server.port}" for i in range(n)]
    tokens = make_users(server, agents)
    runs = [
        CallRun(SAMPLES[i % 2], f"call{i:03d}-{server.port}", agents[i]) for i in range(n)
    ]  # escalation and interrupting alternate: both raise frame-triggered alerts

    async def one(i: int) -> CallRun:
        await asyncio.sleep(random.Random(i).uniform(0, 2.0))  # calls do not start in lockstep
        run = runs[i]
        return await stream_call(server, run, tokens[run.agent], frames[run.name], speed=speed)

    steps: list[float] = []  # analysis_batch_ms while at least half the calls are live

    async def poll_health() -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                await asyncio.sleep(2.0)
                with contextlib.suppress(httpx.HTTPError):
                    h = (await client.get(f"http://127.0.0.1:{server.port}/health")).json()
                    if h.get("live_calls", 0) >= n // 2:
                        steps.append(h["analysis_batch_ms"])

    cpu0, wall0, me0, all0 = server.cpu_s(), time.monotonic(), time.process_time(), machine_busy_s()
    poller = asyncio.create_task(poll_health())
    done = await asyncio.gather(*(one(i) for i in range(n)))
    poller.cancel()
    wall = time.monotonic() - wall0
    cpu = (server.cpu_s() - cpu0) / wall
    client = (time.process_time() - me0) / wall
    machine = (machine_busy_s() - all0) / wall
    return list(done), {
        "server_cpu_cores": round(cpu, 2),
        "client_cpu_cores": round(client, 2),
        "other_processes_cpu_cores": round(max(0.0, machine - cpu - client), 2),
        "load_avg_1min_end": os.getloadavg()[0],
        "analysis_step_ms_median": float(np.median(steps)) if steps else None,
    }


def tiled_frames(minutes: float, pcm: list[bytes]):  # type: ignore[no-untyped-def]
    """Frames of a call ``minutes`` long, cycling the samples, produced lazily."""
    whole = b"".join(pcm)
    total = int(minutes * 60 * 1000 / FRAME_MS)
    n = len(whole) // FRAME_BYTES
    for i in range(total):
        j = i % n
        yield whole[j * FRAME_BYTES : (j + 1) * FRAME_BYTES]


async def memory_run(server: Server, minutes: float, pcm: list[bytes]) -> dict:
    tokens = make_users(server, ["memagent"])
    warm = CallRun("calm_call", "mem-warmup", "memagent")
    await stream_call(server, warm, tokens["memagent"], tiled_frames(3, pcm), speed=0, feed=False)
    before = server.rss_tree_mb()
    samples: list[float] = []
    run = CallRun("calm_call", "mem-long", "memagent")
    task = asyncio.create_task(
        stream_call(
            server, run, tokens["memagent"], tiled_frames(minutes, pcm), speed=0, feed=False
        )
    )
    t0 = time.monotonic()
    curve = []
    while not task.done():
        samples.append(server.rss_tree_mb())
        if len(samples) % 4 == 1:
            curve.append(
                {
                    "t_s": round(time.monotonic() - t0, 1),
                    **{k: round(v, 1) for k, v in server.rss_by_process_mb().items()},
                }
            )
        await asyncio.sleep(0.5)
    await task
    wall = time.monotonic() - t0
    after = server.rss_tree_mb()
    return {
        "call_minutes": minutes,
        "wall_s": round(wall, 1),
        "x_real_time": round(minutes * 60 / wall, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(max([*samples, after]), 1),
        "rss_after_mb": round(after, 1),
        "growth_after_call_mb": round(after - before, 1),
        # Whisper's decode buffers come and go per utterance (tens of MB); the floor of the
        # RSS over the call's first and last quarter shows whether anything accumulates.
        "floor_first_quarter_mb": round(min(samples[: max(1, len(samples) // 4)]), 1),
        "floor_last_quarter_mb": round(min(samples[-max(1, len(samples) // 4) :]), 1),
        "floor_growth_mb": round(
            min(samples[-max(1, len(samples) // 4) :]) - min(samples[: max(1, len(samples) // 4)]),
            1,
        ),
        "peak_over_before_mb": round(max([*samples, after]) - before, 1),
        "transcript_segments": run.transcripts,
        "transcript_gaps": run.gaps,
        "curve": curve,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=50, help="concurrent real-time calls")
    ap.add_argument("--latency-calls", type=int, default=6, help="calls for the unloaded latency")
    ap.add_argument("--memory-minutes", type=float, default=60.0)
    ap.add_argument("--no-transcribe", action="store_true", help="acoustic only (all scenarios)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["latency", "load", "memory"])
    ap.add_argument("--json", default=None, help="also write the figures here")
    ap.add_argument(
        "--server-nice",
        type=int,
        default=0,
        help="run the server at this niceness (negative: priority over other work; root)",
    )
    args = ap.parse_args()
    global SERVER_NICE
    SERVER_NICE = args.server_nice
    transcribe = not args.no_transcribe

    pcm = {name: pcm_of(name) for name in SAMPLES}
    frames = {name: frames_of(p) for name, p in pcm.items()}
    completing = {name: completing_frames(f) for name, f in frames.items()}
    report: dict[str, Any] = {
        "transcribe": transcribe,
        "cores": os.cpu_count(),
        "server_nice": args.server_nice,
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "latency" not in args.skip:
            server = start_server(work, transcribe=transcribe)
            try:
                runs, load = asyncio.run(
                    concurrent_calls(server, args.latency_calls, frames, speed=1.0)
                )
                report["latency_light_load"] = {
                    "calls": args.latency_calls,
                    **latencies(runs, completing),
                    **load,
                    "server_side": server_health(server)["alert_latency"],
                }
                report["detection_delay"] = detection_delays(runs)
            finally:
                server.stop()
            print(json.dumps(report, indent=1), flush=True)
        if "load" not in args.skip:
            server = start_server(work, transcribe=transcribe)
            try:
                runs, load = asyncio.run(concurrent_calls(server, args.calls, frames, speed=1.0))
                report["concurrent"] = {
                    "calls": args.calls,
                    **latencies(runs, completing),
                    **load,
                    "calls_ok": sum(r.summary is not None for r in runs),
                    "transcript_segments": sum(r.transcripts for r in runs),
                    "transcript_gaps": sum(r.gaps for r in runs),
                    "rss_mb": round(server.rss_tree_mb(), 1),
                    "server_side": (health := server_health(server))["alert_latency"],
                    "server_side_parts": health.get("alert_latency_parts"),
                    "analysis_batch_ms": health.get("analysis_batch_ms"),
                }
                report["detection_delay_under_load"] = detection_delays(runs)
            finally:
                server.stop()
            print(json.dumps(report, indent=1), flush=True)
        if "memory" not in args.skip:
            server = start_server(work, transcribe=transcribe)
            try:
                report["memory"] = asyncio.run(
                    memory_run(server, args.memory_minutes, list(pcm.values()))
                )
            finally:
                server.stop()
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
