"""Storage tests, run against a SQLite file and (when reachable) a real PostgreSQL.

PostgreSQL tests use a fresh schema per test (via ``search_path``) and drop it afterwards, so runs
are independent and leave nothing behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from calltone.audio.errors import CalltoneError
from calltone.service.storage import (
    ConflictError,
    InvalidRecordError,
    NewAlert,
    NewEvent,
    NewSegment,
    NotFoundError,
    SchemaTooNewError,
    StorageUnavailableError,
    Store,
    head_revision,
    migrate,
)
from calltone.service.storage.db import create_engine_for_url

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_ADMIN_CONNINFO = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_unavailable_reason() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        with psycopg.connect(PG_ADMIN_CONNINFO, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 (db 'test') is unreachable: {exc}".splitlines()[0]
    return None


@functools.cache
def _pg_skip_reason() -> str | None:
    """Probe the server once per test run."""
    return _pg_unavailable_reason()


@dataclass
class Clock:
    """A controllable wall clock for the store."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Backend:
    name: str
    url: str
    opened: list[Store] = field(default_factory=list)

    def open(self, **kwargs: Any) -> Store:
        store = Store(self.url, **kwargs)
        self.opened.append(store)
        return store

    def engine(self) -> Engine:
        return create_engine_for_url(self.url)

    def raw(self, sql: str, **params: Any) -> list[Any]:
        """Rows of ``sql`` read straight from the database, bypassing the Store."""
        engine = self.engine()
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params))
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        db = Backend("sqlite", f"sqlite:///{tmp_path / 'calltone.db'}")
        yield db
        for store in db.opened:
            store.close()
        return
    reason = _pg_skip_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"ct_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_CONNINFO, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    db = Backend("postgresql", f"{PG_SERVER}?options=-csearch_path%3D{schema}")
    try:
        yield db
    finally:
        for store in db.opened:
            store.close()
        with psycopg.connect(PG_ADMIN_CONNINFO, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _alert(call_id: str, **overrides: Any) -> NewAlert:
    alert: dict[str, Any] = {
        "call_id": call_id,
        "kind": "de_escalate",
        "audience": "agent",
        "at_s": 12.5,
        "message": "Customer is shouting: lower your voice and acknowledge their feelings.",
        "tip": "keep a calm voice, slow down, use their name",
        "source": {"seed": "000", "section": "De-escalation Techniques"},
        "event_ids": ["e1"],
        "thresholds": {"loudness_db_over_baseline": 10.0, "pitch_st_over_baseline": 3.0},
    }
    alert.update(overrides)
    return NewAlert.from_dict(alert)


# -- users and tokens -------------------------------------------------------------------------


def test_token_auth_works_and_only_hashes_are_stored(backend: Backend) -> None:
    store = backend.open()
    created = store.create_user("a17", "agent")
    assert created.token.startswith("ct_") and len(created.token) > 40
    assert created.user.agent_id == "a17" and created.user.role == "agent"
    assert store.create_user("sue", "supervisor").user.agent_id is None

    assert store.authenticate(created.token) == created.user
    assert store.authenticate(created.token + "x") is None
    assert store.authenticate("ct_" + "A" * 43) is None
    assert store.authenticate("") is None

    second = store.issue_token("a17")
    assert second != created.token
    assert store.revoke_token(created.token) is True
    assert store.revoke_token(created.token) is False  # already revoked
    assert store.authenticate(created.token) is None
    assert store.authenticate(second) == created.user  # other tokens unaffected

    rows = backend.raw("SELECT * FROM tokens")
    assert len(rows) == 3  # a17's two, sue's one
    dumped = repr(rows) + repr(backend.raw("SELECT * FROM users"))
    assert created.token not in dumped and second not in dumped
    assert created.token[3:] not in dumped
    hashes = {row.token_hash for row in rows}
    assert hashlib.sha256(second.encode()).hexdigest() in hashes


def test_users_roles_and_deletion(backend: Backend) -> None:
    store = backend.open()
    with pytest.raises(InvalidRecordError, match="agent, supervisor, trainer, admin"):
        store.create_user("bob", "manager")
    with pytest.raises(InvalidRecordError, match="letters, digits"):
        store.create_user("bad name", "agent")
    token = store.create_user("tina", "trainer").token
    store.create_user("adam", "admin")
    with pytest.raises(ConflictError, match="already exists"):
        store.create_user("tina", "agent")
    assert [u.name for u in store.list_users()] == ["adam", "tina"]
    store.delete_user("tina")
    assert store.authenticate(token) is None  # tokens go with the user
    assert [u.name for u in store.list_users()] == ["adam"]
    with pytest.raises(NotFoundError, match="'tina'"):
        store.delete_user("tina")
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.issue_token("ghost")


# -- calls, events, transcript ------------------------------------------------------------------


def test_call_lifecycle(backend: Backend) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    call = store.start_call("c1", "a17", meta={"channels": 2, "sample_rate": 16000})
    assert call.state == "live" and call.started_at == clock.now and call.ended_at is None
    with pytest.raises(ConflictError, match="already live"):
        store.start_call("c1", "a17", meta={})
    clock.advance(minutes=5)
    ended = store.end_call("c1", summary={"yelling_s": 4.5})
    assert ended.state == "ended" and ended.ended_at == clock.now
    assert ended.summary == {"yelling_s": 4.5}
    with pytest.raises(ConflictError, match="cannot be restarted"):
        store.start_call("c1", "a17", meta={})
    with pytest.raises(ConflictError, match="calls end once"):
        store.end_call("c1")
    with pytest.raises(InvalidRecordError, match="ended, interrupted"):
        store.end_call("c1", state="paused")

    clock.advance(minutes=1)
    store.start_call("c2", "a17", meta={})
    clock.advance(seconds=1)
    store.start_call("c3", "b22", meta={})
    assert [c.call_id for c in store.list_calls()] == ["c3", "c2", "c1"]  # newest first
    assert [c.call_id for c in store.list_calls(agent_id="a17")] == ["c2", "c1"]
    assert [c.call_id for c in store.list_calls(state="live")] == ["c3", "c2"]
    assert [c.call_id for c in store.list_calls(limit=1)] == ["c3"]
    assert store.get_call("c1") == ended


def test_mark_live_calls_interrupted(backend: Backend) -> None:
    store = backend.open()
    store.start_call("live1", "a1", meta={})
    store.start_call("live2", "a2", meta={})
    store.start_call("done", "a1", meta={})
    store.end_call("done")
    store.close()

    restarted = backend.open()  # as after a crash
    assert restarted.mark_live_calls_interrupted() == ["live1", "live2"]
    assert restarted.get_call("live1").state == "interrupted"
    assert restarted.get_call("live1").ended_at is not None
    assert restarted.get_call("done").state == "ended"
    assert restarted.mark_live_calls_interrupted() == []
    ended = [e for e in restarted.feed_after(0) if e.kind == "call_ended"]
    assert [(e.call_id, e.payload["state"]) for e in ended] == [
        ("done", "ended"),
        ("live1", "interrupted"),
        ("live2", "interrupted"),
    ]


def test_mark_live_calls_interrupted_only_touches_own_node(backend: Backend) -> None:
    node_a = backend.open(node_id="node-a")
    node_b = backend.open(node_id="node-b")
    node_a.start_call("ca", "a1", meta={})
    node_b.start_call("cb", "a2", meta={})
    assert node_a.mark_live_calls_interrupted() == ["ca"]
    assert node_b.get_call("cb").state == "live"
    assert node_b.get_call("cb").node_id == "node-b"


def test_events_and_segments_round_trip(backend: Backend) -> None:
    store = backend.open()
    store.start_call("c1", "a17", meta={})
    events = [
        {
            "id": "e2",
            "kind": "interruption",
            "speaker": "agent",
            "start_s": 30.0,
            "end_s": 31.2,
            "evidence": {"overlap_s": 1.2},
            "interrupted": "customer",
        },
        {
            "id": "e1",
            "kind": "yelling",
            "speaker": "customer",
            "start_s": 10.0,
            "end_s": 14.5,
            "evidence": {"loudness_db_over_baseline": 12.3, "pitch_st": float("nan")},
        },
        {"id": 3, "kind": "dead_air", "speaker": None, "start_s": 40, "end_s": 46, "evidence": {}},
    ]
    store.add_events("c1", [NewEvent.from_dict(e) for e in events])
    listed = store.list_events("c1")
    assert [e.id for e in listed] == ["e1", "e2", "3"]  # by start_s; ids kept as strings
    yelling = listed[0].to_dict()
    assert yelling["evidence"] == {"loudness_db_over_baseline": 12.3, "pitch_st": None}
    assert listed[1].to_dict()["interrupted"] == "customer"  # extra keys come back at top level
    assert listed[2].speaker is None

    grown = dict(events[1], end_s=18.0)  # a live event that kept going
    store.add_events("c1", [NewEvent.from_dict(e) for e in [grown]])
    after_growth = store.list_events("c1")
    assert len(after_growth) == 3
    assert (after_growth[0].id, after_growth[0].end_s) == ("e1", 18.0)

    with pytest.raises(InvalidRecordError, match="lacks end_s"):
        store.add_events(
            "c1", [NewEvent.from_dict(e) for e in [{"id": "x", "kind": "yelling", "start_s": 1}]]
        )
    with pytest.raises(NotFoundError, match="'nope'"):
        store.add_events("nope", [NewEvent.from_dict(e) for e in events])

    words = [{"word": "hello", "start_s": 1.0, "end_s": 1.3}]
    store.add_segment(
        "c1", NewSegment.from_dict({"speaker": "agent", "start_s": 5, "end_s": 6, "text": "later"})
    )
    store.add_segment(
        "c1",
        NewSegment.from_dict(
            {"speaker": "customer", "start_s": 1, "end_s": 2, "text": "hello", "words": words}
        ),
    )
    segments = store.list_segments("c1")
    assert [s.text for s in segments] == ["hello", "later"]
    assert segments[0].words == words
    json.dumps([s.to_dict() for s in segments] + [e.to_dict() for e in listed])


def test_inputs_are_typed_records_made_from_model_types(backend: Backend) -> None:
    from calltone.models.tone.alerts import Alert, SeedRef
    from calltone.models.tone.events import Event

    store = backend.open()
    store.start_call("c1", "a17", meta={})
    with pytest.raises(InvalidRecordError, match=r"must be a NewAlert.*NewAlert.from_dict"):
        store.add_alert(_alert("c1").__dict__)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecordError, match="must be a NewEvent"):
        store.add_events("c1", [{"id": "e", "kind": "k", "start_s": 0, "end_s": 1}])  # type: ignore[list-item]
    open_event = Event("yelling", "customer", 2.0, None, {"loudness_db": 11.04})
    (stored,) = store.add_events("c1", [NewEvent.from_event(open_event, now_s=3.456)])
    assert (stored.id, stored.start_s, stored.end_s) == (open_event.id, 2.0, 3.46)
    assert stored.extra == {"open": True}  # stored with its end so far, replaced when it closes
    alert = Alert(
        kind="de_escalate",
        audience="agent",
        at_s=2.345,
        message="Lower your voice.",
        tip="use their name",
        source=SeedRef("000.md", "De-escalation", "quote"),
        event_ids=[open_event.id],
        thresholds={"loudness_db_over_baseline": 10.0},
        call_id="c1",
        agent_id="a17",
        reason="customer yelling 1.2 s",
    )
    record = store.add_alert(NewAlert.from_alert(alert))
    assert record.message == "Lower your voice. (customer yelling 1.2 s)"
    assert (record.at_s, record.source["file"], record.event_ids) == (
        2.35,
        "000.md",
        [open_event.id],
    )
    with pytest.raises(InvalidRecordError, match=r"end_s 1\.0 is before start_s 2\.0"):
        NewEvent("e", "yelling", "agent", 2.0, 1.0)
    with pytest.raises(InvalidRecordError, match="alert audience 'all'"):
        NewAlert("c1", "de_escalate", "all", 1.0, "m")


