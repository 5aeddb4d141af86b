"""The fast reading of a rise of the line's noise (``NoiseCompensationConfig.rise_confirm_s``,
models/tone/noise.py), with known answers.

A room-noise onset or a gain step raises the line's noise by more than the speech gate's strict
margin (9 dB), so the gate calls the new noise speech until its own 8 s floor window clears, and
minimum statistics reads nothing new until then: the estimate moved ~8.5 s after a +15 dB step.
The rise track reads it from the segments that show no voice, once two in a row stand 6 dB or
more over the estimate; a single louder segment (speech the gate missed) is no rise; digital
silence is no reading at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.features import extract_features
from calltone.models.tone.config import CALL_FEATURES, NoiseCompensationConfig
from calltone.models.tone.noise import LineNoise
from tests.support.synth import pink_noise, voiced

SR = 16_000
HOP_S = 0.01
ON = NoiseCompensationConfig(rise_confirm_s=1.0)
BEFORE_DBFS = -60.0
AFTER_DBFS = -45.0  # +15 dB
ONSET_S = 23.0  # the start of a 2 s gap between turns


@pytest.fixture(scope="module")
def step_frames() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2 s turns of a -30 dBFS harmonic voice every 4 s, under pink noise whose band level
    (300-3400 Hz, as the front end reads it) steps from -60 to -45 dBFS at 23 s, through the
    real front end: the frames' levels, the gate's heard labels and HNR."""
    n = int(44 * SR)
    x = np.zeros(n)
    for k, s in enumerate(np.arange(1.0, 42.0, 4.0)):
        v = voiced(130.0 + 5 * k, 2.0, -30.0, seed=k)
        i = int(s * SR)
        x[i : i + v.size] += v
    noise = pink_noise(n, 3)
    band = np.median(extract_features(noise[None, :].astype(np.float32)).channels[0].loudness_dbfs)
    level = np.where(np.arange(n) >= ONSET_S * SR, AFTER_DBFS, BEFORE_DBFS)
    x = x + noise * 10 ** ((level - band) / 20)
    ch = extract_features(x[None, :].astype(np.float32), CALL_FEATURES).channels[0]
    return ch.loudness_dbfs, ch.heard, ch.hnr_db


def at(est: np.ndarray, t_s: float) -> float:
    return float(est[round(t_s / HOP_S)])


