"""Platform adapters against a real ``calltone serve`` process, with real ``websockets`` clients
written from the published message flows: Genesys AudioHook v2, Twilio Media Streams and a
FreeSWITCH audio fork. Each full session streams the two-voice escalation call (agent and
customer on their own channels; the customer yells twice) and must raise exactly the alerts, at
the same times (within 0.1 s), as the same 8 kHz audio over calltone's own protocol: a swapped
channel mapping would put the yelling on the agent and fail. Bad input gets the platform's own
answer (AudioHook ``disconnect``, a close code for Twilio and the fork, HTTP 403 at the upgrade
for a bad credential) and leaves other calls alone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from calltone.service.clients.platforms import (
    NULL_UUID,
    AudioHookClient,
    audiohook_headers,
    audiohook_media,
    audiohook_open_parameters,
    replay_audiohook,
    replay_calltone_8k,
    replay_fork,
    replay_twilio,
    telephone_audio,
    twilio_signature,
)
from calltone.service.live.protocols.config import sha256_hex
from calltone.service.storage import NotFoundError, Store
from tests.support.server_process import ServerProcess
from tests.support.service import sample

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SECRET = b"audiohook-client-secret-for-tests-32b"
API_KEY = "ah-test-key"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
STREAM_KEY = "stream-key-for-tests"
FORK_KEY = "fork-key-for-tests"
ORG = "d7934305-0972-4844-938e-9060eef73d05"
TIME_TOLERANCE_S = 0.1
IDLE_S = 4.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    work = tmp_path_factory.mktemp("protocols")
    srv = ServerProcess(
        db_url=f"sqlite:///{work / 'calltone.db'}",
        workdir=work,
        env={
            "CALLTONE_AUDIOHOOK_KEYS": json.dumps({API_KEY: base64.b64encode(SECRET).decode()}),
            "CALLTONE_AUDIOHOOK_FAILURE_DELAY_MS": "50",
            "CALLTONE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "CALLTONE_TWILIO_STREAM_KEYS": json.dumps({"site1": sha256_hex(STREAM_KEY)}),
            "CALLTONE_FORK_KEYS": json.dumps({"pbx1": sha256_hex(FORK_KEY)}),
            # short, so a paused AudioHook session outlasts it (fast replays never idle)
            "CALLTONE_AUDIO_IDLE_TIMEOUT_S": str(IDLE_S),
        },
    )
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def store(server: ServerProcess) -> Iterator[Store]:
    s = Store(server.db_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def admin(store: Store) -> str:
    return store.create_user("root", "admin").token


@pytest.fixture(scope="module")
def call_8k() -> np.ndarray:
    """The escalation call at 8 kHz through mu-law, (n, 2), agent first."""
    return telephone_audio(sample("escalation_call"))


def wait_ended(store: Store, call_id: str, timeout_s: float = 30.0) -> str:
    """The call's state once it is no longer live (a platform's close is answered at once;
    the runner finishes the call just after, and on a busy machine a short session's call
    row may not even exist yet when the client is done)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            state = store.get_call(call_id).state
        except NotFoundError:
            state = None
        if (state is not None and state != "live") or time.monotonic() >= deadline:
            return store.get_call(call_id).state
        time.sleep(0.05)


def alerts_of(store: Store, call_id: str) -> list[tuple[str, float]]:
    wait_ended(store, call_id)
    return [(a.kind, a.at_s) for a in store.alerts_after(0, call_id=call_id)]


def reference(server: ServerProcess, admin: str, store: Store, audio: np.ndarray) -> list:
    """The alerts of ``audio`` over calltone's own protocol (8 kHz PCM, agent channel 0)."""
    call_id = f"ref-{uuid.uuid4().hex[:10]}"
    result = asyncio.run(
        replay_calltone_8k(audio, server=server.ws, token=admin, agent_id="a1", call_id=call_id)
    )
    assert result.close_code == 1000, result.messages[-2:]
    return alerts_of(store, call_id)


