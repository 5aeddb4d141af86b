"""The :class:`Store`: the service's single storage seam (SQLite file or PostgreSQL, same code).

Every method opens a short session, commits before it returns, and hands back frozen dataclass
records (never ORM objects), so callers may share one ``Store`` across threads and send what a
method returned knowing it is durable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Final

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import auth
from .db import (
    WRITE_OPTION,
    ConflictError,
    InvalidRecordError,
    NotFoundError,
    StorageError,
    check_reachable,
    create_engine_for_url,
    iso_utc,
    jsonable,
    lock_appends,
    migrate,
    safe_url,
    translate_operational_errors,
)
from .inputs import AUDIENCES, NewAlert, NewEvent, NewSegment
from .tables import (
    CALL_ID_CHARS,
    AgentProfile,
    Alert,
    AlertFeedback,
    Call,
    Event,
    FeedEntry,
    Scorecard,
    Segment,
    Token,
    User,
)
from .validation import (
    check_aware,
    check_choice,
    check_limit,
    check_name,
    check_seconds,
    check_text,
    json_dict,
)

ROLES: Final = ("agent", "supervisor", "trainer", "admin")
CALL_STATES: Final = ("live", "ended", "interrupted")
END_STATES: Final = ("ended", "interrupted")
FEED_KINDS: Final = ("call_started", "call_ended", "call_state", "alert", "ack")
STORE_WRITTEN_FEED_KINDS: Final = ("call_started", "call_ended", "alert", "ack")
"""Feed entries the store appends itself, in the same transaction as the change they report."""
SCORECARD_STATUSES: Final = ("queued", "running", "done", "failed")
_AUDIENCE_VIEWS: Final = {
    "agent": ("agent", "both"),
    "supervisor": ("supervisor", "both"),
    "both": ("both",),
}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- records ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Record:
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; datetimes as ISO-8601 UTC strings."""
        result: dict[str, Any] = jsonable(dataclasses.asdict(self))
        return result


@dataclasses.dataclass(frozen=True)
class UserRecord(_Record):
    id: int
    name: str
    role: str
    agent_id: str | None  # the user's name for agents, else None
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class CreatedUser(_Record):
    user: UserRecord
    token: str  # shown once; only its hash is stored


@dataclasses.dataclass(frozen=True)
class CallRecord(_Record):
    call_id: str
    agent_id: str
    state: str  # live | ended | interrupted
    meta: dict[str, Any]
    summary: dict[str, Any] | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    node_id: str | None  # the node that ran the call (multi-node deployments)


@dataclasses.dataclass(frozen=True)
class EventRecord(_Record):
    call_id: str
    id: str
    kind: str
    speaker: str | None
    start_s: float
    end_s: float
    evidence: dict[str, Any]
    extra: dict[str, Any]  # any further keys of the event dict, kept as given

    def to_dict(self) -> dict[str, Any]:
        """The event as in the analysis JSON (extra keys back at top level), plus ``call_id``."""
        base = super().to_dict()
        extra = base.pop("extra")
        return {**extra, **base}