# -- alerts -------------------------------------------------------------------------------------


def test_alert_ids_increase_and_pages_return_each_exactly_once(backend: Backend) -> None:
    store = backend.open()
    store.start_call("c1", "a17", meta={})
    created = [store.add_alert(_alert("c1", at_s=float(i))) for i in range(23)]
    ids = [a.id for a in created]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(a.created_at.tzinfo is not None for a in created)

    seen: list[int] = []
    after = 0
    while page := store.alerts_after(after, limit=5):
        seen.extend(a.id for a in page)
        after = page[-1].id
    assert seen == ids
    assert store.alerts_after(ids[-1]) == []
    assert store.alerts_after(ids[10], limit=3) == created[11:14]
    record = created[0].to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["source"]["seed"] == "000" and record["event_ids"] == ["e1"]
    assert record["created_at"].endswith("+00:00")


def test_alert_filters_by_agent_and_audience(backend: Backend) -> None:
    store = backend.open()
    store.start_call("ca", "agent-a", meta={})
    store.start_call("cb", "agent-b", meta={})
    a1 = store.add_alert(_alert("ca", audience="agent"))
    b1 = store.add_alert(_alert("cb", audience="agent"))
    a2 = store.add_alert(_alert("ca", audience="supervisor", kind="escalation_flag"))
    a3 = store.add_alert(_alert("ca", audience="both", kind="take_a_break", agent_id="agent-a"))

    assert [a.id for a in store.alerts_after(0, agent_id="agent-a")] == [a1.id, a2.id, a3.id]
    assert [a.id for a in store.alerts_after(0, agent_id="agent-b")] == [b1.id]
    agent_view = store.alerts_after(0, agent_id="agent-a", audience="agent")
    assert [a.id for a in agent_view] == [a1.id, a3.id]
    supervisor_view = store.alerts_after(0, audience="supervisor")
    assert [a.id for a in supervisor_view] == [a2.id, a3.id]
    assert store.alerts_after(0, agent_id="nobody") == []

    with pytest.raises(InvalidRecordError, match="agent, supervisor, both"):
        store.add_alert(_alert("ca", audience="everyone"))
    with pytest.raises(InvalidRecordError, match="belongs to agent 'agent-a'"):
        store.add_alert(_alert("ca", agent_id="agent-b"))
    with pytest.raises(InvalidRecordError, match="unknown keys colour"):
        store.add_alert(_alert("ca", colour="red"))
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.add_alert(_alert("ghost"))