def assert_same_alerts(got: list, want: list) -> None:
    assert [k for k, _ in got] == [k for k, _ in want], (got, want)
    for (kind, t_got), (_, t_want) in zip(got, want, strict=True):
        assert abs(t_got - t_want) <= TIME_TOLERANCE_S, (kind, t_got, t_want)


@pytest.fixture(scope="module")
def reference_alerts(server: ServerProcess, admin: str, store: Store, call_8k: np.ndarray) -> list:
    alerts = reference(server, admin, store, call_8k)
    kinds = [k for k, _ in alerts]
    assert "de_escalate" in kinds and "calm_down" not in kinds, alerts  # the customer yells
    return alerts


# -- AudioHook ------------------------------------------------------------------------------------


def test_audiohook_full_session_matches_own_protocol(
    server: ServerProcess, store: Store, call_8k: np.ndarray, reference_alerts: list
) -> None:
    # internal (agent) offered first: the mapping must follow the offer, not a fixed order
    result = asyncio.run(
        replay_audiohook(
            call_8k,
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id="a1",
            organization_id=ORG,
            channel_order=("internal", "external"),
            speed=0,
        )
    )
    types = [m["type"] for m in result.messages]
    assert types == ["opened", "closed"], result.messages
    opened = result.messages[0]
    assert opened["parameters"]["media"] == [audiohook_media("PCMU", ("internal", "external"))]
    assert opened["seq"] == 1 and opened["clientseq"] == 1
    assert result.close_code == 1000
    assert result.call_id is not None
    assert wait_ended(store, result.call_id) == "ended"
    call = store.get_call(result.call_id)
    assert call.agent_id == "a1"
    assert call.meta["source"]["protocol"] == "audiohook"
    assert API_KEY not in json.dumps(call.meta)  # which key, by hash only
    assert call.meta["agent_channel"] == 0 and call.meta["sample_rate"] == 8000
    assert_same_alerts(alerts_of(store, result.call_id), reference_alerts)


def test_audiohook_l16_with_pause_keeps_the_timeline(
    server: ServerProcess, admin: str, store: Store, call_8k: np.ndarray
) -> None:
    """A paused stretch is not sent; ``resumed`` says how long it was; the alerts land where
    the same audio with that stretch silent puts them."""
    at_s, dur_s = 12.0, 3.0
    result = asyncio.run(
        replay_audiohook(
            call_8k,
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id="a1",
            organization_id=ORG,
            media_format="L16",
            pauses=[(at_s, dur_s)],
            speed=0,
        )
    )
    assert [m["type"] for m in result.messages] == ["opened", "closed"], result.messages
    gapped = call_8k.copy()
    gapped[int(at_s * 8000) : int((at_s + dur_s) * 8000)] = 0
    want = reference(server, admin, store, gapped)
    assert result.call_id is not None
    got = alerts_of(store, result.call_id)
    assert_same_alerts(got, want)
    summary = store.get_call(result.call_id).summary or {}
    assert abs(summary["duration_s"] - call_8k.shape[0] / 8000) < 0.05, summary


def test_audiohook_probe_is_answered_and_records_no_call(
    server: ServerProcess, store: Store
) -> None:
    before = len(store.list_calls(limit=1000))
    result = asyncio.run(
        replay_audiohook(
            None,
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id=None,
            organization_id=ORG,
        )
    )
    assert [m["type"] for m in result.messages] == ["opened", "closed"], result.messages
    assert result.close_code == 1000
    assert len(store.list_calls(limit=1000)) == before
    assert NULL_UUID not in " ".join(c.call_id for c in store.list_calls(limit=1000))


