"""Detectors: yelling, non-calm agent tone and dead air (interruption: :mod:`.turns`).

Each detector eats a :class:`~calltone.models.tone.frames.CallFrames` block of any size and the
parties' baselines (:class:`Detector`) and returns the event updates it made. Work inside a block
is vectorised; state carried between blocks is exact, so the events do not depend on block
boundaries. Frame indices are global (since the start of the call).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from calltone.models.tone.baseline import SPEECH_LEVEL_QUANTILES, BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig, DeadAirConfig, YellingConfig
from calltone.models.tone.events import Event, Speaker
from calltone.models.tone.frames import CallFrames, DetectorStep, PartyFrames, TimeFn
from calltone.models.tone.noise import NO_NOISE_DBFS, quantile_of_sorted


class Detector(Protocol):
    """What the streaming core asks of every detector."""

    def push(self, frames: CallFrames, baselines: Mapping[str, BaselineSnapshot]) -> DetectorStep:
        """Read the next block (frame indices are global: since the start of the call)."""
        ...

    def finish(
        self, end: int, time_of: TimeFn, baselines: Mapping[str, BaselineSnapshot]
    ) -> list[Event]:
        """End of the call at frame ``end``: close what is open."""
        ...


class TrailingSums:
    """Sums of several per-frame series over a trailing window of ``width`` frames."""

    def __init__(self, width: int, n_series: int) -> None:
        self.width = width
        self._hist = np.zeros((n_series, width))

    def push(self, x: np.ndarray) -> np.ndarray:
        """``x``: shape (n_series, m); returns the window sums ending at each new frame."""
        m = x.shape[1]
        ext = np.concatenate((self._hist, x), axis=1)
        # Running sums from the start of the held history: the window ending at new frame i
        # is cs[width + i] - cs[i].
        cs = np.cumsum(ext, axis=1)
        sums = cs[:, self.width : self.width + m] - cs[:, :m]
        self._hist = ext[:, ext.shape[1] - self.width :]
        return sums


@dataclass
class _Open:
    """A detector's open event: the update last emitted for it and what it has seen since."""

    event: Event
    last_active: int
    peak: dict[str, float] = field(default_factory=dict)


@dataclass
class _OpenTone:
    """The agent-tone event being built: its evidence grows while it is open, so the detector
    keeps it here and emits a fresh :class:`Event` each time it changed (see ``push``)."""

    start_s: float
    evidence: dict[str, Any]
    thresholds: dict[str, float]
    last_active: int
    peak: dict[str, float] = field(default_factory=dict)
    changed: bool = True

    def event(self, speaker: Speaker, end_s: float | None = None) -> Event:
        return Event(
            kind="agent_tone",
            speaker=speaker,
            start_s=self.start_s,
            end_s=end_s,
            evidence=dict(self.evidence),
            thresholds=dict(self.thresholds),
        )


