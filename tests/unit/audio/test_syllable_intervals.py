"""The syllable rate over the intervals between nuclei (``FeatureOptions.syllable_interval_max_s``,
issue 13 item 2): synthetic voiced syllables at a known rate, with quiet nucleus-poor word
onsets and tails, clean and in noise at a known SNR. Known answers: the syllable count and the
rate the signal was built with (not the program's output on another copy)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.signal
from scipy.ndimage import maximum_filter1d

from calltone.audio.errors import ParameterError
from calltone.audio.features import FeatureOptions, NucleusIntervals, extract_features

SR = 16_000
#: The setting measured in docs/benchmarks.md "Session 21" (H3), not fitted on these signals.
ON = FeatureOptions(syllable_interval_max_s=0.5)
_BAND = scipy.signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")


def harmonic_voice(n: int, rng: np.random.Generator, f0_hz: float) -> np.ndarray:
    """20 harmonics of a slowly gliding ``f0_hz`` (+-8 %), 1/k amplitudes, a formant-like boost."""
    t = np.arange(n) / SR
    f = f0_hz * (1 + 0.08 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    ph = 2 * np.pi * np.cumsum(f) / SR
    k = np.arange(1, 21)[:, None]
    x = (np.sin(k * ph[None, :]) / k).sum(axis=0)
    b, a = scipy.signal.butter(2, [500, 1500], "bandpass", fs=SR)
    return np.asarray(x + 2 * scipy.signal.lfilter(b, a, x))


def syllable_call(
    rate_hz: float, seed: int, total_s: float = 25.0, f0_hz: float = 120.0
) -> tuple[np.ndarray, np.ndarray, int]:
    """(voice, utterance mask, syllables): from 2 s on, utterances of 4-7 syllables, one every
    ``1 / rate_hz`` s (level -6..0 dB, a sin^2 hump over the period standing 18 dB over the
    dips between syllables), 1.2 s apart; each opens with a 0.2 s voiced onset rising 12 dB into
    its first dip and closes with a 0.3 s tail falling 12 dB from its last one (quiet, and no
    syllable peak in them: they rise or fall throughout)."""
    rng = np.random.default_rng(seed)
    n = int(total_s * SR)
    env = np.zeros(n)
    mask = np.zeros(n, bool)
    period = 1.0 / rate_hz
    dip = 10 ** (-18 / 20)
    t, count = 2.0, 0
    while True:
        k = int(rng.integers(4, 8))
        if t + 0.2 + k * period + 0.3 > total_s - 1.0:
            break
        levels = 10 ** (rng.uniform(-6, 0, k) / 20)
        i0, m = int(t * SR), int(0.2 * SR)
        env[i0 : i0 + m] = levels[0] * dip * 10 ** (np.linspace(-12, 0, m) / 20)
        s = t + 0.2
        for lev in levels:
            j0, j1 = int(s * SR), int((s + period) * SR)
            hump = np.sin(np.linspace(0, np.pi, j1 - j0)) ** 2
            env[j0:j1] = lev * (dip + (1 - dip) * hump)
            s += period
        j0, m = int(s * SR), int(0.3 * SR)
        env[j0 : j0 + m] = levels[-1] * dip * 10 ** (np.linspace(0, -12, m) / 20)
        s += 0.3
        mask[i0 : int(s * SR)] = True
        count += k
        t = s + 1.2
    v = harmonic_voice(n, rng, f0_hz) * env
    v *= 0.3 / np.max(np.abs(v))
    return (v + floor_noise(n, seed)).astype(np.float32), mask, count


def floor_noise(n: int, seed: int) -> np.ndarray:
    """A recording's noise floor, -70 dBFS white (as bench_calls' front end signals)."""
    return np.random.default_rng(seed + 1000).standard_normal(n) * 10 ** (-70 / 20)


def with_noise(v: np.ndarray, mask: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    """``v`` plus telephone-band white noise ``snr_db`` under the voice's level over its
    utterances."""
    noise = scipy.signal.sosfilt(_BAND, np.random.default_rng(seed).standard_normal(v.size))
    noise *= np.sqrt(np.mean(v[mask] ** 2) / np.mean(noise**2)) * 10 ** (-snr_db / 20)
    return np.asarray(v + noise, np.float32)


def rates(x: np.ndarray, opts: FeatureOptions = ON) -> tuple[int, float | None, float | None]:
    """(nuclei, nuclei per heard second, nuclei per second of the intervals between them)."""
    ch = extract_features(x[None, :], opts).channels[0]
    iv = NucleusIntervals(opts.frames(opts.syllable_interval_max_s))
    iv.push(ch.nucleus, ch.heard)
    heard = float(ch.heard.sum() * opts.hop_s)
    n = int(ch.nucleus.sum())
    return n, (n / heard if heard else None), iv.rate_per_s(opts.hop_s)


@pytest.mark.parametrize("rate_hz", [3.0, 4.5, 6.0])
def test_clean_syllables_are_counted_and_the_interval_rate_is_the_built_rate(
    rate_hz: float,
) -> None:
    v, _, count = syllable_call(rate_hz, seed=int(rate_hz * 10))
    n, heard_rate, interval_rate = rates(v)
    assert abs(n / count - 1.0) <= 0.10
    assert interval_rate is not None and abs(interval_rate / rate_hz - 1.0) <= 0.10
    # The heard-speech rate also holds the quiet onsets, tails and hangover: lower.
    assert heard_rate is not None and heard_rate < interval_rate


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("snr_db", [10.0, 5.0, 0.0])
def test_under_noise_the_interval_rate_stays_the_clean_ones(seed: int, snr_db: float) -> None:
    v, mask, count = syllable_call(4.0, seed)
    x = with_noise(v, mask, snr_db, seed + 100)
    _, heard_c, iv_c = rates(v)
    n_n, heard_n, iv_n = rates(x)
    assert iv_c is not None and iv_n is not None and heard_c and heard_n
    # nuclei: the syllables, within tolerance (no extra ones from the noise)
    assert 0.8 <= n_n / count <= 1.05
    assert abs(iv_n / iv_c - 1.0) <= 0.10
    assert abs(iv_n / 4.0 - 1.0) <= 0.10
    # the noise hides the quiet onsets and tails: the heard-speech rate rises more
    assert abs(iv_n / iv_c - 1.0) < abs(heard_n / heard_c - 1.0)


def test_a_faster_talker_reads_faster() -> None:
    slow = rates(syllable_call(3.0, 7)[0])[2]
    fast = rates(syllable_call(6.0, 8)[0])[2]
    assert slow is not None and fast is not None
    assert abs(fast / slow - 2.0) <= 0.2


@pytest.mark.parametrize("seed", [0, 1])
def test_noise_bursts_add_no_nuclei(seed: int) -> None:
    # 12 aperiodic bursts (0.1-0.3 s, telephone band, as loud as the voice) in the pauses,
    # at least 0.25 s from any utterance.
    v, mask, count = syllable_call(4.0, seed)
    rng = np.random.default_rng(seed + 50)
    level = np.sqrt(np.mean(v[mask] ** 2))
    near = maximum_filter1d(mask.astype(np.uint8), SR // 2 + int(0.3 * SR)) > 0
    free = np.flatnonzero(~near[: v.size - SR])
    bursts = floor_noise(v.size, seed + 1).astype(np.float32)
    for i0 in rng.choice(free, 12, replace=False):
        m = int(rng.uniform(0.1, 0.3) * SR)
        seg = scipy.signal.sosfilt(_BAND, rng.standard_normal(m))
        bursts[i0 : i0 + m] = seg * level / np.sqrt(np.mean(seg**2))
    assert rates(bursts)[0] == 0
    assert rates(v + bursts)[0] == count


def test_noise_alone_has_no_rate() -> None:
    noise = scipy.signal.sosfilt(_BAND, np.random.default_rng(3).standard_normal(20 * SR))
    n, _, interval_rate = rates((0.05 * noise).astype(np.float32))
    assert n == 0 and interval_rate is None


def test_intervals_known_answers() -> None:
    # nuclei at 10, 30, 50 (heard throughout): two intervals of 20 frames; 50 -> 120 is over
    # the cap; 120 -> 140 has an unheard frame between; 140 -> 160 counts.
    nuc = np.zeros(200, bool)
    nuc[[10, 30, 50, 120, 140, 160]] = True
    heard = np.ones(200, bool)
    heard[130] = False
    iv = NucleusIntervals(50)
    iv.push(nuc, heard)
    assert (iv.count, iv.frames) == (3, 60)
    assert iv.rate_per_s(0.01) == pytest.approx(3 / 0.6)
    assert NucleusIntervals(50).rate_per_s(0.01) is None


def test_blocks_of_any_length_give_the_whole_streams_totals() -> None:
    rng = np.random.default_rng(9)
    nuc = rng.random(5000) < 0.06
    heard = rng.random(5000) < 0.97
    nuc &= heard
    whole = NucleusIntervals(40)
    whole.push(nuc, heard)
    for _ in range(5):
        parts = NucleusIntervals(40)
        cuts = np.sort(rng.choice(np.arange(1, 5000), 300, replace=False))
        for a, b in zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [5000])), strict=True):
            parts.push(nuc[a:b], heard[a:b])
        assert (parts.count, parts.frames) == (whole.count, whole.frames)


def test_bad_cap_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError):
        NucleusIntervals(0)


def test_a_session_reports_the_interval_rate_and_nothing_else_moves() -> None:
    from calltone.audio.channels import ChannelRoles
    from calltone.audio.decode import DecodedAudio
    from calltone.models.recorded.analysis import run_session
    from calltone.models.tone.config import AnalysisConfig

    v, mask, _ = syllable_call(4.0, 21, total_s=20.0)
    agent = with_noise(v, mask, 5.0, 22)
    other = (np.random.default_rng(11).standard_normal(agent.size) * 10 ** (-70 / 20)).astype(
        np.float32
    )
    audio = DecodedAudio(np.stack((agent, other)), SR, SR, "intervals")
    base = AnalysisConfig()
    runs = {
        s: run_session(
            audio,
            ChannelRoles(agent=0, customer=1),
            dataclasses.replace(
                base, features=dataclasses.replace(base.features, syllable_interval_max_s=s)
            ),
        )
        for s in (0.0, 0.5)
    }
    off, on = runs[0.0], runs[0.5]
    m_off, m_on = off.analysis.metrics["agent"], on.analysis.metrics["agent"]
    assert abs(m_on["syllable_rate_per_s"] / 4.0 - 1.0) <= 0.10
    # the heard-speech rate (off) holds the quiet edges the noise hid: further from the built rate
    assert abs(m_on["syllable_rate_per_s"] - 4.0) < abs(m_off["syllable_rate_per_s"] - 4.0)
    for key in ("talk_time_s", "voiced_s", "median_loudness_dbfs", "median_pitch_hz"):
        assert m_on[key] == m_off[key]
    assert [e.to_dict() for e in on.analysis.events] == [e.to_dict() for e in off.analysis.events]
    assert [a.kind for a in on.alerts] == [a.kind for a in off.alerts]


def test_a_negative_cap_is_refused() -> None:
    with pytest.raises(ParameterError):
        FeatureOptions(syllable_interval_max_s=-0.5)
