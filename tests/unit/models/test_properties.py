"""Property tests (hypothesis) for the streaming core and the live PCM path.

- Random chunk boundaries (tiny, empty and large chunks, anywhere) give the same events and
  metrics as one chunk: on cuts of two sample calls and on a synthetic call, as float chunks
  into :class:`CallAnalyzer` and as live 16-bit PCM frames at 8 kHz into :class:`CallSession`.
- Random bytes through ``CallSession.push_pcm`` raise nothing but ``FrameError``, and that only
  for frames that are malformed (empty, over a second, not whole samples); events stay well formed.
- Random float arrays (extreme values, denormals, zeros) through ``CallAnalyzer.push`` raise only
  ``AudioError`` and only when they hold NaN or inf; otherwise no crash and well-formed events.

Each property runs a bounded number of examples so the file stays well under a minute on 2 cores.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import soxr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.audio.errors import AudioError, FrameError
from calltone.audio.pcm import MAX_FRAME_S, PcmFormat, encode_pcm_s16le
from calltone.models.tone.events import Event
from calltone.models.tone.session import CallSession, SessionUpdate, UtteranceOptions
from calltone.models.tone.stream import AnalysisResult, CallAnalyzer
from tests.support.synth import SAMPLES, SR, silence, voiced

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repo; failures print their example
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(PROPERTY, max_examples=12)

KINDS = {"yelling", "interruption", "agent_tone", "dead_air"}
SPEAKERS = {"agent", "customer", "both", "none"}
TWO = ChannelRoles(0, 1)

# ------------------------------------------------------------------------------------ audio


def _place(total_s: float, *parts: tuple[float, np.ndarray], seed: int) -> np.ndarray:
    out = silence(total_s, seed=seed)
    for at_s, sig in parts:
        i = int(at_s * SR)
        out[i : i + sig.size] += sig
    return out


@functools.cache
def synthetic_call() -> np.ndarray:
    """22 s: calm customer, customer yells at 9 s, agent cuts in at 10.5 s, then dead air."""
    customer = _place(
        22.0,
        (0.5, voiced(180, 6.0, -30, seed=3)),
        (9.0, voiced(180 * 2 ** (5 / 12), 3.0, -16, seed=4)),
        seed=12,
    )
    agent = _place(
        22.0, (7.0, voiced(120, 1.5, -28, seed=5)), (10.5, voiced(120, 2.0, -28, seed=6)), seed=11
    )
    return np.stack([agent, customer])


@functools.cache
def sample_cut(call: str, start_s: float, end_s: float | None) -> np.ndarray:
    """A stretch of a sample call around its events (short keeps each example fast)."""
    x = load_audio(SAMPLES / call / "call.wav").samples
    return np.ascontiguousarray(
        x[:, round(start_s * SR) : None if end_s is None else round(end_s * SR)]
    )


SIGNALS = {
    # yelling twice (customer)
    "escalation_24-44s": lambda: sample_cut("escalation_call", 24.0, 44.0),
    # two agent interruptions and non-calm agent tone
    "interrupting_15s-end": lambda: sample_cut("interrupting_agent_call", 15.0, None),
    # yelling, an interruption and dead air
    "synthetic": synthetic_call,
}


def events_of(result: AnalysisResult) -> list[dict[str, Any]]:
    return [e.to_dict() for e in result.events_sorted()]


def analyse_chunks(x: np.ndarray, cuts: list[int]) -> AnalysisResult:
    an = CallAnalyzer(roles=TWO, n_channels=x.shape[0], keep_timeline=True)
    edges = [0, *cuts, x.shape[1]]
    for a, b in itertools.pairwise(edges):
        for ev in an.push(x[:, a:b]):
            check_event(ev, closed=False)
    return an.finish()


def fingerprint(res: AnalysisResult) -> tuple[str, str, str]:
    """Events; metrics; speech runs and the 0.1 s timeline (JSON, for exact comparison)."""
    assert res.timeline is not None
    runs = {p: [(r.start_s, r.end_s) for r in rs] for p, rs in res.speech_runs.items()}
    return (
        json.dumps(events_of(res)),
        json.dumps(res.metrics, sort_keys=True),
        json.dumps([runs, res.timeline.to_dict()]),
    )


@functools.cache
def reference(name: str) -> tuple[str, str, str]:
    """The signal pushed as one chunk."""
    return fingerprint(analyse_chunks(SIGNALS[name](), []))


@st.composite
def chunk_cuts(draw: st.DrawFn, n: int) -> list[int]:
    """Sorted cut points in ``[0, n]``: some anywhere, some in bursts of tiny chunks.

    Repeated cuts give empty chunks; bursts give chunks of 1-400 samples (under a frame hop
    up to a few hops), so boundaries land inside frames, windows and hysteresis runs.
    """
    cuts = draw(st.lists(st.integers(0, n), max_size=40))
    for anchor in draw(st.lists(st.integers(0, n), max_size=3)):
        steps = draw(st.lists(st.integers(0, 400), max_size=12))
        cuts += [min(n, anchor + s) for s in np.cumsum(steps, dtype=np.int64).tolist()]
    return sorted(cuts)


# ------------------------------------------------------------------------------------ checks


def check_event(ev: Event, *, closed: bool) -> None:
    """Well formed: known kind and speaker, finite times, start <= end, JSON without NaN."""
    assert ev.kind in KINDS, ev.kind
    assert ev.speaker in SPEAKERS, ev.speaker
    assert math.isfinite(ev.start_s) and ev.start_s >= 0
    if closed:
        assert ev.end_s is not None, f"{ev.id} still open after finish()"
    if ev.end_s is not None:
        assert math.isfinite(ev.end_s) and ev.start_s <= ev.end_s, ev.to_dict()
    json.dumps(ev.to_dict(), allow_nan=False)


def check_result(res: AnalysisResult) -> None:
    for ev in res.events:
        check_event(ev, closed=True)
    json.dumps(res.metrics, allow_nan=False)
    assert res.duration_s >= 0


# ------------------------------------------------------------------------------------ chunking


@pytest.mark.parametrize("name", list(SIGNALS))
def test_reference_signals_have_events(name):
    kinds = {e["kind"] for e in json.loads(reference(name)[0])}
    expected = {
        "escalation_24-44s": {"yelling"},
        "interrupting_15s-end": {"interruption", "agent_tone"},
        "synthetic": {"yelling", "interruption", "dead_air"},
    }[name]
    assert expected <= kinds, kinds


@pytest.mark.parametrize("name", list(SIGNALS))
@PROPERTY
@given(data=st.data())
def test_random_chunk_boundaries_give_the_same_events(name, data):
    x = SIGNALS[name]()
    cuts = data.draw(chunk_cuts(x.shape[1]), label="cuts")
    events, metrics, frames = fingerprint(analyse_chunks(x, cuts))
    ref_events, ref_metrics, ref_frames = reference(name)
    assert events == ref_events
    assert metrics == ref_metrics
    assert frames == ref_frames


@functools.cache
def pcm_8k(name: str) -> bytes:
    """The signal as live 8 kHz interleaved 16-bit PCM (a telephone softphone)."""
    x = SIGNALS[name]()
    y = soxr.resample(np.ascontiguousarray(x.T), SR, 8000)
    return encode_pcm_s16le(np.asarray(y, np.float32).T)


def session_events(data: bytes, frame_samples: list[int]) -> tuple[str, str]:
    fmt = PcmFormat(8000, 2)
    s = CallSession(roles=TWO, n_channels=2, pcm=fmt)
    i = 0
    sizes = iter(frame_samples)
    while i < len(data):
        n = next(sizes, 160) * fmt.bytes_per_frame
        for ev in s.push_pcm(data[i : i + n]).events:
            check_event(ev, closed=False)
        i += n
    res = s.finish().analysis
    check_result(res)
    return json.dumps(events_of(res)), json.dumps(res.metrics, sort_keys=True)


@functools.cache
def pcm_reference(name: str) -> tuple[str, str]:
    return session_events(pcm_8k(name), [160] * (len(pcm_8k(name)) // 4 // 160 + 1))


@pytest.mark.parametrize("name", ["escalation_24-44s", "synthetic"])
@FEW
@given(
    sizes=st.lists(
        st.one_of(st.integers(1, 40), st.integers(41, int(MAX_FRAME_S * 8000))),
        min_size=1,
        max_size=60,
    )
)
def test_live_pcm_in_random_frame_sizes_gives_the_same_events(name, sizes):
    """8 kHz live PCM (resampled on the fly) split anyhow equals 20 ms frames."""
    events, metrics = pcm_reference(name)
    assert json.loads(events), "the reference should have events"
    got_events, got_metrics = session_events(pcm_8k(name), sizes)
    assert got_events == events
    assert got_metrics == metrics


# ------------------------------------------------------------------------------------ random PCM

FORMATS = [PcmFormat(16000, 2), PcmFormat(8000, 1), PcmFormat(48000, 2), PcmFormat(11025, 1)]


def malformed(fmt: PcmFormat, n_bytes: int) -> bool:
    return n_bytes == 0 or n_bytes > fmt.max_frame_bytes or n_bytes % fmt.bytes_per_frame != 0


@st.composite
def pcm_frame(draw: st.DrawFn, fmt: PcmFormat) -> bytes:
    """Random bytes: small ones from hypothesis, big ones (up to past the limit) from a seed."""
    kind = draw(st.sampled_from(["small", "big", "extreme"]))
    if kind == "small":
        return draw(st.binary(max_size=600))
    if kind == "big":
        n = draw(st.integers(0, fmt.max_frame_bytes + 2 * fmt.bytes_per_frame))
        return np.random.default_rng(draw(st.integers(0, 2**32))).bytes(n)
    # Whole frames of full-scale or silent samples.
    n = draw(st.integers(1, 4000)) * fmt.channels
    value = draw(st.sampled_from([-32768, 32767, 0, -1, 1]))
    return np.full(n, value, "<i2").tobytes()


def check_update(update: SessionUpdate, roles: ChannelRoles, *, closed: bool) -> None:
    for ev in update.events:
        check_event(ev, closed=closed)
        assert ev.speaker in {*roles.present, "both", "none"}
    for al in update.alerts:
        json.dumps(al.to_dict(), allow_nan=False)
        assert math.isfinite(al.at_s) and al.at_s >= 0
    for u in update.utterances:
        assert u.speaker in roles.present and 0 <= u.start_s <= u.end_s
        assert u.samples.dtype == np.float32 and np.isfinite(u.samples).all()


@PROPERTY
@given(data=st.data(), fmt=st.sampled_from(FORMATS), utterances=st.booleans())
def test_random_pcm_raises_only_frame_errors_for_malformed_frames(data, fmt, utterances):
    roles = TWO if fmt.channels == 2 else ChannelRoles(agent=None, customer=0)
    s = CallSession(
        roles=roles,
        n_channels=fmt.channels,
        pcm=fmt,
        utterances=UtteranceOptions() if utterances else None,
    )
    frames = data.draw(st.lists(pcm_frame(fmt), max_size=12), label="frames")
    for frame in frames:
        if malformed(fmt, len(frame)):
            with pytest.raises(FrameError):
                s.push_pcm(frame)
        else:
            check_update(s.push_pcm(frame), roles, closed=False)
    end = s.finish()
    check_update(end.final, roles, closed=True)
    check_result(end.analysis)


# ------------------------------------------------------------------------------------ random floats

F32_MAX = float(np.finfo(np.float32).max)
SCALES = [0.0, 1e-45, 1e-40, 1e-38, 1e-6, 1e-3, 0.1, 1.0, 1e3, 1e30, F32_MAX]


@st.composite
def float_chunk(draw: st.DrawFn, n_channels: int) -> np.ndarray:
    n = draw(st.integers(0, 3000))
    kind = draw(st.sampled_from(["hypothesis", "noise", "constant", "square"]))
    if kind == "hypothesis":
        elements = st.floats(width=32, allow_nan=False, allow_infinity=False)
        return draw(
            hnp.arrays(np.float32, (n_channels, n), elements=elements, fill=elements | st.just(0.0))
        )
    scale = draw(st.sampled_from(SCALES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32)))
    if kind == "noise":
        x = rng.standard_normal((n_channels, n)) * scale
    elif kind == "constant":
        x = np.full((n_channels, n), scale * draw(st.sampled_from([1.0, -1.0])))
    else:
        x = np.sign(np.sin(np.arange(n) / draw(st.floats(1.0, 100.0))))[None, :] * scale
        x = np.repeat(x, n_channels, axis=0)
    with np.errstate(over="ignore"):
        return np.clip(x, -F32_MAX, F32_MAX).astype(np.float32)


@PROPERTY
@given(data=st.data(), n_channels=st.sampled_from([1, 2]))
def test_random_floats_raise_only_audio_errors_for_nan_and_inf(data, n_channels):
    roles = TWO if n_channels == 2 else ChannelRoles(agent=0, customer=None)
    an = CallAnalyzer(roles=roles, n_channels=n_channels)
    chunks = data.draw(st.lists(float_chunk(n_channels), min_size=1, max_size=8), label="chunks")
    poison = data.draw(st.sampled_from([None, np.nan, np.inf, -np.inf]), label="poison")
    if poison is not None:
        k = data.draw(st.integers(0, len(chunks) - 1))
        if chunks[k].size:
            chunks[k].flat[data.draw(st.integers(0, chunks[k].size - 1))] = poison
    with np.errstate(all="ignore"):  # float32 overflow in the features is not an error
        for x in chunks:
            if np.isfinite(x).all():
                for ev in an.push(x):
                    check_event(ev, closed=False)
            else:
                before = an.time_s
                with pytest.raises(AudioError, match="NaN or infinite"):
                    an.push(x)
                assert an.time_s == before, "a rejected chunk must not be consumed"
        res = an.finish()
    check_result(res)
    assert res.duration_s == pytest.approx(
        sum(x.shape[1] for x in chunks if np.isfinite(x).all()) / SR
    )