class YellingDetector:
    """Loudness >= baseline + N dB with pitch >= baseline + M st, sustained.

    A frame is *hot* when voiced and over both thresholds. Hot frames separated by less than
    ``max_gap_s`` form a run; a run is yelling once it spans ``min_duration_s`` with at least
    ``min_hot_fraction`` of its voiced frames hot. The event starts at the run's first hot frame
    and ends at its last, so it does not depend on when the audio arrived.
    """

    def __init__(self, config: YellingConfig, *, speaker: Speaker, hop_s: float) -> None:
        self.c = config
        self.speaker = speaker
        self.hop_s = hop_s
        self.width = max(1, round(config.min_duration_s / hop_s))
        self._gap = max(1, round(config.max_gap_s / hop_s))
        self._min_voiced = max(1, round(config.min_voiced_s / hop_s))
        # Running totals before the current block: speech, loud voiced, loud voiced and high,
        # speech loud enough for the sparse-voicing rule.
        self._tot = (0, 0, 0, 0, 0)
        self._run_start: int | None = None
        self._run_before = (0, 0, 0, 0, 0)
        self._run_hot = 0
        self._last_hot = -1
        self._flag_last_hot = -(10**9)
        self._open: _Open | None = None
        # The last voiced pitches and the lowest rolling median so far (``_own_low_st``).
        self._low_tail = np.zeros(0)
        self._low_min = np.nan
        # A line stepped down and back (``line_step_*``): the baseline's high mark, the frame
        # where the current run was held, its effortless frames so far, and a vetoed run.
        self._hold = round(config.line_step_hold_s / hop_s) if config.line_step_hold_s > 0 else 0
        self._veto_n = max(1, round(config.line_step_veto_voiced_s / hop_s))
        self._level_high = -np.inf
        self._held_at: int | None = None
        self._held_fall_db = 0.0
        self._run_ef = 0
        self._vetoed = False
        self._held_event: Event | None = None
        self._held_peak: dict[str, float] = {}
        # The run's peaks over the baseline from its first hot frame (the event's evidence
        # reports the whole run, not only the frames after its confirmation).
        self._run_peak: dict[str, float] = {}

    def thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "yelling_db_over_baseline": c.yelling_db_over_baseline,
            "yelling_st_over_baseline": c.yelling_st_over_baseline,
            "min_duration_s": c.min_duration_s,
            "min_hot_fraction": c.min_hot_fraction,
            "min_voiced_s": c.min_voiced_s,
            "cold_start_voiced_s": c.cold_start_voiced_s,
            "cold_start_min_tilt_db": c.cold_start_min_tilt_db,
            "cold_start_min_db_over_baseline": c.cold_start_min_db_over_baseline,
            "cold_start_speech_voiced_share": c.cold_start_speech_voiced_share,
            "sparse_min_db_over_baseline": c.sparse_min_db_over_baseline,
            "run_pitch": float(c.run_pitch),
        } | self._range_thresholds()

    def _range_thresholds(self) -> dict[str, float]:
        c = self.c
        if c.range_db_over_upper <= 0:
            return {}
        return {
            "range_db_over_upper": c.range_db_over_upper,
            "range_min_own_voiced_s": c.range_min_own_voiced_s,
            "range_effort_exempt": float(c.range_effort_exempt),
            "range_local_median": float(c.range_local_median),
        }

    def _line_step_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "line_step_hold_s": c.line_step_hold_s,
            "line_step_fall_db": c.line_step_fall_db,
            "line_step_effortless_db": c.line_step_effortless_db,
            "line_step_under_st": c.line_step_under_st,
            "line_step_veto_voiced_s": c.line_step_veto_voiced_s,
        }

    def _range_db(self, baseline: BaselineSnapshot, cold: bool) -> float | None:
        """The level (dB over the baseline's median) a speech frame must reach to be past the
        top of the speaker's own range (``range_db_over_upper``); None: not judged so (off,
        the cold start, too little of the speaker's own voice, or no range known)."""
        c = self.c
        if c.range_db_over_upper <= 0 or cold or baseline.loudness_upper_db is None:
            return None
        if not baseline.from_profile and baseline.own_s < c.range_min_own_voiced_s:
            return None
        over = baseline.loudness_upper_db + c.range_db_over_upper
        if c.range_local_median and baseline.loudness_local_dbfs is not None:
            # From where the voice stands now when the median stands over it (a level step).
            over += min(0.0, baseline.loudness_local_dbfs - baseline.loudness_dbfs)
        return over

    def _fall_db(self, baseline: BaselineSnapshot, cold: bool) -> float:
        """How far the level baseline stands under its high mark since it rested on the
        speaker's own voice (``line_step_*``; 0 before that or with the hold off)."""
        if not self._hold or cold:
            return 0.0
        self._level_high = max(self._level_high, baseline.loudness_dbfs)
        return float(self._level_high - baseline.loudness_dbfs)

    def push(self, frames: CallFrames, baselines: Mapping[str, BaselineSnapshot]) -> DetectorStep:
        """The speaker's frames of the block, judged against ``baselines[speaker]``; returns the
        event updates and the per-frame flagged mask.

        Loudness is judged on every speech frame; pitch on the voiced ones among them. A
        shouted voice is rough and its pitch tracker drops out on half its frames or more (on
        telephone audio more still), so an unvoiced loud frame is not held against a shout:
        a frame is *hot* when it is speech at ``yelling_db_over_baseline`` or more and, if
        voiced, at ``yelling_st_over_baseline`` or more. A run of hot frames (gaps under
        ``max_gap_s``) is yelling once it spans ``min_duration_s``, ``min_hot_fraction`` of its
        speech frames are hot, and it holds ``min_voiced_s`` of loud voiced frames of which
        ``min_hot_fraction`` are high enough (the pitch cue is sampled, never skipped).

        While the baseline rests on less than ``cold_start_voiced_s`` of the speaker's own
        speech (and on no saved profile), the relative cues alone are not trusted: a call's
        upbeat greeting stands well over a generic prior. Hot frames then also need the
        absolute vocal-effort cue, a spectral tilt of at least ``cold_start_min_tilt_db``
        (a shouted voice is brighter: its telephone-band tilt is ~3-4 dB over a calm one's), or
        a level ``cold_start_min_db_over_baseline`` over the baseline (beyond any greeting).

        A run with fewer than ``min_voiced_s`` loud voiced frames (a codec's shout: too few
        voiced frames to sample its pitch) is yelling on level alone when ``min_hot_fraction``
        of its speech frames stand ``sparse_min_db_over_baseline`` over the baseline; its event
        says so (``evidence["sparse_voicing"]``).
        """
        c = self.c
        f = frames.parties[self.speaker]
        baseline = baselines[self.speaker]
        start, time_of, voiced = f.start, frames.time_of, f.voiced
        n = voiced.size
        sp = f.speech | voiced
        if not sp.any():
            # Nobody's speech in the block: no frame is hot, and a frame is flagged only in
            # the gap after the last sure-hot frame.
            flagged = np.arange(start, start + n) - self._flag_last_hot <= self._gap
            if self._run_start is not None and start + n - 1 - self._last_hot > self._gap:
                return DetectorStep(self._end_run(time_of), flagged)
            return DetectorStep([], flagged)
        loud_el_db = f.voice_loudness_dbfs - baseline.loudness_dbfs
        pitch_el_st = f.pitch_st - baseline.pitch_st
        loud_hot = sp & (loud_el_db >= c.yelling_db_over_baseline)
        cold = not baseline.from_profile and baseline.own_s < c.cold_start_voiced_s
        if cold and baseline.censored and c.cold_start_ends_censored:
            # A voice the line's noise censors is voiced only in its loudest syllables: its
            # baseline is held by the noise (a measured bound, not the generic prior) while
            # the voiced time that ends the cold start accrues a few tenths per utterance.
            cold = False
        share = c.cold_start_speech_voiced_share
        if cold and share > 0 and baseline.own_speech_s is not None:
            # Enough of the speaker's own talk, fewer of its frames voiced (the config's notes).
            cold = not (
                baseline.own_speech_s >= c.cold_start_voiced_s
                and baseline.own_s >= share * c.cold_start_voiced_s
            )
        if cold:
            loud_hot &= (f.voice_tilt_db >= c.cold_start_min_tilt_db) | (
                loud_el_db >= c.cold_start_min_db_over_baseline
            )
        # What the baseline must not learn is judged before the speaker's own range (below).
        loud_flag = loud_hot
        range_db = self._range_db(baseline, cold)
        if range_db is not None:
            # Past the top of the speaker's own range (``range_db_over_upper``).
            beyond = loud_el_db >= range_db
            if c.range_effort_exempt:
                beyond |= f.voice_tilt_db >= c.cold_start_min_tilt_db
            loud_hot = loud_hot & beyond
        # Speech time, or (not known: a hand-built or saved snapshot) voiced time, a lower bound.
        own_speech_s = baseline.own_s if baseline.own_speech_s is None else baseline.own_speech_s
        first_words = own_speech_s < c.cold_start_own_low_max_speech_s
        # The speaker's own speech only grows: past their first words the running low is never
        # read again, so it is kept only until then (most of a live step's cost otherwise).
        low_st = self._own_low_st(f.pitch_st, voiced) if first_words else None
        if cold and low_st is not None and c.cold_start_own_low_s > 0:
            # The speaker's first words: pitch against their own lowest voiced stretch so far
            # where that stands over the baseline's (a generic prior's 150 Hz says nothing of
            # this voice). Not later: a voice the line's noise buries is voiced in a few
            # syllables, and the lowest stretch could be a shout's own.
            pitch_el_st = f.pitch_st - np.fmax(baseline.pitch_st, low_st)
        high = pitch_el_st >= c.yelling_st_over_baseline  # NaN (unvoiced) is never high
        voiced_loud = loud_hot & voiced
        # The pitch cue per run (``run_pitch``): a loud voiced frame is hot whatever its own
        # pitch, the run's loud voiced frames must be high by ``min_hot_fraction``. Not in the
        # cold start: the pitch reference is then the prior or the first words' own low.
        hot = loud_hot if c.run_pitch and not cold else loud_hot & ~(voiced & ~high)
        cum_sp = self._tot[0] + np.cumsum(sp)
        cum_vl = self._tot[1] + np.cumsum(voiced_loud)
        cum_vh = self._tot[2] + np.cumsum(voiced_loud & high)
        very_loud = loud_hot & (loud_el_db >= c.sparse_min_db_over_baseline)
        cum_xl = self._tot[3] + np.cumsum(very_loud)
        # Louder without effort (``line_step_*``): voiced, loud, under the speaker's own pitch.
        effortless = (
            sp
            & voiced
            & (loud_el_db >= c.line_step_effortless_db)
            & (pitch_el_st <= -c.line_step_under_st)
        )
        cum_ef = self._tot[4] + np.cumsum(effortless)
        fall_db = self._fall_db(baseline, cold)
        out: list[Event] = []
        for i in np.flatnonzero(hot).tolist():
            g = start + i
            if self._run_start is not None and g - self._last_hot > self._gap:
                out += self._end_run(time_of)
            if self._run_start is None:
                self._run_start = g
                self._run_before = (
                    int(cum_sp[i]) - 1,
                    int(cum_vl[i]) - int(voiced_loud[i]),
                    int(cum_vh[i]) - int(voiced_loud[i] & high[i]),
                    int(cum_xl[i]) - int(very_loud[i]),
                    int(cum_ef[i]) - int(effortless[i]),
                )
                self._run_hot = 0
                self._run_peak = {}
            self._run_hot += 1
            _keep_max(self._run_peak, "loudness_db_over_baseline", float(loud_el_db[i]))
            _keep_max(self._run_peak, "pitch_st_over_baseline", float(pitch_el_st[i]))
            self._last_hot = g
            span = g - self._run_start + 1
            run_sp = int(cum_sp[i]) - self._run_before[0]
            run_vl = int(cum_vl[i]) - self._run_before[1]
            run_vh = int(cum_vh[i]) - self._run_before[2]
            run_xl = int(cum_xl[i]) - self._run_before[3]
            self._run_ef = int(cum_ef[i]) - self._run_before[4]
            sampled = run_vl >= self._min_voiced and run_vh >= c.min_hot_fraction * run_vl
            sparse = run_vl < self._min_voiced and run_xl >= c.min_hot_fraction * run_sp
            if self._open is None and not self._vetoed and self._held_at is not None:
                if g - self._held_at >= self._hold:
                    out += self._judge_held(g, time_of)
            elif (
                self._open is None
                and not self._vetoed
                and span >= self.width
                and self._run_hot >= c.min_hot_fraction * run_sp
                and (sampled or sparse)
            ):
                evidence: dict[str, Any] = {
                    "baseline": baseline.to_dict(),
                    "confirmed_at_s": time_of(g),
                }
                if range_db is not None:
                    evidence["range_db_over_baseline"] = round(range_db, 2)
                if not sampled:
                    evidence["sparse_voicing"] = {
                        "voiced_loud_s": round(run_vl * self.hop_s, 2),
                        "speech_s": round(run_sp * self.hop_s, 2),
                    }
                ev = Event(
                    kind="yelling",
                    speaker=self.speaker,
                    start_s=time_of(self._run_start),
                    evidence=evidence,
                    thresholds=self.thresholds(),
                )
                if fall_db >= c.line_step_fall_db and self._hold:
                    # The baseline learnt a quieter line: hold the run (``line_step_*``).
                    self._held_at, self._held_fall_db = g, fall_db
                    self._open = None
                    self._held_event = ev
                    self._held_peak = dict(self._run_peak)
                else:
                    self._open = _Open(ev, g, dict(self._run_peak))
                    out.append(ev)
            peak = self._open.peak if self._open is not None else None
            if peak is None and self._held_at is not None:
                peak = self._held_peak
            if peak is not None:
                _keep_max(peak, "loudness_db_over_baseline", float(loud_el_db[i]))
                _keep_max(peak, "pitch_st_over_baseline", float(pitch_el_st[i]))
        # Flag frames hot on both cues and the gap after each (kept out of the baseline).
        # Loud frames whose pitch is unknown are not flagged: a voice the baseline has not
        # learnt yet (someone else's before this speaker spoke) must be able to become it.
        # Computed from the frames alone, so it does not depend on chunking.
        # The speaker's own range (``range_db_over_upper``) decides yelling, not what is
        # learnt: a loud, high frame inside the top of their range is still kept out.
        g_idx = np.arange(start, start + n)
        sure = loud_flag & voiced & high
        last_hot = np.maximum.accumulate(np.where(sure, g_idx, self._flag_last_hot))
        flagged = (g_idx - last_hot) <= self._gap
        self._flag_last_hot = int(last_hot[-1]) if n else self._flag_last_hot
        if self._run_start is not None and start + n - 1 - self._last_hot > self._gap:
            out += self._end_run(time_of)
        if n:
            self._tot = (
                int(cum_sp[-1]),
                int(cum_vl[-1]),
                int(cum_vh[-1]),
                int(cum_xl[-1]),
                int(cum_ef[-1]),
            )
        return DetectorStep(out, flagged)

    def _judge_held(self, g: int, time_of: TimeFn) -> list[Event]:
        """The held run judged (``line_step_*``): a line step when ``line_step_veto_voiced_s``
        of its voiced frames were louder without effort (the run is then never yelling), else
        yelling from its start, confirmed at frame ``g``."""
        held_at, self._held_at = self._held_at, None
        ev, self._held_event = self._held_event, None
        peak, self._held_peak = self._held_peak, {}
        if held_at is None or ev is None:
            return []
        hold = {
            "held_s": round((g - held_at) * self.hop_s, 2),
            "baseline_fall_db": round(self._held_fall_db, 2),
            "effortless_voiced_s": round(self._run_ef * self.hop_s, 2),
        }
        if self._run_ef >= self._veto_n:
            self._vetoed = True
            return []
        ev = Event(
            kind=ev.kind,
            speaker=ev.speaker,
            start_s=ev.start_s,
            evidence={**ev.evidence, "confirmed_at_s": time_of(g), "line_step_hold": hold},
            thresholds={**ev.thresholds, **self._line_step_thresholds()},
        )
        self._open = _Open(ev, g, peak)
        return [ev]

    def _own_low_st(self, pitch_st: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        """Per frame: the lowest median pitch (st) of any ``cold_start_own_low_s`` of the
        speaker's voiced frames so far (a causal running minimum of a rolling median over
        voiced frames, carried across blocks); NaN until that much is voiced."""
        c = self.c
        n = pitch_st.size
        if c.cold_start_own_low_s <= 0:
            return np.full(n, np.nan)
        w = max(1, round(c.cold_start_own_low_s / self.hop_s))
        vi = np.flatnonzero(voiced & np.isfinite(pitch_st))
        vals = np.concatenate((self._low_tail, pitch_st[vi].astype(np.float64)))
        med = np.full(vi.size, np.nan)
        if vals.size >= w and vi.size:
            wins = np.lib.stride_tricks.sliding_window_view(vals, w)
            m = np.median(wins, axis=1)  # one per window ending at vals[w-1:]
            k = m.size - vi.size  # windows ending in the carried tail
            med[max(0, -k) :] = m[max(0, k) :]
        self._low_tail = vals[-(w - 1) :] if w > 1 else vals[:0]
        per = np.full(n, np.nan)
        per[vi] = med
        run = np.fmin.accumulate(np.concatenate(([self._low_min], per)))[1:]
        if n:
            self._low_min = float(run[-1])
        return run

    def _end_run(self, time_of: TimeFn) -> list[Event]:
        self._run_start = None
        if self._held_at is not None:
            # A held run that ends before its hold does is judged at its end (the event, if
            # any, opens and closes in this one update).
            self._judge_held(self._last_hot, time_of)
        self._vetoed = False
        self._held_peak = {}
        op = self._open
        if op is None:
            return []
        self._open = None
        return [
            op.event.closed_at(
                time_of(self._last_hot), evidence={f"peak_{k}": v for k, v in op.peak.items()}
            )
        ]

    def finish(
        self, end: int, time_of: TimeFn, baselines: Mapping[str, BaselineSnapshot]
    ) -> list[Event]:
        return self._end_run(time_of) if self._run_start is not None else []


def rejudge_yelling(
    config: YellingConfig,
    *,
    speaker: Speaker,
    hop_s: float,
    frames: PartyFrames,
    baseline: BaselineSnapshot,
    time_of: TimeFn,
    reported: list[Event],
    now_s: float,
) -> list[Event]:
    """The speaker's early frames judged again against a baseline rebased on their calmer
    voice (``BaselineConfig.rebase_*``, ``YellingConfig.rejudge_after_rebase``): a call that
    opened on shouting had its shout learnt as the speaker's normal, or judged under the cold
    start against the generic prior; once the calm voice is known, the shout is yelling
    against it. A fresh detector reads ``frames`` (consecutive, from the call's start) with
    ``baseline`` throughout; its closed events that overlap none of the speaker's
    ``reported`` yelling events are returned, late, with ``evidence["rejudged_at_s"]``
    (``now_s``: when the calm voice was found)."""
    det = YellingDetector(config, speaker=speaker, hop_s=hop_s)
    snaps: dict[str, BaselineSnapshot] = {speaker: baseline}
    ups = det.push(CallFrames(frames.start, {speaker: frames}, time_of), snaps).events
    ups += det.finish(frames.start + len(frames), time_of, snaps)
    closed = [e for e in ups if not e.is_open]
    return [
        e.with_evidence({"rejudged_at_s": round(now_s, 2)})
        for e in closed
        if not any(
            r.start_s < (e.end_s or e.start_s) and (r.end_s or now_s) > e.start_s for r in reported
        )
    ]


@dataclass
class _Run:
    """One stretch of the agent's speech with its own sums (the tone window's eight series)."""

    start: int
    last: int
    sums: np.ndarray
    first_voiced: int | None = None
    last_voiced: int | None = None
    touched: bool = False
    alone_active: bool = False
    """An active window held voiced speech of this run only (it is non-calm on its own even
    when the run as a whole scores under ``min_score``)."""


class _RecentValues:
    """The last ``maxlen`` values in arrival order, with their non-NaN values also kept sorted,
    so a quantile is read without sorting them again (the speaker's own calm windows: their
    quantiles are read again each time a window joins; ``np.quantile`` on the whole window
    list each time was a tenth of a recorded call's analysis). :meth:`quantile` is
    ``float(np.quantile(...))`` to the bit (:func:`~.noise.quantile_of_sorted`)."""

    __slots__ = ("_nan", "_order", "_sorted")

    def __init__(self, maxlen: int) -> None:
        self._order: deque[float] = deque(maxlen=maxlen)
        self._sorted: list[float] = []
        self._nan = 0  # NaNs among the values

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[float]:
        return iter(self._order)

    def append(self, x: float) -> None:
        order = self._order
        if len(order) == order.maxlen:
            old = order[0]
            if math.isnan(old):
                self._nan -= 1
            else:
                del self._sorted[bisect.bisect_left(self._sorted, old)]
        order.append(x)
        if math.isnan(x):
            self._nan += 1
        else:
            bisect.insort(self._sorted, x)

    def quantile(self, q: float, *, of_all: bool = False) -> float:
        """The ``q`` quantile (NumPy's "linear") of the values that are not NaN (NaN: none);
        ``of_all``: of all the values, as ``np.quantile`` reads them (NaN if one is NaN)."""
        if not self._sorted or (of_all and self._nan):
            return math.nan
        return quantile_of_sorted(self._sorted, q)


class AgentToneDetector:
    """Non-calm agent tone: a combined score over signals measured against the agent's baseline.

    Every ``stride`` frames on a global grid, over the trailing ``window_s``, six signals are
    measured against the speaker's own baseline: loudness (dB), pitch (st), pitch spread (st),
    pace (syllable-rate ratio), vocal effort (spectral tilt, dB) and voice quality (harshness:
    the drop of the harmonics-to-noise ratio, dB). A logistic score over them (coefficients in
    :class:`AgentToneConfig`, fitted by ``bench/fit_agent_tone.py``) must reach ``min_score``.
    Each signal also has its own threshold; the event names the signals over theirs (``fired``)
    and carries the score, its threshold and each signal's share of it.

    Tone is also non-calm by a vote: ``min_signals`` of the first five signals over their own
    thresholds at once, loudness among them (a raised voice plus another sign: without a louder
    voice, higher or faster speech is animation, not a loss of calm), in a window with
    ``vote_min_voiced_s`` of voiced speech. The pitch thresholds of the vote widen with the
    speaker's own pitch spread (``pitch_spread_st`` over ``reference_pitch_spread_st``, at most
    ``max_spread_scale`` times): in lively conversation a 3 s stretch sits further from the
    median than in a read sentence.

    Spans are tight: an event covers the agent's speech runs (utterances) that its active
    windows touched, minus leading and trailing runs that are calm on their own; it starts at
    the first voiced frame of its first non-calm run and ends at the last voiced frame of its
    last, so it never runs into the customer's turn or the agent's next calm utterance. A run
    is non-calm on its own when it scores so as a whole, or when an active window held voiced
    speech of that run only (an event still open from an earlier utterance grows over a new
    one that turned a window non-calm by itself; it is not trimmed off as a calm run).

    Windows with too little voiced speech for ``min_voiced_s`` but ``sparse_min_speech_s`` of
    speech (a raised voice through a low-rate codec or on a quiet line, where the pitch tracker
    voices a tenth of its frames) are judged on their level alone (:meth:`_Judgement.level_only`).
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
        self, config: AgentToneConfig, *, speaker: Speaker, hop_s: float, stride: int = 10
    ) -> None:
        self.c = config
        self.speaker = speaker
        self.hop_s = hop_s
        self.stride = stride
        self.width = max(1, round(config.window_s / hop_s))
        self._sums = TrailingSums(self.width, len(_ToneSeries._fields))
        self._open: _OpenTone | None = None
        self._last_eval_active = False
        self._end_after = max(1, round(config.end_after_calm_s / hop_s))
        self._runs: list[_Run] = []
        self._run_open = False  # the last run reaches the last frame seen
        self._prev_end = -1  # last frame of the previous event's span
        # The line's noise estimate at the latest evaluation (dBFS; runs are judged with it).
        self._noise_dbfs = NO_NOISE_DBFS
        # The speech frames' voice levels of the last ``width - 1`` frames (NaN: not speech),
        # for the window's top level (``AgentToneConfig.level_top_percentile``; empty: off).
        self._top_q = config.level_top_percentile / 100.0
        self._lvl_tail = np.full(self.width - 1 if self._top_q > 0 else 0, np.nan)
        # Tools (bench/fit_agent_tone.py) set a list here to record every evaluation:
        # (frame index, enough speech, signal values in VALUES order, voiced s in the window,
        # whether the min_signals vote holds, speech s in the window).
        self.trace: list[tuple[int, bool, tuple[float, ...], float, bool, float]] | None = None
        # The speaker's own calm windows' score logits (``AgentToneConfig.own_score_quantile``):
        # judged windows waiting ``own_score_confirm_s`` for no active evaluation after them
        # (frame, logit), those confirmed (the last ``own_score_memory_s``), the bar they give.
        self._own_pending: deque[tuple[int, float, float, float]] = deque()
        n_calm = max(1, round(config.own_score_memory_s / (stride * hop_s)))
        self._own_calm = _RecentValues(n_calm)
        # ... and those windows' loudness (dB) and pitch (st, NaN: none voiced) over
        # the baseline, for the shape the floor asks of a window
        # (``AgentToneConfig.own_score_floor_calm_quantile``), with their quantiles (cached).
        self._own_calm_lo = _RecentValues(n_calm)
        self._own_calm_st = _RecentValues(n_calm)
        self._own_shape: tuple[float, float] | None = None
        # Tools set a list here to record, per evaluation judged with the own bar, the bar
        # before the shape rule, the calm windows' loudness and pitch quantiles and the
        # window's loudness and pitch (bench diagnostics).
        self.trace_own: list[tuple[int, float, float, float, float, float]] | None = None
        self._own_confirm = max(1, round(config.own_score_confirm_s / hop_s))
        # The baseline's speech level at each step, a sliding maximum over the last
        # ``own_score_step_hold_memory_s`` (frame, dBFS; decreasing levels), for the hold
        # while the line is turned down (``AgentToneConfig.own_score_step_hold_db``).
        self._own_level_max: deque[tuple[int, float]] = deque()
        self._own_bar: float | None = None  # cached min_score from _own_calm (None: stale)
        # The speaker's ended turns for ``AgentToneConfig.own_score_min_turns``: the turn going
        # on (first frame, last speech frame, speech frames, summed speech power) and those
        # ended with enough speech (the frame their end became known, energy-mean dBFS).
        self._turn: list[float] | None = None
        self._turns: deque[tuple[int, float]] = deque(maxlen=max(1, config.own_score_max_turns))
        self._turn_gap = max(1, round(config.own_score_turn_gap_s / hop_s))
        self._turn_min = config.own_score_turn_min_speech_s / hop_s
        self._mature = config.own_score_min_turns <= 0  # at the latest evaluation
        self._turn_counts = np.zeros(0, np.int64)  # ... at each evaluation of the last block
        # The turn vote (``AgentToneConfig.turn_vote_min_db``): the turn going on (last speech
        # frame, speech frames, summed speech power, its voiced frames' pitch arrays) and the
        # baseline as it stood when it began.
        self._tv_last = -(10**9)
        self._tv_n = 0
        self._tv_pow = 0.0
        self._tv_st: list[np.ndarray] = []
        self._tv_base: BaselineSnapshot | None = None
        self._tv_gap = max(1, round(config.own_score_turn_gap_s / hop_s))

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

    def spread_scale(self, baseline: BaselineSnapshot, *, robust: bool = True) -> float:
        """How much wider than the reference this speaker's pitch range is (>= 1).

        ``robust`` False: from the standard deviation whatever ``spread_scale_robust_share``
        (the pitch-variability vote, which compares standard deviations)."""
        c = self.c
        if c.reference_pitch_spread_st <= 0:
            return 1.0
        spread = baseline.pitch_spread_st
        w = c.spread_scale_robust_share
        if robust and w > 0 and baseline.pitch_spread_robust_st is not None:
            # Gross pitch errors (a few frames octaves off) only widen the standard deviation:
            # it is read down towards the robust spread, never up (a speaker whose pitch sits
            # in two clusters reads wider robustly; the reference is a standard deviation).
            low = min(spread, baseline.pitch_spread_robust_st)
            spread = (1.0 - w) * spread + w * low
        return float(np.clip(spread / c.reference_pitch_spread_st, 1.0, c.max_spread_scale))

    def thresholds(
        self, fired: list[str], scale: float = 1.0, spread_scale: float | None = None
    ) -> dict[str, float]:
        """The thresholds of the ``fired`` signals; the pitch ones times ``scale``, pitch
        variability's times ``spread_scale`` (default ``scale``)."""
        c = self.c
        sp_scale = scale if spread_scale is None else spread_scale
        table = {
            "loudness": {
                "loudness_db_over_baseline": c.loudness_db_over_baseline,
                **(
                    {
                        "effortless_rise_min_db": c.effortless_rise_min_db,
                        "effortless_rise_max_st": c.effortless_rise_max_st,
                    }
                    if c.effortless_rise_min_db > 0
                    else {}
                ),
            },
            "pitch": {"pitch_st_over_baseline": round(c.pitch_st_over_baseline * scale, 2)},
            "pitch_variability": {
                "pitch_spread_st_over_baseline": round(
                    c.pitch_spread_st_over_baseline * sp_scale, 2
                )
            },
            "pace": {
                "pace_ratio_over_baseline": c.pace_ratio_over_baseline,
                "max_pace_syll_per_s": c.max_pace_syll_per_s,
                **(
                    {"vote_pace_min_baseline_speech_s": c.vote_pace_min_baseline_speech_s}
                    if c.vote_pace_min_baseline_speech_s > 0
                    else {}
                ),
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

    def level_reference_dbfs(self, baseline: BaselineSnapshot) -> float:
        """The speech level (dBFS) a window's loudness is read against: the baseline's
        energy-mean speech level, at most ``speech_level_max_db_over_median`` over the
        speaker's median speech-frame level where that is read (``AgentToneConfig``)."""
        level = baseline.speech_level_dbfs
        cap = self.c.speech_level_max_db_over_median
        med = baseline.speech_median_over_level_db
        if cap > 0 and med is not None:
            level += min(0.0, med + cap)
        return level

    def _level_reference_thresholds(self) -> dict[str, float]:
        return {"speech_level_max_db_over_median": self.c.speech_level_max_db_over_median}

    def score(self, values: np.ndarray) -> np.ndarray:
        """Logistic score in [0, 1] of signal values shaped (6, n) in ``VALUES`` order.

        Pace counts only above the baseline rate (``ratio - 1`` when positive): a slower agent
        is not rushing.
        """
        x = np.array(values, dtype=np.float64)
        if not np.isfinite(x).all():  # (nan_to_num's copies cost more than a tick's work)
            np.nan_to_num(x, copy=False)
        x[3] = np.maximum(x[3] - 1.0, 0.0)
        z = self.c.score_bias + self.weights() @ x
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))

    def _judge(
        self,
        sums: np.ndarray,
        baseline: BaselineSnapshot,
        noise_dbfs: np.ndarray | float,
        top_db: np.ndarray | None = None,
    ) -> _Judgement:
        """Signals, score and vote of windows (or runs) from their sums of the
        :class:`_ToneSeries`, shape (9, k); ``noise_dbfs``: the line's noise estimate at each
        (see ``AgentToneConfig.harshness_min_voice_snr_db``). ``top_db``: each window's
        loudness read over its loudest speech frames against the baseline's same percentile
        (:meth:`_top_level_db`; NaN where not read: the energy mean is used)."""
        c = self.c
        n_v, s_pow, s_st, s_st2, n_sp, n_nuc, s_ti, s_hn, n_lsp = _ToneSeries(*sums)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_lo = 10.0 * np.log10(np.maximum(s_pow / n_lsp, 1e-12))
            mean_st = s_st / n_v
            spread = np.sqrt(np.maximum(s_st2 / n_v - mean_st**2, 0.0))
            rate = n_nuc / (n_sp * self.hop_s)
            d_ti = s_ti / n_v - baseline.tilt_db
            d_hn = baseline.hnr_db - s_hn / n_v
            pace = rate / baseline.syllable_rate_per_s
        d_lo = mean_lo - self.level_reference_dbfs(baseline)
        if top_db is not None:
            d_lo = np.where(np.isnan(top_db), d_lo, top_db)
        d_st = mean_st - baseline.pitch_st
        d_sp = spread - baseline.pitch_spread_st
        if c.harshness_min_voice_snr_db > 0:
            # The HNR reads the line's noise as well as the voice: where the calm voice is not
            # far over it, the drop says how near the noise the voice was, not how it sounded.
            clear = baseline.speech_level_dbfs - noise_dbfs >= c.harshness_min_voice_snr_db
            d_hn = np.where(clear, d_hn, 0.0)
        if c.effortless_rise_min_db > 0:
            # Louder without a higher pitch: not effort (AgentToneConfig.effortless_rise_*).
            min_v = c.min_voiced_s
            if c.effortless_rise_sparse_min_voiced_s > 0:
                # Sparse windows too: their few voiced frames still show the pitch's way.
                min_v = min(min_v, c.effortless_rise_sparse_min_voiced_s)
            effortless = (
                (d_lo >= c.effortless_rise_min_db)
                & (d_st <= c.effortless_rise_max_st)
                & (n_v >= min_v / self.hop_s)
            )
            d_lo = np.where(effortless, 0.0, d_lo)
        values = np.stack((d_lo, d_st, d_sp, pace, d_ti, d_hn))
        score = self.score(values) if n_v.size else np.zeros(0)
        scale = self.spread_scale(baseline)
        # Pitch variability compares standard deviations (the window's less the baseline's):
        # its threshold widens with the baseline's standard deviation, gross errors and all.
        scale_sd = (
            self.spread_scale(baseline, robust=False) if c.spread_scale_robust_share > 0 else scale
        )
        fired = np.stack(
            (
                d_lo >= c.loudness_db_over_baseline,
                d_st >= c.pitch_st_over_baseline * scale,
                d_sp >= c.pitch_spread_st_over_baseline * scale_sd,
                (pace >= c.pace_ratio_over_baseline) | (rate >= c.max_pace_syll_per_s),
                d_ti >= c.tilt_db_over_baseline,
                d_hn >= c.harshness_db_over_baseline,
            )
        )
        if not self._pace_baseline_ok(baseline):
            fired[3] = False  # too few of the speaker's syllables heard to vote on pace
        # The vote: min_signals of the first five (voice quality is scored, not voted),
        # loudness among them.
        voted = (fired[:5].sum(axis=0) >= c.min_signals) & fired[0]
        return _Judgement(values, fired, score, voted, rate, n_v, scale)

    def push(self, frames: CallFrames, baselines: Mapping[str, BaselineSnapshot]) -> DetectorStep:
        """The speaker's frames of the block, judged against ``baselines[speaker]`` every
        ``stride`` frames; returns the event updates and the per-frame flagged mask."""
        c = self.c
        f = frames.parties[self.speaker]
        baseline = baselines[self.speaker]
        start, time_of, voiced, speech = f.start, frames.time_of, f.voiced, f.speech
        series = _tone_series(f, self._level_floor(baseline))
        self._add_runs(start, speech, voiced, series)
        if c.own_score_quantile > 0 and c.own_score_min_turns > 0:
            self._add_turns(start, speech, _speech_power(f, speech))
        first_eval = -start % self.stride  # block index of the first frame on the grid
        tv: np.ndarray | None = None
        tv_read: list[tuple[float, float, float, float] | None] = []
        if c.turn_vote_min_db > 0:
            tv, tv_read = self._turn_votes(f, baseline, first_eval)
        lvl = None
        if self._top_q > 0:
            lvl = np.concatenate((self._lvl_tail, np.where(speech, f.voice_loudness_dbfs, np.nan)))
            self._lvl_tail = lvl[lvl.size - self._lvl_tail.size :]
        sums = self._sums.push(series)
        out: list[Event] = []
        if first_eval >= voiced.size:
            # No evaluation falls in this block (most 20 ms live steps): the events stand and
            # every frame keeps the flag of the last evaluation.
            self._prune(start + voiced.size)
            return DetectorStep(out, np.full(voiced.size, self._last_eval_active))
        evals = np.arange(first_eval, voiced.size, self.stride)
        noise_e = f.noise_dbfs[evals]
        # The share of the talk the line lets through at each evaluation (1: the speech a
        # sparse window needs as configured; ``AgentToneConfig.noise_scaled_judging_snr_db``).
        share = self._judge_share(baseline, noise_e)
        if (tv is None or not tv.any()) and self._no_window_judged(sums[:, evals], baseline, share):
            return self._calm_evals(start, evals, noise_e, baseline, time_of, voiced.size)
        top_db = None if lvl is None else self._top_level_db(lvl, evals, baseline)
        j = self._judge(sums[:, evals], baseline, noise_e, top_db)
        n_v = j.n_voiced
        d_lo = j.values[0]
        # A window far quieter than the speaker's own level is someone else's voice leaking into
        # the headset (or a whisper): no tone is judged on it.
        # Sparse voicing (a codec's or a quiet line's raised voice): judged on its level alone.
        voiced_ok = n_v >= c.min_voiced_s / self.hop_s
        # A baseline with enough of the speaker's speech but little voiced (a line whose noise
        # buries the calm voice): windows whose pitch rose are judged on their level alone.
        level_base = self._level_baseline(baseline)
        # A young baseline (too little of the speaker's speech for either rule above): only a
        # window far louder and higher is judged, on its level (``young_baseline_min_db``).
        young = not level_base and self._young_baseline(baseline)
        sparse_voted = np.zeros(n_v.shape, bool)
        if level_base:
            sparse = voiced_ok = self._clearly_raised(j, n_v, c.min_voiced_s)
        elif young:
            sparse = voiced_ok = self._clearly_raised(
                j, n_v, c.sparse_min_voiced_s, c.young_baseline_min_db
            )
        else:
            sparse = self._sparse(n_v, sums[4, evals], c.min_voiced_s, share)
            sparse_voted = self._sparse_voted(j, sparse)
        # The window's pitch over the baseline from whatever frames it voiced (NaN: none),
        # also where judged on level alone (``own_score_floor_calm_quantile``).
        st_voiced = np.where(n_v > 0, j.values[1], np.nan)
        if sparse.any():
            j = j.level_only(sparse, self, keep_fired=sparse_voted)
            d_lo = j.values[0]
        enough = (
            (voiced_ok | sparse)
            & ((baseline.voiced_s >= c.min_baseline_voiced_s) | level_base | young)
            & (d_lo >= -c.max_db_under_baseline)
        )
        voted = (
            j.voted
            & (n_v >= c.vote_min_voiced_s / self.hop_s)
            & (baseline.voiced_s >= c.vote_min_baseline_voiced_s)
        ) | sparse_voted
        # The bar's cap on a line whose noise nears the calm voice (1.0: none).
        noisy_cap = self._noisy_line_cap(baseline, noise_e)
        if c.own_score_quantile > 0:
            mature = self._mature_at(start + evals, baseline)
            held = self._own_step_held(start, baseline)
            active, bar = self._own_judge(
                start,
                evals,
                enough,
                j.score,
                voted,
                mature,
                j.values[0],
                st_voiced,
                held,
                noisy_cap,
            )
        else:
            active = enough & ((j.score >= np.minimum(c.min_score, noisy_cap)) | voted)
            bar = None
        if tv is not None and tv.any():
            # A turn louder and higher as a whole than the speaker before it
            # (``turn_vote_min_db``): non-calm, whatever its windows.
            active = active | tv
            self._own_pending.clear()  # windows waiting to join the calm ones were rising
        if self.trace is not None:
            for k, i in enumerate(evals.tolist()):
                self.trace.append(
                    (
                        start + i,
                        bool(enough[k]),
                        tuple(float(x) for x in j.values[:, k]),
                        float(n_v[k] * self.hop_s),
                        bool(voted[k]),
                        float(sums[4, evals[k]] * self.hop_s),
                    )
                )
        for k, i in enumerate(evals.tolist()):
            g = start + i
            self._noise_dbfs = float(noise_e[k])  # on the evaluation grid: chunking-free
            if active[k]:
                fired = [n for n, f in zip(self.SIGNALS, j.fired[:, k], strict=True) if f]
                self._touch(g)
                opened = False
                if self._open is None:
                    opened = True
                    contrib = self.weights() * np.nan_to_num(j.values[:, k])
                    contrib[3] = self.c.weight_per_pace_ratio * max(
                        float(j.values[3, k]) - 1.0, 0.0
                    )
                    # The event is announced now, and its id comes from its start: the start
                    # is the first voiced frame of the window's first non-calm run (leading
                    # calm runs trimmed, as at the close), never moved afterwards.
                    span = self._span(baseline, g)
                    first = (
                        span[0]
                        if span is not None
                        else self._first_voiced_since(g - self.width + 1)
                    )
                    first = max(first if first is not None else g, self._prev_end + 1)
                    self._open = _OpenTone(
                        start_s=time_of(first),
                        evidence={
                            "fired": fired,
                            "score": round(float(j.score[k]), 3),
                            "min_score": c.min_score,
                            "voted": bool(voted[k]),
                            "score_contributions": {
                                name: round(float(x), 2)
                                for name, x in zip(self.SIGNALS, contrib, strict=True)
                            },
                            "baseline": baseline.to_dict(),
                            "pitch_threshold_scale": round(j.scale, 2),
                            "confirmed_at_s": time_of(g),
                        },
                        thresholds=self.thresholds(
                            fired, j.scale, self.spread_scale(baseline, robust=False)
                        ),
                        last_active=g,
                    )
                    if (
                        c.spread_scale_robust_share > 0
                        and baseline.pitch_spread_robust_st is not None
                    ):
                        # The pitch thresholds' scale read from the robust spread.
                        self._open.evidence["pitch_spread_robust_st"] = round(
                            baseline.pitch_spread_robust_st, 2
                        )
                    if level_base:
                        # Judged on level against a baseline with little voiced speech.
                        self._open.evidence["level_only_baseline"] = True
                        self._open.thresholds.update(self._level_baseline_thresholds())
                    elif young:
                        # Judged on level against a young baseline (a few words of speech).
                        self._open.evidence["young_baseline"] = True
                        self._open.thresholds.update(self._young_baseline_thresholds())
                    if bar is not None:
                        # The bar read against the speaker's own calm windows.
                        self._open.evidence["own_score_min_score"] = round(float(bar[k]), 3)
                        if c.own_score_min_turns > 0:
                            self._open.evidence["own_score_turns"] = int(self._turn_counts[k])
                        if c.own_score_floor_calm_quantile > 0:
                            # The calm shape the floor asked the window to stand out of.
                            q_lo, q_st = self._own_calm_shape()
                            self._open.evidence["own_score_calm_shape"] = {
                                "loudness_db_over_baseline": _r2(q_lo),
                                "pitch_st_over_baseline": _r2(q_st),
                            }
                        self._open.thresholds.update(self._own_score_thresholds())
                    if sparse_voted[k]:
                        # A sparse window louder and higher by one effort step each.
                        self._open.evidence["sparse_vote"] = True
                        self._open.thresholds.update(self._sparse_vote_thresholds(j.scale))
                    ref = self.level_reference_dbfs(baseline)
                    if ref < baseline.speech_level_dbfs:
                        # Loudness read against the yardstick held near the median level.
                        self._open.evidence["speech_level_reference_dbfs"] = round(ref, 2)
                        self._open.thresholds.update(self._level_reference_thresholds())
                    if noisy_cap[k] < 1.0:
                        # Judged against the bar of a line whose noise nears the calm voice.
                        self._open.evidence["noisy_line_voice_snr_db"] = round(
                            baseline.speech_level_dbfs - float(noise_e[k]), 1
                        )
                        self._open.thresholds.update(self._noisy_line_thresholds())
                    if tv is not None and tv[k]:
                        self._open.evidence["turn_vote"] = self._turn_vote_evidence(tv_read[k])
                        self._open.thresholds.update(self._turn_vote_thresholds())
                    if share[k] < 1.0 and sparse[k]:
                        # A sparse window judged on the speech the line let through.
                        self._open.evidence["noise_scaled_judging_share"] = round(
                            float(share[k]), 2
                        )
                        self._open.thresholds.update(self._judge_share_thresholds())
                op = self._open
                op.last_active = g
                all_fired = sorted(set(op.evidence["fired"]) | set(fired), key=self.SIGNALS.index)
                op.changed = op.changed or all_fired != op.evidence["fired"]
                op.evidence["fired"] = all_fired
                op.thresholds = self.thresholds(
                    all_fired, j.scale, self.spread_scale(baseline, robust=False)
                )
                if op.evidence.get("level_only_baseline"):
                    op.thresholds.update(self._level_baseline_thresholds())
                if op.evidence.get("young_baseline"):
                    op.thresholds.update(self._young_baseline_thresholds())
                if sparse_voted[k]:
                    op.evidence["sparse_vote"] = True
                if op.evidence.get("sparse_vote"):
                    op.thresholds.update(self._sparse_vote_thresholds(j.scale))
                if "own_score_min_score" in op.evidence:
                    op.thresholds.update(self._own_score_thresholds())
                if "noise_scaled_judging_share" in op.evidence:
                    op.thresholds.update(self._judge_share_thresholds())
                if "speech_level_reference_dbfs" in op.evidence:
                    op.thresholds.update(self._level_reference_thresholds())
                if "noisy_line_voice_snr_db" in op.evidence:
                    op.thresholds.update(self._noisy_line_thresholds())
                if tv is not None and tv[k] and "turn_vote" not in op.evidence:
                    op.evidence["turn_vote"] = self._turn_vote_evidence(tv_read[k])
                    op.changed = True
                if "turn_vote" in op.evidence:
                    op.thresholds.update(self._turn_vote_thresholds())
                _keep_max(op.peak, "score", float(j.score[k]))
                for name, val in zip(self.VALUES, j.values[:, k], strict=True):
                    _keep_max(op.peak, name, float(val))
                _keep_max(op.peak, "syllable_rate_per_s", float(j.rate[k]))
                if opened:
                    # The event as it stood at the evaluation that opened it, whatever else
                    # this push holds: the alert policy reads it so, in a 20 ms live step and
                    # a recording's 10 s chunk alike (it grows later evaluations' cues and
                    # thresholds; those go out at the push's end as before).
                    op.changed = False
                    out.append(op.event(self.speaker))
            elif self._open is not None and g - self._open.last_active >= self._end_after:
                out.append(self._close(self._open, baseline, time_of))
        if self._open is not None and self._open.changed:
            # One update per push for an event opened (or grown) in it, as it stands at the end.
            self._open.changed = False
            out.append(self._open.event(self.speaker))
        # A frame is flagged when the latest evaluation at or before it was active.
        state = np.full(voiced.size, -1, np.int8)
        state[evals] = active.astype(np.int8)
        filled = np.maximum.accumulate(np.where(state >= 0, np.arange(voiced.size), -1))
        flagged = np.where(filled >= 0, state[np.maximum(filled, 0)] == 1, self._last_eval_active)
        if evals.size:
            self._last_eval_active = bool(active[-1])
        self._prune(start + voiced.size)
        return DetectorStep(out, flagged)

    def _turn_votes(
        self, f: PartyFrames, baseline: BaselineSnapshot, first_eval: int
    ) -> tuple[np.ndarray, list[tuple[float, float, float, float] | None]]:
        """Follow the speaker's turn through the block and judge it at each evaluation of the
        block's grid (``AgentToneConfig.turn_vote_min_db``): whether the turn so far votes,
        and its reading (loudness dB and median pitch st over the baseline it began with,
        speech and voiced seconds; None where not read)."""
        c = self.c
        n = f.speech.size
        evals = list(range(first_eval, n, self.stride))
        votes = np.zeros(len(evals), bool)
        reads: list[tuple[float, float, float, float] | None] = [None] * len(evals)
        speech = f.speech
        voiced_st = speech & f.voiced & np.isfinite(f.pitch_st)
        power = np.where(speech, 10.0 ** (f.voice_loudness_dbfs.astype(np.float64) / 10.0), 0.0)
        a = 0
        for k, i in enumerate([*evals, n - 1]):
            b = i + 1
            if b > a:
                self._turn_feed(f.start, speech[a:b], voiced_st[a:b], power[a:b], f, a, baseline)
                a = b
            if k == len(evals):
                break
            r = self._turn_read(f.start + i, float(f.noise_dbfs[i]))
            reads[k] = r
            if r is not None:
                votes[k] = r[0] >= c.turn_vote_min_db and r[1] >= c.turn_vote_min_st
        return votes, reads

    def _turn_feed(
        self,
        start: int,
        speech: np.ndarray,
        voiced_st: np.ndarray,
        power: np.ndarray,
        f: PartyFrames,
        a: int,
        baseline: BaselineSnapshot,
    ) -> None:
        """Add frames ``[a, a + len)`` of the block to the turn (a new turn after a pause of
        ``own_score_turn_gap_s``, with the baseline as it stood before this tick)."""
        idx = np.flatnonzero(speech)
        if not idx.size:
            return
        first = start + a + int(idx[0])
        if first - self._tv_last > self._tv_gap:
            self._tv_n, self._tv_pow, self._tv_st = 0, 0.0, []
            self._tv_base = baseline
        self._tv_last = start + a + int(idx[-1])
        self._tv_n += int(idx.size)
        self._tv_pow += float(power.sum())
        if voiced_st.any():
            self._tv_st.append(f.pitch_st[a : a + speech.size][voiced_st].astype(np.float64))

    def _turn_read(self, g: int, noise_dbfs: float) -> tuple[float, float, float, float] | None:
        """The turn so far at frame ``g`` against the baseline it began with: (loudness dB,
        median pitch st, speech s, voiced s), or None (no turn going on, too little of it, a
        baseline not resting on the speaker, or a line clearer than
        ``turn_vote_max_voice_snr_db``)."""
        c = self.c
        b0 = self._tv_base
        if b0 is None or g - self._tv_last > self._tv_gap:
            return None
        speech_s = self._tv_n * self.hop_s
        n_v = sum(x.size for x in self._tv_st)
        if speech_s < c.turn_vote_min_speech_s or n_v * self.hop_s < c.turn_vote_min_voiced_s:
            return None
        own = b0.own_speech_s
        if b0.voiced_s < c.min_baseline_voiced_s or not (
            b0.from_profile or (own is not None and own >= c.min_baseline_speech_s)
        ):
            return None
        if c.turn_vote_max_voice_snr_db > 0 and not (
            noise_dbfs > NO_NOISE_DBFS
            and b0.speech_level_dbfs - noise_dbfs <= c.turn_vote_max_voice_snr_db
        ):
            return None
        lo = 10.0 * math.log10(max(self._tv_pow / self._tv_n, 1e-12)) - self.level_reference_dbfs(
            b0
        )
        if lo < c.turn_vote_min_db:
            return (lo, math.nan, speech_s, n_v * self.hop_s)  # the median is not needed
        st = float(np.median(np.concatenate(self._tv_st))) - b0.pitch_st
        return (lo, st, speech_s, n_v * self.hop_s)

    @staticmethod
    def _turn_vote_evidence(r: tuple[float, float, float, float] | None) -> dict[str, float]:
        assert r is not None  # only read where the turn voted
        return {
            "loudness_db_over_turn_baseline": round(r[0], 2),
            "pitch_st_over_turn_baseline": round(r[1], 2),
            "speech_s": round(r[2], 2),
            "voiced_s": round(r[3], 2),
        }

    def _turn_vote_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "turn_vote_min_db": c.turn_vote_min_db,
            "turn_vote_min_st": c.turn_vote_min_st,
            "turn_vote_min_speech_s": c.turn_vote_min_speech_s,
            "turn_vote_min_voiced_s": c.turn_vote_min_voiced_s,
            "turn_vote_max_voice_snr_db": c.turn_vote_max_voice_snr_db,
            "own_score_turn_gap_s": c.own_score_turn_gap_s,
        }

    def _own_judge(
        self,
        start: int,
        evals: np.ndarray,
        enough: np.ndarray,
        score: np.ndarray,
        voted: np.ndarray,
        mature: np.ndarray | None = None,
        lo: np.ndarray | None = None,
        st: np.ndarray | None = None,
        held: bool = False,
        cap: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each evaluation's activity against the bar its speaker's own calm windows give
        (``AgentToneConfig.own_score_quantile``), in order: a judged window that stays calm
        joins them once ``own_score_confirm_s`` has passed with no active evaluation (an
        active one drops every window still waiting: they were rising into it). ``mature``:
        per evaluation, whether the speaker is known well enough for their own bar
        (``own_score_min_turns``; the bar is ``min_score`` until then; None: always).
        ``lo`` / ``st``: each window's loudness (dB) and pitch (st, over the frames it
        voiced, also when judged on level alone; NaN: none voiced) over the baseline, for the
        shape a window needs to be judged under ``min_score``
        (``own_score_floor_calm_quantile``). ``held``: the line is turned down
        (``own_score_step_hold_db``): the bar is ``min_score``. ``cap``: per evaluation, the
        most the bar may be (:meth:`_noisy_line_cap`; None: no cap). Returns the activity and
        the bar (a probability) each evaluation was read against."""
        c = self.c
        active = np.zeros(evals.size, bool)
        bar = np.empty(evals.size)
        pend, calm = self._own_pending, self._own_calm
        for k, i in enumerate(evals.tolist()):
            g = start + i
            while pend and pend[0][0] <= g - self._own_confirm:
                _, z, w_lo, w_st = pend.popleft()
                calm.append(z)
                self._own_calm_lo.append(w_lo)
                self._own_calm_st.append(w_st)
                self._own_bar = None
                self._own_shape = None
            # Before the speaker is known (``own_score_min_turns``) the bar is min_score.
            bar[k] = (
                self._own_min_score() if (mature is None or mature[k]) and not held else c.min_score
            )
            w_lo = float(lo[k]) if lo is not None else math.nan
            w_st = float(st[k]) if st is not None else math.nan
            if self.trace_own is not None:
                self.trace_own.append((g, float(bar[k]), *self._own_calm_shape(), w_lo, w_st))
            known = not c.noisy_line_known_speaker or mature is None or bool(mature[k])
            if cap is not None and known:
                # A line whose noise nears the calm voice (``noisy_line_min_score``).
                bar[k] = min(bar[k], float(cap[k]))
            if (
                bar[k] < c.min_score
                and c.own_score_floor_calm_quantile > 0
                and not self._raised_shape(w_lo, w_st, *self._own_calm_shape())
            ):
                # Under min_score only for a window not shaped like the speaker's calm ones.
                bar[k] = c.min_score
            if cap is not None and known and c.noisy_line_shape_free:
                bar[k] = min(bar[k], float(cap[k]))  # the noisy line's cap, shape or not
            if not enough[k]:
                continue
            active[k] = bool(score[k] >= bar[k] or voted[k])
            if active[k]:
                pend.clear()
            else:
                p = min(max(float(score[k]), 1e-9), 1.0 - 1e-9)  # np.clip of one float64
                pend.append((g, math.log(p / (1.0 - p)), w_lo, w_st))
        return active, bar

    def _own_step_held(self, start: int, baseline: BaselineSnapshot) -> bool:
        """Whether the baseline's speech level stands ``own_score_step_hold_db`` or more under
        its highest reading of the last ``own_score_step_hold_memory_s`` (a line turned down:
        its return would read calm speech as raised), read from the time the baseline has
        heard ``own_score_step_hold_min_voiced_s`` of the speaker's voice or settled (before
        it, the level moves from its prior). Read once per step; off: False."""
        c = self.c
        if c.own_score_step_hold_db <= 0:
            return False
        if not (baseline.settled or baseline.own_s >= c.own_score_step_hold_min_voiced_s):
            # A young baseline moves from its prior towards the voice: no line step to read.
            self._own_level_max.clear()
            return False
        level = baseline.speech_level_dbfs
        q = self._own_level_max
        while q and q[-1][1] <= level:
            q.pop()
        q.append((start, level))
        horizon = start - round(c.own_score_step_hold_memory_s / self.hop_s)
        while q[0][0] < horizon:
            q.popleft()
        return bool(q[0][1] - level >= c.own_score_step_hold_db)

    def _own_calm_shape(self) -> tuple[float, float]:
        """The ``own_score_floor_calm_quantile`` of the speaker's own calm windows' loudness
        (dB) and pitch (st) over the baseline (NaN: none to read)."""
        if self._own_shape is None:
            q = self.c.own_score_floor_calm_quantile or 0.9
            # NaN (a window with no voiced frame) is left out, as no value.
            self._own_shape = (self._own_calm_lo.quantile(q), self._own_calm_st.quantile(q))
        return self._own_shape

    def _raised_shape(self, w_lo: float, w_st: float, q_lo: float, q_st: float) -> bool:
        """Whether a window stands out of the speaker's calm shape
        (``own_score_floor_min_db`` over their calm windows' loudness quantile, and
        ``own_score_floor_min_st`` over their pitch quantile; either one with
        ``own_score_floor_either``). A rule set to 0 is not asked; a value that cannot be
        read (NaN: no calm windows, or no voiced frame in the window) fails."""
        c = self.c
        checks = []
        if c.own_score_floor_min_db > 0:
            checks.append(bool(w_lo - q_lo >= c.own_score_floor_min_db))
        if c.own_score_floor_min_st > 0:
            checks.append(bool(w_st - q_st >= c.own_score_floor_min_st))
        if not checks:
            return True
        return any(checks) if c.own_score_floor_either else all(checks)

    def _own_min_score(self) -> float:
        """The score bar from the speaker's own calm windows (``min_score`` until they span
        ``own_score_min_s``)."""
        c = self.c
        if self._own_bar is None:
            n = len(self._own_calm)
            if n * self.stride * self.hop_s < c.own_score_min_s:
                self._own_bar = c.min_score
            else:
                z = self._own_calm.quantile(c.own_score_quantile, of_all=True)
                z += c.own_score_margin_logit
                lo, hi = (
                    math.log(x / (1.0 - x)) for x in (c.own_score_min_score, c.own_score_max_score)
                )
                self._own_bar = float(1.0 / (1.0 + math.exp(-min(max(z, lo), hi))))
        return self._own_bar

    def _own_score_thresholds(self) -> dict[str, float]:
        c = self.c
        out = {
            "own_score_quantile": c.own_score_quantile,
            "own_score_margin_logit": c.own_score_margin_logit,
            "own_score_min_score": c.own_score_min_score,
            "own_score_max_score": c.own_score_max_score,
            "own_score_min_s": c.own_score_min_s,
            "own_score_confirm_s": c.own_score_confirm_s,
        }
        if c.own_score_floor_calm_quantile > 0:
            out.update(
                {
                    "own_score_floor_calm_quantile": c.own_score_floor_calm_quantile,
                    "own_score_floor_min_db": c.own_score_floor_min_db,
                    "own_score_floor_min_st": c.own_score_floor_min_st,
                    "own_score_floor_either": float(c.own_score_floor_either),
                }
            )
        if c.own_score_min_turns > 0:
            out.update(
                {
                    "own_score_min_turns": float(c.own_score_min_turns),
                    "own_score_turn_min_speech_s": c.own_score_turn_min_speech_s,
                    "own_score_turn_gap_s": c.own_score_turn_gap_s,
                    "own_score_turn_max_db_under": c.own_score_turn_max_db_under,
                }
            )
        if c.own_score_step_hold_db > 0:
            out["own_score_step_hold_db"] = c.own_score_step_hold_db
            out["own_score_step_hold_memory_s"] = c.own_score_step_hold_memory_s
        return out

    def _add_turns(self, start: int, speech: np.ndarray, power: np.ndarray) -> None:
        """Follow the speaker's turns through one block (``own_score_min_turns``): speech
        joined across pauses shorter than ``own_score_turn_gap_s``; a turn ends (and is kept,
        with the frame its end became known and its energy-mean level, when it holds
        ``own_score_turn_min_speech_s`` of speech) once such a pause has passed."""
        n = speech.size
        edges = np.flatnonzero(np.diff(np.concatenate(([0], speech.astype(np.int8), [0]))))
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            t = self._turn
            if t is not None and start + a - (t[1] + 1) >= self._turn_gap:
                self._end_turn()
                t = None
            if t is None:
                self._turn = [start + a, start + b - 1, b - a, float(power[a:b].sum())]
            else:
                t[1] = start + b - 1
                t[2] += b - a
                t[3] += float(power[a:b].sum())
        t = self._turn
        if t is not None and start + n - (t[1] + 1) >= self._turn_gap:
            self._end_turn()

    def _end_turn(self) -> None:
        t = self._turn
        assert t is not None
        self._turn = None
        if t[2] >= self._turn_min:
            level = 10.0 * math.log10(max(t[3] / t[2], 1e-12))
            self._turns.append((int(t[1]) + 1 + self._turn_gap, level))

    def _mature_at(self, frames: np.ndarray, baseline: BaselineSnapshot) -> np.ndarray | None:
        """Per evaluation frame, whether the speaker's own bar applies: their ended turns
        near their own level number ``own_score_min_turns`` (a saved profile always counts);
        None when the rule is off. Keeps each evaluation's count and the latest verdict."""
        c = self.c
        if c.own_score_min_turns <= 0:
            return None
        if baseline.from_profile:
            self._mature = True
            self._turn_counts = np.full(frames.size, len(self._turns), np.int64)
            return np.ones(frames.size, bool)
        floor = baseline.speech_level_dbfs - c.own_score_turn_max_db_under
        ends = np.array([e for e, lv in self._turns if lv >= floor], dtype=np.int64)
        counts = np.searchsorted(np.sort(ends), frames, side="right")
        self._turn_counts = counts
        if counts.size:
            self._mature = bool(counts[-1] >= c.own_score_min_turns)
        return counts >= c.own_score_min_turns

    def _top_level_db(
        self, lvl: np.ndarray, evals: np.ndarray, baseline: BaselineSnapshot
    ) -> np.ndarray:
        """Each evaluation's window level at ``level_top_percentile`` of its speech frames'
        voice levels, less the baseline's speech level at the same percentile (dB); NaN where
        the baseline has no speech of the speaker's own yet or the window holds less than
        ``level_top_min_speech_s`` of speech. ``lvl``: the voice levels (NaN off speech) of
        the ``width - 1`` frames before the block and of the block."""
        out = np.full(evals.size, np.nan)
        q = baseline.speech_quantiles_over_level_db
        if q is None:
            return out
        ref = baseline.speech_level_dbfs + float(np.interp(self._top_q, SPEECH_LEVEL_QUANTILES, q))
        for k, i in enumerate(evals.tolist()):
            w = lvl[i : i + self.width]  # the block's frame i is lvl[i + width - 1]
            w = w[~np.isnan(w)]
            if w.size >= self.c.level_top_min_speech_s / self.hop_s:
                out[k] = float(np.percentile(w, 100.0 * self._top_q)) - ref
        return out

    def _level_floor(self, baseline: BaselineSnapshot) -> float | None:
        """The level (dBFS, as heard) under which a speech frame is left out of the window's
        loudness (``AgentToneConfig.window_level_range_db``); None: every speech frame counts."""
        top = baseline.speech_top_heard_dbfs
        if self.c.window_level_range_db <= 0 or top is None:
            return None
        return top - self.c.window_level_range_db

    def _judge_share(
        self, baseline: BaselineSnapshot, noise_dbfs: np.ndarray | float
    ) -> np.ndarray:
        """The share of the talk the line lets through at each evaluation (its noise estimate
        ``noise_dbfs``), by which the speech requirements of a judgement are scaled: 1 with
        ``AgentToneConfig.noise_scaled_judging_snr_db`` off or the calm voice that far over the
        noise, else the voice's SNR over it, at least ``noise_scaled_judging_min_share``."""
        c = self.c
        noise = np.atleast_1d(np.asarray(noise_dbfs, np.float64))
        if c.noise_scaled_judging_snr_db <= 0:
            return np.ones(noise.shape)
        snr = baseline.speech_level_dbfs - noise
        return np.clip(snr / c.noise_scaled_judging_snr_db, c.noise_scaled_judging_min_share, 1.0)

    def _judge_share_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "noise_scaled_judging_snr_db": c.noise_scaled_judging_snr_db,
            "noise_scaled_judging_min_share": c.noise_scaled_judging_min_share,
            "sparse_min_speech_s": c.sparse_min_speech_s,
        }

    def _noisy_line_cap(
        self, baseline: BaselineSnapshot, noise_dbfs: np.ndarray | float
    ) -> np.ndarray:
        """The most the score's bar may be at each evaluation (the line's noise estimate
        ``noise_dbfs`` there): ``AgentToneConfig.noisy_line_min_score`` where the voice's SNR
        (the baseline's speech level less the noise) is at most
        ``noisy_line_max_voice_snr_db``, the noise estimated and the speech level resting on
        ``min_baseline_speech_s`` of the speaker's own speech; else 1 (no cap; off: 1)."""
        c = self.c
        noise = np.atleast_1d(np.asarray(noise_dbfs, np.float64))
        cap = np.ones(noise.shape)
        own = baseline.own_speech_s
        if c.noisy_line_min_score <= 0 or own is None or own < c.min_baseline_speech_s:
            return cap
        snr = baseline.speech_level_dbfs - noise
        noisy = (noise > NO_NOISE_DBFS) & (snr <= c.noisy_line_max_voice_snr_db)
        return np.where(noisy, c.noisy_line_min_score, cap)

    def _noisy_line_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "noisy_line_min_score": c.noisy_line_min_score,
            "noisy_line_max_voice_snr_db": c.noisy_line_max_voice_snr_db,
        }

    def _level_baseline(self, baseline: BaselineSnapshot) -> bool:
        """Whether windows are judged on their level alone because the baseline holds
        ``min_baseline_speech_s`` of the speaker's speech but under ``min_baseline_voiced_s``
        voiced (at least ``min_baseline_speech_voiced_s``): see ``AgentToneConfig``."""
        c = self.c
        own_speech_s = baseline.own_speech_s
        return bool(
            c.min_baseline_speech_s > 0
            and baseline.voiced_s < c.min_baseline_voiced_s
            and own_speech_s is not None
            and own_speech_s >= c.min_baseline_speech_s
            and baseline.voiced_s >= c.min_baseline_speech_voiced_s
        )

    def _level_baseline_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "min_baseline_voiced_s": c.min_baseline_voiced_s,
            "min_baseline_speech_s": c.min_baseline_speech_s,
            "min_baseline_speech_voiced_s": c.min_baseline_speech_voiced_s,
            "level_baseline_min_db": c.level_baseline_min_db,
            "level_baseline_min_pitch_st": c.level_baseline_min_pitch_st,
        }

    def _young_baseline(self, baseline: BaselineSnapshot) -> bool:
        """Whether windows are judged against a young baseline: ``young_baseline_min_db`` on,
        no saved profile, the baseline under ``min_baseline_voiced_s`` voiced and not judged on
        level by :meth:`_level_baseline`, with ``young_baseline_min_speech_s`` of the speaker's
        own speech: see ``AgentToneConfig``."""
        c = self.c
        own_speech_s = baseline.own_speech_s
        return bool(
            c.young_baseline_min_db > 0
            and not baseline.from_profile
            and baseline.voiced_s < c.min_baseline_voiced_s
            and own_speech_s is not None
            and own_speech_s >= c.young_baseline_min_speech_s
            and not self._level_baseline(baseline)
        )

    def _pace_baseline_ok(self, baseline: BaselineSnapshot) -> bool:
        """Whether pace may be voted against ``baseline``: it has heard
        ``vote_pace_min_baseline_speech_s`` of the speaker's own speech (a saved profile always
        has; see ``AgentToneConfig``)."""
        need_s = self.c.vote_pace_min_baseline_speech_s
        if need_s <= 0 or baseline.from_profile:
            return True
        own_speech_s = baseline.own_speech_s
        return own_speech_s is None or own_speech_s >= need_s

    def _young_baseline_thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "min_baseline_voiced_s": c.min_baseline_voiced_s,
            "min_baseline_speech_s": c.min_baseline_speech_s,
            "young_baseline_min_speech_s": c.young_baseline_min_speech_s,
            "young_baseline_min_db": c.young_baseline_min_db,
            "level_baseline_min_pitch_st": c.level_baseline_min_pitch_st,
            "sparse_min_voiced_s": c.sparse_min_voiced_s,
        }

    def _sparse_voted(self, j: _Judgement, sparse: np.ndarray) -> np.ndarray:
        """Sparse windows (or runs) whose level stands ``sparse_vote_min_db`` and whose voiced
        frames' pitch stands ``pitch_st_over_baseline`` (times the spread scale) over the
        baseline's (``AgentToneConfig.sparse_vote_min_db``; read before the voiced signals are
        set to 0)."""
        c = self.c
        if c.sparse_vote_min_db <= 0:
            return np.zeros(sparse.shape, bool)
        return (
            sparse
            & _at_least(j.values[0], c.sparse_vote_min_db)
            & _at_least(j.values[1], c.pitch_st_over_baseline * j.scale)
        )

    def _sparse_vote_thresholds(self, scale: float) -> dict[str, float]:
        c = self.c
        return {
            "sparse_vote_min_db": c.sparse_vote_min_db,
            "pitch_st_over_baseline": round(c.pitch_st_over_baseline * scale, 2),
            "sparse_min_speech_s": c.sparse_min_speech_s,
            "sparse_min_voiced_s": c.sparse_min_voiced_s,
        }

    def _clearly_raised(
        self,
        j: _Judgement,
        n_voiced: np.ndarray,
        min_voiced_s: float,
        min_db: float | None = None,
    ) -> np.ndarray:
        """Windows (or runs) with ``min_voiced_s`` voiced whose level stands ``min_db``
        (default ``level_baseline_min_db``) and pitch ``level_baseline_min_pitch_st`` over the
        baseline's (judged on their level alone against a baseline with little voiced speech,
        or a young one)."""
        c = self.c
        return (
            (n_voiced >= min_voiced_s / self.hop_s)
            & _at_least(j.values[0], c.level_baseline_min_db if min_db is None else min_db)
            & _at_least(j.values[1], c.level_baseline_min_pitch_st)
        )

    def _sparse(
        self,
        n_voiced: np.ndarray,
        n_speech: np.ndarray,
        min_voiced_s: float,
        share: np.ndarray | float = 1.0,
    ) -> np.ndarray:
        """Windows (or runs) with too little voiced speech for ``min_voiced_s`` but enough speech
        to be judged on their level alone (``AgentToneConfig.sparse_min_speech_s``, times
        ``share``: :meth:`_judge_share`)."""
        c = self.c
        return (
            (n_voiced < min_voiced_s / self.hop_s)
            & (n_voiced >= c.sparse_min_voiced_s / self.hop_s)
            & (n_speech >= c.sparse_min_speech_s * share / self.hop_s)
        )

    def _no_window_judged(
        self, sums: np.ndarray, baseline: BaselineSnapshot, share: np.ndarray
    ) -> bool:
        """Whether no evaluation window (``sums``: their :class:`_ToneSeries` sums; ``share``:
        :meth:`_judge_share` at each) holds the speech a judgement needs: too little voiced
        speech for ``min_voiced_s`` and not sparse (:meth:`_sparse`), the baseline not judged
        on level alone (:meth:`_level_baseline`). Then :meth:`push` finds every one inactive
        whatever its signals (``enough`` False), which :meth:`_calm_evals` gives without
        computing them (the agent silent or listening: a third to a half of the evaluations).
        Not with a ``trace`` (it records the signals)."""
        c = self.c
        if (
            self.trace is not None
            or self._level_baseline(baseline)
            or self._young_baseline(baseline)
        ):
            return False
        n_v = sums[0]
        judged = (n_v >= c.min_voiced_s / self.hop_s) | self._sparse(
            n_v, sums[4], c.min_voiced_s, share
        )
        return not judged.any()

    def _calm_evals(
        self,
        start: int,
        evals: np.ndarray,
        noise_e: np.ndarray,
        baseline: BaselineSnapshot,
        time_of: TimeFn,
        n: int,
    ) -> DetectorStep:
        """The rest of :meth:`push` for a block whose evaluations are all inactive
        (:meth:`_no_window_judged`): what its loop and flags give with ``active`` all False."""
        out: list[Event] = []
        for k, i in enumerate(evals.tolist()):
            self._noise_dbfs = float(noise_e[k])  # on the evaluation grid: chunking-free
            if self._open is not None and start + i - self._open.last_active >= self._end_after:
                out.append(self._close(self._open, baseline, time_of))
        if self._open is not None and self._open.changed:
            self._open.changed = False
            out.append(self._open.event(self.speaker))
        flagged = np.zeros(n, dtype=bool)
        flagged[: int(evals[0])] = self._last_eval_active  # before the first evaluation
        self._last_eval_active = False
        self._prune(start + n)
        return DetectorStep(out, flagged)

    # ------------------------------------------------------------ speech runs (event spans)

    def _add_runs(
        self, start: int, speech: np.ndarray, voiced: np.ndarray, series: np.ndarray
    ) -> None:
        """Extend the agent's speech runs with one block of frames (vectorised per run)."""
        n = speech.size
        if n == 0:
            return
        if not speech.any():
            self._run_open = False
            return
        sp = speech.astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], sp, [0]))))
        starts, ends = edges[::2], edges[1::2]  # [a, b) runs of speech inside the block
        if not (starts.size and starts[0] == 0):
            self._run_open = False
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            seg = series[:, a:b].sum(axis=1)
            vi = np.flatnonzero(voiced[a:b])
            fv = start + a + int(vi[0]) if vi.size else None
            lv = start + a + int(vi[-1]) if vi.size else None
            if a == 0 and self._run_open and self._runs:
                r = self._runs[-1]
                r.last = start + b - 1
                r.sums = r.sums + seg
                if fv is not None:
                    r.first_voiced = r.first_voiced if r.first_voiced is not None else fv
                    r.last_voiced = lv
            else:
                self._runs.append(_Run(start + a, start + b - 1, seg, fv, lv))
            self._run_open = b == n

    def _touch(self, g: int) -> None:
        """Mark the runs with voiced frames inside the window ending at ``g``."""
        lo = g - self.width + 1
        touched = []
        for r in reversed(self._runs):
            if r.last_voiced is None:
                continue
            if r.last_voiced < lo:
                break
            if r.first_voiced is not None and r.first_voiced <= g:
                r.touched = True
                touched.append(r)
        if len(touched) == 1:
            touched[0].alone_active = True

    def _first_voiced_since(self, g0: int) -> int | None:
        first = None
        for r in reversed(self._runs):
            if r.last_voiced is None or r.last_voiced < g0:
                if r.last < g0:
                    break
                continue
            fv = r.first_voiced if r.first_voiced is not None else r.start
            first = max(fv, g0) if fv < g0 else fv
        return first

    def _prune(self, now: int) -> None:
        if self._open is not None:
            return
        keep_from = now - self.width - 1
        while (
            self._runs
            and self._runs[0].last < keep_from
            and not (self._run_open and len(self._runs) == 1)
        ):
            self._runs.pop(0)
        for r in self._runs:
            r.touched = r.alone_active = False

    def _span(self, baseline: BaselineSnapshot, last_active: int) -> tuple[int, int] | None:
        """First and last voiced frame of the event's non-calm runs (None: no voiced run)."""
        # Never reach back into the previous event: spans of one speaker's events do not overlap.
        runs = [
            r
            for r in self._runs
            if r.touched
            and r.first_voiced is not None
            and r.last_voiced is not None
            and r.last_voiced > self._prev_end
        ]
        if not runs:
            return None
        sums = np.stack([r.sums for r in runs], axis=1)
        j = self._judge(sums, baseline, self._noise_dbfs)
        c = self.c
        # A run with sparse voicing is judged on its level, as a window is.
        sparse_voted = np.zeros(len(runs), bool)
        if self._level_baseline(baseline):
            # Against a baseline with little voiced speech: runs whose pitch rose, on level.
            sparse = judged = self._clearly_raised(j, j.n_voiced, c.run_min_voiced_s)
        elif self._young_baseline(baseline):
            # Against a young baseline: runs far louder and higher, on level.
            sparse = judged = self._clearly_raised(
                j, j.n_voiced, c.sparse_min_voiced_s, c.young_baseline_min_db
            )
        else:
            share = float(self._judge_share(baseline, self._noise_dbfs)[0])
            sparse = self._sparse(j.n_voiced, sums[4], c.run_min_voiced_s, share)
            judged = (j.n_voiced >= c.run_min_voiced_s / self.hop_s) | sparse
            sparse_voted = self._sparse_voted(j, sparse)
        st_voiced = np.where(j.n_voiced > 0, j.values[1], np.nan)
        if sparse.any():
            j = j.level_only(sparse, self)
        alone = np.array([r.alone_active for r in runs])
        bar: float | np.ndarray = (
            self._own_min_score() if c.own_score_quantile > 0 and self._mature else c.min_score
        )
        # A line whose noise nears the calm voice (``noisy_line_min_score``).
        cap = float(self._noisy_line_cap(baseline, self._noise_dbfs)[0])
        known_rule = c.own_score_quantile > 0 and c.own_score_min_turns > 0
        if c.noisy_line_known_speaker and known_rule and not self._mature:
            cap = 1.0  # not yet a known speaker (``noisy_line_known_speaker``)
        bar = min(bar, cap)
        if c.own_score_quantile > 0 and c.own_score_floor_calm_quantile > 0 and bar < c.min_score:
            # Runs as windows: under min_score only when not shaped like the calm windows.
            shape = self._own_calm_shape()
            bar = np.array(
                [
                    bar if self._raised_shape(float(lo), float(s), *shape) else c.min_score
                    for lo, s in zip(j.values[0], st_voiced, strict=True)
                ]
            )
            if c.noisy_line_shape_free:
                bar = np.minimum(bar, cap)  # the noisy line's cap, shape or not
        hot = (j.score >= bar) | j.voted | alone | sparse_voted
        judged |= alone
        calm = judged & ~hot
        keep = [k for k in range(len(runs)) if not calm[k]]
        if not keep:
            # Active only as a whole (no run alone is non-calm): keep the touched stretch.
            keep = list(range(len(runs)))
        else:
            # Leading and trailing calm runs go; undecided short ones at the ends go too
            # when a judged non-calm run exists.
            hot_k = [k for k in keep if judged[k]]
            if hot_k:
                keep = [k for k in keep if hot_k[0] <= k <= hot_k[-1]]
        first, last = runs[keep[0]], runs[keep[-1]]
        assert first.first_voiced is not None and last.last_voiced is not None
        begin = max(first.first_voiced, self._prev_end + 1)
        return begin, max(begin, min(last.last_voiced, max(last_active, begin)))

    def _close(self, op: _OpenTone, baseline: BaselineSnapshot, time_of: TimeFn) -> Event:
        # The start was fixed when the event was announced (its id); the close sets the end.
        span = self._span(baseline, op.last_active)
        if span is not None:
            end_s = max(time_of(span[1]), op.start_s)
            self._prev_end = span[1]
        else:
            end_s = max(time_of(op.last_active), op.start_s)
            self._prev_end = op.last_active
        op.evidence.update({f"peak_{k}": round(v, 2) for k, v in op.peak.items() if np.isfinite(v)})
        self._open = None
        for r in self._runs:
            r.touched = r.alone_active = False
        return op.event(self.speaker, end_s)

    def finish(
        self, end: int, time_of: TimeFn, baselines: Mapping[str, BaselineSnapshot]
    ) -> list[Event]:
        if self._open is None:
            return []
        b = baselines.get(self.speaker) or BaselineSnapshot(
            loudness_dbfs=-30.0,
            pitch_st=0.0,
            pitch_spread_st=2.0,
            syllable_rate_per_s=4.0,
            tilt_db=0.0,
            voiced_s=0.0,
            settled=False,
        )
        return [self._close(self._open, b, time_of)]


