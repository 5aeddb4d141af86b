"""Score a recorded call against a rubric, with the evidence for every point.

Why it reads the ``calltone.analysis/1`` document and not live objects: the document is the
contract (docs/analysis-json.md), so a call analysed once can be re-scored with another team's
rubric without decoding or transcribing it again, and scoring stays a pure function that tests
can feed by hand. The only extra input is the optional coarse timeline (``Timeline.to_dict()``),
which makes "share of agent speech" exact instead of span-based.

Every criterion ends in one of three states: ``scored`` (a 0-100 score), ``not_applicable``
(nothing in the call called for it: no abuse, so no boundary needed) or ``not_measured`` (it
applies, but this analysis cannot tell: no transcript, a mono recording). Only scored criteria
enter the overall score, weighted by the rubric; the other two are never counted as zero.

Every evidence item carries times inside the call, the speaker, the transcript words spoken
then (``quote``) and the id of the event or cue it comes from (``ref``), so a report can link
each point to its moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from calltone.audio.errors import ParameterError
from calltone.models.scoring.rubric import METHODS as METHOD_SPECS
from calltone.models.scoring.rubric import Criterion, Rubric, cached_rubric
from calltone.models.tone.alerts import SeedRef

SCHEMA = "calltone.scorecard/1"
Status = Literal["scored", "not_applicable", "not_measured"]
Effect = Literal["credit", "debit", "neutral"]
NAME_CUE = "customer_name_used"
QUOTE_MAX_WORDS = 30
WORD_SLACK_S = 0.2
"""Words this close outside an event's span still belong to it (word times are approximate)."""


# --------------------------------------------------------------------------------------------
# Results


# A cue matched with less confidence than this (a near-miss of a recognition error, or words
# Whisper was unsure of) says so in its evidence note, so a trainer can check the audio.
NEAR_MISS_NOTE_BELOW = 0.8


@dataclass(frozen=True)
class Evidence:
    """One moment that earned or cost points.

    Attributes
    ----------
    start_s, end_s : float
        The moment, seconds from the start of the call (inside the call).
    speaker : str
        ``agent``, ``customer`` or ``none``.
    quote : str
        The transcript words spoken then by ``speaker`` ("" without a transcript).
    ref : str
        Id of the event (``interruption-agent-0002685``) or cue (``empathy-agent-0001140``).
    kind : str
        Event kind (``interruption``, ``agent_tone``, ...) or cue kind (``empathy``, ...).
    effect : {"credit", "debit", "neutral"}
        Whether it earned points, cost points, or is context (a trigger, an uncounted
        backchannel).
    note : str
        One line on why it matters.
    context : str
        The other party's words at that moment, when that explains it (what was cut off).
    event_id : str
        The id of the analysis event it comes from (phrase cues share ``phrase-...`` ids).
    """

    start_s: float
    end_s: float
    speaker: str
    quote: str
    ref: str
    kind: str
    effect: Effect
    note: str = ""
    context: str = ""
    event_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "speaker": self.speaker,
            "quote": self.quote,
            "ref": self.ref,
            "kind": self.kind,
            "effect": self.effect,
            "note": self.note,
        }
        if self.context:
            d["context"] = self.context
        if self.event_id:
            d["event_id"] = self.event_id
        return d


