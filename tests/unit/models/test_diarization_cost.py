"""The mono path's cheaper forms give what the forms they replaced gave (issue 20 speed, session
15): the mel spectrum of the speaker features, the band level, the mask ramp and the masked rows
to the bit, and the separation on one BLAS thread (``DiarizationConfig.blas_threads``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter

from calltone.audio.errors import ParameterError
from calltone.audio.features import FeatureOptions
from calltone.audio.speakers import (
    SpeakerFeatureOptions,
    _melspectrogram,
    band_filter,
    band_level_dbfs,
)
from calltone.models.diarization import (
    DiarizationConfig,
    _ramped,
    diarize,
    edge_owner,
    separate_mono,
    split_channels,
)
from tests.support.synth import SR, silence, voiced

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

from telephone import through  # noqa: E402


def _two_voices() -> np.ndarray:
    """A 110 Hz dark voice and a 230 Hz bright one taking six turns with pauses."""
    parts = [silence(0.5)]
    for k in range(6):
        if k % 2 == 0:
            x = lfilter([0.3], [1.0, -0.7], voiced(110.0, 2.5, -24.0, seed=k))
        else:
            x = lfilter([1.0, -0.8], [1.0], voiced(230.0, 2.0, -22.0, seed=k))
        parts += [np.asarray(x, dtype=np.float32), silence(0.6, seed=k + 10)]
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.parametrize("telephone", [False, True])
@pytest.mark.parametrize("fmin_hz", [300.0, 0.0])
def test_the_mel_spectrum_is_librosas_to_the_bit(telephone: bool, fmin_hz: float) -> None:
    import librosa

    x = _two_voices()
    if telephone:
        x = through(x, "nb_ulaw").astype(np.float32)
    o = SpeakerFeatureOptions(fmin_hz=fmin_hz, band_filter_order=4 if fmin_hz else 0)
    y = band_filter(x, o)
    ours = _melspectrogram(y, o, 512, 160, 400)
    ref = librosa.feature.melspectrogram(
        y=y, sr=SR, n_fft=512, hop_length=160, win_length=400, n_mels=o.n_mels,
        fmin=o.fmin_hz, fmax=o.fmax_hz, center=True, power=2.0,
    )  # fmt: skip
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert np.array_equal(ours, ref)


def test_the_band_level_is_the_old_running_sum_to_the_bit() -> None:
    o = SpeakerFeatureOptions()
    y = band_filter(_two_voices(), o)
    n_frames = y.size // 160
    ours = band_level_dbfs(y, n_frames, o)
    # the previous form: concatenate [0] and the cumulative sum of the squares
    z = np.asarray(y, dtype=np.float64)
    cum = np.concatenate([[0.0], np.cumsum(z * z)])
    fo = FeatureOptions()
    a = np.minimum(
        np.arange(n_frames) * fo.hop + (fo.pitch_window - fo.loudness_window) // 2, z.size
    )
    b = np.minimum(a + fo.loudness_window, z.size)
    energy = (cum[b] - cum[a]) / np.maximum(b - a, 1)
    assert np.array_equal(ours, 10 * np.log10(np.maximum(energy, 1e-12)))
    assert np.array_equal(y, band_filter(_two_voices(), o))  # the input is left as it was


def _old_ramped(g: np.ndarray, k: int) -> np.ndarray:
    """The mask ramp before session 15 (a padded copy of the whole gain)."""
    n = g.size
    if k <= 1 or n == 0:
        return g
    before, after = k // 2, (k - 1) // 2
    changes = np.flatnonzero(g[1:] != g[:-1]) + 1
    lo = np.clip(np.concatenate(([0], changes - after, [n - after])), 0, n)
    hi = np.clip(np.concatenate(([before], changes + before, [n])), 0, n)
    out = g.copy()
    padded = np.concatenate([np.zeros(before), g, np.zeros(after)])
    kernel = np.ones(k) / k
    a_run, b_run = 0, 0
    for a, b in [*zip(lo.tolist(), hi.tolist(), strict=True), (n + 1, n + 1)]:
        if a <= b_run:
            b_run = max(b_run, b)
            continue
        if b_run > a_run:
            out[a_run:b_run] = np.convolve(padded[a_run : b_run + k - 1], kernel, "valid")
        a_run, b_run = a, b
    return out


@pytest.mark.parametrize("k", [2, 3, 160, 161])
@pytest.mark.parametrize("edge_at_ends", [False, True])
def test_the_mask_ramp_is_the_old_ramp_to_the_bit(k: int, edge_at_ends: bool) -> None:
    rng = np.random.default_rng(k)
    frames = rng.choice([1.0, 0.01], size=300, p=[0.8, 0.2])
    if edge_at_ends:  # changes in the first and last frames: windows past both ends
        frames[0], frames[1], frames[-1], frames[-2] = 0.01, 1.0, 0.01, 1.0
    gain = np.repeat(frames, 160)
    assert np.array_equal(_ramped(gain, k), _old_ramped(gain, k))


def test_the_masked_rows_are_the_mix_times_the_ramped_gain_to_the_bit() -> None:
    x = _two_voices()
    d = diarize(x)
    out = split_channels(x, d, 0)
    cfg = d.config
    fs_like = edge_owner(d.frame_speaker, round(cfg.mask_edge_s / d.hop_s))
    low = 10 ** (-cfg.masking_range_db / 20)
    for row, spk in zip(out, (0, 1), strict=True):
        gain = np.where((fs_like == spk) | (fs_like == 2) | (fs_like < 0), 1.0, low)
        g = np.pad(np.repeat(gain, 160), (0, max(0, x.size - gain.size * 160)), mode="edge")
        g = _old_ramped(g[: x.size], round(cfg.mask_ramp_s * SR))
        assert row.dtype == np.float32
        assert np.array_equal(row, (x * g).astype(np.float32))
    assert (out[0] != out[1]).any()  # the two parties' rows differ


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
def test_blas_threads_must_be_a_whole_number_of_threads_or_none(bad: object) -> None:
    with pytest.raises(ParameterError, match="blas_threads"):
        DiarizationConfig(blas_threads=bad)  # type: ignore[arg-type]
    assert DiarizationConfig(blas_threads=None).blas_threads is None
    assert DiarizationConfig(blas_threads=2).blas_threads == 2
    assert DiarizationConfig().blas_threads == 1


def _blas_threads_now() -> int:
    from threadpoolctl import threadpool_info

    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def test_the_separated_call_is_analysed_with_the_configured_blas_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import calltone.models.recorded.analysis as analysis

    seen: list[int] = []
    real = analysis.run_session

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(_blas_threads_now())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "run_session", spy)
    path = tmp_path / "mono.wav"
    sf.write(path, _two_voices(), SR, subtype="FLOAT")
    outside = _blas_threads_now()
    analysis.analyze_separated(path)
    analysis.analyze_separated(path, diarization=DiarizationConfig(blas_threads=None))
    assert seen == [1, outside]
    assert _blas_threads_now() == outside  # restored afterwards


def test_one_blas_thread_gives_the_same_separation() -> None:
    x = _two_voices()
    one = separate_mono(x, config=DiarizationConfig(blas_threads=1))
    pool = separate_mono(x, config=DiarizationConfig(blas_threads=None))
    assert np.array_equal(one.samples, pool.samples)
    assert np.array_equal(one.diarization.frame_speaker, pool.diarization.frame_speaker)
    assert [(t.speaker, t.start_s, t.end_s) for t in one.diarization.turns] == [
        (t.speaker, t.start_s, t.end_s) for t in pool.diarization.turns
    ]
    assert len(one.diarization.turns) >= 5  # the six turns are found (two may merge)
