"""The call runner's batching and idle timeout (the receiver wakes the processor only when a
batch is due, and no per-frame ``wait_for``): frames sent in real time are analysed in steps of
the configured size, every frame is analysed, and a silent socket is still closed as idle."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from calltone.audio.pcm import encode_pcm_s16le
from calltone.service.live.runner import CallRunner
from tests.support.service import running_server, socket_exchange

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

START = json.dumps(
    {
        "type": "start",
        "agent_id": "a1",
        "sample_rate": 16000,
        "channels": 2,
        "encoding": "pcm_s16le",
        "agent_channel": 0,
    }
)
FRAME = encode_pcm_s16le(
    (0.05 * np.random.default_rng(0).standard_normal((2, 320))).astype(np.float32)
)  # 20 ms of stereo noise


async def _stream(url: str, frames: int, gap_s: float) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    async with connect(url) as ws:
        await ws.send(START)
        assert json.loads(await ws.recv())["type"] == "started"
        t0 = time.monotonic()
        for i in range(frames):
            delay = t0 + i * gap_s - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(FRAME)
        await ws.send(json.dumps({"type": "stop"}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if msg["type"] == "summary":
                return dict(msg)


@pytest.mark.parametrize(("batch_ms", "frames_per_step"), [(100, 5), (20, 1)])
def test_real_time_frames_go_in_steps_of_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_ms: int, frames_per_step: int
) -> None:
    sizes: list[int] = []
    step = CallRunner._step

    async def counting(self: CallRunner, pcm: bytes, *args: Any, **kwargs: Any) -> None:
        if pcm:
            sizes.append(len(pcm) // len(FRAME))
        await step(self, pcm, *args, **kwargs)

    monkeypatch.setattr(CallRunner, "_step", counting)
    with running_server(f"sqlite:///{tmp_path / 'b.db'}", analysis_batch_ms=batch_ms) as srv:
        srv.user("a1", "agent")
        url = srv.url("/v1/calls/batching/audio", srv.tokens["a1"])
        summary = asyncio.run(_stream(url, 100, 0.02))  # 2 s in real time
    assert sum(sizes) == 100, "every frame is analysed once"
    assert summary["frames"] == 100
    # Steps of the batch size (the last one and a late frame or two aside): with 100 ms
    # batches never a step per frame, with 20 ms batches never a batch of many frames.
    typical = float(np.median(sizes))
    assert abs(typical - frames_per_step) <= 1, sizes
    assert len(sizes) <= 100 // frames_per_step + 6, sizes
    assert max(sizes) <= 3 * frames_per_step + 2, sizes


def test_a_silent_started_socket_is_closed_as_idle(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'i.db'}", audio_idle_timeout_s=0.5) as srv:
        srv.user("a1", "agent")
        url = srv.url("/v1/calls/idle-call/audio", srv.tokens["a1"])
        t0 = time.monotonic()
        replies, code = asyncio.run(socket_exchange(url, [START, FRAME, FRAME], timeout_s=10))
        took = time.monotonic() - t0
        errors = [r for r in replies if r["type"] == "error"]
        assert errors and errors[0]["code"] == "idle", replies
        assert code == 1008
        assert took < 8.0
        deadline = time.monotonic() + 10
        while srv.store.get_call("idle-call").state == "live" and time.monotonic() < deadline:
            time.sleep(0.1)  # the call is ended after its socket is closed
        assert srv.store.get_call("idle-call").state == "interrupted"
