"""The trainer's scorecard as one self-contained HTML page.

Why one file with everything inline: trainers mail reports, open them on a locked-down laptop,
or save them from the service; a page that fetches fonts, scripts or styles from a CDN breaks
offline and leaks that a call was opened. So CSS, the script and the plot (inline SVG drawn here,
in Python, so it shows even with scripts off) are all in the page, and a Content-Security-Policy
forbids every network fetch.

The page has four parts that point at each other: the call's audio (an ``<audio>`` player with
the recording embedded, service/reports/audio.py), the timeline plot (a waveform overview per
speaker, loudness and pitch, overlaps shaded, events, phrase cues and alerts marked), the
criteria with their evidence, and the transcript with cues highlighted. Clicking an evidence
item plays the call from that moment, puts a cursor on the plot, highlights its marker, and
scrolls the transcript to the words; clicking the plot plays from there, and a playhead follows
the audio.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

PLOT_W = 1000.0
PLOT_LEFT = 64.0
PLOT_RIGHT = 12.0
WAVE_TOP, WAVE_BOTTOM = 18.0, 98.0
LOUD_TOP, LOUD_BOTTOM = 106.0, 176.0
PITCH_TOP, PITCH_BOTTOM = 184.0, 244.0
LANE_TOP = 252.0
LANE_H = 16.0
AXIS_Y = LANE_TOP + 3 * LANE_H + 6.0
PLOT_H = AXIS_Y + 22.0
MAX_COLUMNS = 2000
PITCH_MIN_HZ, PITCH_MAX_HZ = 60.0, 450.0

SPEAKER_COLOURS = {"agent": "#1f6fb4", "customer": "#d9730d"}
EVENT_COLOURS = {
    "yelling": "#d62728",
    "interruption": "#8e44ad",
    "agent_tone": "#e6a800",
    "rushing": "#8c564b",
    "dead_air": "#7f7f7f",
}
POLARITY_COLOURS = {"good": "#2a9d3a", "bad": "#d62728", "signal": "#555555"}
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; media-src data:; base-uri 'none'; form-action 'none'"
)


def esc(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def clock(t: float | None) -> str:
    """``83.4`` -> ``"1:23.4"``."""
    if t is None or not math.isfinite(t):
        return "--:--"
    m, s = divmod(max(0.0, float(t)), 60.0)
    return f"{int(m)}:{s:04.1f}"


def _score_class(score: float | None) -> str:
    if score is None:
        return "na"
    return "good" if score >= 80 else ("mid" if score >= 50 else "low")


# --------------------------------------------------------------------------------------------
# Plot


class _Scale:
    def __init__(self, duration_s: float) -> None:
        self.duration_s = max(duration_s, 1e-3)
        self.x0 = PLOT_LEFT
        self.x1 = PLOT_W - PLOT_RIGHT

    def x(self, t: float) -> float:
        t = min(max(0.0, t), self.duration_s)
        return self.x0 + (self.x1 - self.x0) * t / self.duration_s


def _decimate(
    tl: Mapping[str, Any],
) -> tuple[float, dict[str, list[tuple[float | None, float | None, bool]]]]:
    """Group timeline bins so the plot has at most MAX_COLUMNS columns per speaker.

    Loudness: the loudest speech bin of a group; pitch: the median voiced pitch; speech: any.
    """
    step = float(tl.get("step_s", 0.1))
    out: dict[str, list[tuple[float | None, float | None, bool]]] = {}
    speakers = list(tl.get("speech", {}))
    n = max((len(tl["speech"][p]) for p in speakers), default=0)
    g = max(1, math.ceil(n / MAX_COLUMNS))
    for p in speakers:
        loud = tl.get("loudness_dbfs", {}).get(p, [])
        pitch = tl.get("pitch_hz", {}).get(p, [])
        speech = tl["speech"][p]
        cols = []
        for k in range(0, len(speech), g):
            sp = [bool(v) for v in speech[k : k + g]]
            ls = [
                v
                for v, s in zip(loud[k : k + g], sp, strict=False)
                if s and v is not None and math.isfinite(v)
            ]
            ps = sorted(
                v
                for v, s in zip(pitch[k : k + g], sp, strict=False)
                if s and v is not None and math.isfinite(v)
            )
            cols.append((max(ls) if ls else None, ps[len(ps) // 2] if ps else None, any(sp)))
        out[p] = cols
    return step * g, out


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through points, broken where a point is None."""
    parts: list[str] = []
    pen_up = True
    for pt in points:
        if pt is None:
            pen_up = True
            continue
        parts.append(f"{'M' if pen_up else 'L'}{pt[0]:.1f} {pt[1]:.1f}")
        pen_up = False
    return " ".join(parts)


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start: int | None = None
    for k, v in enumerate([*flags, False]):
        if v and start is None:
            start = k
        elif not v and start is not None:
            out.append((start, k))
            start = None
    return out


