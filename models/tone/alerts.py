"""Alert policy: which events become which alerts, for whom, and how often.

Tips are taken from the guidance texts in ``shared/seeds/``; every alert carries the file and a
verbatim quote it traces to, the ids of the events that raised it and the thresholds in force.
Cooldowns are in audio seconds, so a recorded call and a live call raise the same alerts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from calltone.models.tone.events import Event


@dataclass(frozen=True)
class SeedRef:
    """A passage of the guidance an alert or criterion traces to."""

    file: str
    title: str
    quote: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


SEEDS: dict[str, SeedRef] = {
    "de_escalate": SeedRef(
        "000_0a92f3eb172a63d1.txt",
        "De-escalation Techniques",
        "These techniques include maintaining a calm voice, using the customer’s name",
    ),
    "let_them_finish": SeedRef(
        "001_73e7dd2188730d66.txt",
        "Avoid Interrupting",
        "Let the customer speak without cutting them off.",
    ),
    "calm_down": SeedRef(
        "004_d1ad1576c38320c8.txt",
        "Speak slowly and clearly",
        "Speaking slowly and clearly can make a world of difference.",
    ),
    "take_a_break": SeedRef(
        "004_d1ad1576c38320c8.txt",
        "Protecting Employee Well-being",
        "Encourage employees to take short breaks after difficult interactions to decompress.",
    ),
    "escalation_flag": SeedRef(
        "004_d1ad1576c38320c8.txt",
        "Knowing When to Escalate to Supervisors",
        "If a customer remains dissatisfied or the situation becomes unmanageable, it’s time to involve a supervisor.",
    ),
}

TIPS: dict[str, tuple[str, str]] = {
    # kind: (message, tip)
    "de_escalate": (
        "The customer is shouting.",
        "Keep a calm voice, slow down, acknowledge their feelings and use their name.",
    ),
    "let_them_finish": (
        "You cut the customer off.",
        "Let them finish and vent; answer when they are done.",
    ),
    "calm_down": (
        "Your voice is rising.",
        "Take a breath, lower your voice and speak slowly and clearly.",
    ),
    "take_a_break": (
        "That was a hard call.",
        "Take a short break to decompress before the next one.",
    ),
    "escalation_flag": (
        "This call may need a supervisor.",
        "Listen in, or offer the agent help; the customer may need someone who can decide.",
    ),
}

AUDIENCE = {
    "de_escalate": "agent",
    "let_them_finish": "agent",
    "calm_down": "agent",
    "take_a_break": "both",
    "escalation_flag": "supervisor",
}


@dataclass(frozen=True)
class AlertConfig:
    """Cooldowns and escalation rules (seconds of call audio unless named otherwise)."""

    de_escalate_cooldown_s: float = 30.0
    let_them_finish_cooldown_s: float = 20.0
    calm_down_cooldown_s: float = 30.0
    escalation_cooldown_s: float = 60.0
    escalate_if_yelling_again_within_s: float = 120.0
    escalate_after_customer_yelling_s: float = 8.0
    escalate_after_agent_tone_s: float = 20.0
    hard_call_customer_yelling_s: float = 4.0
    hard_call_agent_tone_s: float = 15.0
    hard_calls_per_hour: int = 3
    hard_calls_window_s: float = 3600.0
    """Wall-clock window in which ``hard_calls_per_hour`` hard calls suggest a break."""


@dataclass
class Alert:
    """One alert, as stored and sent (docs/DESIGN.md "Alerts")."""

    kind: str
    audience: str
    at_s: float
    message: str
    tip: str
    source: SeedRef
    event_ids: list[str]
    thresholds: dict[str, float]
    call_id: str = ""
    agent_id: str = ""
    reason: str = ""
    id: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "kind": self.kind,
            "audience": self.audience,
            "at_s": round(self.at_s, 2),
            "message": self.message,
            "tip": self.tip,
            "reason": self.reason,
            "source": self.source.to_dict(),
            "event_ids": list(self.event_ids),
            "thresholds": dict(self.thresholds),
        }


def make_alert(
    kind: str,
    *,
    at_s: float,
    events: list[Event],
    thresholds: dict[str, float],
    reason: str = "",
    call_id: str = "",
    agent_id: str = "",
) -> Alert:
    message, tip = TIPS[kind]
    return Alert(
        kind=kind,
        audience=AUDIENCE[kind],
        at_s=at_s,
        message=message,
        tip=tip,
        source=SEEDS[kind],
        event_ids=[e.id for e in events],
        thresholds=thresholds,
        call_id=call_id,
        agent_id=agent_id,
        reason=reason,
    )


@dataclass
class AgentStrain:
    """Hard calls per agent over the last hour, across calls (kept by the service).

    The service keeps one record; a call's end-of-call decision may run elsewhere (an analysis
    worker process), so it gets :meth:`for_agent`, a copy of that agent's part, and the service
    takes the agent's updated calls back with :meth:`set_hard_calls`.
    """

    config: AlertConfig = field(default_factory=AlertConfig)
    _hard_calls: dict[str, deque[float]] = field(default_factory=dict)

    def record_hard_call(self, agent_id: str, wall_time_s: float) -> int:
        """Note a hard call ending at ``wall_time_s`` (epoch seconds); return calls in window."""
        q = self._hard_calls.setdefault(agent_id, deque())
        q.append(wall_time_s)
        horizon = wall_time_s - self.config.hard_calls_window_s
        while q and q[0] < horizon:
            q.popleft()
        return len(q)

    def hard_calls(self, agent_id: str) -> tuple[float, ...]:
        """End times (epoch seconds) of the agent's recorded hard calls, oldest first."""
        return tuple(self._hard_calls.get(agent_id, ()))

    def set_hard_calls(self, agent_id: str, wall_times_s: Iterable[float]) -> None:
        """Replace the agent's record (with what a copy from :meth:`for_agent` now holds)."""
        self._hard_calls[agent_id] = deque(wall_times_s)

    def for_agent(self, agent_id: str) -> AgentStrain:
        """A copy holding only this agent's record, to send with their call's end."""
        copy = AgentStrain(self.config)
        if agent_id in self._hard_calls:
            copy.set_hard_calls(agent_id, self._hard_calls[agent_id])
        return copy


