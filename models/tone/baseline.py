"""A speaker's own normal: the yardstick for yelling and for a non-calm tone.

Telephone audio passes through automatic gain control and voices differ by an octave, so
calltone never judges absolute dBFS or Hz: it judges a speaker against their own first seconds of
voiced speech. The baseline starts from a weak prior (so a customer who escalates early is still
judged), settles on the speaker's own medians (plus, for the tone window's like-for-like
comparisons, the energy-mean level and the mean harmonics-to-noise ratio), then drifts slowly,
never from stretches that were flagged or that stand well above the current baseline.

**A line whose noise buries the calm voice.** The level prior (-30 dBFS, worth
``prior_weight_s``) leaves once the speaker has two seconds of voiced speech. Where the line's
noise sits at or just under the calm voice (a caller in the street, a line whose noise is set
by its loudest talk), the speech gate and the pitch tracker find only the louder syllables of
that voice, a few tenths of a second voiced per utterance, so the prior would stand for most of
the call, 20-30 dB over anything this speaker said calmly, and a shout, 15-25 dB over the
noise, would stand only a few dB over it (docs/benchmarks.md, issue 13, session 10: "Why the
're loud' AMR line does not move"). A calm voice at the prior's level would be 25 dB or more
over such a noise, and heard throughout. So when the line's noise is known
(:class:`~.noise.LineNoise`, measured for ``line_anchor_min_noise_s``: its minimum statistics
need a whole window, and a far voice read against a still-falling estimate looks near the
noise) and the speaker's voiced frames heard so far have their median between
``line_anchor_min_db_over_noise`` and ``line_anchor_max_db_over_noise`` over it (the speech
gate's relaxed and strict margins: a voice, but one the strict gate mostly misses), each level
prior is held at most at the same measure of what was heard, as heard (an upper bound of a
voice so near the noise). The prior's weight, the cold-start rule of the yelling detector
(hot frames need the absolute effort cue or 18 dB until two seconds are voiced) and the
exclusion of frames far over the baseline are unchanged; on a clean line, or one with the
voice well over the noise, nothing changes.

**A far caller whose calm voice the noise censors** (``censored_max_db_over_noise``, off by
default). Where the room's noise stands over most of a caller's calm voice, the speech gate
and the pitch tracker hear only its loudest syllables, while raised speech is heard whole: the
median of what was heard then stands over the calm voice by however much raised speech there
was, and a shout reads only a few dB over it (issue 13, session 12: RAVDESS many-clip calls
with the room noise 15 dB under the line's active level, the shouting's, which puts it 5-8 dB
over the calm voice). The sign of it is the quiet end of what is heard (the
``censored_quantile`` of the dominant voiced levels, as heard) lying at the noise (at most
``censored_max_db_over_noise`` over it, the noise measured for ``line_anchor_min_noise_s``);
the level baseline is then held at most at that quantile's voice level. It is off because a
calm far caller shows the same sign (a voice 10-14 dB over the noise has its quiet end there
too) and their lively syllables then stand 10 dB over it (docs/benchmarks.md, session 12).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from calltone.models.tone.config import BaselineConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.noise import NO_NOISE_DBFS

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
    loudness_spread_db: float = 4.0
    own_voiced_s: float | None = None
    from_profile: bool = False
    #: How far over the median voiced level (``loudness_dbfs``) the speaker's own voiced speech
    #: reaches, dB: their ``BaselineConfig.upper_quantile`` voiced level less their median,
    #: from the same dominant frames as the median and the spread (the top of their normal
    #: range in lively talk; ``YellingConfig.range_db_over_upper``). Blended with the prior's
    #: or a profile's spread read at that quantile (a normal range) while those stand in;
    #: None: not known (a hand-built snapshot).
    loudness_upper_db: float | None = None
    #: The median voice level (dBFS) of the speaker's last ``BaselineConfig.range_local_voiced_s``
    #: of learnt voiced speech (the dominant part): where their voice stands now, whatever
    #: the long-memory median still holds of a level before a step; None: not read (off, or
    #: nothing learnt yet). ``YellingConfig.range_local_median`` reads it.
    loudness_local_dbfs: float | None = None
    speech_leq_dbfs: float | None = None
    censored: bool = False
    #: Seconds of the speaker's own speech (voiced or not) behind the level statistics in
    #: this call (``SpeakerBaseline.own_speech_s``); None: not known (a saved profile).
    own_speech_s: float | None = None
    #: The 97th percentile (dBFS, as heard) of the speaker's speech frames in this call: the
    #: speech level counts the frames within ``BaselineConfig.dominant_range_db`` under it
    #: (quieter ones are other voices the microphone picked up); None until the speech level
    #: rests on the speaker's own speech (``AgentToneConfig.window_level_range_db``).
    speech_top_heard_dbfs: float | None = None
    #: The speaker's speech frames' voice level at each of :data:`SPEECH_LEVEL_QUANTILES`,
    #: less their energy mean (``speech_leq_dbfs`` of the same frames), dB: the shape of the
    #: speaker's own level distribution in this call, so the level of their loudest speech
    #: is ``speech_level_dbfs`` plus the entry (``AgentToneConfig.level_top_percentile``).
    #: None until the speaker has speech frames of their own (and from a saved profile).
    speech_quantiles_over_level_db: tuple[float, ...] | None = None
    #: The speaker's pitch spread read robustly, st: half the 16th-84th percentile range of
    #: their voiced pitch (the histogram the median pitch comes from), blended with the prior's
    #: spread as ``pitch_spread_st`` is. For normally spread pitch it equals the standard
    #: deviation ``pitch_spread_st``; a few frames an octave or more off (a narrowband pitch
    #: tracker's gross errors on a voice without its fundamental) widen the standard deviation
    #: by semitones and this by a fraction. None: not read (``AgentToneConfig.
    #: spread_scale_robust_share`` 0).
    pitch_spread_robust_st: float | None = None
    #: The median voice level of the speaker's own speech frames (the dominant part the speech
    #: level is read from) less that speech level (``speech_level_dbfs``), dB (<= 0 for most
    #: speech: an energy mean sits over the median). The energy mean is ruled by the loudest
    #: frames learnt, so a loud calm stretch (or one the yelling mask let in) lifts it by
    #: several dB while the median moves little (``AgentToneConfig.
    #: speech_level_max_db_over_median``). None: not read (off), or the speech level does not
    #: yet rest on the speaker's own speech (a prior or a saved profile stands in).
    speech_median_over_level_db: float | None = None

    @property
    def leq_dbfs(self) -> float:
        """Energy-mean level of voiced speech (dBFS); the median level until one is known."""
        return self.loudness_dbfs if self.loudness_leq_dbfs is None else self.loudness_leq_dbfs

    @property
    def speech_level_dbfs(self) -> float:
        """Energy-mean level of all the speaker's speech frames, voiced or not (dBFS); the
        voiced energy mean until one is known (a profile saved before it existed).

        The level yardstick that means the same on a telephone line: on a quiet or coded line
        the pitch tracker keeps only the loudest syllables of calm speech voiced (a third of
        them at -12 dB A-law against two thirds wideband) but most of a raised voice's, so a
        level over voiced frames alone reads calm speech several dB too loud and shrinks the
        contrast; the speech gate's frames are the same on both copies.
        """
        return self.leq_dbfs if self.speech_leq_dbfs is None else self.speech_leq_dbfs

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
            "loudness_spread_db": round(self.loudness_spread_db, 2),
            "speech_leq_dbfs": round(self.speech_level_dbfs, 2),
            "voiced_s": round(self.voiced_s, 2),
            "own_voiced_s": round(self.own_s, 2),
            "settled": self.settled,
            "from_profile": self.from_profile,
        }

    @property
    def own_s(self) -> float:
        """Seconds of the speaker's own voiced speech in this call behind the baseline."""
        return self.voiced_s if self.own_voiced_s is None else self.own_voiced_s


