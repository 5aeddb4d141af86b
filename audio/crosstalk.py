"""Crosstalk on separate channels: which quiet frames are the other party leaking in.

With one party per channel, the quieter channel during the louder party's speech holds one of two
things. *Leakage* (a headset or a hybrid picking up the other side) is a scaled, slightly delayed
copy of the louder channel: it carries the same pitch at the same moment. *Speech of its own* (a
soft-spoken agent talking over a loud customer) carries its own voice, at a pitch of its own.
A level margin alone cannot tell them apart: it eats the soft voice along with the leak.

:class:`CrosstalkGate` decides per frame. A channel more than ``margin_db`` under the loudest
channel is crosstalk unless it shows its own voice: clearly voiced (YIN aperiodicity at most
``own_max_aperiodicity``) at a pitch more than ``same_pitch_tolerance_st`` away from the louder
channel's pitch in the same frame, in at least ``own_min_frames`` of the last ``own_window_frames``
frames; the decision then holds for ``hold_frames`` (consonants and pitch-tracker gaps between
voiced stretches). A leak's pitch is the source's pitch, so leakage never shows its own voice.

Everything is causal and carried frame by frame, so the decision does not depend on chunking.
Pure numpy; imports nothing of calltone's outside ``audio``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calltone.audio.errors import AudioError


@dataclass(frozen=True)
class CrosstalkOptions:
    """When a quiet channel is the other party leaking in (units in the names).

    Attributes
    ----------
    margin_db : float
        A channel this far under the loudest channel in a frame is crosstalk unless it shows its
        own voice (the level rule calltone always had; ``FeatureOptions.crosstalk_margin_db``).
    own_max_aperiodicity : float
        Its own voice must be clearly periodic: YIN's normalised difference at most this.
    same_pitch_tolerance_st : float
        Pitches within this many semitones of the louder channel's are "the same": a leak.
    octave_tolerance_st : float
        So are pitches within this many semitones of 2x, 3x, 4x, 1/2, 1/3 or 1/4 of it: a faint copy
        near the noise floor often reads exactly such a multiple (YIN takes a multiple of the
        period). Tighter than the unison tolerance, so a different voice about an octave away
        (a man and a woman) is not mistaken for the other's leak for long.
    own_window_frames, own_min_frames : int
        Own-voice frames needed among the last frames (one odd pitch frame is not a voice).
    hold_frames : int
        Frames the own-voice decision holds after its last evidence (10 ms frames).
    pitch_hold_frames : int
        The louder channel's pitch stands for this many frames after it was last measured (a
        syllable's decaying tail has no pitch of its own but leaks the one it had).
    copy_min_db_under : float
        Any channel at least this far under the loudest (not only ``margin_db``) is a copy of
        it where both are voiced at the same pitch (within ``octave_tolerance_st``) in at least
        ``own_min_frames`` of the last ``own_window_frames`` frames (held ``hold_frames``): a
        third talker picked up by both microphones reads as the same voice on both, and only
        the louder pick-up stays speech.
    reference_frames : int
        The louder channel's pitch in this many frames up to and including the current one
        (10 ms frames) all count as "its pitch" for the unison test (multiples are judged
        against the current frame only): the same voice through two channels (a leak
        through a different codec, gain or noise) has its tracker errors (a multiple of the
        period taken at a voicing onset or a pitch turn) a frame or two apart on the two
        copies, so a frame-by-frame comparison reads the leak as a voice of its own there
        (seen on Opus 8 kbit/s copies). A voice of its own differs from the louder one over
        the whole stretch, so it still shows.
    echo_max_delay_frames, echo_block_frames : int
        Echo paths (see :class:`EchoPath`): delays up to ``echo_max_delay_frames`` (10 ms
        frames; 400 ms covers a network echo's round trip) are looked for; the estimate is
        updated every ``echo_block_frames`` frames (a fixed grid, so chunking does not change
        it).
    echo_evidence_step_frames : int
        Every this-many-th frame of a block is evidence (adjacent 10 ms frames share most of
        their 32 ms window; the delay keeps its one-frame resolution): a quarter of the cost.
    echo_memory_s, frame_hop_s : float
        The echo statistics fade with this time constant (seconds of audio; ``frame_hop_s`` is
        the frames' hop, ``FeatureOptions.hop_s``): a path that ends (a call transferred, an
        echo canceller converging) is forgotten within about a minute.
    echo_min_correlation, echo_min_frames : float, int
        A channel has an echo path from another when its level changes follow the other's,
        delayed, with a Pearson correlation of at least ``echo_min_correlation`` (0.6: the
        delayed copy explains over a third of their variance) over at least
        ``echo_min_frames`` evidence frames of the source's speech (1.6 s). Two parties in
        conversation do not follow each other's level changes at any delay; an echo does at its
        delay.
    echo_active_range_db, echo_double_talk_db : float
        Source frames within ``echo_active_range_db`` of the source's speech peak are the
        evidence, where the receiving channel is at least ``echo_double_talk_db`` under the
        source (its own speech at the source's level, double talk, is left out).
    echo_gain_quantile : float
        The echo's gain is this quantile of the level difference (receiver less source) at
        the path's delay: echo frames sit at the gain, frames where noise or the party's own
        speech adds to the echo sit above it.
    echo_margin_db : float
        With an echo path, a frame no more than ``echo_margin_db`` over the echo level
        predicted from the source (its level ``delay`` frames before, plus the gain) is echo,
        unless it shows its own voice; the delayed source's pitch is then "the other's pitch"
        for the own-voice test too.
    own_range_db, peak_decay_db_per_frame : float
        Its own voice is within ``own_range_db`` of the channel's own speech peak (its loudest
        energetic frame that was not quiet, decaying by ``peak_decay_db_per_frame`` per 10 ms
        frame, 0.2 dB/s): a third talker in the room, picked up far under the channel's own
        party, has a pitch of its own too but is not that party. A party who has not spoken
        yet has no peak, so a soft newcomer is judged on pitch alone.
    """

    margin_db: float = 18.0
    own_max_aperiodicity: float = 0.25
    same_pitch_tolerance_st: float = 1.0
    octave_tolerance_st: float = 0.5
    own_window_frames: int = 5
    own_min_frames: int = 3
    hold_frames: int = 12
    pitch_hold_frames: int = 10
    own_range_db: float = 20.0
    copy_min_db_under: float = 6.0
    peak_decay_db_per_frame: float = 0.002
    reference_frames: int = 4
    echo_max_delay_frames: int = 40
    echo_block_frames: int = 50
    echo_evidence_step_frames: int = 4
    echo_memory_s: float = 30.0
    frame_hop_s: float = 0.01
    echo_min_correlation: float = 0.6
    echo_min_frames: int = 40
    echo_active_range_db: float = 25.0
    echo_double_talk_db: float = 6.0
    echo_margin_db: float = 6.0
    echo_gain_quantile: float = 0.2

    def __post_init__(self) -> None:
        if self.margin_db <= 0 or self.same_pitch_tolerance_st <= 0:
            raise AudioError(
                "crosstalk margin_db and same_pitch_tolerance_st must be positive; "
                f"got {self.margin_db} and {self.same_pitch_tolerance_st}"
            )
        if self.reference_frames < 1:
            raise AudioError(
                f"crosstalk reference_frames must be >= 1; got {self.reference_frames}"
            )
        if not 1 <= self.own_min_frames <= self.own_window_frames or self.hold_frames < 0:
            raise AudioError(
                "crosstalk needs 1 <= own_min_frames <= own_window_frames and hold_frames >= 0; "
                f"got {self.own_min_frames}, {self.own_window_frames}, {self.hold_frames}"
            )


def own_voice_evidence(
    f0_hz: np.ndarray,
    aperiodicity: np.ndarray,
    reference_f0_hz: np.ndarray,
    options: CrosstalkOptions,
    echo_reference_f0_hz: np.ndarray | None = None,
) -> np.ndarray:
    """Frames where each channel is voiced at a pitch different from the loudest channel's.

    Parameters
    ----------
    f0_hz, aperiodicity : np.ndarray, shape (channels, n)
        Per-frame YIN pitch (NaN where not analysed) and aperiodicity of every channel.
    reference_f0_hz : np.ndarray, shape (n,) or (k, n)
        The loudest channel's pitch in each frame (its latest within ``pitch_hold_frames``);
        with ``k`` rows, the frame's reference first, then earlier frames': a pitch within
        ``same_pitch_tolerance_st`` of any of them is the same voice (a multiple counts against
        the first row only).
    echo_reference_f0_hz : np.ndarray, shape (k, channels, n), optional
        Per channel, the pitch of the channel whose echo it carries, around the echo's delay
        (:class:`EchoPath`; NaN where it has none): a pitch within ``same_pitch_tolerance_st``
        of one of them is that voice's echo, not a voice of its own.

    Returns
    -------
    np.ndarray of bool, shape (channels, n)
    """
    refs = np.atleast_2d(reference_f0_hz)
    voiced = np.isfinite(f0_hz) & (aperiodicity <= options.own_max_aperiodicity)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel_st = 12.0 * np.log2(f0_hz[None, :, :] / refs[:, None, :])  # (k, channels, n)
    # Unison with any of the reference frames.
    same = (np.abs(rel_st) <= options.same_pitch_tolerance_st).any(axis=0)
    # A faint leak near the noise floor often reads its source's pitch times or divided by 2, 3
    # or 4 (YIN takes a multiple of the period, exactly): within a tighter tolerance, the same.
    # Against the current frame's reference only: a different voice about an octave from the
    # louder one must not fall inside the tolerance because the louder one glided.
    for k in _MULTIPLES_ST:
        same |= np.abs(np.abs(rel_st[0]) - k) <= options.octave_tolerance_st
    # The loudest channel without a recent pitch (a long fricative, noise) cannot have leaked
    # a voiced frame.
    different = ~np.isfinite(refs[0])[None, :] | ~same
    if echo_reference_f0_hz is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            echo_st = 12.0 * np.log2(f0_hz[None, :, :] / echo_reference_f0_hz)
        different &= ~(np.abs(echo_st) <= options.same_pitch_tolerance_st).any(axis=0)
    return voiced & different


#: Period multiples a leak's pitch may read, in semitones (2x, 3x, 4x).
_MULTIPLES_ST = tuple(12.0 * float(np.log2(k)) for k in (2, 3, 4))


#: Levels under this (dBFS) count as this level in the echo-path statistics (digital silence).
_ECHO_LEVEL_FLOOR_DBFS = -100.0
#: Bins of the echo gain histogram: 1 dB wide, from this far under the source up to 0 dB.
_ECHO_GAIN_RANGE_DB = 60


@dataclass(frozen=True)
class EchoPathState:
    """A channel's echo path: it carries a copy of ``source_channel``, ``delay_s`` late and
    ``gain_db`` under it, found at ``correlation``; ``in_force_s`` is how long a path into this
    channel was in force so far (seconds of audio)."""

    source_channel: int
    delay_s: float
    gain_db: float
    correlation: float
    in_force_s: float


class EchoPath:
    """Which channel each channel echoes, with what delay and gain, estimated causally.

    A line echo (the far end's hybrid returning the agent's voice on the customer channel) or
    a delayed acoustic leak (a softphone's speaker into its microphone) is a copy of another
    channel *some frames later*, 20-300 ms on real lines. The frame-by-frame crosstalk tests
    compare simultaneous frames, so a delayed copy reads as a voice of its own: at the source's
    syllable ends its echo is still loud, and its pitch is the source's pitch of a few frames
    before. This finds the delay the way echo cancellers' delay estimators do: the receiving
    channel's level follows the source's level ``delay`` frames earlier, and only then.

    For every ordered pair of channels and every delay up to ``echo_max_delay_frames`` it keeps
    the Pearson correlation of the two levels' frame-to-frame *changes* (dB; a copy repeats the
    source's syllable onsets and decays exactly, while a slow common drift, a gain control or a
    turn fading out, correlates raw levels at every delay alike) over the source's speech
    frames (within ``echo_active_range_db`` of its peak, not themselves echo) where the
    receiving channel is at least ``echo_double_talk_db`` under the source (its own speech at
    the source's level is double talk, no evidence). The statistics fade with a time constant
    of ``echo_memory_s``. The best delay is an echo path when its correlation is at least
    ``echo_min_correlation`` over ``echo_min_frames`` (effective) frames. The gain is the
    ``echo_gain_quantile`` of the level difference at that delay (1 dB bins): an echo frame
    sits at the gain, while frames where noise or the party's own speech adds to the echo sit
    above it. Estimates change only every ``echo_block_frames`` frames (a fixed grid) and apply
    to the frames after them, so the answer does not depend on chunking.
    """

    _SUMS = 6  # n, sx, sy, sxx, syy, sxy of the level changes

    def __init__(self, n_channels: int, options: CrosstalkOptions) -> None:
        self.o = options
        self.n_channels = n_channels
        lags, size = options.echo_max_delay_frames, options.echo_block_frames
        # The last `lags + 1` levels before the current block, then the block's so far (dB),
        # and which of them were not echo themselves (a source's echo of the other, an echo
        # loop, is no evidence of a path); `_fill` is the next column to write.
        self._hist = lags + 1
        self._levels = np.full((n_channels, self._hist + size), np.nan)
        self._own = np.ones((n_channels, self._hist + size), bool)
        self._fill = self._hist
        self._peak = np.full(n_channels, -np.inf)
        # Ordered (source, receiver) pairs of different channels; per pair and delay the
        # fading sums and the gain histogram.
        pairs = [(a, b) for a in range(n_channels) for b in range(n_channels) if a != b]
        self._pair_src = np.array([a for a, _ in pairs], np.int64)
        self._pair_dst = np.array([b for _, b in pairs], np.int64)
        self._sums = np.zeros((self._SUMS, len(pairs), lags + 1))
        self._gain_hist = np.zeros((len(pairs), lags + 1, _ECHO_GAIN_RANGE_DB))
        block_s = size * options.frame_hop_s
        self._fade = float(np.exp(-block_s / options.echo_memory_s))
        # Per-call constants of _block_stats: the peak's decay over a block, the evidence
        # frames, and (pair, lag, evidence frame) as flat indices into _levels / _own (the
        # source's row, `lag` frames before the frame; never column 0, so the frame before it
        # is in the same row).
        self._decay = options.peak_decay_db_per_frame * np.arange(1, size + 1)
        self._at = self._hist + np.arange(0, size, options.echo_evidence_step_frames)
        idx = self._at[None, :] - np.arange(lags + 1)[:, None]
        self._lagged_flat = self._pair_src[:, None, None] * self._levels.shape[1] + idx[None, :, :]
        self._pairs_into = [np.flatnonzero(self._pair_dst == j) for j in range(n_channels)]
        #: Per receiving channel: the source channel (-1: none), delay (frames), gain (dB) and
        #: the correlation that decided it.
        self.source = np.full(n_channels, -1, np.int64)
        self.delay_frames = np.zeros(n_channels, np.int64)
        self.gain_db = np.zeros(n_channels)
        self.correlation = np.zeros(n_channels)
        self._receivers: list[int] = []  # channels with an echo path
        self._in_force_frames = np.zeros(n_channels, np.int64)
        # Per channel, the last path taken: (source, delay frames, gain dB, correlation).
        self._last: list[tuple[int, int, float, float] | None] = [None] * n_channels

    def paths(self) -> list[EchoPathState | None]:
        """Per channel, the echo path in force now, else the last one that was (None: never)."""
        hop = self.o.frame_hop_s
        return [
            None
            if last is None
            else EchoPathState(
                last[0],
                round(last[1] * hop, 3),
                round(last[2], 1),
                round(last[3], 3),
                round(float(frames) * hop, 2),
            )
            for last, frames in zip(self._last, self._in_force_frames, strict=True)
        ]

    def push(self, loudness_dbfs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A block's levels in; per frame the predicted echo level and its source and delay.

        Parameters
        ----------
        loudness_dbfs : np.ndarray, shape (channels, n)

        Returns
        -------
        echo_dbfs : np.ndarray, shape (channels, n)
            The level an echo would have in each channel (the source's highest level within
            one frame of the delay, plus the gain); ``-inf`` where there is no echo path.
        source, delay_frames : np.ndarray of int, shape (channels, n)
            The echo path in force at each frame (source -1: none).
        """
        x = np.maximum(np.asarray(loudness_dbfs, np.float64), _ECHO_LEVEL_FLOOR_DBFS)
        n = x.shape[1]
        echo = np.full(x.shape, -np.inf)
        end = self._hist + self.o.echo_block_frames
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        i = 0
        while i < n:
            m = min(n - i, end - self._fill)
            parts.append((self.source.copy(), self.delay_frames.copy(), m))
            f = self._fill
            self._levels[:, f : f + m] = x[:, i : i + m]
            for j in self._receivers:
                # The source's levels one frame either side of the delay (NaN before any).
                d = int(self.delay_frames[j])
                row = self._levels[self.source[j]]
                near = row[max(f - d - 1, 0) : f + m - d + 1]
                if near.size < m + 2:
                    near = np.concatenate((np.full(m + 2 - near.size, np.nan), near))
                best = np.fmax(near[:m], near[1 : m + 1])
                if d > 0:  # lag d - 1 too (at d = 0 that would be the next frame)
                    best = np.fmax(best, near[2:])
                echo[j, i : i + m] = np.where(np.isnan(best), -np.inf, best + self.gain_db[j])
                self._own[j, f : f + m] = x[j, i : i + m] >= echo[j, i : i + m] + (
                    self.o.echo_margin_db
                )
            self._fill += m
            if self._receivers:
                self._in_force_frames[self._receivers] += m
            i += m
            if self._fill == end:
                self._block_stats()
                self._estimate()
        if len(parts) == 1:
            src = np.repeat(parts[0][0][:, None], n, axis=1)
            delay = np.repeat(parts[0][1][:, None], n, axis=1)
        else:
            src = np.concatenate([np.repeat(s[:, None], m, axis=1) for s, _, m in parts], axis=1)
            delay = np.concatenate([np.repeat(d[:, None], m, axis=1) for _, d, m in parts], axis=1)
        return echo, src, delay

    def _block_stats(self) -> None:
        """Fold the finished block into the fading statistics; keep the last levels."""
        o = self.o
        lags, size, h = o.echo_max_delay_frames, o.echo_block_frames, self._hist
        levels = self._levels
        # The source's speech: within range of its decaying peak (carried across blocks),
        # judged at the receiving frame.
        decay = self._decay
        lifted = np.maximum.accumulate(
            np.concatenate((self._peak[:, None], levels[:, h:] + decay[None, :]), axis=1), axis=1
        )[:, 1:]
        peak = (lifted - decay[None, :])[:, :: o.echo_evidence_step_frames]
        self._peak = lifted[:, -1] - decay[-1]
        # Evidence frames: every `echo_evidence_step_frames`-th frame of the block (adjacent
        # frames share most of their window; the delay keeps its one-frame resolution).
        at = self._at
        # Level changes over one frame, and frames that are their channel's own (not echo)
        # together with the frame before, read where they are used (no evidence frame, nor
        # any lag of one, is column 0).
        x = levels[:, at]
        dy = x - levels[:, at - 1]
        # lagged[c, lag, k]: channel c's level `lag` frames before evidence frame k.
        flat = self._lagged_flat
        flat_levels, flat_own = levels.reshape(-1), self._own.reshape(-1)
        ps, pd = self._pair_src, self._pair_dst
        xs = flat_levels[flat]  # (pair, lag, k)
        dx = xs - flat_levels[flat - 1]
        y = x[pd][:, None, :]  # (pair, 1, k)
        # The source's own speech (not its echo of another, with a level change), where the
        # receiving channel is under it: double talk (its own speech at the source's level or
        # over it) says nothing about an echo and only dilutes its correlation.
        use = (
            (flat_own[flat] & flat_own[flat - 1])
            & (xs >= peak[ps][:, None, :] - o.echo_active_range_db)
            & (y <= xs - o.echo_double_talk_db)
            & np.isfinite(dx)
        )
        w = use.astype(np.float64)
        a = np.where(use, dx, 0.0)
        b = np.where(use, dy[pd][:, None, :], 0.0)
        stats = np.stack(
            (
                w.sum(axis=-1),
                a.sum(axis=-1),
                b.sum(axis=-1),
                (a * a).sum(axis=-1),
                (b * b).sum(axis=-1),
                (a * b).sum(axis=-1),
            )
        )
        self._sums = self._sums * self._fade + stats
        # The level difference, 1 dB bins from -_ECHO_GAIN_RANGE_DB up to 0 dB.
        pair, lag, k = np.nonzero(use)
        below = xs[pair, lag, k] - x[pd[pair], k]
        diff = np.minimum(below.astype(np.int64), _ECHO_GAIN_RANGE_DB - 1)  # >= double talk
        flat = (pair * (lags + 1) + lag) * _ECHO_GAIN_RANGE_DB + diff
        counts = np.bincount(flat, minlength=self._gain_hist.size).reshape(self._gain_hist.shape)
        self._gain_hist *= self._fade
        self._gain_hist += counts
        self._levels[:, :h] = levels[:, size:]
        self._own[:, :h] = self._own[:, size:]
        self._own[:, h:] = True
        self._fill = h

    def _estimate(self) -> None:
        o = self.o
        n, sx, sy, sxx, syy, sxy = self._sums
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (n * sxy - sx * sy) / np.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))
        enough = n >= o.echo_min_frames
        r = np.where(enough & np.isfinite(r), r, -np.inf)
        for j in range(self.n_channels):
            into = self._pairs_into[j]
            if not enough[into].any():
                continue  # too little evidence either way: the path in force stays
            rj = r[into]
            k, d = np.unravel_index(int(np.argmax(rj)), rj.shape)
            self.correlation[j] = rj[k, d]
            if rj[k, d] >= o.echo_min_correlation:
                self.source[j], self.delay_frames[j] = self._pair_src[into[k]], d
                # The quantile of the level difference, from the top bin (0 dB) down.
                hist = self._gain_hist[into[k], d][::-1]
                cdf = np.cumsum(hist)
                q = int(np.searchsorted(cdf, o.echo_gain_quantile * cdf[-1]))
                self.gain_db[j] = -(_ECHO_GAIN_RANGE_DB - 1 - q) - 0.5
                self._last[j] = (
                    int(self.source[j]),
                    int(d),
                    float(self.gain_db[j]),
                    float(rj[k, d]),
                )
            else:
                self.source[j] = -1
        self._receivers = [int(j) for j in np.flatnonzero(self.source >= 0)]