def _tick_step(duration_s: float) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration_s / step <= 12:
            return float(step)
    return 7200.0


def _waveform(sc: _Scale, waveform: Mapping[str, Sequence[float]] | None) -> list[str]:
    """Each speaker's peak level over the call: the agent up from the middle line, the
    customer down from it, so who spoke when (and how hard) shows at a glance."""
    mid = (WAVE_TOP + WAVE_BOTTOM) / 2
    half = (WAVE_BOTTOM - WAVE_TOP) / 2 - 2
    o = [
        f'<rect x="{sc.x0}" y="{WAVE_TOP}" width="{sc.x1 - sc.x0:.1f}" '
        f'height="{WAVE_BOTTOM - WAVE_TOP}" fill="#fafbfc" stroke="#d0d4d9"/>',
        f'<line x1="{sc.x0}" x2="{sc.x1}" y1="{mid}" y2="{mid}" stroke="#d0d4d9"/>',
        f'<text x="{sc.x0 - 4}" y="{WAVE_TOP + 12}" class="tick" text-anchor="end">agent</text>',
        f'<text x="{sc.x0 - 4}" y="{WAVE_BOTTOM - 4}" class="tick" text-anchor="end">'
        "customer</text>",
    ]
    if not waveform:
        o.append(
            f'<text x="{(sc.x0 + sc.x1) / 2:.0f}" y="{mid + 4:.0f}" text-anchor="middle" '
            'class="axl">no waveform for this call</text>'
        )
        return o
    for role, sign in (("agent", -1.0), ("customer", 1.0)):
        peaks = list(waveform.get(role) or [])
        if not peaks:
            continue
        n = len(peaks)
        w = (sc.x1 - sc.x0) / n
        top = [
            f"{sc.x0 + (k + 0.5) * w:.1f},{mid + sign * half * max(0.0, min(1.0, v)):.1f}"
            for k, v in enumerate(peaks)
        ]
        points = [f"{sc.x0:.1f},{mid:.1f}", *top, f"{sc.x1:.1f},{mid:.1f}"]
        o.append(
            f'<polygon class="wave {esc(role)}" points="{" ".join(points)}" '
            f'fill="{SPEAKER_COLOURS[role]}" fill-opacity="0.75"/>'
        )
    return o


