"""Turn-level readings of agent speech against the baseline as it stood before each turn, from
``bench/tone_capture.py``'s captures (a diagnostic, session 22).

A turn: the agent's speech frames joined across pauses under ``--gap`` s. Per turn: its speech
and voiced seconds, its energy-mean voice level over the baseline's speech level (``lo``), its
``--q`` quantile voice level over the baseline's same quantile (``top``), its voiced frames'
median pitch over the baseline's (``st``) and over the spread scale (``st/sc``), the voice's
SNR (baseline speech level less the noise). RAVDESS turns carry the clip they overlap most.

Run::

    python3 bench/tone_turns.py /work/notes/s22/h4/cap --conditions nb_gsm_noise20
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

QS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)


def load(path: Path) -> dict[str, Any]:
    z = np.load(path)
    f = z["frames"]
    spans = json.loads(path.with_suffix(".json").read_text())
    return {
        "g0": int(f[0, 0]),
        "speech": f[1] > 0.5,
        "voiced": f[2] > 0.5,
        "st": f[3],
        "lv": f[4],
        "noise": f[5],
        "base": z["base"],
        "events": z["events"],
        "hop": float(z["hop_s"]),
        "spans": spans,
    }


def turns(c: dict[str, Any], gap_s: float, q: float, ref_st: float = 2.7) -> list[dict[str, Any]]:
    hop = c["hop"]
    sp = c["speech"]
    idx = np.flatnonzero(sp)
    if not idx.size:
        return []
    gap = round(gap_s / hop)
    cuts = np.flatnonzero(np.diff(idx) > gap)
    bounds = np.split(idx, cuts + 1)
    base = c["base"]
    out = []
    for seg in bounds:
        a, b = int(seg[0]), int(seg[-1])
        g = c["g0"] + a
        k = int(np.searchsorted(base[:, 0], g, side="right")) - 1
        if k < 0:
            continue
        bl = base[k]
        level, pst, spread, robust, vs, own = bl[1], bl[2], bl[3], bl[4], bl[5], bl[6]
        quant = bl[8:18]
        lv = c["lv"][a : b + 1][sp[a : b + 1]]
        vo = c["voiced"][a : b + 1] & sp[a : b + 1]
        st = c["st"][a : b + 1][vo]
        st = st[np.isfinite(st)]
        lo = 10 * np.log10(np.mean(10 ** (lv / 10))) - level
        top = np.nan
        if np.all(np.isfinite(quant)):
            top = float(np.quantile(lv, q) - (level + np.interp(q, QS, quant)))
        sprd = min(spread, robust) if np.isfinite(robust) else spread
        sc = float(np.clip(sprd / ref_st, 1.0, 2.0))
        dst = float(np.median(st) - pst) if st.size else np.nan
        t0, t1 = g * hop, (c["g0"] + b) * hop
        lab = ""
        best = 0.0
        for s in c["spans"]:
            ov = min(t1, s["end_s"]) - max(t0, s["start_s"])
            if ov > best:
                best, lab = ov, s["label"] + ("*" if s["base"] else "") + f"@{s['start_s']:.1f}"
        flagged = any(e0 < t1 and e1 > t0 for e0, e1 in c["events"])
        out.append(
            {
                "t0": round(t0, 2),
                "t1": round(t1, 2),
                "speech_s": round(lv.size * hop, 2),
                "voiced_s": round(st.size * hop, 2),
                "lo": round(float(lo), 2),
                "top": round(top, 2),
                "st": round(dst, 2),
                "sc": round(sc, 2),
                "snr": round(float(level - np.median(c["noise"][a : b + 1])), 1),
                "base_voiced_s": round(float(vs), 2),
                "base_own_s": round(float(own), 2),
                "label": lab,
                "flagged": flagged,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--conditions", default="nb_gsm_noise20")
    ap.add_argument("--gap", type=float, default=0.8)
    ap.add_argument("--q", type=float, default=0.9)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    d = Path(args.dir)
    res: dict[str, Any] = {}
    for cond in args.conditions.split(","):
        rows = []
        for p in sorted(d.glob(f"{cond}__*.npz")):
            call = p.stem.split("__", 1)[1]
            for t in turns(load(p), args.gap, args.q):
                t["call"] = call
                rows.append(t)
        res[cond] = rows
        print(f"== {cond}")
        for t in rows:
            print(
                f"{t['call']:<26} {t['t0']:6.1f}-{t['t1']:6.1f} {t['label']:<22} "
                f"{'F' if t['flagged'] else '.'} sp {t['speech_s']:4.2f} v {t['voiced_s']:4.2f} "
                f"lo {t['lo']:6.2f} top {t['top']:6.2f} st {t['st']:6.2f} sc {t['sc']:4.2f} "
                f"snr {t['snr']:5.1f} bv {t['base_voiced_s']:5.2f} bo {t['base_own_s']:6.2f}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(res))


if __name__ == "__main__":
    main()
