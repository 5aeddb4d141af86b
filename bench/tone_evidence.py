"""Per-event evidence of the tone detectors on the issue-13 calls (a diagnostic, no scores).

For every agent_tone / yelling event on the RAVDESS many-clip calls and the real calm calls of
``bench/bench_calls.py`` (the same channel copies), print the clips it overlaps and the peaks of
its signals over the speaker's baseline (``evidence.peak_*``), e.g. to see which rise in level
came with a rise in pitch::

    python3 bench/tone_evidence.py --conditions wideband,nb_ulaw --json /tmp/evidence.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_calls as bc

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.config import AnalysisConfig

KINDS = ("agent_tone", "yelling")


def _row(src: str, cond: str, e: Any, labels: list[str]) -> dict[str, Any]:
    ev = e.evidence
    return {
        "call": src,
        "condition": cond,
        "kind": e.kind,
        "speaker": e.speaker,
        "start_s": round(e.start_s, 2),
        "end_s": None if e.end_s is None else round(e.end_s, 2),
        "clips": labels,
        "fired": ev.get("fired"),
        "loudness_db": ev.get("peak_loudness_db_over_baseline"),
        "pitch_st": ev.get("peak_pitch_st_over_baseline"),
        "baseline_voiced_s": ev.get("baseline", {}).get("own_voiced_s"),
    }


def ravdess_events(conditions: list[str], cfg: AnalysisConfig) -> list[dict[str, Any]]:
    clips = bc.load_ravdess()
    out = []
    for cond in conditions:
        for actor in bc.ACTORS:
            for role in ("agent", "customer"):
                call = bc.ravdess_call(clips, actor, role, seed=bc.DEFAULT_SEED, baseline_clips=3)
                m = call.meta
                k = 2 * bc.ACTORS.index(actor) + (role == "customer")
                x = bc.CACHE.get(
                    f"call-{actor}-{role}-b3",
                    call.samples,
                    cond,
                    bc.DEFAULT_SEED + 100 * k,
                    m["calm_levels_dbfs"],
                )
                res = run_session(
                    DecodedAudio(x, bc.SR_HZ, bc.SR_HZ, f"ravdess-{actor}-{role}"),
                    ChannelRoles(agent=0, customer=1),
                    cfg,
                )
                for e in res.analysis.events:
                    if e.kind in KINDS and e.speaker == role:
                        end = e.end_s if e.end_s is not None else call.duration_s
                        labels = [
                            sp.label
                            for sp in call.spans
                            if sp.start_s < end and sp.end_s > e.start_s
                        ]
                        out.append(_row(f"ravdess-{actor}-{role}", cond, e, labels))
    return out


def calm_events(conditions: list[str], cfg: AnalysisConfig) -> list[dict[str, Any]]:
    out = []
    for k, call in enumerate(bc.load_calm_calls()):
        for cond in ["as_recorded"] if call.narrowband_source else conditions:
            x = (
                call.samples
                if cond in ("as_recorded", "wideband")
                else bc.CACHE.get(
                    f"calm-{call.name}", call.samples, cond, bc.DEFAULT_SEED + 100 * k
                )
            )
            res = run_session(DecodedAudio(x, bc.SR_HZ, bc.SR_HZ, call.name), call.roles, cfg)
            out += [_row(call.name, cond, e, []) for e in res.analysis.events if e.kind in KINDS]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default="wideband,nb_ulaw,nb_gsm_noise20")
    ap.add_argument("--parts", default="calls,calm", help="comma list of calls,calm")
    ap.add_argument("--json", type=Path, help="write the rows here")
    a = ap.parse_args(argv)
    conds = a.conditions.split(",")
    cfg = AnalysisConfig()
    rows = []
    if "calls" in a.parts:
        rows += ravdess_events(conds, cfg)
    if "calm" in a.parts:
        rows += calm_events(conds, cfg)
    for r in rows:
        print(
            f"{r['call']:24s} {r['condition']:22s} {r['kind']:10s} {r['speaker']:8s} "
            f"{r['start_s']:6.1f} dL {r['loudness_db']} dF0 {r['pitch_st']} "
            f"{','.join(r['clips'])} {r['fired'] or ''}"
        )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
