"""A line's gain that steps up mid-call: a level shift with no effort in it.

Contact-centre lines change level mid-call: a caller moves the handset nearer or takes it off a
speakerphone, a headset's boom is pushed to the mouth, a softphone's or the network's gain
control settles after a quiet stretch. The voice is the same, only louder. A baseline that
learnt the quieter level reads every frame after the step as loud, the detectors flag it, and
flagged frames are never learnt, so the baseline never catches up: on the calm LCA call with
the caller's line 12 dB quieter for its first minute, five yelling events and six false alerts
followed the step back to normal, to the end of the call (docs/benchmarks.md, issue 13,
session 13: "Level swings").

What tells a gain step from a raised voice is the pitch. Raising the voice raises F0 with it
(about 0.3-0.5 semitone per dB of vocal effort over the speaking range, and more when shouting;
Gramming et al. 1988, JASA 83(6); Traunmüller & Eriksson 2000, JASA 107(6)): a voice 6 dB
louder by effort stands 2-3 st higher, a shout far more. A line louder by its gain carries the
speaker's own pitch. So when the speaker's last ``gain_shift_voiced_s`` of voiced speech has its
median level ``gain_shift_min_db`` or more over their baseline's median voiced level while the
median pitch of its loud frames (those ``gain_shift_min_db`` or more over it) stands at most
``gain_shift_max_st`` over their baseline's, the line's gain rose by what the window's newer
half shows: the level statistics move up by it (:meth:`SpeakerBaseline.shift_level`), the pitch
statistics stay. Only upward steps: a quieter line is learnt as it is, frame by frame (quiet
frames are never flagged), and a neighbour's babble under the speaker cannot pull it down.
Only once the level rests on the speaker's own voice (or a profile): before that the cold-start
rules of :mod:`.baseline` and :mod:`.stream` judge the prior.

**Steps down** (``gain_shift_down_min_db``, off by default; session 14): a line turned down
for good is learnt frame by frame only slowly where the call is emotional (the quieter calm
voice falls out of the dominant range, raised speech keeps the median up), and a shout then
reads a few dB over the old level. The speaker's voiced frames at their own pitch are their calm
voice; when the last ``gain_shift_down_voiced_s`` of them stand ``gain_shift_down_min_db`` under
the baseline, the level statistics move down by their median. The line back up to the level it
had, at the own pitch, is then read on ``gain_shift_return_voiced_s`` (:meth:`_back`).

**Where a step began** (``gain_shift_onset_lookback_s``, session 17): a step is read once the
evidence window is full, often long after the line moved (an emotional speaker's raised
frames fail the pitch test: a +10 dB step read 38 s late). The frames heard since were learnt
at the new level, so they must not move with the step. The tracker keeps the speaker's voiced
frames of the last minute and walks back from the reading while each second stands on the new
side of halfway to the step (:meth:`_onset`); :meth:`SpeakerBaseline.shift_level` moves only
what was learnt before, to the median level heard since.

**The line back at a level it had** (``gain_return_db``, off; session 20): the baseline's
level is remembered over ``gain_return_memory_s``; while it stands ``gain_return_db`` under the
highest of it (a line turned down, read as a step or learnt frame by frame), the speaker's
own-pitch frames back near that level are the line's return, read on ``gain_return_voiced_s``
(:meth:`_returned`), whether or not the step down was read.

**Both lines down** (``gain_pair_down_voiced_s``, off): the other line's step down, read by its
own tracker, followed here when this speaker's own-pitch frames since its onset stand half
the step under the baseline (:meth:`pair_down`).

**Both lines up, followed from the other line** (``gain_pair_up_follow_share``, off; session
21): an emotional speaker's calm speech after a step up stands over their own pitch, so no
own-pitch frame reads it; the other line's tracker reading a step up, with this line's noise
floor risen too, or both lines' noise floors rising together, has the detectors read this line
against its level statistics as they stood at the onset plus the step (:class:`PairUpFollow`).

**Both lines down, followed from their noise floors** (``gain_noise_pair_down_share``, on since
session 22; H6): the mirror of the both-floors rule. Both lines' floors fallen together
(``gain_noise_pair_step_db`` or more, within ``gain_pending_pair_db``, each steady on both
sides) have the detectors read both lines against their level statistics as they stood before
the fall less the step (:meth:`PairUpFollow.noise_pair_down`, :meth:`PairUpFollow._lowered`),
until the line's own tracker reads a step, a floor comes back, or the follow ages out.

**One line up, followed from its own noise and voice** (``gain_self_up_noise_db``, off; session
21, H6): this line's noise floor risen alone, and its speaker's voice since the floor's onset
risen by about as much (:meth:`PairUpFollow.self_up`). Measured and left off: on an emotional
call the voice after any point stands over the voice before it by the emotion, so a room-noise
onset with anger after it agrees as well as a gain.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from calltone.models.tone.baseline import BaselineSnapshot, median_exact
from calltone.models.tone.config import BaselineConfig
from calltone.models.tone.frames import PartyFrames


@dataclass(frozen=True)
class GainShift:
    """A level step found on a speaker's line (what the baseline moved by, and why)."""

    at_s: float
    """Call time of the frame that completed the evidence."""
    shift_db: float
    """Median voiced level of the window over the baseline's median voiced level (dB)."""
    pitch_st_over_baseline: float
    """Median pitch of the window's loud frames (``gain_shift_min_db`` or more over the
    baseline's median level) over the baseline's median pitch (st)."""
    voiced_s: float
    """Voiced speech the window held (s)."""
    min_db: float
    """``BaselineConfig.gain_shift_min_db`` in force (``gain_shift_down_min_db`` for a step
    down, ``shift_db`` < 0)."""
    max_st: float
    """``BaselineConfig.gain_shift_max_st`` in force."""
    onset_index: int | None = None
    """Global index of the first frame heard at the new level, as estimated
    (``BaselineConfig.gain_shift_onset_lookback_s``; None: not estimated)."""
    level_dbfs: float | None = None
    """Median voice level of the speaker's voiced frames heard since ``onset_index`` (dBFS):
    the level the statistics from before the step move to (None: not estimated)."""
    returned_to_dbfs: float | None = None
    """For the line back at a level it had (``BaselineConfig.gain_return_db``): the highest
    baseline level of the memory the voice came back to (dBFS; None: another rule)."""
    tol_db: float | None = None
    """``BaselineConfig.gain_return_tol_db`` in force for such a return (None: another rule)."""
    step_db: float | None = None
    """For a step down read against the line's earlier level
    (``BaselineConfig.gain_down_anchor_db``): the own-pitch frames' median under the
    baseline's highest level of the memory (dB, < 0): the line's whole step, of which
    ``shift_db`` is what the baseline had not learnt yet (None: ``shift_db`` is the step)."""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "at_s": self.at_s,
            "shift_db": self.shift_db,
            "pitch_st_over_baseline": self.pitch_st_over_baseline,
        }
        if self.step_db is not None:
            out["step_db"] = self.step_db
        if self.returned_to_dbfs is not None:
            out["returned_to_dbfs"] = self.returned_to_dbfs
            out["thresholds"] = {
                "gain_return_db": self.min_db,
                "gain_return_tol_db": self.tol_db,
                "gain_shift_max_st": self.max_st,
                "gain_return_voiced_s": self.voiced_s,
            }
            return out
        out["thresholds"] = {
            ("gain_shift_min_db" if self.shift_db >= 0 else "gain_shift_down_min_db"): (
                self.min_db
            ),
            "gain_shift_max_st": self.max_st,
            "gain_shift_voiced_s": self.voiced_s,
        }
        return out


