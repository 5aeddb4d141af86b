"""Why agent_tone misses an angry clip: the best window of every angry clip of the issue-13
agent calls, per channel condition, with the cue values and the baseline it was judged against.

A diagnostic (no targets). For every agent call of ``bench/bench_calls.py`` (the same cached
channel copies) the agent_tone detector's evaluations are traced (``AgentToneDetector.trace``)
with the baseline snapshot each was judged against; for each angry clip the best judged window
(highest score among the evaluations from the clip's start to half a window after its end, as
``bench/fit_agent_tone.py`` takes them) is printed beside:

- the clip's active speech level (ITU-T P.56, :func:`telephone.active_level_dbfs`, of the clean
  clip plus the condition's level offset) over the line's noise as heard in the copy (the
  energy of the copy's quietest 15 % of 20 ms frames of that call): ``snr``. A clip whose
  speech stands at or under the noise (``snr`` <= 1 dB) cannot be read louder than anything;
- the window's signals over the baseline (loudness dB, pitch st, pitch spread st, pace ratio,
  tilt dB, harshness dB; a sparse window judged on level alone reads 0 for the voiced ones),
  its voiced and speech seconds, its score, and the baseline's speech level, pitch, voiced and
  own-speech seconds and HNR, and the vote's pitch-threshold scale (``spread_scale``: the
  thresholds a louder-and-higher vote needs are ``pitch_st_over_baseline`` times it);
- a cause: ``quiet`` (best window under +4 dB on the wideband copy too: hardly raised at all),
  ``noise`` (snr <= 1 dB), ``unjudged`` (no window had the speech a judgement needs),
  ``contrast`` (the clip reads 6 dB or more less over its baseline than on the wideband copy:
  the baseline learnt louder speech, or the gate kept only the louder calm frames), ``margin`` (score within 0.15 of
  ``min_score``), else ``cue`` (judged well under the bar: a cue the wideband copy had is
  missing on the line).

Run (a few seconds per condition)::

    python3 bench/tone_misses.py --conditions wideband,nb_ulaw_+6db,nb_gsm_noise20 \\
        [--actors 01,02] [--set agent_tone.own_score_quantile=0.98] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_calls as bc
from _common import config_overrides
from telephone import ALL_CONDITIONS, active_level_dbfs

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone import detectors
from calltone.models.tone.config import AnalysisConfig

_DETECTORS: list[Any] = []
_push = detectors.AgentToneDetector.push


def _traced_push(self: Any, frames: Any, baselines: Any) -> Any:
    """The detector's push, recording its trace and each evaluation's baseline."""
    if self.trace is None:
        self.trace = []
        self.bench_baselines = []
        _DETECTORS.append(self)
    n0 = len(self.trace)
    out = _push(self, frames, baselines)
    b = baselines[self.speaker]
    row = (
        b.speech_level_dbfs,
        b.pitch_st,
        b.voiced_s,
        b.own_speech_s or 0.0,
        b.hnr_db,
        self.spread_scale(b),
    )
    self.bench_baselines += [row] * (len(self.trace) - n0)
    return out


@dataclass(frozen=True)
class TracedCall:
    """A traced agent call: the session's result, the agent's detector (its trace), the
    built call (clip spans, clean samples) and the channel copy analysed."""

    result: Any
    detector: Any
    call: Any
    samples: np.ndarray


def traced_agent_call(
    actor: str,
    cond: str,
    cfg: AnalysisConfig,
    clips: Any,
    traced_push: Any,
    traced: list[Any],
) -> TracedCall:
    """Analyse ``actor``'s agent call of ``bench_calls`` (the cached copy through ``cond``)
    with ``AgentToneDetector.push`` replaced by ``traced_push`` (which appends each detector
    it traces to ``traced``)."""
    call = bc.ravdess_call(clips, actor, "agent", seed=bc.DEFAULT_SEED, baseline_clips=3)
    k = 2 * bc.ACTORS.index(actor)
    x = bc.CACHE.get(
        f"call-{actor}-agent-b3",
        call.samples,
        cond,
        bc.DEFAULT_SEED + 100 * k,
        call.meta["calm_levels_dbfs"],
    )
    traced.clear()
    push = detectors.AgentToneDetector.push
    detectors.AgentToneDetector.push = traced_push  # type: ignore[method-assign]
    try:
        res = run_session(
            DecodedAudio(x, bc.SR_HZ, bc.SR_HZ, f"{actor}-{cond}"),
            ChannelRoles(agent=0, customer=1),
            cfg,
        )
    finally:
        detectors.AgentToneDetector.push = push  # type: ignore[method-assign]
    return TracedCall(res, traced[0], call, x)


def trace_call(
    actor: str, cond: str, cfg: AnalysisConfig, clips: Any
) -> tuple[Any, list[dict[str, Any]]]:
    """The agent call of ``actor`` through ``cond``: its spans and, per angry clip, the best
    window, whether an agent_tone event overlaps the clip, and the clip's level over the
    line's noise."""
    tc = traced_agent_call(actor, cond, cfg, clips, _traced_push, _DETECTORS)
    res, det, call, x = tc.result, tc.detector, tc.call, tc.samples
    tr = det.trace
    t = np.array([(g + 1) * det.hop_s for g, *_ in tr])
    enough = np.array([e[1] for e in tr])
    vals = np.array([e[2] for e in tr])
    score = det.score(vals.T.copy())
    base = np.array(det.bench_baselines)
    # The line's noise as heard: the quietest 15 % of the copy's 20 ms frames.
    frame = bc.SR_HZ // 50
    y = x[0, : x.shape[1] // frame * frame].astype(np.float64).reshape(-1, frame)
    e = 10.0 * np.log10(np.mean(y * y, axis=1) + 1e-12)
    noise_db = 10.0 * np.log10(np.mean(10.0 ** (e[e <= np.percentile(e, 15)] / 10.0)))
    offset = ALL_CONDITIONS[cond].level_db if cond != "wideband" else 0.0
    events = [ev for ev in res.analysis.events if ev.kind == "agent_tone"]
    rows = []
    for s in call.spans:
        if s.baseline or not s.label.startswith("angry"):
            continue
        clean = call.samples[0, int(s.start_s * bc.SR_HZ) : int(s.end_s * bc.SR_HZ)]
        lev = active_level_dbfs(clean, bc.SR_HZ)
        row: dict[str, Any] = {
            "actor": actor,
            "label": s.label,
            "start_s": round(s.start_s, 1),
            "flagged": any(ev.start_s < s.end_s and (ev.end_s or 1e9) > s.start_s for ev in events),
            "snr_db": None if lev is None else round(lev + offset - noise_db, 1),
            "best": None,
        }
        sel = np.flatnonzero((t > s.start_s) & (t < s.end_s + cfg.agent_tone.window_s / 2))
        judged = sel[enough[sel]]
        if judged.size:
            i = int(judged[np.argmax(score[judged])])
            row["best"] = {
                "t_s": round(float(t[i]), 2),
                "score": round(float(score[i]), 3),
                "signals": [round(float(v), 2) for v in vals[i]],
                "voiced_s": round(float(tr[i][3]), 2),
                "speech_s": round(float(tr[i][5]), 2),
                "baseline": [round(float(v), 2) for v in base[i]],
            }
        rows.append(row)
    return call, rows


def cause(row: dict[str, Any], wide: dict[str, Any] | None, min_score: float) -> str:
    """One reason per missed clip (see the module notes)."""
    wb = (wide or {}).get("best")
    if wb is not None and wb["signals"][0] < 4.0 and not (wide or {}).get("flagged"):
        return "quiet"
    if row["snr_db"] is not None and row["snr_db"] <= 1.0:
        return "noise"
    b = row["best"]
    if b is None:
        return "unjudged"
    if wb is not None and wb["signals"][0] - b["signals"][0] >= 6.0:
        return "contrast"
    if b["score"] >= min_score - 0.15:
        return "margin"
    return "cue"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conditions", default="wideband,nb_ulaw_+6db,nb_gsm_noise20")
    ap.add_argument("--actors", default=",".join(bc.ACTORS))
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    overrides = config_overrides(args.set, ap)
    cfg = AnalysisConfig.from_dict(overrides) if overrides else AnalysisConfig()
    clips = bc.load_ravdess()
    conds = args.conditions.split(",")
    if "wideband" not in conds:
        conds = ["wideband", *conds]
    out: dict[str, list[dict[str, Any]]] = {}
    for cond in conds:
        out[cond] = [r for a in args.actors.split(",") for r in trace_call(a, cond, cfg, clips)[1]]
    wide = {(r["actor"], r["start_s"]): r for r in out["wideband"]}
    names = ("lo", "st", "sp", "pace", "tilt", "harsh")
    for cond, rows in out.items():
        n = sum(r["flagged"] for r in rows)
        print(f"{cond}: agent_tone on angry {n}/{len(rows)}")
        for r in rows:
            if r["flagged"]:
                continue
            w = wide.get((r["actor"], r["start_s"]))
            r["cause"] = cause(r, w, cfg.agent_tone.min_score)
            b = r["best"]
            sig = (
                " ".join(f"{k}={v:+.1f}" for k, v in zip(names, b["signals"], strict=True))
                if b
                else "-"
            )
            more = (
                f"score {b['score']:.3f} voiced {b['voiced_s']:.2f}/{b['speech_s']:.2f} s | "
                f"baseline {b['baseline'][0]:.1f} dBFS {b['baseline'][2]:.1f}/"
                f"{b['baseline'][3]:.1f} s hnr {b['baseline'][4]:.1f} "
                f"pitch scale {b['baseline'][5]:.2f}"
                if b
                else "no judged window"
            )
            print(
                f"  {r['actor']} {r['label']:<13} @{r['start_s']:5.1f} snr {r['snr_db']:+5.1f} dB "
                f"{r['cause']:<8} {sig} | {more}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