def test_ack_is_idempotent_and_feedback_is_kept(backend: Backend) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    store.start_call("c1", "a17", meta={})
    alert = store.add_alert(_alert("c1", audience="both"))
    clock.advance(seconds=30)
    first = store.ack_alert(alert.id, by_user="sue")
    assert first.acked_by == "sue" and first.acked_at == clock.now
    clock.advance(seconds=30)
    again = store.ack_alert(alert.id, by_user="tom")
    assert again == first  # first ack wins, nothing changes
    assert store.get_alert(alert.id).acked_by == "sue"
    acks = [e for e in store.feed_after(0) if e.kind == "ack"]
    assert [e.payload["alert_id"] for e in acks] == [alert.id]  # one feed entry, not two

    store.add_feedback(alert.id, by_user="a17", helpful=False, comment="too late")
    updated = store.add_feedback(alert.id, by_user="a17", helpful=True)
    store.add_feedback(alert.id, by_user="sue", helpful=True, comment="good catch")
    feedback = store.list_feedback(alert.id)
    assert [(f.by_user, f.helpful, f.comment) for f in feedback] == [
        ("a17", True, ""),
        ("sue", True, "good catch"),
    ]
    assert updated.id == feedback[0].id


def test_unknown_ids_raise_not_found(backend: Backend) -> None:
    store = backend.open()
    actions: tuple[Callable[[], object], ...] = (
        lambda: store.ack_alert(987654, by_user="sue"),
        lambda: store.add_feedback(987654, by_user="sue", helpful=True),
        lambda: store.get_alert(987654),
        lambda: store.list_feedback(987654),
    )
    for action in actions:
        with pytest.raises(NotFoundError, match="987654"):
            action()
    actions = (
        lambda: store.get_call("no-such-call"),
        lambda: store.end_call("no-such-call"),
        lambda: store.list_events("no-such-call"),
        lambda: store.add_segment(
            "no-such-call",
            NewSegment.from_dict({"speaker": "agent", "start_s": 0, "end_s": 1, "text": ""}),
        ),
        lambda: store.add_feed_entry("call_state", "no-such-call", {}),
    )
    for action in actions:
        with pytest.raises(NotFoundError, match="no-such-call"):
            action()
    with pytest.raises(NotFoundError, match="job-9"):
        store.get_scorecard("job-9")
    assert issubclass(NotFoundError, CalltoneError)


