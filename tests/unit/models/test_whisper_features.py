"""Whisper's features do not depend on how many threads numpy's BLAS may use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from calltone.audio.decode import load_audio
from calltone.models.speech.options import ModelLoadError
from calltone.models.speech.whisper_model import load_whisper_model

ROOT = Path(__file__).resolve().parents[3]


def test_log_mel_features_are_the_same_with_one_or_many_blas_threads() -> None:
    try:
        model = load_whisper_model(cpu_threads=1)
    except ModelLoadError as exc:  # pragma: no cover
        pytest.skip(f"Whisper model not available: {exc}")
    # the agent channel of the calm sample, resampled to Whisper's 16 kHz by the loader
    x = load_audio(ROOT / "samples" / "calm_call" / "call.wav").samples[0][: 20 * 16000]
    with threadpool_limits(limits=None):  # whatever the machine offers (2 on the project's)
        many = model.feature_extractor(np.ascontiguousarray(x, dtype=np.float32))
    with threadpool_limits(limits=1, user_api="blas"):
        one = model.feature_extractor(np.ascontiguousarray(x, dtype=np.float32))
    assert many.shape == one.shape and many.shape[0] == 80
    assert np.array_equal(many, one)  # bit for bit: word times and cue confidences follow
