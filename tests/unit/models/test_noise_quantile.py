"""LineNoise's segment quantile is NumPy's linear quantile to the bit (a live-step shortcut)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.noise import quantile_linear


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@pytest.mark.parametrize("q", [0.0, 0.1, 0.16, 0.25, 0.5, 0.84, 0.9, 0.97, 1.0, 1.0 / 3.0])
def test_quantile_linear_is_numpys_to_the_bit(q: float) -> None:
    rng = np.random.default_rng(7)
    for trial in range(3000):
        n = int(rng.integers(1, 70))
        x = rng.normal(-60.0, 6.0, n)
        if trial % 3 == 1:
            x = np.round(x, 1)  # ties
        if trial % 7 == 3 and n > 2:
            x[int(rng.integers(0, n))] = -np.inf  # digital silence in dB
        if trial % 11 == 5 and n > 3:
            x[int(rng.integers(0, n))] = np.nan
        with np.errstate(invalid="ignore"):
            want = float(np.quantile(x, q))
        got = quantile_linear(x, q)
        assert _same(got, want), (n, q, got, want)


def test_quantile_linear_known_answers() -> None:
    assert quantile_linear(np.array([3.0, 1.0, 2.0]), 0.5) == 2.0
    assert quantile_linear(np.array([4.0, 1.0]), 0.5) == 2.5
    assert quantile_linear(np.array([4.0, 1.0, 2.0, 3.0]), 0.25) == 1.75
    assert quantile_linear(np.array([-50.0]), 0.5) == -50.0
    assert quantile_linear(np.array([1.0, 9.0]), 1.0) == 9.0
    assert math.isnan(quantile_linear(np.array([1.0, np.nan]), 0.5))


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9, 1.0])
def test_recent_values_quantile_is_numpys_over_the_window(q: float) -> None:
    """The agent-tone detector's own calm windows (``_RecentValues``): a list kept sorted as
    values come and the oldest go reads the same quantile as ``np.quantile`` over the last
    ``maxlen`` values in order (NaN left out; ``of_all``: NaN if one is NaN)."""
    from collections import deque

    from calltone.models.tone.detectors import _RecentValues

    rng = np.random.default_rng(11)
    for maxlen in (1, 2, 7, 40):
        window = _RecentValues(maxlen)
        ref: deque[float] = deque(maxlen=maxlen)
        assert math.isnan(window.quantile(q))
        for i in range(400):
            x = float(np.round(rng.normal(0.0, 2.0), 1 if i % 2 else 6))  # ties half the time
            if i % 13 == 4:
                x = math.nan
            elif i % 17 == 6:
                x = -math.inf
            window.append(x)
            ref.append(x)
            assert len(window) == len(ref)
            assert all(_same(a, b) for a, b in zip(window, ref, strict=True))
            arr = np.array(ref)
            kept = arr[~np.isnan(arr)]
            with np.errstate(invalid="ignore"):
                want = float(np.quantile(kept, q)) if kept.size else math.nan
                want_all = float(np.quantile(arr, q))
            assert _same(window.quantile(q), want), (maxlen, i)
            assert _same(window.quantile(q, of_all=True), want_all), (maxlen, i)