async def _audiohook_exchange(
    server: ServerProcess,
    script: list[Any],
    *,
    headers: dict[str, str] | None = None,
    session_id: str | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """Run ``script`` (("text", type, params, seq|None) or ("bytes", data)) on a new session;
    answer a server ``disconnect`` with ``close`` as Genesys does; return the server's messages."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    sid = session_id or str(uuid.uuid4())
    url = server.ws + "/v1/audiohook"
    hdrs = headers or audiohook_headers(
        url, api_key=API_KEY, client_secret=SECRET, session_id=sid, organization_id=ORG
    )
    got: list[dict[str, Any]] = []
    async with connect(url, additional_headers=hdrs, open_timeout=10) as ws:
        client = AudioHookClient(ws, sid)
        try:
            for step in script:
                if step[0] == "bytes":
                    await ws.send(step[1])
                else:
                    _, kind, params, seq = step
                    await client.send(kind, params, seq=seq)
                if step[0] == "text" and step[1] in ("open", "ping", "close"):
                    msg = await client.recv(timeout_s=10)
                    got.append(msg)
                    if msg["type"] == "disconnect":
                        break
            while not got or got[-1]["type"] not in ("disconnect", "closed"):
                got.append(await client.recv(timeout_s=10))
            if got[-1]["type"] == "disconnect":
                await client.send("close", {"reason": "disconnect"})
                got.append(await client.recv(timeout_s=10))
            await asyncio.wait_for(ws.wait_closed(), 10)
        except (ConnectionClosed, TimeoutError):
            pass
        return got, ws.close_code


def _open(conversation: str | None = None, fmt: str = "PCMU") -> tuple:
    media = [audiohook_media(fmt)] if fmt else []
    params = audiohook_open_parameters(
        organization_id=ORG,
        conversation_id=conversation or str(uuid.uuid4()),
        agent_id="a2",
        media=media,
    )
    return ("text", "open", params, None)


BAD_AUDIOHOOK = {
    "out_of_order_seq": ([_open(), ("text", "ping", {}, 5)], "error", "seq"),
    "unknown_type": ([_open(), ("text", "dance", {}, None)], "error", "'dance'"),
    "second_open": ([_open(), _open()], "error", "second open"),
    "media_before_open": ([("bytes", b"\xff" * 160)], "error", "before the open"),
    "odd_sized_frame": ([_open(), ("bytes", b"\xff" * 161)], "error", "multiple of 2"),
    "unsupported_format": ([_open(fmt="opus")], "error", "PCMU or L16"),
    "gap_too_large": (
        [_open(), ("text", "discarded", {"start": "PT0S", "discarded": "PT90000S"}, None)],
        "error",
        "over the 3600 s",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_AUDIOHOOK))
def test_audiohook_bad_input_is_disconnected(
    server: ServerProcess, store: Store, case: str
) -> None:
    script, reason, needle = BAD_AUDIOHOOK[case]
    if case == "unsupported_format":
        script[0][2]["media"] = [
            {"type": "audio", "format": "opus", "channels": ["external"], "rate": 48000}
        ]
    got, code = asyncio.run(_audiohook_exchange(server, script))
    disconnect = next(m for m in got if m["type"] == "disconnect")
    assert disconnect["parameters"]["reason"] == reason
    assert needle in disconnect["parameters"]["info"], disconnect
    assert got[-1]["type"] == "closed", got
    assert code == 1000
    assert "audiohook session" in server.log()  # a clear log line names the session


def _with_authority(
    server: ServerProcess,
    created: int | None = None,
    nonce: str | None = None,
    secret: bytes = SECRET,
) -> tuple[str, dict[str, str]]:
    sid = str(uuid.uuid4())
    headers = audiohook_headers(
        server.ws + "/v1/audiohook",
        api_key=API_KEY,
        client_secret=secret,
        session_id=sid,
        organization_id=ORG,
        created=created,
        nonce=nonce,
    )
    return sid, headers


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "replayed", "unsigned"])
def test_audiohook_signature_failures_are_unauthorized(server: ServerProcess, case: str) -> None:
    if case == "wrong_secret":
        sid, headers = _with_authority(server, secret=b"not-the-secret")
    elif case == "stale":
        sid, headers = _with_authority(server, created=int(time.time()) - 120)
    elif case == "unsigned":
        sid, headers = _with_authority(server)
        del headers["signature"], headers["signature-input"]
    else:
        sid, headers = _with_authority(server)
        ok, _ = asyncio.run(
            _audiohook_exchange(server, [_open(NULL_UUID)], headers=headers, session_id=sid)
        )
        assert ok[0]["type"] == "opened", ok  # the first use of the signature is fine
    got, code = asyncio.run(_audiohook_exchange(server, [_open()], headers=headers, session_id=sid))
    disconnect = next(m for m in got if m["type"] == "disconnect")
    assert disconnect["parameters"]["reason"] == "unauthorized", disconnect
    needle = {
        "wrong_secret": "mismatch",
        "stale": "stale",
        "replayed": "replayed",
        "unsigned": "not signed",
    }[case]
    assert needle in disconnect["parameters"]["info"]
    assert got[-1]["type"] == "closed" and code == 1000


def test_audiohook_reconnect_with_a_new_session_id(
    server: ServerProcess, store: Store, call_8k: np.ndarray
) -> None:
    """Genesys reconnects a dropped session under a new session id for the same conversation:
    the dropped one is interrupted (what was analysed is kept), the new one is its own call."""
    from websockets.asyncio.client import connect

    conversation = str(uuid.uuid4())
    sid1 = str(uuid.uuid4())

    async def dropped() -> None:
        url = server.ws + "/v1/audiohook"
        hdrs = audiohook_headers(
            url, api_key=API_KEY, client_secret=SECRET, session_id=sid1, organization_id=ORG
        )
        async with connect(url, additional_headers=hdrs) as ws:
            client = AudioHookClient(ws, sid1)
            await client.send("open", _open(conversation)[2])
            assert (await client.recv())["type"] == "opened"
            from calltone.service.live.protocols.codec import mulaw_encode

            for i in range(0, 8000 * 3, 800):
                await ws.send(mulaw_encode(call_8k[i : i + 800][:, ::-1].reshape(-1)))
            ws.transport.abort()  # the network drops: no close

    asyncio.run(dropped())
    second = asyncio.run(
        replay_audiohook(
            call_8k[: 8000 * 5],
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id="a2",
            organization_id=ORG,
            conversation_id=conversation,
            speed=0,
        )
    )
    assert [m["type"] for m in second.messages] == ["opened", "closed"]
    first_id = f"ah-{conversation}-{sid1}"
    assert wait_ended(store, first_id) == "interrupted"
    assert second.call_id is not None
    assert wait_ended(store, second.call_id) == "ended"


# -- Twilio ---------------------------------------------------------------------------------------


def test_twilio_full_session_matches_own_protocol(
    server: ServerProcess, admin: str, store: Store, call_8k: np.ndarray
) -> None:
    """Twilio sends nothing for a silent track: the agent's track is silent for 4 s here (and
    its chunks are left out), so the server must fill the gap to keep the tracks aligned."""
    audio = call_8k.copy()
    audio[2 * 8000 : 6 * 8000, 0] = 0
    want = reference(server, admin, store, audio)
    assert "de_escalate" in [k for k, _ in want]
    result = asyncio.run(
        replay_twilio(
            audio,
            server=server.ws,
            auth_token=TWILIO_TOKEN,
            agent_id="a1",
            stream_key=STREAM_KEY,
            speed=0,
            skip_silent_chunks=True,
        )
    )
    assert result.close_code == 1000, (result.close_code, result.close_reason)
    assert result.sent_frames <= 2 * -(-audio.shape[0] // 160) - 200, "silent chunks were sent"
    assert result.call_id is not None
    assert wait_ended(store, result.call_id) == "ended"
    call = store.get_call(result.call_id)
    assert call.meta["source"]["protocol"] == "twilio"
    assert abs((call.summary or {})["duration_s"] - audio.shape[0] / 8000) < 0.05
    assert_same_alerts(alerts_of(store, result.call_id), want)


def test_twilio_agent_track_is_swappable_per_stream(
    server: ServerProcess, store: Store, call_8k: np.ndarray, reference_alerts: list
) -> None:
    # the agent is on the inbound track here (e.g. an outbound dialler): columns swapped and
    # <Parameter name="agent_track" value="inbound"/> must give the very same alerts
    swapped = np.ascontiguousarray(call_8k[:, ::-1])
    result = asyncio.run(
        replay_twilio(
            swapped,
            server=server.ws,
            auth_token=TWILIO_TOKEN,
            agent_id="a1",
            stream_key=STREAM_KEY,
            agent_track="inbound",
            speed=0,
        )
    )
    assert result.close_code == 1000, result.close_reason
    assert result.call_id is not None
    assert_same_alerts(alerts_of(store, result.call_id), reference_alerts)


def _twilio_msgs(*items: tuple[str, dict[str, Any]], start_seq: int = 1) -> list[str]:
    out = [json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})]
    for i, (event, body) in enumerate(items):
        out.append(json.dumps({"event": event, "sequenceNumber": str(start_seq + i), **body}))
    return out


def _start(fmt: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return (
        "start",
        {
            "start": {
                "streamSid": "MZ" + uuid.uuid4().hex,
                "callSid": "CA" + uuid.uuid4().hex,
                "tracks": ["inbound", "outbound"],
                "customParameters": {"agent_id": "a3", "calltone_key": STREAM_KEY},
                "mediaFormat": fmt
                or {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            }
        },
    )


_MEDIA = (
    "media",
    {
        "media": {
            "track": "inbound",
            "chunk": "1",
            "timestamp": "0",
            "payload": base64.b64encode(b"\xff" * 160).decode(),
        }
    },
)

_FAR = (
    "media",
    {
        "media": {
            "track": "outbound",
            "chunk": "2",
            "timestamp": "99999999",
            "payload": base64.b64encode(b"\xff" * 160).decode(),
        }
    },
)

BAD_TWILIO = {
    "timestamp_jump": (_twilio_msgs(_start(), _MEDIA, _FAR), 1007, "jumps"),
    "out_of_order_seq": (
        [
            *_twilio_msgs(_start(), _MEDIA)[:2],
            json.dumps({"event": "media", "sequenceNumber": "7", **_MEDIA[1]}),
        ],
        1008,
        "out-of-order",
    ),
    "unknown_event": (_twilio_msgs(_start(), ("dance", {})), 1003, "unknown event"),
    "media_before_start": (_twilio_msgs(_MEDIA), 1008, "before start"),
    "second_start": (_twilio_msgs(_start(), _start()), 1008, "second start"),
    "unsupported_format": (
        _twilio_msgs(_start({"encoding": "audio/l16", "sampleRate": 16000, "channels": 1})),
        1003,
        "not supported",
    ),
    "bad_payload": (
        _twilio_msgs(
            _start(), ("media", {"media": {"track": "inbound", "timestamp": "0", "payload": "***"}})
        ),
        1007,
        "base64",
    ),
    "wrong_stream_key": (
        [
            json.dumps(
                {
                    "event": "start",
                    "sequenceNumber": "1",
                    "start": {
                        **_start()[1]["start"],
                        "customParameters": {"agent_id": "a3", "calltone_key": "nope"},
                    },
                }
            )
        ],
        1008,
        "calltone_key",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TWILIO))
def test_twilio_bad_input_closes_the_stream(server: ServerProcess, case: str) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    messages, want_code, needle = BAD_TWILIO[case]
    url = server.ws + "/v1/twilio"

    async def run() -> tuple[int | None, str | None]:
        headers = {"X-Twilio-Signature": twilio_signature(url, TWILIO_TOKEN)}
        async with connect(url, additional_headers=headers) as ws:
            try:
                for m in messages:
                    await ws.send(m)
                await asyncio.wait_for(ws.wait_closed(), 10)
            except ConnectionClosed:
                pass
            return ws.close_code, ws.close_reason

    code, reason = asyncio.run(run())
    assert code == want_code, (code, reason)
    assert reason is not None and needle in reason, reason
    assert "twilio stream" in server.log()


@pytest.mark.parametrize("signature", ["wrong", "missing"])
def test_twilio_bad_signature_is_refused_at_the_upgrade(
    server: ServerProcess, call_8k: np.ndarray, signature: str
) -> None:
    result = asyncio.run(
        replay_twilio(
            call_8k[:800],
            server=server.ws,
            auth_token="not-the-token" if signature == "wrong" else None,
            agent_id="a1",
            stream_key=STREAM_KEY,
        )
    )
    assert result.refused_status == 403
    assert result.call_id is not None


# -- FreeSWITCH fork ------------------------------------------------------------------------------


def test_fork_stereo_session_matches_own_protocol(
    server: ServerProcess, store: Store, call_8k: np.ndarray, reference_alerts: list
) -> None:
    # forked on the caller's leg: channel 0 = the customer's voice, 1 = what they hear (agent)
    result = asyncio.run(
        replay_fork(call_8k, server=server.ws, key=FORK_KEY, agent_id="a1", leg="customer", speed=0)
    )
    assert result.refused_status is None and result.messages == [], result.messages
    assert result.call_id is not None
    assert wait_ended(store, result.call_id) == "ended"
    assert store.get_call(result.call_id).meta["agent_channel"] == 1
    assert_same_alerts(alerts_of(store, result.call_id), reference_alerts)


def test_fork_mixed_is_separated_live_and_raises_the_customers_alerts(
    server: ServerProcess, store: Store, call_8k: np.ndarray, reference_alerts: list
) -> None:
    # both parties summed into one channel (mod_audio_fork's "mixed"): separated live, the
    # customer's yelling is still the customer's (de_escalate, no calm_down), ~2 s later at most
    result = asyncio.run(
        replay_fork(call_8k, server=server.ws, key=FORK_KEY, agent_id="a1", mix="mixed", speed=0)
    )
    assert result.refused_status is None and result.messages == [], result.messages
    assert result.call_id is not None
    assert wait_ended(store, result.call_id) == "ended"
    meta = store.get_call(result.call_id).meta
    assert meta["channels"] == 1 and meta["separate"] is True
    assert_same_alerts(alerts_of(store, result.call_id), reference_alerts)
    events = store.list_events(result.call_id)
    assert {e.speaker for e in events if e.kind == "yelling"} == {"customer"}


BAD_FORK = {
    "audio_before_metadata": ({}, [b"\x00" * 320], 1008, "missing_start"),
    "odd_sized_frame": (
        {},
        [json.dumps({"uuid": "u1", "agent_id": "a4"}), b"\x00" * 321],
        1007,
        "bad_frame",
    ),
    "unsupported_rate": (
        {"sample_rate": "44100"},
        [json.dumps({"uuid": "u2", "agent_id": "a4"})],
        1003,
        "unsupported_format",
    ),
    "second_text": (
        {},
        [json.dumps({"uuid": "u3", "agent_id": "a4"}), "{}"],
        1008,
        "already_started",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FORK))
def test_fork_bad_input_gets_an_error_and_a_close(server: ServerProcess, case: str) -> None:
    from urllib.parse import urlencode

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    query, frames, want_code, want = BAD_FORK[case]
    url = server.ws + "/v1/fork?" + urlencode({"token": FORK_KEY, **query})

    async def run() -> tuple[list[dict[str, Any]], int | None]:
        got: list[dict[str, Any]] = []
        async with connect(url) as ws:
            try:
                for f in frames:
                    await ws.send(f)
                while True:
                    raw = await asyncio.wait_for(ws.recv(), 10)
                    got.append(json.loads(raw))
            except (ConnectionClosed, TimeoutError):
                pass
            return got, ws.close_code

    got, code = asyncio.run(run())
    assert code == want_code, (code, got)
    assert got and got[0]["type"] == "error" and got[0]["data"]["code"] == want, got


@pytest.mark.parametrize("key", ["wrong", None])
def test_fork_without_a_known_key_is_refused(
    server: ServerProcess, call_8k: np.ndarray, key: str | None
) -> None:
    result = asyncio.run(
        replay_fork(
            call_8k[:800], server=server.ws, key="not-a-key" if key else None, agent_id="a1"
        )
    )
    assert result.refused_status == 403


def test_secrets_never_reach_the_log(server: ServerProcess) -> None:
    log = server.log()
    for secret in (base64.b64encode(SECRET).decode(), TWILIO_TOKEN, STREAM_KEY, FORK_KEY):
        assert secret not in log


def test_server_still_serves_its_own_protocol(
    server: ServerProcess, admin: str, store: Store, call_8k: np.ndarray
) -> None:
    alerts = reference(server, admin, store, call_8k[: 8000 * 3])
    assert alerts == [] or all(isinstance(t, float) for _, t in alerts)
    assert Path(server.workdir).exists()


@pytest.mark.parametrize("protocol", ["audiohook", "fork"])
def test_cli_replay_streams_as_the_platform(
    server: ServerProcess, admin: str, protocol: str
) -> None:
    """``calltone replay --protocol`` lets a site test its set-up without the platform."""
    import subprocess
    import sys

    from tests.support.service import SAMPLES

    extra = (
        ["--api-key", API_KEY, "--client-secret", base64.b64encode(SECRET).decode()]
        if protocol == "audiohook"
        else ["--fork-key", FORK_KEY]
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "calltone.service.cli",
            "replay",
            str(SAMPLES / "escalation_call" / "call.wav"),
            "--protocol",
            protocol,
            "--agent",
            "a5",
            "--server",
            server.ws,
            "--token",
            admin,
            "--speed",
            "0",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{protocol}: call " in out.stdout
    assert "alert de_escalate at " in out.stdout, out.stdout


def test_fork_basic_auth_and_mono(server: ServerProcess, store: Store, call_8k: np.ndarray) -> None:
    """HTTP Basic auth (user = the source name) and a mono fork of the customer's voice."""
    from websockets.asyncio.client import connect

    call_uuid = str(uuid.uuid4())
    auth = base64.b64encode(f"pbx1:{FORK_KEY}".encode()).decode()

    async def run() -> int | None:
        url = server.ws + "/v1/fork?sample_rate=8000&mix=mono"
        async with connect(url, additional_headers={"Authorization": f"Basic {auth}"}) as ws:
            await ws.send(json.dumps({"uuid": call_uuid, "agent_id": "a6"}))
            for i in range(0, 8000 * 2, 160):
                await ws.send(np.ascontiguousarray(call_8k[i : i + 160, 1]).astype("<i2").tobytes())
        return ws.close_code

    assert asyncio.run(run()) == 1000
    call_id = f"fork-{call_uuid}"
    assert wait_ended(store, call_id) == "ended"
    call = store.get_call(call_id)
    assert call.meta["channels"] == 1 and call.meta["agent_channel"] is None  # the customer
    assert call.meta["source"]["source"] == "pbx1"


