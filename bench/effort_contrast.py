"""Calm-vs-angry contrast of in-band vocal-effort cues per telephone channel (issue 13, s18).

The question: which vocal-effort cue means the same on an 8 kHz coded line as wideband, and
keeps its contrast where the line's noise sits near the calm voice (GSM / AMR "re loud")?
Loudness and pitch are the score's; the candidates here are level-independent spectral
balances read on the speaker's voiced frames, relative to the actor's own calm clips.

For each RAVDESS actor 01-12 (../shared/data/ravdess_dev, CC BY-NC-SA 4.0, evaluation only)
the actor's neutral/calm clips then their angry clips, 0.4 s apart, in one signal, heard
wideband and through each ``bench/telephone.py`` condition (as ``bench/hnr_contrast.py``).
The front end's frames give the voiced / speech masks and f0; a 32 ms Hann STFT at the same
frame centres gives band powers. Per clip, over its voiced frames:

- ``loud_db``: energy mean of the speech frames (reference: the score's loudness);
- ``pitch_st``: median f0, semitones (reference);
- ``pitch_range_st``: 90th less 10th percentile of f0 in the clip, semitones;
- ``tilt_db``: the front end's first-difference ratio (reference: the existing tilt);
- ``alpha_db``: alpha ratio, 10 log10 of power 1-3.4 kHz over 0.3-1 kHz, summed over the
  voiced frames (energy-weighted);
- ``alpha_mean_db``: the same, the mean of per-frame dB;
- ``alpha_ns_db``: alpha with the line's noise power per band taken out first (noise: each
  bin's median power over the whole signal's non-speech frames over ln 2, the mean of an
  exponentially distributed power; each band's voice power floored at 1/20 of its measured
  power);
- ``alpha400_db``: ``alpha_db`` with the low band from 400 Hz (clear of a line's 300 Hz edge);
- ``fe_alpha_db``: the front end's ``alpha_db`` (``FeatureOptions.alpha_ratio``: 0.4-1 kHz
  and 1-3.4 kHz Butterworth band-passes on the loudness window), mean over voiced frames;
- ``hamm_db``: Hammarberg index in the telephone band, the strongest 0.3-2 kHz bin over the
  strongest 2-3.4 kHz bin (dB; falls with effort), mean of per-frame values;
- ``harm_alpha_db``: the alpha ratio of the harmonic peaks only (each harmonic k f0 in the
  band: the strongest bin within f0/4 of it), the noise's per-bin power taken out;
- ``f1c_hz``: power centroid 0.3-1.2 kHz (F1 rises with effort), mean over voiced frames.

Per condition and cue: the actors' mean calm value, the mean *rise* of an angry clip over its
actor's calm mean, and the AUC of angry against calm clips' rises (1: every angry clip rises
more than every calm one; 0: every one less; 0.5: no contrast). Also per condition the AUC of
a two-cue sum, loudness rise plus the cue's rise scaled to the loudness rise's spread (what a
score adding the cue could do at best, a hint, not a fit).

Run: nice -n 10 python bench/effort_contrast.py [--conditions wideband,nb_ulaw] [--json f]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_ravdess import load_clips, shared_data  # noqa: E402
from hnr_contrast import MIN_VOICED_FRAMES, SR_HZ, actor_signals  # noqa: E402
from telephone import CONDITIONS  # noqa: E402

from calltone.audio.features import FeatureOptions, extract_features  # noqa: E402

CUES = (
    "loud_db",
    "pitch_st",
    "pitch_range_st",
    "tilt_db",
    "alpha_db",
    "alpha_mean_db",
    "alpha_ns_db",
    "alpha400_db",
    "fe_alpha_db",
    "hamm_db",
    "harm_alpha_db",
    "f1c_hz",
)
NFFT = 512
LOW_HZ, MID_HZ, HIGH_HZ = 300.0, 1000.0, 3400.0


def _stft_power(y: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(frames, NFFT//2+1) power of 32 ms Hann frames centred on ``centres`` (samples)."""
    half = NFFT // 2
    pad = np.concatenate((np.zeros(half, np.float64), y.astype(np.float64), np.zeros(half)))
    idx = centres.astype(np.int64)[:, None] + np.arange(NFFT)[None, :]
    idx = np.clip(idx, 0, pad.size - 1)
    frames = pad[idx] * np.hanning(NFFT)[None, :]
    return np.abs(np.fft.rfft(frames, axis=1)) ** 2


