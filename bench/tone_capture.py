"""Capture the agent's frames and the baseline each tick was judged against, for the issue-13
RAVDESS agent calls and the real calm calls of ``bench/bench_calls.py`` (the cached copies).

A diagnostic (no targets, session 22): per call an ``.npz`` with the agent's per-frame arrays
(speech, voiced, pitch st, voice level dBFS, noise dBFS), per tick the baseline snapshot's
speech level, pitch, pitch spreads, voiced / own-speech seconds and speech-level quantiles,
the agent_tone events and, for the RAVDESS calls, the clip spans. ``bench/tone_turns.py``
reads them (turn-level statistics against the baseline as it stood before the turn).

Run::

    python3 bench/tone_capture.py --conditions nb_gsm_noise20 --out /tmp/cap [--set ...]
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


def _cap_push(self: Any, frames: Any, baselines: Any) -> Any:
    if not hasattr(self, "cap"):
        self.cap = {"f": [], "b": []}
        _DETECTORS.append(self)
    f = frames.parties[self.speaker]
    b = baselines[self.speaker]
    self.cap["f"].append(
        np.stack(
            [
                np.full(f.speech.size, f.start, np.float64),
                f.speech.astype(np.float64),
                f.voiced.astype(np.float64),
                np.nan_to_num(f.pitch_st.astype(np.float64), nan=np.nan),
                f.voice_loudness_dbfs.astype(np.float64),
                f.noise_dbfs.astype(np.float64),
            ]
        )
    )
    q = b.speech_quantiles_over_level_db
    self.cap["b"].append(
        [
            f.start,
            b.speech_level_dbfs,
            b.pitch_st,
            b.pitch_spread_st,
            b.pitch_spread_robust_st if b.pitch_spread_robust_st is not None else np.nan,
            b.voiced_s,
            b.own_speech_s if b.own_speech_s is not None else np.nan,
            float(b.settled),
            *(q if q is not None else [np.nan] * 10),
        ]
    )
    return _push(self, frames, baselines)


def _save(path: Path, det: Any, events: list[Any], spans: list[dict[str, Any]]) -> None:
    f = np.concatenate(det.cap["f"], axis=1)
    b = np.array(det.cap["b"], np.float64)
    ev = np.array([[e.start_s, e.end_s if e.end_s is not None else 1e9] for e in events])
    np.savez_compressed(path, frames=f, base=b, events=ev.reshape(-1, 2), hop_s=det.hop_s)
    path.with_suffix(".json").write_text(json.dumps(spans))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conditions", default="nb_gsm_noise20")
    ap.add_argument("--actors", default=",".join(bc.ACTORS))
    ap.add_argument("--no-calm", action="store_true")
    ap.add_argument("--no-agents", action="store_true")
    ap.add_argument("--out", required=True)
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    args = ap.parse_args()
    cfg = AnalysisConfig.from_dict(config_overrides(args.set, ap))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clips = bc.load_ravdess()
    for cond in args.conditions.split(","):
        if not args.no_agents:
            for a in args.actors.split(","):
                a = a.zfill(2)
                tc = tm.traced_agent_call(a, cond, cfg, clips, _cap_push, _DETECTORS)
                evs = [e for e in tc.result.analysis.events if e.kind == "agent_tone"]
                spans = [
                    {"label": s.label, "start_s": s.start_s, "end_s": s.end_s, "base": s.baseline}
                    for s in tc.call.spans
                ]
                _save(out / f"{cond}__ag{a}.npz", tc.detector, evs, spans)
        if args.no_calm:
            continue
        for k, call in enumerate(bc.load_calm_calls()):
            if call.narrowband_source and cond == "wideband":
                x = call.samples
            else:
                x = bc.CACHE.get(f"calm-{call.name}", call.samples, cond, bc.DEFAULT_SEED + 100 * k)
            _DETECTORS.clear()
            push = detectors.AgentToneDetector.push
            detectors.AgentToneDetector.push = _cap_push  # type: ignore[method-assign]
            try:
                res = run_session(DecodedAudio(x, bc.SR_HZ, bc.SR_HZ, call.name), call.roles, cfg)
            finally:
                detectors.AgentToneDetector.push = push  # type: ignore[method-assign]
            det = next(d for d in _DETECTORS if d.speaker == "agent")
            evs = [e for e in res.analysis.events if e.kind == "agent_tone"]
            _save(out / f"{cond}__calm_{call.name}.npz", det, evs, [])
        print(cond, "done", flush=True)


if __name__ == "__main__":
    main()
