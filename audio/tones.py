"""Key tones on a line: which frames are a DTMF digit, not a voice.

A caller keying a card number or a menu choice (or an agent keying a transfer) puts DTMF tone
pairs on the line: one of four low-group and one of four high-group frequencies (ITU-T Q.23),
typically 3-10 dB louder than the caller's speech, for 40-200 ms a digit. They are periodic
enough to read as a voice, loud enough to read as a raised one; a frame that is a tone pair is
nobody speaking.

:func:`dtmf_frames` decides per analysis frame, the way DTMF receivers do (ITU-T Q.24): the
power at each DTMF frequency (a Hann-windowed single-bin DFT, the Goertzel filter's output, at
the nominal frequency and 1.5 % either side: the tolerance a receiver must accept), and a frame
is a digit when the strongest low-group and the strongest high-group tone together hold at least
``min_pair_share`` of the frame's power and each at least ``min_tone_share`` (twist: the weaker
tone up to ~9 dB under the stronger). Speech spreads its power over many harmonics and
formants, so two narrow bins never hold most of it.

Pure numpy; imports nothing of calltone's outside ``audio``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: DTMF frequencies (Hz), ITU-T Q.23: the low (row) and high (column) groups.
DTMF_LOW_HZ = (697.0, 770.0, 852.0, 941.0)
DTMF_HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
#: Frequency deviations a receiver must accept (ITU-T Q.24: +-1.5 %).
_DEVIATIONS = (-0.015, 0.0, 0.015)


@lru_cache(maxsize=8)
def _bank(length: int, sr_hz: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hann-windowed cosine and sine columns for every DTMF frequency and deviation, shape
    ``(length, 2 * 8 * 3)``, scaled so a tone's two coefficients square to its power; the
    squared window over its sum of squares (a frame's power); and the sample offsets."""
    w = np.hanning(length + 2)[1:-1]
    t = np.arange(length) / sr_hz
    cols = []
    for f in (*DTMF_LOW_HZ, *DTMF_HIGH_HZ):
        for dev in _DEVIATIONS:
            ph = 2.0 * np.pi * f * (1.0 + dev) * t
            cols += [w * np.cos(ph), w * np.sin(ph)]
    # A unit-amplitude tone reads amplitude 1 (2 / sum w), power 1/2 (the 1/sqrt 2).
    bank = np.stack(cols, axis=1) * (np.sqrt(2.0) / w.sum())
    return bank, (w * w) / np.sum(w * w), np.arange(length)


def dtmf_frames(
    samples: np.ndarray,
    starts: np.ndarray,
    length: int,
    sr_hz: int,
    *,
    min_pair_share: float,
    min_tone_share: float,
) -> np.ndarray:
    """Which frames are a DTMF tone pair.

    Parameters
    ----------
    samples : np.ndarray, shape (channels, n_samples)
        The line's samples.
    starts : np.ndarray of int, shape (2, m)
        Channel and first sample of each frame to judge.
    length : int
        Frame length (samples; 32 ms at 16 kHz resolves the 70 Hz between the closest tones).
    sr_hz : int
        Sample rate.
    min_pair_share, min_tone_share : float
        The strongest low and high tone together hold at least ``min_pair_share`` of the
        frame's power, each at least ``min_tone_share`` of it.

    Returns
    -------
    np.ndarray of bool, shape (m,)
    """
    chan, first = starts
    if chan.size == 0:
        return np.zeros(0, bool)
    offsets = _bank(length, sr_hz)[2]
    frames = samples[chan[:, None], first[:, None] + offsets[None, :]]
    return _tone_pairs(frames, sr_hz, min_pair_share, min_tone_share)


def _tone_pairs(
    frames: np.ndarray, sr_hz: int, min_pair_share: float, min_tone_share: float
) -> np.ndarray:
    """:func:`dtmf_frames` on frames already cut, shape ``(m, length)``."""
    m, length = frames.shape
    bank, wsq, _ = _bank(length, sr_hz)
    frames = np.asarray(frames, np.float64)
    coef = frames @ bank  # (m, 48)
    np.square(coef, out=coef)
    power = (coef[:, 0::2] + coef[:, 1::2]).reshape(m, 8, len(_DEVIATIONS)).max(axis=2)
    total = np.square(frames) @ wsq  # windowed power of the frame
    low, high = power[:, :4].max(axis=1), power[:, 4:].max(axis=1)
    return (
        (total > 0.0)
        & (low >= min_tone_share * total)
        & (high >= min_tone_share * total)
        & (low + high >= min_pair_share * total)
    )