class _ToneSeries(NamedTuple):
    """The per-frame series the tone window sums (all zero on unvoiced frames but ``power``,
    ``speech`` and ``nucleus``)."""

    voiced: np.ndarray
    power: np.ndarray
    """Linear power of speech frames, voiced or not (for the window's equivalent level: see
    :attr:`BaselineSnapshot.speech_level_dbfs`)."""
    pitch_st: np.ndarray
    pitch_st_sq: np.ndarray
    speech: np.ndarray
    nucleus: np.ndarray
    tilt_db: np.ndarray
    hnr_db: np.ndarray
    level_speech: np.ndarray
    """The speech frames ``power`` counts: all of them, or with ``level_floor_dbfs`` those at
    or over it (``AgentToneConfig.window_level_range_db``)."""


def _tone_series(f: PartyFrames, level_floor_dbfs: float | None = None) -> np.ndarray:
    """The :class:`_ToneSeries` of one party's block, shape (9, n).

    A block without voiced frames (silence, the other party's turn: most live steps) has only
    its ``power``, ``speech``, ``nucleus`` and ``level_speech`` rows non-zero and skips the
    pitch work. ``level_floor_dbfs``: speech frames heard quieter are left out of the level
    (``power`` and ``level_speech``).
    """
    voiced = f.voiced
    level_speech = (
        f.speech if level_floor_dbfs is None else f.speech & (f.loudness_dbfs >= level_floor_dbfs)
    )
    if not voiced.any():
        series = np.zeros((len(_ToneSeries._fields), voiced.size))
        series[1] = _speech_power(f, level_speech)
        series[4] = f.speech
        series[5] = f.nucleus
        series[8] = level_speech
        return series
    voiced_st = np.where(voiced, f.pitch_st, 0.0)
    if not np.isfinite(voiced_st).all():  # as np.where(voiced, np.nan_to_num(pitch_st), 0.0)
        voiced_st = np.nan_to_num(voiced_st)
    return np.stack(
        _ToneSeries(
            voiced=voiced.astype(float),
            # Loudness as the energy mean of speech frames (equivalent level), like the
            # baseline's ``speech_leq_dbfs``: a few pressed, punched syllables raise it more
            # than a mean of dB, and speech frames are the same on every line where the
            # pitch tracker's voiced ones are not.
            power=_speech_power(f, level_speech),
            pitch_st=voiced_st,
            pitch_st_sq=voiced_st * voiced_st,
            speech=f.speech.astype(float),
            nucleus=f.nucleus.astype(float),
            tilt_db=np.where(voiced, f.tilt_db, 0.0),
            hnr_db=np.where(voiced, f.voice_hnr_db, 0.0),
            level_speech=level_speech.astype(float),
        )
    )