class CrosstalkGate:
    """Per-frame crosstalk decision for ``n_channels`` separate channels, carried across blocks."""

    def __init__(self, n_channels: int, options: CrosstalkOptions | None = None) -> None:
        if n_channels < 1:
            raise AudioError("a crosstalk gate needs at least one channel")
        self.o = options or CrosstalkOptions()
        self.n_channels = n_channels
        w = self.o.own_window_frames
        big = np.iinfo(np.int32).max // 2
        # Window-and-hold state of the own-voice and the same-voice (copy) evidence.
        self._hist = {k: np.zeros((n_channels, w - 1), np.int32) for k in ("own", "copy")}
        self._since = {k: np.full(n_channels, big, np.int64) for k in ("own", "copy")}
        self._last_f0 = np.full(n_channels, np.nan)
        self._last_f0_age = np.full(n_channels, np.iinfo(np.int32).max // 2, np.int64)
        self._peak = np.full(n_channels, -np.inf)  # own speech peak (dBFS), decaying
        # The loudest channel's held pitch in the frames before the block (reference_frames-1).
        self._ref_hist = np.full(self.o.reference_frames - 1, np.nan)
        self._pending: list[tuple[np.ndarray, ...]] = []
        self._pending_frames = 0
        self._echo = EchoPath(n_channels, self.o)
        # Every channel's held pitch in the frames before the block, as far back as an echo's
        # delay reaches (carried).
        self._held_hist = np.full((n_channels, self.o.echo_max_delay_frames + 1), np.nan)

    def _held_pitch(self, f0: np.ndarray) -> np.ndarray:
        """Each channel's pitch, or its last one within ``pitch_hold_frames`` (carried)."""
        n = f0.shape[1]
        idx = np.arange(n)
        has = np.isfinite(f0)
        last = np.maximum.accumulate(np.where(has, idx[None, :], -1), axis=1)
        seen = last >= 0
        value = np.where(seen, f0[np.arange(f0.shape[0])[:, None], np.maximum(last, 0)], np.nan)
        value = np.where(seen, value, self._last_f0[:, None])
        age = np.where(seen, idx[None, :] - last, self._last_f0_age[:, None] + idx[None, :] + 1)
        self._last_f0 = value[:, -1].copy()
        self._last_f0_age = age[:, -1].astype(np.int64)
        return np.where(age <= self.o.pitch_hold_frames, value, np.nan)

    def push(
        self,
        loudness_dbfs: np.ndarray,
        f0_hz: np.ndarray,
        aperiodicity: np.ndarray,
        energetic: np.ndarray | None = None,
    ) -> np.ndarray:
        """Crosstalk frames of a block.

        Parameters
        ----------
        loudness_dbfs, f0_hz, aperiodicity : np.ndarray, shape (channels, n)
            The block's raw frame values, in order after the previous block.
        energetic : np.ndarray of bool, shape (channels, n), optional
            Frames that would be speech on energy alone; the answer only matters there. Blocks
            with no quiet energetic frame are answered at once and their evidence worked out
            later, with the next block that needs it (a 20 ms live step mostly costs two
            comparisons); the decisions are the same as working every block out.

        Returns
        -------
        np.ndarray of bool, shape (channels, n)
            True where the channel's energy is the other party's leak, not its own speech.
        """
        loud = np.asarray(loudness_dbfs, dtype=np.float64)
        if loud.ndim != 2 or loud.shape[0] != self.n_channels:
            raise AudioError(
                f"expected per-frame values shaped ({self.n_channels}, n), got {loud.shape}"
            )
        n = loud.shape[1]
        if n == 0 or self.n_channels == 1:
            return np.zeros(loud.shape, bool)
        loudest = loud.max(axis=0)[None, :]
        en = np.ones(loud.shape, bool) if energetic is None else np.asarray(energetic, bool)
        # A delayed copy of another channel (EchoPath): no louder than its predicted level.
        echo_dbfs, echo_src, echo_delay = self._echo.push(loud)
        echoed = loud < echo_dbfs + self.o.echo_margin_db
        # Quiet (margin_db under) implies under copy_min_db_under when the margin is the wider.
        under = loud < loudest - self.o.copy_min_db_under
        if self.o.margin_db >= self.o.copy_min_db_under:
            needed = en & (under | echoed)
        else:
            needed = en & ((loud < loudest - self.o.margin_db) | under | echoed)
        if not needed.any():
            # The pitch and aperiodicity are converted when the block is worked out.
            self._pending.append((loud, f0_hz, aperiodicity, en, echoed, echo_src, echo_delay))
            self._pending_frames += n
            if self._pending_frames >= self.MAX_PENDING_FRAMES:
                self._work_out(*self._take_pending())
            return np.zeros(loud.shape, bool)
        quiet = loud < loudest - self.o.margin_db
        f0 = np.asarray(f0_hz, dtype=np.float64)
        ap = np.asarray(aperiodicity, dtype=np.float64)
        block = (loud, f0, ap, en, echoed, echo_src, echo_delay)
        if self._pending:
            before = self._pending_frames
            pending = self._take_pending()
            own, copy = self._work_out(
                *(np.concatenate((p, b), axis=1) for p, b in zip(pending, block, strict=True))
            )
            own, copy = own[:, before:], copy[:, before:]
        else:
            own, copy = self._work_out(*block)
        # Its own voice seen within the hold outweighs all three: a soft voice's weak syllables
        # read the louder party's leak underneath them.
        return (quiet | copy | echoed) & ~own

    #: Blocks held unworked, at most this many frames (2 s): working them out costs mostly
    #: per call, so fewer, longer work-outs are cheaper; the decisions do not depend on it.
    MAX_PENDING_FRAMES = 200

    def echo_paths(self) -> list[EchoPathState | None]:
        """Per channel, its echo path (:meth:`EchoPath.paths`)."""
        return self._echo.paths()

    def _take_pending(self) -> tuple[np.ndarray, ...]:
        parts = self._pending
        self._pending, self._pending_frames = [], 0
        return tuple(
            np.concatenate([p[k] for p in parts], axis=1, dtype=dt)
            for k, dt in enumerate(
                (np.float64, np.float64, np.float64, bool, bool, np.int64, np.int64)
            )
        )

    def _own_peak(self, loud: np.ndarray, own_speech: np.ndarray) -> np.ndarray:
        """Each channel's decaying own-speech peak at each frame (carried across blocks)."""
        n = loud.shape[1]
        d = self.o.peak_decay_db_per_frame
        ramp = d * np.arange(1, n + 1)
        lifted = np.where(own_speech, loud + ramp[None, :], -np.inf)
        start = self._peak[:, None]  # the peak one frame before the block, at ramp 0
        peak = np.maximum.accumulate(np.concatenate((start, lifted), axis=1), axis=1)[:, 1:]
        peak = peak - ramp[None, :]
        self._peak = peak[:, -1].copy()
        return np.asarray(peak)

    def _window_hold(self, key: str, ev: np.ndarray) -> np.ndarray:
        """Evidence in ``own_min_frames`` of the last ``own_window_frames`` frames, held for
        ``hold_frames`` (carried across blocks)."""
        o = self.o
        n = ev.shape[1]
        ext = np.concatenate((self._hist[key], ev.astype(np.int32)), axis=1)
        zero = np.zeros((self.n_channels, 1), np.int64)
        cs: np.ndarray = np.concatenate((zero, np.cumsum(ext, axis=1, dtype=np.int64)), axis=1)
        w = o.own_window_frames
        counts: np.ndarray = cs[:, w:] - cs[:, :-w]
        active = counts >= o.own_min_frames
        self._hist[key] = ext[:, ext.shape[1] - (w - 1) :] if w > 1 else ext[:, :0]
        idx = np.arange(n)
        last = np.maximum.accumulate(np.where(active, idx[None, :], -1), axis=1)
        since = np.where(
            last >= 0, idx[None, :] - last, self._since[key][:, None] + idx[None, :] + 1
        )
        self._since[key] = since[:, -1].astype(np.int64)
        return np.asarray(since <= o.hold_frames)

    def _echo_pitch(
        self, held: np.ndarray, echo_src: np.ndarray, echo_delay: np.ndarray
    ) -> np.ndarray | None:
        """Per channel and frame, the held pitch of the channel it echoes, one frame either
        side of the echo's delay, shape (3, channels, n); None when no frame has an echo path.
        Carries the held pitch history."""
        lags = self.o.echo_max_delay_frames
        n = held.shape[1]
        ext = np.concatenate((self._held_hist, held), axis=1)
        self._held_hist = ext[:, ext.shape[1] - (lags + 1) :]
        if not (echo_src >= 0).any():
            return None
        src = np.maximum(echo_src, 0)
        rows = []
        for dd in (-1, 0, 1):
            lag = np.clip(echo_delay + dd, 0, lags)
            col = lags + 1 + np.arange(n)[None, :] - lag
            rows.append(np.where(echo_src >= 0, ext[src, col], np.nan))
        return np.stack(rows)

    def _work_out(
        self,
        loud: np.ndarray,
        f0: np.ndarray,
        ap: np.ndarray,
        energetic: np.ndarray,
        echoed: np.ndarray,
        echo_src: np.ndarray,
        echo_delay: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Own-voice and copy frames of ``(channels, n)`` values (state carried)."""
        o = self.o
        n = loud.shape[1]
        loudest = np.argmax(loud, axis=0)
        quiet = loud < loud.max(axis=0)[None, :] - o.margin_db
        peak = self._own_peak(loud, energetic & ~quiet & ~echoed)
        held = self._held_pitch(f0)
        ref = held[loudest, np.arange(n)]
        echo_refs = self._echo_pitch(held, echo_src, echo_delay)
        # The current frame's reference first, then the previous frames' (carried).
        k = o.reference_frames
        ext = np.concatenate((self._ref_hist, ref))
        refs = np.stack([ext[k - 1 - j : k - 1 - j + n] for j in range(k)])
        self._ref_hist = ext[ext.size - (k - 1) :] if k > 1 else ext[:0]
        ev = own_voice_evidence(f0, ap, refs, o, echo_refs) & (loud >= peak - o.own_range_db)
        voiced = np.isfinite(f0) & (ap <= o.own_max_aperiodicity)
        with np.errstate(invalid="ignore"):
            same = np.abs(12.0 * np.log2(f0 / ref[None, :])) <= o.octave_tolerance_st
        under = loud < loud.max(axis=0)[None, :] - o.copy_min_db_under
        copy = under & energetic & voiced & voiced[loudest, np.arange(n)][None, :] & same
        return self._window_hold("own", ev), self._window_hold("copy", copy) & under
