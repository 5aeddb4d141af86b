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
    return voiced & different


#: Period multiples a leak's pitch may read, in semitones (2x, 3x, 4x).
_MULTIPLES_ST = tuple(12.0 * float(np.log2(k)) for k in (2, 3, 4))


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
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_frames = 0

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
        # Quiet (margin_db under) implies under copy_min_db_under when the margin is the wider.
        under = loud < loudest - self.o.copy_min_db_under
        if self.o.margin_db >= self.o.copy_min_db_under:
            needed = en & under
        else:
            needed = en & ((loud < loudest - self.o.margin_db) | under)
        if not needed.any():
            # The pitch and aperiodicity are converted when the block is worked out.
            self._pending.append((loud, f0_hz, aperiodicity, en))
            self._pending_frames += n
            if self._pending_frames >= self.MAX_PENDING_FRAMES:
                self._work_out(*self._take_pending())
            return np.zeros(loud.shape, bool)
        quiet = loud < loudest - self.o.margin_db
        f0 = np.asarray(f0_hz, dtype=np.float64)
        ap = np.asarray(aperiodicity, dtype=np.float64)
        if self._pending:
            before = self._pending_frames
            pl, pf, pa, pe = self._take_pending()
            own, copy = self._work_out(
                np.concatenate((pl, loud), axis=1),
                np.concatenate((pf, f0), axis=1),
                np.concatenate((pa, ap), axis=1),
                np.concatenate((pe, en), axis=1),
            )
            own, copy = own[:, before:], copy[:, before:]
        else:
            own, copy = self._work_out(loud, f0, ap, en)
        # Its own voice seen within the hold outweighs both: a soft voice's weak syllables read
        # the louder party's leak underneath them.
        return (quiet | copy) & ~own

    #: Blocks held unworked, at most this many frames (2 s): working them out costs mostly
    #: per call, so fewer, longer work-outs are cheaper; the decisions do not depend on it.
    MAX_PENDING_FRAMES = 200

    def _take_pending(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        parts = self._pending
        self._pending, self._pending_frames = [], 0
        return tuple(  # type: ignore[return-value]
            np.concatenate([p[k] for p in parts], axis=1, dtype=dt)
            for k, dt in enumerate((np.float64, np.float64, np.float64, bool))
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

    def _work_out(
        self, loud: np.ndarray, f0: np.ndarray, ap: np.ndarray, energetic: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Own-voice and copy frames of ``(channels, n)`` values (state carried)."""
        o = self.o
        n = loud.shape[1]
        loudest = np.argmax(loud, axis=0)
        quiet = loud < loud.max(axis=0)[None, :] - o.margin_db
        peak = self._own_peak(loud, energetic & ~quiet)
        ref = self._held_pitch(f0)[loudest, np.arange(n)]
        # The current frame's reference first, then the previous frames' (carried).
        k = o.reference_frames
        ext = np.concatenate((self._ref_hist, ref))
        refs = np.stack([ext[k - 1 - j : k - 1 - j + n] for j in range(k)])
        self._ref_hist = ext[ext.size - (k - 1) :] if k > 1 else ext[:0]
        ev = own_voice_evidence(f0, ap, refs, o) & (loud >= peak - o.own_range_db)
        voiced = np.isfinite(f0) & (ap <= o.own_max_aperiodicity)
        with np.errstate(invalid="ignore"):
            same = np.abs(12.0 * np.log2(f0 / ref[None, :])) <= o.octave_tolerance_st
        under = loud < loud.max(axis=0)[None, :] - o.copy_min_db_under
        copy = under & energetic & voiced & voiced[loudest, np.arange(n)][None, :] & same
        return self._window_hold("own", ev), self._window_hold("copy", copy) & under