#: Quantiles of the speaker's speech-frame levels the baseline reports
#: (``BaselineSnapshot.speech_quantiles_over_level_db``).
SPEECH_LEVEL_QUANTILES = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)

_LOUD_EDGES = np.arange(-120.05, 0.1, 0.1)  # 0.1 dB bins centred on multiples of 0.1
_ST_EDGES = np.arange(-24.05, 48.1, 0.1)


class SpeakerBaseline:
    """Robust running baseline of one speaker, updated once per baseline tick.

    It keeps learning through the whole call: the speaker's unflagged voiced frames go into
    histograms (loudness, pitch) and sums (energy-mean level, pitch spread, tilt, HNR, pace) whose
    older content fades with a time constant of ``memory_voiced_s`` seconds of voiced speech.
    Medians and the loudness spread (half the 16th-84th percentile range) come from the
    histograms, so a speaker's wide normal range in lively conversation is part of the
    yardstick, not an excursion from it. Frames inside yelling or tone events never enter, nor
    frames ``exclude_above_db`` over the running median level.

    ``profile``: a saved voice profile of this speaker (an agent's baseline from earlier calls)
    that the call starts from; it counts as ``profile_weight_s`` seconds of speech and the
    baseline is trusted (``settled``) from the first frame. ``speech_quantiles``: report the
    speaker's speech-level quantiles (``BaselineSnapshot.speech_quantiles_over_level_db``);
    only ``AgentToneConfig.level_top_percentile`` reads them, so a call without it skips them.
    """

    def __init__(
        self,
        config: BaselineConfig,
        *,
        hop_s: float,
        profile: BaselineSnapshot | None = None,
        speech_quantiles: bool = True,
        pitch_spread_robust: bool = False,
        speech_median: bool = False,
    ) -> None:
        self.c = config
        self.hop_s = hop_s
        self._speech_quantiles = speech_quantiles
        self._speech_median = speech_median
        self._pitch_spread_robust = pitch_spread_robust
        self._loud_hist = np.zeros(_LOUD_EDGES.size - 1)
        self._st_hist = np.zeros(_ST_EDGES.size - 1)
        # Decayed sums: voiced frames, st, st^2, tilt, hnr; speech frames and nuclei.
        self._n = 0.0
        self._s_st = 0.0
        self._s_st2 = 0.0
        self._s_tilt = 0.0
        self._s_hnr = 0.0
        self._n_speech = 0.0
        self._n_nuclei = 0.0
        self._own_voiced_n = 0  # this call's voiced frames taken in (not decayed)
        # Level of every speech frame (voiced or not): its own histogram, fading with the
        # speech it has taken in, and this call's speech frames taken in (not decayed).
        self._sp_hist = np.zeros(_LOUD_EDGES.size - 1)
        self._own_speech_n = 0
        # Per level bin (the level as heard): the voiced frames' summed noise correction (dB,
        # voice level less the level heard) and voice-to-heard power ratio, and the speech
        # frames' power ratio (models/tone/noise.py); on a clean line 0 dB and 1.
        self._loud_db = np.zeros(_LOUD_EDGES.size - 1)
        self._loud_pow = np.zeros(_LOUD_EDGES.size - 1)
        # The voiced levels the top of the speaker's range is read from when
        # ``BaselineConfig.range_memory_voiced_s`` is on (``_upper_db``): the same frames and
        # bins as ``_loud_hist`` / ``_loud_db``, fading over that much voiced speech, emptied
        # at a line's level step and fed only by frames heard after it (``_rng_from``, a
        # global frame index), so the range never spans the levels before and after a step.
        self._rng_hist = np.zeros(_LOUD_EDGES.size - 1)
        self._rng_db = np.zeros(_LOUD_EDGES.size - 1)
        self._rng_from = 0
        # ``BaselineConfig.range_local_voiced_s``: the learnt voiced levels still needed for a
        # centred running median (``_loc``; ``_loc_next`` the first not yet read against one),
        # the histogram of levels over their local median, and the dominant part's floor as
        # heard at the last refresh (quieter frames are other voices: not in the median).
        self._loc = np.zeros(0)
        self._loc_next = 0
        self._rel_hist = np.zeros(_REL_EDGES.size - 1)
        self._dom_floor_heard = -math.inf
        self._sp_pow = np.zeros(_LOUD_EDGES.size - 1)
        # ``BaselineConfig.gain_shift_onset_lookback_s``: the frames learnt in the last that
        # much of the call (global index, level bin, voice level less the level heard, and the
        # histograms' summed fade when learnt; voiced, then speech frames), so a level step
        # moves only what was heard before it began (:meth:`shift_level`).
        self._fade_v = 0.0
        self._fade_sp = 0.0
        self._learnt: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, bool]] = []
        # The line's noise level (dBFS) last seen with the speaker's frames (models/tone/noise.py).
        self._noise_dbfs = NO_NOISE_DBFS
        self._noise_since = -1  # first frame (global index) with a noise estimate; -1: none yet
        self._frame_end = 0  # global index after the last frame taken in
        # The median voiced level as heard at the last refresh, and whether the level priors
        # were then held at what was heard (``_line_anchored``).
        self._med_heard = math.nan
        self._anchored = False
        # Whether the quiet end of the voice heard lies at the line's noise, and that level
        # as heard at the last refresh (``censored_max_db_over_noise``).
        self._censored = False
        self._quiet_heard = math.nan
        # The learnt voice's quiet end (16th percentile voice level, dBFS) and median pitch
        # (st), and the ticks of the quieter stretch heard under them since (voice level,
        # level as heard, pitch, voiced frames): ``BaselineConfig.rebase_db_under_own``.
        self._own_ref = (math.nan, math.nan)
        self._quieter: list[tuple[float, float, float, float]] = []
        # Voiced frames of the ticks that were not so low since the quieter stretch began
        # (``BaselineConfig.rebase_accumulate_break_voiced_s``).
        self._not_quieter_n = 0.0
        # Voice levels of the voiced frames heard in the other party's turns (hear_other_turn).
        self._other_hist = np.zeros(_LOUD_EDGES.size - 1)
        #: Times the early statistics were dropped for a quieter, lower stretch (_rebase_due).
        self.rebased = 0
        self.from_profile = profile is not None
        self.settled = profile is not None
        # Sum of the gain steps the level statistics were moved by (:meth:`shift_level`).
        self.level_shift_db = 0.0
        if profile is None:
            prior_st = float(hz_to_st(config.prior_pitch_hz))
            self.snapshot = BaselineSnapshot(
                loudness_dbfs=config.prior_loudness_dbfs,
                pitch_st=prior_st,
                pitch_spread_st=2.0,
                syllable_rate_per_s=4.0,
                tilt_db=0.0,
                voiced_s=0.0,
                settled=False,
                loudness_spread_db=config.prior_loudness_spread_db,
            )
        else:
            self.snapshot = replace(
                profile, voiced_s=0.0, own_voiced_s=0.0, settled=True, from_profile=True
            )
        # The prior's (or a profile's) upper range: its spread read at the upper quantile, as
        # for a normal distribution of levels (``loudness_upper_db``).
        self._upper_z = NormalDist().inv_cdf(min(max(config.upper_quantile, 0.5), 0.999))
        if self.snapshot.loudness_upper_db is None:
            self.snapshot = replace(
                self.snapshot,
                loudness_upper_db=self._upper_z * self.snapshot.loudness_spread_db,
            )
        self._prior = self.snapshot

    def _own_level(self, c: BaselineConfig) -> bool:
        """Whether the voiced statistics rest on the speaker's own voice (the prior has left).

        After twice ``prior_weight_s`` of the speaker's voiced speech; or, on a line whose pitch
        tracker voices half as many frames (quiet or coded), after twice that much of their
        speech with half that voiced time. A call's settling line noise, which the speech
        gate may take for speech, is seldom voiced, so it alone never sets the level.
        """
        voiced_s, speech_s = self.own_voiced_s, self.own_speech_s
        return voiced_s >= 2.0 * c.prior_weight_s or (
            speech_s >= 2.0 * c.prior_weight_s and voiced_s >= c.prior_weight_s
        )

    @property
    def level_on_prior(self) -> bool:
        """Whether the voiced level statistics still rest on the prior (no saved profile and
        too little of the speaker's own voiced speech learnt: :meth:`_own_level`)."""
        return not self.from_profile and not self._own_level(self.c)

    @property
    def own_speech_s(self) -> float:
        """Seconds of this speaker's own speech (voiced or not) taken into the level statistics
        in this call."""
        return self._own_speech_n * self.hop_s

    @property
    def own_voiced_s(self) -> float:
        """Seconds of this speaker's own voiced speech taken into the baseline in this call."""
        return self._own_voiced_n * self.hop_s

    def update(self, frames: PartyFrames, flagged: np.ndarray) -> None:
        """Fold one tick of the speaker's frames into the baseline.

        Frames that are ``flagged`` (inside a yelling or tone event; shape ``(n,)``) or stand
        more than ``exclude_above_db`` over the running median once it rests on the speaker's
        own speech are left out.
        """
        c = self.c
        snap = self.snapshot
        # The voice's own level and HNR: on a noisy line the noise is taken out, so the
        # baseline is the calm voice, not the voice plus the line (models/tone/noise.py).
        # Which frames are the speaker's dominant voice is still decided on the level as
        # heard (``raw_dbfs``): the histograms are binned on it and carry the voice's own
        # level and power per bin, so a calm frame the noise correction lowers far does not
        # drop out of the dominant range (and lift the baseline) while the tone window, which
        # has no such range, keeps it.
        raw_dbfs = frames.loudness_dbfs
        loudness_dbfs, pitch_st, voiced = frames.voice_loudness_dbfs, frames.pitch_st, frames.voiced
        speech, nucleus, tilt_db, hnr_db = (
            frames.speech,
            frames.nucleus,
            frames.tilt_db,
            frames.voice_hnr_db,
        )
        ok = voiced & ~flagged & np.isfinite(pitch_st)
        ok_speech = speech & ~flagged
        if frames.noise_dbfs.size:
            self._noise_dbfs = float(frames.noise_dbfs[-1])
            known = np.flatnonzero(frames.noise_dbfs > NO_NOISE_DBFS)
            if self._noise_since < 0 and known.size:
                self._noise_since = frames.start + int(known[0])
            self._frame_end = frames.start + frames.noise_dbfs.size
        if self._own_level(c) or self.from_profile:
            not_above = loudness_dbfs <= snap.loudness_dbfs + c.exclude_above_db
            ok &= not_above
            level_ok = ok_speech & not_above
        else:
            level_ok = ok_speech
            heard_s = float(self._sp_hist.sum()) * self.hop_s
            if c.young_exclude_above_db > 0 and heard_s >= c.young_exclude_min_speech_s:
                # Young: a frame far over what has been heard of the speaker is not learnt.
                (med_heard,) = _percentiles(self._sp_hist, _LOUD_EDGES, (0.5,))
                young_ok = raw_dbfs <= med_heard + c.young_exclude_above_db
                ok &= young_ok
                level_ok = ok_speech & young_ok
        k = int(ok.sum())
        k_sp = int(level_ok.sum())
        if k and self._rebase_due(loudness_dbfs[ok], raw_dbfs[ok], pitch_st[ok], tilt_db[ok]):
            self._forget_raised()
        if k_sp:
            if c.memory_voiced_s > 0:
                fade = math.exp(-k_sp * self.hop_s / c.memory_voiced_s)
                self._sp_hist *= fade
                self._sp_pow *= fade
                self._fade_sp += k_sp * self.hop_s / c.memory_voiced_s
            raw = raw_dbfs[level_ok].astype(np.float64)
            cut = loudness_dbfs[level_ok].astype(np.float64) - raw
            idx = _add(self._sp_hist, raw, _LOUD_EDGES)
            self._sp_pow += np.bincount(idx, 10.0 ** (cut / 10.0), self._sp_pow.size)
            if c.gain_shift_onset_lookback_s > 0:
                at = frames.start + np.flatnonzero(level_ok)
                self._learnt.append((at, idx, cut, self._fade_sp, False))
            self._own_speech_n += k_sp
        # Older speech fades: the decay follows the new voiced speech, so silence keeps it.
        if k and c.memory_voiced_s > 0:
            keep = math.exp(-k * self.hop_s / c.memory_voiced_s)
            self._loud_hist *= keep
            self._loud_db *= keep
            self._loud_pow *= keep
            self._fade_v += k * self.hop_s / c.memory_voiced_s
            self._st_hist *= keep
            self._n *= keep
            self._s_st *= keep
            self._s_st2 *= keep
            self._s_tilt *= keep
            self._s_hnr *= keep
            self._n_speech *= keep
            self._n_nuclei *= keep
        self._n_speech += float(ok_speech.sum())
        self._n_nuclei += float((nucleus & ok_speech).sum())
        if k == 0:
            # Without new voiced frames the statistics stand, but the line's noise estimate
            # moves (and gets its full window): the anchor is re-read as it would be now.
            anchored = not self.from_profile and self._line_anchored(self._med_heard)
            censored = not self.from_profile and self._voice_censored(self._quiet_heard)
            if self._n > 0 and (k_sp or anchored != self._anchored or censored != self._censored):
                self._refresh()
            return
        lo = loudness_dbfs[ok].astype(np.float64)
        voiced_st = pitch_st[ok].astype(np.float64)
        raw = raw_dbfs[ok].astype(np.float64)
        idx = _add(self._loud_hist, raw, _LOUD_EDGES)
        self._loud_db += np.bincount(idx, lo - raw, self._loud_db.size)
        if c.gain_shift_onset_lookback_s > 0:
            self._learnt.append(
                (frames.start + np.flatnonzero(ok), idx, lo - raw, self._fade_v, True)
            )
            oldest = self._frame_end - round(c.gain_shift_onset_lookback_s / self.hop_s)
            while self._learnt and self._learnt[0][0][-1] < oldest:
                self._learnt.pop(0)
        if c.range_memory_voiced_s > 0:
            heard_after = frames.start + np.flatnonzero(ok) >= self._rng_from
            k_rng = int(heard_after.sum())
            if k_rng:
                fade_rng = math.exp(-k_rng * self.hop_s / c.range_memory_voiced_s)
                self._rng_hist *= fade_rng
                self._rng_db *= fade_rng
                sel = idx[heard_after]
                self._rng_hist += np.bincount(sel, minlength=self._rng_hist.size)
                self._rng_db += np.bincount(sel, (lo - raw)[heard_after], self._rng_db.size)
        self._loud_pow += np.bincount(idx, 10.0 ** ((lo - raw) / 10.0), self._loud_pow.size)
        if c.range_local_voiced_s > 0:
            self._learn_local(lo[raw >= self._dom_floor_heard])
        _add(self._st_hist, voiced_st, _ST_EDGES)
        self._n += k
        self._s_st += float(voiced_st.sum())
        self._s_st2 += float((voiced_st * voiced_st).sum())
        self._s_tilt += float(tilt_db[ok].sum())
        self._s_hnr += float(hnr_db[ok].sum())
        self._own_voiced_n += k
        self._refresh()

    def _refresh(self) -> None:
        c = self.c
        n_s = self._n * self.hop_s  # decayed voiced seconds in the statistics
        own_s = self.own_voiced_s
        p = self._prior
        mean_st = self._s_st / self._n
        spread_st = math.sqrt(max(self._s_st2 / self._n - mean_st**2, 0.0)) if self._n >= 2 else 2.0
        # The speaker's own voice is the loud part of what the microphone hears: level
        # statistics use only frames within ``dominant_range_db`` of the 97th percentile, so
        # other voices picked up far quieter (a colleague behind a headset, the other people in
        # a meeting) do not become this speaker's normal.
        # Bins are the level as heard; the values read from them are the voice's own (the
        # mean voice level of the frames in a percentile's bin, the voice's energy mean).
        own = _dominant(self._loud_hist, c.dominant_range_db)
        if c.range_local_voiced_s > 0:
            self._dom_floor_heard = float(_LOUD_CENTRES[int(np.argmax(own > 0))]) - 0.05
        k_pct = _percentile_bins(own, (0.16, 0.5, 0.84))
        p16, med_lo, p84 = (
            float(_LOUD_CENTRES[k] + self._loud_db[k] / self._loud_hist[k]) for k in k_pct
        )
        med_heard = float(_LOUD_CENTRES[k_pct[1]])  # the median voiced level as heard
        leq = _hist_leq(own, self._loud_pow)
        # The top of the speaker's own range (``BaselineConfig.upper_quantile``) over the median.
        upper_db = self._upper_db(own, med_lo, (p84 - p16) / 2.0)
        own_sp = _dominant(self._sp_hist, c.dominant_range_db) if self._sp_hist.any() else None
        sp_leq = _hist_leq(own_sp, self._sp_pow) if own_sp is not None else leq
        sp_top = (
            _percentiles(self._sp_hist, _LOUD_EDGES, (0.97,))[0] if own_sp is not None else None
        )
        n_sp_s = float(self._sp_hist.sum()) * self.hop_s
        sp_q = (
            _speech_quantiles(self._sp_hist, self._sp_pow, sp_leq)
            if own_sp is not None and not self.from_profile and self._speech_quantiles
            else None
        )
        sp_med = None
        if self._speech_median and own_sp is not None and not self.from_profile:
            # The median voice level of the speaker's own speech frames, less their energy mean.
            (k_med,) = _percentile_bins(own_sp, (0.5,))
            ratio = self._sp_pow[k_med] / self._sp_hist[k_med]
            sp_med = float(_LOUD_CENTRES[k_med]) + 10.0 * math.log10(max(ratio, 1e-30)) - sp_leq
        (med_st,) = _percentiles(self._st_hist, _ST_EDGES, (0.5,))
        robust_st = None
        if self._pitch_spread_robust:
            st16, st84 = _percentiles(self._st_hist, _ST_EDGES, (0.16, 0.84))
            robust_st = (st84 - st16) / 2.0 if self._n >= 2 else 2.0
        if not self._quieter:  # held while a quieter stretch is being heard (_rebase_due)
            self._own_ref = (p16, med_st)
        rate = self._n_nuclei / max(self._n_speech * self.hop_s, 1e-9)
        if self.from_profile:
            w_lo = w_st = c.profile_weight_s
        else:
            # The prior stands in only until the speaker's own speech can: levels are in dBFS,
            # which depend on the recording's gain, so a -30 dBFS prior kept in the blend pulled
            # a -50 dBFS speaker's baseline 2-5 dB up after 3-7 s of speech.
            # The voiced statistics leave it on voiced time: a call's first seconds of line
            # noise the speech gate takes for speech (a settling noise floor) must not become
            # the level yelling is judged against. The speech level leaves it on speech time,
            # which the gate finds alike on every line (voiced time halves on a quiet or coded
            # one, and a -30 dBFS prior kept in the blend pulled a -12 dB line's level ~10 dB
            # up); noise far under the voice falls out of it by the dominant range.
            w_lo = 0.0 if self._own_level(c) else c.prior_weight_s
            w_st = c.prior_pitch_weight_s
        if self.from_profile:
            w_sp = c.profile_weight_s
        else:
            w_sp = c.prior_weight_s if self.own_speech_s < 2.0 * c.prior_weight_s else 0.0
        # On a line whose noise buries the speaker's calm voice the prior would stand for most
        # of the call, and far over what has been heard (module notes, ``_line_anchored``).
        prior_lo, prior_leq, prior_sp = p.loudness_dbfs, p.leq_dbfs, p.speech_level_dbfs
        self._med_heard = med_heard
        self._anchored = not self.from_profile and self._line_anchored(med_heard)
        if self._anchored:
            # Each level prior is held at most at the same measure of what was heard (levels
            # as heard: the upper bound of a voice so near the noise, whose own level after the
            # noise correction is uncertain by several dB).
            prior_lo = min(prior_lo, med_heard)
            prior_leq = min(prior_leq, _hist_leq(own, own))
            if own_sp is not None:
                prior_sp = min(prior_sp, _hist_leq(own_sp, own_sp))
        level = _blend(prior_lo, med_lo, w_lo, n_s)
        k_q = _percentile_bins(own, (c.censored_quantile,))[0]
        quiet_heard = float(_LOUD_CENTRES[k_q])
        q_voice = float(_LOUD_CENTRES[k_q] + self._loud_db[k_q] / self._loud_hist[k_q])
        self._quiet_heard = quiet_heard
        self._censored = not self.from_profile and self._voice_censored(quiet_heard)
        if self._censored:
            # The quiet end of what is heard lies at the line's noise: the calm voice is heard
            # only in its loudest syllables, raised speech whole (module notes).
            level = min(level, q_voice)
        self.snapshot = BaselineSnapshot(
            loudness_dbfs=level,
            pitch_st=_blend(p.pitch_st, med_st, w_st, n_s),
            pitch_spread_st=_blend(p.pitch_spread_st, spread_st, w_st, n_s),
            syllable_rate_per_s=_blend(p.syllable_rate_per_s, rate, w_lo or w_st, n_s),
            tilt_db=_blend(
                p.tilt_db, self._s_tilt / self._n, w_st if self.from_profile else 0.0, n_s
            ),
            voiced_s=own_s + (c.profile_weight_s if self.from_profile else 0.0),
            settled=self.from_profile or own_s >= c.settle_voiced_s,
            hnr_db=_blend(p.hnr_db, self._s_hnr / self._n, w_st if self.from_profile else 0.0, n_s),
            loudness_leq_dbfs=_blend(prior_leq, leq, w_lo, n_s),
            loudness_spread_db=_blend(p.loudness_spread_db, (p84 - p16) / 2.0, w_lo, n_s),
            loudness_upper_db=_blend(
                self._upper_z * p.loudness_spread_db
                if p.loudness_upper_db is None
                else p.loudness_upper_db,
                upper_db,
                w_lo,
                n_s,
            ),
            loudness_local_dbfs=self._local_median(),
            own_voiced_s=own_s,
            from_profile=self.from_profile,
            speech_leq_dbfs=_blend(prior_sp, sp_leq, w_sp, max(n_sp_s, 1e-9)),
            censored=self._censored,
            own_speech_s=self.own_speech_s,
            speech_top_heard_dbfs=sp_top if w_sp == 0.0 and not self.from_profile else None,
            speech_quantiles_over_level_db=sp_q,
            pitch_spread_robust_st=(
                None if robust_st is None else _blend(p.pitch_spread_st, robust_st, w_st, n_s)
            ),
            speech_median_over_level_db=sp_med if w_sp == 0.0 else None,
        )
        self.settled = self.snapshot.settled

    def _take_learnt(self, since: int, sign: float) -> None:
        """Take out of (``sign`` -1) or put back into (+1) the level histograms the frames
        learnt from global index ``since`` on (``gain_shift_onset_lookback_s``), at the weight
        their fading has left them."""
        for at, bins, cut, fade_at, voiced in self._learnt:
            sel = at >= since
            if not sel.any():
                continue
            b, d = bins[sel], cut[sel]
            w = sign * math.exp(-((self._fade_v if voiced else self._fade_sp) - fade_at))
            hists = (
                (self._loud_hist, self._loud_db, self._loud_pow)
                if voiced
                else (self._sp_hist, None, self._sp_pow)
            )
            n = hists[0].size
            hists[0][:] += w * np.bincount(b, minlength=n)
            if hists[1] is not None:
                hists[1][:] += w * np.bincount(b, d, n)
            hists[2][:] += w * np.bincount(b, 10.0 ** (d / 10.0), n)
        if sign < 0:
            for h, parts in (
                (self._loud_hist, (self._loud_db, self._loud_pow)),
                (self._sp_hist, (self._sp_pow,)),
            ):
                empty = h <= 1e-9
                h[empty] = 0.0
                for q in parts:
                    q[empty] = 0.0

    def shift_level(
        self,
        shift_db: float,
        *,
        heard_from: int | None = None,
        since: int | None = None,
        level_dbfs: float | None = None,
    ) -> float:
        """Move the level statistics ``shift_db`` up (a line whose gain stepped up:
        :mod:`models.tone.gain`); the pitch, tilt, HNR and pace statistics stay. Levels are
        kept in 0.1 dB bins, so the shift is rounded to one.

        ``heard_from``: the global frame index the step was read at; with
        ``range_memory_voiced_s`` on, the range's statistics start again from the frames
        heard from there (frames heard before it, still waiting to be learnt, stand at
        either level).

        ``since``: the global index the step began at (``gain_shift_onset_lookback_s``): the
        frames learnt from there on were heard at the new level and stay; the older ones
        move so that their median voice level lands at ``level_dbfs`` (the median level of
        the voice heard since, :class:`~models.tone.gain.GainShift`; without it the baseline's
        median plus ``shift_db``). Returns the move made (dB)."""
        k = round(shift_db * 10.0)
        taken = False
        if since is not None and self.c.gain_shift_onset_lookback_s > 0 and self._n > 0:
            target = self.snapshot.loudness_dbfs + shift_db if level_dbfs is None else level_dbfs
            self._take_learnt(since, -1.0)
            taken = True
            if self._loud_hist.sum() * self.hop_s >= 0.1:
                own = _dominant(self._loud_hist, self.c.dominant_range_db)
                (k50,) = _percentile_bins(own, (0.5,))
                med = float(_LOUD_CENTRES[k50] + self._loud_db[k50] / self._loud_hist[k50])
                k = round((target - med) * 10.0)
            else:
                k = 0
        if k == 0 or self._n <= 0:
            if since is not None and taken:
                self._take_learnt(since, 1.0)
                self._refresh()
            return 0.0
        if self.c.range_memory_voiced_s > 0:
            self._rng_hist[:] = 0.0
            self._rng_db[:] = 0.0
            if heard_from is not None:
                self._rng_from = max(self._rng_from, heard_from)
        for h in (self._loud_hist, self._loud_db, self._loud_pow, self._sp_hist, self._sp_pow):
            moved = np.zeros_like(h)
            if k > 0:
                moved[k:] = h[:-k]
            else:
                moved[:k] = h[-k:]
            h[:] = moved
        if since is not None and taken:
            self._take_learnt(since, 1.0)
        self.level_shift_db += k / 10.0
        self._refresh()
        return k / 10.0

    def _upper_db(self, own: np.ndarray, med_lo: float, spread_db: float) -> float:
        """How far over the median the top of the speaker's own range reaches, dB
        (``BaselineConfig.upper_quantile``; ``loudness_upper_db``).

        ``own``: the dominant part of the long-memory voiced-level histogram, ``med_lo`` its
        median voice level, ``spread_db`` its half p16-p84 width. With
        ``range_memory_voiced_s`` off, that histogram's quantile over its median. On, the
        range's own recent histogram's quantile over its own median: before any level step
        from the first frame; after one (the histogram starts empty) once it holds
        ``range_min_voiced_s`` of voiced speech, and until then the spread read at the quantile
        as for a normal distribution (a p16-p84 width hardly moves for the few frames of the
        far level a step leaves in the long-memory histogram, which its top quantile takes
        whole).
        """
        c = self.c
        if c.range_local_voiced_s > 0:
            rel = self._local_rel()
            if rel.sum() * self.hop_s >= c.range_min_voiced_s:
                ks = _percentile_bins(rel, (0.5, c.upper_quantile))
                return float(_REL_CENTRES[ks[1]] - _REL_CENTRES[ks[0]])
        if c.range_memory_voiced_s <= 0:
            (k_up,) = _percentile_bins(own, (c.upper_quantile,))
            return float(_LOUD_CENTRES[k_up] + self._loud_db[k_up] / self._loud_hist[k_up]) - med_lo
        held_s = float(self._rng_hist.sum()) * self.hop_s
        if held_s <= 0 or (self._rng_from > 0 and held_s < c.range_min_voiced_s):
            return self._upper_z * spread_db
        rng = _dominant(self._rng_hist, c.dominant_range_db)
        ks = _percentile_bins(rng, (0.5, c.upper_quantile))
        med, top = (float(_LOUD_CENTRES[k] + self._rng_db[k] / self._rng_hist[k]) for k in ks)
        return top - med

    def _learn_local(self, levels: np.ndarray) -> None:
        """Take this tick's learnt voiced levels (voice level, dBFS; the dominant part only)
        into the histogram of levels over their local median
        (``BaselineConfig.range_local_voiced_s``).

        A frame is read once half the window of voiced frames has followed it, against the
        median of the window centred on it; in chunks of ``_LOCAL_CHUNK`` frames, each against
        the window centred on the chunk (one median per chunk: a step's edge lands at most a
        chunk off). The histogram fades as the long-memory one does.
        """
        c = self.c
        if not levels.size:
            return
        half = max(1, round(c.range_local_voiced_s / (2.0 * self.hop_s)))
        loc = np.concatenate((self._loc, levels))
        nxt = self._loc_next
        last = loc.size - 1 - half  # the last frame with a whole half window after it
        if last >= nxt:
            parts = []
            for a in range(nxt, last + 1, _LOCAL_CHUNK):
                b = min(a + _LOCAL_CHUNK, last + 1)
                m = (a + b) // 2
                ref = _median(loc[max(0, m - half) : m + half + 1])
                parts.append(loc[a:b] - ref)
            rel = np.concatenate(parts)
            if c.memory_voiced_s > 0:
                self._rel_hist *= math.exp(-rel.size * self.hop_s / c.memory_voiced_s)
            _add(self._rel_hist, rel, _REL_EDGES)
            nxt = last + 1
        # Frames no later median reaches, keeping a whole window for the local median.
        drop = max(0, min(nxt - half, loc.size - 2 * half))
        self._loc = loc[drop:]
        self._loc_next = nxt - drop

    def _local_rel(self) -> np.ndarray:
        """The histogram of learnt voiced levels over their local median
        (``range_local_voiced_s``): the frames read against a whole centred window, and the
        latest ones, still short of half a window after them, against the window centred on
        them as far as it reaches (from half a window before the first of them to the last
        frame learnt)."""
        pend = self._loc[self._loc_next :]
        if not pend.size:
            return self._rel_hist
        half = max(1, round(self.c.range_local_voiced_s / (2.0 * self.hop_s)))
        ref = _median(self._loc[max(0, self._loc_next - half) :])
        rel = self._rel_hist.copy()
        _add(rel, pend - ref, _REL_EDGES)
        return rel

    def _local_median(self) -> float | None:
        """The median of the last ``range_local_voiced_s`` of learnt voiced levels (dBFS);
        None when off or none is held (``BaselineSnapshot.loudness_local_dbfs``)."""
        w = self.c.range_local_voiced_s
        if w <= 0 or not self._loc.size:
            return None
        return _median(self._loc[-max(1, round(w / self.hop_s)) :])

    def _voice_censored(self, quiet_heard_dbfs: float) -> bool:
        """Whether the quiet end of the speaker's heard voice lies at the line's noise.

        ``quiet_heard_dbfs``: the ``censored_quantile`` of the voiced-level histogram's dominant
        part (the level as heard). True when the line's noise has been measured for
        ``line_anchor_min_noise_s`` and that level stands at most
        ``censored_max_db_over_noise`` over the noise's latest level (module notes);
        ``censored_max_db_over_noise`` 0 turns it off.
        """
        c = self.c
        if c.censored_max_db_over_noise <= 0 or self._noise_since < 0:
            return False
        if (self._frame_end - self._noise_since) * self.hop_s < c.line_anchor_min_noise_s:
            return False
        return quiet_heard_dbfs - self._noise_dbfs <= c.censored_max_db_over_noise

    def _line_anchored(self, median_heard_dbfs: float) -> bool:
        """Whether the speaker's voiced speech heard so far sits just over the line's noise.

        ``median_heard_dbfs``: the median of the voiced-level histogram's dominant part (the
        level as heard). True when the
        line's noise has been measured for ``line_anchor_min_noise_s`` and the median voiced
        frame stands between ``line_anchor_min_db_over_noise`` and
        ``line_anchor_max_db_over_noise`` over its latest level: the speaker's calm voice is
        barely over the noise, the speech gate and the pitch tracker find only its louder
        syllables, and the voiced time that lets the prior go accrues a few tenths of a second
        per utterance (module notes). ``line_anchor_max_db_over_noise`` 0 turns it off.
        """
        c = self.c
        if c.line_anchor_max_db_over_noise <= 0 or self._noise_since < 0:
            return False
        if (self._frame_end - self._noise_since) * self.hop_s < c.line_anchor_min_noise_s:
            return False
        over = median_heard_dbfs - self._noise_dbfs
        return c.line_anchor_min_db_over_noise <= over <= c.line_anchor_max_db_over_noise

    def hear_other_turn(self, frames: PartyFrames, other_turn: np.ndarray) -> None:
        """Note the voiced frames heard in this speaker's channel while the other party talks
        (``other_turn``, shape ``(n,)``: the other's speech frames, less those where this
        speaker holds their own turn by the floor rule, ``other_turn_floor_spreads``, when it
        is on): other voices in their microphone (a neighbour, a meeting's other talkers), or
        their own interjections. A quieter
        stretch no more than ``rebase_db_over_other`` over these is not taken for the
        speaker's calmer voice (:meth:`_rebase_due`). Only while a rebase can happen."""
        if self.c.rebase_max_own_voiced_s <= 0 or self.from_profile:
            return
        if self.own_voiced_s >= self.c.rebase_max_own_voiced_s:
            return
        sel = other_turn & frames.voiced & np.isfinite(frames.pitch_st)
        if sel.any():
            _add(self._other_hist, frames.voice_loudness_dbfs[sel].astype(np.float64), _LOUD_EDGES)

    def _rebase_due(
        self,
        level_dbfs: np.ndarray,
        heard_dbfs: np.ndarray,
        pitch_st: np.ndarray,
        tilt_db: np.ndarray,
    ) -> bool:
        """Whether the speaker's learnt early voice was raised speech, not their normal.

        ``level_dbfs``, ``heard_dbfs``, ``pitch_st``, ``tilt_db``: this tick's learnt voiced
        frames (voice level, level as heard, pitch, spectral tilt). While the speaker's own
        voice behind the baseline is young (under ``rebase_max_own_voiced_s`` voiced), a
        stretch of ``rebase_min_voiced_s`` of their voiced speech whose every tick has its
        median level ``rebase_db_under_own`` or more under the learnt voice's quiet end (its
        16th percentile level), its median pitch ``rebase_st_under_own`` or more under the
        learnt median pitch and its mean tilt ``rebase_tilt_db_under_own`` or more under the
        learnt mean tilt (no brighter) says the early voice, heard against this one, was itself
        raised: even its quiet end would be yelling against it, louder and higher together
        (vocal effort, not a line's gain), and brighter. A tick with voiced speech that is not
        so low breaks the stretch; the reference is held while a stretch is heard. With
        ``rebase_accumulate_break_voiced_s`` above 0 the stretch accumulates across utterances:
        ticks that are not so low break it only once their voiced frames since it began add
        up to that much (a line whose noise buries the calm voice gives a tenth of a second
        voiced per calm utterance, and a syllable of it the noise lifts must not undo the
        others). Flagged frames never enter (the caller passes only learnt frames).
        """
        c = self.c
        if (
            c.rebase_max_own_voiced_s <= 0
            or self.from_profile
            or self.own_voiced_s >= c.rebase_max_own_voiced_s
            or not np.isfinite(self._own_ref[0])
        ):
            return False
        quiet_lo, med_st = self._own_ref
        tick = (
            float(np.median(level_dbfs)),
            float(np.median(heard_dbfs)),
            float(np.median(pitch_st)),
            float(level_dbfs.size),
        )
        n = max(self._n, 1e-9)
        darker = float(np.mean(tilt_db)) <= self._s_tilt / n - c.rebase_tilt_db_under_own
        if self._other_hist.sum() * self.hop_s >= c.rebase_other_min_voiced_s:
            # Other voices this channel hears: the stretch must stand over them.
            (other_lo,) = _percentiles(self._other_hist, _LOUD_EDGES, (0.5,))
            foreground = tick[0] >= other_lo + c.rebase_db_over_other
        else:
            foreground = True
        if (
            foreground
            and tick[0] <= quiet_lo - c.rebase_db_under_own
            and tick[2] <= med_st - c.rebase_st_under_own
            and darker
        ):
            if not self._quieter:
                self._not_quieter_n = 0.0
            self._quieter.append(tick)
        elif self._quieter and c.rebase_accumulate_break_voiced_s > 0:
            # Accumulating: the stretch stands until the ticks that are not so low add up.
            self._not_quieter_n += tick[3]
            if self._not_quieter_n * self.hop_s >= c.rebase_accumulate_break_voiced_s:
                self._quieter = []
                self._not_quieter_n = 0.0
        else:
            self._quieter = []
        return sum(t[3] for t in self._quieter) * self.hop_s >= c.rebase_min_voiced_s

    def _forget_raised(self) -> None:
        """Drop from the learnt statistics what would be yelling against the quieter stretch
        :meth:`_rebase_due` found (levels ``rebase_db_under_own`` over its median, pitches
        ``rebase_st_under_own`` over its median): the early raised voice goes, what of the
        early voice was not raised stays. The tilt, HNR and pace sums keep their means and
        shrink with the pitch frames kept; the speaker's own time counts stay, so the level
        prior and the yelling cold start do not come back."""
        self._learnt.clear()  # gain_shift_onset_lookback_s: what they weighed is gone
        c = self.c
        q = np.array(self._quieter)
        w = q[:, 3]
        voice, heard, st = (float(np.average(q[:, i], weights=w)) for i in range(3))
        with np.errstate(divide="ignore", invalid="ignore"):
            bin_voice = np.where(
                self._loud_hist > 0, _LOUD_CENTRES + self._loud_db / self._loud_hist, -np.inf
            )
        drop = bin_voice > voice + c.rebase_db_under_own
        for a in (self._loud_hist, self._loud_db, self._loud_pow, self._rng_hist, self._rng_db):
            a[drop] = 0.0
        # The range around the local median starts again (``range_local_voiced_s``).
        self._rel_hist[:] = 0.0
        self._loc = np.zeros(0)
        self._loc_next = 0
        drop_sp = heard + c.rebase_db_under_own < _LOUD_CENTRES
        self._sp_hist[drop_sp] = 0.0
        self._sp_pow[drop_sp] = 0.0
        n_before = float(self._st_hist.sum())
        self._st_hist[st + c.rebase_st_under_own < _ST_CENTRES] = 0.0
        self._n = float(self._st_hist.sum())
        self._s_st = float(np.sum(self._st_hist * _ST_CENTRES))
        self._s_st2 = float(np.sum(self._st_hist * _ST_CENTRES**2))
        kept = self._n / n_before if n_before > 0 else 0.0
        self._s_tilt *= kept
        self._s_hnr *= kept
        self._n_speech *= kept
        self._n_nuclei *= kept
        self._own_ref = (math.nan, math.nan)
        self._quieter = []
        self._not_quieter_n = 0.0
        self.rebased += 1


