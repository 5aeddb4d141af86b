"""Request and response bodies of the REST API (what /docs shows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    agent_id: str | None
    created_at: dt.datetime


class UserIn(BaseModel):
    name: str = Field(..., description="letters, digits and . _ @ -; an agent's name is its agent_id")
    role: str = Field(..., description="agent, supervisor, trainer or admin")


class CreatedUserOut(BaseModel):
    user: UserOut
    token: str = Field(..., description="shown once; only its hash is stored")


class TokenOut(BaseModel):
    token: str


class RevokeIn(BaseModel):
    token: str


class RevokedOut(BaseModel):
    revoked: bool


class CallOut(BaseModel):
    call_id: str
    agent_id: str
    state: str = Field(..., description="live, ended or interrupted")
    meta: dict[str, Any]
    summary: dict[str, Any] | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    node_id: str | None


class AlertOut(BaseModel):
    id: int = Field(..., description="store-wide, increasing: resume feeds with after=id")
    call_id: str
    agent_id: str
    kind: str
    audience: str
    at_s: float
    message: str
    tip: str
    source: dict[str, Any]
    event_ids: list[Any]
    thresholds: dict[str, Any]
    created_at: dt.datetime
    acked_at: dt.datetime | None
    acked_by: str | None


class CallDetail(BaseModel):
    call: CallOut
    events: list[dict[str, Any]]
    alerts: list[AlertOut]
    segments: list[dict[str, Any]]


class FeedbackIn(BaseModel):
    helpful: bool
    comment: str = Field("", max_length=2000)


class FeedbackOut(BaseModel):
    id: int
    alert_id: int
    by_user: str
    helpful: bool
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime


class FeedEntryOut(BaseModel):
    id: int
    kind: str
    call_id: str | None
    payload: dict[str, Any]
    created_at: dt.datetime


class Health(BaseModel):
    status: str
    live_calls: int
    alert_latency: dict[str, float | int | None] = Field(
        ..., description="frame arrival to alert sent, recent acoustic alerts (n, p50_ms, p95_ms)"
    )
    analysis_batch_ms: float
    transcription: bool
    transcription_backlog: int
    bus: str
