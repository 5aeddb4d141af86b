"""The voice's own level and HNR under line noise (models/tone/noise.py), with known answers.

Synthetic signals through the real front end: a calm harmonic voice in turns, then the same
voice 12 dB louder, under steady pink noise at a known level. The mechanism has no fitted
number; the tolerances follow from the noise's own spread (~1 dB over a 32 ms frame).
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import extract_features
from calltone.models.tone.config import AnalysisConfig, NoiseCompensationConfig
from calltone.models.tone.noise import NO_NOISE_DBFS, LineNoise, correction_db, voice_levels
from tests.support.synth import pink_noise as pink
from tests.support.synth import silence, voiced

SR = 16_000
HOP_S = 0.01
CALM_DBFS = -30.0
RISE_DB = 12.0
PAUSE_S = 1.5
TURN_S = 2.0


def call(noise_under_calm_db: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Four calm turns, then one 12 dB louder, with pauses; optional steady noise
    ``noise_under_calm_db`` under the calm voice's RMS. Returns the signal and the sample masks
    of the calm and the loud turns."""
    parts, calm_m, loud_m = [silence(PAUSE_S)], [], []
    n0 = parts[0].size
    calm_m.append(np.zeros(n0, bool))
    loud_m.append(np.zeros(n0, bool))
    for k in range(5):
        level = CALM_DBFS + (RISE_DB if k == 4 else 0.0)
        turn = voiced(140.0 + 6 * k, TURN_S, level, seed=k)
        parts += [turn, silence(PAUSE_S, seed=k + 2)]
        calm_m += [np.full(turn.size, k < 4), np.zeros(int(PAUSE_S * SR), bool)]
        loud_m += [np.full(turn.size, k == 4), np.zeros(int(PAUSE_S * SR), bool)]
    x = np.concatenate(parts).astype(np.float64)
    calm, loud = np.concatenate(calm_m), np.concatenate(loud_m)
    if noise_under_calm_db is not None:
        # Levels as the front end reads them (300-3400 Hz): the noise's band level set
        # ``noise_under_calm_db`` under the calm voice's band level on the clean copy.
        ch = extract_features(x[None, :].astype(np.float32)).channels[0]
        calm_f = frame_mask(calm, len(ch)) & ch.speech
        noise = pink(x.size, 7)
        noise_band = np.median(
            extract_features(noise[None, :].astype(np.float32)).channels[0].loudness_dbfs
        )
        target = leq(ch.loudness_dbfs[calm_f]) - noise_under_calm_db
        x += noise * 10 ** ((target - noise_band) / 20)
    return x.astype(np.float32), calm, loud


def frame_mask(samples: np.ndarray, n_frames: int) -> np.ndarray:
    """Frames whose centre sample lies in ``samples`` (10 ms grid, 64 ms pitch window)."""
    centres = np.arange(n_frames) * round(HOP_S * SR) + 512
    return samples[np.minimum(centres, samples.size - 1)]


def leq(levels_dbfs: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(10 ** (levels_dbfs / 10))))


HNR_ON = NoiseCompensationConfig(hnr_noise_share_max=0.5)


def measure(
    noise_under_calm_db: float | None, config: NoiseCompensationConfig | None = None
) -> dict[str, float]:
    """Raw and compensated energy-mean level of the calm turns' and the loud turn's speech
    frames, and the estimated noise at the loud turn."""
    x, calm_s, loud_s = call(noise_under_calm_db)
    ch = extract_features(x[None, :]).channels[0]
    n = len(ch)
    calm_f = frame_mask(calm_s, n) & ch.speech
    loud_f = frame_mask(loud_s, n) & ch.speech
    tracker = LineNoise(config or AnalysisConfig().noise, hop_s=HOP_S)
    out = tracker.compensate(0, ch.loudness_dbfs, ch.speech, ch.hnr_db)
    v = out["voice_loudness_dbfs"]
    return {
        "raw_rise_db": leq(ch.loudness_dbfs[loud_f]) - leq(ch.loudness_dbfs[calm_f]),
        "voice_rise_db": leq(v[loud_f]) - leq(v[calm_f]),
        "raw_calm_dbfs": leq(ch.loudness_dbfs[calm_f]),
        "voice_calm_dbfs": leq(v[calm_f]),
        "noise_dbfs": float(np.median(out["noise_dbfs"][loud_f])),
        "calm_hnr_raw_db": float(np.mean(ch.hnr_db[calm_f & ch.voiced])),
        "calm_hnr_voice_db": float(np.mean(out["voice_hnr_db"][calm_f & ch.voiced])),
        "loud_hnr_voice_db": float(np.mean(out["voice_hnr_db"][loud_f & ch.voiced])),
        "max_correction_db": float(np.max(ch.loudness_dbfs[ch.speech] - v[ch.speech])),
    }


@pytest.fixture(scope="module")
def clean() -> dict[str, float]:
    return measure(None)


@pytest.fixture(scope="module")
def noisy() -> dict[str, float]:
    return measure(5.0)


@pytest.fixture(scope="module")
def noisy_hnr() -> dict[str, float]:
    return measure(5.0, HNR_ON)


def test_on_a_clean_line_nothing_changes(clean: dict[str, float]) -> None:
    # The -70 dBFS white floor of the pauses, read in the 300-3400 Hz band (3.1 of 8 kHz:
    # -4.1 dB), is 44 dB under the calm voice.
    assert clean["noise_dbfs"] == pytest.approx(-70.0 + 10 * np.log10(3100 / 8000), abs=1.0)
    assert clean["max_correction_db"] < 0.05
    assert clean["voice_rise_db"] == pytest.approx(clean["raw_rise_db"], abs=0.01)
    assert clean["voice_rise_db"] == pytest.approx(RISE_DB, abs=1.0)


