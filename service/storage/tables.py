"""ORM tables (the schema at migration head).

The migrations in ``migrations/versions`` create this schema; ``tests/test_storage.py`` checks the
two agree. Change both together: add a revision, then edit the classes here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .db import as_utc

NAME_CHARS = 100
"""Longest user name, agent id, event id or job id."""
CALL_ID_CHARS = 200
"""Longest call id (softphones use UUIDs or PBX ids; leave room)."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Named constraints, so SQLite batch migrations can find and alter them later."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else as_utc(value)


JSONDoc = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL (indexable, compact); Python None is SQL NULL."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONDoc,
    }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(String(NAME_CHARS))
    created_at: Mapped[dt.datetime]


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Call(Base):
    __tablename__ = "calls"

    call_id: Mapped[str] = mapped_column(String(CALL_ID_CHARS), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(NAME_CHARS), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    meta: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any] | None]
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    node_id: Mapped[str | None] = mapped_column(String(NAME_CHARS))  # revision 0002


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("call_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.call_id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(NAME_CHARS))
    kind: Mapped[str] = mapped_column(String(50))
    speaker: Mapped[str | None] = mapped_column(String(20))  # None: neither party (dead air)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]]
    extra: Mapped[dict[str, Any]]


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.call_id", ondelete="CASCADE"), index=True
    )
    speaker: Mapped[str] = mapped_column(String(20))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(JSONDoc)
    extra: Mapped[dict[str, Any]]


class Alert(Base):
    __tablename__ = "alerts"
    # AUTOINCREMENT: SQLite must never reuse the id of a deleted newest alert, or a client
    # resuming "after id N" would skip a new alert that took the old number.
    __table_args__ = (
        Index("ix_alerts_agent_id_id", "agent_id", "id"),  # revision 0002
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.call_id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str] = mapped_column(String(NAME_CHARS))
    kind: Mapped[str] = mapped_column(String(50))
    audience: Mapped[str] = mapped_column(String(20))
    at_s: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    tip: Mapped[str] = mapped_column(Text)
    source: Mapped[dict[str, Any]]
    event_ids: Mapped[list[Any]] = mapped_column(JSONDoc)
    thresholds: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    acked_at: Mapped[dt.datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(NAME_CHARS))


class AlertFeedback(Base):
    __tablename__ = "alert_feedback"
    __table_args__ = (UniqueConstraint("alert_id", "by_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    by_user: Mapped[str] = mapped_column(String(NAME_CHARS))
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class FeedEntry(Base):
    __tablename__ = "feed"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused; see Alert

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    call_id: Mapped[str | None] = mapped_column(String(CALL_ID_CHARS), index=True)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class Scorecard(Base):
    __tablename__ = "scorecards"

    job_id: Mapped[str] = mapped_column(String(NAME_CHARS), primary_key=True)
    call_id: Mapped[str | None] = mapped_column(String(CALL_ID_CHARS))
    agent_id: Mapped[str | None] = mapped_column(String(NAME_CHARS), index=True)
    status: Mapped[str] = mapped_column(String(20))
    scorecard_json: Mapped[dict[str, Any] | None]
    html: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class AgentProfile(Base):
    """An agent's voice profile (revision 0003): the baseline their next call starts from."""

    __tablename__ = "agent_profiles"

    agent_id: Mapped[str] = mapped_column(String(NAME_CHARS), primary_key=True)
    profile: Mapped[dict[str, Any]]  # the calltone.voice_profile/1 document
    calls: Mapped[int] = mapped_column(Integer)
    voiced_s: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[dt.datetime]
