"""``AnalysisConfig.voice_match`` (issue 13, session 13): a neighbour's voice in the agent's
headset, 12 dB under the agent, is told from the agent's own voice by its timbre; the agent's
own speech, soft or not, is not taken away; off (the default) or before the models are ready
nothing changes (on by default). Synthetic voices with known formants, pitches and levels through the whole
front end; and the streaming cepstra do not depend on the push size."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.voice_match import CepstrumStream, GaussianVoice, VoiceMatchOptions
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, silence

OWN_DBFS = -20.0
DUR_S = 50.0
#: Vowel formants (Hz) of the agent's vowels; a voice's vocal tract scales them all.
VOWELS = ((730, 1090, 2440), (530, 1840, 2480), (300, 2200, 3000), (570, 840, 2410))


def formant_voice(
    f0_hz: float, dur_s: float, level_dbfs: float, *, tract: float, seed: int
) -> np.ndarray:
    """Harmonics of ``f0_hz`` (with 3 % vibrato) shaped by a vowel's three formants (scaled by
    ``tract``: 1 the agent, under 1 a longer vocal tract), a new vowel every syllable (0.25 s)."""
    rng = np.random.default_rng(seed)
    n = int(dur_s * SR)
    t = np.arange(n) / SR
    f0 = f0_hz * (1.0 + 0.03 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6.28)))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    syll = (t / 0.25).astype(int)
    order = rng.integers(0, len(VOWELS), syll.max() + 1)
    formants = np.asarray(VOWELS, dtype=np.float64)[order[syll]] * tract  # (n, 3)
    x = np.zeros(n)
    for k in range(1, int(3400 / f0_hz) + 1):
        fk = k * f0
        gain = sum(1.0 / (1.0 + ((fk - formants[:, m]) / 90.0) ** 2) for m in range(3))
        x += gain * np.sin(k * phase) / np.sqrt(k)
    env = 0.35 + 0.65 * np.sin(np.pi * (t / 0.25 % 1.0)) ** 2
    x = x * env + 0.01 * rng.standard_normal(n)
    x *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))
    return x.astype(np.float32)


def _add(x: np.ndarray, at_s: float, sig: np.ndarray) -> None:
    i = int(at_s * SR)
    x[i : i + sig.size] += sig[: x.size - i]


def call(*, neighbour_db_under: float | None, agent_soft_db: float | None = None) -> np.ndarray:
    """The agent (200 Hz, formants x1) speaks 0.5-8.5 s and 40-48 s at -20 dBFS; the customer
    (120 Hz) 9-39 s in sentences (2.6 s on, 0.4 s off). ``neighbour_db_under``: a neighbour
    (150/170 Hz, formants x0.8) that far under the agent in the agent's microphone from 8.5 s
    on, 1.4 s phrases every 2 s. ``agent_soft_db``: the agent's own 0.8 s interjections this
    far under their level inside the customer's turn (every 6 s from 12 s)."""
    a = silence(DUR_S, seed=11)
    c = silence(DUR_S, seed=12)
    _add(a, 0.5, formant_voice(200, 8.0, OWN_DBFS, tract=1.0, seed=5))
    _add(a, 40.0, formant_voice(200, 8.0, OWN_DBFS, tract=1.0, seed=6))
    if neighbour_db_under is not None:
        for k, at_s in enumerate(np.arange(8.5, DUR_S - 1.5, 2.0)):
            nb = formant_voice(
                150 if k % 2 else 170, 1.4, OWN_DBFS - neighbour_db_under, tract=0.8, seed=20 + k
            )
            _add(a, at_s, nb)
    if agent_soft_db is not None:
        for k, at_s in enumerate(np.arange(12.0, 37.0, 6.0)):
            _add(a, at_s, formant_voice(200, 0.8, OWN_DBFS - agent_soft_db, tract=1.0, seed=60 + k))
    for k, at_s in enumerate(np.arange(9.0, 38.0, 3.0)):
        _add(c, at_s, formant_voice(120, 2.6, OWN_DBFS, tract=0.85, seed=40 + k))
    return np.stack([a, c])


def analyse(x: np.ndarray, *, enabled: int, chunk_s: float = 0.5, **over: float) -> CallAnalyzer:
    cfg = AnalysisConfig.from_dict({"voice_match": {"enabled": enabled, **over}})
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
    step = round(chunk_s * SR)
    for i in range(0, x.shape[1], step):
        an.push(x[:, i : i + step])
    an.end_audio()
    return an


def test_a_neighbour_12_db_under_is_another_voice() -> None:
    """Of the neighbour's ~16 s heard alone in the agent's microphone through the customer's
    turn (9-39 s), most is judged another voice once the models are ready; the agent's own
    words at 40-48 s are not (at most 0.2 s), and their baseline keeps their pitch."""
    res = analyse(call(neighbour_db_under=12.0), enabled=1).result()
    assert res.metrics["agent"]["other_voice_s"] >= 8.0
    assert res.metrics["customer"]["other_voice_s"] == 0.0
    assert res.baselines["agent"].pitch_hz == pytest.approx(200.0, rel=0.03)
    # The agent's own words after the customer's turn: count what is judged in them.
    res2 = analyse(call(neighbour_db_under=12.0)[:, : int(40.0 * SR)], enabled=1).result()
    in_own_words = res.metrics["agent"]["other_voice_s"] - res2.metrics["agent"]["other_voice_s"]
    # 40-48 s hold both the agent and the neighbour's phrases under them; the agent's frames
    # are at their own level (never judged: not under their median), so what is judged there
    # is at most the neighbour's phrases in the agent's pauses.
    assert in_own_words <= 4.0