#: Frames per batch of :func:`drop_key_tones` (bounds its gathered copy to a few MB).
_BATCH_FRAMES = 1024


#: A DTMF pair's weaker tone is at most this far under the stronger (ITU-T Q.24 receivers
#: accept 8 dB of twist; 1 dB more).
_MAX_TWIST_DB = 9.0
#: Spectral tilt (features' ``tilt_db``) margin around a tone pair's own, for noise and the
#: telephone band filter.
_TILT_MARGIN_DB = 1.5


@lru_cache(maxsize=8)
def dtmf_tilt_range_db(sr_hz: int) -> tuple[float, float]:
    """The spectral tilt a DTMF pair can read: the first difference's power over the signal's,
    ``4 sin^2(pi f / sr)`` per tone, over every pair and twist up to 9 dB either way, less and
    plus a 1.5 dB margin (dB). At 16 kHz: about -11.9 to -2.8 dB."""

    def gain(f: float) -> float:
        return float(4.0 * np.sin(np.pi * f / sr_hz) ** 2)

    vals = []
    for a in DTMF_LOW_HZ:
        for b in DTMF_HIGH_HZ:
            for twist in (-_MAX_TWIST_DB, 0.0, _MAX_TWIST_DB):
                r = 10.0 ** (twist / 10.0)
                vals.append(10.0 * np.log10((gain(a) + r * gain(b)) / (1.0 + r)))
    return float(min(vals)) - _TILT_MARGIN_DB, float(max(vals)) + _TILT_MARGIN_DB


def drop_key_tones(
    samples: np.ndarray,
    energetic: np.ndarray,
    tilt_db: np.ndarray,
    aperiodicity: np.ndarray,
    *,
    first_offset: int,
    hop: int,
    length: int,
    sr_hz: int,
    min_pair_share: float,
    min_tone_share: float,
    max_aperiodicity: float,
) -> np.ndarray:
    """``energetic`` less the frames that are a DTMF tone pair (:func:`dtmf_frames`).

    Only frames that could be one are judged (a live step mostly judges none): energetic,
    periodic to YIN (a tone pair reads aperiodicity 0.0-0.1, at some period the two share)
    and with a pair's spectral tilt (:func:`dtmf_tilt_range_db`).

    Parameters
    ----------
    samples : np.ndarray, shape (channels, n_samples)
        The block's samples; frame ``i``'s window starts at ``first_offset + i * hop``.
    energetic : np.ndarray of bool, shape (channels, n)
        Frames that would be speech on energy alone.
    tilt_db, aperiodicity : np.ndarray, shape (channels, n)
        The frames' spectral tilt (dB) and YIN aperiodicity.
    first_offset, hop, length, sr_hz : int
        Framing (samples) and sample rate.
    min_pair_share, min_tone_share : float
        As :func:`dtmf_frames`.
    max_aperiodicity : float
        Frames less periodic than this are no tone pair.

    Returns
    -------
    np.ndarray of bool, shape (channels, n)
    """
    lo, hi = dtmf_tilt_range_db(sr_hz)
    cand = energetic & (aperiodicity <= max_aperiodicity) & (tilt_db >= lo) & (tilt_db <= hi)
    if not cand.any():
        return energetic
    ch, n = energetic.shape
    x = np.ascontiguousarray(samples)
    s0, s1 = x.strides
    # Every frame's window as a view (channels, n, length); the candidates copied out.
    windows = np.lib.stride_tricks.as_strided(
        x[:, first_offset:], shape=(ch, n, length), strides=(s0, hop * s1, s1), writeable=False
    )
    out = energetic.copy()
    where = np.flatnonzero(cand.ravel())
    for b in range(0, where.size, _BATCH_FRAMES):
        sel = where[b : b + _BATCH_FRAMES]
        frames = windows[sel // n, sel % n]
        tone = _tone_pairs(frames, sr_hz, min_pair_share, min_tone_share)
        out.flat[sel[tone]] = False
    return out
