"""Agent voice profiles in the live service: load one when a call starts, update it at the end.

An agent's voice is much the same from call to call, so each live call's agent baseline starts
from the profile their earlier calls learnt (models/profile.py) instead of the generic prior that
a lively greeting can exceed, and the call's final agent baseline is merged back into it. Calls
with under 10 s of the agent's voiced speech leave the profile as it was; calls without an agent
channel never touch it. ``CALLTONE_VOICE_PROFILES=false`` switches all of this off.

Storage failures here never fail a call: the call runs (or ends) without the profile and the
problem is logged.
"""

from __future__ import annotations

import logging

from audio.errors import CalltoneError
from models.baseline import BaselineSnapshot
from models.profile import ProfileError, VoiceProfile, profile_from_baseline
from service.storage import Store

log = logging.getLogger("calltone.profiles")


def load_agent_profile(store: Store, agent_id: str) -> VoiceProfile | None:
    """The agent's stored profile, or None (none yet, unreadable, or storage unavailable)."""
    try:
        record = store.get_agent_profile(agent_id)
    except CalltoneError as exc:
        log.warning("voice profile of %r not loaded, the call starts without it: %s", agent_id, exc)
        return None
    if record is None:
        return None
    try:
        return VoiceProfile.from_dict(record.profile, source=f"stored voice profile of {agent_id}")
    except ProfileError as exc:
        log.warning("%s; the call starts without it (DELETE it to start afresh)", exc)
        return None


def update_agent_profile(
    store: Store, agent_id: str, baseline: BaselineSnapshot | None
) -> VoiceProfile | None:
    """Merge a finished call's agent baseline into the stored profile and save it.

    Returns the saved profile, or None when nothing was saved: no agent channel (``baseline``
    None), too little of the agent's speech, or a storage failure (logged). The stored profile
    is read again here rather than taken from the call's start, so a reset (DELETE) during the
    call is respected.
    """
    if baseline is None:
        return None
    previous = load_agent_profile(store, agent_id)
    updated = profile_from_baseline(agent_id, baseline, previous=previous)
    if updated is None or updated is previous:
        return None
    try:
        store.save_agent_profile(agent_id, updated.to_dict())
    except CalltoneError as exc:
        log.warning("voice profile of %r not saved: %s", agent_id, exc)
        return None
    return updated
