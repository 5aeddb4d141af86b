"""The front end means the same on a telephone line as on the clean recording (issue 13).

Known answers on synthetic signals: a voice whose fundamental and second harmonic are removed
(what a 300 Hz telephone high-pass does to a 110 Hz voice) keeps its pitch; a band-limited,
G.711, quieter copy keeps its talk time and loudness. One real check on AMI close-talk speech
(not used to set any of these thresholds) skips cleanly without ../shared/data.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from calltone.audio.decode import load_audio
from calltone.audio.features import extract_features
from tests.support.synth import ROOT, SR, shared_data_dir, silence, voiced

sys.path.insert(0, str(ROOT / "bench"))
from telephone import through


def vowel(f0_hz: float, dur_s: float, level_dbfs: float, *, f1_hz: float) -> np.ndarray:
    """Harmonics 3 and up of ``f0_hz`` to 3.4 kHz shaped by a first formant at ``f1_hz`` (and a
    weaker second one): a vowel as a 300 Hz telephone high-pass leaves a low voice."""
    t = np.arange(int(dur_s * SR)) / SR
    rng = np.random.default_rng(7)
    x = np.zeros_like(t)
    for k in range(3, int(3400 // f0_hz) + 1):
        f = k * f0_hz
        g = 1 / np.sqrt(1 + ((f - f1_hz) / 80) ** 2) + 0.3 / np.sqrt(1 + ((f - 1800) / 150) ** 2)
        x += g * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.28))
    env = 0.6 + 0.4 * np.sin(2 * np.pi * 3.0 * t) ** 2
    x = x * env + 0.005 * rng.standard_normal(t.size)
    return (x * 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


@pytest.mark.parametrize(("f0_hz", "f1_hz"), [(105.0, 500.0), (130.0, 700.0), (220.0, 500.0)])
def test_a_voice_without_its_fundamental_keeps_its_pitch(f0_hz: float, f1_hz: float) -> None:
    # No energy at f0 or 2 f0: the difference function dips at T/2 and T/3 as well as at T, and
    # at 2T and 3T; the tracker must report f0, neither a formant's nor a subharmonic's period.
    x = np.concatenate([silence(1.0), vowel(f0_hz, 3.0, -25.0, f1_hz=f1_hz), silence(1.0)])
    c = extract_features(x[None]).channels[0]
    f0 = c.f0_hz[c.voiced]
    assert c.voiced.sum() > 150
    right = np.abs(f0 / f0_hz - 1.0) < 0.05
    assert right.mean() >= 0.95, np.percentile(f0, [5, 50, 95])


def test_a_telephone_copy_keeps_talk_time_and_level_contrast() -> None:
    # A low voice at its normal level, then the same voice raised by 10 dB and 3 st. Every
    # detector judges a speaker against their own baseline, so what must survive the line is
    # talk time and the contrast between the two (the line's fixed loss cancels out).
    normal = voiced(120, 2.5, -32, seed=1)
    raised = voiced(120 * 2 ** (3 / 12), 2.5, -22, seed=2)
    x = np.concatenate([silence(1.0), normal, silence(0.8), raised, silence(1.0)])
    t_raised_s = 1.0 + 2.5 + 0.8
    clean = extract_features(x[None])
    for cond in ("nb_ulaw", "nb_alaw_-12db", "nb_gsm_noise20"):
        nb = extract_features(through(x, cond)[None])
        a, b = clean.channels[0], nb.channels[0]
        n = min(len(a), len(b))
        assert abs(b.speech[:n].sum() / a.speech[:n].sum() - 1.0) <= 0.10, cond
        t = clean.times_s[:n]
        for f in (a, b):
            v = f.voiced[:n]
            lo = f.loudness_dbfs[:n]
            contrast = np.median(lo[v & (t > t_raised_s)]) - np.median(lo[v & (t < t_raised_s)])
            assert abs(contrast - 10.0) <= 1.5, (cond, contrast)
        both = a.voiced[:n] & b.voiced[:n]
        ratio = b.f0_hz[:n][both] / a.f0_hz[:n][both]
        assert np.mean(np.abs(ratio - 1.0) > 0.2) <= 0.05, cond


def test_real_speech_on_g711_against_the_clean_original() -> None:
    src = shared_data_dir() / "ami_meeting_4spk_60s" / "sources" / "source1.wav"
    if not src.exists():
        pytest.skip(f"{src} absent: ../shared/data is not on this machine")
    x = load_audio(src).samples[0]
    clean = extract_features(x[None]).channels[0]
    nb = extract_features(through(x, "nb_ulaw")[None]).channels[0]
    n = min(len(clean), len(nb))
    assert abs(nb.speech[:n].sum() / clean.speech[:n].sum() - 1.0) <= 0.10
    both = clean.voiced[:n] & nb.voiced[:n]
    gross = np.abs(nb.f0_hz[:n][both] / clean.f0_hz[:n][both] - 1.0) > 0.2
    assert gross.mean() <= 0.05
