"""Retention: the service deletes ended calls (and what they hold) on its schedule, never live ones.

Issue 7, privacy: "a retention setting deletes old audio, transcripts and events on schedule".
Checked against a real server (uvicorn, SQLite file) and the real ``calltone purge`` command.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from calltone.service.retention import sweep
from calltone.service.settings import Settings
from calltone.service.storage import NewEvent, Store
from tests.support.service import running_server

ROOT = Path(__file__).resolve().parents[2]


def _rows(db: Path, call_id: str) -> dict[str, int]:
    """Rows per table that still belong to ``call_id`` (read straight from the file)."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return {
                table: int(
                    conn.execute(
                        text(f"SELECT count(*) FROM {table} WHERE call_id = :c"), {"c": call_id}
                    ).scalar_one()
                )
                for table in ("calls", "events", "alerts", "feed")
            }
    finally:
        engine.dispose()


def test_server_deletes_ended_calls_on_schedule_and_keeps_live_ones(tmp_path: Path) -> None:
    db = tmp_path / "calltone.db"
    window_s = 3.0
    with running_server(
        f"sqlite:///{db}",
        retention_days=window_s / 86_400,
        retention_interval_s=0.25,
    ) as srv:
        srv.user("a17", "agent")
        sup = srv.user("sam", "supervisor")

        async def scenario() -> dict[str, object]:
            old = await srv.areplay("escalation_call", "a17", call_id="old-call")
            assert old.error is None
            ended = time.monotonic()
            before = _rows(db, "old-call")
            # a live call that starts before the old one's retention runs out and outlives it
            live = asyncio.create_task(
                srv.areplay("calm_call", "a17", call_id="live-call", speed=6.0)
            )
            deadline = ended + 30
            while _rows(db, "old-call")["calls"] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            gone_s = time.monotonic() - ended
            during = _rows(db, "live-call")
            live_done = not live.done()
            result = await live
            return {
                "before": before,
                "gone_s": gone_s,
                "during": during,
                "live_still_running": live_done,
                "live_error": result.error,
            }

        out = asyncio.run(scenario())
        before, during = out["before"], out["during"]
        assert isinstance(before, dict) and isinstance(during, dict)
        # what the old call held was really there, and is now gone from every table
        assert before["calls"] == 1 and before["events"] >= 1 and before["alerts"] >= 1
        assert _rows(db, "old-call") == {"calls": 0, "events": 0, "alerts": 0, "feed": 0}
        assert srv.get("/v1/calls/old-call", sup).status_code == 404
        # not before its time, and within one sweep interval (plus slack) after it
        gone_s = float(out["gone_s"])  # type: ignore[arg-type]
        assert window_s - 0.5 <= gone_s <= window_s + 3.0
        # the live call was untouched by the sweeps that ran during it, and finished normally
        assert out["live_still_running"] and during["calls"] == 1
        assert out["live_error"] is None


def test_retention_zero_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "calltone.db"
    with running_server(f"sqlite:///{db}", retention_days=0, retention_interval_s=0.1) as srv:
        srv.user("a17", "agent")
        sup = srv.user("sam", "supervisor")
        assert srv.replay("escalation_call", "a17", call_id="kept").error is None
        time.sleep(1.0)
        assert srv.get("/v1/calls/kept", sup).status_code == 200
        assert _rows(db, "kept")["events"] >= 1


def test_sweep_cutoff_is_measured_from_the_end_of_the_call(tmp_path: Path) -> None:
    class Clock:
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

        def __call__(self) -> dt.datetime:
            return self.now

    clock = Clock()
    store = Store(f"sqlite:///{tmp_path / 'c.db'}", clock=clock)
    store.start_call("long", "a17", meta={})  # starts 10 days before it ends
    clock.now += dt.timedelta(days=10)
    store.end_call("long")
    clock.now += dt.timedelta(days=5)
    # 5 days after the end: a 7-day retention keeps it even though it started 15 days ago
    assert sweep(store, retention_days=7, now=clock.now).deleted["calls"] == 0
    assert sweep(store, retention_days=4, now=clock.now).deleted["calls"] == 1
    with pytest.raises(ValueError, match="retention_days must be > 0"):
        sweep(store, retention_days=0)
    store.close()


def test_purge_command(tmp_path: Path) -> None:
    db = tmp_path / "calltone.db"
    store = Store(f"sqlite:///{db}", clock=lambda: dt.datetime(2020, 5, 1, tzinfo=dt.UTC))
    store.start_call("ancient", "a17", meta={})
    store.add_events(
        "ancient",
        [
            NewEvent.from_dict(e)
            for e in [
                {"id": "e1", "kind": "yelling", "speaker": "customer", "start_s": 1, "end_s": 3}
            ]
        ],
    )
    store.end_call("ancient")
    store.close()
    recent = Store(f"sqlite:///{db}")
    recent.start_call("recent", "a17", meta={})
    recent.end_call("recent")
    recent.close()

    def purge(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "calltone.service.cli", "purge", "--db", str(db), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )

    done = purge("--older-than-days", "30")
    assert done.returncode == 0, done.stderr
    assert "1 calls" in done.stdout and "1 events" in done.stdout
    assert _rows(db, "ancient")["calls"] == 0 and _rows(db, "recent")["calls"] == 1

    for bad in ("0", "-3", "nan"):
        refused = purge("--older-than-days", bad)
        assert refused.returncode == 2
        assert refused.stderr.startswith("calltone: error: --older-than-days")
        assert "Traceback" not in refused.stderr
    assert _rows(db, "recent")["calls"] == 1


def test_retention_settings_are_validated() -> None:
    assert Settings().retention_days == 90.0
    with pytest.raises(ValueError, match="retention_days"):
        Settings(retention_days=-1)
    with pytest.raises(ValueError, match="retention_interval_s"):
        Settings(retention_interval_s=0)