def test_audiohook_long_pause_keeps_the_call(
    server: ServerProcess, store: Store, call_8k: np.ndarray
) -> None:
    """On hold, Genesys sends no audio, only pings, for as long as the hold lasts: the call
    must survive a pause longer than the runner's idle timeout and end normally."""
    from websockets.asyncio.client import connect

    from calltone.service.live.protocols.codec import format_duration, mulaw_encode

    sid = str(uuid.uuid4())
    conversation = str(uuid.uuid4())
    url = server.ws + "/v1/audiohook"
    pause_s = IDLE_S + 1.5

    async def run() -> list[str]:
        hdrs = audiohook_headers(
            url, api_key=API_KEY, client_secret=SECRET, session_id=sid, organization_id=ORG
        )
        seen = []
        async with connect(url, additional_headers=hdrs) as ws:
            client = AudioHookClient(ws, sid)
            await client.send("open", _open(conversation)[2])
            seen.append((await client.recv())["type"])
            audio = mulaw_encode(call_8k[:8000, ::-1].reshape(-1))
            for i in range(0, len(audio), 1600):
                await ws.send(audio[i : i + 1600])
            client.position_s = 1.0
            await client.send("paused", {})
            t0 = time.monotonic()
            while time.monotonic() - t0 < pause_s:
                await asyncio.sleep(1.0)
                await client.send("ping", {})
                seen.append((await client.recv())["type"])
            await client.send("resumed", {"start": "PT1S", "discarded": format_duration(pause_s)})
            for i in range(0, len(audio), 1600):
                await ws.send(audio[i : i + 1600])
            client.position_s = 2.0
            await client.send("close", {"reason": "end"})
            seen.append((await client.recv())["type"])
        return seen

    seen = asyncio.run(run())
    assert seen[0] == "opened" and seen[-1] == "closed" and "pong" in seen, seen
    call_id = f"ah-{conversation}-{sid}"
    assert wait_ended(store, call_id) == "ended"
    duration_s = (store.get_call(call_id).summary or {})["duration_s"]
    assert abs(duration_s - (2.0 + pause_s)) < 0.05, duration_s


