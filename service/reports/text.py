"""A plain-text rendering of the analysis document, for a person at a terminal.

Written for someone who has not read the JSON contract: who is on which channel in words, the
acoustic moments first, then what was said grouped into what *helped* and what *hurt* (with the
guidance each phrase traces to), the alerts with their tips, and the measurements with every
unit spelled out once at the end. Nothing prints as a Python value (no ``None``, no dicts).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

NOT_MEASURED = "not measured"
MIXED_NOTE = "mono recording: both parties are mixed"
"""How service.inputcheck.mono_guard's note starts for a mono mix nobody attributed."""

SPEAKER_WORDS = {"agent": "agent", "customer": "customer", None: "either party"}
EVENT_WORDS = {
    "yelling": "yelling",
    "interruption": "cut in",
    "agent_tone": "tense tone",
    "rushing": "rushing",
    "dead_air": "dead air",
}
CUE_WORDS = {
    "empathy": "showed empathy",
    "customer_name_used": "used the customer's name",
    "bare_apology": "apologised without saying for what",
    "specific_apology": "apologised for the specific problem",
    "negative_phrasing": "negative phrasing",
    "blame_passing": "passed the blame",
    "bouncing": "sent the customer elsewhere",
    "solution_offer": "offered a solution",
    "ownership": "took ownership",
    "paraphrasing": "paraphrased the concern",
    "boundary_setting": "set a boundary respectfully",
    "supervisor_offer": "offered a supervisor",
    "closing": "closing check",
    "abuse": "abusive language",
    "manager_request": "asked for a manager",
}
FIRED_WORDS = {
    "loudness": "louder",
    "pitch": "higher pitch",
    "pitch_variability": "more up-and-down pitch",
    "pace": "faster",
    "vocal_effort": "strained voice",
    "voice_quality": "harsher voice",
}
AUDIENCE_WORDS = {
    "agent": "to the agent",
    "supervisor": "to the supervisor",
    "both": "to agent and supervisor",
}
UNITS = (
    "Units: dBFS = loudness in decibels below the loudest sound a file can hold (0 dBFS); normal "
    "speech is about -20 to -35 dBFS, and +6 dB is a clear step up in effort. dB over their "
    "baseline = that much louder than this speaker's own usual voice in this call. semitones = "
    "steps of pitch (12 make an octave) above their usual pitch. syllables/s and words/min = "
    "speaking rate (calm agents speak about 130-160 words a minute). Times are minutes:seconds "
    "from the start of the recording."
)


def _clock(t: float | None) -> str:
    if t is None:
        return "   --:--.-"
    m, s = divmod(float(t), 60.0)
    return f"{int(m):3d}:{s:04.1f}"


def _num(v: Any, fmt: str = ".1f", unit: str = "") -> str:
    """A number with its unit, or ``not measured``."""
    if v is None or isinstance(v, bool):
        return NOT_MEASURED
    try:
        return f"{float(v):{fmt}}{unit}"
    except (TypeError, ValueError):
        return NOT_MEASURED


def _words(v: Any) -> str:
    return NOT_MEASURED if v is None else str(v).replace("_", " ")


def _roles(call: Mapping[str, Any]) -> str:
    """``{"agent": 0, "customer": 1}`` -> ``agent on channel 0 (left), customer on ...``."""
    roles = call.get("roles") or {}
    side = {0: " (left)", 1: " (right)"} if int(call.get("channels") or 0) == 2 else {}
    known = sorted((ch, role) for role, ch in roles.items() if isinstance(ch, int))
    parts = [f"{role} on channel {ch}{side.get(ch, '')}" for ch, role in known]
    if int(call.get("channels") or 0) == 1 and len(known) == 1:
        return f"mono recording: one channel, analysed as the {known[0][1]}"
    return ", ".join(parts) if parts else "roles not known"


def _evidence_line(ev: Mapping[str, Any]) -> str:
    e = ev.get("evidence") or {}
    kind = ev["kind"]
    if kind == "yelling":
        return (
            f"{_num(e.get('peak_loudness_db_over_baseline'), '.1f', ' dB')} louder and "
            f"{_num(e.get('peak_pitch_st_over_baseline'), '.1f', ' semitones')} higher than "
            "their own usual voice"
        )
    if kind == "interruption":
        return (
            f"cut the {_words(e.get('interrupted'))} off "
            f"{_num(e.get('interrupted_turn_s'), '.1f', ' s')} into their turn; both talked for "
            f"{_num(e.get('overlap_s'), '.1f', ' s')}"
        )
    if kind == "agent_tone":
        fired = [FIRED_WORDS.get(f, f.replace("_", " ")) for f in e.get("fired") or []]
        return "voice " + (", ".join(fired) if fired else "tense") + " than their usual"
    if kind == "rushing":
        return (
            f"{_num(e.get('peak_wpm'), '.0f', ' words/min')} against their usual "
            f"{_num(e.get('baseline_wpm'), '.0f', ' words/min')}"
        )
    if kind == "dead_air":
        return "nobody spoke"
    return ""


