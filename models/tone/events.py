"""The event type every detector emits, and the JSON shape of DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["yelling", "interruption", "agent_tone", "dead_air", "phrase"]
Speaker = Literal["agent", "customer", "both", "none"]


def r2(x: float | None) -> float | None:
    """Round a time or level for output (0.01 resolution)."""
    return None if x is None else round(float(x), 2)


@dataclass
class Event:
    """Something that happened in a call over a span of audio time.

    An event is emitted *open* (``end_s`` is None) as soon as it is certain, so a live alert need
    not wait for it to end, and emitted again when it closes. Its id is derived from its kind,
    speaker and start, so the same audio gives the same ids however it was chunked.
    """

    kind: str
    speaker: str
    start_s: float
    end_s: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        # Phrase cues can start on the same word (blame passing and negative phrasing in
        # "that's not my fault"), so their cue kind is part of the id.
        kind = (
            f"{self.kind}-{self.evidence['cue']}"
            if self.kind == "phrase" and "cue" in self.evidence
            else self.kind
        )
        return f"{kind}-{self.speaker}-{round(self.start_s * 100):07d}"

    @property
    def is_open(self) -> bool:
        return self.end_s is None

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "speaker": self.speaker,
            "start_s": r2(self.start_s),
            "end_s": r2(self.end_s),
            "open": self.is_open,
            "evidence": {**_round_floats(self.evidence), "thresholds": dict(self.thresholds)},
        }


def _round_floats(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float):
            out[k] = round(v, 2)
        elif isinstance(v, dict):
            out[k] = _round_floats(v)
        else:
            out[k] = v
    return out
