"""Which windows the own-score bar's floor admits: agent_tone windows that scored at or over
the own bar but under ``min_score`` and were not voted, on the issue-13 agent calls of
``bench/bench_calls.py`` (the same cached channel copies), with their shape against the
speaker's own calm windows (``AgentToneConfig.own_score_floor_*``).

A diagnostic (no targets). For each such window: the clip it falls in (or after, up to a window
length), the window's loudness and pitch over the baseline, the same less the calm windows'
quantile (``own_score_floor_calm_quantile``, 0.9 when off), its voiced seconds and score, and
whether an agent_tone event overlaps the clip. Run with the own bar on, e.g.::

    python3 bench/tone_floor.py --conditions nb_ulaw,nb_amr_noise15_calm_-20db --actors 02,07 \\
        --set agent_tone.own_score_quantile=0.98 --set agent_tone.own_score_min_turns=3
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_calls as bc
from _common import config_overrides
from tone_misses import traced_agent_call

from calltone.models.tone import detectors
from calltone.models.tone.config import AnalysisConfig

_DETECTORS: list[Any] = []
_push = detectors.AgentToneDetector.push


def _traced_push(self: Any, frames: Any, baselines: Any) -> Any:
    """The detector's push, recording its trace and the own bar's per-evaluation shape."""
    if self.trace is None:
        self.trace, self.trace_own = [], []
        _DETECTORS.append(self)
    return _push(self, frames, baselines)


def floor_windows(cond: str, actor: str, cfg: AnalysisConfig, clips: Any) -> list[dict[str, Any]]:
    """The floor-admitted windows of ``actor``'s agent call through ``cond``."""
    tc = traced_agent_call(actor, cond, cfg, clips, _traced_push, _DETECTORS)
    res, det, call = tc.result, tc.detector, tc.call
    own = {row[0]: row for row in det.trace_own}
    events = [e for e in res.analysis.events if e.kind == "agent_tone"]
    min_score = cfg.agent_tone.min_score
    out = []
    for g, enough, values, voiced_s, voted, _speech_s in det.trace:
        o = own.get(g)
        if not enough or voted or o is None:
            continue
        score = float(det.score(values))
        if not o[1] <= score < min_score:
            continue
        t = (g + 1) * det.hop_s
        span = next(
            (
                s
                for s in call.spans
                if s.start_s < t <= s.end_s + cfg.agent_tone.window_s and not s.baseline
            ),
            None,
        )
        _, bar, q_lo, q_st, lo, st = o
        out.append(
            {
                "condition": cond,
                "actor": actor,
                "t_s": round(t, 2),
                "clip": None if span is None else f"{span.label}@{span.start_s:.1f}s",
                "flagged": span is not None
                and any(e.start_s < span.end_s and (e.end_s or 1e9) > span.start_s for e in events),
                "score": round(score, 3),
                "bar": round(bar, 3),
                "loudness_db": round(lo, 1),
                "loudness_db_over_calm": round(lo - q_lo, 1),
                "pitch_st": None if math.isnan(st) else round(st, 1),
                "pitch_st_over_calm": None if math.isnan(st - q_st) else round(st - q_st, 1),
                "voiced_s": round(voiced_s, 2),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conditions", default="wideband,nb_ulaw")
    ap.add_argument("--actors", default=",".join(bc.ACTORS))
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    args = ap.parse_args()
    overrides = config_overrides(args.set, ap)
    cfg = AnalysisConfig.from_dict(overrides) if overrides else AnalysisConfig()
    clips = bc.load_ravdess()
    for cond in args.conditions.split(","):
        for actor in args.actors.split(","):
            for w in floor_windows(cond, actor, cfg, clips):
                print(" ".join(f"{k}={v}" for k, v in w.items()))


if __name__ == "__main__":
    main()