_LOUD_CENTRES = (_LOUD_EDGES[:-1] + _LOUD_EDGES[1:]) / 2.0
# Levels over their local median (``BaselineConfig.range_local_voiced_s``), 0.1 dB bins.
_REL_EDGES = np.arange(-60.05, 60.1, 0.1)
_REL_CENTRES = (_REL_EDGES[:-1] + _REL_EDGES[1:]) / 2.0
_LOCAL_CHUNK = 50  # frames read against one centred median (0.5 s of voiced speech)
_ST_CENTRES = (_ST_EDGES[:-1] + _ST_EDGES[1:]) / 2.0


def _dominant(hist: np.ndarray, range_db: float) -> np.ndarray:
    """The part of a loudness histogram within ``range_db`` of its 97th percentile."""
    (p97,) = _percentiles(hist, _LOUD_EDGES, (0.97,))
    lo_bin = int(np.searchsorted(_LOUD_EDGES, p97 - range_db, side="right")) - 1
    own = hist.copy()
    own[: max(lo_bin, 0)] = 0.0
    return own


def median_exact(x: np.ndarray | list[float]) -> float:
    """``float(np.median(x))`` to the bit, for a non-empty float64 array or list of floats, by
    sorting: the middle value, or the two middle ones' sum halved, as numpy's mean of the two
    gives it. A few times cheaper than numpy's median on the tens to hundreds of values the
    per-tick readings take (its Python-level wrapping costs more than the work). Anything it
    could give otherwise is left to numpy: another dtype (numpy's mean of two float32 values
    is taken in float32), a NaN anywhere, a zero (whose sign numpy's sum may set otherwise)."""
    if isinstance(x, np.ndarray):
        if x.dtype != np.float64 or x.ndim != 1 or not x.size:
            return float(np.median(x))
        a = np.sort(x)
        if math.isnan(a[-1]):  # NaNs sort last
            return float(np.median(x))
        n = a.size
        k = n // 2
        m = float(a[k]) if n % 2 else (float(a[k - 1]) + float(a[k])) / 2.0
    else:
        s = sorted(x)
        n = len(s)
        if not n or math.isnan(sum(s)):  # (NaNs do not sort)
            return float(np.median(x))
        k = n // 2
        m = float(s[k]) if n % 2 else (s[k - 1] + s[k]) / 2.0
    return m if m != 0.0 else float(np.median(x))


