"""Agent voice profiles in the live service: load one when a call starts, update it at the end.

An agent's voice is much the same from call to call, so each live call's agent baseline starts
from the profile their earlier calls learnt (models/tone/profile.py) instead of the generic prior that
a lively greeting can exceed, and the call's final agent baseline is merged back into it. Calls
with under 10 s of the agent's voiced speech leave the profile as it was; calls without an agent
channel never touch it. ``CALLTONE_VOICE_PROFILES=false`` switches all of this off.

``calltone profile build`` (:func:`build_profile`) makes the same profile from recordings.

Storage failures here never fail a call: the call runs (or ends) without the profile and the
problem is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from calltone.audio.errors import CalltoneError
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.profile import (
    MIN_PROFILE_VOICED_S,
    ProfileError,
    VoiceProfile,
    profile_from_baseline,
)
from calltone.service.storage import Store

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


# -- building a profile from recordings (calltone profile build) ---------------------------------


@dataclass(frozen=True)
class CallContribution:
    """What one recording gave a profile being built."""

    path: str
    baseline: BaselineSnapshot | None = None
    """The call's final agent baseline (None: the call failed or has no agent channel)."""
    used: bool = False
    """Its baseline went into the profile (enough of the agent's voiced speech)."""
    error: str | None = None

    def line(self) -> str:
        """One line for the terminal: what the call gave, or why it gave nothing."""
        if self.error is not None:
            return f"{self.path}\terror: {self.error}"
        b = self.baseline
        if b is None:
            return f"{self.path}\tskipped: no agent channel"
        own = f"agent voiced {b.own_s:.1f} s"
        if not self.used:
            return (
                f"{self.path}\tskipped: {own}, a call needs {MIN_PROFILE_VOICED_S:g} s of the "
                "agent's voiced speech"
            )
        return (
            f"{self.path}\tused: {own}, pitch {b.pitch_hz:.0f} Hz (spread "
            f"{b.pitch_spread_st:.1f} st), level {b.loudness_dbfs:.1f} dBFS (spread "
            f"{b.loudness_spread_db:.1f} dB), {b.syllable_rate_per_s:.1f} syllables/s"
        )


def build_profile(
    paths: Sequence[str | Path],
    agent_id: str,
    *,
    agent_channel: int | None = None,
    customer_channel: int | None = None,
    config: AnalysisConfig | None = None,
    max_decoded_bytes: int | None = None,
    on_call: Callable[[CallContribution], None] | None = None,
) -> tuple[VoiceProfile | None, list[CallContribution]]:
    """An agent's voice profile from recordings of their calls (acoustic analysis only).

    Each call is analysed on its own from the generic prior, as a first live call would be, and
    its final agent baseline merged into the profile (:func:`models.tone.profile.profile_from_baseline`:
    weighted by voiced seconds; calls with under ``MIN_PROFILE_VOICED_S`` of the agent's voiced
    speech are skipped). A recording that cannot be read is reported and skipped. Returns the
    profile (None if no call had enough of the agent's speech) and what each call gave, in order;
    ``on_call`` hears each as it is done.
    """
    from calltone.models.recorded.analysis import AnalyzeOptions, analyze_file

    options = AnalyzeOptions(
        agent_channel=agent_channel,
        customer_channel=customer_channel,
        max_decoded_bytes=max_decoded_bytes,
    )
    cfg = config or AnalysisConfig()
    profile: VoiceProfile | None = None
    out: list[CallContribution] = []
    for path in paths:
        try:
            _, session = analyze_file(path, options=options, config=cfg)
        except CalltoneError as exc:
            done = CallContribution(str(path), error=str(exc))
        else:
            analysis = session.analysis
            baseline = analysis.baselines.get("agent") if analysis.roles.agent is not None else None
            merged = (
                profile_from_baseline(agent_id, baseline, previous=profile)
                if baseline is not None
                else profile
            )
            used = merged is not None and merged is not profile
            profile = merged
            done = CallContribution(str(path), baseline=baseline, used=used)
        out.append(done)
        if on_call is not None:
            on_call(done)
    return profile, out
