"""Whose voice is it: a streaming per-call model of a channel owner's voice against the other
voices their microphone picks up (issue 13: a neighbour's babble in the agent's headset).

A headset microphone hears its owner and, 12-25 dB under them, the agent at the next desk.
Level alone cannot tell them apart once the neighbour is within ~12 dB: the babble's louder
frames overlap the owner's softer ones. Timbre can: the spectral envelope (cepstra of the
telephone band) of a different vocal tract and a different microphone distance differs from
the owner's. This module keeps, per channel and per call, two Gaussians over the cepstra of
voiced frames:

- the **owner** model, from the channel's confident own voice (the caller decides which frames:
  in :mod:`models.tone.stream`, voiced frames near or over the owner's median level while the
  other party does not hold the floor);
- the **other** model, from voiced frames that are quiet for the owner while the other party
  holds the floor and the owner does not (what a neighbour's babble is; on a clean call, the
  owner's own soft backchannels, and then the two models are alike and the ratio stays low).

Each voiced frame's log-likelihood ratio (other over owner, nats) is smoothed causally over the
last voiced frames; a frame is judged *another voice* when the smoothed ratio exceeds a margin
(and the caller adds its own level condition). Until both models hold enough frames nothing is
judged (cold start: nothing changes).

Everything runs block by block on the pushed samples (live and batch alike): the band filter
carries its state, each front-end frame's cepstrum is computed once its loudness window is in,
and the smoothing carries its state across blocks. NumPy/SciPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from calltone.audio.errors import ParameterError

try:  # the pocketfft module behind scipy.fft's real transforms (as audio.features)
    from scipy.fft._pocketfft import pypocketfft as _POCKETFFT
except ImportError:  # pragma: no cover - a SciPy that moved it: numpy's own transform
    _POCKETFFT = None


@dataclass(frozen=True)
class VoiceMatchOptions:
    """How a channel owner's voice is told from other voices in their microphone.

    Attributes
    ----------
    enabled : int
        1: judge frames (:mod:`models.tone.stream` leaves frames judged another voice out of the
        owner's speech: not learnt, not judged for yelling / agent_tone, not a turn); 0: off
        (measured in docs/benchmarks.md, session 13: on, the calm LCA call with three voices
        12 dB under the agent went 23 / 19 / 7 -> 12 / 0 / 0 interruptions / tone events /
        false alerts and with one neighbour 7 / 7 / 4 -> 1 / 0 / 0; bench_calls (nine
        conditions), the held-out channels, the recall calls and bench_interruptions
        identical). On by default.
    fmin_hz, fmax_hz : float
        The band the cepstra are computed in: the telephone band, so a wideband call and its
        narrowband copy describe the voice alike (as :mod:`audio.speakers`).
    band_filter_order : int
        Butterworth band-pass order per edge applied before the analysis (causal, state
        carried; 0: none, the default). Both models are of the same channel, so the Hann
        window's leakage of the voice's energy under 300 Hz into the lowest band is common to
        both; 4 gave the same LCA / AMI babble figures (steady -18 dB: 8 interruptions, 9 with 0)
        and cost ~0.3 ms of the 20 ms push (scipy's ``sosfilt`` per call).
    n_mels : int
        Mel bands between ``fmin_hz`` and ``fmax_hz``.
    lowest_cepstrum, highest_cepstrum : int
        Cepstral coefficients used (c2..c12 by default: c0 is loudness and c1 the spectral tilt,
        which follows vocal effort and level more than the voice; with c1 the owner's quiet
        frames read as "another voice" on a clean call).
    owner_min_voiced_s : float
        Seconds of voiced frames the owner model holds before any frame is judged.
    other_min_voiced_s : float
        Seconds of voiced frames the other model holds before any frame is judged: a clean
        call's owner rarely speaks quietly inside the other party's turn, so this also keeps
        the rule off on calls without a neighbour.
    owner_min_spreads : float
        Owner-model frames stand at or over the owner's median voiced level less this many of
        their loudness spreads (half the 16th-84th percentile range): 1 = their 16th percentile.
    llr_margin_nats : float
        A frame is another voice when the smoothed log-likelihood ratio (other model over owner
        model, natural log, per frame) exceeds this.
    smooth_voiced_s : float
        Time constant of the causal exponential smoothing of the ratio over voiced frames.
    max_level_spreads : float
        Only frames whose voice level stands at least this many loudness spreads under the
        owner's median are judged (0: any frame under the median); the owner's own normal and
        loud speech is never taken away.
    covariance_floor : float
        Added to each model's covariance diagonal (cepstral units squared) so a model of few
        frames stays invertible.
    pitch_min_st : float
        A frame is judged another voice only when, besides the ratio, the smoothed distance of
        its pitch from the owner's median pitch (the baseline's) is at least this (semitones;
        0: the timbre alone). The owner's own soft speech inside the other party's turn is
        what the other-voice model learns on a call without a neighbour; its pitch is theirs.
    owner_from_first_words : int
        1: the owner model also learns while the party's baseline still rests on the prior (their
        first words, read against the prior's level); 0: only once the baseline rests on their
        own voice (the other-voice model always waits for that).
    defer_cepstra : int
        1 (live step cost, no change to any result): while no party's models are ready the
        cepstra are only learnt, and learning counts from the baseline tick's commit on, so the
        stream (:mod:`models.tone.stream`) asks for them once per tick
        (:meth:`CepstrumStream.take_blocks`: one window gather and one transform for the tick's
        steps, each step's products over its own rows as :meth:`CepstrumStream.take`, only for
        the steps and channels that learn) instead of at every step; the same cepstra to the
        bit, learnt in the same order. 0: every step (as before session 15).
    """

    enabled: int = 1
    fmin_hz: float = 300.0
    fmax_hz: float = 3400.0
    band_filter_order: int = 0
    n_mels: int = 24
    lowest_cepstrum: int = 2
    highest_cepstrum: int = 12
    owner_min_voiced_s: float = 1.5
    other_min_voiced_s: float = 1.0
    owner_min_spreads: float = 1.0
    llr_margin_nats: float = 1.0
    smooth_voiced_s: float = 0.2
    max_level_spreads: float = 0.0
    covariance_floor: float = 0.01
    owner_from_first_words: int = 1
    pitch_min_st: float = 1.5
    defer_cepstra: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.fmin_hz < self.fmax_hz:
            raise ParameterError(f"need 0 < fmin_hz < fmax_hz; got {self.fmin_hz}, {self.fmax_hz}")
        if not 1 <= self.lowest_cepstrum <= self.highest_cepstrum < self.n_mels:
            raise ParameterError(
                "need 1 <= lowest_cepstrum <= highest_cepstrum < n_mels; got "
                f"{self.lowest_cepstrum}, {self.highest_cepstrum}, {self.n_mels}"
            )
        if self.smooth_voiced_s < 0 or self.covariance_floor <= 0:
            raise ParameterError("smooth_voiced_s must be >= 0 and covariance_floor > 0")

    @property
    def dims(self) -> int:
        return self.highest_cepstrum - self.lowest_cepstrum + 1


def mel_filterbank(
    sample_rate_hz: int, n_fft: int, n_mels: int, fmin: float, fmax: float
) -> np.ndarray:
    """Triangular mel filters ``(n_mels, n_fft // 2 + 1)`` (HTK mel scale, unit peak)."""

    def mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)

    edges_mel = np.linspace(mel(fmin), mel(min(fmax, sample_rate_hz / 2)), n_mels + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate_hz)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None, :] - lo) / np.maximum(mid - lo, 1e-9)
    down = (hi - freqs[None, :]) / np.maximum(hi - mid, 1e-9)
    return np.maximum(0.0, np.minimum(up, down))


