"""Agent voice profiles in the live service, against a real server (uvicorn, SQLite, sockets).

A call stores the agent's profile at its end; the agent's next call starts from it (its summary
says so and its agent baseline is ``from_profile``); a call with too little of the agent's
speech, or without an agent channel, leaves it as it was; the REST endpoint shows it to the agent
themself, supervisors and admins and to no other agent; a supervisor's reset forgets it.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from calltone.audio.pcm import encode_pcm_s16le
from calltone.models.tone.baseline import PITCH_REF_HZ
from calltone.models.tone.profile import VoiceProfile
from calltone.service.clients.replay import ReplayResult, replay_samples
from tests.support.service import LiveServer, running_server, socket_exchange
from tests.support.synth import SR, silence, voiced

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def two_party_call(
    agent_f0_hz: float, agent_turns: int, *, agent_turn_s: float = 3.0
) -> np.ndarray:
    """Agent turns of ``agent_turn_s`` s (voiced at ``agent_f0_hz``) answered by 1.5 s customer
    turns at 220 Hz, with short pauses; one party per channel."""
    agent: list[np.ndarray] = [silence(0.5)]
    customer: list[np.ndarray] = [silence(0.5)]
    for k in range(agent_turns):
        a = voiced(agent_f0_hz, agent_turn_s, -24.0, seed=k)
        c = voiced(220.0, 1.5, -22.0, seed=100 + k)
        agent += [a, silence(0.3), silence(1.5), silence(0.3)]
        customer += [silence(a.size / SR), silence(0.3), c, silence(0.3)]
    x = np.stack([np.concatenate(agent), np.concatenate(customer)])
    return x.astype(np.float32)


def st_to_hz(st: float) -> float:
    return PITCH_REF_HZ * 2 ** (st / 12.0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("profiles") / "calltone.db"
    with running_server(f"sqlite:///{db}") as srv:
        for name, role in (
            ("a1", "agent"),
            ("a2", "agent"),
            ("a3", "agent"),
            ("boss", "supervisor"),
            ("root", "admin"),
            ("tess", "trainer"),
        ):
            srv.user(name, role)
        yield srv


def replay(srv: LiveServer, x: np.ndarray, agent: str, call_id: str) -> ReplayResult:
    result = asyncio.run(
        replay_samples(
            x, server=srv.ws, agent_id=agent, token=srv.tokens[agent], call_id=call_id, speed=0
        )
    )
    assert result.error is None and result.summary is not None, result.error
    return result


def delete(srv: LiveServer, path: str, token: str) -> httpx.Response:
    return httpx.delete(srv.http + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def profile_of(srv: LiveServer, agent: str, as_user: str | None = None) -> dict[str, Any]:
    r = srv.get(f"/v1/agents/{agent}/profile", srv.tokens[as_user or agent])
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_a_call_stores_the_profile_and_the_next_call_starts_from_it(server: LiveServer) -> None:
    assert server.get("/v1/agents/a1/profile", server.tokens["a1"]).status_code == 404

    first = replay(server, two_party_call(130.0, 6), "a1", "prof-1")
    vp = first.summary["voice_profile"]  # type: ignore[index]
    assert vp == {"enabled": True, "from_profile": False, "saved": True, "calls": 1}
    base1 = first.summary["metrics"]["agent"]["baseline"]  # type: ignore[index]
    assert base1["from_profile"] is False

    stored = profile_of(server, "a1")
    assert stored["schema"] == "calltone.voice_profile/1" and stored["agent_id"] == "a1"
    assert stored["calls"] == 1 and stored["voiced_s"] >= 10.0
    assert abs(st_to_hz(stored["baseline"]["pitch_st"]) - 130.0) < 130.0 * 0.06
    VoiceProfile.from_dict(stored)  # what the endpoint gives is a usable profile file

    # The next call starts from it: its agent baseline is the profile before the agent speaks.
    second = replay(server, two_party_call(150.0, 6), "a1", "prof-2")
    vp2 = second.summary["voice_profile"]  # type: ignore[index]
    assert vp2 == {"enabled": True, "from_profile": True, "saved": True, "calls": 2}
    base2 = second.summary["metrics"]["agent"]["baseline"]  # type: ignore[index]
    assert base2["from_profile"] is True and base2["own_voiced_s"] >= 10.0
    merged = profile_of(server, "a1")
    assert merged["calls"] == 2
    assert merged["voiced_s"] == pytest.approx(stored["voiced_s"] + base2["own_voiced_s"], abs=0.5)
    merged_hz = st_to_hz(merged["baseline"]["pitch_st"])
    assert 130.0 < merged_hz < 150.0, merged_hz  # between the two calls' voices
    # the call's own record keeps the summary (what supervisors see afterwards)
    call = server.get("/v1/calls/prof-2", server.tokens["boss"]).json()["call"]
    assert call["summary"]["voice_profile"]["from_profile"] is True


def test_too_little_agent_speech_leaves_the_stored_profile_unchanged(server: LiveServer) -> None:
    replay(server, two_party_call(140.0, 6), "a2", "short-0")
    before = profile_of(server, "a2")
    # 2 x 2.5 s of the agent's voice: not enough to learn a voice from
    short = replay(server, two_party_call(200.0, 2, agent_turn_s=2.5), "a2", "short-1")
    vp = short.summary["voice_profile"]  # type: ignore[index]
    assert vp == {"enabled": True, "from_profile": True, "saved": False, "calls": None}
    assert profile_of(server, "a2") == before


def test_a_call_without_an_agent_channel_never_touches_the_profile(server: LiveServer) -> None:
    replay(server, two_party_call(140.0, 6), "a3", "mono-0")
    before = profile_of(server, "a3")
    x = voiced(260.0, 15.0, -22.0)
    frames: list[str | bytes] = [
        json.dumps(
            {
                "type": "start",
                "agent_id": "a3",
                "sample_rate": SR,
                "channels": 1,
                "encoding": "pcm_s16le",
                "mono_role": "customer",
            }
        )
    ]
    step = SR // 50
    frames += [encode_pcm_s16le(x[None, i : i + step]) for i in range(0, x.size, step)]
    frames.append(json.dumps({"type": "stop"}))
    replies, _ = asyncio.run(
        socket_exchange(
            server.url("/v1/calls/mono-1/audio", server.tokens["a3"]), frames, timeout_s=30
        )
    )
    summary = next(m for m in replies if m.get("type") == "summary")
    assert summary["voice_profile"]["from_profile"] is False  # no agent to start
    assert summary["voice_profile"]["saved"] is False
    assert profile_of(server, "a3") == before


def test_who_may_read_and_reset_a_profile(server: LiveServer) -> None:
    replay(server, two_party_call(140.0, 6), "a1", "access-0")
    assert profile_of(server, "a1", as_user="boss")["agent_id"] == "a1"
    assert profile_of(server, "a1", as_user="root")["agent_id"] == "a1"
    other = server.get("/v1/agents/a1/profile", server.tokens["a2"])
    assert other.status_code == 403 and "only their own" in other.json()["detail"]
    assert server.get("/v1/agents/a1/profile", server.tokens["tess"]).status_code == 403
    # an agent cannot reset profiles, not even their own; a supervisor can
    for who in ("a1", "a2", "tess"):
        r = delete(server, "/v1/agents/a1/profile", server.tokens[who])
        assert r.status_code == 403, (who, r.status_code)
    assert delete(server, "/v1/agents/a1/profile", server.tokens["boss"]).status_code == 204
    assert server.get("/v1/agents/a1/profile", server.tokens["a1"]).status_code == 404
    gone = delete(server, "/v1/agents/a1/profile", server.tokens["root"])
    assert gone.status_code == 404 and "no voice profile" in gone.json()["detail"]
    # after a reset the next call starts afresh and learns a new one
    again = replay(server, two_party_call(140.0, 6), "a1", "access-1")
    assert again.summary["voice_profile"]["from_profile"] is False  # type: ignore[index]
    assert profile_of(server, "a1")["calls"] == 1
    assert math.isfinite(profile_of(server, "a1")["baseline"]["pitch_st"])


def test_profiles_off_neither_load_nor_store(tmp_path: Any) -> None:
    with running_server(f"sqlite:///{tmp_path / 'off.db'}", voice_profiles=False) as srv:
        srv.user("a1", "agent")
        srv.store.save_agent_profile(
            "a1",
            {
                "schema": "calltone.voice_profile/1",
                "agent_id": "a1",
                "calls": 3,
                "voiced_s": 90.0,
                "updated_at": "",
                "baseline": VoiceProfile.from_dict(
                    {
                        "schema": "calltone.voice_profile/1",
                        "agent_id": "a1",
                        "baseline": {
                            "loudness_dbfs": -24.0,
                            "pitch_st": 5.0,
                            "pitch_spread_st": 2.0,
                            "syllable_rate_per_s": 4.0,
                            "tilt_db": -10.0,
                            "voiced_s": 90.0,
                            "hnr_db": 15.0,
                            "loudness_spread_db": 4.0,
                        },
                    }
                ).to_dict()["baseline"],
            },
        )
        before = srv.store.get_agent_profile("a1")
        result = replay(srv, two_party_call(140.0, 6), "a1", "off-1")
        assert result.summary["voice_profile"] == {  # type: ignore[index]
            "enabled": False,
            "from_profile": False,
            "saved": False,
            "calls": None,
        }
        assert result.summary["metrics"]["agent"]["baseline"]["from_profile"] is False  # type: ignore[index]
        assert srv.store.get_agent_profile("a1") == before


def test_a_platform_adapter_call_stores_and_uses_the_profile(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FreeSWITCH fork (8 kHz, mu-law on the network) goes through the same call runner: the
    agent's profile is stored from the agent's channel and the next fork call starts from it."""
    from calltone.service.clients.platforms import replay_fork, telephone_audio

    monkeypatch.setenv("CALLTONE_FORK_ALLOW_UNAUTHENTICATED", "true")
    with running_server(f"sqlite:///{tmp_path / 'fork.db'}") as srv:
        audio = telephone_audio(two_party_call(130.0, 6))
        for k in (1, 2):
            result = asyncio.run(
                replay_fork(audio, server=srv.ws, key=None, agent_id="a5", speed=0)
            )
            assert result.refused_status is None, result
            call = None
            for _ in range(300):  # the runner finishes the call just after the fork closes
                call = srv.store.get_call(result.call_id)  # type: ignore[arg-type]
                if call.state != "live" and call.summary is not None:
                    break
                time.sleep(0.1)
            assert call is not None and call.summary is not None
            vp = call.summary["voice_profile"]
            assert vp["from_profile"] is (k == 2) and vp["saved"] is True and vp["calls"] == k
        record = srv.store.get_agent_profile("a5")
        assert record is not None and record.calls == 2
        assert abs(st_to_hz(record.profile["baseline"]["pitch_st"]) - 130.0) < 130.0 * 0.06
