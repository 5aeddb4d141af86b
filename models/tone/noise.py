"""The line's noise, measured per channel, and the speech's own level and voice quality under it.

A frame's loudness on a noisy line is the power of the voice *plus* the noise. When the noise
sits only a few dB under a calm voice (a caller on a mobile in the street, a line whose noise is
set by its loudest talk), a calm frame reads several dB too loud while a shout, far over the
noise, reads right: the rise from calm to shouting is compressed, and a baseline learnt on the
calm voice is partly the noise. The harmonics-to-noise ratio is lowered the same way, more on
calm frames than on loud ones, so the "harshness" of a raised voice (its HNR drop) shrinks or
inverts.

:class:`LineNoise` estimates the noise power of one channel from the frames the speech gate
calls non-speech and that show no voice (HNR under ``noise_max_hnr_db``: the other party's
leak that the crosstalk gate took out is a voice, not the line's noise) and that carry a
signal (digital silence, under ``no_signal_dbfs``, is a hold or a gap, not the line). On the call's global
frame grid, per ``segment_s`` of time holding at least ``min_frames_s`` of such frames, the
``noise_quantile`` of their levels (dBFS); the estimate is the lowest of these over the last
``window_s`` (minimum statistics: a segment holding a voice the gate missed, e.g. the tail of a
long steady utterance once the gate's own floor has risen to it, reads louder than one of noise
alone), refreshed at each segment's end from the segments before it (so it does not depend on
how the audio was chunked), held through a stretch with no noise frame (a long turn), and
``NO_NOISE_DBFS`` (no correction) until the first segment. A steady noise's 32 ms levels spread
~1 dB, so a segment's median is its mean power to a fraction of a dB and the minimum over 16 of
them sits a little under it: the correction errs small.

Minimum statistics reads a *fall* of the noise at the next segment but a *rise* only once every
segment from before it has left the window; and a rise over the speech gate's strict margin (a
room-noise onset, a gain step of 10 dB) is called speech by the gate until its own 8 s floor
window clears, so no segment of the new noise reaches the window before then: the estimate moved
~9-10 s after the line did. The fast rise track (``rise_confirm_s``, off by default) also reads
the segments the gate calls speech but in which (almost) no frame shows a voice, and when the
last ``rise_confirm_s`` of consecutive segments all stand ``rise_min_db`` over the estimate, it
restarts the minimum statistics from them (``LineNoise.rises`` records each). Speech the gate
missed reads louder in a segment or so, a lasting rise in every segment; a rise read from a
burst ends at the next segment of the line's own noise, which is lower again.

From it every frame gets

- ``voice_loudness_dbfs``: ``10 log10(max(P - N, P * 10^(-max_correction_db / 10)))``, the
  voice's own power (independent noise adds in power), the correction bounded because a frame
  at or under the noise's level carries no measurable voice;
- ``voice_hnr_db``: optionally (off by default, ``hnr_noise_share_max`` 0), the HNR re-read
  from YIN's normalised difference ``d`` less the noise's share of the frame ``s = N / P``
  (the share over ``hnr_min_noise_share``, at most ``hnr_noise_share_max``):
  ``(d - s) / (1 - s)``, the voice's own aperiodic share (the front end corrects its voicing
  decision the same way; see :mod:`calltone.audio.features`), raised by at most
  ``hnr_max_correction_db``. Where ``s`` nears ``d`` the difference is within the noise
  estimate's error and the HNR of a frame jumps to the ceiling; measured on the telephone
  bench, the correction's agent_tone gains on noisy lines came with false alarms on calm
  meetings (docs/benchmarks.md, issue 13, session 10), so it is not on.

- ``voice_tilt_db``: the voice's own spectral tilt (``tilt_db``: the energy of the band signal's
  first difference ``D`` over its energy ``P``, dB), ``10 log10((D - s Dn/Pn P) / (P - s P))``
  with ``s = Pn / P`` the noise's share of the frame, at most ``tilt_max_noise_share``, and the
  change at most ``tilt_max_correction_db`` either way. Additive noise adds in both powers, so
  a frame's tilt is the power-weighted mix of the voice's and the noise's: a shout 5-15 dB over
  a dark line noise reads duller than the same shout on a clean line. The noise's difference
  power ``Dn`` is estimated exactly as its power ``Pn``: from the same frames, per segment,
  the ``noise_quantile`` of their difference levels (``loudness + tilt``, dBFS), the lowest
  over ``window_s``. With ``s`` at most 0.5 (a frame 3 dB over the noise: the voice at the
  noise's own level) an error of the noise estimate is at most doubled; a frame nearer the
  noise is corrected only as far as that share.

The baseline bins its level histograms on the level as heard (which frames are the speaker's
dominant voice is decided on what the microphone picked up) and reads the voice's own level
from each bin (:class:`~.baseline.SpeakerBaseline`).

On a clean line the noise is tens of dB under the voice and the corrections are ~0 (a voice
30 dB over the noise moves by 0.004 dB).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from calltone.models.tone.config import NoiseCompensationConfig

#: Level of "no noise known" (dBFS): its power is negligible against any voice.
NO_NOISE_DBFS = -120.0
_HNR_MIN_DB = -10.0
_HNR_MAX_DB = 30.0


class LineNoise:
    """Running noise estimate of one channel and the noise-compensated voice features."""

    def __init__(self, config: NoiseCompensationConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._seg = max(1, round(config.segment_s / hop_s))
        self._n_segs = max(1, round(config.window_s / config.segment_s))
        self._min = max(1, round(config.min_frames_s / hop_s))
        self._cur: list[np.ndarray] = []  # noise levels (dBFS) of the current segment so far
        self._cur_d: list[np.ndarray] = []  # their difference levels (loudness + tilt)
        # (segment index, its quantile level, its quantile difference level)
        self._meds: list[tuple[int, float, float]] = []
        self._noise_dbfs = NO_NOISE_DBFS  # the estimate in force
        # The fast rise track (``NoiseCompensationConfig.rise_confirm_s``; 0 segments: off).
        self._rise_n = (
            max(1, round(config.rise_confirm_s / config.segment_s))
            if config.rise_confirm_s > 0
            else 0
        )
        self._cur_v: list[np.ndarray] = []  # voiceless frames' levels the gate calls speech
        self._cur_vd: list[np.ndarray] = []  # their difference levels
        self._cur_voiced = 0  # frames with a signal that show a voice
        # The run of consecutive segments' rise candidates (segment, level, difference level).
        self._run: list[tuple[int, float, float]] = []
        self._rising = False  # a rise confirmed and its run not yet broken
        # A rise confirmed from segments the gate called speech, and no segment of noise by
        # the gate since (``rise_unheard_margin_db``).
        self._gate_behind = False
        #: Rises confirmed: (segment index, the estimate before, the estimate after).
        self.rises: list[tuple[int, float, float]] = []
        self._noise_diff_dbfs = NO_NOISE_DBFS  # the noise's first-difference level in force

    @property
    def noise_dbfs(self) -> float:
        """The current estimate (``NO_NOISE_DBFS`` until one is known)."""
        return self._noise_dbfs

    def push(
        self,
        start: int,
        loudness_dbfs: np.ndarray,
        speech: np.ndarray,
        hnr_db: np.ndarray,
        tilt_db: np.ndarray | None = None,
    ) -> np.ndarray:
        """The noise estimate (dBFS) in force at each frame of a block starting at global frame
        ``start`` (module notes). It changes only at segment ends on the global grid, from the
        segments before, so it does not depend on how the frames were chunked."""
        return self.push_levels(start, loudness_dbfs, speech, hnr_db, tilt_db).level_dbfs

    def push_levels(
        self,
        start: int,
        loudness_dbfs: np.ndarray,
        speech: np.ndarray,
        hnr_db: np.ndarray,
        tilt_db: np.ndarray | None = None,
    ) -> NoiseLevels:
        """:meth:`push` with the noise's first-difference level beside its level (both dBFS;
        the difference level stays ``NO_NOISE_DBFS`` without ``tilt_db``)."""
        n = int(loudness_dbfs.size)
        out = np.empty(n, np.float64)
        out_d = np.empty(n, np.float64)
        unheard = np.zeros(n, bool)
        if n == 0:
            return NoiseLevels(out, out_d, unheard)
        signal = np.asarray(loudness_dbfs) >= self.c.no_signal_dbfs  # digital silence: nothing
        voiceless = np.asarray(hnr_db) < self.c.noise_max_hnr_db
        heard = np.asarray(speech, bool)
        noise = ~heard & voiceless & signal
        track = self._rise_n > 0 and self.c.rise_voiceless_heard
        margin = self.c.rise_unheard_margin_db
        level = np.asarray(loudness_dbfs, np.float64)
        diff = (
            None
            if tilt_db is None
            else np.asarray(loudness_dbfs, np.float64) + np.asarray(tilt_db, np.float64)
        )
        a = 0
        while a < n:
            g = start + a
            b = min(n, a + self._seg - g % self._seg)
            out[a:b] = self._noise_dbfs
            out_d[a:b] = self._noise_diff_dbfs
            if self._gate_behind and margin > 0:
                unheard[a:b] = (
                    heard[a:b]
                    & voiceless[a:b]
                    & signal[a:b]
                    & (level[a:b] < self._noise_dbfs + margin)
                )
            m = noise[a:b]
            if m.any():
                self._cur.append(np.asarray(loudness_dbfs[a:b][m], np.float64))
                if diff is not None:
                    self._cur_d.append(diff[a:b][m])
            if track:
                # The rise track also reads the voiceless frames the gate calls speech.
                mv = heard[a:b] & voiceless[a:b] & signal[a:b]
                if mv.any():
                    self._cur_v.append(np.asarray(loudness_dbfs[a:b][mv], np.float64))
                    if diff is not None:
                        self._cur_vd.append(diff[a:b][mv])
                self._cur_voiced += int(np.count_nonzero(~voiceless[a:b] & signal[a:b]))
            if (start + b) % self._seg == 0:
                self._end_segment((start + b) // self._seg - 1)
            a = b
        return NoiseLevels(out, out_d, unheard)

    def _end_segment(self, seg: int) -> None:
        levels = np.concatenate(self._cur) if self._cur else np.zeros(0)
        diffs = np.concatenate(self._cur_d) if self._cur_d else np.zeros(0)
        self._cur, self._cur_d = [], []
        q = self.c.noise_quantile
        entry: tuple[int, float, float] | None = None
        if levels.size >= self._min:
            d = quantile_linear(diffs, q) if diffs.size == levels.size else NO_NOISE_DBFS
            entry = (seg, quantile_linear(levels, q), d)
            self._meds.append(entry)
        if self._rise_n:
            self._rise(seg, entry, levels, diffs)
        while self._meds and self._meds[0][0] <= seg - self._n_segs:
            self._meds.pop(0)
        if self._meds:
            # Minimum statistics (module notes); with no noise frame in the whole window (a
            # long turn) the last estimate holds. The difference level the same way.
            self._noise_dbfs = min(v for _, v, _ in self._meds)
            self._noise_diff_dbfs = min(d for _, _, d in self._meds)

    def _rise(
        self,
        seg: int,
        entry: tuple[int, float, float] | None,
        levels: np.ndarray,
        diffs: np.ndarray,
    ) -> None:
        """The fast rise track (``NoiseCompensationConfig.rise_confirm_s``): this segment's
        rise candidate joins the run of consecutive ones (or breaks it), and a run of
        ``rise_confirm_s`` standing ``rise_min_db`` over the estimate restarts the minimum
        statistics at the rise."""
        voiced, self._cur_voiced = self._cur_voiced, 0
        if entry is not None:
            self._gate_behind = False  # the gate reads the line's noise again
        quiet = np.concatenate(self._cur_v) if self._cur_v else np.zeros(0)
        quiet_d = np.concatenate(self._cur_vd) if self._cur_vd else np.zeros(0)
        self._cur_v, self._cur_vd = [], []
        cand = entry
        if cand is None and self.c.rise_voiceless_heard:
            # No (or too few) noise frames by the gate: all the frames with a signal, when
            # hardly any shows a voice.
            alls = np.concatenate([levels, quiet]) if levels.size else quiet
            if alls.size >= self._min and voiced <= self.c.rise_max_voiced_share * (
                alls.size + voiced
            ):
                all_d = np.concatenate([diffs, quiet_d]) if diffs.size else quiet_d
                q = self.c.noise_quantile
                d = quantile_linear(all_d, q) if all_d.size == alls.size else NO_NOISE_DBFS
                cand = (seg, quantile_linear(alls, q), d)
        if cand is not None and self.c.rise_max_spread_db > 0:
            used = (
                levels
                if cand is entry
                else (np.concatenate([levels, quiet]) if levels.size else quiet)
            )
            x = np.sort(used)
            iqr = quantile_of_sorted(x, 0.75) - quantile_of_sorted(x, 0.25)
            if iqr > self.c.rise_max_spread_db:
                cand = None  # not a steady noise: no candidate (a lasting rise is steady)
        if cand is None:
            self._run, self._rising = [], False
            return
        self._run = [*self._run[-(self._rise_n - 1) :], cand] if self._rise_n > 1 else [cand]
        if self._rising:
            if entry is None:  # the run of the rise confirmed goes on: it is the line's noise
                self._meds.append(cand)
            return
        if len(self._run) < self._rise_n or self._noise_dbfs <= NO_NOISE_DBFS:
            return
        if any(s != seg - self._rise_n + 1 + i for i, (s, _, _) in enumerate(self._run)):
            return
        if min(v for _, v, _ in self._run) < self._noise_dbfs + self.c.rise_min_db:
            return
        before = self._noise_dbfs
        self._meds = list(self._run)
        self._rising = True
        self._gate_behind = entry is None
        self.rises.append((seg, before, min(v for _, v, _ in self._run)))

    def compensate(
        self,
        start: int,
        loudness_dbfs: np.ndarray,
        speech: np.ndarray,
        hnr_db: np.ndarray,
        tilt_db: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """``voice_loudness_dbfs``, ``voice_hnr_db``, ``noise_dbfs`` and, given ``tilt_db``,
        ``voice_tilt_db`` of a block of one channel's frames (module notes), named as
        :class:`~.frames.PartyFrames` fields."""
        # Off, the tilt stays as measured: no noise tilt to estimate.
        tilt_db_in = None if self.c.tilt_max_noise_share <= 0 else tilt_db
        noise = self.push_levels(start, loudness_dbfs, speech, hnr_db, tilt_db_in)
        loud, hnr = voice_levels(loudness_dbfs, hnr_db, noise.level_dbfs, self.c)
        out = {
            "voice_loudness_dbfs": loud,
            "voice_hnr_db": hnr,
            "noise_dbfs": noise.level_dbfs.astype(np.float32),
        }
        if self.c.rise_unheard_margin_db > 0 and self._rise_n > 0:
            # The gate's speech less the new noise it still calls speech (module notes).
            out["speech"] = np.asarray(speech, bool) & ~noise.unheard
        if tilt_db is not None:
            out["voice_tilt_db"] = (
                np.asarray(tilt_db, np.float32)
                if tilt_db_in is None
                else voice_tilt(loudness_dbfs, tilt_db, noise.level_dbfs, noise.diff_dbfs, self.c)
            )
        return out


def quantile_linear(values: np.ndarray, q: float) -> float:
    """``float(np.quantile(values, q))`` (method "linear") of a non-empty 1-D float64 array, to
    the bit, without ``np.quantile``'s dispatch (its argument handling costs more than sorting
    a segment's few dozen levels; a live step ends two segments a second per party). The same
    steps as NumPy's: virtual index ``(n - 1) q``, its floor, the neighbours' values in sorted
    order, and NumPy's ``_lerp`` (``b - (b - a)(1 - t)`` from ``t`` 0.5 on, else
    ``a + (b - a) t``), in float64 as NumPy computes them. A NaN among the values (NumPy: NaN)
    goes to ``np.quantile`` itself."""
    x = np.sort(values)
    if math.isnan(x[-1]):  # NaNs sort last
        return float(np.quantile(values, q))
    return quantile_of_sorted(x, q)


def quantile_of_sorted(x: Sequence[float] | np.ndarray, q: float) -> float:
    """:func:`quantile_linear` of values already sorted ascending, none NaN (a list kept sorted
    as values come and go reads its quantile without sorting): the same float64 steps, so
    ``float(np.quantile(x, q))`` to the bit."""
    n = len(x)
    v = (n - 1) * float(q)
    prev = float(math.floor(v))
    if v >= n - 1:  # NumPy takes the last value twice, with gamma measured from index -1
        i0 = i1 = n - 1
        prev = -1.0
    elif v < 0:
        i0 = i1 = 0
        prev = 0.0
    else:
        i0 = int(prev)
        i1 = i0 + 1
    t = v - prev
    a, b = float(x[i0]), float(x[i1])
    d = b - a
    return b - d * (1.0 - t) if t >= 0.5 else a + d * t


class NoiseLevels(NamedTuple):
    """The line noise's estimate in force at each frame of a block (dBFS, float64)."""

    level_dbfs: np.ndarray
    """Its power ``Pn``."""
    diff_dbfs: np.ndarray
    """Its first difference's power ``Dn`` (its tilt is ``diff_dbfs - level_dbfs``)."""
    unheard: np.ndarray
    """Frames the gate calls speech that are the new noise after a rise the fast track read
    (``NoiseCompensationConfig.rise_unheard_margin_db``; all ``False`` without it)."""