def render_plot(
    doc: Mapping[str, Any],
    timeline: Mapping[str, Any] | None,
    waveform: Mapping[str, Sequence[float]] | None = None,
) -> str:
    """The timeline as inline SVG: a waveform overview, loudness and pitch per speaker,
    overlaps, events, cues, alerts."""
    dur = float(doc["call"]["duration_s"])
    sc = _Scale(dur)
    o: list[str] = [
        f'<svg id="plot" viewBox="0 0 {PLOT_W:.0f} {PLOT_H:.0f}" width="100%" role="img" '
        f'aria-label="Waveform, loudness and pitch per speaker over the call" data-x0="{sc.x0}" '
        f'data-x1="{sc.x1}" data-dur="{dur}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="0" y="0" width="{PLOT_W:.0f}" height="{PLOT_H:.0f}" fill="#ffffff"/>',
        *_waveform(sc, waveform),
    ]
    # panels
    for top, bottom, label in (
        (LOUD_TOP, LOUD_BOTTOM, "loudness dBFS"),
        (PITCH_TOP, PITCH_BOTTOM, "pitch Hz"),
    ):
        o.append(
            f'<rect x="{sc.x0}" y="{top}" width="{sc.x1 - sc.x0:.1f}" height="{bottom - top}" '
            'fill="#fafbfc" stroke="#d0d4d9"/>'
        )
        o.append(f'<text x="{sc.x0 + 6}" y="{top + 12}" class="axl">{esc(label)}</text>')
    # time grid
    step = _tick_step(dur)
    t = 0.0
    while t <= dur + 1e-6:
        x = sc.x(t)
        o.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{WAVE_TOP}" y2="{AXIS_Y}" stroke="#e6e8eb" '
            'fill-opacity="0"/>'
        )
        o.append(
            f'<text x="{x:.1f}" y="{AXIS_Y + 14:.0f}" class="tick" text-anchor="middle">'
            f"{int(t // 60)}:{int(t % 60):02d}</text>"
        )
        t += step
    lanes = {"customer": LANE_TOP, "agent": LANE_TOP + LANE_H, "cues": LANE_TOP + 2 * LANE_H}
    for name, y in lanes.items():
        o.append(f'<text x="6" y="{y + 11:.0f}" class="axl">{esc(name)}</text>')
    if timeline is not None and timeline.get("speech"):
        col_s, cols = _decimate(timeline)
        # overlap: both parties speaking
        speakers = list(cols)
        if len(speakers) >= 2:
            n = min(len(cols[p]) for p in speakers)
            both = [all(cols[p][k][2] for p in speakers) for k in range(n)]
            for a, b in _runs(both):
                xa, xb = sc.x(a * col_s), sc.x(b * col_s)
                o.append(
                    f'<rect class="overlap" x="{xa:.1f}" y="{LOUD_TOP}" width="{max(1.0, xb - xa):.1f}" '
                    f'height="{PITCH_BOTTOM - LOUD_TOP}" fill="#f4b6b6" fill-opacity="0.55">'
                    f"<title>overlap {clock(a * col_s)}–{clock(b * col_s)}</title></rect>"
                )
        louds = [c[0] for p in speakers for c in cols[p] if c[0] is not None]
        lo = math.floor((min(louds) if louds else -60.0) / 5.0) * 5.0 - 5.0
        hi = math.ceil((max(louds) if louds else 0.0) / 5.0) * 5.0
        hi = max(hi, lo + 10.0)

        def y_loud(v: float) -> float:
            return LOUD_BOTTOM - (LOUD_BOTTOM - LOUD_TOP) * (v - lo) / (hi - lo)

        def y_pitch(v: float) -> float:
            v = min(max(v, PITCH_MIN_HZ), PITCH_MAX_HZ)
            frac = math.log(v / PITCH_MIN_HZ) / math.log(PITCH_MAX_HZ / PITCH_MIN_HZ)
            return PITCH_BOTTOM - (PITCH_BOTTOM - PITCH_TOP) * frac

        for v in (lo, (lo + hi) / 2, hi):
            o.append(
                f'<text x="{sc.x0 - 4}" y="{y_loud(v) + 4:.0f}" class="tick" '
                f'text-anchor="end">{v:.0f}</text>'
            )
        for v in (100.0, 200.0, 400.0):
            o.append(
                f'<text x="{sc.x0 - 4}" y="{y_pitch(v) + 4:.0f}" class="tick" '
                f'text-anchor="end">{v:.0f}</text>'
            )
        for p in speakers:
            colour = SPEAKER_COLOURS.get(p, "#333333")
            lpts = [
                (sc.x((k + 0.5) * col_s), y_loud(c[0])) if c[0] is not None else None
                for k, c in enumerate(cols[p])
            ]
            ppts = [
                (sc.x((k + 0.5) * col_s), y_pitch(c[1])) if c[1] is not None else None
                for k, c in enumerate(cols[p])
            ]
            o.append(
                f'<path class="loud {esc(p)}" d="{_path(lpts)}" fill="none" stroke="{colour}" '
                'stroke-width="1.4"/>'
            )
            o.append(
                f'<path class="pitch {esc(p)}" d="{_path(ppts)}" fill="none" stroke="{colour}" '
                'stroke-width="1.4"/>'
            )
    else:
        o.append(
            f'<text x="{(sc.x0 + sc.x1) / 2:.0f}" y="{(LOUD_TOP + PITCH_BOTTOM) / 2:.0f}" '
            'text-anchor="middle" class="axl">no loudness/pitch timeline for this call</text>'
        )
    # events (acoustic and rushing) in the speaker lanes
    background = ("rushing", "dead_air")  # long spans: drawn first and thin, under the rest
    acoustic = [e for e in doc.get("events", []) if e["kind"] != "phrase"]
    acoustic.sort(key=lambda e: (e["kind"] not in background, float(e["start_s"])))
    for e in acoustic:
        thin = e["kind"] in background
        ta = float(e["start_s"])
        tb = float(e["end_s"]) if e.get("end_s") is not None else dur
        y = lanes.get(e["speaker"], lanes["agent"])
        colour = EVENT_COLOURS.get(e["kind"], "#444444")
        xa, xb = sc.x(ta), sc.x(tb)
        o.append(
            f'<rect class="mk ev-{esc(e["kind"])}" id="mk-{esc(e["id"])}" x="{xa:.1f}" '
            f'y="{y + (9 if thin else 2)}" width="{max(2.0, xb - xa):.1f}" '
            f'height="{LANE_H - (11 if thin else 4)}" rx="2" '
            f'fill="{colour}"><title>{esc(e["kind"])} ({esc(e["speaker"])}) '
            f"{clock(ta)}–{clock(tb)}</title></rect>"
        )
        if e["kind"] in ("yelling", "interruption", "agent_tone"):
            o.append(
                f'<rect x="{xa:.1f}" y="{LOUD_TOP}" width="{max(1.0, xb - xa):.1f}" '
                f'height="{PITCH_BOTTOM - LOUD_TOP}" fill="{colour}" fill-opacity="0.08"/>'
            )
    # phrase cues
    for e in doc.get("events", []):
        if e["kind"] != "phrase":
            continue
        ev = e.get("evidence", {})
        ref = f"{ev.get('cue')}-{e['speaker']}-{round(float(e['start_s']) * 100):07d}"
        colour = POLARITY_COLOURS.get(ev.get("polarity", ""), "#555555")
        x = sc.x(float(e["start_s"]))
        w = max(3.0, sc.x(float(e["end_s"] or e["start_s"])) - x)
        o.append(
            f'<rect class="mk cue" id="mk-{esc(ref)}" x="{x:.1f}" y="{lanes["cues"] + 2}" '
            f'width="{w:.1f}" height="{LANE_H - 4}" rx="2" fill="{colour}">'
            f"<title>{esc(ev.get('cue'))} ({esc(e['speaker'])}) {clock(float(e['start_s']))}: "
            f"{esc(ev.get('quote'))}</title></rect>"
        )
    # alerts: triangles above the loudness panel
    for k, al in enumerate(doc.get("alerts", []), start=1):
        x = sc.x(float(al["at_s"]))
        aid = al.get("id") or f"al-{k}"
        o.append(
            f'<path class="mk alert" id="mk-{esc(aid)}" d="M{x - 5:.1f} {WAVE_TOP - 12} '
            f'L{x + 5:.1f} {WAVE_TOP - 12} L{x:.1f} {WAVE_TOP - 2} Z" fill="#c0392b">'
            f"<title>alert {esc(al['kind'])} at {clock(float(al['at_s']))}: "
            f"{esc(al.get('message'))}</title></path>"
        )
    # the cursor the script moves
    o.append(
        f'<rect id="cursor" x="{sc.x0}" y="{WAVE_TOP - 14}" width="2" '
        f'height="{AXIS_Y - WAVE_TOP + 14}" fill="#111111" fill-opacity="0.18" '
        'stroke="#111111" stroke-width="1" visibility="hidden"/>'
    )
    o.append(
        f'<line id="playhead" x1="{sc.x0}" x2="{sc.x0}" y1="{WAVE_TOP}" y2="{AXIS_Y}" '
        'stroke="#c0392b" stroke-width="1.5" visibility="hidden"/>'
    )
    o.append("</svg>")
    return "\n".join(o)


