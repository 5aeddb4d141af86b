"""Agent voice profiles: an agent's baseline kept across calls.

An agent's voice (pitch centre and spread, level, pace, voice quality) is much the same from one
call to the next, so the live service stores each agent's baseline at the end of a call and the
next call starts from it: the agent is judged against their own voice from the first second
instead of a generic prior that a lively greeting can exceed. ``calltone profile build CALL...``
makes one from recordings; ``calltone analyze/score --agent-profile FILE`` use one.

The file format is JSON, ``{"schema": "calltone.voice_profile/1", "agent_id", "calls",
"voiced_s", "updated_at", "baseline": {...BaselineSnapshot fields...}}``; parsing is bounded and
every bad field is named in the error.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from calltone.audio.errors import CalltoneError
from calltone.models.tone.baseline import BaselineSnapshot

PROFILE_SCHEMA = "calltone.voice_profile/1"
MAX_PROFILE_BYTES = 64 * 1024
MIN_PROFILE_VOICED_S = 10.0
"""Seconds of the agent's own voiced speech a call needs before its baseline updates a profile."""

# Plausible ranges of each baseline number: a profile outside them is refused, not trusted.
_RANGES: dict[str, tuple[float, float]] = {
    "loudness_dbfs": (-120.0, 0.0),
    "pitch_st": (-24.0, 48.0),
    "pitch_spread_st": (0.0, 24.0),
    "syllable_rate_per_s": (0.0, 20.0),
    "tilt_db": (-60.0, 20.0),
    "voiced_s": (0.0, 1e7),
    "hnr_db": (-20.0, 40.0),
    "loudness_leq_dbfs": (-120.0, 0.0),
    "loudness_spread_db": (0.0, 60.0),
    "speech_leq_dbfs": (-120.0, 0.0),
    "loudness_upper_db": (0.0, 60.0),
}
# Fields a profile saved before they existed may lack (the snapshot falls back on another).
_OPTIONAL = ("loudness_leq_dbfs", "speech_leq_dbfs", "loudness_upper_db")
# One call's state and level histogram, not the agent's: never saved in a profile; a profile's
# snapshot holds these values in their place.
_PROFILE_PER_CALL: dict[str, Any] = {
    "own_voiced_s": None,
    "from_profile": False,
    "settled": True,
    "speech_top_heard_dbfs": None,
    "speech_quantiles_over_level_db": None,
    "loudness_local_dbfs": None,
    "pitch_spread_robust_st": None,
    "speech_median_over_level_db": None,
}
_PER_CALL = tuple(_PROFILE_PER_CALL)


class ProfileError(CalltoneError):
    """A voice profile that cannot be read or does not fit the schema."""


