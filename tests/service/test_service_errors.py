"""Bad input on the sockets gets an error message and the right close code, while another call
on the same server keeps going; calls that die mid-stream are marked interrupted."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from calltone.audio.pcm import encode_pcm_s16le
from calltone.service.storage import Store
from tests.support.service import LiveServer, running_server, socket_exchange

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def start(**over: Any) -> str:
    msg = {
        "type": "start",
        "agent_id": "a1",
        "sample_rate": 16000,
        "channels": 2,
        "encoding": "pcm_s16le",
        "agent_channel": 0,
    }
    msg.update(over)
    return json.dumps(msg)


FRAME = encode_pcm_s16le(np.zeros((2, 320), np.float32))  # 20 ms of stereo silence


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("errors") / "calltone.db"
    with running_server(f"sqlite:///{db}") as srv:
        srv.user("a1", "agent")
        srv.user("a2", "agent")
        srv.user("boss", "supervisor")
        srv.user("tess", "trainer")
        srv.user("root", "admin")
        yield srv


# (name, token user or None or "bad", call id, messages, expected code, expected close code)
CASES: list[tuple[str, str | None, list[str | bytes], str, int]] = [
    ("no_token", None, [start()], "unauthorized", 1008),
    ("bad_token", "bad", [start()], "unauthorized", 1008),
    ("other_agent", "a2", [start(agent_id="a1")], "forbidden", 1008),
    ("trainer", "tess", [start()], "forbidden", 1008),
    ("audio_first", "a1", [FRAME], "missing_start", 1008),
    ("not_json", "a1", ["{start"], "bad_start", 1007),
    ("wrong_first_type", "a1", [json.dumps({"type": "hello"})], "missing_start", 1008),
    ("bad_field", "a1", [start(sample_rate="fast")], "bad_start", 1007),
    ("encoding", "a1", [start(encoding="opus")], "unsupported_format", 1003),
    ("rate", "a1", [start(sample_rate=4000)], "unsupported_format", 1003),
    ("channels", "a1", [start(channels=3)], "unsupported_format", 1003),
    ("agent_channel", "a1", [start(agent_channel=5)], "bad_start", 1007),
    ("half_sample", "a1", [start(), FRAME[:-1]], "bad_frame", 1007),
    ("odd_bytes_stereo", "a1", [start(), FRAME[:-2]], "bad_frame", 1007),
    ("empty_frame", "a1", [start(), b""], "bad_frame", 1007),
    ("too_large", "a1", [start(), b"\0" * (16000 * 4 + 4)], "frame_too_large", 1009),
    ("garbage_text", "a1", [start(), FRAME, "not json"], "bad_message", 1007),
    ("unknown_type", "a1", [start(), json.dumps({"type": "rewind"})], "unknown_message", 1003),
    ("second_start", "a1", [start(), start()], "already_started", 1008),
]


@pytest.fixture(scope="module")
def outcomes(server: LiveServer) -> dict[str, Any]:
    """Every bad socket, run while a good call streams at 4x real time on the same server."""

    async def bad(name: str, who: str | None, messages: list[str | bytes]) -> Any:
        token = server.tokens.get(who) if who not in (None, "bad") else None
        if who == "bad":
            token = "ct_this-token-was-never-issued-000000"
        url = server.url(f"/v1/calls/bad-{name}/audio", token)
        return await socket_exchange(url, messages)

    async def run() -> dict[str, Any]:
        good = asyncio.create_task(
            server.areplay("escalation_call", "a1", call_id="good-call", speed=4)
        )
        await asyncio.sleep(1.0)
        results = await asyncio.gather(*(bad(n, w, m) for n, w, m, _, _ in CASES))
        return {"good": await good, **{c[0]: r for c, r in zip(CASES, results, strict=True)}}

    return asyncio.run(run())


@pytest.mark.parametrize(("name", "code", "close"), [(c[0], c[3], c[4]) for c in CASES])
def test_bad_socket_input(outcomes: dict[str, Any], name: str, code: str, close: int) -> None:
    replies, close_code = outcomes[name]
    errors = [r for r in replies if r["type"] == "error"]
    assert errors, f"{name}: no error message in {replies}"
    assert errors[0]["code"] == code, errors[0]
    assert len(errors[0]["message"]) > 20, "the message says what to fix"
    assert close_code == close


def test_good_call_unaffected_by_bad_sockets(outcomes: dict[str, Any]) -> None:
    good = outcomes["good"]
    assert good.error is None
    assert good.summary is not None and good.summary["state"] == "ended"
    assert "de_escalate" in [a["kind"] for a in good.alerts]


def test_failed_calls_are_interrupted(server: LiveServer, outcomes: dict[str, Any]) -> None:
    for name in ("half_sample", "too_large", "garbage_text"):
        assert server.store.get_call(f"bad-{name}").state == "interrupted", name


def test_finished_and_live_call_ids_are_refused(server: LiveServer) -> None:
    async def finished_again() -> Any:
        return await socket_exchange(
            server.url("/v1/calls/done-call/audio", server.tokens["a1"]), [start()]
        )

    done = server.replay("calm_call", "a1", call_id="done-call")
    assert done.summary is not None and done.summary["state"] == "ended"
    replies, code = asyncio.run(finished_again())
    assert replies[0]["code"] == "call_finished" and code == 1008

    async def live_twice() -> Any:
        from websockets.asyncio.client import connect

        url = server.url("/v1/calls/twice/audio", server.tokens["a1"])
        async with connect(url) as first:
            await first.send(start())
            started = json.loads(await first.recv())
            assert started["type"] == "started"
            second = await socket_exchange(url, [start()])
            await first.send(json.dumps({"type": "stop"}))
            while json.loads(await first.recv())["type"] != "summary":
                pass
            return second

    replies, code = asyncio.run(live_twice())
    assert replies[0]["code"] == "call_live" and code == 1008


def test_killed_client_leaves_an_interrupted_call(server: LiveServer) -> None:
    result = server.replay(
        "escalation_call",
        "a1",
        call_id="killed",
        stop=False,
        stop_after_frames=1600,
        abort_when=lambda r: bool(r.alerts),  # the server has analysed past 29 s
    )
    assert result.summary is None
    deadline = time.monotonic() + 20
    while server.store.get_call("killed").state == "live" and time.monotonic() < deadline:
        time.sleep(0.1)
    call = server.store.get_call("killed")
    assert call.state == "interrupted"
    # what was heard before the drop (yelling from 28 s; 1600 frames = 32 s) is kept
    assert [e.kind for e in server.store.list_events("killed")] == ["yelling"]
    assert "de_escalate" in [a.kind for a in server.store.alerts_after(0, call_id="killed")]
    ended = [e for e in server.store.feed_after(0, limit=5000) if e.call_id == "killed"]
    assert [e.kind for e in ended][-1] == "call_ended"
    assert ended[-1].payload["state"] == "interrupted"


def test_listen_in_streams_live_audio(server: LiveServer) -> None:
    async def run() -> tuple[list[Any], Any]:
        from websockets.asyncio.client import connect

        call = asyncio.create_task(server.areplay("calm_call", "a2", call_id="listened", speed=8))
        got: list[Any] = []
        await asyncio.sleep(0.8)
        url = server.url("/v1/calls/listened/listen", server.tokens["boss"])
        async with connect(url) as ws:
            async for raw in ws:
                got.append(raw)
        denied = await socket_exchange(
            server.url("/v1/calls/listened/listen", server.tokens["a2"]), []
        )
        return got, (await call, denied)

    got, (call_result, denied) = asyncio.run(run())
    head = json.loads(got[0])
    assert head["type"] == "start" and head["sample_rate"] == 16000 and head["channels"] == 2
    frames = [g for g in got if isinstance(g, bytes)]
    assert len(frames) > 50 and all(len(f) == 1280 for f in frames)
    assert json.loads(got[-1])["type"] == "end"
    assert call_result.summary is not None
    assert denied[0][0]["code"] == "forbidden" and denied[1] == 1008
    unknown = asyncio.run(
        socket_exchange(server.url("/v1/calls/nope/listen", server.tokens["boss"]), [])
    )
    assert unknown[0][0]["code"] == "unknown_call" and unknown[1] == 1008


def test_restart_marks_calls_left_live_interrupted(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    with Store(db) as store:
        store.start_call("left-live", "a9")
    with running_server(db) as srv:
        assert srv.store.get_call("left-live").state == "interrupted"
