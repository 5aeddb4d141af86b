"""agent_tone's vocal effort read as the telephone-band alpha ratio
(``AgentToneConfig.effort_alpha_share``): the speaker baseline's tilt is then the voice's alpha
ratio, the same on a wideband call and its telephone copy, and the yelling cold start keeps the
first-difference tilt."""

from __future__ import annotations

import numpy as np
import scipy.signal

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.audio.features import FeatureOptions
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.config import AnalysisConfig

SR = 16_000
F0_HZ = 110.0
SLOPE = -1.0


def _expected_alpha_db() -> float:
    """The source's harmonics' power over 1 kHz over their power under it, each through the
    front end's alpha filters (``FeatureOptions.alpha_ratio``)."""
    o = FeatureOptions(alpha_ratio=True)
    ks = np.arange(1, int(7600 / F0_HZ) + 1, dtype=float)
    power = ks ** (2 * SLOPE)
    parts = []
    for edges in ((o.alpha_low_hz, o.alpha_split_hz), (o.alpha_split_hz, o.band_high_hz)):
        sos = scipy.signal.butter(
            o.alpha_filter_order, edges, btype="bandpass", fs=SR, output="sos"
        )
        _, h = scipy.signal.sosfreqz(sos, worN=ks * F0_HZ, fs=SR)
        parts.append(float(np.sum(power * np.abs(h) ** 2)))
    return 10 * np.log10(parts[1] / parts[0])


def _call(rms: float = 0.03) -> np.ndarray:
    """Two channels, 12 s: the agent's harmonic voice in 0.8 s syllable groups with 0.3 s
    pauses over a faint noise floor; the customer's channel the floor alone."""
    rng = np.random.default_rng(7)
    n = 12 * SR
    t = np.arange(n) / SR
    ks = np.arange(1, int(7600 / F0_HZ) + 1)
    voice = sum(k**SLOPE * np.sin(2 * np.pi * F0_HZ * k * t + 0.3 * k * k) for k in ks)
    voice = rms * voice / np.sqrt(np.mean(voice**2))
    on = (t % 1.1) < 0.8
    on &= t > 0.5
    floor = 3e-4 * rng.standard_normal((2, n))
    x = floor.copy()
    x[0] += voice * on
    return x.astype(np.float32)


def _agent_baseline_tilt(x: np.ndarray, share: float) -> float:
    cfg = AnalysisConfig.from_dict({"agent_tone": {"effort_alpha_share": share}})
    audio = DecodedAudio(x, SR, SR, "synthetic")
    res = run_session(audio, ChannelRoles(agent=0, customer=1), cfg)
    snap = res.analysis.baselines["agent"]
    assert snap.own_voiced_s > 3.0
    return float(snap.tilt_db)


def _telephone(x: np.ndarray) -> np.ndarray:
    sos = scipy.signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")
    nb = scipy.signal.resample_poly(scipy.signal.sosfiltfilt(sos, x, axis=1), 1, 2, axis=1)
    return scipy.signal.resample_poly(nb, 2, 1, axis=1)[:, : x.shape[1]].astype(np.float32)


def test_the_baseline_tilt_reads_the_alpha_ratio_at_share_one():
    x = _call()
    alpha = _agent_baseline_tilt(x, 1.0)
    tilt = _agent_baseline_tilt(x, 0.0)
    want = _expected_alpha_db()
    assert abs(alpha - want) < 0.5, (alpha, want)
    # The first-difference tilt of the same voice is another number (off: as before).
    assert abs(tilt - alpha) > 2.0, (tilt, alpha)


def test_the_alpha_baseline_is_the_same_on_a_telephone_copy_and_at_another_level():
    x = _call()
    wide = _agent_baseline_tilt(x, 1.0)
    assert abs(_agent_baseline_tilt(_telephone(x), 1.0) - wide) < 1.0
    assert abs(_agent_baseline_tilt(_call(rms=0.003), 1.0) - wide) < 0.3
