"""How far apart agent_tone's scores put the angry clips it misses and the calm clips, per
channel condition: the best judged window of every clip of the issue-13 agent calls.

A diagnostic (no targets). For every agent call of ``bench/bench_calls.py`` (the same cached
channel copies, traced as ``bench/tone_misses.py`` traces them) and every clip, the highest
score among the judged evaluations whose window holds speech of that clip and of no other
(the window starts after the previous clip's end and the evaluation comes before the next
clip's start): a window reaching back into an angry clip is not a calm clip's reading. Printed
per condition: the calm/neutral clips' best scores (highest first, the top four named) and
the missed angry clips' best scores. A bar between the two is what a change of the score's
bar on that line would have to find; the real calm calls (AMI, telephone) are not in it.

Run (about a minute per condition)::

    python3 bench/tone_separation.py --conditions nb_gsm_noise20,nb_gsm_noise20_calm \\
        [--actors 01,02] [--set agent_tone.own_score_min_score=0.6] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_calls as bc
import tone_misses as tm
from _common import config_overrides

from calltone.models.tone.config import AnalysisConfig


def clip_scores(actor: str, cond: str, cfg: AnalysisConfig, clips: Any) -> list[dict[str, Any]]:
    """Every clip of ``actor``'s agent call through ``cond``: whether an agent_tone event
    overlaps it and its best window holding its speech alone (score, loudness dB, pitch st,
    voiced s; None: no such window judged)."""
    tc = tm.traced_agent_call(actor, cond, cfg, clips, tm._traced_push, tm._DETECTORS)
    det, call, res = tc.detector, tc.call, tc.result
    tr = det.trace
    t = np.array([(g + 1) * det.hop_s for g, *_ in tr])
    enough = np.array([e[1] for e in tr], bool)
    vals = np.array([e[2] for e in tr])
    score = det.score(vals.T.copy())
    events = [e for e in res.analysis.events if e.kind == "agent_tone"]
    w = cfg.agent_tone.window_s
    spans = sorted(call.spans, key=lambda s: s.start_s)
    rows = []
    for n, s in enumerate(spans):
        prev_end = spans[n - 1].end_s if n else -1e9
        nxt = spans[n + 1].start_s if n + 1 < len(spans) else 1e9
        sel = np.flatnonzero(
            (t > s.start_s) & (t < min(s.end_s + w / 2, nxt)) & (t - w >= prev_end)
        )
        judged = sel[enough[sel]]
        best = None
        if judged.size:
            i = int(judged[np.argmax(score[judged])])
            best = {
                "score": round(float(score[i]), 3),
                "loudness_db": round(float(vals[i][0]), 2),
                "pitch_st": round(float(vals[i][1]), 2),
                "voiced_s": round(float(tr[i][3]), 2),
            }
        rows.append(
            {
                "actor": actor,
                "label": s.label,
                "baseline": s.baseline,
                "start_s": round(s.start_s, 1),
                "flagged": any(
                    e.start_s < s.end_s and (e.end_s or 1e9) > s.start_s for e in events
                ),
                "best": best,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conditions", default="wideband,nb_gsm_noise20,nb_gsm_noise20_calm")
    ap.add_argument("--actors", default=",".join(bc.ACTORS))
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    overrides = config_overrides(args.set, ap)
    cfg = AnalysisConfig.from_dict(overrides) if overrides else AnalysisConfig()
    clips = bc.load_ravdess()
    out: dict[str, list[dict[str, Any]]] = {}
    for cond in args.conditions.split(","):
        rows = [r for a in args.actors.split(",") for r in clip_scores(a, cond, cfg, clips)]
        out[cond] = rows
        calm = sorted(
            (r for r in rows if r["best"] and r["label"].startswith(("calm", "neutral"))),
            key=lambda r: -r["best"]["score"],
        )
        missed = sorted(
            (
                r["best"]["score"]
                for r in rows
                if r["best"] and r["label"].startswith("angry") and not r["flagged"]
            ),
            reverse=True,
        )
        print(f"{cond}: calm/neutral clips' best scores {[r['best']['score'] for r in calm[:8]]}")
        for r in calm[:4]:
            b = r["best"]
            print(
                f"  {r['actor']} {r['label']:<14} @{r['start_s']:5.1f}"
                f"{' (baseline clip)' if r['baseline'] else ''} score {b['score']:.3f} "
                f"lo {b['loudness_db']:+.1f} dB st {b['pitch_st']:+.1f} voiced {b['voiced_s']:.2f} s"
            )
        n_unjudged = sum(
            1 for r in rows if r["label"].startswith("angry") and not r["flagged"] and not r["best"]
        )
        print(f"  missed angry clips' best scores {missed} (+{n_unjudged} with no such window)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