def frame_cues(y: np.ndarray) -> tuple[object, np.ndarray, dict[str, np.ndarray]]:
    """Front-end frames, frame times (samples) and per-frame candidate cues of ``y``."""
    fb = extract_features(np.asarray(y, np.float32)[None, :], FeatureOptions(alpha_ratio=True))
    c = fb.channels[0]
    at = fb.times_s * SR_HZ
    p = _stft_power(y, at)
    f = np.fft.rfftfreq(NFFT, 1.0 / SR_HZ)
    lo = (f >= LOW_HZ) & (f < MID_HZ)
    lo4 = (f >= 400.0) & (f < MID_HZ)
    hi = (f >= MID_HZ) & (f < HIGH_HZ)
    h1 = (f >= LOW_HZ) & (f < 2000.0)
    h2 = (f >= 2000.0) & (f < HIGH_HZ)
    f1 = (f >= LOW_HZ) & (f < 1200.0)
    eps = 1e-14
    plo, phi = p[:, lo].sum(1), p[:, hi].sum(1)
    quiet = ~c.speech
    if quiet.sum() < 20:
        quiet = np.ones_like(quiet)
    # The noise's mean power per bin: the median over non-speech frames (robust to the speech
    # the gate left out) times ln 2's inverse (a noise bin's power is ~exponential).
    noise_bin = np.median(p[quiet], axis=0) / np.log(2.0)
    nlo, nhi = noise_bin[lo].sum(), noise_bin[hi].sum()
    vlo = np.maximum(plo - nlo, plo / 20)
    vhi = np.maximum(phi - nhi, phi / 20)
    hamm = 10 * np.log10(p[:, h1].max(1) + eps) - 10 * np.log10(p[:, h2].max(1) + eps)
    f1c = (p[:, f1] * f[f1][None, :]).sum(1) / np.maximum(p[:, f1].sum(1), eps)
    # Harmonic peaks: per voiced frame the strongest bin within f0/4 of each k f0 in band.
    hlo = np.full(len(at), np.nan)
    hhi = np.full(len(at), np.nan)
    df = f[1] - f[0]
    clean = np.maximum(p - noise_bin[None, :], p / 20)
    for i in np.flatnonzero(c.voiced & np.isfinite(c.f0_hz)):
        f0 = float(c.f0_hz[i])
        if not 50.0 < f0 < 600.0:
            continue
        ks = np.arange(max(1, int(np.ceil(LOW_HZ / f0))), int(HIGH_HZ / f0) + 1)
        a, b = 0.0, 0.0
        for k in ks:
            fc = k * f0
            j0 = int(max(0, np.floor((fc - f0 / 4) / df)))
            j1 = int(np.ceil((fc + f0 / 4) / df)) + 1
            v = float(clean[i, j0:j1].max())
            if fc < MID_HZ:
                a += v
            else:
                b += v
        hlo[i], hhi[i] = a, b
    cues = {
        "plo4": p[:, lo4].sum(1),
        "plo": plo,
        "phi": phi,
        "vlo": vlo,
        "vhi": vhi,
        "alpha_frame": 10 * np.log10((phi + eps) / (plo + eps)),
        "hamm": hamm,
        "hlo": hlo,
        "hhi": hhi,
        "f1c": f1c,
    }
    return c, at, cues


def clip_values(c, m: np.ndarray, sm: np.ndarray, cu: dict[str, np.ndarray]) -> dict[str, float]:
    eps = 1e-14
    f0 = c.f0_hz[m]
    st = 12 * np.log2(f0[np.isfinite(f0) & (f0 > 0)] / 100.0)
    hm = m & np.isfinite(cu["hlo"])
    return {
        "loud_db": float(10 * np.log10(np.mean(10 ** (c.loudness_dbfs[sm] / 10)))),
        "pitch_st": float(np.median(st)),
        "pitch_range_st": float(np.percentile(st, 90) - np.percentile(st, 10)),
        "tilt_db": float(np.mean(c.tilt_db[m])),
        "alpha_db": float(10 * np.log10((cu["phi"][m].sum() + eps) / (cu["plo"][m].sum() + eps))),
        "alpha_mean_db": float(np.mean(cu["alpha_frame"][m])),
        "alpha_ns_db": float(
            10 * np.log10((cu["vhi"][m].sum() + eps) / (cu["vlo"][m].sum() + eps))
        ),
        "alpha400_db": float(
            10 * np.log10((cu["phi"][m].sum() + eps) / (cu["plo4"][m].sum() + eps))
        ),
        "fe_alpha_db": float(np.mean(c.alpha_db[m])),
        "hamm_db": float(np.mean(cu["hamm"][m])),
        "harm_alpha_db": float(
            10 * np.log10((np.sum(cu["hhi"][hm]) + eps) / (np.sum(cu["hlo"][hm]) + eps))
        )
        if hm.sum()
        else float("nan"),
        "f1c_hz": float(np.mean(cu["f1c"][m])),
    }


