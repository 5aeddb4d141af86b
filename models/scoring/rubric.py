"""The trainer's rubric as data: criteria, weights, how each is measured, and the guidance behind it.

Why data and not code: a contact centre's training team owns its rubric. They change weights,
drop a criterion or tighten a threshold without a release, and every criterion must keep pointing
at the passage of the guidance (``shared/seeds/``) it comes from, so a trainer can show an agent
*why* a point was lost. The packaged ``models/scoring/rubric.toml`` is the default; a team passes its
own file with ``calltone score --rubric FILE``.

A criterion names a *method* (how it is measured, implemented in :mod:`models.scoring.scorecard`) and that
method's parameters; every parameter has a default here, so a rubric only states what it changes.
A bad file fails loudly with the file, the entry and the fix, never silently scores something else.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from calltone.audio.errors import CalltoneError
from calltone.models.tone.alerts import SeedRef


class RubricError(CalltoneError):
    """The rubric file cannot be read or one of its entries is malformed."""


@dataclass(frozen=True)
class MethodSpec:
    """A measuring method's parameters with their defaults, and which of them name cue kinds."""

    defaults: Mapping[str, Any]
    cue_params: frozenset[str] = frozenset()
    needs_transcript: bool = False
    summary: str = ""


# The methods models.scoring.scorecard implements, with every parameter's default. Keep in sync with
# models.scoring.scorecard.METHODS (a test checks both name the same methods).
METHODS: dict[str, MethodSpec] = {
    "active_listening": MethodSpec(
        {
            "interruption_penalty_points": 30.0,
            "vent_penalty_points": 15.0,
            "paraphrase_missing_points": 10.0,
            "paraphrase_cues": ["paraphrasing"],
        },
        frozenset({"paraphrase_cues"}),
        summary="100 minus points per counted agent interruption (more when it cuts into the "
        "customer's yelling), minus points when the agent never paraphrases (transcript only)",
    ),
    "cues": MethodSpec(
        {
            "good": [],
            "bad": [],
            "bonus": [],
            "points_by_count": [0.0, 100.0],
            "bad_penalty_points": 25.0,
            "bonus_points": 0.0,
            "applicable_when": [],
            "after_trigger": False,
        },
        frozenset({"good", "bad", "bonus", "applicable_when"}),
        needs_transcript=True,
        summary="points by how many 'good' cues were said (100 when no good cues are listed), "
        "minus points per 'bad' cue, plus bonus points for a 'bonus' cue; not applicable "
        "unless one of 'applicable_when' was said",
    ),
    "calm_tone": MethodSpec(
        {
            "full_marks_calm_share": 0.95,
            "zero_marks_calm_share": 0.5,
            "agent_yelling_max_score": 20.0,
        },
        summary="the share of the agent's speech outside agent_tone and agent yelling events, "
        "mapped linearly from zero_marks_calm_share (0) to full_marks_calm_share (100)",
    ),
    "pace": MethodSpec(
        {
            "calm_wpm": [130.0, 160.0],
            "talk_time_wpm_factor": 1.1,
            "points_per_wpm_outside": 2.5,
            "rushing_penalty_points": 15.0,
            "min_words": 30.0,
        },
        needs_transcript=True,
        summary="100 inside calm_wpm, minus points per wpm outside it, minus points per "
        "rushing event",
    ),
    "apology": MethodSpec(
        {
            "specific": ["specific_apology"],
            "bare": ["bare_apology"],
            "bare_penalty_points": 15.0,
            "specific_floor": 60.0,
            "bare_only_score": 40.0,
            "no_apology_score": 0.0,
        },
        frozenset({"specific", "bare"}),
        needs_transcript=True,
        summary="100 for a specific apology (less per extra bare 'I'm sorry', not below "
        "specific_floor), bare_only_score for bare apologies only, no_apology_score for none",
    ),
    "customer_name": MethodSpec(
        {"full_marks_uses": 1.0},
        needs_transcript=True,
        summary="100 when the agent uses the customer's name full_marks_uses times, pro rata "
        "below; not applicable when the name never comes up",
    ),
    "escalation": MethodSpec(
        {
            "trigger_cues": ["manager_request"],
            "persisting_yelling_events": 2.0,
            "persisting_yelling_s": 8.0,
            # "Yelling again" needs the agent to have said at least this many words (transcript)
            # since the previous counted stretch; closer stretches are one outburst. 0 = off
            # (every yelling event counts, the rule before session 15).
            "again_min_agent_words": 1.0,
            "offer_cues": ["supervisor_offer"],
            "grace_before_s": 5.0,
        },
        frozenset({"trigger_cues", "offer_cues"}),
        summary="applies when the customer asks for a manager or keeps yelling (yelling again "
        "after the agent has spoken: again_min_agent_words); 100 when the agent offers a "
        "supervisor after (or just before) that, else 0",
    ),
}

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CRITERION_KEYS = {"id", "title", "weight", "method", "measures", "seed", "params"}
_SEED_KEYS = {"file", "title", "quote"}