@dataclasses.dataclass(frozen=True)
class SegmentRecord(_Record):
    id: int  # storage order within the store, increasing
    call_id: str
    speaker: str
    start_s: float
    end_s: float
    text: str
    words: list[Any]
    extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The segment as in the analysis JSON (extra keys back at top level), plus ids."""
        base = super().to_dict()
        extra = base.pop("extra")
        return {**extra, **base}


@dataclasses.dataclass(frozen=True)
class AlertRecord(_Record):
    id: int  # store-wide, strictly increasing, never reused
    call_id: str
    agent_id: str
    kind: str
    audience: str  # agent | supervisor | both
    at_s: float  # audio time in the call
    message: str
    tip: str
    source: dict[str, Any]  # the seed guidance it traces to
    event_ids: list[Any]
    thresholds: dict[str, Any]
    created_at: dt.datetime  # wall time it was stored
    acked_at: dt.datetime | None
    acked_by: str | None


@dataclasses.dataclass(frozen=True)
class FeedbackRecord(_Record):
    id: int
    alert_id: int
    by_user: str
    helpful: bool
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class FeedRecord(_Record):
    id: int  # store-wide, strictly increasing, never reused
    kind: str  # call_started | call_ended | call_state | alert | ack
    call_id: str | None
    payload: dict[str, Any]
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ScorecardRecord(_Record):
    job_id: str
    call_id: str | None
    agent_id: str | None
    status: str  # queued | running | done | failed
    scorecard_json: dict[str, Any] | None
    html: str | None
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class AgentProfileRecord(_Record):
    agent_id: str
    profile: dict[str, Any]  # the calltone.voice_profile/1 document (models/tone/profile.py)
    calls: int  # calls it was learnt from
    voiced_s: float  # seconds of the agent's voiced speech behind it
    updated_at: dt.datetime


def _agent_profile(row: AgentProfile) -> AgentProfileRecord:
    return AgentProfileRecord(row.agent_id, row.profile, row.calls, row.voiced_s, row.updated_at)


def _user(row: User) -> UserRecord:
    return UserRecord(row.id, row.name, row.role, row.agent_id, row.created_at)


def _call(row: Call) -> CallRecord:
    return CallRecord(
        row.call_id,
        row.agent_id,
        row.state,
        row.meta,
        row.summary,
        row.started_at,
        row.ended_at,
        row.node_id,
    )


def _event(row: Event) -> EventRecord:
    return EventRecord(
        row.call_id,
        row.event_id,
        row.kind,
        row.speaker,
        row.start_s,
        row.end_s,
        row.evidence,
        row.extra,
    )


def _segment(row: Segment) -> SegmentRecord:
    return SegmentRecord(
        row.id, row.call_id, row.speaker, row.start_s, row.end_s, row.text, row.words, row.extra
    )


def _alert(row: Alert) -> AlertRecord:
    return AlertRecord(
        row.id,
        row.call_id,
        row.agent_id,
        row.kind,
        row.audience,
        row.at_s,
        row.message,
        row.tip,
        row.source,
        row.event_ids,
        row.thresholds,
        row.created_at,
        row.acked_at,
        row.acked_by,
    )


def _feedback(row: AlertFeedback) -> FeedbackRecord:
    return FeedbackRecord(
        row.id, row.alert_id, row.by_user, row.helpful, row.comment, row.created_at, row.updated_at
    )


def _feed(row: FeedEntry) -> FeedRecord:
    return FeedRecord(row.id, row.kind, row.call_id, row.payload, row.created_at)


def _scorecard(row: Scorecard) -> ScorecardRecord:
    return ScorecardRecord(
        row.job_id,
        row.call_id,
        row.agent_id,
        row.status,
        row.scorecard_json,
        row.html,
        row.error,
        row.created_at,
        row.updated_at,
    )


def _expect(record: object, cls: type, what: str, maker: str) -> None:
    """Refuse an untyped record (a dict) with the constructor that makes the typed one."""
    if not isinstance(record, cls):
        raise InvalidRecordError(
            f"{what} must be a {cls.__name__}, got {type(record).__name__}; build it with "
            f"{maker}() or {cls.__name__}.from_dict()"
        )


# -- the store ----------------------------------------------------------------------------------


class Store:
    """Users, tokens, calls, events, transcripts, alerts, the supervisor feed and scorecards.

    ``Store(url)`` opens (creating if needed) the database and migrates it to the newest schema.
    ``node_id`` names this process in a multi-node deployment so that
    :meth:`mark_live_calls_interrupted` only touches the calls this node was running; ``clock``
    lets tests control wall time.
    """

    def __init__(
        self,
        url: str,
        *,
        node_id: str | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.url = url
        self.node_id = None if node_id is None else check_name(node_id, "node_id")
        self._clock = clock
        self._engine = create_engine_for_url(url)
        try:
            check_reachable(self._engine)
            with translate_operational_errors(url):
                self.schema_revision = migrate(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        self._read = sessionmaker(self._engine, expire_on_commit=False)
        self._write_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        # SQLite has one writer at a time; its busy handler retries with growing sleeps and no
        # queue, so with 16 storage threads one writer could wait out the busy timeout while
        # others kept winning (seen once on a loaded machine: "database is locked"). The
        # threads of this process take turns here instead; the busy timeout is then only for
        # other processes (calltone purge, a second server on the same file).
        self._write_turn: AbstractContextManager[Any] = (
            threading.RLock() if self._engine.dialect.name == "sqlite" else nullcontext()
        )

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"

    def close(self) -> None:
        """Release pooled connections (SQLite: lets the WAL be checkpointed into the file)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self) -> dt.datetime:
        return check_aware(self._clock(), "the store clock's time")

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with translate_operational_errors(self.url), self._read() as session:
            yield session

    @contextmanager
    def _writing(self, *, appends: bool = False) -> Iterator[Session]:
        """A write transaction, committed on exit. ``appends``: it adds alert or feed rows."""
        with (
            self._write_turn,
            translate_operational_errors(self.url),
            self._write_sessions.begin() as session,
        ):
            conn = session.connection()  # begins now (SQLite: BEGIN IMMEDIATE takes the lock)
            if appends:
                lock_appends(conn)
            yield session

    # -- users and tokens -----------------------------------------------------------------------

    def create_user(self, name: str, role: str) -> CreatedUser:
        """Add a user with a first token. An agent's ``agent_id`` is its name."""
        check_name(name, "user name")
        check_choice(role, "role", ROLES)
        token = auth.new_token()
        try:
            with self._writing() as session:
                now = self._now()
                if session.scalar(select(User.id).where(User.name == name)) is not None:
                    raise ConflictError(
                        f"user {name!r} already exists; pick another name, or issue_token({name!r})"
                        " for a new token"
                    )
                user = User(
                    name=name,
                    role=role,
                    agent_id=name if role == "agent" else None,
                    created_at=now,
                )
                session.add(user)
                session.flush()
                session.add(
                    Token(user_id=user.id, token_hash=auth.hash_token(token), created_at=now)
                )
                record = _user(user)
        except IntegrityError as exc:
            raise ConflictError(f"user {name!r} already exists; pick another name") from exc
        return CreatedUser(user=record, token=token)

    def get_user(self, name: str) -> UserRecord:
        with self._reading() as session:
            return _user(self._user_row(session, name))

    def list_users(self) -> list[UserRecord]:
        with self._reading() as session:
            return [_user(row) for row in session.scalars(select(User).order_by(User.name))]

    def delete_user(self, name: str) -> None:
        """Remove a user, all their tokens and (agents) their voice profile; calls and alerts
        stay: they belong to the centre, a voice profile is the person's."""
        with self._writing() as session:
            user = self._user_row(session, name)
            if user.agent_id is not None:
                session.execute(delete(AgentProfile).where(AgentProfile.agent_id == user.agent_id))
            session.delete(user)

    def issue_token(self, user_name: str) -> str:
        """A new token for an existing user; earlier tokens stay valid until revoked."""
        token = auth.new_token()
        with self._writing() as session:
            user = self._user_row(session, user_name)
            session.add(
                Token(user_id=user.id, token_hash=auth.hash_token(token), created_at=self._now())
            )
        return token

    def authenticate(self, token: str, *, max_age_s: float | None = None) -> UserRecord | None:
        """The user holding ``token``, or None for an unknown, malformed or revoked token, or
        one issued more than ``max_age_s`` ago (expired)."""
        if not isinstance(token, str) or not auth.looks_like_token(token):
            return None
        with self._reading() as session:
            found = session.execute(
                select(Token, User)
                .join(User, User.id == Token.user_id)
                .where(Token.token_hash == auth.hash_token(token))
            ).first()
            if found is None:
                return None
            token_row, user_row = found
            if token_row.revoked_at is not None or not auth.token_matches(
                token, token_row.token_hash
            ):
                return None
            if max_age_s is not None:
                issued = token_row.created_at
                if issued.tzinfo is None:  # SQLite hands back naive UTC
                    issued = issued.replace(tzinfo=dt.UTC)
                if (self._now() - issued).total_seconds() > max_age_s:
                    return None
            return _user(user_row)

    def revoke_token(self, token: str) -> bool:
        """Revoke ``token``; True if it was valid until now (False: unknown or already revoked)."""
        if not isinstance(token, str) or not auth.looks_like_token(token):
            return False
        with self._writing() as session:
            result = session.execute(
                update(Token)
                .where(Token.token_hash == auth.hash_token(token), Token.revoked_at.is_(None))
                .values(revoked_at=self._now())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _user_row(session: Session, name: str) -> User:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFoundError(f"no user named {name!r}; list_users() shows who exists")
        return user

    # -- calls ----------------------------------------------------------------------------------

    def start_call(
        self, call_id: str, agent_id: str, *, meta: Mapping[str, Any] | None = None
    ) -> CallRecord:
        """Record a new live call (and a ``call_started`` feed entry). Call ids are single-use."""
        check_name(call_id, "call_id", CALL_ID_CHARS)
        check_name(agent_id, "agent_id")
        meta_json = json_dict(meta or {}, "call meta")
        try:
            with self._writing(appends=True) as session:
                now = self._now()
                existing = session.get(Call, call_id)
                if existing is not None:
                    if existing.state == "live":
                        raise ConflictError(
                            f"call {call_id!r} is already live (started "
                            f"{iso_utc(existing.started_at)}); end it first or use a new call id"
                        )
                    raise ConflictError(
                        f"call {call_id!r} already ended ({existing.state}) and cannot be "
                        "restarted; use a new call id"
                    )
                row = Call(
                    call_id=call_id,
                    agent_id=agent_id,
                    state="live",
                    meta=meta_json,
                    summary=None,
                    started_at=now,
                    ended_at=None,
                    node_id=self.node_id,
                )
                session.add(row)
                session.add(
                    FeedEntry(
                        kind="call_started",
                        call_id=call_id,
                        payload={"agent_id": agent_id, "meta": meta_json},
                        created_at=now,
                    )
                )
                session.flush()
                record = _call(row)
        except IntegrityError as exc:
            raise ConflictError(
                f"call {call_id!r} was started concurrently elsewhere; use a new call id"
            ) from exc
        return record

    def end_call(
        self,
        call_id: str,
        *,
        state: str = "ended",
        summary: Mapping[str, Any] | None = None,
    ) -> CallRecord:
        """Close a live call as ``ended`` or ``interrupted`` (and append a ``call_ended`` entry)."""
        check_choice(state, "end state", END_STATES)
        summary_json = None if summary is None else json_dict(summary, "call summary")
        with self._writing(appends=True) as session:
            row = self._call_row(session, call_id)
            if row.state != "live":
                raise ConflictError(
                    f"call {call_id!r} already ended ({row.state} at "
                    f"{iso_utc(row.ended_at) if row.ended_at else '?'}); calls end once"
                )
            now = self._now()
            row.state = state
            row.summary = summary_json
            row.ended_at = now
            session.add(
                FeedEntry(
                    kind="call_ended",
                    call_id=call_id,
                    payload={"agent_id": row.agent_id, "state": state},
                    created_at=now,
                )
            )
            session.flush()
            return _call(row)

    def get_call(self, call_id: str) -> CallRecord:
        with self._reading() as session:
            return _call(self._call_row(session, call_id))

    def list_calls(
        self, agent_id: str | None = None, state: str | None = None, limit: int = 100
    ) -> list[CallRecord]:
        """Newest first."""
        query = select(Call)
        if agent_id is not None:
            query = query.where(Call.agent_id == agent_id)
        if state is not None:
            query = query.where(Call.state == check_choice(state, "call state", CALL_STATES))
        query = query.order_by(Call.started_at.desc(), Call.call_id).limit(check_limit(limit))
        with self._reading() as session:
            return [_call(row) for row in session.scalars(query)]

    def mark_live_calls_interrupted(self) -> list[str]:
        """At startup after a crash: close calls left live (this node's only, if ``node_id``)."""
        with self._writing(appends=True) as session:
            query = select(Call).where(Call.state == "live")
            if self.node_id is not None:
                query = query.where(Call.node_id == self.node_id)
            now = self._now()
            rows = list(session.scalars(query.order_by(Call.call_id)))
            for row in rows:
                row.state = "interrupted"
                row.ended_at = now
                session.add(
                    FeedEntry(
                        kind="call_ended",
                        call_id=row.call_id,
                        payload={
                            "agent_id": row.agent_id,
                            "state": "interrupted",
                            "reason": "the server restarted while the call was live",
                        },
                        created_at=now,
                    )
                )
            return [row.call_id for row in rows]

    @staticmethod
    def _call_row(session: Session, call_id: str) -> Call:
        row = session.get(Call, call_id)
        if row is None:
            raise NotFoundError(f"no call with id {call_id!r}; start_call() it first")
        return row

    # -- events and transcript ------------------------------------------------------------------

    def add_events(self, call_id: str, events: Sequence[NewEvent]) -> list[EventRecord]:
        """Store detector events; an event whose id the call already has is replaced (events
        can grow while a call is live)."""
        for index, event in enumerate(events):
            _expect(event, NewEvent, f"event #{index} of call {call_id!r}", "NewEvent.from_event")
        ids = [event.id for event in events]
        if len(set(ids)) != len(ids):
            raise InvalidRecordError(f"events for call {call_id!r} repeat an id: {ids}")
        with self._writing() as session:
            self._call_row(session, call_id)
            existing = {
                row.event_id: row
                for row in session.scalars(
                    select(Event).where(Event.call_id == call_id, Event.event_id.in_(ids))
                )
            }
            stored: list[Event] = []
            for event in events:
                values = {
                    "kind": event.kind,
                    "speaker": event.speaker,
                    "start_s": event.start_s,
                    "end_s": event.end_s,
                    "evidence": event.evidence,
                    "extra": event.extra,
                }
                row = existing.get(event.id)
                if row is None:
                    row = Event(call_id=call_id, event_id=event.id, **values)
                    session.add(row)
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                stored.append(row)
            session.flush()
            return [_event(row) for row in stored]

    def list_events(self, call_id: str) -> list[EventRecord]:
        """A call's events sorted by start time."""
        with self._reading() as session:
            self._call_row(session, call_id)
            query = (
                select(Event)
                .where(Event.call_id == call_id)
                .order_by(Event.start_s, Event.end_s, Event.event_id)
            )
            return [_event(row) for row in session.scalars(query)]

    def add_segment(self, call_id: str, segment: NewSegment) -> SegmentRecord:
        """Store one transcript segment."""
        _expect(
            segment, NewSegment, f"transcript segment of call {call_id!r}", "NewSegment.from_dict"
        )
        with self._writing() as session:
            self._call_row(session, call_id)
            row = Segment(
                call_id=call_id,
                speaker=segment.speaker,
                start_s=segment.start_s,
                end_s=segment.end_s,
                text=segment.text,
                words=segment.words,
                extra=segment.extra,
            )
            session.add(row)
            session.flush()
            return _segment(row)

    def list_segments(self, call_id: str) -> list[SegmentRecord]:
        """A call's transcript in time order."""
        with self._reading() as session:
            self._call_row(session, call_id)
            query = (
                select(Segment)
                .where(Segment.call_id == call_id)
                .order_by(Segment.start_s, Segment.id)
            )
            return [_segment(row) for row in session.scalars(query)]

    # -- alerts ---------------------------------------------------------------------------------

    def add_alert(self, alert: NewAlert) -> AlertRecord:
        """Store an alert and return it with its id; it is committed when this returns, so the
        caller may deliver it. Supervisor-visible alerts also get an ``alert`` feed entry.

        The alert's ``agent_id`` (None: the call's) must be the call's agent.
        """
        _expect(alert, NewAlert, "an alert", "NewAlert.from_alert")
        call_id = alert.call_id
        values = {
            "kind": alert.kind,
            "audience": alert.audience,
            "at_s": alert.at_s,
            "message": alert.message,
            "tip": alert.tip,
            "source": alert.source,
            "event_ids": alert.event_ids,
            "thresholds": alert.thresholds,
        }
        with self._writing(appends=True) as session:
            call = self._call_row(session, call_id)
            agent_id = call.agent_id if alert.agent_id is None else alert.agent_id
            if agent_id != call.agent_id:
                raise InvalidRecordError(
                    f"alert agent_id {agent_id!r} does not match call {call_id!r}, which belongs "
                    f"to agent {call.agent_id!r}; omit agent_id to use the call's"
                )
            now = self._now()
            row = Alert(call_id=call_id, agent_id=call.agent_id, created_at=now, **values)
            session.add(row)
            session.flush()  # assigns the id
            if row.audience in _AUDIENCE_VIEWS["supervisor"]:
                session.add(
                    FeedEntry(
                        kind="alert",
                        call_id=call_id,
                        payload={
                            "alert_id": row.id,
                            "kind": row.kind,
                            "agent_id": row.agent_id,
                            "audience": row.audience,
                            "at_s": row.at_s,
                            "message": row.message,
                        },
                        created_at=now,
                    )
                )
            return _alert(row)

    def recent_alerts(
        self,
        kinds: Sequence[str],
        *,
        since: dt.datetime | None = None,
        unacked: bool = False,
        limit: int = 200,
    ) -> list[AlertRecord]:
        """Alerts of ``kinds`` newest first, created at or after ``since``, only those nobody
        acknowledged if ``unacked``: what a supervisor board shows when it opens."""
        query = select(Alert).where(Alert.kind.in_(list(kinds)))
        if since is not None:
            query = query.where(Alert.created_at >= check_aware(since, "since"))
        if unacked:
            query = query.where(Alert.acked_at.is_(None))
        query = query.order_by(Alert.id.desc()).limit(check_limit(limit))
        with self._reading() as session:
            return [_alert(row) for row in session.scalars(query)]

    def get_alert(self, alert_id: int) -> AlertRecord:
        with self._reading() as session:
            return _alert(self._alert_row(session, alert_id))

    def alerts_after(
        self,
        after_id: int,
        *,
        agent_id: str | None = None,
        audience: str | None = None,
        call_id: str | None = None,
        limit: int = 500,
    ) -> list[AlertRecord]:
        """Alerts with id > ``after_id`` in id order: how a reconnecting client resumes.

        ``audience`` filters by viewer: "agent" gives agent and both, "supervisor" gives
        supervisor and both, "both" only both.
        """
        query = select(Alert).where(Alert.id > after_id)
        if agent_id is not None:
            query = query.where(Alert.agent_id == agent_id)
        if audience is not None:
            check_choice(audience, "audience", AUDIENCES)
            query = query.where(Alert.audience.in_(_AUDIENCE_VIEWS[audience]))
        if call_id is not None:
            query = query.where(Alert.call_id == call_id)
        query = query.order_by(Alert.id).limit(check_limit(limit))
        with self._reading() as session:
            return [_alert(row) for row in session.scalars(query)]

    def ack_alert(self, alert_id: int, *, by_user: str) -> AlertRecord:
        """Acknowledge an alert. Idempotent: the first ack's who/when is kept."""
        check_name(by_user, "by_user")
        with self._writing(appends=True) as session:
            row = self._alert_row(session, alert_id)
            now = self._now()
            # Conditional update: of two concurrent acks exactly one wins and writes the feed.
            result = session.execute(
                update(Alert)
                .where(Alert.id == alert_id, Alert.acked_at.is_(None))
                .values(acked_at=now, acked_by=by_user)
                .execution_options(synchronize_session=False)
            )
            session.refresh(row)
            first_ack = bool(result.rowcount)  # type: ignore[attr-defined]
            if first_ack and row.audience in _AUDIENCE_VIEWS["supervisor"]:
                session.add(
                    FeedEntry(
                        kind="ack",
                        call_id=row.call_id,
                        payload={
                            "alert_id": alert_id,
                            "by_user": by_user,
                            "acked_at": iso_utc(now),
                        },
                        created_at=now,
                    )
                )
            return _alert(row)

    def add_feedback(
        self, alert_id: int, *, by_user: str, helpful: bool, comment: str = ""
    ) -> FeedbackRecord:
        """Record whether an alert helped; a user's later feedback on the same alert replaces it."""
        check_name(by_user, "by_user")
        if not isinstance(helpful, bool):
            raise InvalidRecordError(f"helpful must be True or False, got {helpful!r}")
        check_text(comment, "feedback comment")
        try:
            with self._writing() as session:
                self._alert_row(session, alert_id)
                now = self._now()
                row = session.scalar(
                    select(AlertFeedback).where(
                        AlertFeedback.alert_id == alert_id, AlertFeedback.by_user == by_user
                    )
                )
                if row is None:
                    row = AlertFeedback(
                        alert_id=alert_id,
                        by_user=by_user,
                        helpful=helpful,
                        comment=comment,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                else:
                    row.helpful, row.comment, row.updated_at = helpful, comment, now
                session.flush()
                return _feedback(row)
        except IntegrityError as exc:
            raise ConflictError(
                f"feedback from {by_user!r} on alert {alert_id} was saved concurrently; retry"
            ) from exc

    def list_feedback(self, alert_id: int) -> list[FeedbackRecord]:
        with self._reading() as session:
            self._alert_row(session, alert_id)
            query = (
                select(AlertFeedback)
                .where(AlertFeedback.alert_id == alert_id)
                .order_by(AlertFeedback.id)
            )
            return [_feedback(row) for row in session.scalars(query)]

    @staticmethod
    def _alert_row(session: Session, alert_id: int) -> Alert:
        row = session.get(Alert, alert_id) if isinstance(alert_id, int) else None
        if row is None:
            raise NotFoundError(f"no alert with id {alert_id!r}; alerts_after(0) lists them")
        return row

    # -- supervisor feed ------------------------------------------------------------------------

    def add_feed_entry(
        self, kind: str, call_id: str | None, payload: Mapping[str, Any]
    ) -> FeedRecord:
        """Append a call-state entry (e.g. ``{"state": "customer_raised"}``) to the feed.

        call_started, call_ended, alert and ack entries are appended by start_call, end_call,
        add_alert and ack_alert in the same transaction as the change, so they are refused here.
        """
        check_choice(kind, "feed kind", FEED_KINDS)
        if kind in STORE_WRITTEN_FEED_KINDS:
            raise InvalidRecordError(
                f"feed kind {kind!r} is appended by the store itself (start_call, end_call, "
                "add_alert, ack_alert write call_started, call_ended, alert, ack); add only "
                "call_state entries here"
            )
        payload_json = json_dict(payload, "feed payload")
        with self._writing(appends=True) as session:
            if call_id is not None:
                self._call_row(session, call_id)
            row = FeedEntry(
                kind=kind, call_id=call_id, payload=payload_json, created_at=self._now()
            )
            session.add(row)
            session.flush()
            return _feed(row)

    def feed_after(self, after_id: int, limit: int = 500) -> list[FeedRecord]:
        """Feed entries with id > ``after_id`` in id order: how a supervisor board resumes."""
        query = select(FeedEntry).where(FeedEntry.id > after_id)
        query = query.order_by(FeedEntry.id).limit(check_limit(limit))
        with self._reading() as session:
            return [_feed(row) for row in session.scalars(query)]

    def last_feed_id(self) -> int:
        """The newest feed entry's id (0 if none): load a snapshot, then resume after it."""
        with self._reading() as session:
            return int(session.scalar(select(func.max(FeedEntry.id))) or 0)

    # -- scorecards -----------------------------------------------------------------------------

    def save_scorecard(
        self,
        job_id: str,
        *,
        call_id: str | None,
        agent_id: str | None,
        status: str,
        scorecard_json: Mapping[str, Any] | None = None,
        html: str | None = None,
        error: str | None = None,
    ) -> ScorecardRecord:
        """Create or update a scoring job's record (queued → running → done | failed)."""
        check_name(job_id, "job_id")
        check_choice(status, "scorecard status", SCORECARD_STATUSES)
        if status == "failed" and not error:
            raise InvalidRecordError(
                f"scorecard {job_id!r} is failed but has no error; say what went wrong"
            )
        values: dict[str, Any] = {
            "call_id": call_id,
            "agent_id": agent_id,
            "status": status,
            "scorecard_json": None
            if scorecard_json is None
            else json_dict(scorecard_json, "scorecard_json"),
            "html": None if html is None else check_text(html, "scorecard html"),
            "error": None if error is None else check_text(error, "scorecard error"),
        }
        try:
            with self._writing() as session:
                now = self._now()
                row = session.get(Scorecard, job_id)
                if row is None:
                    row = Scorecard(job_id=job_id, created_at=now, updated_at=now, **values)
                    session.add(row)
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.updated_at = now
                session.flush()
                return _scorecard(row)
        except IntegrityError as exc:
            raise ConflictError(f"scorecard {job_id!r} was created concurrently; retry") from exc

    def get_scorecard(self, job_id: str) -> ScorecardRecord:
        with self._reading() as session:
            row = session.get(Scorecard, job_id)
            if row is None:
                raise NotFoundError(f"no scorecard job {job_id!r}; list_scorecards() lists them")
            return _scorecard(row)

    def unfinished_scorecards(self) -> list[ScorecardRecord]:
        """Jobs still ``queued`` or ``running`` (at start-up: what a crash left behind)."""
        query = select(Scorecard).where(Scorecard.status.in_(("queued", "running")))
        with self._reading() as session:
            return [_scorecard(row) for row in session.scalars(query.order_by(Scorecard.job_id))]

    def list_scorecards(
        self, agent_id: str | None = None, limit: int = 100
    ) -> list[ScorecardRecord]:
        """Newest first."""
        query = select(Scorecard)
        if agent_id is not None:
            query = query.where(Scorecard.agent_id == agent_id)
        query = query.order_by(Scorecard.created_at.desc(), Scorecard.job_id).limit(
            check_limit(limit)
        )
        with self._reading() as session:
            return [_scorecard(row) for row in session.scalars(query)]

    # -- agent voice profiles -------------------------------------------------------------------

    def get_agent_profile(self, agent_id: str) -> AgentProfileRecord | None:
        """The agent's stored voice profile, or None if they have none yet."""
        with self._reading() as session:
            row = session.get(AgentProfile, check_name(agent_id, "agent_id"))
            return None if row is None else _agent_profile(row)

    def save_agent_profile(self, agent_id: str, profile: Mapping[str, Any]) -> AgentProfileRecord:
        """Create or replace the agent's voice profile (a ``calltone.voice_profile/1`` document,
        whose whole-number ``calls`` and ``voiced_s`` seconds are also kept as columns)."""
        check_name(agent_id, "agent_id")
        doc = json_dict(profile, "voice profile")
        calls, voiced_s = doc.get("calls"), doc.get("voiced_s")
        if isinstance(calls, bool) or not isinstance(calls, int) or calls < 1:
            raise InvalidRecordError(
                f"voice profile calls must be a whole number >= 1, not {calls!r}"
            )
        voiced = check_seconds(voiced_s, "voice profile voiced_s")
        try:
            with self._writing() as session:
                row = session.get(AgentProfile, agent_id)
                if row is None:
                    row = AgentProfile(agent_id=agent_id)
                    session.add(row)
                row.profile, row.calls, row.voiced_s = doc, calls, voiced
                row.updated_at = self._now()
                session.flush()
                return _agent_profile(row)
        except IntegrityError as exc:
            raise ConflictError(
                f"the voice profile of {agent_id!r} was created concurrently; retry"
            ) from exc

    def delete_agent_profile(self, agent_id: str) -> bool:
        """Forget the agent's voice profile (their next call starts from the generic prior);
        True if there was one."""
        with self._writing() as session:
            result = session.execute(
                delete(AgentProfile).where(
                    AgentProfile.agent_id == check_name(agent_id, "agent_id")
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- retention ------------------------------------------------------------------------------

    def delete_older_than(self, cutoff: dt.datetime) -> dict[str, int]:
        """Delete calls that ended before ``cutoff`` with their events, transcript, alerts,
        feedback and feed entries, finished scorecards (which quote the transcript) last
        updated before it, and agent voice profiles no call has updated since (an agent who
        left); live calls and queued or running scorecards are never touched.
        Returns rows deleted per table.

        Alert and feed ids are never reused afterwards, so resuming clients stay correct.
        """
        cutoff_utc = check_aware(cutoff, "cutoff")
        with self._writing() as session:
            old = (
                select(Call.call_id)
                .where(Call.state != "live", Call.ended_at < cutoff_utc)
                .scalar_subquery()
            )
            old_alerts = select(Alert.id).where(Alert.call_id.in_(old)).scalar_subquery()
            counts: dict[str, int] = {}
            for name, statement in (
                ("feedback", delete(AlertFeedback).where(AlertFeedback.alert_id.in_(old_alerts))),
                ("alerts", delete(Alert).where(Alert.call_id.in_(old))),
                ("events", delete(Event).where(Event.call_id.in_(old))),
                ("segments", delete(Segment).where(Segment.call_id.in_(old))),
                ("feed", delete(FeedEntry).where(FeedEntry.call_id.in_(old))),
                ("calls", delete(Call).where(Call.call_id.in_(old))),
                (
                    "scorecards",
                    delete(Scorecard).where(
                        Scorecard.status.in_(("done", "failed")),
                        Scorecard.updated_at < cutoff_utc,
                    ),
                ),
                (
                    "agent_profiles",
                    delete(AgentProfile).where(AgentProfile.updated_at < cutoff_utc),
                ),
            ):
                result = session.execute(statement.execution_options(synchronize_session=False))
                counts[name] = int(result.rowcount)  # type: ignore[attr-defined]
            return counts

    # -- diagnostics ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table, for health pages and tests."""
        tables = {
            "users": User,
            "tokens": Token,
            "calls": Call,
            "events": Event,
            "segments": Segment,
            "alerts": Alert,
            "feedback": AlertFeedback,
            "feed": FeedEntry,
            "scorecards": Scorecard,
            "agent_profiles": AgentProfile,
        }
        with self._reading() as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in tables.items()
            }


__all__ = [
    "AUDIENCES",
    "CALL_STATES",
    "FEED_KINDS",
    "ROLES",
    "SCORECARD_STATUSES",
    "AgentProfileRecord",
    "AlertRecord",
    "CallRecord",
    "ConflictError",
    "CreatedUser",
    "EventRecord",
    "FeedRecord",
    "FeedbackRecord",
    "InvalidRecordError",
    "NotFoundError",
    "ScorecardRecord",
    "SegmentRecord",
    "StorageError",
    "Store",
    "UserRecord",
]
