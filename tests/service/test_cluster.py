"""``calltone score --cluster``: a real ``dask scheduler`` and two ``dask worker`` processes.

The cluster is started by the tests on loopback (module fixture) and stopped after them. The
scorecards it writes are compared with local scoring (service.scoring.batch.score_many) of the same
files; a worker process is SIGKILLed mid-call; the service lists what ``--db`` stored.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from calltone.service.cli import main
from calltone.service.scoring.batch import ScoreOptions, score_many, score_to_files
from calltone.service.scoring.cluster import (
    CallEntry,
    ClusterSettings,
    ManifestError,
    executing_calls,
    expand_inputs,
    plugin_setups,
    read_manifest,
    score_on_cluster,
    whisper_model_loads,
)
from calltone.service.storage import sqlite_url
from tests.support.service import free_port, running_server

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
NAMES = ("calm_call", "escalation_call", "interrupting_agent_call")
START_TIMEOUT_S = 90.0


@dataclass
class DaskCluster:
    address: str
    procs: list[subprocess.Popen[bytes]]
    logs: Path

    def client(self) -> Any:
        from distributed import Client

        return Client(self.address, timeout=30, set_as_default=False)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group this test started (worker + nanny), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    logs = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    # the workers import this checkout's calltone, whatever the current folder
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: str) -> None:
        with (logs / log).open("wb") as fh:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dask", *args],
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=logs,
                    start_new_session=True,
                )
            )

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], "s.log")
        for i in (1, 2):
            start(
                [
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--name",
                    f"w{i}",
                    "--no-dashboard",
                    "--death-timeout",
                    "60",
                    "--local-directory",
                    str(logs / f"w{i}"),
                ],
                f"w{i}.log",
            )
        cluster = DaskCluster(address, procs, logs)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with cluster.client() as c:
                    c.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield cluster
    finally:
        for p in reversed(procs):
            _stop(p)


def _calls_folder(root: Path) -> Path:
    """The three sample calls, a truncated WAV and an empty file."""
    calls = root / "calls"
    for name in NAMES:
        (calls / name).mkdir(parents=True)
        shutil.copy(SAMPLES / name / "call.wav", calls / name / "call.wav")
    (calls / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (calls / "empty.wav").write_bytes(b"")
    return calls


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as fh:
        return {r["call_id"]: r for r in csv.DictReader(fh)}


def _card(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


LOCAL_COLUMNS_SKIP = {"scorecard", "report"}
_AUDIO_URI = re.compile(r"data:audio/[^\"']+")


def _page(path: str | Path) -> str:
    """A report's HTML without its embedded audio clips (an Ogg stream's serial is random)."""
    return _AUDIO_URI.sub("data:audio/...", Path(path).read_text(encoding="utf-8"))


def test_a_folder_with_corrupt_files_scores_like_local_and_a_rerun_skips_what_is_done(
    dask_cluster: DaskCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _calls_folder(tmp_path)
    extra = tmp_path / "elsewhere" / "late.wav"  # also given as an fsspec file:// URL
    extra.parent.mkdir()
    shutil.copy(SAMPLES / "calm_call" / "call.wav", extra)
    out, local_out = tmp_path / "cluster", tmp_path / "local"
    argv = ["score", str(calls), extra.as_uri(), "--cluster", dask_cluster.address]
    argv += ["--out", str(out), "--no-transcribe", "--no-progress"]

    assert main(argv) == 2, "failed calls make the exit status 2"
    rows = _rows(out)
    assert sorted(rows) == sorted(["broken", "empty", "late", *(f"{n}__call" for n in NAMES)]), (
        "one row per call, the corrupt ones too"
    )
    for bad in ("broken", "empty"):
        assert rows[bad]["status"] == "failed"
        assert rows[bad]["error"] and rows[bad]["scorecard"] == ""
    err = capsys.readouterr().err
    assert "broken.wav" in err and "empty.wav" in err

    local = score_many(
        [calls], local_out, ScoreOptions(transcribe=False), workers=1, progress=False
    )
    local_rows = {o.call_id: o for o in local.outcomes}
    with (local_out / "summary.csv").open(encoding="utf-8") as fh:
        local_csv = {r["call_id"]: r for r in csv.DictReader(fh)}
    for cid, lo in local_rows.items():
        assert rows[cid]["status"] == ("ok" if lo.ok else "failed")
        for column, value in local_csv[cid].items():
            if column not in LOCAL_COLUMNS_SKIP:
                assert rows[cid][column] == value, (cid, column)
        if lo.ok:
            assert _card(rows[cid]["scorecard"]) == _card(lo.scorecard_path), cid
            assert _page(rows[cid]["report"]) == _page(lo.report_path), cid
    url_card = _card(rows["late"]["scorecard"])
    assert url_card["call"]["path"] == extra.as_uri()
    url_page = Path(rows["late"]["report"]).read_text(encoding="utf-8")
    assert "elsewhere/late.wav" in url_page and "calltone-" not in url_page, "not the temp copy"
    same = _card(local_rows["calm_call__call"].scorecard_path)
    assert url_card["criteria"] == same["criteria"], "a URL scores as its bytes do locally"
    assert len(rows["late"]["content_sha256"]) == 64

    # the same command again: every scored call is skipped (same id, same bytes)
    stamps = {
        cid: Path(r["scorecard"]).stat().st_mtime_ns for cid, r in rows.items() if r["scorecard"]
    }
    assert main(argv) == 2
    said = capsys.readouterr().out
    assert "0 call(s) scored, 4 already done, 2 failed" in said
    assert {c: Path(_rows(out)[c]["scorecard"]).stat().st_mtime_ns for c in stamps} == stamps
    assert _rows(out) == rows, "the summary still lists every call"

    # new bytes under the same call id are scored again
    shutil.copy(SAMPLES / "escalation_call" / "call.wav", calls / "calm_call" / "call.wav")
    assert main(argv) == 2
    assert "1 call(s) scored, 3 already done, 2 failed" in capsys.readouterr().out
    again = _rows(out)
    assert (
        again["calm_call__call"]["content_sha256"]
        == rows["escalation_call__call"]["content_sha256"]
    )


def test_a_manifest_lands_scorecards_per_agent_in_sqlite_that_the_service_lists(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    calls = _calls_folder(tmp_path)
    manifest = tmp_path / "week.jsonl"
    manifest.write_text(
        "\n".join(
            json.dumps(row)
            for row in [
                {
                    "path": "calls/calm_call/call.wav",
                    "agent_id": "a17",
                    "call_id": "c-1001",
                    "date": "2026-11-30",
                },
                {
                    "path": "calls/interrupting_agent_call/call.wav",
                    "agent_id": "a17",
                    "call_id": "c-1002",
                    "date": "2026-12-01",
                },
                {
                    "path": str(calls / "escalation_call" / "call.wav"),
                    "agent_id": "b22",
                    "call_id": "c-1003",
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "calltone.db"
    out = tmp_path / "cards"
    code = main(
        [
            "score",
            *("--manifest", str(manifest), "--db", str(db), "--cluster", dask_cluster.address),
            *("--out", str(out), "--no-transcribe", "--no-progress"),
        ]
    )
    assert code == 0
    rows = _rows(out)
    assert rows["c-1001"]["agent_id"] == "a17" and rows["c-1001"]["date"] == "2026-11-30"
    assert _card(rows["c-1002"]["scorecard"])["call"]["agent_id"] == "a17"
    assert "2026-12-01" in Path(rows["c-1002"]["report"]).read_text(encoding="utf-8")

    with running_server(sqlite_url(str(db))) as srv:
        trainer = srv.user("tess", "trainer")
        listed = srv.get("/v1/scorecards", trainer, agent_id="a17")
        assert listed.status_code == 200, listed.text
        assert sorted(j["call_id"] for j in listed.json()) == ["c-1001", "c-1002"]
        assert all(j["status"] == "done" for j in listed.json())
        page = srv.get("/v1/scorecards/batch-c-1003/html", trainer)
        assert page.status_code == 200 and "<svg" in page.text
        agent = srv.user("b22", "agent")
        own = srv.get("/v1/scorecards", agent, agent_id="b22")
        assert [j["call_id"] for j in own.json()] == ["c-1003"]


def test_submissions_are_bounded_so_queued_calls_wait_in_the_client(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    calls = _calls_folder(tmp_path)
    entries = [e for e in expand_inputs([str(calls)]) if e.call_id not in ("broken", "empty")]
    entries += [CallEntry(e.path, f"{e.call_id}_again") for e in entries]  # 6 calls
    seen: list[int] = []
    with dask_cluster.client() as client:

        def count(_: Any) -> None:
            seen.append(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)))

        report = score_on_cluster(
            entries,
            tmp_path / "out",
            ScoreOptions(transcribe=False),
            client,
            in_flight=2,
            progress=False,
            on_outcome=count,
        )
    assert len(report.outcomes) == 6 and not report.failed
    assert len(seen) == 6 and max(seen) <= 2, f"tasks in the scheduler per outcome: {seen}"


@pytest.mark.slow
def test_whisper_loads_once_per_worker_and_a_worker_killed_mid_call_has_it_retried(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """The real model transcribes; one worker process is SIGKILLed while it scores a call."""
    entries = [CallEntry(str(SAMPLES / n / "call.wav"), f"{n}__call") for n in NAMES]
    result: dict[str, Any] = {}
    with dask_cluster.client() as client:
        pids: dict[str, int] = client.run(os.getpid)

        def run() -> None:
            try:
                with dask_cluster.client() as own:
                    result["report"] = score_on_cluster(
                        entries, tmp_path / "out", ScoreOptions(), own, progress=False
                    )
            except BaseException as exc:  # surfaced below
                result["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        killed: tuple[str, int] | None = None
        deadline = time.monotonic() + 240
        first_seen: dict[str, float] = {}
        while killed is None and thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                for addr, keys in client.run(executing_calls).items():
                    for key in keys:
                        if addr in pids:
                            first_seen.setdefault(key, time.monotonic())
                            if time.monotonic() - first_seen[key] > 1.0:  # mid-call
                                killed = (key, pids[addr])
                                os.kill(pids[addr], signal.SIGKILL)
                                break
                    if killed:
                        break
            time.sleep(0.1)
        thread.join(timeout=300)
        assert "error" not in result, result.get("error")
        assert killed is not None, "no call was seen executing long enough to kill its worker"
        report = result["report"]
        assert [o.ok for o in report.outcomes] == [True, True, True], report.outcomes
        assert killed[1] not in report.pids.values(), (
            "the killed worker's call was scored elsewhere"
        )
        client.wait_for_workers(2, timeout=120)  # the nanny restarts the killed worker
        loads: dict[str, int] = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the restarted worker may still be in its setup
            loads = client.run(whisper_model_loads)
            setups = client.run(plugin_setups)
            if sorted(loads.values()) == sorted(setups.values()) == [1, 1]:
                break
            time.sleep(0.5)
        assert sorted(loads.values()) == [1, 1], f"Whisper loads per worker process: {loads}"
        assert sorted(client.run(plugin_setups).values()) == [1, 1]

    # the retried call is identical to local scoring of it (one Whisper thread, as each worker
    # has here); the others equal local scoring in the acoustic test above
    retried = entries[int(killed[0].rsplit("-", 1)[1])]
    local_dir = tmp_path / "local"
    local_dir.mkdir()
    lo = score_to_files(retried.path, retried.call_id, str(local_dir), ScoreOptions(cpu_threads=1))
    assert lo.ok, lo.error
    card = _card(tmp_path / "out" / f"{retried.call_id}.scorecard.json")
    assert card == _card(lo.scorecard_path)
    assert card["call"]["transcribed"] is True and any(
        c["status"] == "scored" for c in card["criteria"] if c["id"] == "empathy"
    ), "a transcript criterion was scored"


def test_manifest_errors_name_the_line_and_the_fix(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    shutil.copy(SAMPLES / "calm_call" / "call.wav", wav)
    cases = {
        "path,agent\na.wav,x\n": "header must name the columns",
        "path,date\na.wav,30/11/2026\n": ":2: date '30/11/2026' is not an ISO date",
        "path,call_id\na.wav,c1\na.wav,c1\n": ":3: call_id 'c1' is also on line 2",
        "path,call_id\na.wav,../etc\n": "is not usable as a file name",
        "path\nmissing.wav\n": ":2: 'missing.wav' does not exist",
    }
    for text, message in cases.items():
        m = tmp_path / "m.csv"
        m.write_text(text, encoding="utf-8")
        with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(".", r"\.")):
            read_manifest(m)
    j = tmp_path / "m.jsonl"
    j.write_text('{"path": "a.wav"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"m\.jsonl:2: not JSON"):
        read_manifest(j)
    m = tmp_path / "ok.csv"
    m.write_text("path,agent_id,call_id,date\na.wav,a17,,2026-12-01\n", encoding="utf-8")
    assert read_manifest(m) == [CallEntry(str(wav.resolve()), "a", "a17", "2026-12-01")]


def test_an_unreachable_scheduler_is_one_line_naming_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLTONE_DASK_SCHEDULER", f"tcp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CALLTONE_DASK_CONNECT_TIMEOUT_S", "2")
    assert ClusterSettings().dask_connect_timeout_s == 2
    t0 = time.monotonic()
    code = main(["score", str(SAMPLES), "--out", str(tmp_path), "--no-progress"])
    assert code == 2 and time.monotonic() - t0 < 30
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach the Dask scheduler" in err[0]
    assert "CALLTONE_DASK_SCHEDULER" in err[0]


def test_workers_with_a_remote_cluster_says_how_to_add_dask_workers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["score", str(SAMPLES), "--cluster", "tcp://127.0.0.1:1", "--workers", "3"]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--workers 3 sets local processes" in err and "dask worker" in err