def test_concurrent_add_alert_gives_unique_increasing_ids(backend: Backend) -> None:
    """8 writers and a resuming reader: ids unique, increasing per writer, none skipped."""
    store = backend.open()
    threads_n, per_thread = 8, 25
    for t in range(threads_n):
        store.start_call(f"c{t}", f"agent{t}", meta={})
    start = threading.Barrier(threads_n + 1)
    ids_by_thread: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    writers_done = threading.Event()
    seen_by_reader: list[int] = []

    def write(t: int) -> None:
        try:
            start.wait()
            mine = []
            for i in range(per_thread):
                record = store.add_alert(_alert(f"c{t}", at_s=float(i), audience="both"))
                # committed before returning: a fresh read already sees it
                assert record.id in [a.id for a in store.alerts_after(record.id - 1, limit=1)]
                mine.append(record.id)
            ids_by_thread[t] = mine
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        try:
            start.wait()
            after = 0
            while True:
                done = writers_done.is_set()
                page = store.alerts_after(after, limit=50)
                seen_by_reader.extend(a.id for a in page)
                if page:
                    after = page[-1].id
                elif done:
                    return
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(t,)) for t in range(threads_n)]
    reader = threading.Thread(target=read)
    for thread in [*workers, reader]:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    writers_done.set()
    reader.join(timeout=120)
    assert not errors, errors

    all_ids = [i for ids in ids_by_thread.values() for i in ids]
    assert len(all_ids) == threads_n * per_thread == len(set(all_ids))
    for ids in ids_by_thread.values():
        assert ids == sorted(ids)
    assert [a.id for a in store.alerts_after(0, limit=5000)] == sorted(all_ids)
    assert seen_by_reader == sorted(all_ids)  # the resuming reader missed none
    feed_ids = [e.id for e in store.feed_after(0, limit=5000) if e.kind == "alert"]
    assert len(feed_ids) == len(all_ids) and feed_ids == sorted(feed_ids)