class AlertPolicy:
    """Turn one call's events into alerts.

    ``on_events`` sees each event when it opens (and again when it closes) and returns the alerts
    it raises then; ``finish`` returns the end-of-call alerts (take a break).
    """

    def __init__(
        self, config: AlertConfig | None = None, *, call_id: str = "", agent_id: str = ""
    ) -> None:
        self.c = config or AlertConfig()
        self.call_id = call_id
        self.agent_id = agent_id
        self._last: dict[str, float] = {}
        self._seen_open: set[str] = set()
        self._closed: dict[str, Event] = {}
        self._last_de_escalate_s: float | None = None
        self._flag_reasons: set[str] = set()
        self.alerts: list[Alert] = []

    def _cooldown(self, kind: str) -> float:
        return {
            "de_escalate": self.c.de_escalate_cooldown_s,
            "let_them_finish": self.c.let_them_finish_cooldown_s,
            "calm_down": self.c.calm_down_cooldown_s,
            "escalation_flag": self.c.escalation_cooldown_s,
        }.get(kind, 0.0)

    def _raise(
        self,
        kind: str,
        at_s: float,
        events: list[Event],
        thresholds: dict[str, float],
        reason: str = "",
    ) -> list[Alert]:
        last = self._last.get(kind)
        # abs(): a transcript cue can arrive after a later acoustic alert of the same kind.
        if last is not None and abs(at_s - last) < self._cooldown(kind):
            return []
        self._last[kind] = max(at_s, last) if last is not None else at_s
        alert = make_alert(
            kind,
            at_s=at_s,
            events=events,
            thresholds=thresholds,
            reason=reason,
            call_id=self.call_id,
            agent_id=self.agent_id,
        )
        self.alerts.append(alert)
        return [alert]

    def _flag(
        self, reason: str, at_s: float, events: list[Event], thresholds: dict[str, float]
    ) -> list[Alert]:
        out = self._raise("escalation_flag", at_s, events, thresholds, reason)
        if out:
            self._flag_reasons.add(reason)
        return out

    def _total(self, kind: str, speaker: str) -> float:
        return sum(
            e.duration_s or 0.0
            for e in self._closed.values()
            if e.kind == kind and e.speaker == speaker
        )

    def order_key(self, ev: Event) -> float:
        """When ``ev``'s update acts (call time, s): an event not seen yet as it was confirmed,
        a seen event's close at its end. :class:`~.session.CallSession` hands a push's updates
        over in this order, so a push of any size raises the alerts a 20 ms step would (two
        events confirmed within one tick: the first confirmed raises the alert its cooldown
        keeps, not the first detector's)."""
        if ev.is_open or ev.id not in self._seen_open:
            return float(ev.evidence.get("confirmed_at_s", ev.start_s))
        return float(ev.end_s if ev.end_s is not None else ev.start_s)

    def on_events(self, events: list[Event]) -> list[Alert]:
        out: list[Alert] = []
        for ev in events:
            confirmed = float(ev.evidence.get("confirmed_at_s", ev.start_s))
            if ev.is_open and ev.id not in self._seen_open:
                self._seen_open.add(ev.id)
                out += self._on_open(ev, confirmed)
            elif not ev.is_open:
                first_time = ev.id not in self._seen_open
                self._seen_open.add(ev.id)
                if first_time:
                    out += self._on_open(ev, confirmed)
                self._closed[ev.id] = ev
                out += self._on_close(ev)
        return out

    def _on_open(self, ev: Event, at_s: float) -> list[Alert]:
        c = self.c
        out: list[Alert] = []
        if ev.kind == "yelling" and ev.speaker == "customer":
            prev = self._last_de_escalate_s
            raised = self._raise("de_escalate", at_s, [ev], ev.thresholds)
            out += raised
            if prev is not None and at_s - prev <= c.escalate_if_yelling_again_within_s:
                out += self._flag(
                    "customer still yelling after de-escalation",
                    at_s,
                    [ev],
                    {
                        **ev.thresholds,
                        "escalate_if_yelling_again_within_s": c.escalate_if_yelling_again_within_s,
                    },
                )
            if raised:
                self._last_de_escalate_s = at_s
        elif ev.kind == "interruption" and ev.speaker == "agent":
            out += self._raise("let_them_finish", at_s, [ev], ev.thresholds)
        elif (ev.kind == "agent_tone" or ev.kind == "yelling") and ev.speaker == "agent":
            out += self._raise("calm_down", at_s, [ev], ev.thresholds)
        elif ev.kind == "phrase" and ev.speaker == "customer":
            cue = ev.evidence.get("cue")
            if cue == "manager_request":
                out += self._flag("customer asked for a manager", at_s, [ev], {})
            elif cue == "abuse":
                out += self._flag("abusive language", at_s, [ev], {})
        return out

    def _on_close(self, ev: Event) -> list[Alert]:
        c = self.c
        end = ev.end_s if ev.end_s is not None else ev.start_s
        if ev.kind == "yelling" and ev.speaker == "customer":
            total = self._total("yelling", "customer")
            if total >= c.escalate_after_customer_yelling_s:
                return self._flag(
                    "long customer yelling",
                    end,
                    [ev],
                    {"escalate_after_customer_yelling_s": c.escalate_after_customer_yelling_s},
                )
        if ev.kind == "agent_tone":
            total = self._total("agent_tone", "agent")
            if total >= c.escalate_after_agent_tone_s:
                return self._flag(
                    "agent tone not recovering",
                    end,
                    [ev],
                    {"escalate_after_agent_tone_s": c.escalate_after_agent_tone_s},
                )
        return []

    def hard_call(self) -> tuple[bool, list[str]]:
        """Whether the call so far was hard, and why."""
        c = self.c
        why = []
        if self._total("yelling", "customer") >= c.hard_call_customer_yelling_s:
            why.append("customer yelled")
        if self._total("agent_tone", "agent") >= c.hard_call_agent_tone_s:
            why.append("much non-calm agent speech")
        if self._flag_reasons:
            why.append("escalation flag")
        return bool(why), why

    def finish(
        self, end_s: float, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> list[Alert]:
        """End of call: a take-a-break suggestion after a hard call or several within an hour."""
        hard, why = self.hard_call()
        if not hard:
            return []
        # In call order (the order they closed in depends on the push size when two end together).
        events = sorted(
            (e for e in self._closed.values() if e.kind in ("yelling", "agent_tone")),
            key=lambda e: (e.start_s, e.kind, e.speaker),
        )
        thresholds = {
            "hard_call_customer_yelling_s": self.c.hard_call_customer_yelling_s,
            "hard_call_agent_tone_s": self.c.hard_call_agent_tone_s,
        }
        reason = "hard call: " + ", ".join(why)
        if strain is not None and wall_time_s is not None:
            n = strain.record_hard_call(self.agent_id, wall_time_s)
            if n >= self.c.hard_calls_per_hour:
                window_min = self.c.hard_calls_window_s / 60.0
                reason = f"{n} hard calls within {window_min:.0f} min; " + reason
                thresholds["hard_calls_per_hour"] = float(self.c.hard_calls_per_hour)
        return self._raise("take_a_break", end_s, events, thresholds, reason)