def test_the_agents_own_soft_interjections_are_not_another_voice() -> None:
    """No neighbour: the agent's own interjections 10 dB under their level inside the
    customer's turn teach the other-voice model the agent's own voice; the ratio stays low
    and (almost) nothing is judged another voice."""
    res = analyse(call(neighbour_db_under=None, agent_soft_db=10.0), enabled=1).result()
    assert res.metrics["agent"]["other_voice_s"] <= 0.3


def test_off_or_cold_changes_nothing() -> None:
    """Off the analysis is as before and reports no ``other_voice_s``; on (the default), a call
    without a neighbour gives the same events and baselines as off (the other-voice model
    never has enough frames)."""
    x = call(neighbour_db_under=None)
    off = analyse(x, enabled=0).result()
    on = analyse(x, enabled=1).result()
    assert "other_voice_s" not in off.metrics["agent"]
    assert on.metrics["agent"]["other_voice_s"] == 0.0
    assert [(e.kind, e.start_s, e.end_s) for e in on.events] == [
        (e.kind, e.start_s, e.end_s) for e in off.events
    ]
    assert on.baselines["agent"] == off.baselines["agent"]


def test_cepstra_do_not_depend_on_the_push_size() -> None:
    """20 ms pushes and one push give the same cepstra on the front end's frame grid."""
    x = formant_voice(200, 2.0, OWN_DBFS, tract=1.0, seed=1)
    o = VoiceMatchOptions()
    kw = {"sample_rate_hz": SR, "hop": 160, "offset": 256, "window": 512}
    one = CepstrumStream(o, **kw)
    one.push(x)
    many = CepstrumStream(o, **kw)
    for i in range(0, x.size, 320):
        many.push(x[i : i + 320])
    n = (x.size - 256 - 512) // 160 + 1
    a, b = one.take(0, n), many.take(0, n)
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert np.isnan(one.take(n, 3)).all()  # past the audio: no cepstrum


def test_cepstra_are_the_windows_own_to_the_bit() -> None:
    """A take of some wanted frames (the windows read as strided rows, the transform through
    pocketfft directly) gives exactly the plain computation: each wanted window gathered,
    Hann-weighted, ``np.fft.rfft``, mel power, log, DCT; the unwanted and the incomplete NaN."""
    x = formant_voice(160, 1.0, OWN_DBFS, tract=1.0, seed=4)
    o = VoiceMatchOptions()
    kw = {"sample_rate_hz": SR, "hop": 160, "offset": 256, "window": 512}
    s = CepstrumStream(o, **kw)
    s.push(x[:4000])
    want = np.zeros(30, dtype=bool)
    want[[0, 1, 2, 5, 9, 17, 22, 29]] = True  # 21 on: windows not all in yet
    got = s.take(0, 30, want)
    idx = np.array([0, 1, 2, 5, 9, 17])  # one matrix product: its rows' bits depend on them all
    rows = np.stack([x[i * 160 + 256 : i * 160 + 768] for i in idx]) * s._hann
    power = np.abs(np.fft.rfft(rows, s.n_fft, axis=1)) ** 2
    ref = np.log(power @ s._fb.T + 1e-10) @ s._dct
    assert np.array_equal(got[idx], ref)
    assert np.isnan(np.delete(got, idx, axis=0)).all()
    rng = np.random.default_rng(0)
    r = rng.standard_normal((7, s.n_fft))
    assert np.array_equal(s._rfft(r), np.fft.rfft(r, s.n_fft, axis=1))


def test_a_gaussian_voice_prefers_its_own_frames() -> None:
    """Two synthetic timbres (formants x1 and x0.8): each model gives its own voice's frames
    the higher likelihood on frames it has not seen."""
    o = VoiceMatchOptions()
    kw = {"sample_rate_hz": SR, "hop": 160, "offset": 256, "window": 512}
    ceps = []
    for tract, f0 in ((1.0, 200.0), (0.8, 160.0)):
        s = CepstrumStream(o, **kw)
        s.push(formant_voice(f0, 6.0, OWN_DBFS, tract=tract, seed=3))
        ceps.append(s.take(0, 580))
    models = []
    for c in ceps:
        g = GaussianVoice(o.dims, o.covariance_floor)
        g.add(c[:300])
        g.commit()
        models.append(g)
    for k, c in enumerate(ceps):
        llr = models[k].loglik(c[300:]) - models[1 - k].loglik(c[300:])
        assert np.mean(llr > 0) >= 0.9


def test_the_judgement_does_not_depend_on_the_push_size() -> None:
    """The same call pushed in 20 ms steps (live) and in 1.3 s chunks: the same frames are
    judged another voice and the same events come out (the models change once per baseline
    tick, on the frame grid)."""
    x = call(neighbour_db_under=12.0)[:, : int(30.0 * SR)]
    live = analyse(x, enabled=1, chunk_s=0.02).result()
    batch = analyse(x, enabled=1, chunk_s=1.3).result()
    assert live.metrics["agent"]["other_voice_s"] > 0.0
    assert live.metrics["agent"]["other_voice_s"] == batch.metrics["agent"]["other_voice_s"]
    assert [(e.kind, e.start_s, e.end_s) for e in live.events] == [
        (e.kind, e.start_s, e.end_s) for e in batch.events
    ]
    assert live.baselines["agent"] == batch.baselines["agent"]