def _at_least(x: np.ndarray, threshold: float) -> np.ndarray:
    """``np.nan_to_num(x, nan=-np.inf) >= threshold`` (a NaN never is), without nan_to_num's
    copies: for float64 values and a threshold within +-1e308 a plain comparison gives the
    same (nan_to_num's stand-ins for the infinities, +-1.8e308, compare as they do)."""
    x = np.asarray(x)
    if x.dtype == np.float64 and -1e308 < threshold < 1e308:
        return x >= threshold
    return np.nan_to_num(x, nan=-np.inf) >= threshold


def _speech_power(f: PartyFrames, speech: np.ndarray) -> np.ndarray:
    return np.where(speech, 10.0 ** (f.voice_loudness_dbfs.astype(np.float64) / 10.0), 0.0)


def _r2(x: float) -> float | None:
    """``x`` rounded to 0.01 for an event's evidence (None: not read)."""
    return None if math.isnan(x) else round(x, 2)


@dataclass(frozen=True)
class _Judgement:
    """Per-window (or per-run) tone signals; arrays shape (6, k) or (k,)."""

    values: np.ndarray
    fired: np.ndarray
    score: np.ndarray
    voted: np.ndarray
    rate: np.ndarray
    n_voiced: np.ndarray
    scale: float

    def level_only(
        self, which: np.ndarray, det: AgentToneDetector, keep_fired: np.ndarray | None = None
    ) -> _Judgement:
        """The judgement with the voiced-frame signals of windows ``which`` set to 0 (scored
        on loudness and pace, never fired, never voted): see ``sparse_min_speech_s``.
        ``keep_fired``: windows whose pitch still fires (``sparse_vote_min_db``: the event
        names the signals that made it)."""
        values = self.values.copy()
        values[[1, 2, 4, 5]] = np.where(which, 0.0, values[[1, 2, 4, 5]])
        fired = self.fired.copy()
        fired[[1, 2, 4, 5]] &= ~which
        if keep_fired is not None:
            fired[1] |= self.fired[1] & keep_fired
        return _Judgement(
            values,
            fired,
            np.where(which, det.score(values), self.score),
            self.voted & ~which,
            self.rate,
            self.n_voiced,
            self.scale,
        )


