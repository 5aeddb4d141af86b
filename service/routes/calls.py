"""Calls with their events, alerts and transcript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from calltone.service.deps import (
    CurrentUser,
    StoreDep,
    alert_for,
    check_agent_access,
    hidden,
    may_see_agent,
    may_see_alert,
)
from calltone.service.routes.schemas import CallDetail, CallOut

router = APIRouter(prefix="/v1/calls", tags=["calls"])


@router.get("", response_model=list[CallOut])
def list_calls(
    user: CurrentUser,
    store: StoreDep,
    agent_id: str | None = None,
    state: Annotated[str | None, Query(description="live, ended or interrupted")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> object:
    """Newest first. Agents get only their own calls."""
    if user.role == "agent":
        check_agent_access(user, agent_id or str(user.agent_id))
        agent_id = user.agent_id
    return [c.to_dict() for c in store.list_calls(agent_id=agent_id, state=state, limit=limit)]


@router.get("/{call_id}", response_model=CallDetail)
def get_call(call_id: str, user: CurrentUser, store: StoreDep) -> object:
    call = store.get_call(call_id)
    if not may_see_agent(user, call.agent_id):
        raise hidden(f"no call with id {call_id!r}; start_call() it first")
    alerts = []
    after = 0
    while True:
        page = store.alerts_after(after, call_id=call_id, limit=500)
        alerts += [alert_for(user, a) for a in page if may_see_alert(user, a)]
        if len(page) < 500:
            break
        after = page[-1].id
    return {
        "call": call.to_dict(),
        "events": [e.to_dict() for e in store.list_events(call_id)],
        "alerts": alerts,
        "segments": [s.to_dict() for s in store.list_segments(call_id)],
    }