# -- feed and scorecards ------------------------------------------------------------------------


def test_supervisor_feed(backend: Backend) -> None:
    store = backend.open()
    store.start_call("c1", "a17", meta={"queue": "billing"})
    store.add_alert(_alert("c1", audience="agent"))  # agent-only: not in the feed
    flag = store.add_alert(_alert("c1", audience="supervisor", kind="escalation_flag"))
    state = store.add_feed_entry("call_state", "c1", {"state": "customer_yelling"})
    store.ack_alert(flag.id, by_user="sue")
    store.end_call("c1")

    feed = store.feed_after(0)
    assert [e.kind for e in feed] == ["call_started", "alert", "call_state", "ack", "call_ended"]
    assert [e.id for e in feed] == sorted(e.id for e in feed)
    assert feed[0].payload == {"agent_id": "a17", "meta": {"queue": "billing"}}
    assert feed[1].payload["alert_id"] == flag.id
    assert feed[2] == state
    assert store.feed_after(feed[2].id) == feed[3:]
    assert [e.id for e in store.feed_after(0, limit=2)] == [feed[0].id, feed[1].id]
    with pytest.raises(InvalidRecordError, match="appended by the store itself"):
        store.add_feed_entry("alert", "c1", {"alert_id": flag.id})
    json.dumps([e.to_dict() for e in feed])


