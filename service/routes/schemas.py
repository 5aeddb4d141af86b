"""Request and response bodies of the REST API (what /docs shows)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field

MAX_ID = 2**31 - 1
"""The largest alert or feed id storage can hold (a 32-bit INTEGER column in PostgreSQL; SQLite
overflows past 2**63): a larger one in a request is refused with 422, not a database error."""

AlertIdPath = Annotated[
    int, Path(ge=1, le=MAX_ID, description=f"an alert id (1 to {MAX_ID}) from GET /v1/alerts")
]
AfterQuery = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_ID,
        description=f"return items with id > after (0 to {MAX_ID}): the last id a client saw",
    ),
]


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    agent_id: str | None
    created_at: dt.datetime


class UserIn(BaseModel):
    name: str = Field(
        ..., description="letters, digits and . _ @ -; an agent's name is its agent_id"
    )
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
    alert_latency_parts: dict[str, dict[str, float | int | None]] = Field(
        default_factory=dict,
        description="where that latency goes, each part's p50/p95: wait_ms (for the analysis "
        "step), analysis_ms (worker, queue included), store_ms, send_ms",
    )
    analysis_batch_ms: float
    transcription: bool
    transcription_backlog: int
    bus: str
    feeds: int = Field(0, description="agent-alert and supervisor feed sockets open now")
    feeds_cut_slow: int = Field(
        0, description="feeds closed since start-up because the client stopped reading"
    )
    tasks: int = Field(0, description="asyncio tasks on the server's event loop")


def document_errors(app: FastAPI) -> None:
    """Make the spec say what a 422 really holds.

    FastAPI documents every 422 as its list of validation errors, which is what a request that
    does not match the declared types gets; calltone's own checks (the store's
    ``InvalidRecordError``, a route's ``HTTPException(422, ...)``) answer ``{"detail": "<what is
    wrong and how to fix it>"}``. The spec's ``HTTPValidationError.detail`` becomes "a message or
    that list", so clients and schemathesis' response checks see what the routes send.
    """
    spec: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not spec:
            spec.update(FastAPI.openapi(app))
            error = spec.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                listed = {k: v for k, v in error["properties"]["detail"].items() if k != "title"}
                message = {"type": "string", "description": "what is wrong and how to fix it"}
                error["properties"]["detail"] = {"title": "Detail", "anyOf": [message, listed]}
            app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