def test_a_12_db_rise_under_noise_5_db_under_the_calm_voice_still_reads_12_db(
    clean: dict[str, float], noisy: dict[str, float]
) -> None:
    # The estimate is the noise's level: 5 dB under the calm voice's.
    assert noisy["noise_dbfs"] == pytest.approx(clean["raw_calm_dbfs"] - 5.0, abs=1.0)
    # Raw, the power sum compresses the rise by about 1 dB (calm 10 log10(1 + 10^-0.5) = 1.2 dB
    # too loud, the loud turn 0.07 dB)...
    assert noisy["raw_rise_db"] < clean["raw_rise_db"] - 0.7
    # ...compensated it is the clean rise again, and the calm level is the clean one.
    assert noisy["voice_rise_db"] == pytest.approx(clean["voice_rise_db"], abs=0.5)
    assert noisy["voice_rise_db"] == pytest.approx(RISE_DB, abs=1.0)
    assert noisy["voice_calm_dbfs"] == pytest.approx(clean["voice_calm_dbfs"], abs=0.6)


def test_hnr_is_left_as_measured_by_default(noisy: dict[str, float]) -> None:
    assert NoiseCompensationConfig().hnr_noise_share_max == 0.0
    assert noisy["calm_hnr_voice_db"] == pytest.approx(noisy["calm_hnr_raw_db"], abs=1e-3)


def test_hnr_of_a_calm_voice_under_noise_is_read_up_by_at_most_the_bound(
    clean: dict[str, float], noisy_hnr: dict[str, float]
) -> None:
    # Noise lowers the calm voice's measured HNR (24 dB clean, ~5 dB at 5 dB SNR); taking the
    # noise's share out raises it, towards the clean value, by at most the bound.
    assert noisy_hnr["calm_hnr_raw_db"] < clean["calm_hnr_raw_db"] - 10.0
    lift = noisy_hnr["calm_hnr_voice_db"] - noisy_hnr["calm_hnr_raw_db"]
    assert 2.0 < lift <= HNR_ON.hnr_max_correction_db + 1e-3
    assert clean["calm_hnr_voice_db"] == pytest.approx(clean["calm_hnr_raw_db"], abs=1e-3)
    on_clean = measure(None, HNR_ON)
    assert on_clean["calm_hnr_voice_db"] == pytest.approx(on_clean["calm_hnr_raw_db"], abs=0.2)


def test_the_correction_is_bounded_and_follows_the_power_sum() -> None:
    c = NoiseCompensationConfig()
    assert correction_db(30.0, c.max_correction_db) == pytest.approx(0.0043, abs=1e-3)
    assert correction_db(3.0, c.max_correction_db) == pytest.approx(3.0, abs=0.05)
    assert correction_db(0.0, c.max_correction_db) == pytest.approx(c.max_correction_db)
    loud, _ = voice_levels(np.array([-40.0, -50.0, -60.0]), np.zeros(3), -50.0, c)
    assert loud[0] == pytest.approx(-40.0 - correction_db(10.0, 10.0), abs=1e-4)
    assert loud[1] == pytest.approx(-60.0, abs=1e-4)  # at the noise: the bound
    assert loud[2] == pytest.approx(-70.0, abs=1e-4)
    off = NoiseCompensationConfig(max_correction_db=0.0)
    loud, hnr = voice_levels(np.array([-50.0]), np.array([5.0]), -50.0, off)
    assert loud[0] == -50.0 and hnr[0] == 5.0


def test_the_estimate_does_not_depend_on_chunking() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    speech = (np.arange(n) // 150) % 2 == 1
    level = np.where(speech, -30.0, -55.0) + rng.normal(0, 1.0, n)
    hnr = np.where(speech, 20.0, -5.0)
    whole = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S).push(0, level, speech, hnr)
    assert whole[0] == NO_NOISE_DBFS  # nothing heard yet: no correction
    assert np.median(whole[-500:]) == pytest.approx(-55.0, abs=0.3)
    for chunk in (1, 2, 7, 333):
        t = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S)
        parts = [
            t.push(a, level[a : a + chunk], speech[a : a + chunk], hnr[a : a + chunk])
            for a in range(0, n, chunk)
        ]
        np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_digital_silence_is_not_the_lines_noise() -> None:
    """A 12 s hold filled with digital silence (-120 dBFS frames, as a paused AudioHook session
    or Twilio's skipped silence reaches the analysis) between stretches of a -55 dBFS line:
    the estimate holds at the line's noise through it and after it; read as noise, the hold
    would pull the minimum down to -120 dBFS for a whole window after the audio resumed."""
    rng = np.random.default_rng(2)
    n = 4000  # 40 s
    hold = (np.arange(n) >= 1500) & (np.arange(n) < 2700)
    level = np.where(hold, -120.0, -55.0 + rng.normal(0, 1.0, n))
    speech = np.zeros(n, bool)
    hnr = np.full(n, -5.0)
    est = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S).push(0, level, speech, hnr)
    known = est[100:]  # the first segment ends at 0.5 s
    assert known.min() > -57.0 and known.max() < -53.0, (known.min(), known.max())
    # The level of digital silence itself is configurable: at -130 it counts as noise again.
    low = NoiseCompensationConfig(no_signal_dbfs=-130.0)
    dropped = LineNoise(low, hop_s=HOP_S).push(0, level, speech, hnr)
    assert dropped[2800:].min() < -100.0