def test_scorecards(backend: Backend) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    store.save_scorecard("job-1", call_id="rec-1", agent_id="a17", status="queued")
    clock.advance(seconds=5)
    store.save_scorecard("job-2", call_id="rec-2", agent_id="b22", status="queued")
    done = store.save_scorecard(
        "job-1",
        call_id="rec-1",
        agent_id="a17",
        status="done",
        scorecard_json={"total": 0.8, "items": [{"criterion": "empathy", "score": 4}]},
        html="<h1>Scorecard</h1>",
    )
    assert done.status == "done" and done.created_at < done.updated_at
    assert store.get_scorecard("job-1") == done
    assert [s.job_id for s in store.list_scorecards()] == ["job-2", "job-1"]
    assert [s.job_id for s in store.list_scorecards(agent_id="a17")] == ["job-1"]
    with pytest.raises(InvalidRecordError, match="queued, running, done, failed"):
        store.save_scorecard("job-3", call_id=None, agent_id=None, status="finished")
    with pytest.raises(InvalidRecordError, match="no error"):
        store.save_scorecard("job-3", call_id=None, agent_id=None, status="failed")


# -- retention, persistence, migrations ---------------------------------------------------------


def _profile_doc(agent_id: str, calls: int = 1, voiced_s: float = 42.5) -> dict[str, Any]:
    return {
        "schema": "calltone.voice_profile/1",
        "agent_id": agent_id,
        "calls": calls,
        "voiced_s": voiced_s,
        "updated_at": "",
        "baseline": {"loudness_dbfs": -24.0, "pitch_st": 5.0},
    }


def test_agent_profiles_round_trip_replace_delete_and_go_with_their_user(
    backend: Backend,
) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    assert store.get_agent_profile("a17") is None
    first = store.save_agent_profile("a17", _profile_doc("a17"))
    assert first.calls == 1 and first.voiced_s == 42.5 and first.updated_at == clock.now
    clock.advance(hours=1)
    second = store.save_agent_profile("a17", _profile_doc("a17", calls=2, voiced_s=80.0))
    got = store.get_agent_profile("a17")
    assert got == second and got.calls == 2 and got.profile["voiced_s"] == 80.0
    assert got.updated_at == clock.now
    assert store.counts()["agent_profiles"] == 1
    with pytest.raises(InvalidRecordError, match="calls must be a whole number"):
        store.save_agent_profile("a17", {**_profile_doc("a17"), "calls": 0})
    with pytest.raises(InvalidRecordError, match="agent_id"):
        store.save_agent_profile("no spaces", _profile_doc("x"))
    assert store.delete_agent_profile("a17") is True
    assert store.delete_agent_profile("a17") is False
    assert store.get_agent_profile("a17") is None

    # A voice profile is the person's: deleting the user deletes it (their calls stay).
    store.create_user("a18", "agent")
    store.create_user("boss", "supervisor")
    store.save_agent_profile("a18", _profile_doc("a18"))
    store.save_agent_profile("a19", _profile_doc("a19"))  # streamed by an admin, no user
    store.delete_user("boss")
    assert store.get_agent_profile("a18") is not None
    store.delete_user("a18")
    assert store.get_agent_profile("a18") is None
    assert store.get_agent_profile("a19") is not None

    # Retention: a profile no call has updated within the period goes (an agent who left).
    clock.advance(days=40)
    store.save_agent_profile("a20", _profile_doc("a20"))
    assert store.delete_older_than(clock.now - dt.timedelta(days=30))["agent_profiles"] == 1
    assert store.get_agent_profile("a19") is None
    assert store.get_agent_profile("a20") is not None


