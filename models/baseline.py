"""A speaker's own normal: the yardstick for yelling and for a non-calm tone.

Telephone audio passes through automatic gain control and voices differ by an octave, so
calltone never judges absolute dBFS or Hz: it judges a speaker against their own first seconds of
voiced speech. The baseline starts from a weak prior (so a customer who escalates early is still
judged), settles on the speaker's own medians (plus, for the tone window's like-for-like
comparisons, the energy-mean level and the mean harmonics-to-noise ratio), then drifts slowly,
never from stretches that were flagged or that stand well above the current baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models.config import BaselineConfig

PITCH_REF_HZ = 100.0


def hz_to_st(f0_hz: np.ndarray | float) -> np.ndarray:
    """Semitones re 100 Hz (NaN stays NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 12.0 * np.log2(np.asarray(f0_hz, dtype=np.float64) / PITCH_REF_HZ)


@dataclass(frozen=True)
class BaselineSnapshot:
    """The baseline at one moment."""

    loudness_dbfs: float
    pitch_st: float
    pitch_spread_st: float
    syllable_rate_per_s: float
    tilt_db: float
    voiced_s: float
    settled: bool
    hnr_db: float = 15.0
    loudness_leq_dbfs: float | None = None

    @property
    def leq_dbfs(self) -> float:
        """Energy-mean level of voiced speech (dBFS); the median level until one is known."""
        return self.loudness_dbfs if self.loudness_leq_dbfs is None else self.loudness_leq_dbfs

    @property
    def pitch_hz(self) -> float:
        return float(PITCH_REF_HZ * 2 ** (self.pitch_st / 12.0))

    def to_dict(self) -> dict[str, float | bool]:
        return {
            "loudness_dbfs": round(self.loudness_dbfs, 2),
            "pitch_hz": round(self.pitch_hz, 1),
            "pitch_spread_st": round(self.pitch_spread_st, 2),
            "syllable_rate_per_s": round(self.syllable_rate_per_s, 2),
            "tilt_db": round(self.tilt_db, 2),
            "hnr_db": round(self.hnr_db, 2),
            "loudness_leq_dbfs": round(self.leq_dbfs, 2),
            "voiced_s": round(self.voiced_s, 2),
            "settled": self.settled,
        }


class SpeakerBaseline:
    """Robust running baseline of one speaker, updated once per baseline tick."""

    def __init__(self, config: BaselineConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._loud: list[np.ndarray] = []
        self._st: list[np.ndarray] = []
        self._tilt: list[np.ndarray] = []
        self._hnr: list[np.ndarray] = []
        self._leq: list[np.ndarray] = []
        self._voiced_n = 0
        self._speech_n = 0
        self._nuclei_n = 0
        self.settled = False
        prior_st = float(hz_to_st(config.prior_pitch_hz))
        self.snapshot = BaselineSnapshot(
            loudness_dbfs=config.prior_loudness_dbfs,
            pitch_st=prior_st,
            pitch_spread_st=2.0,
            syllable_rate_per_s=4.0,
            tilt_db=0.0,
            voiced_s=0.0,
            settled=False,
        )
        self._prior = self.snapshot

    def update(
        self,
        loudness_dbfs: np.ndarray,
        pitch_st: np.ndarray,
        voiced: np.ndarray,
        speech: np.ndarray,
        nucleus: np.ndarray,
        flagged: np.ndarray,
        tilt_db: np.ndarray,
        hnr_db: np.ndarray | None = None,
    ) -> None:
        """Fold one tick of frames into the baseline.

        Frames that are flagged (inside a yelling or tone event) or stand more than
        ``exclude_above_db`` over the baseline once it has data are left out.
        """
        c = self.c
        snap = self.snapshot
        if hnr_db is None:
            hnr_db = np.full(loudness_dbfs.shape, snap.hnr_db)
        ok = voiced & ~flagged & np.isfinite(pitch_st)
        # The energy-mean level keeps the louder frames a calm speaker makes (they are what
        # raises an energy mean), so its exclusion is measured from itself.
        ok_leq = ok.copy()
        if self._voiced_n * self.hop_s >= 2.0 * c.prior_weight_s:
            ok &= loudness_dbfs <= snap.loudness_dbfs + c.exclude_above_db
            ok_leq &= loudness_dbfs <= snap.leq_dbfs + c.exclude_above_db
        ok_speech = speech & ~flagged
        if not self.settled:
            self._loud.append(loudness_dbfs[ok])
            self._leq.append(loudness_dbfs[ok_leq])
            self._st.append(pitch_st[ok])
            self._tilt.append(tilt_db[ok])
            self._hnr.append(hnr_db[ok])
            self._voiced_n += int(ok.sum())
            self._speech_n += int(ok_speech.sum())
            self._nuclei_n += int((nucleus & ok_speech).sum())
            n_s = self._voiced_n * self.hop_s
            if n_s <= 0:
                return
            loud = np.concatenate(self._loud)
            leq_loud = np.concatenate(self._leq)
            st = np.concatenate(self._st)
            tilt = np.concatenate(self._tilt)
            hnr = np.concatenate(self._hnr)
            # The prior stands in only until the speaker's own speech can (the point the
            # exclusion above starts): levels are in dBFS, which depend on the recording's gain,
            # so a prior of -30 dBFS kept in the blend pulled a -50 dBFS speaker's baseline
            # 2-5 dB up after 3-7 s of speech.
            w = c.prior_weight_s if n_s < 2.0 * c.prior_weight_s else 0.0
            p = self._prior
            rate = self._nuclei_n / max(self._speech_n * self.hop_s, 1e-9)
            self.snapshot = BaselineSnapshot(
                loudness_dbfs=(w * p.loudness_dbfs + n_s * float(np.median(loud))) / (w + n_s),
                pitch_st=_blend(p.pitch_st, float(np.median(st)), c.prior_pitch_weight_s, n_s),
                pitch_spread_st=_blend(p.pitch_spread_st, _spread(st), c.prior_pitch_weight_s, n_s),
                syllable_rate_per_s=(w * p.syllable_rate_per_s + n_s * rate) / (w + n_s),
                tilt_db=float(np.median(tilt)),
                voiced_s=n_s,
                settled=n_s >= c.settle_voiced_s,
                hnr_db=float(np.mean(hnr)),
                loudness_leq_dbfs=_blend(p.leq_dbfs, leq_dbfs(leq_loud), w, n_s),
            )
            if n_s >= c.settle_voiced_s:
                self.settled = True
                self._loud, self._st, self._tilt, self._hnr, self._leq = [], [], [], [], []
            return
        n = int(ok.sum())
        if n == 0:
            return
        dt = n * self.hop_s
        step_db = c.drift_db_per_s * dt
        step_st = c.drift_st_per_s * dt
        self.snapshot = BaselineSnapshot(
            loudness_dbfs=_towards(
                snap.loudness_dbfs, float(np.median(loudness_dbfs[ok])), step_db
            ),
            pitch_st=_towards(snap.pitch_st, float(np.median(pitch_st[ok])), step_st),
            pitch_spread_st=snap.pitch_spread_st,
            syllable_rate_per_s=snap.syllable_rate_per_s,
            tilt_db=_towards(snap.tilt_db, float(np.median(tilt_db[ok])), step_db),
            voiced_s=snap.voiced_s + dt,
            settled=True,
            hnr_db=_towards(snap.hnr_db, float(np.mean(hnr_db[ok])), step_db),
            loudness_leq_dbfs=(
                _towards(snap.leq_dbfs, leq_dbfs(loudness_dbfs[ok_leq]), step_db)
                if ok_leq.any()
                else snap.leq_dbfs
            ),
        )


def leq_dbfs(loudness_dbfs: np.ndarray) -> float:
    """Equivalent level: the energy mean of frame levels, in dBFS (louder frames weigh more).

    The agent-tone window measures loudness the same way, so both sides compare like with like.
    """
    x = np.asarray(loudness_dbfs, dtype=np.float64)
    top = float(np.max(x))
    return top + 10.0 * math.log10(float(np.mean(10.0 ** ((x - top) / 10.0))))


def _spread(st: np.ndarray) -> float:
    """Standard deviation of pitch in semitones (the same measure the tone window uses)."""
    if st.size < 2:
        return 2.0
    return float(np.std(st))


def _blend(prior: float, observed: float, prior_weight_s: float, observed_s: float) -> float:
    return (prior_weight_s * prior + observed_s * observed) / (prior_weight_s + observed_s)


def _towards(value: float, target: float, max_step: float) -> float:
    return value + float(np.clip(target - value, -max_step, max_step))
