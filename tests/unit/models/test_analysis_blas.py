"""A recorded call's acoustic analysis runs numpy's BLAS on the configured threads
(``run_session(blas_threads=...)``, ``AnalyzeOptions.blas_threads``; calltone.models.cpu), and
one thread gives the same analysis as the library's pool."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio, load_audio
from calltone.audio.errors import ParameterError
from calltone.models.cpu import blas_threads_limit
from calltone.models.recorded.analysis import run_session, to_document
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.session import CallSession, SessionUpdate

SR = 16_000


def _blas_threads_now() -> int:
    from threadpoolctl import threadpool_info

    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def _call() -> DecodedAudio:
    """Two parties taking turns: harmonic voices at 120 / 210 Hz in quiet line noise."""
    rng = np.random.default_rng(7)
    t = np.arange(int(24 * SR)) / SR
    x = 1e-3 * rng.standard_normal((2, t.size))
    for k, (a, b) in enumerate([(0.5, 5.5), (6.0, 11.5), (12.0, 17.5), (18.0, 23.5)]):
        ch, f0 = k % 2, (120.0, 210.0)[k % 2]
        m = (t >= a) & (t < b)
        vib = 1 + 0.02 * np.sin(2 * np.pi * 5 * t[m])
        voice = sum(np.sin(2 * np.pi * h * f0 * np.cumsum(vib) / SR) / h for h in range(1, 8))
        x[ch, m] += (0.5 if k == 3 else 0.05) * voice
    return DecodedAudio(x.astype(np.float32), SR, SR, "two_voices.wav")


def test_the_analysis_runs_on_the_configured_blas_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import calltone.models.recorded.analysis as analysis

    seen: list[int] = []

    class Probe(CallSession):
        def push(self, samples: np.ndarray) -> SessionUpdate:
            seen.append(_blas_threads_now())
            return super().push(samples)

    monkeypatch.setattr(analysis, "CallSession", Probe)
    audio = _call()
    outside = _blas_threads_now()
    roles = ChannelRoles(agent=0, customer=1)
    run_session(audio, roles, AnalysisConfig(), chunk_s=1.0)
    assert len(seen) == 24 and set(seen) == {1}
    assert _blas_threads_now() == outside  # restored afterwards
    seen.clear()
    run_session(audio, roles, AnalysisConfig(), chunk_s=1.0, blas_threads=None)
    assert len(seen) == 24 and set(seen) == {outside}


def test_one_blas_thread_gives_the_same_analysis_as_the_pool() -> None:
    audio = load_audio(Path(__file__).parents[3] / "samples" / "escalation_call" / "call.wav")
    roles = ChannelRoles(agent=0, customer=1)
    docs = []
    for threads in (1, None):
        result = run_session(audio, roles, AnalysisConfig(), blas_threads=threads)
        result.close()
        docs.append(json.dumps(to_document(audio, result), sort_keys=True, default=str))
    assert docs[0] == docs[1]
    kinds = [e["kind"] for e in json.loads(docs[0])["events"]]
    assert "yelling" in kinds  # the customer's shouting was judged, not an empty analysis


@pytest.mark.parametrize("bad", [0, -1])
def test_a_bad_thread_count_is_refused(bad: int) -> None:
    with pytest.raises(ParameterError, match="blas_threads"):
        blas_threads_limit(bad)