def voice_tilt(
    loudness_dbfs: np.ndarray,
    tilt_db: np.ndarray,
    noise_dbfs: np.ndarray | float,
    noise_diff_dbfs: np.ndarray | float,
    config: NoiseCompensationConfig,
) -> np.ndarray:
    """The voice's own spectral tilt under a known noise (module notes); pure.
    ``tilt_max_noise_share`` 0: the tilt as measured."""
    if config.tilt_max_noise_share <= 0:
        return np.asarray(tilt_db, np.float32)
    tilt = np.asarray(tilt_db, np.float64)
    noise = np.asarray(noise_dbfs, np.float64)
    # The noise's share of the frame's power s = Pn / P, bounded, and q = (Dn / Pn) / (D / P),
    # the noise's difference-to-power ratio over the frame's: the voice's own D / P is the
    # frame's times (1 - s q) / (1 - s) (the same share's worth of noise comes out of the
    # difference power, at the noise's own tilt).
    share = np.minimum(
        10.0 ** ((noise - np.asarray(loudness_dbfs, np.float64)) / 10.0),
        config.tilt_max_noise_share,
    )
    q = 10.0 ** ((noise_diff_dbfs - noise - tilt) / 10.0)
    # Where the noise's share of the difference power reaches the whole of it (a voice far
    # duller than the noise, at its level) the bound holds the result.
    kept = np.maximum(1.0 - share * q, 1e-30) / (1.0 - share)
    bound = config.tilt_max_correction_db
    change = np.minimum(np.maximum(10.0 * np.log10(kept), -bound), bound)
    return (tilt + change).astype(np.float32)


