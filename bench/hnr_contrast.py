"""Calm-vs-angry contrast of the voice-quality cues per telephone channel (issue 13).

For each RAVDESS actor 01-12 (../shared/data/ravdess_dev, CC BY-NC-SA 4.0, evaluation only),
the actor's neutral/calm clips then their angry clips, 0.4 s apart, in one signal, heard
wideband and through each ``bench/telephone.py`` condition (noise of the ``_calm`` conditions
re the calm clips' P.56 level); the front end's frames of each clip (voiced frames only) give
the clip's mean of each cue. Per condition and cue: the actors' mean calm value, the mean
*drop* of an angry clip under its actor's calm mean (what ``harshness_db_over_baseline``
measures; for tilt a negative drop is a rise), its spread, and the AUC of angry against calm
clips' drops (1: every angry clip drops more than every calm one; 0.5: no contrast).

Cues: ``hnr_db`` (YIN's dip on the 0-4 kHz pitch signal), ``band_hnr_db`` (the normalised
difference at the period on the 300-3400 Hz band signal), ``tilt_db``.

Run: nice -n 10 python bench/hnr_contrast.py [--conditions wideband,nb_ulaw] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_ravdess import load_clips, shared_data  # noqa: E402
from telephone import CONDITIONS, active_level_dbfs, through  # noqa: E402

from calltone.audio.features import FeatureOptions, extract_features  # noqa: E402

CUES = ("hnr_db", "band_hnr_db", "tilt_db")
SR_HZ = 16_000
GAP_S = 0.4
MIN_VOICED_FRAMES = 10


def actor_signals(
    rows: list[dict[str, str]], clips: dict, condition: str
) -> Iterator[tuple[str, list[tuple[dict[str, str], int, int]], np.ndarray]]:
    """Per actor, their calm clips then their angry ones joined with ``GAP_S`` of silence and
    passed through ``condition`` (noise set re the calm clips' active level): ``(actor, spans,
    signal)``, each span ``(row, first sample, end sample)``."""
    by_actor: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r["is_calm"] == "1" or r["emotion"] == "angry":
            by_actor[r["actor"]].append(r)
    gap = np.zeros(int(GAP_S * SR_HZ), np.float32)
    for actor, rs in sorted(by_actor.items(), key=lambda kv: int(kv[0])):
        rs = sorted(rs, key=lambda r: r["is_calm"] != "1")
        parts, spans, t = [], [], 0
        for r in rs:
            x = clips[r["path"]]
            spans.append((r, t, t + x.size))
            parts += [x, gap]
            t += x.size + gap.size
        sig = np.concatenate(parts)
        calm_level = active_level_dbfs(
            np.concatenate([clips[r["path"]] for r in rs if r["is_calm"] == "1"]), SR_HZ
        )
        y = (
            sig
            if condition == "wideband"
            else through(sig, condition, seed=int(actor), calm_levels_dbfs=[calm_level])
        )
        yield actor, spans, np.asarray(y)


def actor_clip_means(rows: list[dict[str, str]], clips: dict, condition: str) -> list[dict]:
    """Per actor: {"calm": {cue: [clip means]}, "angry": {...}} through ``condition``."""
    out = []
    for _actor, spans, y in actor_signals(rows, clips, condition):
        fb = extract_features(np.asarray(y, np.float32)[None, :], FeatureOptions(band_hnr=True))
        c = fb.channels[0]
        at = fb.times_s * SR_HZ
        means: dict[str, dict[str, list[float]]] = {
            "calm": defaultdict(list),
            "angry": defaultdict(list),
        }
        for r, a, b in spans:
            m = c.voiced & (at >= a) & (at < b)
            if m.sum() < MIN_VOICED_FRAMES:
                continue
            group = "calm" if r["is_calm"] == "1" else "angry"
            for cue in CUES:
                means[group][cue].append(float(np.mean(getattr(c, cue)[m])))
        out.append(means)
    return out


def contrast(per_actor: list[dict], cue: str) -> dict[str, float]:
    calm_means = np.array([np.mean(a["calm"][cue]) for a in per_actor])
    drops = np.concatenate([np.mean(a["calm"][cue]) - np.array(a["angry"][cue]) for a in per_actor])
    calm_drops = np.concatenate(
        [np.mean(a["calm"][cue]) - np.array(a["calm"][cue]) for a in per_actor]
    )
    auc = float(
        np.mean(drops[:, None] > calm_drops[None, :])
        + 0.5 * np.mean(drops[:, None] == calm_drops[None, :])
    )
    return {
        "calm_mean": round(float(calm_means.mean()), 2),
        "angry_drop": round(float(drops.mean()), 2),
        "angry_drop_sd": round(float(drops.std()), 2),
        "auc": round(auc, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rows, clips = load_clips(shared_data() / "ravdess_dev")
    res: dict[str, dict[str, dict[str, float]]] = {}
    print(f"{'condition':28s} {'cue':12s} calm_mean angry_drop  sd    auc")
    for cond in args.conditions.split(","):
        per_actor = actor_clip_means(rows, clips, cond)
        res[cond] = {cue: contrast(per_actor, cue) for cue in CUES}
        for cue, v in res[cond].items():
            print(
                f"{cond:28s} {cue:12s} {v['calm_mean']:9.2f} {v['angry_drop']:10.2f} "
                f"{v['angry_drop_sd']:5.2f} {v['auc']:6.3f}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