def test_retention_deletes_only_old_ended_calls(backend: Backend) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    store.start_call("old", "a17", meta={})
    store.add_events(
        "old",
        [
            NewEvent.from_dict(e)
            for e in [
                {"id": "e1", "kind": "yelling", "speaker": "customer", "start_s": 1, "end_s": 3}
            ]
        ],
    )
    store.add_segment(
        "old",
        NewSegment.from_dict({"speaker": "customer", "start_s": 1, "end_s": 3, "text": "NO!"}),
    )
    old_alert = store.add_alert(_alert("old", audience="both"))
    store.add_feedback(old_alert.id, by_user="a17", helpful=True)
    store.end_call("old")
    store.start_call("old-but-live", "a17", meta={})  # started long ago, still live
    store.save_scorecard("old-card", call_id="rec", agent_id="a17", status="done", html="<p>hi")
    store.save_scorecard("old-but-running", call_id="rec2", agent_id="a17", status="running")
    clock.advance(days=40)
    store.save_scorecard(
        "recent-card", call_id="rec3", agent_id="a17", status="failed", error="corrupt upload"
    )
    store.start_call("recent", "a17", meta={})
    store.add_alert(_alert("recent"))
    store.end_call("recent")

    counts = store.delete_older_than(clock.now - dt.timedelta(days=30))
    assert counts == {
        "feedback": 1,
        "alerts": 1,
        "events": 1,
        "segments": 1,
        "feed": 3,  # call_started, alert, call_ended
        "calls": 1,
        "scorecards": 1,
        "agent_profiles": 0,
    }
    assert {c.call_id for c in store.list_calls()} == {"old-but-live", "recent"}
    assert {s.job_id for s in store.list_scorecards()} == {"old-but-running", "recent-card"}
    with pytest.raises(NotFoundError):
        store.get_alert(old_alert.id)
    assert store.delete_older_than(clock.now - dt.timedelta(days=30))["calls"] == 0
    with pytest.raises(InvalidRecordError, match="timezone-aware"):
        store.delete_older_than(dt.datetime(2025, 1, 1))


def test_ids_are_never_reused_after_deleting_the_newest(backend: Backend) -> None:
    clock = Clock()
    store = backend.open(clock=clock)
    store.start_call("c1", "a17", meta={})
    newest = store.add_alert(_alert("c1", audience="both"))
    store.end_call("c1")
    newest_feed = store.feed_after(0)[-1].id
    clock.advance(days=2)
    store.delete_older_than(clock.now)
    store.close()

    reopened = backend.open(clock=clock)
    reopened.start_call("c2", "a17", meta={})
    assert reopened.add_alert(_alert("c2")).id > newest.id
    assert reopened.feed_after(0)[0].id > newest_feed


def test_data_survives_close_and_reopen(backend: Backend) -> None:
    store = backend.open()
    token = store.create_user("a17", "agent").token
    store.start_call("c1", "a17", meta={"softphone": "x"})
    alert = store.add_alert(_alert("c1"))
    store.close()

    reopened = backend.open()
    user = reopened.authenticate(token)
    assert user is not None and user.name == "a17"
    assert reopened.get_call("c1").meta == {"softphone": "x"}
    assert reopened.alerts_after(0) == [alert]
    assert reopened.add_alert(_alert("c1")).id > alert.id


