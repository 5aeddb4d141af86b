"""Words per minute on the real calls against what people measure (issue 14).

- ``phone_call_2spk``: calltone's words per minute over the talk time of its word timestamps
  (both sides share the one channel) against the STM reference: its words over the union of its
  own utterances.
- ``lca_calls/Auto_Repairs_40_UTC_{agent,caller}``: the calm call as a two-channel 8 kHz call;
  each party's words per minute and whether ``rushing`` fired, with the talk time also computed
  with pauses up to 2 s filled and from the front end's acoustic talk time, to show how much the
  divisor could move the rate.

Run: ``python bench/bench_pace.py [--json out.json]``. Needs ``../shared/data``.

``--rules FULL:ZERO ...``: also each rate with pauses counted by another rule (a pause up to FULL
seconds counts whole, from ZERO on nothing, linearly in between: models.speech.text.pause_talk_s;
``0.5:0.5`` is the all-or-nothing rule; ``0.8:0.8`` the words over the speaker's turns,
``PaceConfig.over_turns``, the STM reference's own time base), from the same words. The phone
call is also split by the STM's speakers (``by_speaker``: each one's reference pace beside ours). ``--from-dump DUMP.json ...``:
instead of the real calls, the agent pace criterion of every call of a
``bench_diarization.py --scores --dump`` file, two-channel and mono mix, under each rule (the
words are transcribed once; rushing and the rubric's pace score recomputed per rule), and how
many calls' pace cells agree within 10 points.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from _common import shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import (  # noqa: E402
    PaceConfig,
    _rushing,
    transcribe_session,
)
from calltone.models.scoring.rubric import load_rubric  # noqa: E402
from calltone.models.speech.text import talk_time_s  # noqa: E402
from calltone.models.speech.transcript import Word  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402


def analyse(path: Path, roles: ChannelRoles) -> tuple[dict[str, Any], dict[str, list[Word]], list]:
    audio = load_audio(path)
    session = run_session(audio, roles, AnalysisConfig())
    result = transcribe_session(audio, session, transcriber=None)
    words: dict[str, list[Word]] = {}
    for s in result.segments:
        words.setdefault(s.speaker, []).extend(s.words)
    metrics = {p: {**session.analysis.metrics.get(p, {}), **m} for p, m in result.metrics.items()}
    return metrics, words, [e for e in result.events if e.kind == "rushing"]


def union_s(spans: list[tuple[float, float]]) -> float:
    total, cur = 0.0, None
    for a, b in sorted(spans):
        if cur is not None and a <= cur[1]:
            cur[1] = max(cur[1], b)
            continue
        if cur is not None:
            total += cur[1] - cur[0]
        cur = [a, b]
    return total + (cur[1] - cur[0] if cur is not None else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None)
    ap.add_argument("--rules", nargs="*", default=[], metavar="FULL:ZERO")
    ap.add_argument("--from-dump", nargs="*", default=[], type=Path, metavar="DUMP.json")
    args = ap.parse_args(argv)
    rules = [parse_rule(r) for r in args.rules]
    if args.from_dump:
        for dump in args.from_dump:
            dump_pace(dump, rules or [PaceConfig()])
        return 0
    data = shared_data_dir()
    out: dict[str, Any] = {}
    phone = data / "phone_call_2spk"
    rows = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
    rows = [r for r in rows if len(r) == 6]
    ref_words = sum(len(r[5].split()) for r in rows)
    ref_talk = union_s([(float(r[3]), float(r[4])) for r in rows])
    _m, words, _r = analyse(phone / "sample.wav", ChannelRoles(0, None))
    ws = [w for v in words.values() for w in v]
    talk = talk_time_s(ws, start_s=0.0, end_s=1e9)
    ours, ref = 60 * len(ws) / talk, 60 * ref_words / ref_talk
    out["phone_call_2spk"] = {
        "words": len(ws),
        "talk_s": round(talk, 2),
        "wpm": round(ours, 1),
        "reference_words": ref_words,
        "reference_talk_s": round(ref_talk, 2),
        "reference_wpm": round(ref, 1),
        "error_pct": round(100 * (ours - ref) / ref, 1),
    }
    for c in rules:
        talk_r = talk_time_s(
            ws, start_s=0.0, end_s=1e9, pause_full_s=c.pause_full_s, pause_zero_s=c.pause_zero_s
        )
        wpm_r = 60 * len(ws) / talk_r
        out["phone_call_2spk"][f"rule {rule_name(c)}"] = {
            "talk_s": round(talk_r, 2),
            "wpm": round(wpm_r, 1),
            "error_pct": round(100 * (wpm_r - ref) / ref, 1),
        }
    out["phone_call_2spk"]["by_speaker"] = by_speaker(rows, ws, rules)
    lca = data / "lca_calls"
    with tempfile.TemporaryDirectory() as tmp:
        a, sr = sf.read(lca / "Auto_Repairs_40_UTC_agent.flac", dtype="float32")
        c, _ = sf.read(lca / "Auto_Repairs_40_UTC_caller.flac", dtype="float32")
        n = min(a.shape[0], c.shape[0])
        path = Path(tmp) / "call.wav"
        sf.write(path, np.stack([a[:n], c[:n]], axis=1), sr, subtype="PCM_16")
        metrics, words, rushing = analyse(path, ChannelRoles(0, 1))
    out["lca Auto_Repairs_40_UTC"] = {"rushing_events": len(rushing)}
    for party, ws in words.items():
        m = metrics.get(party, {})
        gaps2 = _filled(ws, 2.0)
        out["lca Auto_Repairs_40_UTC"][party] = {
            "words": len(ws),
            "wpm": m.get("words_per_minute"),
            "transcribed_talk_s": m.get("transcribed_talk_s"),
            "wpm_pauses_to_2s_filled": round(60 * len(ws) / gaps2, 1),
            "acoustic_talk_s": m.get("talk_time_s"),
            "wpm_over_acoustic_talk": round(60 * len(ws) / m["talk_time_s"], 1)
            if m.get("talk_time_s")
            else None,
        }
        for c in rules:
            talk_r = talk_time_s(
                ws,
                start_s=0.0,
                end_s=1e9,
                pause_full_s=c.pause_full_s,
                pause_zero_s=c.pause_zero_s,
            )
            out["lca Auto_Repairs_40_UTC"][party][f"wpm rule {rule_name(c)}"] = round(
                60 * len(ws) / talk_r, 1
            )
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


def by_speaker(rows: list[list[str]], ws: list[Word], rules: list[PaceConfig]) -> dict[str, Any]:
    """Each STM speaker's reference pace (their words over their own utterances) beside ours:
    our words given to the speaker whose utterance holds (or lies nearest to) the word's
    midpoint, over their talk time and under each rule (``--rules 0.8:0.8``: over turns)."""
    spans = [(r[2], float(r[3]), float(r[4])) for r in rows]

    def who(t: float) -> str:
        return min(
            spans, key=lambda u: 0.0 if u[1] <= t <= u[2] else min(abs(t - u[1]), abs(t - u[2]))
        )[0]

    out: dict[str, Any] = {}
    pooled: dict[str, float] = {}
    for spk in sorted({u[0] for u in spans}):
        n_ref = sum(len(r[5].split()) for r in rows if r[2] == spk)
        t_ref = union_s([(a, b) for s, a, b in spans if s == spk])
        mine = [w for w in ws if who(w.mid_s) == spk]
        row: dict[str, Any] = {
            "reference_words": n_ref,
            "reference_talk_s": round(t_ref, 2),
            "reference_wpm": round(60 * n_ref / t_ref, 1),
            "words": len(mine),
        }
        for c in [PaceConfig(), *rules]:
            t = talk_time_s(
                mine,
                start_s=0.0,
                end_s=1e9,
                pause_full_s=c.pause_full_s,
                pause_zero_s=c.pause_zero_s,
            )
            row[f"wpm rule {rule_name(c)}"] = round(60 * len(mine) / t, 1) if t else None
            pooled[rule_name(c)] = pooled.get(rule_name(c), 0.0) + t
        out[spk] = row
    # Both sides' words over the sum of each speaker's own time, as the reference counts it
    # (its utterances do not overlap here, so their union is their sum): the one-party figure
    # above also counts the pauses at a change of speaker up to the pause rule as talk.
    ref = 60 * sum(len(r[5].split()) for r in rows) / union_s([(a, b) for _, a, b in spans])
    out["both, per-speaker time"] = {
        f"wpm rule {k}": {
            "wpm": round(60 * len(ws) / t, 1),
            "error_pct": round(100 * (60 * len(ws) / t - ref) / ref, 1),
        }
        for k, t in pooled.items()
        if t
    }
    return out


def parse_rule(text: str) -> PaceConfig:
    """``FULL:ZERO`` seconds as a :class:`PaceConfig` with that pause rule."""
    full, zero = (float(v) for v in text.split(":"))
    return PaceConfig(pause_full_s=full, pause_zero_s=zero)


def rule_name(c: PaceConfig) -> str:
    return f"{c.pause_full_s:g}:{c.pause_zero_s:g}"


def pace_score(wpm: float, n_words: int, n_rushing: int) -> float | None:
    """The rubric's pace criterion (models.scoring.scorecard.score_pace) from its inputs."""
    p = load_rubric().criterion("pace").params
    if n_words < p["min_words"]:
        return None
    lo, hi = p["calm_wpm"]
    conv = wpm / p["talk_time_wpm_factor"]
    outside = max(0.0, lo - conv, conv - hi)
    score = 100.0 - outside * p["points_per_wpm_outside"] - n_rushing * p["rushing_penalty_points"]
    return min(100.0, max(0.0, score))


