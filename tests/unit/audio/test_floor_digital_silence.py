"""The noise floor over digital silence: a line that alternates digital silence with its noise
(a recorder's gate, a codec's DTX) keeps the floor of its noise (issue 13, session 11)."""

from __future__ import annotations

import numpy as np

from calltone.audio.features import FeatureOptions, extract_features
from tests.support.synth import pink_noise
from tests.unit.audio.test_speech_gate_noise import words

SR = 16_000
#: The floor as it was before: digital silence counted as a -120 dBFS measurement.
SILENCE_MEASURES = FeatureOptions(vad_floor_no_signal_dbfs=float("-inf"))


def gated_line(noise_db_under: float, *, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(line, noise-only mask per 10 ms frame): the synthetic words at -26 dBFS over their on
    time, pink noise ``noise_db_under`` under that, and the whole line cut to exact zeros for
    1 s in every 5 s (outside the words, as a recorder's gate between turns does)."""
    x, on = words(seed)
    x = x * 10 ** (-26.0 / 20) / np.sqrt(np.mean(x[on] ** 2))
    noise = pink_noise(x.size, seed + 7) * 10 ** ((-26.0 - noise_db_under) / 20)
    y = x + noise
    cut = np.zeros(x.size, bool)
    for a in range(2 * SR, x.size - SR, 5 * SR):
        cut[a : a + SR] = True
    cut &= ~on
    y[cut] = 0.0
    hop = SR // 100
    n = x.size // hop
    # A frame is noise only when its whole +-50 ms has no word and no cut.
    busy = (on | cut)[: n * hop].reshape(n, hop).any(axis=1)
    near = np.convolve(busy.astype(int), np.ones(11, int), mode="same") > 0
    return y.astype(np.float32), ~near


def _speech(x: np.ndarray, options: FeatureOptions | None = None) -> np.ndarray:
    return extract_features(x[None], options).channels[0].speech


def test_noise_between_digital_silences_is_not_speech() -> None:
    # Noise 30 dB under the words: inside vad_range_db (35 dB) of their peak, so only the
    # floor keeps it out; with digital silence read as a -120 dBFS floor it was speech.
    y, noise_only = gated_line(30.0)
    after = _speech(y)
    before = _speech(y, SILENCE_MEASURES)
    m = min(after.size, noise_only.size)
    assert before[:m][noise_only[:m]].mean() > 0.3  # the failure this fixes
    assert after[:m][noise_only[:m]].mean() < 0.02


def test_talk_time_on_a_gated_line_is_kept() -> None:
    y, _ = gated_line(30.0)
    _, on = words(3)
    truth_s = on.sum() / SR
    talk_s = _speech(y).sum() * 0.01
    assert abs(talk_s - truth_s) / truth_s < 0.1


def test_a_noiseless_line_is_unchanged() -> None:
    # Words with exact-zero pauses and no noise at all: no floor is measured either way.
    x, on = words(5)
    x = (x * 10 ** (-26.0 / 20) / np.sqrt(np.mean(x[on] ** 2))).astype(np.float32)
    a, b = _speech(x), _speech(x, SILENCE_MEASURES)
    assert abs(int(a.sum()) - int(b.sum())) <= 0.02 * b.sum()