# --------------------------------------------------------------------------------------------
# Transcript


def _cue_spans(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for e in doc.get("events", []):
        if e["kind"] != "phrase":
            continue
        ev = e.get("evidence", {})
        out.append(
            {
                "speaker": e["speaker"],
                "start_s": float(e["start_s"]),
                "end_s": float(e["end_s"] if e.get("end_s") is not None else e["start_s"]),
                "cue": str(ev.get("cue")),
                "polarity": str(ev.get("polarity", "signal")),
                "ref": f"{ev.get('cue')}-{e['speaker']}-{round(float(e['start_s']) * 100):07d}",
            }
        )
    return out


def _mark(cues: list[dict[str, Any]] | None, spans: list[str]) -> str:
    """Words, wrapped in a ``<mark>`` naming the cues they belong to (if any)."""
    if not cues:
        return " ".join(spans)
    pol = "bad" if any(c["polarity"] == "bad" for c in cues) else cues[0]["polarity"]
    refs = " ".join(c["ref"] for c in cues)
    kinds = ", ".join(c["cue"].replace("_", " ") for c in cues)
    return (
        f'<mark class="cue {esc(pol)}" data-refs="{esc(refs)}" title="{esc(kinds)}">'
        + " ".join(spans)
        + "</mark>"
    )


def render_transcript(doc: Mapping[str, Any]) -> str:
    """Segments with word times; words inside a phrase cue wrapped in ``<mark>``."""
    segments = doc.get("segments", [])
    if not segments:
        return '<p class="muted">Not transcribed (scored with --no-transcribe).</p>'
    cues = _cue_spans(doc)
    o = []
    for k, seg in enumerate(segments):
        sp = str(seg["speaker"])
        mine = [c for c in cues if c["speaker"] == sp]
        words = seg.get("words") or []
        body: list[str] = []
        if not words:
            body.append(esc(seg.get("text", "")))
        groups: list[tuple[list[dict[str, Any]] | None, list[str]]] = []
        for w in words:
            mid = (float(w["start_s"]) + float(w["end_s"])) / 2
            hit = [c for c in mine if c["start_s"] - 0.05 <= mid <= c["end_s"] + 0.05] or None
            span = (
                f'<span class="w" data-t="{float(w["start_s"]):.2f}">'
                f"{esc(str(w['word']).strip())}</span>"
            )
            if groups and groups[-1][0] == hit:
                groups[-1][1].append(span)
            else:
                groups.append((hit, [span]))
        body += [_mark(cur, grp) for cur, grp in groups]
        o.append(
            f'<p class="seg {esc(sp)}" id="seg-{k}" data-speaker="{esc(sp)}" '
            f'data-start="{float(seg["start_s"]):.2f}" data-end="{float(seg["end_s"]):.2f}">'
            f'<span class="t">{clock(float(seg["start_s"]))}</span> '
            f'<span class="who">{esc(sp)}</span> ' + " ".join(body) + "</p>"
        )
    return "\n".join(o)


def _segment_for(doc: Mapping[str, Any], t: float, end: float, speaker: str) -> int | None:
    segs = doc.get("segments", [])
    best = None
    for k, s in enumerate(segs):
        if float(s["start_s"]) <= end + 0.2 and float(s["end_s"]) >= t - 0.2:
            if s["speaker"] == speaker:
                return k
            if best is None:
                best = k
    return best


# --------------------------------------------------------------------------------------------
# Criteria


def _evidence_item(doc: Mapping[str, Any], ev: Mapping[str, Any]) -> str:
    seg = _segment_for(doc, float(ev["start_s"]), float(ev["end_s"]), str(ev["speaker"]))
    href = f"#seg-{seg}" if seg is not None else "#plot"
    mark = {"credit": "+", "debit": "−", "neutral": "·"}.get(str(ev.get("effect")), "·")
    quote = f"<q>{esc(ev['quote'])}</q>" if ev.get("quote") else ""
    context = (
        f' <span class="ctx">(customer: <q>{esc(ev["context"])}</q>)</span>'
        if ev.get("context")
        else ""
    )
    return (
        f'<li class="{esc(ev.get("effect"))}"><a class="ev" href="{href}" '
        f'data-t="{float(ev["start_s"]):.2f}" data-end="{float(ev["end_s"]):.2f}" '
        f'data-ref="{esc(ev["ref"])}" data-speaker="{esc(ev["speaker"])}">'
        f'<span class="fx">{mark}</span> <span class="t">{clock(float(ev["start_s"]))}–'
        f'{clock(float(ev["end_s"]))}</span> <span class="who">{esc(ev["speaker"])}</span> '
        f'{quote}</a> <span class="note">{esc(ev.get("note"))}</span>{context}</li>'
    )


def render_criteria(scorecard: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    o = []
    for c in scorecard["criteria"]:
        score = c.get("score")
        badge = (
            f"{score:.0f}"
            if score is not None
            else ("n/a" if not c.get("applicable", True) else "not measured")
        )
        bar = (
            f'<div class="bar"><div class="fill {_score_class(score)}" '
            f'style="width:{score:.0f}%"></div></div>'
            if score is not None
            else '<div class="bar"></div>'
        )
        seeds = "".join(
            f'<blockquote cite="{esc(s["file"])}">{esc(s["quote"])}<footer>{esc(s["file"])}'
            + (f", “{esc(s['title'])}”" if s.get("title") else "")
            + "</footer></blockquote>"
            for s in c.get("seeds", [])
        )
        evidence = "".join(_evidence_item(doc, ev) for ev in c.get("evidence", []))
        o.append(
            f'<section class="crit {esc(c["status"])}" id="crit-{esc(c["id"])}">'
            f'<header><h3>{esc(c["title"])}</h3><span class="badge {_score_class(score)}">'
            f'{esc(badge)}</span><span class="weight">weight {c["weight"]:g}</span></header>'
            f"{bar}<p>{esc(c['explanation'])}</p>"
            f'<p class="muted">Measures: {esc(c.get("measures"))}</p>'
            + (f'<ul class="evidence">{evidence}</ul>' if evidence else "")
            + f"<details><summary>Guidance</summary>{seeds}</details></section>"
        )
    return "\n".join(o)


def _alerts_table(doc: Mapping[str, Any]) -> str:
    alerts = doc.get("alerts", [])
    if not alerts:
        return '<p class="muted">No alerts were raised during this call.</p>'
    rows = "".join(
        f'<tr><td><a class="ev" href="#plot" data-t="{float(a["at_s"]):.2f}" '
        f'data-end="{float(a["at_s"]):.2f}" data-ref="{esc(a.get("id"))}" data-speaker="agent">'
        f"{clock(float(a['at_s']))}</a></td><td>{esc(a['kind'])}</td><td>{esc(a['audience'])}</td>"
        f"<td>{esc(a.get('message'))} {esc(a.get('tip'))}</td></tr>"
        for a in alerts
    )
    return (
        "<table><thead><tr><th>at</th><th>alert</th><th>to</th><th>message</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


# --------------------------------------------------------------------------------------------
# Page

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#1d2125;background:#f3f5f7}
header.top{padding:12px 20px;background:#fff;border-bottom:1px solid #dde1e5;display:flex;
 gap:24px;align-items:center;flex-wrap:wrap}
header.top h1{font-size:18px;margin:0}
header.top>div:last-child{flex:1;min-width:0}
.overall{font-size:30px;font-weight:700;padding:4px 14px;border-radius:8px;color:#fff}
.overall.good,.badge.good,.fill.good{background:#2a9d3a}
.overall.mid,.badge.mid,.fill.mid{background:#d89b00}
.overall.low,.badge.low,.fill.low{background:#c0392b}
.overall.na,.badge.na{background:#8a939c}
.meta{color:#56606a}
#timeline{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #dde1e5;
 padding:6px 20px 4px}
#timeline svg{display:block;max-height:330px}
#player{display:flex;align-items:center;gap:12px;flex-wrap:wrap;margin:2px 0 4px}
#player audio{flex:1 1 420px;min-width:260px;height:36px}
#player .muted{font-size:12px}
#plot .axl{font-size:11px;fill:#56606a}
#plot .tick{font-size:10px;fill:#56606a}
#plot .mk,#plot{cursor:pointer}
#plot .mk.hl{stroke:#111;stroke-width:2.5}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:#56606a;margin-top:2px}
.moment{font-size:12px;color:#56606a;min-height:18px}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.chip{font-size:12px;text-decoration:none;color:#1d2125;border:1px solid #dde1e5;border-radius:12px;
 padding:1px 8px;background:#fff}
.chip b{margin-left:4px}.chip b.good{color:#2a9d3a}.chip b.mid{color:#a77700}.chip b.low{color:#c0392b}
.chip b.na{color:#8a939c}
.legend i{display:inline-block;width:18px;height:9px;border-radius:2px;margin-right:4px;
 vertical-align:middle}
#moment{font-weight:600;color:#1d2125}
main{display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);gap:18px;padding:14px 20px}
.crit{background:#fff;border:1px solid #dde1e5;border-radius:8px;padding:10px 14px;margin-bottom:12px}
.crit header{display:flex;align-items:center;gap:10px}
.crit h3{margin:0;font-size:15px;flex:1}
.badge{color:#fff;border-radius:6px;padding:1px 9px;font-weight:700}
.weight{color:#8a939c;font-size:12px}
.bar{height:6px;background:#e9ecef;border-radius:3px;margin:6px 0}
.fill{height:6px;border-radius:3px}
.crit.not_applicable,.crit.not_measured{opacity:.8}
.muted{color:#6b757e}
ul.evidence{list-style:none;padding:0;margin:6px 0}
ul.evidence li{padding:3px 6px;border-left:3px solid #c9ced3;margin:3px 0}
ul.evidence li.credit{border-color:#2a9d3a}
ul.evidence li.debit{border-color:#c0392b}
a.ev{color:inherit;text-decoration:none;border-bottom:1px dotted #7a848d}
a.ev:hover{background:#eef4fb}
a.ev.hl{background:#fff3bf}
.fx{font-weight:700;display:inline-block;width:1em;text-align:center}
.t{font-variant-numeric:tabular-nums;color:#56606a}
.who{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#56606a}
.note{color:#56606a;font-size:12.5px}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #9aa5b1;color:#3b444c}
blockquote footer{font-size:11.5px;color:#6b757e}
#transcript-col{position:sticky;top:var(--plot-h,330px);align-self:start}
#transcript{background:#fff;border:1px solid #dde1e5;border-radius:8px;padding:8px 12px;
 max-height:calc(100vh - var(--plot-h,330px) - 40px);overflow:auto;position:relative}
.seg{margin:4px 0;padding:3px 6px;border-radius:4px}
.seg.agent .who{color:#1f6fb4}.seg.customer .who{color:#d9730d}
.seg.hl{background:#fff3bf}
mark.cue{border-radius:3px;padding:0 2px}
mark.cue.good{background:#d3f2d7}
mark.cue.bad{background:#fbd5d1}
mark.cue.signal{background:#e3e6ea}
mark.cue.hl{outline:2px solid #111}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left;vertical-align:top}
h2{font-size:15px;margin:16px 0 8px}
@media (max-width:900px){main{grid-template-columns:1fr}#transcript-col{position:static}
 #transcript{max-height:none}}
@media print{#timeline,#transcript-col{position:static}#transcript{max-height:none;overflow:visible}}
"""

_JS = """
(function () {
  "use strict";
  var svg = document.getElementById("plot");
  var x0 = Number(svg.dataset.x0), x1 = Number(svg.dataset.x1), dur = Number(svg.dataset.dur);
  var cursor = document.getElementById("cursor");
  var box = document.getElementById("transcript");
  var label = document.getElementById("moment");
  function X(t) { return x0 + (x1 - x0) * Math.max(0, Math.min(dur, t)) / dur; }
  function clock(t) {
    var m = Math.floor(t / 60), s = (t - 60 * m).toFixed(1);
    return m + ":" + (s.length < 4 ? "0" + s : s);
  }
  function setPlotHeight() {
    var tl = document.getElementById("timeline");
    document.documentElement.style.setProperty("--plot-h", tl.offsetHeight + "px");
  }
  function clear() {
    var old = document.querySelectorAll(".hl");
    for (var i = 0; i < old.length; i++) { old[i].classList.remove("hl"); }
  }
  var audio = document.getElementById("audio");
  var playhead = document.getElementById("playhead");
  /* play the call from t (a click is a user gesture, so the browser lets it play) */
  function play(t) {
    if (!audio) { return; }
    try { audio.currentTime = Math.max(0, t); } catch (err) { return; }
    var p = audio.play();
    if (p && p.catch) { p.catch(function () {}); }
  }
  if (audio) {
    audio.addEventListener("timeupdate", function () {
      playhead.setAttribute("x1", X(audio.currentTime).toFixed(1));
      playhead.setAttribute("x2", X(audio.currentTime).toFixed(1));
      playhead.setAttribute("visibility", "visible");
    });
  }
  function show(a) {
    var t = Number(a.dataset.t), e = Number(a.dataset.end), ref = a.dataset.ref || "";
    var who = a.dataset.speaker || "";
    clear();
    a.classList.add("hl");
    cursor.setAttribute("x", X(t).toFixed(1));
    cursor.setAttribute("width", Math.max(2, X(e) - X(t)).toFixed(1));
    cursor.setAttribute("visibility", "visible");
    var mk = document.getElementById("mk-" + ref);
    if (mk) { mk.classList.add("hl"); }
    label.textContent = clock(t) + (e > t ? "\\u2013" + clock(e) : "") + "  " + (a.dataset.ref || "");
    var target = null;
    var marks = document.querySelectorAll("mark.cue");
    for (var i = 0; i < marks.length; i++) {
      if ((" " + marks[i].dataset.refs + " ").indexOf(" " + ref + " ") >= 0) {
        marks[i].classList.add("hl");
        if (!target) { target = marks[i].closest(".seg"); }
      }
    }
    var segs = document.querySelectorAll(".seg"), hit = [], mine = [];
    for (var j = 0; j < segs.length; j++) {
      var s = segs[j];
      if (Number(s.dataset.start) <= e + 0.2 && Number(s.dataset.end) >= t - 0.2) {
        hit.push(s);
        if (s.dataset.speaker === who) { mine.push(s); }
      }
    }
    var chosen = mine.length ? mine : hit;
    for (var k = 0; k < chosen.length; k++) { chosen[k].classList.add("hl"); }
    target = target || chosen[0];
    if (target && box) {
      box.scrollTop = Math.max(0, target.offsetTop - box.clientHeight / 3);
    }
    if (history.replaceState) { history.replaceState(null, "", "#m-" + ref); }
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.ev") : null;
    if (a) { ev.preventDefault(); show(a); play(Number(a.dataset.t)); return; }
    var mk = ev.target.closest ? ev.target.closest(".mk") : null;
    if (mk && mk.id) {
      var link = document.querySelector('a.ev[data-ref="' + mk.id.slice(3) + '"]');
      if (link) {
        show(link); link.scrollIntoView({block: "nearest"}); play(Number(link.dataset.t));
        return;
      }
    }
    var w = ev.target.closest ? ev.target.closest(".w") : null;
    if (w && w.dataset.t) { play(Number(w.dataset.t)); return; }
    if (ev.target.closest && ev.target.closest("#plot") && svg.getScreenCTM) {
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var loc = pt.matrixTransform(svg.getScreenCTM().inverse());
      if (loc.x >= x0 && loc.x <= x1) { play((loc.x - x0) / (x1 - x0) * dur); }
    }
  });
  window.addEventListener("resize", setPlotHeight);
  setPlotHeight();
  if (location.hash.indexOf("#m-") === 0) {
    var first = document.querySelector('a.ev[data-ref="' + location.hash.slice(3) + '"]');
    if (first) { show(first); }
  }
})();
"""


def _chips(scorecard: Mapping[str, Any]) -> str:
    """One chip per criterion (score or n/a), linking to its section."""
    out = []
    for c in scorecard["criteria"]:
        score = c.get("score")
        txt = f"{score:.0f}" if score is not None else ("n/a" if not c.get("applicable") else "n/m")
        out.append(
            f'<a class="chip" href="#crit-{esc(c["id"])}">{esc(c["title"])}'
            f'<b class="{_score_class(score)}">{txt}</b></a>'
        )
    return '<div class="chips">' + "".join(out) + "</div>"


def _legend() -> str:
    items = [
        (SPEAKER_COLOURS["agent"], "agent"),
        (SPEAKER_COLOURS["customer"], "customer"),
        ("#f4b6b6", "overlap"),
        *((c, k.replace("_", " ")) for k, c in EVENT_COLOURS.items()),
        (POLARITY_COLOURS["good"], "good phrase"),
        (POLARITY_COLOURS["bad"], "phrase to avoid"),
        ("#c0392b", "▼ alert"),
    ]
    return (
        '<div class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{esc(n)}</span>' for c, n in items)
        + '</div><div class="moment">moment: <span id="moment">click an evidence item</span>'
        "</div>"
    )


def _player(audio: Mapping[str, Any] | None) -> str:
    """The call's recording as an ``<audio>`` player (evidence clicks seek it), or why not."""
    if not audio or not audio.get("data_uri"):
        why = (audio or {}).get("note") or "the recording is not part of this report"
        return f'<div id="player"><span class="muted">No audio: {esc(why)}.</span></div>'
    return (
        '<div id="player"><audio id="audio" controls preload="auto" '
        f'src="{esc(audio["data_uri"])}"></audio>'
        f'<span class="muted">{esc(audio.get("layout"))} · click any evidence, marker, word or '
        "point on the plot to hear it</span></div>"
    )


def render_report(
    scorecard: Mapping[str, Any],
    doc: Mapping[str, Any],
    timeline: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    audio: Mapping[str, Any] | None = None,
    recorded: str | None = None,
) -> str:
    """The whole page: header, audio player, timeline plot, criteria with evidence,
    transcript, alerts.

    Parameters
    ----------
    scorecard : mapping
        A ``calltone.scorecard/1`` document.
    doc : mapping
        The ``calltone.analysis/1`` document it was scored from (events, alerts, segments).
    timeline : mapping, optional
        ``Timeline.to_dict()`` of the call, for the loudness and pitch curves.
    title : str, optional
        What people call the recording (its file name); default the call id.
    audio : mapping, optional
        ``ReportAudio.to_dict()`` (service/reports/audio.py): the player's source and the
        waveform overview.
    recorded : str, optional
        When the call was recorded, as people read it.
    """
    call = scorecard["call"]
    name = title or call.get("call_id") or call.get("path") or "call"
    overall = scorecard.get("overall_score")
    overall_txt = f"{overall:.0f}" if overall is not None else "n/a"
    scored = sum(1 for c in scorecard["criteria"] if c["status"] == "scored")
    meta = (
        f"{clock(float(call['duration_s']))} long · "
        + (f"agent {esc(call['agent_id'])} · " if call.get("agent_id") else "agent not given · ")
        + (f"recorded {esc(recorded)} · " if recorded else "")
        + ("transcribed" if call.get("transcribed") else "not transcribed")
        + f" · {scored} of {len(scorecard['criteria'])} criteria scored · rubric "
        f"{esc(scorecard['rubric'].get('name'))} v{esc(scorecard['rubric'].get('version'))}"
    )
    notes = "".join(f"<li>{esc(n)}</li>" for n in scorecard.get("notes", []))
    data = json.dumps({"schema": scorecard.get("schema"), "overall_score": overall})
    data = data.replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scorecard · {esc(name)}</title>
<style>{_CSS}</style></head>
<body>
<header class="top"><div class="overall {_score_class(overall)}" title="overall score 0-100">{overall_txt}</div>
<div><h1>{esc(name)}</h1><div class="meta">{meta}</div>{_chips(scorecard)}</div></header>
<div id="timeline">{_player(audio)}{render_plot(doc, timeline, (audio or {}).get("waveform"))}{_legend()}</div>
<main>
<div id="criteria-col"><h2>Criteria</h2>{render_criteria(scorecard, doc)}
<h2>Alerts raised</h2>{_alerts_table(doc)}
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}</div>
<div id="transcript-col"><h2>Transcript</h2><div id="transcript">{render_transcript(doc)}</div></div>
</main>
<script type="application/json" id="scorecard-summary">{data}</script>
<script>{_JS}</script>
</body></html>
"""
