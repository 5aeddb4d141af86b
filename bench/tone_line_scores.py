"""What agent_tone's windows score on a noisy line, angry clips and real calm talk alike, beside
the line's noise as the detector hears it (issue 13, session 21).

A diagnostic (no targets). Per channel condition:

- every angry clip of the issue-13 RAVDESS agent calls of ``bench/bench_calls.py`` (the same
  cached copies): flagged or not, its best judged window (score; the bar it was read against:
  ``min_score`` or the speaker's own bar; voiced and speech seconds) and the voice's SNR there
  (the baseline's speech level less ``LineNoise``'s estimate at that evaluation), and, when no
  window was judged, why (no window with the speech a judgement needs);
- the calm/neutral clips' best judged windows (as ``bench/tone_separation.py``: windows holding
  that clip's speech only);
- every judged window of the real calm calls (the telephone calls recoded through the line,
  the AMI pairings' agent side through it): the highest scores and the SNR each was heard at.

So a bar indexed by the line's measured noise (instead of the channel's name) can be read off:
what the missed angry clips score at a given voice SNR, and what real calm talk scores there.

Run (a few minutes per condition)::

    python3 bench/tone_line_scores.py --conditions nb_gsm_noise20 [--actors 01,02] \\
        [--set agent_tone.min_score=0.7] [--json out.json]
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

from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone import detectors
from calltone.models.tone.config import AnalysisConfig

_DETECTORS: list[Any] = []
_push = detectors.AgentToneDetector.push


def _traced_push(self: Any, frames: Any, baselines: Any) -> Any:
    """The detector's push, recording every evaluation (trace), the voice SNR and whether it
    was active (``bench_rows``: frame, speech level - noise dB, active)."""
    if self.trace is None:
        self.trace = []
        self.bench_rows = []
        _DETECTORS.append(self)
    n0 = len(self.trace)
    step = _push(self, frames, baselines)
    f = frames.parties[self.speaker]
    b = baselines[self.speaker]
    flagged = np.asarray(step.flagged, bool)
    for g, *_ in self.trace[n0:]:
        i = g - f.start
        self.bench_rows.append((g, float(b.speech_level_dbfs - f.noise_dbfs[i]), bool(flagged[i])))
    return step


def _evals(det: Any) -> dict[str, np.ndarray]:
    tr = det.trace
    vals = np.array([e[2] for e in tr]) if tr else np.zeros((0, 6))
    rows = np.array(det.bench_rows) if det.bench_rows else np.zeros((0, 3))
    return {
        "t": np.array([(g + 1) * det.hop_s for g, *_ in tr]),
        "enough": np.array([e[1] for e in tr], bool),
        "score": det.score(vals.T.copy()) if len(tr) else np.zeros(0),
        "vals": vals,
        "voiced": np.array([e[3] for e in tr]),
        "speech": np.array([e[5] for e in tr]),
        "snr": rows[:, 1] if len(rows) else np.zeros(0),
        "active": rows[:, 2].astype(bool) if len(rows) else np.zeros(0, bool),
    }


def agent_call(actor: str, cond: str, cfg: AnalysisConfig, clips: Any) -> list[dict[str, Any]]:
    tc = tm.traced_agent_call(actor, cond, cfg, clips, _traced_push, _DETECTORS)
    e = _evals(tc.detector)
    events = [ev for ev in tc.result.analysis.events if ev.kind == "agent_tone"]
    w = cfg.agent_tone.window_s
    spans = sorted(tc.call.spans, key=lambda s: s.start_s)
    out = []
    for n, s in enumerate(spans):
        if s.baseline:
            continue
        angry = s.label.startswith("angry")
        prev_end = spans[n - 1].end_s if n else -1e9
        nxt = spans[n + 1].start_s if n + 1 < len(spans) else 1e9
        if angry:
            sel = np.flatnonzero((e["t"] > s.start_s) & (e["t"] < s.end_s + w / 2))
        else:
            sel = np.flatnonzero(
                (e["t"] > s.start_s)
                & (e["t"] < min(s.end_s + w / 2, nxt))
                & (e["t"] - w >= prev_end)
            )
        judged = sel[e["enough"][sel]]
        row: dict[str, Any] = {
            "actor": actor,
            "label": s.label,
            "start_s": round(s.start_s, 1),
            "flagged": any(ev.start_s < s.end_s and (ev.end_s or 1e9) > s.start_s for ev in events),
            "evals": int(sel.size),
            "judged": int(judged.size),
            "max_speech_s": round(float(e["speech"][sel].max()), 2) if sel.size else 0.0,
            "max_voiced_s": round(float(e["voiced"][sel].max()), 2) if sel.size else 0.0,
            "snr_db": round(float(np.median(e["snr"][sel])), 1) if sel.size else None,
            "best": None,
        }
        if judged.size:
            i = int(judged[np.argmax(e["score"][judged])])
            row["best"] = {
                "t_s": round(float(e["t"][i]), 2),
                "score": round(float(e["score"][i]), 3),
                "snr_db": round(float(e["snr"][i]), 1),
                "signals": [round(float(v), 2) for v in e["vals"][i]],
                "voiced_s": round(float(e["voiced"][i]), 2),
                "speech_s": round(float(e["speech"][i]), 2),
            }
        out.append(row)
    return out


def calm_calls(cond: str, cfg: AnalysisConfig) -> list[dict[str, Any]]:
    out = []
    for k, call in enumerate(bc.load_calm_calls()):
        if call.narrowband_source and cond == "wideband":
            x = call.samples
        else:
            x = bc.CACHE.get(f"calm-{call.name}", call.samples, cond, bc.DEFAULT_SEED + 100 * k)
        _DETECTORS.clear()
        push = detectors.AgentToneDetector.push
        detectors.AgentToneDetector.push = _traced_push  # type: ignore[method-assign]
        try:
            res = run_session(DecodedAudio(x, bc.SR_HZ, bc.SR_HZ, call.name), call.roles, cfg)
        finally:
            detectors.AgentToneDetector.push = push  # type: ignore[method-assign]
        det = next(d for d in _DETECTORS if d.speaker == "agent")
        e = _evals(det)
        j = e["enough"]
        order = np.argsort(-e["score"][j])[:5]
        out.append(
            {
                "call": call.name,
                "agent_tone": sum(ev.kind == "agent_tone" for ev in res.analysis.events),
                "judged": int(j.sum()),
                "snr_median_db": round(float(np.median(e["snr"][j])), 1) if j.any() else None,
                "active": int(e["active"].sum()),
                "top": [
                    {
                        "t_s": round(float(e["t"][j][i]), 2),
                        "score": round(float(e["score"][j][i]), 3),
                        "snr_db": round(float(e["snr"][j][i]), 1),
                        "signals": [round(float(v), 2) for v in e["vals"][j][i]],
                        "voiced_s": round(float(e["voiced"][j][i]), 2),
                    }
                    for i in order
                ],
                "scores": [round(float(v), 3) for v in e["score"][j]],
                "snrs": [round(float(v), 1) for v in e["snr"][j]],
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conditions", default="nb_gsm_noise20")
    ap.add_argument("--actors", default=",".join(bc.ACTORS))
    ap.add_argument("--no-calm", action="store_true", help="leave out the real calm calls")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    cfg = AnalysisConfig.from_dict(config_overrides(args.set, ap))
    clips = bc.load_ravdess()
    result: dict[str, Any] = {}
    for cond in args.conditions.split(","):
        rows = []
        for a in args.actors.split(","):
            rows += agent_call(a.zfill(2), cond, cfg, clips)
        calm = [] if args.no_calm else calm_calls(cond, cfg)
        result[cond] = {"clips": rows, "calm_calls": calm}
        angry = [r for r in rows if r["label"].startswith("angry")]
        print(f"== {cond}: angry flagged {sum(r['flagged'] for r in angry)}/{len(angry)}")
        for r in angry:
            if r["flagged"]:
                continue
            b = r["best"]
            print(
                f"  miss {r['actor']} {r['label']:<14} @{r['start_s']:5.1f} snr {r['snr_db']} "
                f"speech {r['max_speech_s']} voiced {r['max_voiced_s']} judged {r['judged']}/"
                f"{r['evals']} best "
                + (
                    "-"
                    if b is None
                    else f"{b['score']:.3f} snr {b['snr_db']} sig {b['signals']} "
                    f"v {b['voiced_s']} sp {b['speech_s']}"
                )
            )
        fl = [r["best"]["snr_db"] for r in angry if r["flagged"] and r["best"]]
        if fl:
            print(f"  flagged angry best-window snr: median {np.median(fl):.1f} min {min(fl):.1f}")
        cc = sorted(
            (r for r in rows if bc._is_calm(r["label"]) and r["best"]),
            key=lambda r: -r["best"]["score"],
        )
        print(
            "  calm clips top: "
            + ", ".join(
                f"{r['actor']} {r['label']} {r['best']['score']:.3f} (snr {r['best']['snr_db']})"
                for r in cc[:5]
            )
        )
        for c in calm:
            top = c["top"][:3]
            print(
                f"  calm call {c['call']:<28} events {c['agent_tone']} judged {c['judged']} "
                f"snr~{c['snr_median_db']} top "
                + ", ".join(
                    f"{t['score']:.3f}@{t['t_s']}(snr {t['snr_db']}, lo {t['signals'][0]})"
                    for t in top
                )
            )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