def test_twilio_silence_longer_than_the_idle_timeout_keeps_the_call(
    server: ServerProcess, store: Store, call_8k: np.ndarray
) -> None:
    """Twilio sends nothing while both tracks are silent: the connection is alive, so the call
    must not end when the runner's audio idle timeout passes; the silence is on its timeline."""
    from websockets.asyncio.client import connect

    from calltone.service.live.protocols.codec import mulaw_encode

    url = server.ws + "/v1/twilio"
    start = _start()
    call_id = f"tw-{start[1]['start']['callSid']}-{start[1]['start']['streamSid']}"
    quiet_s = IDLE_S + 2.0

    def media(seq: int, track: str, t_ms: int, col: int) -> str:
        part = call_8k[t_ms * 8 : t_ms * 8 + 160, col]
        body = {
            "track": track,
            "timestamp": str(t_ms),
            "payload": base64.b64encode(mulaw_encode(part)).decode(),
        }
        return json.dumps({"event": "media", "sequenceNumber": str(seq), "media": body})

    async def run() -> int | None:
        headers = {"X-Twilio-Signature": twilio_signature(url, TWILIO_TOKEN)}
        async with connect(url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", **start[1]}))
            seq = 1
            for t_ms in range(0, 1000, 20):
                for track, col in (("inbound", 1), ("outbound", 0)):
                    seq += 1
                    await ws.send(media(seq, track, t_ms, col))
            await asyncio.sleep(quiet_s)  # both tracks silent: Twilio sends nothing
            resume_ms = int((1.0 + quiet_s) * 1000)
            for t_ms in range(resume_ms, resume_ms + 1000, 20):
                for track, col in (("inbound", 1), ("outbound", 0)):
                    seq += 1
                    await ws.send(media(seq, track, t_ms, col))
            await ws.send(json.dumps({"event": "stop", "sequenceNumber": str(seq + 1), "stop": {}}))
            await asyncio.wait_for(ws.wait_closed(), 30)
        return ws.close_code

    assert asyncio.run(run()) == 1000
    assert wait_ended(store, call_id) == "ended"
    duration_s = (store.get_call(call_id).summary or {})["duration_s"]
    assert abs(duration_s - (2.0 + quiet_s)) < 0.05, duration_s


def test_a_bad_session_leaves_a_concurrent_call_alone(
    server: ServerProcess, store: Store, call_8k: np.ndarray, reference_alerts: list
) -> None:
    async def both() -> tuple[Any, Any]:
        good = replay_audiohook(
            call_8k,
            server=server.ws,
            api_key=API_KEY,
            client_secret=SECRET,
            agent_id="a1",
            organization_id=ORG,
            speed=0,
        )
        bad = _audiohook_exchange(server, [_open(), ("bytes", b"\xff" * 161)])
        return await asyncio.gather(good, bad)

    good, (bad_msgs, _) = asyncio.run(both())
    assert any(m["type"] == "disconnect" for m in bad_msgs)
    assert [m["type"] for m in good.messages] == ["opened", "closed"]
    assert_same_alerts(alerts_of(store, good.call_id), reference_alerts)