def _median(x: np.ndarray) -> float:
    """The (upper) median of a non-empty array, by partition (``range_local_voiced_s``: a few
    per baseline tick)."""
    k = x.size // 2
    return float(np.partition(x, k)[k])


def _hist_leq(hist: np.ndarray, ratio: np.ndarray) -> float:
    """Energy-mean voice level (dBFS) of the frames a loudness histogram holds: each bin's
    level as heard times its frames' summed voice-to-heard power ratio (``ratio``; bins
    ``hist`` zeroes are left out)."""
    keep = hist > 0
    k_top = keep.size - 1 - int(np.argmax(keep[::-1]))  # the centres rise: the top kept bin's
    if not keep[k_top]:
        raise ValueError("an empty histogram has no energy mean")
    top = float(_LOUD_CENTRES[k_top])
    w = np.where(keep, ratio, 0.0)
    return top + 10.0 * math.log10(max(float(np.sum(w * _power_under(k_top)) / hist.sum()), 1e-30))


@functools.lru_cache(maxsize=256)
def _power_under(k_top: int) -> np.ndarray:
    """Each loudness bin's power relative to bin ``k_top``'s centre (:func:`_hist_leq`; the
    same few tops recur tick after tick, each a 1201-bin power to compute)."""
    top = float(_LOUD_CENTRES[k_top])
    out = 10.0 ** ((_LOUD_CENTRES - top) / 10.0)
    out.setflags(write=False)
    return out


