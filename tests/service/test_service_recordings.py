"""Recording uploads and scorecards over a real server (uvicorn on loopback, real worker processes).

A trainer uploads a sample call, polls the job until the background worker has scored it, and
reads the scorecard JSON, the HTML report and the per-agent list; agents see only their own;
oversized, unsupported and corrupt uploads are refused with a message naming the fix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.service import SAMPLES, LiveServer, expected, running_server

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
LIMIT_BYTES = 4_000_000  # the samples are under 3 MB


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("recordings") / "calltone.db"
    with running_server(f"sqlite:///{db}", transcribe=True, max_upload_bytes=LIMIT_BYTES) as srv:
        srv.user("trainer1", "trainer")
        srv.user("a1", "agent")
        srv.user("a2", "agent")
        srv.user("boss", "supervisor")
        yield srv


def _upload(srv: LiveServer, token: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    return httpx.post(
        srv.http + "/v1/recordings",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, data, "application/octet-stream")},
        data=fields,
        timeout=60,
    )


def _wait(srv: LiveServer, token: str, job_id: str, timeout_s: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = srv.get(f"/v1/recordings/{job_id}", token).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout_s} s"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def scored_job(server: LiveServer) -> dict[str, Any]:
    wav = (SAMPLES / "interrupting_agent_call" / "call.wav").read_bytes()
    r = _upload(server, server.tokens["trainer1"], "interrupting.wav", wav, agent_id="a1")
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()
    assert job["status"] == "queued" and job["agent_id"] == "a1"
    early = server.get(f"/v1/scorecards/{job['job_id']}", server.tokens["trainer1"])
    if early.status_code != 200:  # normally still queued or running
        assert early.status_code == 409 and "poll GET /v1/recordings/" in early.json()["detail"]
    done = _wait(server, server.tokens["trainer1"], job["job_id"])
    assert done["status"] == "done", done
    return done


def test_uploaded_call_is_scored_in_the_background(
    server: LiveServer, scored_job: dict[str, Any]
) -> None:
    job_id = scored_job["job_id"]
    assert scored_job["overall_score"] is not None
    card = server.get(f"/v1/scorecards/{job_id}", server.tokens["trainer1"]).json()
    assert card["schema"] == "calltone.scorecard/1"
    assert card["call"]["path"] == "interrupting.wav" and card["call"]["agent_id"] == "a1"
    assert card["call"]["transcribed"] is True
    al = next(c for c in card["criteria"] if c["id"] == "active_listening")
    assert al["score"] <= 40
    cut_ins = [e for e in al["evidence"] if e["kind"] == "interruption"]
    first = expected("interrupting_agent_call")["events"][0]
    assert abs(cut_ins[0]["start_s"] - first["start_s"]) <= first["tolerance_s"]


def test_html_report_is_served_with_a_strict_content_security_policy(
    server: LiveServer, scored_job: dict[str, Any]
) -> None:
    # a browser link carries the token in the query
    r = httpx.get(
        server.http + f"/v1/scorecards/{scored_job['job_id']}/html",
        params={"token": server.tokens["trainer1"]},
        timeout=30,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "<svg" in r.text and "Active listening" in r.text


def test_scorecards_are_listed_per_agent_and_agents_see_only_their_own(
    server: LiveServer, scored_job: dict[str, Any]
) -> None:
    job_id = scored_job["job_id"]
    listed = server.get("/v1/scorecards", server.tokens["boss"], agent_id="a1").json()
    assert job_id in [j["job_id"] for j in listed]
    assert server.get("/v1/scorecards", server.tokens["trainer1"], agent_id="a2").json() == []
    own = server.get("/v1/scorecards", server.tokens["a1"]).json()
    assert [j["job_id"] for j in own] == [job_id]
    assert server.get(f"/v1/scorecards/{job_id}", server.tokens["a1"]).status_code == 200
    other = server.get(f"/v1/scorecards/{job_id}", server.tokens["a2"])
    # 404 worded as for a missing job: a refusal must not confirm the id exists (issue 15)
    assert other.status_code == 404 and other.json()["detail"].startswith("no scorecard job")
    assert server.get("/v1/scorecards", server.tokens["a2"], agent_id="a1").status_code == 403
    assert server.get("/v1/scorecards/sc-nope", server.tokens["boss"]).status_code == 404


def test_only_trainers_and_admins_upload(server: LiveServer) -> None:
    wav = (SAMPLES / "calm_call" / "call.wav").read_bytes()
    r = _upload(server, server.tokens["a1"], "calm.wav", wav)
    assert r.status_code == 403 and "trainer or admin" in r.json()["detail"]
    r = httpx.post(server.http + "/v1/recordings", files={"file": ("calm.wav", wav)}, timeout=30)
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("name", "data", "code", "needle"),
    [
        ("notes.txt", b"hello", 415, "unsupported file type '.txt'"),
        ("broken.wav", b"RIFF\x00\x00\x00\x00WAVEjunk", 422, "broken.wav"),
        ("empty.wav", b"", 422, "empty"),
    ],
)
def test_bad_uploads_are_refused_with_the_fix(
    server: LiveServer, name: str, data: bytes, code: int, needle: str
) -> None:
    r = _upload(server, server.tokens["trainer1"], name, data)
    assert r.status_code == code, r.text
    detail = r.json()["detail"]
    assert needle in detail and "calltone-uploads" not in detail, detail


def test_oversized_upload_is_refused_before_it_is_stored(
    server: LiveServer, tmp_path: Path
) -> None:
    big = b"\x00" * (LIMIT_BYTES + 200_000)
    r = _upload(server, server.tokens["trainer1"], "long.wav", big)
    assert r.status_code == 413 and "CALLTONE_MAX_UPLOAD_BYTES" in r.json()["detail"]
    before = server.get("/v1/scorecards", server.tokens["trainer1"]).json()
    assert all(j["call_id"] != "long" for j in before)


def test_upload_fields_are_checked(server: LiveServer) -> None:
    wav = (SAMPLES / "calm_call" / "call.wav").read_bytes()
    r = _upload(server, server.tokens["trainer1"], "calm.wav", wav, agent_id="no spaces please")
    assert r.status_code == 422 and "agent_id" in r.json()["detail"]
    r = _upload(server, server.tokens["trainer1"], "calm.wav", wav, agent_channel="left")
    assert r.status_code == 422 and "agent_channel" in r.json()["detail"]


def test_stopping_the_service_fails_unfinished_jobs_with_a_reason(tmp_path: Path) -> None:
    """A call still being scored at shutdown must not hold the service up or stay 'running'."""
    import numpy as np
    import soundfile as sf

    from calltone.service.routes.recordings import ScoringQueue
    from calltone.service.settings import Settings
    from calltone.service.storage import Store

    x, sr = sf.read(SAMPLES / "calm_call" / "call.wav", dtype="float32")
    long_call = tmp_path / "long.wav"
    sf.write(long_call, np.tile(x, (12, 1)), sr)  # ~9 minutes: minutes of Whisper work
    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    queue = ScoringQueue(store, Settings(db_url=store.url, transcribe=True))
    try:
        for job in ("job-a", "job-b"):
            store.save_scorecard(job, call_id=job, agent_id=None, status="queued")
            path = queue.spool / f"{job}.wav"
            path.write_bytes(long_call.read_bytes())
            queue.submit(
                job, path, call_id=job, agent_id=None, options=queue.options, filename="long.wav"
            )
        deadline = time.monotonic() + 60
        while store.get_scorecard("job-a").status != "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        t0 = time.monotonic()
        queue.close()
        assert time.monotonic() - t0 < 30, "shutdown waited for the call being scored"
        for job in ("job-a", "job-b"):
            rec = store.get_scorecard(job)
            assert rec.status == "failed" and "upload it again" in (rec.error or ""), rec
        assert not queue.spool.exists()
    finally:
        store.close()
