"""A hot line (+6 dB into G.711, ``nb_ulaw_+6db``) on signals with known answers (issue 13).

A hot line can only change what the detectors read in two ways: by the level offset itself
(which every detector cancels, judging a speaker against their own baseline) and by clipping
the loudest peaks at full scale. Here:

- a calm voice and the same voice raised 10 dB and 3 st, both with peaks well under full scale
  after the +6 dB: the +6 dB copy reads the same contrast as the plain G.711 copy, 6 dB louder
  on both halves, with the same spectral tilt and HNR (nothing in the front end reads absolute
  level, and mu-law's quantisation is level-proportional);
- a shout whose peaks clip hard (RMS -10 dBFS and a crest factor over 10 dB, 6 dB hotter): the
  front end reads the clipped signal's own in-band RMS (a known answer: the 300-3400 Hz RMS of
  ``np.clip``), the shout stays as far over the calm voice as on the plain G.711 copy within
  1 dB (~3 % of its samples clipped, as the most clipped RAVDESS angry-strong clips on the
  bench's +6 dB copy: 0.03-2.1 %), and its tilt does not fall.
"""

from __future__ import annotations

import sys

import numpy as np
import scipy.signal

from calltone.audio.features import extract_features
from tests.support.synth import ROOT, SR, silence

sys.path.insert(0, str(ROOT / "bench"))
from telephone import through


def _voice(f0_hz: float, dur_s: float, rms_dbfs: float, *, slope: float, seed: int) -> np.ndarray:
    """Harmonics of ``f0_hz`` to 3.4 kHz at amplitude ``k ** slope`` (a flatter slope: a more
    effortful, brighter voice), a syllable-rate envelope, ``rms_dbfs`` over the whole signal."""
    t = np.arange(int(dur_s * SR)) / SR
    rng = np.random.default_rng(seed)
    ks = np.arange(1, int(3400 // f0_hz) + 1)
    x = sum(k**slope * np.sin(2 * np.pi * f0_hz * k * t + rng.uniform(0, 6.28)) for k in ks)
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t) ** 2
    x = x * env + 0.003 * rng.standard_normal(t.size)
    return (x * 10 ** (rms_dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


def _medians(x: np.ndarray, t0_s: float, t1_s: float) -> tuple[float, float, float]:
    """Median loudness, tilt and HNR of the voiced frames between ``t0_s`` and ``t1_s``."""
    fb = extract_features(x[None])
    c = fb.channels[0]
    keep = c.voiced & (fb.times_s > t0_s + 0.2) & (fb.times_s < t1_s - 0.2)
    assert keep.sum() > 80, keep.sum()
    return (
        float(np.median(c.loudness_dbfs[keep])),
        float(np.median(c.tilt_db[keep])),
        float(np.median(c.hnr_db[keep])),
    )


def _call(loud: np.ndarray) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    calm = _voice(120.0, 2.5, -32.0, slope=-1.2, seed=1)
    x = np.concatenate([silence(1.0), calm, silence(0.8), loud, silence(1.0)])
    a = (1.0, 1.0 + calm.size / SR)
    b = (a[1] + 0.8, a[1] + 0.8 + loud.size / SR)
    return x, a, b


def test_a_hot_line_without_clipping_reads_the_same_contrast_6_db_louder() -> None:
    raised = _voice(120.0 * 2 ** (3 / 12), 2.5, -22.0, slope=-0.9, seed=2)
    x, a, b = _call(raised)
    plain, hot = through(x, "nb_ulaw"), through(x, "nb_ulaw_+6db")
    assert np.max(np.abs(hot)) < 0.9  # no sample near full scale: no clipping
    for seg in (a, b):
        lo_p, ti_p, hn_p = _medians(plain, *seg)
        lo_h, ti_h, hn_h = _medians(hot, *seg)
        assert abs((lo_h - lo_p) - 6.0) <= 0.3, (seg, lo_p, lo_h)
        assert abs(ti_h - ti_p) <= 0.3, (seg, ti_p, ti_h)
        assert abs(hn_h - hn_p) <= 0.5, (seg, hn_p, hn_h)
    contrast_p = _medians(plain, *b)[0] - _medians(plain, *a)[0]
    contrast_h = _medians(hot, *b)[0] - _medians(hot, *a)[0]
    assert abs(contrast_h - contrast_p) <= 0.3, (contrast_p, contrast_h)
    assert contrast_h >= 8.5, contrast_h  # raised 10 dB RMS (more in band: a brighter voice)


def test_a_clipped_shout_reads_its_own_rms_and_stays_louder_and_brighter() -> None:
    # An effortful shout at -10 dBFS RMS: +6 dB puts its syllable peaks well over full scale.
    shout = _voice(120.0 * 2 ** (5 / 12), 2.5, -10.0, slope=-0.6, seed=3)
    x, a, b = _call(shout)
    hot = through(x, "nb_ulaw_+6db")
    clipped_share = float(np.mean(np.abs(hot[int(b[0] * SR) : int(b[1] * SR)]) >= 0.99))
    assert clipped_share > 0.01, clipped_share  # the test is about a line that clips
    # The same shout +6 dB hotter, clipped by hand at full scale (wideband, no codec): the
    # front end reads the clipped signal's own RMS in the telephone band (its loudness band:
    # 2nd-order Butterworth 300-3400 Hz), the median over 32 ms frames, within 1 dB.
    y = np.clip(shout * np.float32(2.0), -1.0, 1.0)
    pad = silence(0.5)
    lo, _, _ = _medians(np.concatenate([pad, y, pad]), 0.5, 0.5 + y.size / SR)
    sos = scipy.signal.butter(2, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")
    yb = scipy.signal.sosfilt(sos, y.astype(np.float64))
    frame = SR * 32 // 1000
    n = yb.size // frame * frame
    rms = 10 * np.log10(np.mean(yb[:n].reshape(-1, frame) ** 2, axis=1))
    assert abs(lo - np.median(rms)) <= 1.0, (lo, np.median(rms))
    # Unclipped, the shout stands 22 dB RMS over the calm voice (~29 dB in the band: it is
    # brighter); clipping ~3 % of its samples costs a fraction of a dB of that (measured 0.1).
    plain = through(x, "nb_ulaw")
    rise_plain = _medians(plain, *b)[0] - _medians(plain, *a)[0]
    rise_hot = _medians(hot, *b)[0] - _medians(hot, *a)[0]
    assert rise_plain >= 22.0, rise_plain  # 22 dB RMS, more in band (a brighter voice)
    assert rise_hot >= rise_plain - 1.0, (rise_plain, rise_hot)
    assert rise_hot >= 15.0, rise_hot
    # Brighter than the calm voice on both copies, and no duller for being clipped.
    ti_calm = _medians(hot, *a)[1]
    ti_plain, ti_hot = _medians(plain, *b)[1], _medians(hot, *b)[1]
    assert ti_plain > ti_calm + 2.0, (ti_calm, ti_plain)
    assert ti_hot >= ti_plain - 0.3, (ti_plain, ti_hot)
