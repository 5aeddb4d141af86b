"""A plain-text rendering of the analysis document, for a person at a terminal."""

from __future__ import annotations

from typing import Any


def _clock(t: float | None) -> str:
    if t is None:
        return "  --:--.-"
    m, s = divmod(float(t), 60.0)
    return f"{int(m):3d}:{s:04.1f}"


def _evidence_line(ev: dict[str, Any]) -> str:
    e = ev.get("evidence", {})
    kind = ev["kind"]
    if kind == "yelling":
        return (
            f"+{e.get('peak_loudness_db_over_baseline', 0):.1f} dB, "
            f"+{e.get('peak_pitch_st_over_baseline', 0):.1f} st over their baseline"
        )
    if kind == "interruption":
        return (
            f"cut in on the {e.get('interrupted')} {e.get('interrupted_turn_s', 0):.1f} s into their turn, "
            f"{e.get('overlap_s', 0):.1f} s of overlap"
        )
    if kind == "agent_tone":
        return "fired: " + ", ".join(e.get("fired", []))
    if kind == "rushing":
        return f"{e.get('peak_wpm')} wpm (own baseline {e.get('baseline_wpm')} wpm)"
    if kind == "phrase":
        return f'{e.get("cue")}: "{e.get("quote", "")}"'
    return ""


def render_text(doc: dict[str, Any]) -> str:
    call = doc["call"]
    lines = [
        f"{call['path']}: {call['duration_s']:.1f} s, {call['channels']} channel(s) at "
        f"{call['sample_rate']} Hz, roles {call['roles']}",
    ]
    lines += [f"note: {n}" for n in doc.get("notes", [])]
    events = doc["events"]
    lines.append(f"\n{len(events)} event(s)")
    for ev in events:
        lines.append(
            f"{_clock(ev['start_s'])} - {_clock(ev['end_s'])}  {ev['kind']:<13} {ev['speaker']:<9} "
            f"{_evidence_line(ev)}"
        )
    if doc.get("alerts"):
        lines.append(f"\n{len(doc['alerts'])} alert(s)")
        for al in doc["alerts"]:
            why = f" ({al['reason']})" if al.get("reason") else ""
            lines.append(
                f"{_clock(al['at_s'])}  {al['kind']:<16} to {al['audience']:<10} "
                f"{al['message']} {al['tip']}{why}"
            )
    m = doc["metrics"]
    lines.append("\nmetrics")
    for role in ("agent", "customer"):
        if role in m:
            r = m[role]
            lines.append(
                f"  {role:<9} talk {r['talk_time_s']:.1f} s, loudness {r['median_loudness_dbfs']} dBFS, "
                f"pitch {r['median_pitch_hz']} Hz, {r['syllable_rate_per_s']} syll/s"
                + (f", {r['words_per_minute']} wpm" if r.get("words_per_minute") else "")
            )
    lines.append(f"  overlap {m.get('overlap_s')} s, dead air {m.get('dead_air_s')} s")
    if doc.get("segments"):
        lines.append("\ntranscript")
        for seg in doc["segments"]:
            lines.append(f"{_clock(seg['start_s'])}  {seg['speaker']:<9} {seg['text']}")
    return "\n".join(lines)