def shifted(snapshot: BaselineSnapshot, db: float) -> BaselineSnapshot:
    """``snapshot`` with its level statistics ``db`` higher (a provisional step,
    ``BaselineConfig.gain_pending_*``); pitch, tilt, HNR and pace as they were."""

    def up(v: float | None) -> float | None:
        return None if v is None else v + db

    return replace(
        snapshot,
        loudness_dbfs=snapshot.loudness_dbfs + db,
        loudness_leq_dbfs=up(snapshot.loudness_leq_dbfs),
        speech_leq_dbfs=up(snapshot.speech_leq_dbfs),
        speech_top_heard_dbfs=up(snapshot.speech_top_heard_dbfs),
    )


#: The stretch of call the onset of a step is walked back by (:meth:`GainShiftTracker._onset`):
#: one baseline tick.
ONSET_BLOCK_S = 1.0


class GainShiftTracker:
    """Watches one speaker's recent voiced frames for a level step with the pitch unchanged.

    Parameters
    ----------
    config : BaselineConfig
        ``gain_shift_min_db`` (0 turns it off), ``gain_shift_max_st``, ``gain_shift_voiced_s``.
    hop_s : float
        Frame hop (s).
    """

    def __init__(self, config: BaselineConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._n = max(1, round(config.gain_shift_voiced_s / hop_s))
        self._level = np.zeros(self._n, dtype=np.float64)
        self._pitch = np.zeros(self._n, dtype=np.float64)
        self._filled = 0
        self._pos = 0
        # A step down not yet stepped back up (dB, > 0), and the return's shorter window.
        self._owed_db = 0.0
        self._m = max(1, min(self._n, round(config.gain_shift_return_voiced_s / hop_s)))
        # The last voiced frames at the speaker's own pitch (``_down``): level and pitch.
        n_own = max(1, round(config.gain_shift_down_voiced_s / hop_s))
        self._own_lv = np.zeros(n_own, dtype=np.float64)
        self._own_st = np.zeros(n_own, dtype=np.float64)
        self._own_filled = 0
        # Effortless frames (``gain_pending_*``): their levels (dBFS) and call times.
        self._ef_lv = np.zeros(0, dtype=np.float64)
        self._ef_t = np.zeros(0, dtype=np.float64)
        self._n_ef = max(1, round(config.gain_pending_voiced_s / hop_s))
        # Their median level once ``_n_ef`` are kept (computed when they change, not at every
        # step's reading: np.median was ~8 % of a 100 ms live step).
        self._ef_median: float | None = None
        # ``gain_shift_onset_lookback_s``: the global index of each frame in the windows
        # (``_level``, ``_own_lv``), and every voiced frame of the last that much of the call
        # (index, level) since the last step read, to find where a step began (:meth:`_onset`).
        self._onset_on = (
            config.gain_shift_onset_lookback_s > 0 or config.gain_pair_down_voiced_s > 0
        )
        self._idx = np.zeros(self._n, dtype=np.int64)
        self._own_idx = np.zeros(n_own, dtype=np.int64)
        self._h_idx = np.zeros(0, dtype=np.int64)
        self._h_lv = np.zeros(0, dtype=np.float64)
        self._h_st = np.zeros(0, dtype=np.float64)
        self._h_frames = max(
            1, round(max(config.gain_shift_onset_lookback_s, config.gain_pending_max_age_s) / hop_s)
        )
        self._block = max(1, round(ONSET_BLOCK_S / hop_s))
        # ``gain_return_db``: the baseline's level over the last ``gain_return_memory_s`` as a
        # sliding maximum (call time, dBFS; decreasing levels), and the speaker's last
        # ``gain_return_voiced_s`` of voiced frames at their own pitch (level, global index).
        self._lv_max: deque[tuple[float, float]] = deque()
        # ... fed by the baseline's sliding minimum over ``gain_return_hold_s`` (call time,
        # dBFS; increasing levels), from the call time the watch began.
        self._lv_min: deque[tuple[float, float]] = deque()
        self._lv_from: float | None = None
        # ``gain_own_ref_voiced_s``: the own-pitch frames' level over the baseline's median,
        # heard while the baseline stood near its remembered level (dB), and their median.
        self._n_ref = max(1, round(config.gain_own_ref_voiced_s / hop_s))
        self._ref = np.zeros(0, dtype=np.float64)
        self._ref_median: float | None = None
        n_ret = max(1, round(config.gain_return_voiced_s / hop_s))
        self._ret_lv = np.zeros(0, dtype=np.float64)
        self._ret_idx = np.zeros(0, dtype=np.int64)
        self._ret_st = np.zeros(0, dtype=np.float64)
        self._n_ret = n_ret

    @property
    def enabled(self) -> bool:
        return self.c.gain_shift_min_db > 0

    def _down(
        self, snapshot: BaselineSnapshot, at_s: float, top: float | None = None
    ) -> GainShift | None:
        """A lasting step down (``gain_shift_down_min_db``): the speaker's last
        ``gain_shift_down_voiced_s`` of voiced frames at their own pitch (within
        ``gain_shift_max_st`` of the baseline's) has its median level that far or more under the
        baseline's median voiced level. The frames at the speaker's own pitch are their calm
        voice: raised speech stands higher (an emotional call's angry and fearful sentences
        fill a plain window, and keep its median up after a step down), a voice softened by
        effort falls in pitch with its level, a line turned down keeps it. The shift is that
        median under the baseline's.

        ``top``: the baseline's highest level of the last ``gain_return_memory_s``; with
        ``gain_down_anchor_db`` the step is also read when the median stands
        ``gain_shift_down_min_db`` under it and ``gain_down_anchor_db`` under the baseline
        (a baseline that learnt part of the step meanwhile)."""
        c = self.c
        if c.gain_shift_down_min_db <= 0 or self._own_filled < self._own_lv.size:
            return None
        # The own-pitch frames' level as the baseline's median would read it
        # (``gain_own_ref_voiced_s``; 0 without it).
        med = float(np.median(self._own_lv)) - self._own_bias()
        shift_db = med - snapshot.loudness_dbfs
        step_db: float | None = None
        if shift_db > -c.gain_shift_down_min_db:
            if (
                top is None
                or c.gain_down_anchor_db <= 0
                or med - top > -c.gain_shift_down_min_db
                or shift_db > -c.gain_down_anchor_db
            ):
                return None
            step_db = med - top
        if self._onset_on:
            # Where the step began: halfway between the level the line had and the new one.
            ref = (
                snapshot if step_db is None or top is None else replace(snapshot, loudness_dbfs=top)
            )
            onset, level = self._onset(
                shift_db if step_db is None else step_db, ref, int(self._own_idx.min())
            )
        else:
            onset, level = None, None
        self._start_afresh()
        self._owed_db -= shift_db
        return GainShift(
            at_s=round(at_s, 3),
            shift_db=round(shift_db, 2),
            pitch_st_over_baseline=round(float(np.median(self._own_st)) - snapshot.pitch_st, 2),
            voiced_s=round(self._own_lv.size * self.hop_s, 2),
            min_db=c.gain_shift_down_min_db,
            max_st=c.gain_shift_max_st,
            onset_index=onset,
            level_dbfs=level,
            step_db=None if step_db is None else round(step_db, 2),
        )

    def _back(self, snapshot: BaselineSnapshot, at_s: float) -> GainShift | None:
        """The line back up after a step down (``gain_shift_return_voiced_s``): the last that
        much voiced speech has half its frames ``gain_shift_min_db`` or more over the baseline,
        those loud frames' median pitch at most ``gain_shift_max_st`` over the baseline's, and
        their median level within half ``gain_shift_min_db`` of the step down still owed: the
        level the speaker's own voice had before, at their own pitch. A shorter window than a
        new step's, since the level is one the voice already had (else every frame after the
        step back reads that much loud until ``gain_shift_voiced_s`` is heard)."""
        c = self.c
        idx = (self._pos - self._m + np.arange(self._m)) % self._n
        lv, st = self._level[idx], self._pitch[idx]
        thr = snapshot.loudness_dbfs + c.gain_shift_min_db
        loud = lv >= thr
        if 2 * int(np.count_nonzero(loud)) < self._m:
            return None
        over_st = float(np.median(st[loud])) - snapshot.pitch_st
        shift_db = float(np.median(lv[loud])) - snapshot.loudness_dbfs
        if over_st > c.gain_shift_max_st:
            return None
        if abs(shift_db - self._owed_db) > c.gain_shift_min_db / 2.0:
            return None
        onset = (
            self._onset(shift_db, snapshot, int(self._idx[idx].min())) if self._onset_on else None
        )
        return self._up(shift_db, over_st, self._m, at_s, onset)

    def _clear_return_window(self) -> None:
        """Forget the own-pitch frames the return rule (``gain_return_db``) reads."""
        self._ret_lv = self._ret_lv[:0]
        self._ret_idx = self._ret_idx[:0]
        self._ret_st = self._ret_st[:0]

    def _own_bias(self) -> float:
        """How far the speaker's voiced frames at their own pitch stand over the baseline's
        median voiced level when the line is as it was (``gain_own_ref_voiced_s``; dB, mostly
        negative: within an utterance the louder syllables are the higher ones, so the frames
        near the median pitch are quieter than the median frame; the LCA agent's 1-3 dB).
        The median of the last that much of them heard while the baseline stood within
        ``gain_return_db`` of its remembered level; 0 until a fifth of it is heard, or off."""
        if self.c.gain_own_ref_voiced_s <= 0 or 5 * self._ref.size < self._n_ref:
            return 0.0
        if self._ref_median is None:
            self._ref_median = float(np.median(self._ref))
        return self._ref_median

    def _remember_level(self, snapshot: BaselineSnapshot, at_s: float) -> float | None:
        """Keep the level the baseline has held (its lowest median voiced level of the last
        ``gain_return_hold_s``) over the last ``gain_return_memory_s``; returns the highest of
        the memory (None until the baseline has been watched ``gain_return_hold_s``). A level
        the baseline passed through (a cold start's overshoot, a step read high and learnt
        back) is not one the line had."""
        c = self.c
        m = self._lv_min
        while m and m[-1][1] >= snapshot.loudness_dbfs:
            m.pop()
        m.append((at_s, snapshot.loudness_dbfs))
        while m[0][0] < at_s - c.gain_return_hold_s:
            m.popleft()
        if self._lv_from is None:
            self._lv_from = at_s
        if at_s - self._lv_from < c.gain_return_hold_s:
            return None
        level = m[0][1]
        q = self._lv_max
        while q and q[-1][1] <= level:
            q.pop()
        q.append((at_s, level))
        while q[0][0] < at_s - self.c.gain_return_memory_s:
            q.popleft()
        return q[0][1]

    def _returned(
        self, snapshot: BaselineSnapshot, top_dbfs: float, at_s: float
    ) -> GainShift | None:
        """The line back at a level it had (``gain_return_db``): the baseline stands that far
        or more under ``top_dbfs`` (its highest level of the last ``gain_return_memory_s``)
        and the speaker's last ``gain_return_voiced_s`` of voiced frames at their own pitch
        have their median level within ``gain_return_tol_db`` of ``top_dbfs`` and on its side
        of halfway from the baseline. The frames at the own pitch are the voice's calm
        register: a voice raised by effort stands higher in pitch and is not in them, so a
        speaker who only gets louder is not read as the line coming back. The shift is that
        median over the baseline."""
        c = self.c
        gap = top_dbfs - snapshot.loudness_dbfs
        if gap < c.gain_return_db or self._ret_lv.size < self._n_ret:
            return None
        med = float(np.median(self._ret_lv)) - self._own_bias()
        if abs(med - top_dbfs) > c.gain_return_tol_db or med < snapshot.loudness_dbfs + gap / 2:
            return None
        shift_db = med - snapshot.loudness_dbfs
        onset = (
            self._onset(shift_db, snapshot, int(self._ret_idx.min())) if self._onset_on else None
        )
        over_st = float(np.median(self._ret_st)) - snapshot.pitch_st
        shift = self._up(shift_db, over_st, self._n_ret, at_s, onset)
        return replace(
            shift,
            min_db=c.gain_return_db,
            returned_to_dbfs=round(top_dbfs, 2),
            tol_db=c.gain_return_tol_db,
        )

    def pending_db(self, snapshot: BaselineSnapshot, now_s: float) -> float | None:
        """The step the speaker's low register shows (``gain_pending_*``): the median level
        over the baseline of their last ``gain_pending_voiced_s`` of voiced frames
        ``gain_pending_under_st`` or more under the baseline's pitch, when that many were heard
        in the last ``gain_pending_max_age_s``; None otherwise (or off)."""
        c = self.c
        if c.gain_pending_voiced_s <= 0 or self._ef_median is None:
            return None
        if now_s - self._ef_t[-self._n_ef] > c.gain_pending_max_age_s:
            return None
        return self._ef_median - snapshot.loudness_dbfs

    def _effortless(
        self, lv: np.ndarray, st: np.ndarray, snapshot: BaselineSnapshot, t: float
    ) -> None:
        """Keep the voiced frames ``gain_pending_under_st`` or more under the baseline's
        pitch, whatever their level (``gain_pending_*``): the speaker's low register, never
        raised by effort."""
        ef = st <= snapshot.pitch_st - self.c.gain_pending_under_st
        if ef.any():
            self._ef_lv = np.concatenate((self._ef_lv, lv[ef]))[-self._n_ef :]
            self._ef_t = np.concatenate((self._ef_t, np.full(int(ef.sum()), t)))[-self._n_ef :]
            if self._ef_lv.size >= self._n_ef:
                self._ef_median = median_exact(self._ef_lv)

    def _onset(
        self, shift_db: float, snapshot: BaselineSnapshot, evidence_from: int
    ) -> tuple[int, float | None]:
        """Where a step of ``shift_db`` read now began (global frame index;
        ``gain_shift_onset_lookback_s``): from the last frame heard, walked back one
        ``ONSET_BLOCK_S`` of call at a time while each block's voiced frames have their median
        level on the new side of halfway between the baseline and the step (blocks with no
        voiced frame pass), never before the last step read nor the history kept; the
        evidence window's first frame (``evidence_from``) if the last block is not. With it,
        the median level of the voiced frames heard since (None if none are kept)."""
        mid = snapshot.loudness_dbfs + shift_db / 2.0
        h_idx, h_lv = self._h_idx, self._h_lv
        onset = evidence_from
        if not h_idx.size:
            return onset, None
        end = int(h_idx[-1]) + 1
        first = int(h_idx[0])
        while end > first:
            a = int(np.searchsorted(h_idx, end - self._block))
            b = int(np.searchsorted(h_idx, end))
            if b > a:
                med = float(np.median(h_lv[a:b]))
                if (med < mid) if shift_db > 0 else (med > mid):
                    break
                onset = int(h_idx[a])
            end -= self._block
        # The level since: every voiced frame heard since (a neighbour's babble in the line
        # counts too; keeping only the new side of halfway, or reading what the baseline
        # learnt since, lost two angry-strong clips of the "both +10 dB" recall row:
        # docs/benchmarks.md, session 17, H1).
        since = h_lv[int(np.searchsorted(h_idx, onset)) :]
        return onset, (float(np.median(since)) if since.size else None)

    def _up(
        self,
        shift_db: float,
        over_st: float,
        frames: int,
        at_s: float,
        onset: tuple[int, float | None] | None = None,
    ) -> GainShift:
        """A step up read on ``frames`` voiced frames: the windows start afresh, the step down
        still owed shrinks by it."""
        self._start_afresh()
        self._owed_db = max(0.0, self._owed_db - shift_db)
        return GainShift(
            at_s=round(at_s, 3),
            shift_db=round(shift_db, 2),
            pitch_st_over_baseline=round(over_st, 2),
            voiced_s=round(frames * self.hop_s, 2),
            min_db=self.c.gain_shift_min_db,
            max_st=self.c.gain_shift_max_st,
            onset_index=None if onset is None else onset[0],
            level_dbfs=None if onset is None else onset[1],
        )

    def push(
        self, frames: PartyFrames, snapshot: BaselineSnapshot, *, own_level: bool, at_s: float
    ) -> GainShift | None:
        """Take one tick of the speaker's frames; a :class:`GainShift` when the window shows
        one (the window then starts afresh), else None.

        ``own_level``: whether the baseline's level rests on the speaker's own voice (or a
        profile); before that nothing is judged and nothing is kept.
        """
        if not self.enabled:
            return None
        if not own_level:
            self._filled = 0
            self._own_filled = 0
            self._lv_max.clear()
            self._lv_min.clear()
            self._lv_from = None
            self._clear_return_window()
            return None
        top = self._remember_level(snapshot, at_s) if self.c.gain_return_db > 0 else None
        keep = frames.voiced & frames.speech & np.isfinite(frames.pitch_st)
        if not keep.any():
            return None
        lv = np.asarray(frames.voice_loudness_dbfs[keep], np.float64)[-self._n :]
        st = np.asarray(frames.pitch_st[keep], np.float64)[-self._n :]
        if self._onset_on:
            gi_all = frames.start + np.flatnonzero(keep)
            self._remember(
                gi_all,
                np.asarray(frames.voice_loudness_dbfs[keep], np.float64),
                np.asarray(frames.pitch_st[keep], np.float64),
            )
            gi = gi_all[-self._n :]
        if self.c.gain_pending_voiced_s > 0:
            self._effortless(lv, st, snapshot, at_s)
        k = lv.size
        end = self._pos + k
        if end <= self._n:
            self._level[self._pos : end] = lv
            self._pitch[self._pos : end] = st
            if self._onset_on:
                self._idx[self._pos : end] = gi
        else:
            first = self._n - self._pos
            self._level[self._pos :] = lv[:first]
            self._pitch[self._pos :] = st[:first]
            self._level[: k - first] = lv[first:]
            self._pitch[: k - first] = st[first:]
            if self._onset_on:
                self._idx[self._pos :] = gi[:first]
                self._idx[: k - first] = gi[first:]
        self._pos = end % self._n
        self._filled = min(self._n, self._filled + k)
        if top is not None:
            at_own = np.abs(st - snapshot.pitch_st) <= self.c.gain_shift_max_st
            if (
                self.c.gain_own_ref_voiced_s > 0
                and at_own.any()
                and top - snapshot.loudness_dbfs < self.c.gain_return_db
            ):
                off = lv[at_own] - snapshot.loudness_dbfs
                self._ref = np.concatenate((self._ref, off))[-self._n_ref :]
                self._ref_median = None
            if at_own.any():
                self._ret_lv = np.concatenate((self._ret_lv, lv[at_own]))[-self._n_ret :]
                gi_own = (frames.start + np.flatnonzero(keep))[-self._n :][at_own]
                self._ret_idx = np.concatenate((self._ret_idx, gi_own))[-self._n_ret :]
                self._ret_st = np.concatenate((self._ret_st, st[at_own]))[-self._n_ret :]
                back = self._returned(snapshot, top, at_s)
                if back is not None:
                    return back
        if self.c.gain_shift_down_min_db > 0:
            at_own = np.abs(st - snapshot.pitch_st) <= self.c.gain_shift_max_st
            if at_own.any():
                m = self._own_lv.size
                self._own_lv = np.concatenate((self._own_lv, lv[at_own]))[-m:]
                self._own_st = np.concatenate((self._own_st, st[at_own]))[-m:]
                if self._onset_on:
                    self._own_idx = np.concatenate((self._own_idx, gi[at_own]))[-m:]
                self._own_filled = min(m, self._own_filled + int(at_own.sum()))
                down = self._down(snapshot, at_s, top)
                if down is not None:
                    return down
        if self._owed_db > 0 and self._filled >= self._m and self.c.gain_return_db <= 0:
            back = self._back(snapshot, at_s)
            if back is not None:
                return back
        if self._filled < self._n:
            return None
        # Cheap test first (every live step): the median can stand the margin over only if
        # half the window does.
        thr = snapshot.loudness_dbfs + self.c.gain_shift_min_db
        if 2 * int(np.count_nonzero(self._level >= thr)) < self._n:
            return None
        over_db = float(np.median(self._level)) - snapshot.loudness_dbfs
        if over_db < self.c.gain_shift_min_db:
            return None
        # The pitch of the loud frames themselves: a window can mix a raised voice's loud, high
        # frames with calm ones at the speaker's own pitch (three angry sentences and the calm
        # words between them), whose medians then read loud and at pitch; on a line stepped
        # up, the loud frames are the whole voice, at its own pitch.
        loud = self._level >= thr
        over_st = float(np.median(self._pitch[loud])) - snapshot.pitch_st
        if over_st > self.c.gain_shift_max_st:
            return None
        # The step is read on the loud frames: the window's median crosses the margin while
        # it still holds frames from before the step, and a baseline far under the voice
        # (learnt from another, quieter voice first) has the voice's own level in them.
        shift_db = float(np.median(self._level[loud])) - snapshot.loudness_dbfs
        onset = self._onset(shift_db, snapshot, int(self._idx.min())) if self._onset_on else None
        return self._up(shift_db, over_st, self._n, at_s, onset)

    def _start_afresh(self) -> None:
        """After a step is read: every window starts empty, and the kept history too (frames
        heard before this reading are at another level than the next step's)."""
        self._filled = 0
        self._own_filled = 0
        self._clear_return_window()
        self._ef_lv = self._ef_lv[:0]
        self._ef_t = self._ef_t[:0]
        self._ef_median = None
        self._h_idx, self._h_lv, self._h_st = self._h_idx[:0], self._h_lv[:0], self._h_st[:0]

    def _remember(self, idx: np.ndarray, lv: np.ndarray, st: np.ndarray) -> None:
        """Keep the voiced frames of the last ``gain_shift_onset_lookback_s`` of call."""
        self._h_idx = np.concatenate((self._h_idx, idx))
        self._h_lv = np.concatenate((self._h_lv, lv))
        self._h_st = np.concatenate((self._h_st, st))
        cut = int(np.searchsorted(self._h_idx, int(idx[-1]) + 1 - self._h_frames))
        if cut:
            self._h_idx = self._h_idx[cut:]
            self._h_lv = self._h_lv[cut:]
            self._h_st = self._h_st[cut:]

    def pair_down(
        self, other: GainShift, snapshot: BaselineSnapshot, *, own_level: bool, at_s: float
    ) -> GainShift | None:
        """The other line stepped down (``other``, read by its own tracker): this line did too
        when this speaker's voiced frames at their own pitch (within ``gain_shift_max_st``)
        heard since the other's onset are ``gain_pair_down_voiced_s`` or more and have their
        median level at least half that step under the baseline (``gain_pair_down_voiced_s``;
        one gain moved both lines). The shift is the other line's step, from its onset.

        A step the other tracker read against its line's earlier level (``other.step_db``,
        ``gain_down_anchor_db``): the shift brings this baseline to its own highest level of
        the memory plus that step (what it learnt of the step meanwhile is not moved twice),
        and is made only if ``gain_down_anchor_db`` or more of it is left."""
        c = self.c
        if c.gain_pair_down_voiced_s <= 0 or not own_level or other.onset_index is None:
            return None
        step = other.shift_db
        if other.step_db is not None and self._lv_max:
            step = min(0.0, self._lv_max[0][1] + other.step_db - snapshot.loudness_dbfs)
            if step > -c.gain_down_anchor_db:
                return None
        a = int(np.searchsorted(self._h_idx, other.onset_index))
        lv, st = self._h_lv[a:], self._h_st[a:]
        own = np.abs(st - snapshot.pitch_st) <= c.gain_shift_max_st
        if int(own.sum()) * self.hop_s < c.gain_pair_down_voiced_s:
            return None
        med_db = float(np.median(lv[own])) - snapshot.loudness_dbfs
        if med_db > step / 2.0:
            return None
        self._start_afresh()
        self._owed_db -= step
        return GainShift(
            at_s=round(at_s, 3),
            shift_db=round(step, 2),
            pitch_st_over_baseline=round(float(np.median(st[own])) - snapshot.pitch_st, 2),
            voiced_s=round(int(own.sum()) * self.hop_s, 2),
            min_db=c.gain_shift_down_min_db,
            max_st=c.gain_shift_max_st,
            onset_index=other.onset_index,
            level_dbfs=snapshot.loudness_dbfs + step,
        )


#: The snapshot's level statistics a provisional step raises (as :func:`shifted` does).
LEVEL_FIELDS = ("loudness_dbfs", "loudness_leq_dbfs", "speech_leq_dbfs", "speech_top_heard_dbfs")


def _levels(snapshot: BaselineSnapshot) -> np.ndarray:
    return np.array(
        [np.nan if (v := getattr(snapshot, k)) is None else float(v) for k in LEVEL_FIELDS]
    )


def _first(item: tuple[int, float]) -> int:
    return item[0]


NOISE_GRID_S = 0.5
""":class:`PairUpFollow` samples each line's noise floor every this many seconds of the call's
global frame grid (the floor itself changes only at the ends of the noise estimate's 0.5 s
segments, :class:`~.config.NoiseCompensationConfig`)."""


@dataclass
class _Follow:
    """One line following the other's step up (:class:`PairUpFollow`)."""

    other_at_s: float
    step_db: float
    onset_index: int
    onset_s: float
    level0: np.ndarray
    """This line's level statistics at the onset (:data:`LEVEL_FIELDS`, NaN: not known)."""
    latched_at_s: float | None = None
    own_rise_db: float | None = None
    by_noise: bool = False
    """Started by both lines' noise floors (``gain_noise_pair_step_db``), not a reading."""
    by_self: bool = False
    """Started by this line's own noise floor and voice rising together
    (``gain_self_up_noise_db``), not a reading."""
    noise_rise_db: float | None = None
    """For ``by_self``: the line's noise floor's rise (dB)."""
    down: bool = False
    """A step down (``step_db`` < 0) read on both lines' noise floors falling together
    (``gain_noise_pair_down_share``): the snapshot is read lowered, not raised."""
    floor0: float | None = None
    """For ``down``: this line's noise floor before the fall (the median of the
    ``gain_pair_up_before_s`` before it, dBFS)."""


class PairUpFollow:
    """A step up this line's own tracker cannot read, followed from the other line's reading
    or from the lines' noise floors (``BaselineConfig.gain_pair_up_follow_share``, on by
    default since session 21; issue 13).

    An emotional speaker's own tracker reads a lasting step up late or never: their calm
    clips after it stand over their baseline's median pitch by more than ``gain_shift_max_st``
    and their raised clips more so, so no frame at the own pitch shows the step; the calm
    partner's tracker reads it within seconds. Once the other line's tracker reads a step up
    (``gain_shift_min_db`` or more), its onset is walked back on that line's voiced frames
    (one ``ONSET_BLOCK_S`` at a time while a block's median stands on the new side of halfway
    to the step), and this line is read against its baseline as it stood at that onset raised
    by ``gain_pair_up_follow_share`` of the step (less what the baseline has learnt since,
    never under it), for ``gain_pair_up_max_age_s`` after the other's reading, until this
    line's own tracker reads a step. Read-time only (like the pending pair shift): the
    statistics are not moved; frames the raise leaves unflagged are learnt as heard.

    Own evidence before this line follows the other's reading: by default its noise floor
    since the onset stands ``gain_pair_up_noise_share`` of the step or more over the
    ``gain_pair_up_before_s`` before it (a gain moves a line's noise with its voice, emotion
    only the voice). With that share at 0, the voice instead (``gain_pair_up_own_rise_share``):
    this speaker's voiced frames since the onset, at any pitch, have their median level that
    share of the step or more over those before, each side ``gain_pair_up_voiced_s`` or more
    (measured, not used: a partner-only step with this speaker angrier since reads low).
    Two more starts, needing no tracker reading: both lines' noise floors risen together
    (:meth:`noise_pair`, ``gain_noise_pair_step_db``), and, off by default, this line's own
    floor and voice risen together (:meth:`self_up`, ``gain_self_up_noise_db``).
    """

    def __init__(self, config: BaselineConfig, *, hop_s: float, parties: Sequence[str]) -> None:
        self.c = config
        self.hop_s = hop_s
        self.parties = tuple(parties)
        keep_s = config.gain_pair_up_before_s + config.gain_pair_up_max_age_s + 60.0
        self._keep = max(1, round(keep_s / hop_s))
        # Per party: each tick's (first global index, voiced levels) and baseline level; the
        # line noise floor (dBFS) at each NOISE_GRID_S grid point (global index, value).
        self._lv: dict[str, deque[tuple[int, np.ndarray]]] = {p: deque() for p in parties}
        self._st: dict[str, deque[tuple[int, np.ndarray]]] = {p: deque() for p in parties}
        self._base: dict[str, deque[tuple[int, np.ndarray]]] = {p: deque() for p in parties}
        self._noise: dict[str, deque[tuple[int, float]]] = {p: deque() for p in parties}
        self._grid = max(1, round(NOISE_GRID_S / hop_s))
        self._n_after = max(1, round(config.gain_noise_pair_after_s / hop_s))
        self._n_before = max(1, round(config.gain_pair_up_before_s / hop_s))
        self._n_before_min = round(config.gain_noise_pair_before_min_s / hop_s)
        self._follow: dict[str, _Follow | None] = {p: None for p in parties}
        # Each line's last step up read by its own tracker (call time, s):
        # ``gain_pair_up_own_step_age_s``.
        self._own_up_at: dict[str, float | None] = {p: None for p in parties}
        self.follows: dict[str, list[dict[str, object]]] = {p: [] for p in parties}
        self._n_voiced = max(1, round(config.gain_pair_up_voiced_s / hop_s))
        # ``gain_noise_pair_down_share``: the latest onset of a fall read (a fall is read once).
        self._down_after = -(10**12)

    @property
    def enabled(self) -> bool:
        return self.c.gain_pair_up_follow_share > 0 and len(self.parties) == 2

    def _noise_rise(self, p: str, split: int, now: int) -> float | None:
        """``p``'s line noise floor from ``split`` to ``now`` (the median of its samples on
        the ``NOISE_GRID_S`` grid) over the ``gain_pair_up_before_s`` before ``split``,
        samples under ``gain_noise_pair_min_dbfs`` left out (no noise known yet, or a line
        whose noise the front end does not measure); None without samples on either side or
        with less than ``gain_noise_pair_before_min_s`` of call kept before it."""
        kept = self._noise[p]
        if not kept or split - kept[0][0] < self._n_before_min:
            return None
        before = self._known(p, split - self._n_before, split)
        after = self._known(p, split, now)
        if not before or not after:
            return None
        return median_exact(after) - median_exact(before)

    def _known(self, p: str, a: int, b: int) -> list[float]:
        """``p``'s floor samples on the grid in frames [a, b) that are known (at or over
        ``gain_noise_pair_min_dbfs``). The samples are kept in grid order: the range is
        bisected, not filtered one by one (this runs every tick, for both lines)."""
        kept = self._noise[p]
        i = bisect_left(kept, a, key=_first)
        j = bisect_left(kept, b, lo=i, key=_first)
        lo = self.c.gain_noise_pair_min_dbfs
        return [n for _, n in islice(kept, i, j) if n >= lo]

    def noise_pair(self, now_index: int, time_of: Callable[[int], float]) -> None:
        """Both lines' noise floors stepped up together (``gain_noise_pair_step_db``): the
        last ``gain_noise_pair_after_s`` of each over the ``gain_pair_up_before_s`` before
        it, ``gain_noise_pair_step_db`` or more on both and within ``gain_pending_pair_db``
        of each other: one gain moved both lines (a speaker's voice cannot move their line's
        noise). Each line not following a step already (or following one of its own, read first:
        :meth:`self_up`) follows their mean from then on."""
        c = self.c
        if c.gain_noise_pair_step_db <= 0 or any(len(self._noise[p]) == 0 for p in self.parties):
            return
        # A line following a step of its own (:meth:`self_up`) read first is overruled: both
        # floors risen together are one gain of both lines.
        if any(f is not None and not f.by_self and not f.down for f in self._follow.values()):
            return
        split = now_index - self._n_after
        rises: list[float] = []
        for p in self.parties:  # the second line's rise is not needed once the first's fails
            r = self._noise_rise(p, split, now_index + 1)
            if r is None or r < c.gain_noise_pair_step_db:
                return
            rises.append(r)
        r0, r1 = rises
        if abs(r0 - r1) > c.gain_pending_pair_db:
            return
        step = 0.5 * (r0 + r1)
        for p in self.parties:
            levels = [b for s, b in self._base[p] if split - self._n_before <= s < split]
            if not levels:
                continue
            with np.errstate(all="ignore"):
                level0 = np.nanmedian(np.stack(levels), axis=0)
            self._follow[p] = _Follow(
                other_at_s=round(float(time_of(now_index)), 3),
                step_db=step,
                onset_index=split,
                onset_s=round(float(time_of(split)), 3),
                level0=level0,
                by_noise=True,
            )

    def noise_pair_down(self, now_index: int, time_of: Callable[[int], float]) -> None:
        """Both lines' noise floors fallen together (``gain_noise_pair_down_share``, the mirror
        of :meth:`noise_pair`): the last ``gain_noise_pair_after_s`` of each
        ``gain_noise_pair_step_db`` or more under its median in the ``gain_pair_up_before_s``
        before it, the two falls within ``gain_pending_pair_db`` of each other, each line's
        floor known (over ``gain_noise_pair_min_dbfs``) for ``gain_noise_pair_before_min_s`` or
        more before (the estimate's first seconds fall as its minimum fills). One gain moved
        both lines down: a noise source switching off moves one floor, a voice none, and digital
        silence is not read as noise at all (the floors hold through a hold). Both lines then
        follow the mean fall, read lowered by :meth:`raised`, each from the first floor sample
        on the new side of halfway (its onset). A fall is read once: not again until the
        ``gain_pair_up_before_s`` before the window lies wholly after the last one's onset."""
        c = self.c
        if (
            c.gain_noise_pair_down_share <= 0
            or c.gain_noise_pair_step_db <= 0
            or any(not self._noise[p] for p in self.parties)
            or any(f is not None and f.down for f in self._follow.values())
        ):
            return
        split = now_index - self._n_after
        if split - self._n_before < self._down_after:
            return
        lo = c.gain_noise_pair_min_dbfs
        falls: list[float] = []
        for p in self.parties:
            first = next((s for s, n in self._noise[p] if n >= lo), None)
            if first is None or split - first < self._n_before_min:
                return
            r = self._noise_rise(p, split, now_index + 1)
            if r is None or -r < c.gain_noise_pair_step_db:
                return
            falls.append(-r)
        if abs(falls[0] - falls[1]) > c.gain_pending_pair_db:
            return
        step = -0.5 * (falls[0] + falls[1])
        at_s = round(float(time_of(now_index)), 3)
        made: dict[str, _Follow] = {}
        falls_since: dict[str, float] = {}
        for p, fall in zip(self.parties, falls, strict=True):
            kept = self._noise[p]
            floor0 = float(np.median(self._known(p, split - self._n_before, split)))
            onset = next(
                (s for s, n in kept if s >= split and lo <= n <= floor0 - fall / 2.0), split
            )
            if not self._steady(p, split - self._n_before, split) or not self._steady(
                p, onset, now_index + 1
            ):
                return
            # The fall read on the samples since the onset only (the window's median, read as
            # soon as it crosses the margin, can straddle the two levels: half the step).
            since = self._known(p, onset, now_index + 1)
            if since:
                fall = floor0 - float(np.median(since))
            falls_since[p] = fall
            levels = [b for s, b in self._base[p] if onset - self._n_before <= s < onset]
            if not levels:
                continue
            with np.errstate(all="ignore"):
                level0 = np.nanmedian(np.stack(levels), axis=0)
            made[p] = _Follow(
                other_at_s=at_s,
                step_db=step,
                onset_index=onset,
                onset_s=round(float(time_of(onset)), 3),
                level0=level0,
                by_noise=True,
                noise_rise_db=-fall,
                down=True,
                floor0=floor0,
            )
        if len(falls_since) == 2:
            f0, f1 = falls_since.values()
            if abs(f0 - f1) > c.gain_pending_pair_db or min(f0, f1) < c.gain_noise_pair_step_db:
                return
            step = -0.5 * (f0 + f1)
        for p, f in made.items():
            f.step_db = step
            f.noise_rise_db = -falls_since.get(p, -(f.noise_rise_db or 0.0))
            self._follow[p] = f
            self._down_after = max(self._down_after, f.onset_index)
            self.update(p, float(time_of(now_index)))

    def _steady(self, p: str, a: int, b: int) -> bool:
        """``p``'s floor samples (over ``gain_noise_pair_min_dbfs``) in [a, b) span (90th less
        10th percentile) at most ``gain_noise_pair_down_steady_db`` (0: not checked)."""
        c = self.c
        if c.gain_noise_pair_down_steady_db <= 0:
            return True
        v = self._known(p, a, b)
        if not v:
            return False
        lo, hi = np.percentile(v, [10.0, 90.0])
        return float(hi - lo) <= c.gain_noise_pair_down_steady_db

    def self_up(self, p: str, now_index: int, time_of: Callable[[int], float]) -> None:
        """A step up of ``p``'s line alone (``gain_self_up_noise_db``): its noise floor's last
        ``gain_noise_pair_after_s`` that much or more over its median in the
        ``gain_pair_up_before_s`` before (the other line's not risen
        ``gain_noise_pair_step_db`` with it: that is :meth:`noise_pair`'s), and this
        speaker's voiced frames since the floor's onset (the ticks walked back while on the
        new side of halfway) risen by at least ``gain_self_up_voice_share`` of it and within
        ``gain_self_up_voice_agree_db`` of it, ``gain_self_up_voiced_s`` or more each side: a
        gain moves voice and noise together, emotion only the voice, a room-noise onset only
        the noise. ``p`` follows the lesser of the two rises from the onset on. Call after
        :meth:`update` for ``p``'s tick ending at ``now_index``."""
        c = self.c
        if c.gain_self_up_noise_db <= 0 or self._follow[p] is not None or not self._noise[p]:
            return
        split = now_index - self._n_after
        rise = self._noise_rise(p, split, now_index + 1)
        if rise is None or rise < c.gain_self_up_noise_db:
            return
        q = self._other(p)
        if c.gain_noise_pair_step_db > 0 and self._noise[q]:
            other = self._noise_rise(q, split, now_index + 1)
            if other is not None and other >= c.gain_noise_pair_step_db:
                return
        floor0 = float(np.median(self._known(p, split - self._n_before, split)))
        mid = floor0 + rise / 2.0
        onset = split
        for start, n in reversed(self._noise[p]):
            if start < split - self._n_before or n < mid:
                break
            onset = min(onset, start)
        before = [lv for s, lv in self._lv[p] if onset - self._n_before <= s < onset and lv.size]
        if not before:
            return
        # The front end's floor lags the line (its minimum must clear): the voice's onset is
        # walked back from the floor's, a tick at a time while its voiced frames' median
        # stands on the new side of halfway, by ``gain_self_up_lookback_s`` at most.
        v_mid = float(np.quantile(np.concatenate(before), c.gain_self_up_voice_quantile))
        v_mid += rise / 2.0
        back = onset - round(c.gain_self_up_lookback_s / self.hop_s)
        for start, lv in reversed(self._lv[p]):
            if start >= onset or not lv.size:
                continue
            if start < back or float(np.quantile(lv, c.gain_self_up_voice_quantile)) < v_mid:
                break
            onset = start
        sides = self._sides(p, onset)
        if sides is None:
            return
        b, a = sides
        n_voiced = max(1, round(c.gain_self_up_voiced_s / self.hop_s))
        if b.size < n_voiced or a.size < n_voiced:
            return
        qv = c.gain_self_up_voice_quantile
        voice = float(np.quantile(a, qv)) - float(np.quantile(b, qv))
        if voice < c.gain_self_up_voice_share * rise or abs(voice - rise) > (
            c.gain_self_up_voice_agree_db
        ):
            return
        levels = [lvl for s, lvl in self._base[p] if onset - self._n_before <= s < onset]
        if not levels:
            return
        with np.errstate(all="ignore"):
            level0 = np.nanmedian(np.stack(levels), axis=0)
        self._follow[p] = _Follow(
            other_at_s=round(float(time_of(now_index)), 3),
            step_db=min(rise, voice),
            onset_index=onset,
            onset_s=round(float(time_of(onset)), 3),
            level0=level0,
            own_rise_db=voice,
            by_self=True,
            noise_rise_db=rise,
        )
        self.update(p, float(time_of(now_index)))

    def _sides(self, p: str, onset: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``p``'s voiced levels in the ``gain_pair_up_before_s`` before ``onset`` and since
        it; with ``gain_self_up_pitch_band_quantile`` over 0, only the frames (both sides)
        whose pitch lies between that quantile and its complement of the before side's."""
        rows = [
            (s, lv, st)
            for (s, lv), (_, st) in zip(self._lv[p], self._st[p], strict=True)
            if s >= onset - self._n_before and lv.size
        ]
        before = [(lv, st) for s, lv, st in rows if s < onset]
        after = [(lv, st) for s, lv, st in rows if s >= onset]
        if not before or not after:
            return None
        b_lv = np.concatenate([lv for lv, _ in before])
        a_lv = np.concatenate([lv for lv, _ in after])
        qp = self.c.gain_self_up_pitch_band_quantile
        if qp <= 0:
            return b_lv, a_lv
        b_st = np.concatenate([st for _, st in before])
        a_st = np.concatenate([st for _, st in after])
        lo, hi = np.quantile(b_st, [qp, 1.0 - qp])
        return (
            b_lv[(b_st >= lo) & (b_st <= hi)],
            a_lv[(a_st >= lo) & (a_st <= hi)],
        )

    def push(self, p: str, frames: PartyFrames, snapshot: BaselineSnapshot) -> None:
        """Keep one tick of ``p``'s voiced levels (any pitch) and its baseline's level
        statistics as they stood before the tick's step, if any; and its line noise floor at
        each ``NOISE_GRID_S`` grid point the tick holds."""
        keep = frames.voiced & frames.speech & np.isfinite(frames.pitch_st)
        lv = np.asarray(frames.voice_loudness_dbfs[keep], np.float64)
        self._lv[p].append((frames.start, lv))
        self._st[p].append((frames.start, np.asarray(frames.pitch_st[keep], np.float64)))
        self._base[p].append((frames.start, _levels(snapshot)))
        # The floor sampled on the call's global grid, not once per tick: the medians then do
        # not depend on how the audio was chunked (live steps of 20-500 ms, recorded 0.5 s).
        g, n = self._grid, len(frames.noise_dbfs)
        for k in range(-(-frames.start // g) * g, frames.start + n, g):
            self._noise[p].append((k, float(frames.noise_dbfs[k - frames.start])))
        for q in (self._lv[p], self._st[p], self._base[p], self._noise[p]):
            while q and q[0][0] < frames.start - self._keep:
                q.popleft()

    def _other(self, p: str) -> str:
        return next(o for o in self.parties if o != p)

    def note_shift(self, p: str, shift: GainShift, time_of: Callable[[int], float]) -> None:
        """``p``'s tracker read ``shift``: ``p`` stops following; a step up starts the other
        line following it (a step down ends the other's following). ``time_of``: global frame
        index -> call time (s)."""
        self._follow[p] = None
        fq = self._follow[self._other(p)]
        if shift.shift_db < 0 and fq is not None and not fq.down:
            self._follow[self._other(p)] = None
        if shift.shift_db < self.c.gain_shift_min_db or len(self._base[p]) == 0:
            return
        q_up = self._own_up_at[self._other(p)]
        self._own_up_at[p] = shift.at_s
        age = self.c.gain_pair_up_own_step_age_s
        if age > 0 and q_up is not None and shift.at_s - q_up <= age:
            return  # the other line followed this step with its own tracker already
        pre = float(self._base[p][-1][1][0])  # the level before this tick's shift
        mid = pre + shift.shift_db / 2.0
        onset = self._lv[p][-1][0]
        for start, lv in reversed(self._lv[p]):
            if lv.size:
                if float(np.median(lv)) < mid:
                    break
                onset = start
        q = self._other(p)
        level0 = None
        for start, lvl in self._base[q]:
            if start > onset:
                break
            level0 = lvl
        if level0 is None:
            if not self._base[q]:
                return
            level0 = self._base[q][0][1]
        self._follow[q] = _Follow(
            other_at_s=shift.at_s,
            step_db=shift.shift_db,
            onset_index=onset,
            onset_s=round(float(time_of(onset)), 3),
            level0=level0,
        )

    def _own_rise(self, p: str, f: _Follow) -> float | None:
        before_from = f.onset_index - round(self.c.gain_pair_up_before_s / self.hop_s)
        before = [lv for s, lv in self._lv[p] if before_from <= s < f.onset_index and lv.size]
        after = [lv for s, lv in self._lv[p] if s >= f.onset_index and lv.size]
        if not before or not after:
            return None
        b, a = np.concatenate(before), np.concatenate(after)
        if b.size < self._n_voiced or a.size < self._n_voiced:
            return None
        return float(np.median(a)) - float(np.median(b))

    def update(self, p: str, now_s: float) -> None:
        """After ``p``'s tick: age the follow out, or latch it on the own evidence."""
        f = self._follow[p]
        if f is None:
            return
        c = self.c
        if f.down:
            # A fall ends with its age, or once this line's floor stands back within half the
            # fall of its level before (a noise that paused, not a gain).
            last = next(
                (n for _, n in reversed(self._noise[p]) if n >= c.gain_noise_pair_min_dbfs), None
            )
            if (
                now_s - f.other_at_s > c.gain_noise_pair_down_max_age_s
                or f.floor0 is None
                or (last is not None and last > f.floor0 + (f.noise_rise_db or f.step_db) / 2.0)
            ):
                self._follow[p] = None
                return
        elif now_s - f.other_at_s > c.gain_pair_up_max_age_s:
            self._follow[p] = None
            return
        if f.latched_at_s is not None:
            return
        if f.by_noise or f.by_self:
            pass  # both lines' noise floors, or this line's floor and voice, are the evidence
        elif c.gain_pair_up_noise_share > 0:
            now = self._noise[p][-1][0] + 1 if self._noise[p] else f.onset_index
            rise = self._noise_rise(p, f.onset_index, now)
            if rise is None or rise < c.gain_pair_up_noise_share * f.step_db:
                return
            f.own_rise_db = rise
        elif c.gain_pair_up_own_rise_share > 0:
            rise = self._own_rise(p, f)
            if rise is None or rise < c.gain_pair_up_own_rise_share * f.step_db:
                return
            f.own_rise_db = rise
        f.latched_at_s = now_s
        self.follows[p].append(
            {
                "at_s": round(now_s, 3),
                "other_at_s": f.other_at_s,
                "other_step_db": f.step_db,
                "onset_s": f.onset_s,
                "level0_dbfs": round(float(f.level0[0]), 2),
                "own_rise_db": None if f.own_rise_db is None else round(f.own_rise_db, 2),
                "by": (
                    ("noise_pair_down" if f.down else "noise_pair")
                    if f.by_noise
                    else ("self" if f.by_self else "other_reading")
                ),
                **({} if f.noise_rise_db is None else {"noise_rise_db": round(f.noise_rise_db, 2)}),
                "thresholds": {
                    "gain_pair_up_follow_share": c.gain_pair_up_follow_share,
                    "gain_pair_up_own_rise_share": c.gain_pair_up_own_rise_share,
                    "gain_pair_up_noise_share": c.gain_pair_up_noise_share,
                    "gain_noise_pair_step_db": c.gain_noise_pair_step_db,
                    "gain_pair_up_voiced_s": c.gain_pair_up_voiced_s,
                    "gain_pair_up_max_age_s": c.gain_pair_up_max_age_s,
                    **(
                        {
                            "gain_noise_pair_down_share": c.gain_noise_pair_down_share,
                            "gain_noise_pair_down_max_age_s": c.gain_noise_pair_down_max_age_s,
                        }
                        if f.down
                        else {}
                    ),
                    **(
                        {
                            "gain_self_up_noise_db": c.gain_self_up_noise_db,
                            "gain_self_up_voice_share": c.gain_self_up_voice_share,
                            "gain_self_up_voice_agree_db": c.gain_self_up_voice_agree_db,
                            "gain_self_up_voiced_s": c.gain_self_up_voiced_s,
                        }
                        if f.by_self
                        else {}
                    ),
                },
            }
        )

    def raised(self, p: str, snapshot: BaselineSnapshot) -> BaselineSnapshot:
        """``p``'s snapshot as the detectors read it: each level statistic at least where it
        stood at the other's onset plus ``gain_pair_up_follow_share`` of the step, raised by
        no more than that share (what the baseline has learnt of the step since is not
        counted twice; each statistic learns at its own pace: an energy mean or a top level
        takes a few loud frames, a median many). Unchanged when not following."""
        f = self._follow[p]
        if f is None or f.latched_at_s is None:
            return snapshot
        if f.down:
            return self._lowered(f, snapshot)
        top = self.c.gain_pair_up_follow_share * f.step_db
        now = _levels(snapshot)
        up = np.clip(f.level0 + top - now, 0.0, top)
        if not np.any(up > 0):
            return snapshot
        return replace(
            snapshot,
            **{
                k: v + float(d)
                for k, v, d in zip(LEVEL_FIELDS, now, up, strict=True)
                if np.isfinite(v) and np.isfinite(d) and d > 0
            },
        )

    def _lowered(self, f: _Follow, snapshot: BaselineSnapshot) -> BaselineSnapshot:
        """A fall followed (``gain_noise_pair_down_share``): each level statistic at most where
        it stood before the fall less that share of it, lowered by no more than that share
        (what the baseline has learnt of the step since is not counted twice)."""
        top = self.c.gain_noise_pair_down_share * -f.step_db
        now = _levels(snapshot)
        down = np.clip(now - (f.level0 - top), 0.0, top)
        if not np.any(down > 0):
            return snapshot
        return replace(
            snapshot,
            **{
                k: v - float(d)
                for k, v, d in zip(LEVEL_FIELDS, now, down, strict=True)
                if np.isfinite(v) and np.isfinite(d) and d > 0
            },
        )