def _phrase_line(ev: Mapping[str, Any]) -> list[str]:
    e = ev.get("evidence") or {}
    cue = str(e.get("cue") or "phrase")
    what = CUE_WORDS.get(cue, cue.replace("_", " "))
    quote = f' "{e["quote"]}"' if e.get("quote") else ""
    lines = [
        f"  {_clock(ev['start_s'])}  {SPEAKER_WORDS.get(ev.get('speaker'), '')}: {what}{quote}"
    ]
    seed = e.get("seed") or {}
    if seed.get("quote"):
        lines.append(f"              guidance: {seed['quote']}")
    return lines


def _phrases(events: Sequence[Mapping[str, Any]]) -> list[str]:
    phrases = [e for e in events if e["kind"] == "phrase"]
    if not phrases:
        return []
    out: list[str] = []
    groups = (
        ("good", "What helped (the guidance says do this)"),
        ("bad", "What hurt (the guidance says avoid this)"),
        ("signal", "Worth knowing (neither good nor bad: facts the alerts use)"),
    )
    for polarity, title in groups:
        mine = [e for e in phrases if (e.get("evidence") or {}).get("polarity") == polarity]
        if not mine:
            continue
        out.append(f"\n{title}: {len(mine)}")
        for e in mine:
            out += _phrase_line(e)
    return out


def render_text(doc: dict[str, Any]) -> str:
    """The analysis document as a readable summary (``calltone analyze --format text``)."""
    call = doc["call"]
    lines = [
        str(call.get("path") or "call"),
        f"  {_num(call.get('duration_s'), '.1f', ' s')} long, {call.get('channels')} "
        f"channel(s) at {call.get('sample_rate')} Hz; {_roles(call)}",
    ]
    lines += [f"  note: {n}" for n in doc.get("notes", [])]

    events = doc.get("events", [])
    moments = [e for e in events if e["kind"] != "phrase"]
    lines.append(f"\nMoments to look at: {len(moments) or 'none'}")
    if not moments:
        lines.append("  no yelling, cutting in, tense agent tone, rushing or long silence")
    # a mono mix whose party nobody named: the events are the call's, not the agent's
    mixed = int(call.get("channels") or 0) == 1 and any(
        str(n).startswith(MIXED_NOTE) for n in doc.get("notes", [])
    )
    for ev in moments:
        who = "someone (mono mix)" if mixed else SPEAKER_WORDS.get(ev.get("speaker"), "")
        kind = EVENT_WORDS.get(ev["kind"], ev["kind"].replace("_", " "))
        lines.append(
            f"  {_clock(ev['start_s'])} - {_clock(ev.get('end_s')).strip():>7}  "
            f"{who} {kind}: {_evidence_line(ev)}"
        )

    lines += _phrases(events)

    alerts = doc.get("alerts") or []
    lines.append(f"\nAlerts raised: {len(alerts) or 'none'}")
    for al in alerts:
        why = f" ({al['reason']})" if al.get("reason") else ""
        tip = f" Tip: {al['tip']}" if al.get("tip") else ""
        lines.append(
            f"  {_clock(al['at_s'])}  {AUDIENCE_WORDS.get(al['audience'], al['audience'])}: "
            f"{al['message']}{tip}{why}"
        )

    m = doc.get("metrics") or {}
    lines.append("\nMeasurements")
    for role in ("agent", "customer"):
        r = m.get(role)
        if not r:
            continue
        wpm = r.get("words_per_minute")
        lines.append(
            f"  {role:<9} talked {_num(r.get('talk_time_s'), '.1f', ' s')}, median loudness "
            f"{_num(r.get('median_loudness_dbfs'), '.1f', ' dBFS')}, median pitch "
            f"{_num(r.get('median_pitch_hz'), '.0f', ' Hz')}, "
            f"{_num(r.get('syllable_rate_per_s'), '.1f', ' syllables/s')}"
            + (f", {_num(wpm, '.0f', ' words/min')}" if wpm is not None else "")
        )
    lines.append(
        f"  both talking at once {_num(m.get('overlap_s'), '.1f', ' s')}, "
        f"nobody talking (dead air) {_num(m.get('dead_air_s'), '.1f', ' s')}"
    )
    lines.append("\n" + textwrap.fill(UNITS, width=100))
    if doc.get("segments"):
        lines.append("\nTranscript")
        for seg in doc["segments"]:
            lines.append(f"{_clock(seg['start_s'])}  {seg['speaker']:<9} {seg['text']}")
    return "\n".join(lines)
