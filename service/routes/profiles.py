"""Agent voice profiles: read one (supervisors, admins, the agent themself) or reset it.

The profile is the ``calltone.voice_profile/1`` document (models/tone/profile.py), the same format as
``calltone profile build`` writes, so ``GET`` output saved to a file works with
``calltone analyze --agent-profile FILE``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from calltone.service.deps import StoreDep, SupervisorUser, require_role
from calltone.service.storage import NotFoundError, UserRecord

router = APIRouter(prefix="/v1/agents", tags=["profiles"])

ProfileReader = Annotated[UserRecord, Depends(require_role("agent", "supervisor", "admin"))]
"""Who may read a profile at all (the 403 words the roles as every other route does)."""


class VoiceProfileOut(BaseModel):
    """A stored voice profile (models/tone/profile.py, docs/voice-profiles.md)."""

    model_config = {"extra": "allow"}

    schema_: str = Field(..., alias="schema", description="calltone.voice_profile/1")
    agent_id: str
    calls: int = Field(..., description="calls it was learnt from")
    voiced_s: float = Field(..., description="seconds of the agent's voiced speech behind it")
    updated_at: str = Field(..., description="ISO-8601 UTC time of the last update")
    baseline: dict[str, float | None] = Field(
        ..., description="the baseline the agent's next call starts from (units in the names)"
    )


@router.get(
    "/{agent_id}/profile",
    response_model=VoiceProfileOut,
    response_model_by_alias=True,
    responses={404: {"description": "the agent has no voice profile yet"}},
)
def get_profile(agent_id: str, user: ProfileReader, store: StoreDep) -> object:
    """The agent's voice profile. Agents read only their own; supervisors and admins anyone's."""
    if user.role == "agent" and user.agent_id != agent_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"agent {user.name!r} can read only their own voice profile, not {agent_id!r}",
        )
    record = store.get_agent_profile(agent_id)
    if record is None:
        raise NotFoundError(
            f"agent {agent_id!r} has no voice profile yet; one is saved at the end of their "
            "first live call with at least 10 s of their voiced speech"
        )
    return record.profile


@router.delete(
    "/{agent_id}/profile",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "the agent has no voice profile"}},
)
def reset_profile(agent_id: str, _: SupervisorUser, store: StoreDep) -> None:
    """Reset the agent's voice profile: their next call starts from the generic prior and
    learns a new one (a new headset, a voice that changed)."""
    if not store.delete_agent_profile(agent_id):
        raise NotFoundError(f"agent {agent_id!r} has no voice profile to reset")