@dataclass(frozen=True)
class VoiceProfile:
    """One agent's saved baseline.

    Attributes
    ----------
    agent_id : str
        Whose voice it is.
    baseline : BaselineSnapshot
        The baseline a call starts from.
    calls : int
        Calls it was built from.
    voiced_s : float
        Seconds of voiced speech behind it, over all those calls.
    updated_at : str
        ISO-8601 UTC time of the last update.
    """

    agent_id: str
    baseline: BaselineSnapshot
    calls: int = 1
    voiced_s: float = 0.0
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        b = asdict(self.baseline)
        for key in _PER_CALL:
            b.pop(key, None)
        return {
            "schema": PROFILE_SCHEMA,
            "agent_id": self.agent_id,
            "calls": self.calls,
            "voiced_s": round(self.voiced_s, 2),
            "updated_at": self.updated_at,
            "baseline": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in b.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "profile") -> VoiceProfile:
        if not isinstance(data, dict):
            raise ProfileError(
                f"{source}: a voice profile is a JSON object; rebuild it with "
                "`calltone profile build`"
            )
        if data.get("schema") != PROFILE_SCHEMA:
            raise ProfileError(
                f"{source}: schema {data.get('schema')!r} is not {PROFILE_SCHEMA!r}; rebuild it "
                "with `calltone profile build`"
            )
        agent_id = data.get("agent_id")
        if not isinstance(agent_id, str) or not agent_id or len(agent_id) > 200:
            raise ProfileError(f"{source}: agent_id must be a non-empty string")
        raw = data.get("baseline")
        if not isinstance(raw, dict):
            raise ProfileError(f"{source}: 'baseline' must be an object of numbers")
        names = {f.name for f in fields(BaselineSnapshot)}
        values: dict[str, Any] = {}
        for key, (lo, hi) in _RANGES.items():
            v = raw.get(key)
            if key in _OPTIONAL and v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ProfileError(f"{source}: baseline.{key} must be a finite number, not {v!r}")
            if not lo <= v <= hi:
                raise ProfileError(
                    f"{source}: baseline.{key} = {v} is outside the plausible range "
                    f"[{lo}, {hi}]; rebuild the profile from the agent's calls"
                )
            values[key] = float(v)
        unknown = set(raw) - names
        if unknown:
            raise ProfileError(f"{source}: unknown baseline field(s) {sorted(unknown)}")
        calls = data.get("calls", 1)
        voiced = data.get("voiced_s", values["voiced_s"])
        if isinstance(calls, bool) or not isinstance(calls, int) or calls < 1:
            raise ProfileError(f"{source}: calls must be a positive whole number")
        if isinstance(voiced, bool) or not isinstance(voiced, int | float) or voiced < 0:
            raise ProfileError(f"{source}: voiced_s must be a number >= 0")
        return cls(
            agent_id=agent_id,
            baseline=BaselineSnapshot(settled=True, **values),
            calls=calls,
            voiced_s=float(voiced),
            updated_at=str(data.get("updated_at", ""))[:64],
        )

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "profile") -> VoiceProfile:
        if len(text) > MAX_PROFILE_BYTES:
            raise ProfileError(
                f"{source}: {len(text)} bytes is too large for a voice profile "
                f"(at most {MAX_PROFILE_BYTES}); pass a calltone profile file"
            )
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ProfileError(
                f"{source}: not valid JSON ({exc}); pass a calltone profile file"
            ) from None
        return cls.from_dict(data, source=source)

    @classmethod
    def load(cls, path: str | Path) -> VoiceProfile:
        p = Path(path)
        try:
            with open(p, "rb") as fh:
                text = fh.read(MAX_PROFILE_BYTES + 1)
        except FileNotFoundError:
            raise ProfileError(
                f"{p}: no such voice profile; check the --agent-profile path "
                "or build one with `calltone profile build`"
            ) from None
        except OSError as exc:
            raise ProfileError(f"{p}: cannot read the voice profile ({exc.strerror})") from None
        return cls.from_json(text, source=str(p))


def profile_from_baseline(
    agent_id: str, baseline: BaselineSnapshot, *, previous: VoiceProfile | None = None
) -> VoiceProfile | None:
    """A profile from one call's final agent baseline, merged into ``previous`` if given.

    Calls with less than 10 s of the agent's own voiced speech are not enough to learn a voice
    from: ``previous`` is returned unchanged (or None). Merging weights each side by its voiced
    seconds, the older profile capped at 600 s so a voice that changes (a cold, a new headset)
    is followed within a few calls.
    """
    own_s = baseline.own_s
    if own_s < MIN_PROFILE_VOICED_S:
        return previous
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if previous is None:
        snap = BaselineSnapshot(**{**asdict(baseline), "voiced_s": own_s, **_PROFILE_PER_CALL})
        return VoiceProfile(agent_id, snap, calls=1, voiced_s=own_s, updated_at=now)
    w_old = min(previous.voiced_s, 600.0)
    w_new = own_s
    a, b = asdict(previous.baseline), asdict(baseline)
    merged: dict[str, Any] = {}
    for key in _RANGES:
        if key == "voiced_s":
            continue
        if key == "loudness_upper_db":
            # The top of the agent's range: a side that does not know it (a profile saved
            # before it existed) leaves the other's; neither: not known.
            sides = [(w, v[key]) for w, v in ((w_old, a), (w_new, b)) if v.get(key) is not None]
            if sides:
                merged[key] = sum(w * v for w, v in sides) / sum(w for w, _ in sides)
            continue
        va = float(a[key] if a.get(key) is not None else _fallback(previous.baseline, key))
        vb = float(b[key] if b.get(key) is not None else _fallback(baseline, key))
        merged[key] = (w_old * va + w_new * vb) / (w_old + w_new)
    total = previous.voiced_s + own_s
    snap = BaselineSnapshot(voiced_s=total, settled=True, **merged)
    return VoiceProfile(agent_id, snap, calls=previous.calls + 1, voiced_s=total, updated_at=now)


def _fallback(b: BaselineSnapshot, key: str) -> float:
    """The value an optional level field stands for when a profile lacks it."""
    return b.speech_level_dbfs if key == "speech_leq_dbfs" else b.leq_dbfs
