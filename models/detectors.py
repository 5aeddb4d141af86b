"""Detectors: yelling, interruption, non-calm agent tone and dead air.

Each detector eats aligned frames in blocks of any size and returns the events it opened or
closed. Work inside a block is vectorised; state carried between blocks is exact, so the events do
not depend on block boundaries. Frame indices are global (since the start of the call).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from models.baseline import BaselineSnapshot
from models.config import AgentToneConfig, DeadAirConfig, YellingConfig
from models.events import Event
from models.turns import InterruptionDetector  # noqa: F401  (re-exported; issue 13)


class TrailingSums:
    """Sums of several per-frame series over a trailing window of ``width`` frames."""

    def __init__(self, width: int, n_series: int) -> None:
        self.width = width
        self._hist = np.zeros((n_series, width))

    def push(self, x: np.ndarray) -> np.ndarray:
        """``x``: shape (n_series, m); returns the window sums ending at each new frame."""
        m = x.shape[1]
        ext = np.concatenate((self._hist, x), axis=1)
        cs = np.concatenate((np.zeros((ext.shape[0], 1)), np.cumsum(ext, axis=1)), axis=1)
        sums = cs[:, self.width + 1 : self.width + m + 1] - cs[:, 1 : m + 1]
        self._hist = ext[:, ext.shape[1] - self.width :]
        return sums


@dataclass
class _Open:
    event: Event
    last_active: int
    peak: dict[str, float] = field(default_factory=dict)


class YellingDetector:
    """Loudness >= baseline + N dB with pitch >= baseline + M st, sustained.

    A frame is *hot* when voiced and over both thresholds. Hot frames separated by less than
    ``max_gap_s`` form a run; a run is yelling once it spans ``min_duration_s`` with at least
    ``min_hot_fraction`` of its voiced frames hot. The event starts at the run's first hot frame
    and ends at its last, so it does not depend on when the audio arrived.
    """

    def __init__(self, config: YellingConfig, *, speaker: str, hop_s: float) -> None:
        self.c = config
        self.speaker = speaker
        self.hop_s = hop_s
        self.width = max(1, round(config.min_duration_s / hop_s))
        self._gap = max(1, round(config.max_gap_s / hop_s))
        self._voiced_total = 0  # voiced frames before the current block
        self._run_start: int | None = None
        self._run_voiced_before = 0
        self._run_hot = 0
        self._last_hot = -1
        self._flag_last_hot = -(10**9)
        self._open: _Open | None = None

    def thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "yelling_db_over_baseline": c.yelling_db_over_baseline,
            "yelling_st_over_baseline": c.yelling_st_over_baseline,
            "min_duration_s": c.min_duration_s,
            "min_hot_fraction": c.min_hot_fraction,
        }

    def push(
        self,
        start: int,
        loud_el_db: np.ndarray,
        pitch_el_st: np.ndarray,
        voiced: np.ndarray,
        baseline: BaselineSnapshot,
        time_of: TimeFn,
    ) -> tuple[list[Event], np.ndarray]:
        """Returns (events opened or closed, per-frame flagged mask)."""
        c = self.c
        n = voiced.size
        hot = (
            voiced
            & (loud_el_db >= c.yelling_db_over_baseline)
            & (pitch_el_st >= c.yelling_st_over_baseline)
        )
        cum_v = self._voiced_total + np.cumsum(voiced)  # voiced frames up to and including i
        out: list[Event] = []
        for i in np.flatnonzero(hot).tolist():
            g = start + i
            if self._run_start is not None and g - self._last_hot > self._gap:
                out += self._end_run(time_of)
            if self._run_start is None:
                self._run_start = g
                self._run_voiced_before = int(cum_v[i]) - 1
                self._run_hot = 0
            self._run_hot += 1
            self._last_hot = g
            span = g - self._run_start + 1
            run_voiced = int(cum_v[i]) - self._run_voiced_before
            if (
                self._open is None
                and span >= self.width
                and self._run_hot >= c.min_hot_fraction * run_voiced
            ):
                ev = Event(
                    kind="yelling",
                    speaker=self.speaker,
                    start_s=time_of(self._run_start),
                    evidence={"baseline": baseline.to_dict(), "confirmed_at_s": time_of(g)},
                    thresholds=self.thresholds(),
                )
                self._open = _Open(ev, g)
                out.append(ev)
            if self._open is not None:
                _keep_max(self._open.peak, "loudness_db_over_baseline", float(loud_el_db[i]))
                _keep_max(self._open.peak, "pitch_st_over_baseline", float(pitch_el_st[i]))
        # Flag hot frames and the gap after each (kept out of the baseline). Computed from the
        # frames alone, so it does not depend on chunking.
        g_idx = np.arange(start, start + n)
        last_hot = np.maximum.accumulate(np.where(hot, g_idx, self._flag_last_hot))
        flagged = (g_idx - last_hot) <= self._gap
        self._flag_last_hot = int(last_hot[-1]) if n else self._flag_last_hot
        if self._run_start is not None and start + n - 1 - self._last_hot > self._gap:
            out += self._end_run(time_of)
        self._voiced_total += int(voiced.sum())
        return out, flagged

    def _end_run(self, time_of: TimeFn) -> list[Event]:
        self._run_start = None
        op = self._open
        if op is None:
            return []
        op.event.end_s = time_of(self._last_hot)
        op.event.evidence.update({f"peak_{k}": v for k, v in op.peak.items()})
        self._open = None
        return [op.event]

    def finish(self, time_of: TimeFn) -> list[Event]:
        return self._end_run(time_of) if self._run_start is not None else []


class AgentToneDetector:
    """Non-calm agent tone: a combined score over signals measured against the agent's baseline.

    Every ``stride`` frames on a global grid, over the trailing ``window_s``, six signals are
    measured against the speaker's own baseline: loudness (dB), pitch (st), pitch spread (st),
    pace (syllable-rate ratio), vocal effort (spectral tilt, dB) and voice quality (harshness:
    the drop of the harmonics-to-noise ratio, dB). A logistic score over them (coefficients in
    :class:`AgentToneConfig`, fitted by ``bench/fit_agent_tone.py``) must reach ``min_score``.
    Each signal also has its own threshold; the event names the signals over theirs (``fired``)
    and carries the score, its threshold and each signal's share of it. Tone is also non-calm
    when ``min_signals`` of the first five signals (voice quality is scored, not voted) are
    over their own thresholds at once in a window with
    ``vote_min_voiced_s`` of voiced speech (the earlier rule, kept: the score was fitted on
    acted emotion, read sentences, where pace and pitch add little beyond loudness, so a
    louder, higher, faster agent needs this path).
    """

    SIGNALS = ("loudness", "pitch", "pitch_variability", "pace", "vocal_effort", "voice_quality")
    # Per-signal value names, as reported in evidence (units in the names).
    VALUES = (
        "loudness_db_over_baseline",
        "pitch_st_over_baseline",
        "pitch_spread_st_over_baseline",
        "pace_ratio_over_baseline",
        "tilt_db_over_baseline",
        "harshness_db_over_baseline",
    )

    def __init__(
        self, config: AgentToneConfig, *, speaker: str, hop_s: float, stride: int = 10
    ) -> None:
        self.c = config
        self.speaker = speaker
        self.hop_s = hop_s
        self.stride = stride
        self.width = max(1, round(config.window_s / hop_s))
        # series: voiced, power*voiced, st*voiced, st^2*voiced, speech, nucleus, tilt*voiced,
        # hnr*voiced
        self._sums = TrailingSums(self.width, 8)
        self._open: _Open | None = None
        self._last_eval_active = False
        self._end_after = max(1, round(config.end_after_calm_s / hop_s))
        # Tools (bench/fit_agent_tone.py) set a list here to record every evaluation:
        # (frame index, enough speech, signal values in VALUES order, voiced s in the window,
        # whether the min_signals vote holds).
        self.trace: list[tuple[int, bool, tuple[float, ...], float, bool]] | None = None

    def weights(self) -> np.ndarray:
        c = self.c
        return np.array(
            [
                c.weight_per_loudness_db,
                c.weight_per_pitch_st,
                c.weight_per_pitch_spread_st,
                c.weight_per_pace_ratio,
                c.weight_per_tilt_db,
                c.weight_per_harshness_db,
            ]
        )

    def thresholds(self, fired: list[str]) -> dict[str, float]:
        c = self.c
        table = {
            "loudness": {"loudness_db_over_baseline": c.loudness_db_over_baseline},
            "pitch": {"pitch_st_over_baseline": c.pitch_st_over_baseline},
            "pitch_variability": {"pitch_spread_st_over_baseline": c.pitch_spread_st_over_baseline},
            "pace": {
                "pace_ratio_over_baseline": c.pace_ratio_over_baseline,
                "max_pace_syll_per_s": c.max_pace_syll_per_s,
            },
            "vocal_effort": {"tilt_db_over_baseline": c.tilt_db_over_baseline},
            "voice_quality": {"harshness_db_over_baseline": c.harshness_db_over_baseline},
        }
        out: dict[str, float] = {
            "window_s": c.window_s,
            "min_score": c.min_score,
            "min_signals": float(c.min_signals),
        }
        for name in fired:
            out.update(table[name])
        return out

    def score(self, values: np.ndarray) -> np.ndarray:
        """Logistic score in [0, 1] of signal values shaped (6, n) in ``VALUES`` order.

        Pace counts only above the baseline rate (``ratio - 1`` when positive): a slower agent
        is not rushing.
        """
        x = np.nan_to_num(np.asarray(values, dtype=np.float64))
        x[3] = np.maximum(x[3] - 1.0, 0.0)
        z = self.c.score_bias + self.weights() @ x
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))

    def push(
        self,
        start: int,
        loud_dbfs: np.ndarray,
        pitch_st: np.ndarray,
        voiced: np.ndarray,
        speech: np.ndarray,
        nucleus: np.ndarray,
        tilt_db: np.ndarray,
        baseline: BaselineSnapshot,
        time_of: TimeFn,
        hnr_db: np.ndarray | None = None,
    ) -> tuple[list[Event], np.ndarray]:
        c = self.c
        v = voiced.astype(float)
        ti = np.where(voiced, tilt_db, 0.0)
        st = np.where(voiced, np.nan_to_num(pitch_st), 0.0)
        # Loudness as the energy mean of voiced frames (equivalent level), like the baseline's
        # ``loudness_leq_dbfs``: a few pressed, punched syllables raise it more than a mean of dB.
        lo = np.where(voiced, 10.0 ** (loud_dbfs.astype(np.float64) / 10.0), 0.0)
        hn = np.where(voiced, baseline.hnr_db if hnr_db is None else hnr_db, 0.0)
        sums = self._sums.push(
            np.stack((v, lo, st, st * st, speech.astype(float), nucleus.astype(float), ti, hn))
        )
        out: list[Event] = []
        idx = np.arange(start, start + voiced.size)
        evals = np.flatnonzero(idx % self.stride == 0)
        n_v, s_lo, s_st, s_st2, n_sp, n_nuc, s_ti, s_hn = sums[:, evals]
        min_v = c.min_voiced_s / self.hop_s
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_lo = 10.0 * np.log10(np.maximum(s_lo / n_v, 1e-12))
            mean_st = s_st / n_v
            spread = np.sqrt(np.maximum(s_st2 / n_v - mean_st**2, 0.0))
            rate = n_nuc / (n_sp * self.hop_s)
            d_ti = s_ti / n_v - baseline.tilt_db
            d_hn = baseline.hnr_db - s_hn / n_v
            pace = rate / baseline.syllable_rate_per_s
        d_lo = mean_lo - baseline.leq_dbfs
        # A window far quieter than the speaker's own level is someone else's voice leaking into
        # the headset (or a whisper): no tone is judged on it.
        enough = (
            (n_v >= min_v)
            & (baseline.voiced_s >= c.min_baseline_voiced_s)
            & (d_lo >= -c.max_db_under_baseline)
        )
        d_st = mean_st - baseline.pitch_st
        d_sp = spread - baseline.pitch_spread_st
        values = np.stack((d_lo, d_st, d_sp, pace, d_ti, d_hn))
        score = self.score(values) if evals.size else np.zeros(0)
        fired_all = np.stack(
            (
                d_lo >= c.loudness_db_over_baseline,
                d_st >= c.pitch_st_over_baseline,
                d_sp >= c.pitch_spread_st_over_baseline,
                (pace >= c.pace_ratio_over_baseline) | (rate >= c.max_pace_syll_per_s),
                d_ti >= c.tilt_db_over_baseline,
                d_hn >= c.harshness_db_over_baseline,
            )
        )
        n_fired = fired_all[:5].sum(axis=0)  # the vote's five signals (not voice quality)
        voted = (
            (n_fired >= c.min_signals)
            & (n_v >= c.vote_min_voiced_s / self.hop_s)
            & (baseline.voiced_s >= c.vote_min_baseline_voiced_s)
        )
        active = enough & ((score >= c.min_score) | voted)
        if self.trace is not None:
            for k, i in enumerate(evals.tolist()):
                self.trace.append(
                    (
                        start + i,
                        bool(enough[k]),
                        tuple(float(x) for x in values[:, k]),
                        float(n_v[k] * self.hop_s),
                        bool(voted[k]),
                    )
                )
        for k, i in enumerate(evals.tolist()):
            g = start + i
            if active[k]:
                fired = [n for n, f in zip(self.SIGNALS, fired_all[:, k], strict=True) if f]
                if self._open is None:
                    contrib = self.weights() * np.nan_to_num(values[:, k])
                    contrib[3] = self.c.weight_per_pace_ratio * max(float(pace[k]) - 1.0, 0.0)
                    ev = Event(
                        kind="agent_tone",
                        speaker=self.speaker,
                        start_s=max(0.0, time_of(g) - c.window_s / 2),
                        evidence={
                            "fired": fired,
                            "score": round(float(score[k]), 3),
                            "min_score": c.min_score,
                            "score_contributions": {
                                name: round(float(x), 2)
                                for name, x in zip(self.SIGNALS, contrib, strict=True)
                            },
                            "baseline": baseline.to_dict(),
                            "confirmed_at_s": time_of(g),
                        },
                        thresholds=self.thresholds(fired),
                    )
                    self._open = _Open(ev, g)
                    out.append(ev)
                op = self._open
                op.last_active = g
                all_fired = sorted(
                    set(op.event.evidence["fired"]) | set(fired), key=self.SIGNALS.index
                )
                op.event.evidence["fired"] = all_fired
                op.event.thresholds = self.thresholds(all_fired)
                _keep_max(op.peak, "score", float(score[k]))
                for name, val in zip(self.VALUES, values[:, k], strict=True):
                    _keep_max(op.peak, name, float(val))
                _keep_max(op.peak, "syllable_rate_per_s", float(rate[k]))
            elif self._open is not None and g - self._open.last_active >= self._end_after:
                out.append(self._close(self._open, time_of(self._open.last_active)))
        # A frame is flagged when the latest evaluation at or before it was active.
        state = np.full(voiced.size, -1, np.int8)
        state[evals] = active.astype(np.int8)
        filled = np.maximum.accumulate(np.where(state >= 0, np.arange(voiced.size), -1))
        flagged = np.where(filled >= 0, state[np.maximum(filled, 0)] == 1, self._last_eval_active)
        if evals.size:
            self._last_eval_active = bool(active[-1])
        return out, flagged

    def _close(self, op: _Open, end_s: float) -> Event:
        op.event.end_s = max(end_s, op.event.start_s + self.c.window_s / 2)
        op.event.evidence.update(
            {f"peak_{k}": round(v, 2) for k, v in op.peak.items() if np.isfinite(v)}
        )
        self._open = None
        return op.event

    def finish(self, time_of: TimeFn) -> list[Event]:
        if self._open is None:
            return []
        return [self._close(self._open, time_of(self._open.last_active))]


class DeadAirDetector:
    """Neither party speaking for longer than ``min_silence_s`` (reported, never alerted)."""

    def __init__(self, config: DeadAirConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._min = max(1, round(config.min_silence_s / hop_s))
        self._silence_start: int | None = None
        self._open: Event | None = None
        self.dead_air_frames = 0

    def push(self, start: int, anyone: np.ndarray, time_of: TimeFn) -> list[Event]:
        out: list[Event] = []
        n = anyone.size
        if n == 0:
            return out
        chg = np.flatnonzero(np.diff(anyone.astype(np.int8)) != 0) + 1
        bounds = np.concatenate(([0], chg, [n])).tolist()
        for i0, i1 in itertools.pairwise(bounds):
            g0, g1 = start + i0, start + i1
            if anyone[i0]:
                if self._open is not None:
                    out.append(self._close(g0, time_of))
                self._silence_start = None
                continue
            if self._silence_start is None:
                self._silence_start = g0
            s = self._silence_start
            if self._open is None and g1 - s >= self._min:
                self._open = Event(
                    kind="dead_air",
                    speaker="none",
                    start_s=time_of(s),
                    evidence={"confirmed_at_s": time_of(s + self._min)},
                    thresholds={"min_silence_s": self.c.min_silence_s},
                )
                out.append(self._open)
        return out

    def _close(self, g: int, time_of: TimeFn) -> Event:
        ev = self._open
        assert ev is not None  # internal invariant, not input checking
        ev.end_s = time_of(g)
        self.dead_air_frames += round((ev.end_s - ev.start_s) / self.hop_s)
        self._open = None
        return ev

    def finish(self, end: int, time_of: TimeFn) -> list[Event]:
        return [self._close(end, time_of)] if self._open is not None else []


def _keep_max(d: dict[str, float], key: str, value: float) -> None:
    if np.isfinite(value) and (key not in d or value > d[key]):
        d[key] = value


class TimeFn:
    """Frame index to seconds (frame centre times on the global grid)."""

    def __init__(self, hop_s: float, offset_s: float) -> None:
        self.hop_s = hop_s
        self.offset_s = offset_s

    def __call__(self, frame: int) -> float:
        return round(frame * self.hop_s + self.offset_s, 4)