def test_a_15_db_noise_step_is_read_within_1_5_s(
    step_frames: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    level, heard, hnr = step_frames
    # The gate calls the new noise speech: the gap after the onset is all "heard".
    gap = slice(round((ONSET_S + 0.1) / HOP_S), round((ONSET_S + 1.9) / HOP_S))
    assert heard[gap].mean() > 0.9
    old = LineNoise(NoiseCompensationConfig(), hop_s=HOP_S).push(0, level, heard, hnr)
    new = LineNoise(ON, hop_s=HOP_S).push(0, level, heard, hnr)
    # Before the step both read the old noise.
    assert at(old, ONSET_S - 0.1) == pytest.approx(BEFORE_DBFS, abs=1.0)
    assert at(new, ONSET_S - 0.1) == pytest.approx(BEFORE_DBFS, abs=1.0)
    # Minimum statistics alone still reads the old noise 5 s after the step...
    assert at(old, ONSET_S + 5.0) < BEFORE_DBFS + 2.0
    # ...the rise track reads the new one 1.5 s after it, and holds it.
    after = new[round((ONSET_S + 1.5) / HOP_S) :]
    assert after.min() > AFTER_DBFS - 1.5 and after.max() < AFTER_DBFS + 1.5


def test_the_estimate_with_the_rise_track_does_not_depend_on_chunking(
    step_frames: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    level, heard, hnr = step_frames
    whole = LineNoise(ON, hop_s=HOP_S).push(0, level, heard, hnr)
    for chunk in (1, 7, 333):
        t = LineNoise(ON, hop_s=HOP_S)
        parts = [
            t.push(a, level[a : a + chunk], heard[a : a + chunk], hnr[a : a + chunk])
            for a in range(0, level.size, chunk)
        ]
        np.testing.assert_array_equal(np.concatenate(parts), whole)


def steady_line(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A -55 dBFS noise (1 dB spread per frame), all non-speech and voiceless."""
    rng = np.random.default_rng(seed)
    return -55.0 + rng.normal(0, 1.0, n), np.zeros(n, bool), np.full(n, -5.0)


def test_speech_the_gate_missed_in_one_segment_is_no_rise() -> None:
    level, speech, hnr = steady_line(3000, 4)
    level[1000:1050] = -35.0  # one 0.5 s segment 20 dB louder, called noise by the gate
    est = LineNoise(ON, hop_s=HOP_S).push(0, level, speech, hnr)
    tracker = LineNoise(ON, hop_s=HOP_S)
    tracker.push(0, level, speech, hnr)
    assert tracker.rises == []
    assert est[100:].min() > -56.5 and est[100:].max() < -53.5
    # A one-segment rule would read it as a rise: the test can fail.
    one = LineNoise(NoiseCompensationConfig(rise_confirm_s=0.5), hop_s=HOP_S)
    assert one.push(0, level, speech, hnr).max() > -40.0


def test_voiced_speech_the_gate_calls_speech_is_no_rise() -> None:
    # Long turns of a voice 25 dB over the noise (its frames voiced, some voiceless), with
    # 0.5 s pauses: no segment of a turn is a candidate, so nothing rises.
    rng = np.random.default_rng(5)
    n = 4000
    level, speech, hnr = steady_line(n, 5)
    turn = (np.arange(n) % 400) >= 50
    speech[turn] = True
    level[turn] = -30.0 + rng.normal(0, 3.0, int(turn.sum()))
    hnr[turn] = np.where(rng.random(int(turn.sum())) < 0.7, 15.0, -3.0)
    tracker = LineNoise(ON, hop_s=HOP_S)
    est = tracker.push(0, level, speech, hnr)
    assert tracker.rises == []
    assert est[100:].max() < -53.5


def test_a_burst_read_as_a_rise_ends_at_the_next_segment_of_noise() -> None:
    # A 1 s burst of noise 15 dB over the line (a door to a busy room opened and shut),
    # aligned on two segments: read as a rise, and dropped again at the first segment after.
    level, speech, hnr = steady_line(3000, 6)
    level[1000:1100] += 15.0
    tracker = LineNoise(ON, hop_s=HOP_S)
    est = tracker.push(0, level, speech, hnr)
    assert [r[0] for r in tracker.rises] == [21]
    assert est[1100:1150].min() > -42.0  # in force for the next segment
    assert est[1150:].max() < -53.5  # and gone after it


def test_digital_silence_is_no_reading_of_the_rise_track() -> None:
    """A 12 s hold of digital silence (-120 dBFS) on a -55 dBFS line, the gate calling part of
    it speech: no rise when the audio resumes, and the estimate holds at the line's noise."""
    level, speech, hnr = steady_line(4000, 7)
    hold = slice(1500, 2700)
    level[hold] = -120.0
    speech[1500:2000] = True
    tracker = LineNoise(ON, hop_s=HOP_S)
    est = tracker.push(0, level, speech, hnr)
    assert tracker.rises == []
    assert est[100:].min() > -57.0 and est[100:].max() < -53.0
    # A real rise across the hold (the line resumes 15 dB noisier) is read within 1 s: the
    # hold left nothing in the window.
    level[2700:] += 15.0
    est = LineNoise(ON, hop_s=HOP_S).push(0, level, speech, hnr)
    assert est[2800:].min() > -41.5


def test_off_by_default() -> None:
    assert NoiseCompensationConfig().rise_confirm_s == 0.0


def test_the_new_noise_the_gate_calls_speech_is_not_speech_once_the_rise_is_read(
    step_frames: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """``rise_unheard_margin_db``: after the +15 dB step the gate calls the 2 s gap speech;
    once the rise is read (1 s in), the rest of the gap is no speech for the detectors, the
    next turn's voice still is, and once the gate reads the noise again nothing is taken out."""
    level, heard, hnr = step_frames
    cfg = NoiseCompensationConfig(rise_confirm_s=1.0, rise_unheard_margin_db=3.0)
    out = LineNoise(cfg, hop_s=HOP_S).compensate(0, level, heard, hnr)
    speech = out["speech"]

    def share(mask: np.ndarray, a_s: float, b_s: float) -> float:
        return float(mask[round(a_s / HOP_S) : round(b_s / HOP_S)].mean())

    assert share(heard, ONSET_S + 1.0, ONSET_S + 1.9) > 0.9  # the gate: speech
    assert share(speech, ONSET_S + 1.1, ONSET_S + 1.9) < 0.1  # read as the noise
    # The next turn (25-27 s), its voice 15 dB over the new noise, keeps its speech.
    assert share(speech, 25.1, 26.9) > share(heard, 25.1, 26.9) - 0.05
    # Before the step and after the gate reads the new noise (its floor window cleared),
    # the gate's labels as they are.
    np.testing.assert_array_equal(speech[: round(ONSET_S / HOP_S)], heard[: round(ONSET_S / HOP_S)])
    np.testing.assert_array_equal(speech[round(33.0 / HOP_S) :], heard[round(33.0 / HOP_S) :])
    # Off (the default) the dict carries no speech labels: the stream keeps the gate's.
    assert "speech" not in LineNoise(ON, hop_s=HOP_S).compensate(0, level, heard, hnr)


def test_a_fluctuating_run_is_no_rise_a_steady_one_is() -> None:
    """Two segments 10 dB over the line: read as a rise when their frames are steady (1 dB
    spread, IQR ~1.3 dB), not when they fluctuate like speech leak or a room's babble (4 dB
    spread, IQR ~5.4 dB, over ``rise_max_spread_db`` 2)."""
    rng = np.random.default_rng(8)
    for sd, rises in ((1.0, [21]), (4.0, [])):
        level, speech, hnr = steady_line(3000, 9)
        level[1000:1100] = -45.0 + rng.normal(0, sd, 100)
        tracker = LineNoise(ON, hop_s=HOP_S)
        tracker.push(0, level, speech, hnr)
        assert [r[0] for r in tracker.rises] == rises, sd
    # Without the steadiness check the fluctuating run is read as a rise too: it can fail.
    tracker = LineNoise(
        NoiseCompensationConfig(rise_confirm_s=1.0, rise_max_spread_db=0.0), hop_s=HOP_S
    )
    tracker.push(0, level, speech, hnr)
    assert [r[0] for r in tracker.rises] == [21]