def actor_clip_values(rows: list[dict[str, str]], clips: dict, condition: str) -> list[dict]:
    """Per actor: {"calm": {cue: [clip values]}, "angry": {...}} through ``condition``."""
    out = []
    for actor, spans, y in actor_signals(rows, clips, condition):
        y = np.asarray(y, np.float64).reshape(-1)
        c, at, cu = frame_cues(y)
        vals: dict[str, dict[str, list[float]]] = {
            "calm": defaultdict(list),
            "angry": defaultdict(list),
        }
        for r, a, b in spans:
            inside = (at >= a) & (at < b)
            m = c.voiced & inside
            sm = c.speech & inside
            if m.sum() < MIN_VOICED_FRAMES or sm.sum() == 0:
                continue
            group = "calm" if r["is_calm"] == "1" else "angry"
            v = clip_values(c, m, sm, cu)
            for cue in CUES:
                vals[group][cue].append(v[cue])
            vals[group]["clip"].append(r["path"])  # type: ignore[arg-type]
        vals["actor"] = actor  # type: ignore[assignment]
        out.append(vals)
    return out


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    pos, neg = pos[np.isfinite(pos)], neg[np.isfinite(neg)]
    if not pos.size or not neg.size:
        return float("nan")
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


def rises(per_actor: list[dict], cue: str) -> tuple[np.ndarray, np.ndarray]:
    up, calm_up = [], []
    for a in per_actor:
        base = np.nanmean(a["calm"][cue])
        up.append(np.array(a["angry"][cue]) - base)
        calm_up.append(np.array(a["calm"][cue]) - base)
    return np.concatenate(up), np.concatenate(calm_up)


def contrast(per_actor: list[dict], cue: str) -> dict[str, float]:
    up, calm_up = rises(per_actor, cue)
    lu, lc = rises(per_actor, "loud_db")
    calm_means = np.array([np.nanmean(a["calm"][cue]) for a in per_actor])
    sd_c = np.nanstd(np.concatenate((up, calm_up)))
    sd_l = np.nanstd(np.concatenate((lu, lc)))
    k = sd_l / sd_c if sd_c > 0 else 0.0
    sign = 1.0 if _auc(up, calm_up) >= 0.5 else -1.0
    return {
        "calm_mean": round(float(np.nanmean(calm_means)), 2),
        "angry_rise": round(float(np.nanmean(up)), 2),
        "angry_rise_sd": round(float(np.nanstd(up)), 2),
        "calm_sd": round(float(np.nanstd(calm_up)), 2),
        "auc": round(_auc(up, calm_up), 3),
        "auc_with_loud": round(_auc(lu + sign * k * up, lc + sign * k * calm_up), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rows, clips = load_clips(shared_data() / "ravdess_dev")
    res: dict[str, dict] = {}
    raw: dict[str, list] = {}
    print(f"{'condition':26s} {'cue':15s} calm_mean angry_rise   sd  calm_sd    auc  +loud")
    for cond in args.conditions.split(","):
        per_actor = actor_clip_values(rows, clips, cond)
        raw[cond] = [
            {g: dict(a[g]) for g in ("calm", "angry")} | {"actor": a["actor"]} for a in per_actor
        ]
        res[cond] = {cue: contrast(per_actor, cue) for cue in CUES}
        for cue, v in res[cond].items():
            print(
                f"{cond:26s} {cue:15s} {v['calm_mean']:9.2f} {v['angry_rise']:10.2f} "
                f"{v['angry_rise_sd']:5.2f} {v['calm_sd']:7.2f} {v['auc']:6.3f} "
                f"{v['auc_with_loud']:6.3f}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps({"contrast": res, "clips": raw}, indent=1))


if __name__ == "__main__":
    main()
