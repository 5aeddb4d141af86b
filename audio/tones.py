"""Key tones on a line: which frames are a DTMF digit, not a voice.

A caller keying a card number or a menu choice (or an agent keying a transfer) puts DTMF tone
pairs on the line: one of four low-group and one of four high-group frequencies (ITU-T Q.23),
typically 3-10 dB louder than the caller's speech, for 40-200 ms a digit. They are periodic
enough to read as a voice, loud enough to read as a raised one; a frame that is a tone pair is
nobody speaking.

A frame is judged the way DTMF receivers do (ITU-T Q.24), on the power spectrum of its window:
the power of each DTMF frequency is the power in its *band*, the bins from 1.5 % under the
nominal frequency to 1.5 % over it (the deviation a receiver must accept) widened by the window's
main lobe (two bins either side: a tone between bins and a digit that fills only part of the
window spread that far), and a frame is a digit when a low-group and a high-group band

* together hold at least ``min_pair_share`` of the frame's power in the telephone band
  (300-3400 Hz, a receiver's own band filter; line hum and rumble are no voice either): no other
  significant energy;
* each hold more than ``min_tone_share`` of it (twist: the weaker tone up to ~9 dB under the
  stronger);
* each have their power centroid within ``max_deviation`` of the nominal frequency (2 % in the
  front end's options; receivers must reject 3.5 %, and a tone 1.5 % off reads up to 1.8 % in
  its band): a voice's harmonic that only falls inside a band is off its centre.

Speech spreads its power over many harmonics and formants (a 90 Hz band holds at most one
harmonic of a voice), a whistle or a held note has one strong partial, and where two harmonics
of a high voice do hold most of the power (2nd and 3rd of ~400 Hz: 800 and 1200 Hz, both in
bands) their ratio is a small-integer one, which the DTMF frequencies were chosen to avoid, so
at least one sits off its band's centre. No frame duration is asked (a 64 ms window already
spans a 40 ms digit's minimum).

The spectrum is the one the front end's pitch pass already takes (YIN's real FFT of the 64 ms
pitch window at 8 kHz, 15.6 Hz bins): :func:`drop_key_tones` reads it, with no transform or
gather of its own, and decides a whole block in one matrix product (:func:`tone_pair_spectra`);
:func:`dtmf_frames` cuts and transforms frames itself (the same decision, for tests and tools).

Pure numpy; imports nothing of calltone's outside ``audio``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: DTMF frequencies (Hz), ITU-T Q.23: the low (row) and high (column) groups.
DTMF_LOW_HZ = (697.0, 770.0, 852.0, 941.0)
DTMF_HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
#: Frequency deviation a receiver must accept (ITU-T Q.24: +-1.5 %).
_DEVIATION = 0.015
#: Bins added either side of a band: the main lobe of a tone between two bins, of a digit that
#: fills part of the window.
_LOBE_BINS = 2
#: The band whose power a frame's shares are of (Hz): the telephone band.
BAND_HZ = (300.0, 3400.0)
#: Rows per matrix product of :func:`_tone_rows`: 16 x 396 x 40 stays under OpenBLAS's
#: threshold for a second thread (m n k <= 262144), whose start-up and spinning cost a 10 s
#: chunk of a recorded call 40 % more CPU than the whole analysis without the check.
_BLAS_ROWS = 16


@lru_cache(maxsize=16)
def _forms(
    n_fft: int, sr_hz: int, min_pair_share: float, min_tone_share: float, max_deviation: float
) -> tuple[slice, np.ndarray]:
    """The whole test as linear forms of the power spectrum, so one matrix product decides.

    With ``P`` a band's power, ``D`` its first moment about the nominal frequency ``f`` (power
    x Hz off it; the centroid is ``f + D / P``), ``T`` the telephone band's power, ``s`` / ``t``
    the pair / tone shares and ``d`` the largest centroid deviation (a share of ``f``), digit (low ``i``, high
    ``j``) is on the frame when ``P_i + P_j - s T`` (16 forms, one per digit) and, for both of
    its bands, ``P - t T`` and ``d f P -+ D`` (3 x 8 forms) are all positive (a frame with no
    power has none).

    Returns the slice of a real FFT's columns read (the telephone band's bins, as float pairs
    of ``rfft(x).view(float)``) and the weights on their squares (float32, shape
    ``(2 * bins, 40)``: the 16 pair forms, then the 8 tone forms, the 8 ``d f P - D`` and the 8
    ``d f P + D``; a bin's real and imaginary parts weigh alike). Small enough a product that
    BLAS keeps it on one thread for a live step's rows.
    """
    hz = np.arange(n_fft // 2 + 1) * sr_hz / n_fft
    first = int(np.searchsorted(hz, BAND_HZ[0]))
    last = int(np.searchsorted(hz, BAND_HZ[1], side="right"))
    hz = hz[first:last]
    step = sr_hz / n_fft
    nominal = np.array((*DTMF_LOW_HZ, *DTMF_HIGH_HZ))
    band = (
        (hz[:, None] >= nominal * (1.0 - _DEVIATION) - _LOBE_BINS * step)
        & (hz[:, None] <= nominal * (1.0 + _DEVIATION) + _LOBE_BINS * step)
    ).astype(np.float64)
    moment = band * (hz[:, None] - nominal)
    slack = band * (max_deviation * nominal)
    total = np.ones((hz.size, 1))
    pairs = [band[:, i] + band[:, j] - min_pair_share for i in range(4) for j in range(4, 8)]
    w = np.concatenate(
        (
            np.stack(pairs, axis=1),
            band - min_tone_share * total,
            slack - moment,
            slack + moment,
        ),
        axis=1,
    )
    return slice(2 * first, 2 * last), np.repeat(w, 2, axis=0).astype(np.float32)


def tone_pair_spectra(
    spectra: np.ndarray,
    n_fft: int,
    sr_hz: int,
    *,
    min_pair_share: float,
    min_tone_share: float,
    max_deviation: float,
) -> np.ndarray:
    """Which rows of ``spectra`` (real FFTs of ``n_fft``-sample windows at ``sr_hz``, shape
    ``(m, n_fft // 2 + 1)``, complex) are a DTMF tone pair: a low and a high band whose power
    centroids lie within ``max_deviation`` of their nominal frequencies (a share of them) together
    hold at least ``min_pair_share`` of the telephone band's power, each more than
    ``min_tone_share`` of it."""
    tone = _tone_rows(spectra, n_fft, sr_hz, min_pair_share, min_tone_share, max_deviation)
    return np.zeros(spectra.shape[0], bool) if tone is None else tone


def _tone_rows(
    spectra: np.ndarray,
    n_fft: int,
    sr_hz: int,
    min_pair_share: float,
    min_tone_share: float,
    max_deviation: float,
) -> np.ndarray | None:
    """:func:`tone_pair_spectra`, or None when no row is a tone pair. Speech is settled in four
    numpy calls (no two bands hold the pair share of any row); a block with a candidate takes
    five more."""
    m = spectra.shape[0]
    if m == 0:
        return None
    if m > _BLAS_ROWS:  # a recorded call's chunk: in products BLAS keeps on one thread
        parts = [
            _tone_rows(
                spectra[b : b + _BLAS_ROWS],
                n_fft,
                sr_hz,
                min_pair_share,
                min_tone_share,
                max_deviation,
            )
            for b in range(0, m, _BLAS_ROWS)
        ]
        if all(p is None for p in parts):
            return None
        return np.concatenate(
            [
                np.zeros(min(_BLAS_ROWS, m - b), bool) if p is None else p
                for b, p in zip(range(0, m, _BLAS_ROWS), parts, strict=True)
            ]
        )
    cols, weights = _forms(n_fft, sr_hz, min_pair_share, min_tone_share, max_deviation)
    ri = np.ascontiguousarray(spectra, np.complex64).view(np.float32)[:, cols]
    forms = np.square(ri) @ weights  # (m, 40)
    if not forms[:, :16].max() > 0.0:  # no two bands hold the pair share anywhere
        return None
    bands = forms[:, 16:].reshape(-1, 3, 8).min(axis=1)  # each band's worst form
    digits = np.minimum(bands[:, :4, None], bands[:, None, 4:])  # (m, low, high)
    np.minimum(digits, forms[:, :16].reshape(-1, 4, 4), out=digits)
    tone = digits.reshape(-1, 16).max(axis=1) > 0.0
    return tone if tone.any() else None


def dtmf_frames(
    samples: np.ndarray,
    starts: np.ndarray,
    length: int,
    sr_hz: int,
    *,
    min_pair_share: float,
    min_tone_share: float,
    max_deviation: float,
) -> np.ndarray:
    """Which frames are a DTMF tone pair (:func:`tone_pair_spectra` of their spectra).

    Parameters
    ----------
    samples : np.ndarray, shape (channels, n_samples)
        The line's samples.
    starts : np.ndarray of int, shape (2, m)
        Channel and first sample of each frame to judge.
    length : int
        Frame length (samples; the front end judges its 64 ms pitch window: 16 Hz bins, the
        70 Hz between the closest tones is four of them).
    sr_hz : int
        Sample rate.
    min_pair_share, min_tone_share, max_deviation : float
        As :func:`tone_pair_spectra`.

    Returns
    -------
    np.ndarray of bool, shape (m,)
    """
    chan, first = starts
    if chan.size == 0:
        return np.zeros(0, bool)
    frames = samples[chan[:, None], first[:, None] + np.arange(length)[None, :]]
    spectra = np.fft.rfft(np.asarray(frames, np.float64), axis=1)
    return tone_pair_spectra(
        spectra,
        length,
        sr_hz,
        min_pair_share=min_pair_share,
        min_tone_share=min_tone_share,
        max_deviation=max_deviation,
    )


def drop_key_tones(
    energetic: np.ndarray,
    spectra: np.ndarray,
    chan: np.ndarray,
    frame: np.ndarray,
    *,
    n_fft: int,
    sr_hz: int,
    min_pair_share: float,
    min_tone_share: float,
    max_deviation: float,
) -> np.ndarray:
    """``energetic`` less the frames that are a DTMF tone pair (:func:`tone_pair_spectra`).

    Parameters
    ----------
    energetic : np.ndarray of bool, shape (channels, n)
        Frames that would be speech on energy alone.
    spectra : np.ndarray, shape (m, n_fft // 2 + 1), complex
        Real FFTs of the pitch windows (``n_fft`` samples at ``sr_hz``) of frames
        ``(chan[j], frame[j])``, every energetic frame among them: the pitch pass's own, so
        the check adds no transform and no copy of samples, only one matrix product over the
        block (a live step's cost is numpy's per-call overhead: a handful of calls).
    chan, frame : np.ndarray of int, shape (m,)
    n_fft, sr_hz : int
    min_pair_share, min_tone_share, max_deviation : float
        As :func:`tone_pair_spectra`.

    Returns
    -------
    np.ndarray of bool, shape (channels, n)
        ``energetic`` itself when no frame is a tone pair, else a copy.
    """
    tone = _tone_rows(spectra, n_fft, sr_hz, min_pair_share, min_tone_share, max_deviation)
    if tone is None:
        return energetic
    out = energetic.copy()
    out[chan[tone], frame[tone]] = False
    return out