@dataclass(frozen=True)
class CriterionScore:
    """A criterion's result: its score (or why there is none), explanation and evidence."""

    id: str
    title: str
    weight: float
    method: str
    status: Status
    score: float | None
    explanation: str
    measures: str
    seeds: tuple[SeedRef, ...]
    evidence: tuple[Evidence, ...] = ()

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    @property
    def measured(self) -> bool:
        return self.status != "not_measured"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "weight": self.weight,
            "method": self.method,
            "status": self.status,
            "applicable": self.applicable,
            "measured": self.measured,
            "score": None if self.score is None else round(self.score, 1),
            "explanation": self.explanation,
            "measures": self.measures,
            "seeds": [s.to_dict() for s in self.seeds],
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Scorecard:
    """A call scored against a rubric (``calltone.scorecard/1``, docs/scorecard-json.md)."""

    call: dict[str, Any]
    rubric: dict[str, Any]
    overall_score: float | None
    criteria: tuple[CriterionScore, ...]
    notes: tuple[str, ...] = ()

    def criterion(self, criterion_id: str) -> CriterionScore:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def to_dict(self) -> dict[str, Any]:
        scored = [c for c in self.criteria if c.status == "scored"]
        return {
            "schema": SCHEMA,
            "call": dict(self.call),
            "rubric": dict(self.rubric),
            "overall_score": None if self.overall_score is None else round(self.overall_score, 1),
            "scored_weight": round(sum(c.weight for c in scored), 3),
            "criteria": [c.to_dict() for c in self.criteria],
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------------------------
# What the analysis document says, in a shape the methods can query


@dataclass(frozen=True)
class CueHit:
    """A phrase cue from the analysis document."""

    kind: str
    speaker: str
    start_s: float
    end_s: float
    quote: str
    event_id: str
    confidence: float = 1.0

    @property
    def ref(self) -> str:
        return f"{self.kind}-{self.speaker}-{round(self.start_s * 100):07d}"


@dataclass
class CallFacts:
    """The parts of an analysis document the scoring methods need, indexed once."""

    duration_s: float
    roles: dict[str, int | None]
    events: list[dict[str, Any]]
    cues: list[CueHit]
    words: dict[str, list[tuple[str, float, float]]]
    metrics: dict[str, Any]
    transcribed: bool
    segments: list[tuple[str, float, float]] = field(default_factory=list)
    customer_name: str | None = None
    timeline: Mapping[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_document(
        cls,
        doc: Mapping[str, Any],
        *,
        timeline: Mapping[str, Any] | None = None,
        customer_name: str | None = None,
    ) -> CallFacts:
        if doc.get("schema") != "calltone.analysis/1":
            raise ParameterError(
                f"expected a calltone.analysis/1 document, got schema {doc.get('schema')!r}"
            )
        events = [e for e in doc.get("events", []) if e.get("kind") != "phrase"]
        cues = [
            CueHit(
                kind=str(e["evidence"]["cue"]),
                speaker=str(e["speaker"]),
                start_s=float(e["start_s"]),
                end_s=float(e["end_s"] if e.get("end_s") is not None else e["start_s"]),
                quote=str(e["evidence"].get("quote", "")),
                event_id=str(e.get("id", "")),
                confidence=float(e["evidence"].get("confidence", 1.0)),
            )
            for e in doc.get("events", [])
            if e.get("kind") == "phrase" and "cue" in e.get("evidence", {})
        ]
        words: dict[str, list[tuple[str, float, float]]] = {}
        for seg in doc.get("segments", []):
            for w in seg.get("words", []):
                words.setdefault(seg["speaker"], []).append(
                    (str(w["word"]).strip(), float(w["start_s"]), float(w["end_s"]))
                )
        for ws in words.values():
            ws.sort(key=lambda w: w[1])
        metrics = dict(doc.get("metrics", {}))
        transcribed = bool(doc.get("segments")) or any(
            isinstance(m, dict) and "words" in m for m in metrics.values()
        )
        return cls(
            duration_s=float(doc["call"]["duration_s"]),
            roles=dict(doc["call"].get("roles", {})),
            events=events,
            cues=cues,
            words=words,
            metrics=metrics,
            transcribed=transcribed,
            segments=[
                (str(s["speaker"]), float(s["start_s"]), float(s["end_s"]))
                for s in doc.get("segments", [])
            ],
            customer_name=customer_name,
            timeline=timeline,
            notes=list(doc.get("notes", [])),
        )

    def has(self, party: str) -> bool:
        return self.roles.get(party) is not None

    def events_of(self, kind: str, speaker: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["kind"] == kind and (speaker is None or e["speaker"] == speaker)
        ]

    def cues_of(self, kinds: Iterable[str]) -> list[CueHit]:
        wanted = set(kinds)
        return [c for c in self.cues if c.kind in wanted]

    def said(
        self, speaker: str, start_s: float, end_s: float, max_words: int = QUOTE_MAX_WORDS
    ) -> str:
        """What ``speaker`` said between two times (words by their midpoint, a little slack)."""
        picked = [
            w
            for w, a, b in self.words.get(speaker, [])
            if start_s - WORD_SLACK_S <= (a + b) / 2 <= end_s + WORD_SLACK_S
        ]
        if len(picked) > max_words:
            picked = [*picked[:max_words], "…"]
        return " ".join(picked)

    def sentence_end(self, speaker: str, start_s: float, end_s: float) -> float:
        """The end of ``speaker``'s transcript segment(s) overlapping a span (or ``end_s``)."""
        ends = [b for who, a, b in self.segments if who == speaker and a <= end_s and b >= start_s]
        return max([end_s, *ends])

    def span(self, e: Mapping[str, Any]) -> tuple[float, float]:
        """An event's span clipped to the call (open events end at the end of the call)."""
        a = min(max(0.0, float(e["start_s"])), self.duration_s)
        end = e.get("end_s")
        b = self.duration_s if end is None else float(end)
        return a, min(max(a, b), self.duration_s)

    def evidence_for_event(
        self,
        e: Mapping[str, Any],
        effect: Effect,
        note: str,
        *,
        context_of: str | None = None,
        whole_sentence: bool = False,
    ) -> Evidence:
        """Evidence from an acoustic event, quoting what its speaker said during it.

        ``whole_sentence``: quote on to the end of the speaker's sentence (an interruption's
        overlap often ends mid-sentence); ``context_of``: also quote the other party.
        """
        a, b = self.span(e)
        speaker = str(e["speaker"])
        quote_end = self.sentence_end(speaker, a, b) if whole_sentence else b
        return Evidence(
            start_s=a,
            end_s=b,
            speaker=speaker,
            quote=self.said(speaker, a, quote_end) if speaker in self.words else "",
            ref=str(e["id"]),
            kind=str(e["kind"]),
            effect=effect,
            note=note,
            context=self.said(context_of, a, b) if context_of else "",
            event_id=str(e["id"]),
        )

    def evidence_for_cue(self, c: CueHit, effect: Effect, note: str = "") -> Evidence:
        a = min(max(0.0, c.start_s), self.duration_s)
        return Evidence(
            start_s=a,
            end_s=min(max(a, c.end_s), self.duration_s),
            speaker=c.speaker,
            quote=c.quote,
            ref=c.ref,
            kind=c.kind,
            effect=effect,
            note=(note or c.kind.replace("_", " "))
            + (
                f" (matched through a likely mishearing, confidence {c.confidence:.2f})"
                if c.confidence < NEAR_MISS_NOTE_BELOW
                else ""
            ),
            event_id=c.event_id,
        )

    def speech_seconds(self, speaker: str, spans: list[tuple[float, float]] | None = None) -> float:
        """Seconds ``speaker`` spoke in total, or inside ``spans``.

        With the timeline, counted on its speech grid; without it, the talk-time metric (total)
        or the spans' own lengths.
        """
        tl = self.timeline
        if tl is not None and speaker in tl.get("speech", {}):
            step = float(tl["step_s"])
            speech = tl["speech"][speaker]
            if spans is None:
                return sum(1 for v in speech if v) * step
            n = 0
            marked = [False] * len(speech)
            for a, b in spans:
                for k in range(max(0, int(a / step)), min(len(speech), int(b / step) + 1)):
                    if speech[k] and not marked[k]:
                        marked[k] = True
                        n += 1
            return n * step
        if spans is None:
            return float(self.metrics.get(speaker, {}).get("talk_time_s") or 0.0)
        return sum(b - a for a, b in _merge(spans))


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# --------------------------------------------------------------------------------------------
# Methods: one function per rubric method, (criterion, facts) -> CriterionScore


def _result(
    c: Criterion,
    status: Status,
    score: float | None,
    explanation: str,
    evidence: Iterable[Evidence] = (),
) -> CriterionScore:
    ev = tuple(sorted(evidence, key=lambda e: (e.start_s, e.end_s, e.ref)))
    return CriterionScore(
        id=c.id,
        title=c.title,
        weight=c.weight,
        method=c.method,
        status=status,
        score=None if score is None else float(min(100.0, max(0.0, score))),
        explanation=explanation,
        measures=c.measures,
        seeds=c.seeds,
        evidence=ev,
    )


def _no_transcript(c: Criterion) -> CriterionScore:
    return _result(
        c,
        "not_measured",
        None,
        "Not measured: the call was not transcribed (--no-transcribe), and this criterion is "
        "judged from what was said.",
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _names(kinds: Iterable[str], conj: str = "or") -> str:
    """``["blame_passing", "bouncing"]`` -> ``"blame passing or bouncing"``."""
    words = [k.replace("_", " ") for k in kinds]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conj} {words[-1]}"


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def score_active_listening(c: Criterion, f: CallFacts) -> CriterionScore:
    """Interruptions cost points, more when they cut into the customer's venting."""
    p = c.params
    if not (f.has("agent") and f.has("customer")):
        return _result(
            c,
            "not_measured",
            None,
            "Not measured: interruptions need both parties on separate channels, and this "
            "recording has one.",
        )
    yelling = [f.span(e) for e in f.events_of("yelling", "customer")]
    evidence: list[Evidence] = []
    counted = vented = uncounted = 0
    for e in f.events_of("interruption", "agent"):
        ev = e.get("evidence", {})
        a, _ = f.span(e)
        if ev.get("counted", True) is False:
            uncounted += 1
            evidence.append(
                f.evidence_for_event(
                    e,
                    "neutral",
                    "overlap was only a backchannel: not counted",
                    context_of="customer",
                )
            )
            continue
        counted += 1
        into_vent = any(ya - 0.5 <= a <= yb for ya, yb in yelling)
        vented += into_vent
        note = (
            f"cut the customer off {ev.get('interrupted_turn_s', 0):.1f} s into their turn, "
            f"{ev.get('overlap_s', 0):.1f} s of talking over them"
            + ("; they were venting (yelling)" if into_vent else "")
        )
        evidence.append(
            f.evidence_for_event(e, "debit", note, context_of="customer", whole_sentence=True)
        )
    score = 100.0 - counted * p["interruption_penalty_points"] - vented * p["vent_penalty_points"]
    parts = [
        (f"{_plural(counted, 'agent interruption')}" if counted else "No agent interruptions")
        + (f" ({_plural(uncounted, 'backchannel')} not counted)" if uncounted else "")
        + (f", {vented} while the customer was yelling" if vented else "")
        + "."
    ]
    calc = [f"100 − {counted}×{_fmt(p['interruption_penalty_points'])}"]
    if vented:
        calc.append(f"{vented}×{_fmt(p['vent_penalty_points'])}")
    if f.transcribed:
        para = f.cues_of(p["paraphrase_cues"])
        para = [q for q in para if q.speaker == "agent"]
        evidence += [f.evidence_for_cue(q, "credit", "paraphrased the concern back") for q in para]
        if para:
            parts.append(f"Paraphrased the customer's concern {_plural(len(para), 'time')}.")
        else:
            score -= p["paraphrase_missing_points"]
            calc.append(_fmt(p["paraphrase_missing_points"]))
            parts.append("Never paraphrased the customer's concern back to them.")
    else:
        parts.append("Paraphrasing not checked (no transcript).")
    if counted or vented or len(calc) > 1:
        parts.append(f"Score {' − '.join(calc)}.")
    return _result(c, "scored", score, " ".join(parts), evidence)


def score_cues(c: Criterion, f: CallFacts) -> CriterionScore:
    """Good cues earn points by count, bad cues cost points, a bonus cue adds points."""
    p = c.params
    if not f.transcribed:
        return _no_transcript(c)
    evidence: list[Evidence] = []
    since = 0.0
    if p["applicable_when"]:
        triggers = f.cues_of(p["applicable_when"])
        if not triggers:
            said = _names(p["applicable_when"])
            return _result(
                c,
                "not_applicable",
                None,
                f"Not applicable: no {said} in this call, so nothing called for it.",
            )
        evidence += [f.evidence_for_cue(t, "neutral", "what called for it") for t in triggers]
        if p["after_trigger"]:
            since = min(t.start_s for t in triggers)
    good = [g for g in f.cues_of(p["good"]) if g.start_s >= since - 0.01]
    bad = f.cues_of(p["bad"])
    bonus = f.cues_of(p["bonus"])
    evidence += [f.evidence_for_cue(g, "credit") for g in good]
    evidence += [f.evidence_for_cue(b, "debit") for b in bad]
    evidence += [f.evidence_for_cue(b, "credit") for b in bonus]
    parts: list[str] = []
    if p["good"]:
        pts = p["points_by_count"]
        score = pts[min(len(good), len(pts) - 1)]
        names = _names(p["good"])
        where = " after it was called for" if p["after_trigger"] else ""
        parts.append(
            f"{_plural(len(good), 'instance')} of {names}{where}: {_fmt(score)} points."
            if good
            else f"No {names}{where}: {_fmt(score)} points."
        )
    else:
        score = 100.0
    if p["bad"]:
        names = _names(p["bad"])
        if bad:
            score -= len(bad) * p["bad_penalty_points"]
            parts.append(
                f"{_plural(len(bad), 'instance')} of {names}: −{_fmt(p['bad_penalty_points'])} "
                "each."
            )
        else:
            parts.append(f"No {names}.")
    if bonus and p["bonus_points"]:
        score += p["bonus_points"]
        names = _names(p["bonus"])
        parts.append(f"{names.capitalize()} said: +{_fmt(p['bonus_points'])}.")
    return _result(c, "scored", score, " ".join(parts), evidence)


def score_calm_tone(c: Criterion, f: CallFacts) -> CriterionScore:
    """The share of the agent's speech that was calm, mapped onto 0-100."""
    p = c.params
    if not f.has("agent"):
        return _result(
            c, "not_measured", None, "Not measured: there is no agent in this recording."
        )
    talk_s = f.speech_seconds("agent")
    if talk_s < 1.0:
        return _result(
            c, "not_measured", None, "Not measured: the agent hardly spoke (under 1 s of speech)."
        )
    tone = f.events_of("agent_tone", "agent")
    yelled = f.events_of("yelling", "agent")
    spans = [f.span(e) for e in tone + yelled]
    tense_s = min(talk_s, f.speech_seconds("agent", spans)) if spans else 0.0
    share = 1.0 - tense_s / talk_s
    lo, hi = p["zero_marks_calm_share"], p["full_marks_calm_share"]
    score = 100.0 * (share - lo) / (hi - lo)
    evidence = []
    for e in tone:
        fired = ", ".join(e.get("evidence", {}).get("fired", []))
        evidence.append(f.evidence_for_event(e, "debit", f"non-calm tone ({fired})"))
    for e in yelled:
        evidence.append(f.evidence_for_event(e, "debit", "the agent raised their voice (yelling)"))
    text = (
        f"{share * 100:.0f} % of the agent's {talk_s:.0f} s of speech was calm "
        f"({tense_s:.1f} s in {_plural(len(tone), 'non-calm stretch', 'non-calm stretches')}"
        + (f" and {_plural(len(yelled), 'yelling stretch', 'yelling stretches')}" if yelled else "")
        + f"); full marks from {hi * 100:.0f} %, zero at {lo * 100:.0f} %."
    )
    if yelled:
        score = min(score, p["agent_yelling_max_score"])
        text += f" The agent yelled: capped at {_fmt(p['agent_yelling_max_score'])}."
    return _result(c, "scored", score, text, evidence)


def score_pace(c: Criterion, f: CallFacts) -> CriterionScore:
    """Words per minute against a calm band, minus rushing stretches."""
    p = c.params
    if not f.transcribed:
        return _no_transcript(c)
    m = f.metrics.get("agent", {}) if f.has("agent") else {}
    n_words = int(m.get("words") or 0)
    wpm = m.get("words_per_minute")
    if wpm is None or n_words < p["min_words"]:
        return _result(
            c,
            "not_measured",
            None,
            f"Not measured: the agent said {_plural(n_words, 'word')}, under the "
            f"{_fmt(p['min_words'])} needed for a rate.",
        )
    conv = float(wpm) / p["talk_time_wpm_factor"]
    lo, hi = p["calm_wpm"]
    outside = max(0.0, lo - conv, conv - hi)
    rushing = f.events_of("rushing", "agent")
    score = (
        100.0 - outside * p["points_per_wpm_outside"] - len(rushing) * p["rushing_penalty_points"]
    )
    evidence = [
        f.evidence_for_event(
            e,
            "debit",
            f"rushing: {e.get('evidence', {}).get('peak_wpm')} wpm at the peak "
            f"(own baseline {e.get('evidence', {}).get('baseline_wpm')} wpm)",
        )
        for e in rushing
    ]
    where = "inside" if outside == 0 else ("above" if conv > hi else "below")
    text = (
        f"The agent spoke at {conv:.0f} wpm ({float(wpm):.0f} wpm over talk time ÷ "
        f"{p['talk_time_wpm_factor']:g}), {where} the calm {_fmt(lo)}-{_fmt(hi)} wpm"
        + (
            f" by {outside:.0f} wpm (−{_fmt(outside * p['points_per_wpm_outside'])})"
            if outside
            else ""
        )
        + "."
    )
    if rushing:
        text += (
            f" {_plural(len(rushing), 'rushing stretch', 'rushing stretches')}: "
            f"−{_fmt(p['rushing_penalty_points'])} each."
        )
    return _result(c, "scored", score, text, evidence)


def score_apology(c: Criterion, f: CallFacts) -> CriterionScore:
    """A specific apology earns full marks; bare "I'm sorry"s cost a little, or earn a little alone."""
    p = c.params
    if not f.transcribed:
        return _no_transcript(c)
    specific = [q for q in f.cues_of(p["specific"]) if q.speaker == "agent"]
    bare = [q for q in f.cues_of(p["bare"]) if q.speaker == "agent"]
    evidence = [f.evidence_for_cue(q, "credit", "apology that names the issue") for q in specific]
    evidence += [
        f.evidence_for_cue(q, "debit" if specific else "neutral", "bare apology") for q in bare
    ]
    if specific:
        score = max(p["specific_floor"], 100.0 - len(bare) * p["bare_penalty_points"])
        text = f"Apologised specifically {_plural(len(specific), 'time')}."
        if bare:
            text += (
                f" Also {_plural(len(bare), 'bare apology', 'bare apologies')}: "
                f"−{_fmt(p['bare_penalty_points'])} each (not below {_fmt(p['specific_floor'])})."
            )
    elif bare:
        score = p["bare_only_score"]
        text = f"Only bare apologies ({len(bare)}), none naming the issue: {_fmt(score)} points."
    else:
        score = p["no_apology_score"]
        text = f"No apology found: {_fmt(score)} points."
    return _result(c, "scored", score, text, evidence)


def score_customer_name(c: Criterion, f: CallFacts) -> CriterionScore:
    """Using the customer's name, pro rata up to full_marks_uses; n/a when no name came up."""
    p = c.params
    if not f.transcribed:
        return _no_transcript(c)
    uses = [q for q in f.cues_of([NAME_CUE]) if q.speaker == "agent"]
    if not uses and not f.customer_name:
        return _result(
            c,
            "not_applicable",
            None,
            "Not applicable: the customer's name never came up in the transcript (and none was "
            "given with --customer-name).",
        )
    full = p["full_marks_uses"]
    score = 100.0 * min(1.0, len(uses) / full)
    who = f" ({f.customer_name})" if f.customer_name else ""
    text = (
        f"Used the customer's name{who} {_plural(len(uses), 'time')}; full marks from "
        f"{_plural(int(full), 'use')}."
    )
    evidence = [f.evidence_for_cue(q, "credit", "used the customer's name") for q in uses]
    return _result(c, "scored", score, text, evidence)


def score_escalation(c: Criterion, f: CallFacts) -> CriterionScore:
    """When the customer stays dissatisfied, did the agent offer a supervisor?"""
    p = c.params
    triggers: list[Evidence] = []
    trigger_at: list[float] = []
    for q in f.cues_of(p["trigger_cues"]):
        triggers.append(f.evidence_for_cue(q, "neutral", "the customer asked for someone else"))
        trigger_at.append(q.start_s)
    yelling = sorted(f.events_of("yelling", "customer"), key=lambda e: e["start_s"])
    # "Yelling again" is a new stretch only after the agent has spoken (transcript words since the
    # previous stretch ended): two events inside one turn of the customer count once. A mono
    # mix's separated customer, judged against a younger baseline, can find two events in one loud
    # turn where the two-channel call finds one (AMI source1+source3, docs/diarization.md).
    need_words = p["again_min_agent_words"]
    agent_words = [(x + y) / 2 for _w, x, y in f.words.get("agent", [])]
    total = 0.0
    k = 0
    last_end: float | None = None
    for e in yelling:
        a, b = f.span(e)
        total += b - a
        replied = sum(1 for m in agent_words if last_end is not None and last_end < m < a)
        if last_end is None or need_words <= 0 or not f.transcribed or replied >= need_words:
            k += 1
        last_end = b if last_end is None else max(last_end, b)
        if k >= p["persisting_yelling_events"] or total >= p["persisting_yelling_s"]:
            why = (
                f"yelling again ({_plural(k, 'stretch', 'stretches')})"
                if k >= p["persisting_yelling_events"]
                else f"{total:.0f} s of yelling"
            )
            triggers.append(
                f.evidence_for_event(e, "neutral", f"the customer stays dissatisfied: {why}")
            )
            trigger_at.append(a)
            break
    if not trigger_at:
        return _result(
            c,
            "not_applicable",
            None,
            "Not applicable: the customer neither asked for a manager nor kept yelling.",
        )
    first = min(trigger_at)
    if not f.transcribed:
        return _result(
            c,
            "not_measured",
            None,
            f"The customer stayed dissatisfied from {first:.1f} s, but an offer of a supervisor "
            "can only be found in a transcript (--no-transcribe was used).",
            triggers,
        )
    offers = [
        q
        for q in f.cues_of(p["offer_cues"])
        if q.speaker == "agent" and q.start_s >= first - p["grace_before_s"]
    ]
    evidence = triggers + [f.evidence_for_cue(q, "credit", "offered a supervisor") for q in offers]
    if offers:
        text = (
            f"The customer stayed dissatisfied from {first:.1f} s; the agent offered a "
            f"supervisor at {offers[0].start_s:.1f} s."
        )
        return _result(c, "scored", 100.0, text, evidence)
    text = (
        f"The customer stayed dissatisfied from {first:.1f} s, and no offer to involve a "
        "supervisor or manager was found afterwards."
    )
    return _result(c, "scored", 0.0, text, evidence)


METHODS: dict[str, Callable[[Criterion, CallFacts], CriterionScore]] = {
    "active_listening": score_active_listening,
    "cues": score_cues,
    "calm_tone": score_calm_tone,
    "pace": score_pace,
    "apology": score_apology,
    "customer_name": score_customer_name,
    "escalation": score_escalation,
}
assert set(METHODS) == set(METHOD_SPECS), (
    "models.scoring.rubric.METHODS and scoring.METHODS disagree"
)


# --------------------------------------------------------------------------------------------
# Entry point


def overall_score(criteria: Iterable[CriterionScore]) -> float | None:
    """Weighted mean of the scored criteria; None when nothing could be scored."""
    scored = [c for c in criteria if c.status == "scored" and c.score is not None]
    total_w = sum(c.weight for c in scored)
    if total_w <= 0:
        return None
    return sum(c.weight * (c.score or 0.0) for c in scored) / total_w


def score_call(
    doc: Mapping[str, Any],
    rubric: Rubric | None = None,
    *,
    timeline: Mapping[str, Any] | None = None,
    customer_name: str | None = None,
    call_id: str | None = None,
    agent_id: str | None = None,
) -> Scorecard:
    """Score one analysed call.

    Parameters
    ----------
    doc : mapping
        A ``calltone.analysis/1`` document (with segments and phrase cues when transcribed).
    rubric : Rubric, optional
        Default: the packaged rubric.
    timeline : mapping, optional
        ``Timeline.to_dict()`` of the same call: exact agent speech shares.
    customer_name : str, optional
        The name the transcript pipeline learned or the CRM gave; without it the name
        criterion applies only when a name cue was found.
    call_id, agent_id : str, optional
        Stamped on the scorecard.
    """
    rb = rubric or cached_rubric(None)
    facts = CallFacts.from_document(doc, timeline=timeline, customer_name=customer_name)
    results = tuple(METHODS[c.method](c, facts) for c in rb.criteria)
    notes = list(facts.notes)
    if not facts.transcribed:
        n = sum(r.status == "not_measured" for r in results)
        notes.append(
            f"not transcribed: {n} of {len(results)} criteria are judged from what was said "
            "and were not measured"
        )
    dc = doc["call"]
    separation = dc.get("separation")
    mode = dc.get("mode") or (
        "separated" if separation else "mono" if dc.get("channels") == 1 else "two_channel"
    )
    call = {
        "path": dc.get("path"),
        "call_id": call_id,
        "agent_id": agent_id,
        "duration_s": facts.duration_s,
        "channels": dc.get("channels"),
        "mode": mode,
        "roles": facts.roles,
        "transcribed": facts.transcribed,
        "customer_name": customer_name,
    }
    if separation:
        call["separation"] = {
            k: separation[k]
            for k in (
                "method",
                "role_decided_by",
                "role_confidence",
                "confidence",
                "interruptions_confidence",
            )
            if k in separation
        }
    return Scorecard(
        call=call,
        rubric=rb.summary(),
        overall_score=overall_score(results),
        criteria=results,
        notes=tuple(notes),
    )
