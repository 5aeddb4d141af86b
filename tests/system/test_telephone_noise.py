"""bench/telephone.py's noise reference: the ITU-T P.56 active level and noise under the calm voice.

Synthetic signals with known levels: a sine's active level is its RMS whatever its pauses, and a
``noise_ref="calm"`` condition puts the noise ``snr_db`` under the named calm level however loud
the same line gets later, while the ``"loud"`` conditions keep the old reference.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.support.synth import ROOT

sys.path.insert(0, str(ROOT / "bench"))

SR = 16_000


def _sine(seconds: float, level_dbfs: float, hz: float = 200.0) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return (np.sqrt(2) * 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _noise_dbfs(y: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(y, np.float64) ** 2)))


def test_active_level_is_the_level_while_active() -> None:
    from telephone import active_level_dbfs

    assert active_level_dbfs(_sine(5.0, -30.0), SR) == pytest.approx(-30.0, abs=0.1)
    # Half of the time silent: the long-term RMS drops 3 dB, the active level does not (the
    # 0.2 s hangover after each burst counts as active, as in P.56: within ~1 dB).
    bursts = np.concatenate([np.concatenate([_sine(1.0, -30.0), np.zeros(SR, np.float32)])] * 5)
    assert active_level_dbfs(bursts, SR) == pytest.approx(-30.0, abs=1.0)
    floor = np.random.default_rng(0).normal(0, 10 ** (-80 / 20), bursts.size).astype(np.float32)
    assert active_level_dbfs(bursts + floor, SR) == pytest.approx(-30.0, abs=1.0)
    assert active_level_dbfs(np.zeros(SR, np.float32), SR) is None


def test_calm_reference_puts_the_noise_under_the_calm_voice_not_the_shout() -> None:
    from telephone import ChannelCondition, active_level_dbfs, simulate

    calm, shout, pause = _sine(4.0, -40.0), _sine(6.0, -15.0, 300.0), np.zeros(2 * SR, np.float32)
    x = np.concatenate([calm, shout, pause])
    quiet = slice(x.size - 2 * SR, x.size)
    loud = ChannelCondition("t_loud", narrowband=False, snr_db=20.0)
    calm_ref = ChannelCondition("t_calm", narrowband=False, snr_db=20.0, noise_ref="calm")
    # "loud": 20 dB under the louder half of the frames (here exactly the shout).
    y = simulate(x, SR, loud, seed=1).samples
    assert _noise_dbfs(y[quiet]) == pytest.approx(-35.0, abs=1.0)
    # "calm" with the calm level named: 20 dB under the calm voice.
    level = active_level_dbfs(calm, SR)
    y = simulate(x, SR, calm_ref, seed=1, calm_level_dbfs=level).samples
    assert _noise_dbfs(y[quiet]) == pytest.approx(-60.0, abs=0.5)
    # level_db moves the speech and the noise together (the SNR re the calm voice holds).
    quieter = ChannelCondition("t", narrowband=False, snr_db=20.0, noise_ref="calm", level_db=-20)
    y = simulate(x, SR, quieter, seed=1, calm_level_dbfs=level).samples
    assert _noise_dbfs(y[quiet]) == pytest.approx(-80.0, abs=0.5)
    # None named: the whole channel's active level (right for a channel of calm speech).
    y = simulate(calm, SR, calm_ref, seed=1).samples
    assert _noise_dbfs(y - calm) == pytest.approx(-60.0, abs=0.5)


def test_the_noisy_condition_pairs_share_their_chain_but_not_the_reference() -> None:
    from telephone import CONDITIONS, replace

    for old, new in (
        ("nb_gsm_noise20", "nb_gsm_noise20_calm"),
        ("nb_amr_noise15_-20db", "nb_amr_noise15_calm_-20db"),
    ):
        a, b = CONDITIONS[old], CONDITIONS[new]
        assert a.noise_ref == "loud" and b.noise_ref == "calm"
        assert replace(b, name=old, noise_ref="loud") == a


def test_channel_cache_keys_the_calm_levels(tmp_path) -> None:
    from bench_calls import ChannelCache
    from telephone import through

    x = np.stack([_sine(1.0, -30.0), _sine(1.0, -35.0, 240.0)])
    cond = "nb_gsm_noise20_calm"
    pytest.importorskip("shutil").which("sox") or pytest.skip("sox (GSM) not installed")
    fresh = through(x, cond, seed=2, calm_levels_dbfs=[-30.0, -35.0])
    got = ChannelCache(tmp_path, memory=False).get("x", x, cond, 2, [-30.0, -35.0])
    again = ChannelCache(tmp_path, memory=False).get("x", x, cond, 2, [-30.0, -35.0])
    np.testing.assert_array_equal(got, fresh)
    np.testing.assert_array_equal(again, fresh)
    other = ChannelCache(tmp_path, memory=False).get("x", x, cond, 2, [-50.0, -35.0])
    assert len(list(tmp_path.glob(f"{cond}-*.npy"))) == 2
    assert not np.array_equal(other, fresh)


@pytest.mark.parametrize("codec", ["amr", "opus"])
def test_the_mobile_and_softphone_codecs_are_installed(codec: str) -> None:
    """The channel simulator's AMR-NB and Opus conditions need PyAV's encoders (PyAV 18's
    wheels dropped libopencore-amrnb: pyproject pins av<18). A harmonic voice keeps its level
    within 6 dB through the codec (8 kHz AMR-NB drops the harmonics over 4 kHz)."""
    from telephone import av_codec

    from tests.support.synth import voiced

    x = voiced(150.0, 1.0, -20.0, seed=1).astype(np.float32)
    y = av_codec(x, SR, codec, 12_200 if codec == "amr" else 16_000)
    assert y.shape == x.shape
    assert _noise_dbfs(y[SR // 4 :]) == pytest.approx(-20.0, abs=6.0)
