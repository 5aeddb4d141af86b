"""Uploading a mono recording with ``separate=true`` (issue 20) over a real server.

A trainer uploads the escalation sample summed to one channel; the background worker diarizes
it into agent and customer, so the scorecard says ``call.mode = "separated"`` and the yelling is
the customer's. Bad ``separate`` / ``agent_speaker`` values are refused with the accepted ones.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from calltone.audio.decode import load_audio
from tests.support.service import SAMPLES, LiveServer, running_server

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("separate") / "calltone.db"
    with running_server(f"sqlite:///{db}", transcribe=False) as srv:
        srv.user("trainer1", "trainer")
        yield srv


def _mono_mix() -> bytes:
    buf = io.BytesIO()
    two = load_audio(SAMPLES / "escalation_call" / "call.wav").samples
    sf.write(buf, two.sum(axis=0), 16_000, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _upload(srv: LiveServer, data: bytes, **fields: str) -> httpx.Response:
    return httpx.post(
        srv.http + "/v1/recordings",
        headers={"Authorization": f"Bearer {srv.tokens['trainer1']}"},
        files={"file": ("mono_mix.wav", data, "application/octet-stream")},
        data=fields,
        timeout=60,
    )


def _wait(srv: LiveServer, job_id: str, timeout_s: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = srv.get(f"/v1/recordings/{job_id}", srv.tokens["trainer1"]).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout_s} s"
        time.sleep(0.5)


def test_mono_upload_with_separate_scores_both_parties(server: LiveServer) -> None:
    r = _upload(server, _mono_mix(), separate="true", agent_speaker="first", agent_id="a1")
    assert r.status_code == 202, r.text
    done = _wait(server, r.json()["job_id"])
    assert done["status"] == "done", done
    card = server.get(f"/v1/scorecards/{done['job_id']}", server.tokens["trainer1"]).json()
    assert card["call"]["mode"] == "separated"
    assert card["call"]["separation"]["role_decided_by"] == "option_first"
    assert card["call"]["roles"] == {"agent": 0, "customer": 1}
    yelling = [
        e for c in card["criteria"] for e in c.get("evidence", []) if e.get("kind") == "yelling"
    ]
    assert yelling and all(e["speaker"] == "customer" for e in yelling), yelling


def test_mono_upload_without_separate_says_mono(server: LiveServer) -> None:
    r = _upload(server, _mono_mix())
    assert r.status_code == 202, r.text
    done = _wait(server, r.json()["job_id"])
    card = server.get(f"/v1/scorecards/{done['job_id']}", server.tokens["trainer1"]).json()
    assert card["call"]["mode"] == "mono" and "separation" not in card["call"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"separate": "maybe"}, "separate must be true or false"),
        ({"separate": "true", "agent_speaker": "third"}, "first, second or auto"),
    ],
)
def test_bad_separation_fields_are_refused(
    server: LiveServer, fields: dict[str, str], message: str
) -> None:
    r = _upload(server, Path(SAMPLES / "calm_call" / "call.wav").read_bytes(), **fields)
    assert r.status_code == 422 and message in r.json()["detail"], r.text