class DeadAirDetector:
    """Neither party speaking for longer than ``min_silence_s`` (reported, never alerted)."""

    def __init__(self, config: DeadAirConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._min = max(1, round(config.min_silence_s / hop_s))
        self._silence_start: int | None = None
        self._open: Event | None = None
        self.dead_air_frames = 0

    def push(self, frames: CallFrames, baselines: Mapping[str, BaselineSnapshot]) -> DetectorStep:
        """Silence of every party in the block."""
        anyone = np.logical_or.reduce([f.speech for f in frames.parties.values()])
        return DetectorStep(self._push_silence(frames.start, anyone, frames.time_of))

    def _push_silence(self, start: int, anyone: np.ndarray, time_of: TimeFn) -> list[Event]:
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
        assert self._open is not None  # internal invariant, not input checking
        ev = self._open.closed_at(time_of(g))
        self.dead_air_frames += round((time_of(g) - ev.start_s) / self.hop_s)
        self._open = None
        return ev

    def finish(
        self, end: int, time_of: TimeFn, baselines: Mapping[str, BaselineSnapshot]
    ) -> list[Event]:
        return [self._close(end, time_of)] if self._open is not None else []


def _keep_max(d: dict[str, float], key: str, value: float) -> None:
    if np.isfinite(value) and (key not in d or value > d[key]):
        d[key] = value