def _add(hist: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Count ``values`` into ``hist``; returns each value's bin."""
    idx = edges.searchsorted(values, side="right")
    idx -= 1
    # np.clip's Python wrapping costs more than the work on a tick's few values
    np.maximum(idx, 0, out=idx)
    np.minimum(idx, hist.size - 1, out=idx)
    hist += np.bincount(idx, minlength=hist.size)
    return idx


_SPEECH_QS = np.array(SPEECH_LEVEL_QUANTILES)


def _speech_quantiles(hist: np.ndarray, ratio: np.ndarray, leq_dbfs: float) -> tuple[float, ...]:
    """Voice level (dBFS) at each of :data:`SPEECH_LEVEL_QUANTILES` of a speech-level
    histogram (bins as heard, ``ratio`` the bins' summed voice-to-heard power ratio) less
    ``leq_dbfs`` (``BaselineSnapshot.speech_quantiles_over_level_db``)."""
    cs = np.cumsum(hist)
    k = np.minimum(np.searchsorted(cs, _SPEECH_QS * cs[-1]), hist.size - 1)
    return tuple((_LOUD_CENTRES[k] + 10.0 * np.log10(ratio[k] / hist[k]) - leq_dbfs).tolist())


def _percentile_bins(hist: np.ndarray, qs: tuple[float, ...]) -> list[int]:
    """Index of the bin holding each quantile ``q`` of a weighted histogram."""
    cs = np.cumsum(hist)
    return [min(int(np.searchsorted(cs, q * cs[-1])), hist.size - 1) for q in qs]


def _percentiles(hist: np.ndarray, edges: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Bin centres holding each quantile ``q`` of a weighted histogram."""
    cs = np.cumsum(hist)
    total = cs[-1]
    out = []
    for q in qs:
        k = int(np.searchsorted(cs, q * total))
        k = min(k, hist.size - 1)
        out.append(float((edges[k] + edges[k + 1]) / 2.0))
    return out


def leq_dbfs(loudness_dbfs: np.ndarray) -> float:
    """Equivalent level: the energy mean of frame levels, in dBFS (louder frames weigh more).

    The agent-tone window measures loudness the same way, so both sides compare like with like.
    """
    x = np.asarray(loudness_dbfs, dtype=np.float64)
    top = float(np.max(x))
    return top + 10.0 * math.log10(float(np.mean(10.0 ** ((x - top) / 10.0))))


def _spread(pitch_st: np.ndarray) -> float:
    """Standard deviation of pitch in semitones (the same measure the tone window uses)."""
    if pitch_st.size < 2:
        return 2.0
    return float(np.std(pitch_st))


def _blend(prior: float, observed: float, prior_weight_s: float, observed_s: float) -> float:
    return (prior_weight_s * prior + observed_s * observed) / (prior_weight_s + observed_s)