def test_old_database_upgrades_in_place_keeping_rows(backend: Backend) -> None:
    engine = backend.engine()
    try:
        assert migrate(engine, "0001") == "0001"
        token_hash = hashlib.sha256(b"ct_legacy-token-0123456789abcdef").hexdigest()
        when = dt.datetime(2025, 1, 2, 3, 4, 5)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, name, role, agent_id, created_at) "
                    "VALUES (1, 'a17', 'agent', 'a17', :t)"
                ),
                {"t": when},
            )
            conn.execute(
                text("INSERT INTO tokens (user_id, token_hash, created_at) VALUES (1, :h, :t)"),
                {"h": token_hash, "t": when},
            )
            conn.execute(
                text(
                    "INSERT INTO calls (call_id, agent_id, state, meta, started_at) "
                    "VALUES ('c-old', 'a17', 'live', '{\"old\": true}', :t)"
                ),
                {"t": when},
            )
            conn.execute(
                text(
                    "INSERT INTO alerts (id, call_id, agent_id, kind, audience, at_s, message, "
                    "tip, source, event_ids, thresholds, created_at) VALUES (41, 'c-old', 'a17', "
                    "'de_escalate', 'agent', 3.5, 'm', 't', '{}', '[]', '{}', :t)"
                ),
                {"t": when},
            )
            if backend.name == "postgresql":  # explicit ids do not advance the sequence
                conn.execute(text("SELECT setval('alerts_id_seq', 41)"))
        assert "node_id" not in {c["name"] for c in inspect(engine).get_columns("calls")}
    finally:
        engine.dispose()

    store = backend.open()
    assert store.schema_revision == head_revision() == "0003"
    user = store.authenticate("ct_legacy-token-0123456789abcdef")
    assert user is not None and user.name == "a17"
    call = store.get_call("c-old")
    assert call.meta == {"old": True} and call.node_id is None
    assert call.started_at == when.replace(tzinfo=dt.UTC)
    assert [a.id for a in store.alerts_after(0)] == [41]
    assert store.add_alert(_alert("c-old")).id > 41
    assert store.mark_live_calls_interrupted() == ["c-old"]

    engine = backend.engine()
    try:
        indexes = {ix["name"] for ix in inspect(engine).get_indexes("alerts")}
        assert "ix_alerts_agent_id_id" in indexes
    finally:
        engine.dispose()


def test_schema_newer_than_code_is_refused(backend: Backend) -> None:
    backend.open().close()
    engine = backend.engine()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaTooNewError, match=r"9999.*newer calltone.*Upgrade calltone"):
        backend.open()


def test_orm_tables_match_the_migrations(backend: Backend) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from calltone.service.storage.tables import Base

    backend.open().close()
    engine = backend.engine()
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_file_is_tuned(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'sub' / 'calltone.db'}")  # creates the directory
    try:
        engine = store._engine
        with engine.connect() as conn:

            def pragma(name: str) -> Any:
                return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 1  # NORMAL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 5000
    finally:
        store.close()


def test_unreachable_database_gives_an_actionable_error() -> None:
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/test?connect_timeout=2"
    with pytest.raises(StorageUnavailableError, match=r"cannot open database.*server is running"):
        Store(url)
    with pytest.raises(StorageUnavailableError) as caught:
        Store(url)
    assert "secret" not in str(caught.value)  # passwords are masked


def test_records_are_frozen_and_json_safe(backend: Backend) -> None:
    store = backend.open()
    created = store.create_user("a17", "agent")
    call = store.start_call("c1", "a17", meta={"n": 1})
    with pytest.raises(AttributeError):
        call.state = "ended"  # type: ignore[misc]
    as_json: Callable[[Any], Any] = lambda r: json.loads(json.dumps(r.to_dict()))  # noqa: E731
    assert as_json(created)["token"] == created.token
    assert as_json(call)["started_at"] == call.started_at.isoformat()


def test_sqlite_writer_threads_take_turns_instead_of_racing_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a 1 ms busy timeout, eight threads writing at once would get "database is locked"
    # from SQLite's busy handler; taking turns in the process, every write goes through.
    from calltone.service.storage import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1)
    store = Store(f"sqlite:///{tmp_path / 'turns.db'}")
    for t in range(8):
        store.start_call(f"c{t}", f"agent{t}", meta={})
    start = threading.Barrier(8)
    errors: list[BaseException] = []
    ids: list[int] = []

    def write(t: int) -> None:
        start.wait()
        for i in range(30):
            try:
                ids.append(store.add_alert(_alert(f"c{t}", at_s=float(i))).id)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    store.close()
    assert errors == []
    assert sorted(ids) == list(range(min(ids), min(ids) + 240))