#: Rows of windows :meth:`CepstrumStream._window_power` transforms at once.
_POWER_BATCH_ROWS = 256


class CepstrumStream:
    """Cepstra of one channel (or of ``channels`` channels at once) on the front end's frame
    grid, computed as samples arrive.

    Frame ``i``'s window is the front end's loudness window: ``window`` samples starting at
    ``i * hop + offset`` (:class:`audio.features.FeatureOptions`: the middle of the pitch
    window), so a cepstrum lines up with that frame's loudness, voicing and pitch.

    ``channels`` None: one channel, pushed as 1-D samples, cepstra ``(n, dims)``; a number:
    that many channels pushed together as ``(channels, n)`` rows, cepstra
    ``(channels, n, dims)``. The channels share the windowing and the transform (one call for
    all their frames: a live step's cost is the calls, not the samples); each channel's mel
    and cepstral products are its own, over the same frames as a stream of its own, so every
    channel's cepstra are those of a single-channel stream to the bit.
    """

    def __init__(
        self,
        options: VoiceMatchOptions,
        *,
        sample_rate_hz: int,
        hop: int,
        offset: int,
        window: int,
        channels: int | None = None,
    ) -> None:
        from scipy.signal import butter

        o = options
        self.o = o
        self.hop, self.offset, self.window = hop, offset, window
        self.channels = channels
        rows = 1 if channels is None else channels
        self.n_fft = 1 << max(1, int(np.ceil(np.log2(window))))
        top = min(o.fmax_hz, 0.49 * sample_rate_hz)
        self._sos = (
            butter(
                o.band_filter_order,
                [o.fmin_hz, top],
                btype="bandpass",
                fs=sample_rate_hz,
                output="sos",
            )
            if o.band_filter_order
            else None
        )
        self._zi = None if self._sos is None else np.zeros((self._sos.shape[0], rows, 2))
        self._fb = mel_filterbank(sample_rate_hz, self.n_fft, o.n_mels, o.fmin_hz, o.fmax_hz)
        self._hann = np.hanning(window + 2)[1:-1].astype(np.float64)
        from scipy.fft import dct

        basis = dct(np.eye(o.n_mels), axis=0, type=2, norm="ortho")  # (n_mels, n_mels)
        self._dct = basis[:, o.lowest_cepstrum : o.highest_cepstrum + 1]  # (n_mels, dims)
        self._parts: list[np.ndarray] = []  # samples pushed since the last take
        self._buf = np.zeros((rows, 0), np.float64)
        self._buf_start = 0  # sample index of _buf[:, 0]

    def push(self, samples: np.ndarray) -> None:
        """Add samples: mono 1-D (``channels`` None) or ``(channels, n)``; the cepstra are
        computed when :meth:`take` asks for them."""
        x = np.asarray(samples, dtype=np.float64).reshape(self._buf.shape[0], -1)
        if x.shape[1] == 0:
            return
        if self._sos is not None:
            from scipy.signal import sosfilt

            x, self._zi = sosfilt(self._sos, x, axis=-1, zi=self._zi)
        self._parts.append(x)

    def take(self, start: int, n: int, want: np.ndarray | None = None) -> np.ndarray:
        """Cepstra of frames ``[start, start + n)`` (rows where ``want`` is False, and frames
        whose window is not all in yet, e.g. past the end of the audio, are NaN); samples
        before frame ``start + n``'s window are dropped for good, so frames are asked for in
        order. ``want``: ``(n,)``, or ``(channels, n)`` with ``channels``."""
        if self._parts:
            self._buf = np.concatenate([self._buf, *self._parts], axis=1)
            self._parts = []
        rows = self._buf.shape[0]
        out = np.full((rows, n, self.o.dims), np.nan)
        # Wanted frames (channel, block-relative frame; in that order), and where their
        # windows start in the buffer.
        if want is None:
            chan, rel = np.repeat(np.arange(rows), n), np.tile(np.arange(n), rows)
        else:
            chan, rel = np.nonzero(np.asarray(want).reshape(rows, n))
        base = start * self.hop + self.offset - self._buf_start
        size = self._buf.shape[1]
        chan, rel, power = self._window_power(chan, rel, base)
        if rel.size:
            # Each channel's frames through its own products (the same rows as a channel of
            # its own: a matrix product's bits depend on the rows it is given).
            bounds = np.searchsorted(chan, np.arange(rows + 1)).tolist()
            for c in range(rows):
                a, b = bounds[c], bounds[c + 1]
                if a == b:
                    continue
                pw = power if b - a == power.shape[0] else power[a:b].copy()
                out[c, rel[a:b]] = np.log(pw @ self._fb.T + 1e-10) @ self._dct
        drop = min(size, max(0, (start + n) * self.hop + self.offset - self._buf_start))
        self._buf = self._buf[:, drop:]
        self._buf_start += drop
        return out[0] if self.channels is None else out

    @property
    def samples_in(self) -> int:
        """Sample index just past the last sample pushed (per channel)."""
        return self._buf_start + self._buf.shape[1] + sum(x.shape[1] for x in self._parts)

    def take_blocks(
        self,
        blocks: list[tuple[int, int, np.ndarray, int]],
        need: list[tuple[int, ...]],
    ) -> list[np.ndarray]:
        """:meth:`take` of several consecutive blocks at once, to the bit: ``blocks`` are
        ``(start, n, want, samples_in)`` in order, each starting where the one before ended,
        ``want`` ``(channels, n)`` and ``samples_in`` what :attr:`samples_in` was when the block
        was due (a frame whose window was not all in by then is NaN, as :meth:`take` would have
        given it); ``need[k]`` the channels whose cepstra block ``k`` needs (the others are NaN).
        Every window of every needed row is gathered and transformed in one call; each block's
        channel goes through its own products over the rows :meth:`take` would have given them
        (that block's wanted rows of that channel: a matrix product's bits depend on the rows it
        is given). Samples before the last block's end are dropped, as :meth:`take` does."""
        if self._parts:
            self._buf = np.concatenate([self._buf, *self._parts], axis=1)
            self._parts = []
        rows = self._buf.shape[0]
        hop, window = self.hop, self.window
        s0 = blocks[0][0]
        total = blocks[-1][0] + blocks[-1][1] - s0
        outs = [np.full((rows, n, self.o.dims), np.nan) for _, n, _, _ in blocks]
        mask = np.zeros((rows, total), dtype=bool)
        for (start, n, want, _), chans in zip(blocks, need, strict=True):
            w = np.asarray(want).reshape(rows, n)
            for c in chans:
                mask[c, start - s0 : start - s0 + n] = w[c]
        chan, rel = np.nonzero(mask)  # channel-major, frames in order within a channel
        base = s0 * hop + self.offset - self._buf_start
        size = self._buf.shape[1]
        chan, rel, power = self._window_power(chan, rel, base)
        if rel.size:
            cuts = np.searchsorted(chan, np.arange(rows + 1)).tolist()
            firsts = [start - s0 for start, _, _, _ in blocks]
            for c in range(rows):
                a_c, b_c = cuts[c], cuts[c + 1]
                if a_c == b_c:
                    continue
                bounds = np.searchsorted(rel[a_c:b_c], [*firsts, total]).tolist()
                for k, (_, _, _, avail) in enumerate(blocks):
                    a, b = a_c + bounds[k], a_c + bounds[k + 1]
                    if a == b:
                        continue
                    r = rel[a:b] - firsts[k]
                    # Windows not all in when the block was due (take's mask then; rows in order).
                    limit = avail - self._buf_start - base - firsts[k] * hop - window
                    if int(r[-1]) * hop > limit:
                        fits = r * hop <= limit
                        r = r[fits]
                        b = a + r.size  # the rows are in order: the first ones are in
                        if a == b:
                            continue
                    pw = power[a:b].copy()
                    outs[k][c, r] = np.log(pw @ self._fb.T + 1e-10) @ self._dct
        end = blocks[-1][0] + blocks[-1][1]
        drop = min(size, max(0, end * hop + self.offset - self._buf_start))
        self._buf = self._buf[:, drop:]
        self._buf_start += drop
        return outs

    def _window_power(
        self, chan: np.ndarray, rel: np.ndarray, base: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Power spectra of the windows of frames ``rel`` (frame offsets from buffer sample
        ``base``; in order within each channel) of channels ``chan``, for the frames whose
        window lies all in the buffer; returns those frames' ``chan``, ``rel`` and power
        ``(frames, n_fft // 2 + 1)``."""
        size = self._buf.shape[1]
        hop, window = self.hop, self.window
        if rel.size:
            lo, hi = int(rel.min()), int(rel.max())
            if not (base + lo * hop >= 0 and base + hi * hop + window <= size):
                # Some windows not all in (the frames are in order: only then a mask).
                a = rel * hop + base
                ok = (a >= 0) & (a + window <= size)
                chan, rel = chan[ok], rel[ok]
        if not rel.size:
            return chan, rel, np.zeros((0, self.n_fft // 2 + 1))
        lo, hi = int(rel.min()), int(rel.max())
        item = self._buf.itemsize
        # Every window as a row of one strided view of the buffer (no index array).
        wins = as_strided(
            self._buf[:, base + lo * hop :],
            shape=(self._buf.shape[0], hi - lo + 1, window),
            strides=(self._buf.strides[0], hop * item, item),
            writeable=False,
        )
        # In batches of rows (each row is transformed on its own): a recording's whole chunk
        # at once made blocks of several MB, fresh pages each time.
        frames = rel - lo
        power = np.empty((frames.size, self.n_fft // 2 + 1))
        for r0 in range(0, frames.size, _POWER_BATCH_ROWS):
            r1 = r0 + _POWER_BATCH_ROWS
            rows = wins[chan[r0:r1], frames[r0:r1]]
            rows *= self._hann
            spec = np.abs(self._rfft(rows))
            np.square(spec, out=power[r0:r1])
        return chan, rel, power

    def _rfft(self, rows: np.ndarray) -> np.ndarray:
        """``np.fft.rfft(rows, n_fft, axis=1)``; without padding (the default window) through
        SciPy's pocketfft directly, the same transform to the bit (a test checks it) without
        the dispatch, which costs more than a live step's few rows."""
        if _POCKETFFT is None or rows.shape[1] != self.n_fft:
            return np.fft.rfft(rows, self.n_fft, axis=1)
        return np.asarray(_POCKETFFT.r2c(rows, (1,), True, 0, None, 1))


class GaussianVoice:
    """A full-covariance Gaussian over cepstra from running sums (cheap to update per tick)."""

    def __init__(self, dims: int, floor: float) -> None:
        self.n = 0
        self._s1 = np.zeros(dims)
        self._s2 = np.zeros((dims, dims))
        self._pn = 0
        self._p1 = np.zeros(dims)
        self._p2 = np.zeros((dims, dims))
        self._floor = floor
        self._mean = np.zeros(dims)
        self._icov = np.eye(dims)
        self._logdet = 0.0
        self._solved_n = 0

    def add(self, rows: np.ndarray) -> None:
        """Add frames; they count (``n``, the density) from the next :meth:`commit` on."""
        rows = rows[np.isfinite(rows).all(axis=1)]
        if rows.shape[0] == 0:
            return
        self._pn += rows.shape[0]
        self._p1 += rows.sum(axis=0)
        self._p2 += rows.T @ rows

    def commit(self) -> None:
        """Let the frames added since the last commit count (the caller commits at fixed times
        on the frame grid, so the model a frame is judged by does not depend on the push size)."""
        if self._pn:
            self.n += self._pn
            self._s1 += self._p1
            self._s2 += self._p2
            self._pn = 0
            self._p1[:] = 0.0
            self._p2[:] = 0.0

    def _solve(self) -> None:
        """Mean and inverse covariance from the sums, at most once per 10 % more frames (and
        once the first frames are in): a push of 20 ms should not invert a matrix."""
        if self.n == 0 or self.n < 1.1 * self._solved_n:
            return
        self._solved_n = self.n
        mean = self._s1 / self.n
        cov = self._s2 / self.n - np.outer(mean, mean) + self._floor * np.eye(mean.size)
        sign, logdet = np.linalg.slogdet(cov)
        if sign <= 0:
            return
        self._mean, self._icov, self._logdet = mean, np.asarray(np.linalg.inv(cov)), float(logdet)

    def loglik(self, rows: np.ndarray) -> np.ndarray:
        """Log density of each row, up to the shared constant (NaN rows give NaN)."""
        self._solve()
        d = rows - self._mean
        return -0.5 * (np.einsum("ij,jk,ik->i", d, self._icov, d) + self._logdet)


class VoiceMatcher:
    """One channel's owner and other-voice models and the smoothed ratio between them."""

    def __init__(self, options: VoiceMatchOptions, *, hop_s: float) -> None:
        self.o = options
        self.hop_s = hop_s
        self.owner = GaussianVoice(options.dims, options.covariance_floor)
        self.other = GaussianVoice(options.dims, options.covariance_floor)
        self._smooth = 0.0
        self._smooth_dev = 0.0
        k = options.smooth_voiced_s / hop_s
        self._alpha = 1.0 if k <= 1.0 else 1.0 - float(np.exp(-1.0 / k))

    @property
    def ready(self) -> bool:
        """Both models hold enough voiced frames to judge (cold start: False)."""
        return (
            self.owner.n * self.hop_s >= self.o.owner_min_voiced_s
            and self.other.n * self.hop_s >= self.o.other_min_voiced_s
        )

    def ratio(
        self, cepstra: np.ndarray, voiced: np.ndarray, pitch_dev_st: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The smoothed log-likelihood ratio (other over owner, nats) and the smoothed absolute
        pitch distance from the owner's median (semitones; ``pitch_dev_st`` per frame, NaN
        where unknown) at each frame: updated on voiced frames with a cepstrum (and a pitch),
        held elsewhere; state carried to the next block. NaN everywhere while not
        :attr:`ready` (and the state is not moved)."""
        n = voiced.size
        if not self.ready:
            return np.full(n, np.nan), np.full(n, np.nan)
        use = np.asarray(voiced, dtype=bool) & np.isfinite(cepstra).all(axis=1)
        idx = np.flatnonzero(use)
        if idx.size == 0:
            return np.full(n, self._smooth), np.full(n, self._smooth_dev)
        llr = self.other.loglik(cepstra[idx]) - self.owner.loglik(cepstra[idx])
        dev = (
            np.zeros(idx.size)
            if pitch_dev_st is None
            else np.abs(np.nan_to_num(np.asarray(pitch_dev_st, np.float64)[idx], nan=0.0))
        )
        # The same sums frame by frame whatever the block (a live push holds one or two voiced
        # frames: a loop is cheaper than a filter call, and the result is the batch one).
        a, m, d = self._alpha, self._smooth, self._smooth_dev
        sm, sd = np.empty(idx.size), np.empty(idx.size)
        for k, (v, w) in enumerate(zip(llr.tolist(), dev.tolist(), strict=True)):
            m += a * (v - m)
            d += a * (w - d)
            sm[k], sd[k] = m, d
        # Forward-fill: each frame carries the value at the last voiced frame at or before it.
        pos = np.searchsorted(idx, np.arange(n), side="right") - 1
        out = np.where(pos >= 0, sm[np.maximum(pos, 0)], self._smooth)
        out_dev = np.where(pos >= 0, sd[np.maximum(pos, 0)], self._smooth_dev)
        self._smooth, self._smooth_dev = float(sm[-1]), float(sd[-1])
        return np.asarray(out), np.asarray(out_dev)

    def learn(self, cepstra: np.ndarray, owner: np.ndarray, other: np.ndarray) -> None:
        """Add the frames the caller picked as the owner's voice and as another voice; they
        count from the next :meth:`commit`."""
        if owner.any():
            self.owner.add(cepstra[owner])
        if other.any():
            self.other.add(cepstra[other])

    def commit(self) -> None:
        """Let the frames learnt since the last commit count (see :meth:`GaussianVoice.commit`)."""
        self.owner.commit()
        self.other.commit()
