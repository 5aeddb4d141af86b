"""Alerts: list and resume, acknowledge a flag, and say whether an alert helped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from calltone.service.deps import (
    CurrentUser,
    HubDep,
    StoreDep,
    SupervisorUser,
    alert_for,
    check_agent_access,
    hidden,
    may_see_alert,
)
from calltone.service.routes.schemas import (
    AfterQuery,
    AlertIdPath,
    AlertOut,
    FeedbackIn,
    FeedbackOut,
)
from calltone.service.storage import AlertRecord, Store, UserRecord

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


@router.get("", response_model=list[AlertOut])
def list_alerts(
    user: CurrentUser,
    store: StoreDep,
    after: AfterQuery = 0,
    agent_id: str | None = None,
    call_id: str | None = None,
    audience: Annotated[str | None, Query(description="agent, supervisor or both")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> object:
    """Alerts in id order; agents get only their own, and only those meant for agents."""
    if user.role == "agent":
        check_agent_access(user, agent_id or str(user.agent_id))
        agent_id = user.agent_id
        audience = "agent"  # agent and both: supervisor-only flags are not theirs to read
    records = store.alerts_after(
        after, agent_id=agent_id, audience=audience, call_id=call_id, limit=limit
    )
    return [alert_for(user, a) for a in records]


def _visible_alert(store: Store, user: UserRecord, alert_id: int) -> AlertRecord:
    alert = store.get_alert(alert_id)
    if not may_see_alert(user, alert):
        raise hidden(f"no alert with id {alert_id!r}; alerts_after(0) lists them")
    return alert


@router.get("/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertIdPath, user: CurrentUser, store: StoreDep) -> object:
    return alert_for(user, _visible_alert(store, user, alert_id))


@router.post("/{alert_id}/ack", response_model=AlertOut)
async def ack_alert(alert_id: AlertIdPath, user: SupervisorUser, hub: HubDep) -> object:
    """A supervisor takes a flag (idempotent: the first ack's who and when are kept)."""
    record = await hub.io(hub.store.ack_alert, alert_id, by_user=user.name)
    await hub.announce_feed()  # the ack is on the supervisor feed
    return record.to_dict()


@router.post("/{alert_id}/feedback", response_model=FeedbackOut)
def add_feedback(
    alert_id: AlertIdPath, body: FeedbackIn, user: CurrentUser, store: StoreDep
) -> object:
    """Was this alert helpful? A later answer from the same user replaces the earlier one."""
    _visible_alert(store, user, alert_id)
    return store.add_feedback(
        alert_id, by_user=user.name, helpful=body.helpful, comment=body.comment
    ).to_dict()


@router.get("/{alert_id}/feedback", response_model=list[FeedbackOut])
def list_feedback(alert_id: AlertIdPath, user: CurrentUser, store: StoreDep) -> object:
    _visible_alert(store, user, alert_id)
    records = store.list_feedback(alert_id)
    if user.role == "agent":  # an agent sees their own answers only
        records = [r for r in records if r.by_user == user.name]
    return [r.to_dict() for r in records]