def dump_pace(dump: Path, rules: list[PaceConfig]) -> None:
    """Print the agent's pace, two-channel / mono mix, of every call in ``dump`` under each rule.

    The words come from the dump (times rounded to 0.01 s), so the all-or-nothing rule's figures
    can differ from the dump's own cells by a rounding; both are printed."""
    calls = json.loads(dump.read_text())
    agree = dict.fromkeys(map(rule_name, rules), 0)
    total = 0
    for name, sides in calls.items():
        row = [
            f"{name:26s} cells {sides['two']['cells'].get('pace')} / {sides['mix']['cells'].get('pace')}"
        ]
        for c in rules:
            got: list[tuple[float | None, int, float, int]] = []
            for side in ("two", "mix"):
                ws = [
                    Word(w["word"], float(w["start_s"]), float(w["end_s"]))
                    for w in sides[side]["words"].get("agent", [])
                ]
                if not ws:
                    got.append((None, 0, 0.0, 0))
                    continue
                end = max(w.end_s for w in ws) + 1.0
                talk = talk_time_s(
                    ws,
                    start_s=0.0,
                    end_s=end,
                    pause_full_s=c.pause_full_s,
                    pause_zero_s=c.pause_zero_s,
                )
                wpm = round(60 * len(ws) / talk, 1) if talk > 0 else 0.0
                rushing, _b = _rushing(ws, c)
                got.append((pace_score(wpm, len(ws), len(rushing)), len(ws), talk, len(rushing)))
            (a, na, ta, ra), (b, nb, tb, rb) = got
            ok = a is not None and b is not None and abs(a - b) <= 10.0
            agree[rule_name(c)] += ok
            row.append(
                f"{rule_name(c)}: {_cell(a)} / {_cell(b)} ({na} w / {ta:.2f} s, r{ra}; "
                f"{nb} w / {tb:.2f} s, r{rb}){'' if ok else ' OFF'}"
            )
        total += 1
        print("  ".join(row), flush=True)
    print(
        f"{dump.name}: pace within 10 points, "
        + ", ".join(f"rule {k} {v} of {total}" for k, v in agree.items()),
        flush=True,
    )


def _cell(v: float | None) -> str:
    return "n/m" if v is None else f"{v:.1f}"


def _filled(words: list[Word], gap_s: float) -> float:
    spans = sorted((w.start_s, w.end_s) for w in words)
    total, cur = 0.0, None
    for a, b in spans:
        if cur is not None and a - cur[1] <= gap_s:
            cur[1] = max(cur[1], b)
            continue
        if cur is not None:
            total += cur[1] - cur[0]
        cur = [a, b]
    return total + (cur[1] - cur[0] if cur is not None else 0.0)


if __name__ == "__main__":
    raise SystemExit(main())
