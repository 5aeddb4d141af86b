"""The per-tick shortcuts of the baselines and the gain follow give what they replace, to the bit
(session 22, speed: no output may change).

Each check runs the optimized path and the straightforward computation it replaced on random
inputs built to hit the awkward cases (duplicates, even and odd counts, signed zeros, NaN,
infinities, values off both ends of the histogram), and compares float bits, not closeness.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest
import scipy.signal

from calltone.audio import features as F
from calltone.models.tone import baseline as B
from calltone.models.tone import detectors as D
from calltone.models.tone.config import AgentToneConfig, BaselineConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.gain import PairUpFollow


def _bits(x: float) -> str:
    return float(x).hex()


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.integers(0, 5)
    if kind == 0:  # continuous
        return rng.normal(-50.0, 12.0, n)
    if kind == 1:  # 0.1 dB steps: many duplicates
        return np.round(rng.normal(-50.0, 3.0, n), 1)
    if kind == 2:  # around zero: signed zeros, the halved sum of opposite values
        return rng.choice(np.array([-0.0, 0.0, -1.5, 1.5, -2.0, 2.0]), n)
    if kind == 3:  # huge values: the two middle ones' sum may overflow
        return rng.choice(np.array([1.7e308, -1.7e308, 1e308, 3.0]), n)
    return rng.normal(0.0, 1e-300, n)  # subnormal halves


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow of the +-1.7e308 cases
def test_median_exact_equals_numpy_median_on_random_inputs() -> None:
    rng = np.random.default_rng(22)
    for _ in range(20_000):
        x = _values(rng, int(rng.integers(1, 90)))
        want = _bits(float(np.median(x)))
        assert _bits(B.median_exact(x)) == want, x
        assert _bits(B.median_exact(x.tolist())) == want, x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow of the +-1.7e308 cases
@pytest.mark.parametrize(
    "x",
    [
        [math.nan, 1.0, 2.0],
        [1.0, math.nan],
        [math.inf, -math.inf],
        [math.inf, 1.0],
        [-math.inf, -math.inf, 3.0, 4.0],
        [-0.0],
        [-0.0, -0.0],
        [0.0, -0.0, 1.0],
    ],
)
def test_median_exact_edge_cases_equal_numpy(x: list[float]) -> None:
    want = _bits(float(np.median(np.array(x))))
    assert _bits(B.median_exact(np.array(x))) == want
    assert _bits(B.median_exact(list(x))) == want


def test_median_exact_other_dtypes_left_to_numpy() -> None:
    rng = np.random.default_rng(5)
    for _ in range(2_000):
        x = rng.normal(-40.0, 10.0, int(rng.integers(1, 40))).astype(np.float32)
        assert _bits(B.median_exact(x)) == _bits(float(np.median(x)))


def test_add_equals_the_clipped_searchsorted() -> None:
    rng = np.random.default_rng(7)
    for edges in (B._LOUD_EDGES, B._ST_EDGES):
        for _ in range(2_000):
            v = rng.uniform(edges[0] - 20.0, edges[-1] + 20.0, int(rng.integers(0, 60)))
            if v.size and rng.random() < 0.3:
                v[rng.integers(0, v.size)] = np.nan
            if v.size and rng.random() < 0.3:
                v[rng.integers(0, v.size)] = edges[rng.integers(0, edges.size)]  # on an edge
            h0 = rng.random(edges.size - 1)
            h1 = h0.copy()
            idx = B._add(h1, v, edges)
            want_idx = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, h0.size - 1)
            h0 += np.bincount(want_idx, minlength=h0.size)
            assert np.array_equal(idx, want_idx)
            assert h1.tobytes() == h0.tobytes()


def _hist_leq_plain(hist: np.ndarray, ratio: np.ndarray) -> float:
    keep = hist > 0
    top = float(B._LOUD_CENTRES[keep].max())
    w = np.where(keep, ratio, 0.0)
    return top + 10.0 * math.log10(
        max(float(np.sum(w * 10.0 ** ((B._LOUD_CENTRES - top) / 10.0)) / hist.sum()), 1e-30)
    )


def test_hist_leq_with_cached_powers_equals_the_plain_computation() -> None:
    rng = np.random.default_rng(11)
    n = B._LOUD_CENTRES.size
    for _ in range(3_000):
        hist = np.zeros(n)
        lo = int(rng.integers(0, n - 1))
        hi = int(rng.integers(lo + 1, min(n, lo + 400) + 1))
        hist[lo:hi] = rng.random(hi - lo) * (rng.random(hi - lo) < 0.7)
        if not hist.any():
            hist[lo] = 1.0
        ratio = rng.random(n) * 2.0
        # twice: the second call reads the cached powers
        for _ in range(2):
            assert _bits(B._hist_leq(hist, ratio)) == _bits(_hist_leq_plain(hist, ratio))
    with pytest.raises(ValueError):
        B._hist_leq(np.zeros(n), np.ones(n))


def _noise_rise_plain(f: PairUpFollow, p: str, split: int, now: int) -> float | None:
    """The session-21 computation, filtering every kept sample."""
    lo = f.c.gain_noise_pair_min_dbfs
    kept = f._noise[p]
    before = [n for s, n in kept if split - f._n_before <= s < split and n >= lo]
    after = [n for s, n in kept if split <= s < now and n >= lo]
    if not before or not after or split - kept[0][0] < f._n_before_min:
        return None
    return float(np.median(after)) - float(np.median(before))


def test_noise_rise_by_bisection_equals_the_plain_filter() -> None:
    rng = np.random.default_rng(3)
    c = BaselineConfig()
    f = PairUpFollow(c, hop_s=0.01, parties=("agent", "customer"))
    grid = f._grid
    for _ in range(300):
        first = int(rng.integers(0, 5_000)) * grid
        m = int(rng.integers(0, 400))
        levels = np.round(rng.normal(-60.0, 8.0, m), 1)
        # some samples under gain_noise_pair_min_dbfs (digital silence, no noise known yet)
        levels[rng.random(m) < 0.15] = c.gain_noise_pair_min_dbfs - 10.0
        f._noise["agent"] = deque(
            (first + k * grid, float(v)) for k, v in enumerate(levels.tolist())
        )
        for _ in range(20):
            split = first + int(rng.integers(-100, m * grid + 100))
            now = split + int(rng.integers(-50, 2_000))
            got = f._noise_rise("agent", split, now)
            want = _noise_rise_plain(f, "agent", split, now)
            assert (got is None) == (want is None)
            if got is not None and want is not None:
                assert _bits(got) == _bits(want)


def test_filter_designs_are_scipys_and_not_shared() -> None:
    for args, kw in (
        ((8, 0.9 / 2), {}),
        ((2, [300.0, 3400.0]), {"btype": "bandpass", "fs": 16000}),
        ((4, (400.0, 1000.0)), {"btype": "bandpass", "fs": 16000}),
    ):
        order, wn = args
        want = scipy.signal.butter(
            order, list(wn) if not np.isscalar(wn) else wn, output="sos", **kw
        )
        key = tuple(wn) if not np.isscalar(wn) else float(wn)
        got = F._butter_sos(order, key, kw.get("btype", "lowpass"), kw.get("fs"))
        assert got.tobytes() == want.tobytes()
        got[:] = 0.0  # a caller's copy: the cached design is not touched
        again = F._butter_sos(order, key, kw.get("btype", "lowpass"), kw.get("fs"))
        assert again.tobytes() == want.tobytes()


def _with_specials(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.7e308, -1.7e308])
    hit = rng.random(x.shape) < 0.2
    x = x.copy()
    x[hit] = rng.choice(specials, int(hit.sum()))
    return x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow of the +-1.7e308 cases
def test_at_least_equals_the_nan_to_num_comparison() -> None:
    rng = np.random.default_rng(13)
    for _ in range(3_000):
        x = _with_specials(rng, rng.normal(0.0, 5.0, int(rng.integers(0, 12))))
        for thr in (
            float(rng.normal(0.0, 5.0)),
            0.0,
            -0.0,
            1e308,
            -1e308,
            1.7e308,
            np.inf,
            -np.inf,
            np.nan,
        ):
            want = np.nan_to_num(x, nan=-np.inf) >= thr
            assert np.array_equal(D._at_least(x, thr), want)
        x32 = x.astype(np.float32)
        for thr in (1e39, -1e39, 1.0):
            assert np.array_equal(D._at_least(x32, thr), np.nan_to_num(x32, nan=-np.inf) >= thr)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow of the +-1.7e308 cases
def test_tone_score_and_series_equal_the_nan_to_num_forms() -> None:
    rng = np.random.default_rng(17)
    det = D.AgentToneDetector(AgentToneConfig(), speaker="agent", hop_s=0.01)
    for _ in range(500):
        k = int(rng.integers(0, 6))
        values = rng.normal(0.0, 3.0, (6, k))
        if rng.random() < 0.7:
            values = _with_specials(rng, values)
        x = np.nan_to_num(np.asarray(values, dtype=np.float64))
        x[3] = np.maximum(x[3] - 1.0, 0.0)
        z = det.c.score_bias + det.weights() @ x
        want = np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))
        before = values.copy()
        got = det.score(values)
        assert got.tobytes() == want.tobytes()
        assert values.tobytes() == before.tobytes()  # the caller's values are not touched
    for _ in range(500):
        n = int(rng.integers(1, 60))
        pitch = rng.normal(3.0, 4.0, n).astype(np.float32)
        if rng.random() < 0.7:
            pitch = _with_specials(rng, pitch.astype(np.float64)).astype(np.float32)
        voiced = rng.random(n) < 0.6
        voiced[0] = True
        f = PartyFrames(
            0,
            loudness_dbfs=rng.normal(-40.0, 6.0, n).astype(np.float32),
            pitch_st=pitch,
            voiced=voiced,
            speech=voiced | (rng.random(n) < 0.3),
            nucleus=rng.random(n) < 0.1,
            tilt_db=rng.normal(-10.0, 2.0, n).astype(np.float32),
            hnr_db=rng.normal(10.0, 3.0, n).astype(np.float32),
        )
        got = D._tone_series(f)
        want_st = np.where(voiced, np.nan_to_num(f.pitch_st), 0.0)
        assert got[2].tobytes() == want_st.astype(got.dtype).tobytes()
        assert got[3].tobytes() == (want_st * want_st).astype(got.dtype).tobytes()
