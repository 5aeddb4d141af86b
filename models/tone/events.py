"""The event type every detector emits, and the JSON shape of docs/DESIGN.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

EventKind = Literal["yelling", "interruption", "agent_tone", "dead_air", "phrase", "rushing"]
"""Every kind of event calltone emits: the acoustic detectors' (yelling, interruption, agent
tone, dead air), the transcript's phrase cues (which cue: ``evidence["cue"]``) and agent
rushing (pace from the transcript)."""
Speaker = Literal["agent", "customer", "both", "none"]


def r2(x: float | None) -> float | None:
    """Round a time or level for output (0.01 resolution)."""
    return None if x is None else round(float(x), 2)


@dataclass(frozen=True)
class Event:
    """Something that happened in a call over a span of audio time.

    An event is emitted *open* (``end_s`` is None) as soon as it is certain, so a live alert need
    not wait for it to end, and emitted again when it closes. Its id is derived from its kind,
    speaker and start, so the same audio gives the same ids however it was chunked.

    Events are immutable values: a detector that learns more about an event (it closes, or its
    evidence grows) emits an *update*, a new ``Event`` made with :meth:`closed_at` or
    :meth:`with_evidence`, and whoever keeps events replaces the earlier one with it. Treat
    ``evidence`` and ``thresholds`` as read-only.
    """

    kind: EventKind
    speaker: Speaker
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

    def closed_at(
        self,
        end_s: float,
        *,
        start_s: float | None = None,
        evidence: Mapping[str, Any] | None = None,
    ) -> Event:
        """The closing update of this event: its end, a tightened start if given, and
        ``evidence`` added to (or replacing keys of) what it had."""
        return replace(
            self,
            start_s=self.start_s if start_s is None else start_s,
            end_s=end_s,
            evidence={**self.evidence, **(evidence or {})},
        )

    def with_evidence(self, evidence: Mapping[str, Any]) -> Event:
        """This event with ``evidence`` added to (or replacing keys of) what it had."""
        return replace(self, evidence={**self.evidence, **evidence})

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
