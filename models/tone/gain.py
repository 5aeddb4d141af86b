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
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from calltone.models.tone.baseline import BaselineSnapshot
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

    def to_dict(self) -> dict[str, object]:
        return {
            "at_s": self.at_s,
            "shift_db": self.shift_db,
            "pitch_st_over_baseline": self.pitch_st_over_baseline,
            "thresholds": {
                ("gain_shift_min_db" if self.shift_db >= 0 else "gain_shift_down_min_db"): (
                    self.min_db
                ),
                "gain_shift_max_st": self.max_st,
                "gain_shift_voiced_s": self.voiced_s,
            },
        }


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

    @property
    def enabled(self) -> bool:
        return self.c.gain_shift_min_db > 0

    def _down(self, snapshot: BaselineSnapshot, at_s: float) -> GainShift | None:
        """A lasting step down (``gain_shift_down_min_db``): the speaker's last
        ``gain_shift_down_voiced_s`` of voiced frames at their own pitch (within
        ``gain_shift_max_st`` of the baseline's) has its median level that far or more under the
        baseline's median voiced level. The frames at the speaker's own pitch are their calm
        voice: raised speech stands higher (an emotional call's angry and fearful sentences
        fill a plain window, and keep its median up after a step down), a voice softened by
        effort falls in pitch with its level, a line turned down keeps it. The shift is that
        median under the baseline's."""
        c = self.c
        if c.gain_shift_down_min_db <= 0 or self._own_filled < self._own_lv.size:
            return None
        shift_db = float(np.median(self._own_lv)) - snapshot.loudness_dbfs
        if shift_db > -c.gain_shift_down_min_db:
            return None
        self._filled = 0
        self._own_filled = 0
        self._ef_lv = self._ef_lv[:0]
        self._ef_t = self._ef_t[:0]
        self._ef_median = None
        self._owed_db -= shift_db
        return GainShift(
            at_s=round(at_s, 3),
            shift_db=round(shift_db, 2),
            pitch_st_over_baseline=round(float(np.median(self._own_st)) - snapshot.pitch_st, 2),
            voiced_s=round(self._own_lv.size * self.hop_s, 2),
            min_db=c.gain_shift_down_min_db,
            max_st=c.gain_shift_max_st,
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
        return self._up(shift_db, over_st, self._m, at_s)

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
                self._ef_median = float(np.median(self._ef_lv))

    def _up(self, shift_db: float, over_st: float, frames: int, at_s: float) -> GainShift:
        """A step up read on ``frames`` voiced frames: the windows start afresh, the step down
        still owed shrinks by it."""
        self._filled = 0
        self._own_filled = 0
        self._ef_lv = self._ef_lv[:0]
        self._ef_t = self._ef_t[:0]
        self._ef_median = None
        self._owed_db = max(0.0, self._owed_db - shift_db)
        return GainShift(
            at_s=round(at_s, 3),
            shift_db=round(shift_db, 2),
            pitch_st_over_baseline=round(over_st, 2),
            voiced_s=round(frames * self.hop_s, 2),
            min_db=self.c.gain_shift_min_db,
            max_st=self.c.gain_shift_max_st,
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
            return None
        keep = frames.voiced & frames.speech & np.isfinite(frames.pitch_st)
        if not keep.any():
            return None
        lv = np.asarray(frames.voice_loudness_dbfs[keep], np.float64)[-self._n :]
        st = np.asarray(frames.pitch_st[keep], np.float64)[-self._n :]
        if self.c.gain_pending_voiced_s > 0:
            self._effortless(lv, st, snapshot, at_s)
        k = lv.size
        end = self._pos + k
        if end <= self._n:
            self._level[self._pos : end] = lv
            self._pitch[self._pos : end] = st
        else:
            first = self._n - self._pos
            self._level[self._pos :] = lv[:first]
            self._pitch[self._pos :] = st[:first]
            self._level[: k - first] = lv[first:]
            self._pitch[: k - first] = st[first:]
        self._pos = end % self._n
        self._filled = min(self._n, self._filled + k)
        if self.c.gain_shift_down_min_db > 0:
            at_own = np.abs(st - snapshot.pitch_st) <= self.c.gain_shift_max_st
            if at_own.any():
                m = self._own_lv.size
                self._own_lv = np.concatenate((self._own_lv, lv[at_own]))[-m:]
                self._own_st = np.concatenate((self._own_st, st[at_own]))[-m:]
                self._own_filled = min(m, self._own_filled + int(at_own.sum()))
                down = self._down(snapshot, at_s)
                if down is not None:
                    return down
        if self._owed_db > 0 and self._filled >= self._m:
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
        return self._up(shift_db, over_st, self._n, at_s)