def voice_levels(
    loudness_dbfs: np.ndarray,
    hnr_db: np.ndarray,
    noise_dbfs: np.ndarray | float,
    config: NoiseCompensationConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """The voice's own level and HNR under a known noise level (module notes); pure."""
    level = np.asarray(loudness_dbfs, np.float64)
    # Noise share of each frame's power, N / P.
    share = 10.0 ** ((np.asarray(noise_dbfs, np.float64) - level) / 10.0)
    max_cut = config.max_correction_db
    if max_cut <= 0:
        return (
            np.asarray(loudness_dbfs, np.float32),
            np.asarray(hnr_db, np.float32),
        )
    floor = 10.0 ** (-max_cut / 10.0)
    loud = level + 10.0 * np.log10(np.maximum(1.0 - share, floor))
    if config.hnr_noise_share_max <= 0:
        return loud.astype(np.float32), np.asarray(hnr_db, np.float32)
    # Only the share over ``hnr_min_noise_share`` is taken out (module notes).
    s = np.clip(share - config.hnr_min_noise_share, 0.0, config.hnr_noise_share_max)
    h = np.asarray(hnr_db, np.float64)
    d = 1.0 / (1.0 + 10.0 ** (h / 10.0))
    d_min = 1.0 / (1.0 + 10.0 ** (_HNR_MAX_DB / 10.0))
    d_voice = np.maximum((d - s) / (1.0 - s), d_min)
    hnr = np.clip(10.0 * np.log10((1.0 - d_voice) / d_voice), _HNR_MIN_DB, _HNR_MAX_DB)
    # Bounded like the level: where the noise's share nears the frame's whole aperiodic share
    # the difference is within the noise estimate's own error.
    hnr = np.minimum(hnr, h + config.hnr_max_correction_db)
    # Frames the front end clipped at the floor (not analysed) stay there.
    hnr = np.where(h <= _HNR_MIN_DB, h, hnr)
    return loud.astype(np.float32), hnr.astype(np.float32)


def correction_db(snr_db: float, max_correction_db: float) -> float:
    """How far a frame ``snr_db`` over the noise (voice + noise against noise alone) is
    lowered: the arithmetic of :func:`voice_levels`, for docs and tests."""
    share = 10.0 ** (-snr_db / 10.0)
    return -10.0 * math.log10(max(1.0 - share, 10.0 ** (-max_correction_db / 10.0)))