@dataclass(frozen=True)
class Criterion:
    """One line of the scorecard: what is judged, how, how much it counts and why."""

    id: str
    title: str
    weight: float
    method: str
    measures: str
    seeds: tuple[SeedRef, ...]
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_transcript(self) -> bool:
        return METHODS[self.method].needs_transcript

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "weight": self.weight,
            "method": self.method,
            "measures": self.measures,
            "seeds": [s.to_dict() for s in self.seeds],
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Rubric:
    """A validated rubric: criteria in the order they are reported."""

    name: str
    version: str
    criteria: tuple[Criterion, ...]
    source: str = "<memory>"
    description: str = ""

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def summary(self) -> dict[str, Any]:
        """What a scorecard records about the rubric that scored it."""
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "weights": {c.id: c.weight for c in self.criteria},
        }


def default_rubric_path() -> Path:
    """The rubric shipped in the package (``models/scoring/rubric.toml``)."""
    return Path(str(resources.files("calltone.models.scoring").joinpath("rubric.toml")))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric file (default: the packaged one).

    Raises
    ------
    RubricError
        Unreadable file, TOML syntax error, or an entry with a missing or invalid field; the
        message names the file and the entry and says how to fix it.
    """
    p = Path(path) if path is not None else default_rubric_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(
            f"cannot read rubric file {str(p)!r} ({exc.strerror or exc}); fix the path or omit "
            "--rubric to use the packaged models/scoring/rubric.toml"
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(
            f"rubric file {str(p)!r} is not valid TOML: {exc}; fix the syntax"
        ) from exc
    return parse_rubric(data, source=str(p))


@functools.lru_cache(maxsize=8)
def cached_rubric(path: str | None = None) -> Rubric:
    """:func:`load_rubric`, once per process and path (batch workers score many calls)."""
    return load_rubric(path)


def parse_rubric(
    data: Mapping[str, Any], *, source: str, cue_kinds: frozenset[str] | None = None
) -> Rubric:
    """Validate the parsed TOML of a rubric into a :class:`Rubric`.

    ``cue_kinds``: the cue kinds a criterion may name (default: those of the packaged cue file),
    so a typo like ``"empaty"`` is an error rather than a criterion that can never score.
    """
    where_file = f"rubric file {source!r}"
    unknown_top = set(data) - {"rubric", "criterion"}
    if unknown_top:
        raise RubricError(
            f"{where_file}: unknown top-level key(s) {', '.join(sorted(unknown_top))}; a rubric "
            "has one [rubric] table and [[criterion]] entries"
        )
    head = data.get("rubric", {})
    if not isinstance(head, dict):
        raise RubricError(f"{where_file}: [rubric] must be a table with name and version")
    name = head.get("name", Path(source).stem)
    version = head.get("version", "1")
    description = head.get("description", "")
    if not all(isinstance(v, str) for v in (name, version, description)):
        raise RubricError(f"{where_file}: [rubric] name, version and description must be strings")
    entries = data.get("criterion")
    if not isinstance(entries, list) or not entries:
        raise RubricError(
            f"{where_file} has no [[criterion]] entries; add at least one (see the packaged "
            "models/scoring/rubric.toml for the format)"
        )
    kinds = cue_kinds if cue_kinds is not None else packaged_cue_kinds()
    criteria = [
        _parse_criterion(e, where=f"{where_file}, criterion {i}", cue_kinds=kinds)
        for i, e in enumerate(entries, start=1)
    ]
    ids = [c.id for c in criteria]
    for cid in ids:
        if ids.count(cid) > 1:
            raise RubricError(
                f"{where_file}: criterion id {cid!r} appears {ids.count(cid)} times; ids must be "
                "unique (they are CSV columns)"
            )
    return Rubric(name, version, tuple(criteria), source=source, description=description)


@functools.lru_cache(maxsize=1)
def packaged_cue_kinds() -> frozenset[str]:
    """Cue kinds of the packaged cue file (what a transcript can produce)."""
    from calltone.models.speech.cues import CueMatcher

    return frozenset(CueMatcher.from_file().kinds)


def _parse_criterion(entry: Any, *, where: str, cue_kinds: frozenset[str]) -> Criterion:
    if not isinstance(entry, dict):
        raise RubricError(
            f"{where} is not a table; write it as [[criterion]] with key = value lines"
        )
    cid = entry.get("id")
    if not isinstance(cid, str) or not _ID_RE.match(cid):
        raise RubricError(f"{where}: id must be a snake_case string, got {cid!r}")
    where = f"{where} (id {cid!r})"
    unknown = set(entry) - _CRITERION_KEYS
    if unknown:
        raise RubricError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_CRITERION_KEYS))}"
        )
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RubricError(f"{where}: title must be a non-empty string")
    weight = entry.get("weight")
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight <= 0
    ):
        raise RubricError(
            f"{where}: weight must be a number > 0, got {weight!r}; drop the criterion instead "
            "of giving it weight 0"
        )
    method = entry.get("method")
    if method not in METHODS:
        raise RubricError(
            f"{where}: method must be one of {', '.join(sorted(METHODS))}, got {method!r}"
        )
    measures = entry.get("measures", METHODS[method].summary)
    if not isinstance(measures, str):
        raise RubricError(f"{where}: measures must be a string saying what is measured")
    seeds = _parse_seeds(entry.get("seed"), where=where)
    params = _parse_params(entry.get("params", {}), method, where=where, cue_kinds=cue_kinds)
    return Criterion(cid, title.strip(), float(weight), method, measures, seeds, params)


def _parse_seeds(raw: Any, *, where: str) -> tuple[SeedRef, ...]:
    fix = (
        'seed must be {file = "NNN_....txt", title = "section", quote = "verbatim passage"} '
        "(or a list of them) naming the guidance in shared/seeds this criterion traces to"
    )
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise RubricError(f"{where}: {fix}")
    seeds = []
    for item in items:
        if (
            not isinstance(item, dict)
            or set(item) - _SEED_KEYS
            or not isinstance(item.get("file"), str)
            or not isinstance(item.get("quote"), str)
            or not item["quote"].strip()
            or not isinstance(item.get("title", ""), str)
        ):
            raise RubricError(f"{where}: {fix}")
        seeds.append(SeedRef(item["file"], item.get("title", ""), item["quote"]))
    return tuple(seeds)


def _parse_params(
    raw: Any, method: str, *, where: str, cue_kinds: frozenset[str]
) -> dict[str, Any]:
    spec = METHODS[method]
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: params must be a table ([criterion.params])")
    unknown = set(raw) - set(spec.defaults)
    if unknown:
        raise RubricError(
            f"{where}: unknown param(s) {', '.join(sorted(unknown))} for method {method!r}; "
            f"allowed: {', '.join(sorted(spec.defaults))}"
        )
    params: dict[str, Any] = {}
    for key, default in spec.defaults.items():
        value = raw.get(key, default)
        params[key] = _check_param(key, value, default, where=where)
        if key in spec.cue_params:
            bad = [k for k in params[key] if k not in cue_kinds]
            if bad:
                raise RubricError(
                    f"{where}: param {key} names unknown cue kind(s) {', '.join(bad)}; known: "
                    f"{', '.join(sorted(cue_kinds))}"
                )
    _check_method_rules(method, params, where=where)
    return params


def _check_param(key: str, value: Any, default: Any, *, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise RubricError(f"{where}: param {key} must be true or false, got {value!r}")
        return value
    if isinstance(default, int | float):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise RubricError(f"{where}: param {key} must be a number, got {value!r}")
        if value < 0:
            raise RubricError(f"{where}: param {key} must be >= 0, got {value!r}")
        return float(value)
    if isinstance(default, list):
        if not isinstance(value, list):
            raise RubricError(f"{where}: param {key} must be a list, got {value!r}")
        numeric = bool(default) and isinstance(default[0], int | float)
        if numeric:
            if not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in value
            ):
                raise RubricError(f"{where}: param {key} must be a list of numbers, got {value!r}")
            return [float(v) for v in value]
        if not all(isinstance(v, str) for v in value):
            raise RubricError(f"{where}: param {key} must be a list of cue kinds, got {value!r}")
        return list(value)
    raise AssertionError(f"unhandled default type for {key}")  # pragma: no cover


def _check_method_rules(method: str, p: dict[str, Any], *, where: str) -> None:
    problems: list[str] = []
    if method == "cues":
        if not p["good"] and not p["bad"]:
            problems.append("list at least one cue kind in good or bad")
        pts = p["points_by_count"]
        if not pts or not all(0 <= v <= 100 for v in pts):
            problems.append("points_by_count must be a non-empty list of scores 0-100")
        if p["after_trigger"] and not p["applicable_when"]:
            problems.append("after_trigger needs applicable_when (the cues that trigger it)")
    elif method == "calm_tone":
        if not 0 <= p["zero_marks_calm_share"] < p["full_marks_calm_share"] <= 1:
            problems.append("need 0 <= zero_marks_calm_share < full_marks_calm_share <= 1")
    elif method == "pace":
        lo_hi = p["calm_wpm"]
        if len(lo_hi) != 2 or not 0 < lo_hi[0] < lo_hi[1]:
            problems.append("calm_wpm must be [low, high] with 0 < low < high, e.g. [130, 160]")
        if p["talk_time_wpm_factor"] <= 0:
            problems.append("talk_time_wpm_factor must be > 0")
    elif method == "apology":
        if not p["specific"]:
            problems.append("specific must name at least one cue kind")
    elif method == "customer_name":
        if p["full_marks_uses"] < 1:
            problems.append("full_marks_uses must be >= 1")
    elif method == "escalation":
        if not p["offer_cues"]:
            problems.append("offer_cues must name at least one cue kind")
        if p["again_min_agent_words"] < 0:
            problems.append("again_min_agent_words must be >= 0 (0 = off)")
    for key in ("specific_floor", "bare_only_score", "no_apology_score", "agent_yelling_max_score"):
        if key in p and p[key] > 100:
            problems.append(f"{key} is a score: 0-100")
    if problems:
        raise RubricError(f"{where}: " + "; ".join(problems))
