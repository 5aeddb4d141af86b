"""Music on a line: which frames are held tonal sound (hold music), not a voice.

A caller on hold hears music, and the hold music (or a recording of it on the agent's line) is
as loud as speech, periodic enough to read as a voice and often higher and steadier than the
party's own: read as the party speaking it teaches the baseline a music level, reads as a raised
or non-calm voice and takes turns. It is nobody speaking.

What tells music from speech robustly, whatever the instruments, the codec or the tune: music is
made of *notes*, sounds whose partials stay at one frequency for hundreds of milliseconds (a
piano's partials ring at fixed frequencies while they decay, a pad or strings hold a chord, a
sung note holds its pitch, its vibrato a fraction of a semitone), and several notes sound at once
(chords, a melody over an accompaniment). Speech never holds a partial: its F0 glides all the
time (a few semitones per 100 ms) and its harmonics above ~500 Hz move with it, by several times
the glide in Hz (the 10th harmonic moves ten times as far as the fundamental), and its
consonants and pauses break every voiced stretch every ~100-300 ms.

So :class:`MusicGate` looks at each frame's spectrum (the middle of the pitch window on the
decimated signal YIN reads: 32 ms at 8 kHz, 31.25 Hz bins, ``music_low_hz``-``music_high_hz``)
and picks its *peaks*: local maxima at least ``music_peak_over_median_db`` over the frame's
median bin (a partial, not the noise between), within ``music_peak_range_db`` of the frame's
strongest bin, in a bin that was a peak in at most ``music_stationary_share`` of the last
``music_stationary_s`` of frames (every bin starting as a peak in all of them: a steady tone of
the line, a whine or a hum harmonic, is no note). A peak is *held* when
the same bin was a peak ``music_hold_s`` / 3, 2/3 and 3/3 of it earlier (with the default
0.2 s: 70, 130 and 200 ms). Spectra are read on every frame with a signal; the evidence is the
frames over the speech gate's lower threshold (the frames YIN reads): over the last
``music_window_s`` of them, the share of their peaks that are held. Real speech reads 0.00-0.09
(RAVDESS actors 07, 08, 11, 12 calm and angry, wideband and through GSM / AMR with noise; both
sides of the LCA telephone call; AMI close-talk; median 0.01), a synthetic harmonic voice with
slow +-10 % pitch glides and no consonants up to ~0.16; synthetic hold music (chord loops, pads
with vibrato, a plucked arpeggio, a sung melody over chords, band-limited or through GSM / AMR)
reads 0.2-0.47 at its median, a sung melody through a noisy low-rate codec 0.13-0.15 (session
12, docs/benchmarks.md). A frame is music when that share is at least ``music_min_held_share``
with at least ``music_min_active_s`` of evidence in the window; with less evidence (once the
speech gate's noise floor has risen to the music, only its louder moments pass) the last
decision made on enough holds. The front end drops music frames from the speech gate's
energetic frames, so they are not speech for the baseline, the detectors and the turns.

The decision for a frame reads that frame and the frames before it only, so it adds no delay and
does not depend on chunking. The cost is at the edges: the first ~0.5-1 s of music still counts
as speech (until its held peaks are a fifth of the window's; 2.5-3 s when the party was talking
right before and their peaks fill the window), and after music the first second
or so of speech can still be judged music (until its peaks outweigh the music's in the window);
no frame is music in about the first second of a stream (every bin starts as steady).

NumPy and SciPy; imports nothing of calltone's outside ``audio``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

try:  # the pocketfft module behind scipy.fft's real transforms (see _rfft_rows)
    from scipy.fft._pocketfft import pypocketfft as _POCKETFFT
except ImportError:  # pragma: no cover - a SciPy that moved it: scipy.fft itself
    _POCKETFFT = None


@dataclass(frozen=True)
class MusicSettings:
    """The music judge's settings in frames and bins (from ``FeatureOptions``' music_* fields,
    see :mod:`calltone.audio.features`)."""

    min_held_share: float
    window_frames: int
    min_active_frames: int
    hold_lags: tuple[int, ...]
    fft_length: int
    window_offset: int
    low_bin: int
    high_bin: int
    peak_over_median_db: float
    peak_range_db: float
    stationary_frames: int
    stationary_share: float


#: Frames per batch of :meth:`MusicGate.push`'s spectra (a whole file at once: bounded copies).
_BATCH_FRAMES = 2048


class MusicGate:
    """Per channel, which frames are music (module notes), frame by frame in stream order.

    Every count is an integer kept exactly (running sums over the frames' peak maps), so the
    decisions do not depend on how the stream was chunked."""

    def __init__(self, s: MusicSettings, n_channels: int) -> None:
        self.s = s
        self.n_channels = n_channels
        n_bins = s.high_bin - s.low_bin
        self._lag_max = max(s.hold_lags)
        # The counted peak maps of the last lag_max frames, oldest first.
        self._peaks = np.zeros((n_channels, self._lag_max, n_bins), bool)
        # The raw peak maps of the last stationary_frames frames (a ring: frame i at
        # i % stationary_frames) and each bin's count in them.
        # Every bin starts as a peak in all of them: a tone present from the first frame never
        # counts, and no frame is music in about the first second of a stream.
        k = s.stationary_frames
        self._raw = np.ones((n_channels, k, n_bins), np.int16)
        self._raw_count = np.full((n_channels, 1, n_bins), k, np.int64)
        # Per frame of the last window_frames: its held peaks, its peaks (of the judged frames)
        # and whether it was judged (rows), and their sums over those frames.
        self._hist = np.zeros((3, n_channels, s.window_frames), np.int64)
        self._totals = np.zeros((3, n_channels, 1), np.int64)
        # The last decision made on enough evidence, per channel (carried where there is not).
        self._state = np.zeros((n_channels, 1), bool)
        self._window = np.hanning(s.fft_length + 2)[1:-1]
        self._rows = np.arange(n_channels)[:, None]
        self.frames_done = 0

    def push(self, windows: np.ndarray, read: np.ndarray, judged: np.ndarray) -> np.ndarray:
        """Which of the next frames are music.

        Parameters
        ----------
        windows : np.ndarray, shape (channels, n, fft_length)
            Each frame's samples (the decimated signal, see module notes).
        read : np.ndarray of bool, shape (channels, n)
            Frames whose spectrum is read (the others, digital silence, have no peaks): every
            frame a held partial may run through, whether or not it is evidence.
        judged : np.ndarray of bool, shape (channels, n)
            Frames with energy enough to be speech (over the speech gate's lower threshold):
            the evidence.

        Returns
        -------
        np.ndarray of bool, shape (channels, n)
        """
        s = self.s
        ch, n = judged.shape
        if n == 0:
            return np.zeros((ch, 0), bool)
        batch = min(_BATCH_FRAMES, s.stationary_frames)  # (the ring holds that many frames)
        if n > batch:
            return np.concatenate(
                [
                    self.push(
                        windows[:, i : i + batch], read[:, i : i + batch], judged[:, i : i + batch]
                    )
                    for i in range(0, n, batch)
                ],
                axis=1,
            )
        n_bins = s.high_bin - s.low_bin
        raw = np.zeros((ch, n, n_bins), np.int16)
        c_idx, f_idx = np.nonzero(read)
        if c_idx.size:
            x = windows[c_idx, f_idx].astype(np.float64) * self._window
            spec = _rfft_rows(x)[:, s.low_bin : s.high_bin]
            lv = 10.0 * np.log10(spec.real**2 + spec.imag**2 + 1e-20)
            mid = lv[:, 1:-1]
            top = lv.max(axis=1, keepdims=True)
            half = n_bins // 2
            med = np.partition(lv, half, axis=1)[:, half : half + 1]  # the median bin
            raw[c_idx, f_idx, 1:-1] = (
                (mid > lv[:, :-2])
                & (mid >= lv[:, 2:])
                & (mid > top - s.peak_range_db)
                & (mid > med + s.peak_over_median_db)
            )
        # How often each bin was a peak over the last stationary_frames frames (before each
        # frame): nearly always is the line's steady tone (a whine, a hum harmonic) or a drone.
        # (A ring of the last stationary_frames maps: frame j of these replaces the oldest.)
        ring = (self.frames_done + np.arange(n)) % s.stationary_frames
        change = np.cumsum(raw - self._raw[:, ring], axis=1)
        self._raw[:, ring] = raw
        before = np.concatenate((self._raw_count, self._raw_count + change[:, :-1]), axis=1)
        self._raw_count = self._raw_count + change[:, -1:]
        peaks = raw.astype(bool) & (before <= s.stationary_share * s.stationary_frames)
        ext_p = np.concatenate((self._peaks, peaks), axis=1)  # (ch, lag_max + n, bins)
        held = peaks.copy()
        for lag in s.hold_lags:
            held &= ext_p[:, self._lag_max - lag : self._lag_max - lag + n]
        self._peaks = ext_p[:, n:]
        # Each frame's window sums: the totals before it, plus what came, less what left.
        en = judged.astype(np.int64)
        new = np.stack((held.sum(axis=2) * en, peaks.sum(axis=2) * en, en))  # (3, ch, n)
        ext_h = np.concatenate((self._hist, new), axis=2)
        sums = self._totals + np.cumsum(new - ext_h[:, :, :n], axis=2)
        self._totals = sums[:, :, -1:]
        self._hist = ext_h[:, :, n:]
        self.frames_done += n
        enough = (sums[2] >= s.min_active_frames) & (sums[1] > 0)
        music = sums[0] >= s.min_held_share * sums[1]
        # Where the window holds too little evidence, the last decision made on enough holds.
        last = np.maximum.accumulate(np.where(enough, np.arange(1, n + 1), 0), axis=1)
        out = np.concatenate((self._state, music), axis=1)[self._rows, last]
        self._state = out[:, -1:]
        return np.asarray(out)


def _rfft_rows(x: np.ndarray) -> np.ndarray:
    """``scipy.fft.rfft(x, axis=1)`` through pocketfft directly (its dispatch costs more than
    a live step's few short rows; the same transform)."""
    if _POCKETFFT is None:
        return np.asarray(scipy.fft.rfft(x, axis=1))
    return np.asarray(_POCKETFFT.r2c(x, (1,), True, 0, None, 1))
