"""Hangover for the voice the noise hides (``FeatureOptions.vad_masked_hangover_s_per_db``,
issue 13): under noise that sits over a speaker's quiet syllables and word tails, the talk time
found comes back to the clean copy's; noise alone, a clean line and the other party's turn get
none of it. Synthetic signals with known answers: the talk time of the same voice with no noise
(the front end's own answer on the clean copy, as ``bench/bench_calls.py --parts frontend``)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from calltone.audio.features import FeatureOptions, extract_features
from tests.support.synth import pushed_features

SR = 16_000
#: The setting measured in docs/benchmarks.md "Session 18" (H4) (not fitted on these signals).
ON = FeatureOptions(vad_masked_hangover_s_per_db=0.03)
OFF = FeatureOptions()
_BAND = scipy.signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")


def harmonic_voice(n: int, rng: np.random.Generator, f0_hz: float = 120.0) -> np.ndarray:
    """28 harmonics of a slowly gliding ``f0_hz`` (+-8 %), 1/k amplitudes, a 500-1500 Hz
    formant-like boost."""
    t = np.arange(n) / SR
    f = f0_hz * (1 + 0.08 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    ph = 2 * np.pi * np.cumsum(f) / SR
    k = np.arange(1, 29)[:, None]
    x = (np.sin(k * ph[None, :]) / k).sum(axis=0)
    b, a = scipy.signal.butter(2, [500, 1500], "bandpass", fs=SR)
    return np.asarray(x + 2 * scipy.signal.lfilter(b, a, x))


def utterance_envelope(rng: np.random.Generator, total_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(envelope, utterance mask): from 3 s on, 1.2-2.2 s utterances 1.5 s apart, each
    syllables of 0.15-0.25 s (sin^2, level drawn from -14..0 dB) 20-60 ms apart, the last one
    fading out 25 dB over 0.3 s."""
    n = int(total_s * SR)
    env = np.zeros(n)
    mask = np.zeros(n, bool)
    t = 3.0
    while t + 2.5 < total_s - 1.0:
        dur, s = rng.uniform(1.2, 2.2), t
        lev = 1.0
        while s < t + dur:
            syl, lev = rng.uniform(0.15, 0.25), 10 ** (rng.uniform(-14, 0) / 20)
            i0, i1 = int(s * SR), int((s + syl) * SR)
            env[i0:i1] = lev * np.sin(np.linspace(0, np.pi, i1 - i0)) ** 2
            s += syl + rng.uniform(0.02, 0.06)
        i0, m = int(s * SR), int(0.3 * SR)
        env[i0 : i0 + m] = lev * 10 ** (-np.linspace(0, 25, m) / 20)
        s += 0.3
        mask[int(t * SR) : int(s * SR)] = True
        t = s + 1.5
    return env, mask


def line_noise(n: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Telephone-band noise: ``white``, or ``babble``-like (speech-shaped, its level swinging
    +-3 dB at syllable rate, aperiodic)."""
    x = rng.standard_normal(n)
    if kind == "babble":
        b0, a0 = scipy.signal.butter(2, [300, 1200], "bandpass", fs=SR)
        x = scipy.signal.lfilter(b0, a0, x) * 2 + x * 0.3
        mod = scipy.signal.lfilter(*scipy.signal.butter(2, 5, fs=SR), rng.standard_normal(n))
        x = x * 10 ** (3 * mod / np.max(np.abs(mod)) / 20)
    return np.asarray(scipy.signal.sosfilt(_BAND, x))


def noisy_call(
    kind: str, snr_db: float, seed: int, total_s: float = 40.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(voice alone, voice + noise, noise alone), float32, the same gain: the voice's level
    over its utterances ``snr_db`` over the noise's."""
    rng = np.random.default_rng(seed)
    env, mask = utterance_envelope(rng, total_s)
    v = harmonic_voice(env.size, rng) * env
    noise = line_noise(env.size, kind, rng)
    noise *= np.sqrt(np.mean(v[mask] ** 2) / np.mean(noise**2)) * 10 ** (-snr_db / 20)
    scale = 0.3 / np.max(np.abs(v + noise))
    v, x, noise = (np.asarray(a * scale, np.float32) for a in (v, v + noise, noise))
    return v, x, noise


def talk_s(x: np.ndarray, opts: FeatureOptions) -> float:
    return float(extract_features(x[None, :], opts).channels[0].speech.sum() * opts.hop_s)


@pytest.mark.parametrize("kind", ["white", "babble"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_talk_time_at_5_db_comes_back_to_the_clean_copys(kind: str, seed: int) -> None:
    clean, noisy, _ = noisy_call(kind, 5.0, seed)
    ref = talk_s(clean, ON)
    assert ref == talk_s(clean, OFF)  # a noiseless line: nothing hidden, nothing added
    on, off = talk_s(noisy, ON), talk_s(noisy, OFF)
    assert abs(on / ref - 1.0) <= 0.10
    assert abs(on / ref - 1.0) < abs(off / ref - 1.0)  # the plain gate loses the quiet half


@pytest.mark.parametrize("kind", ["white", "babble"])
@pytest.mark.parametrize("seed", [0, 1])
def test_noise_alone_is_never_speech(kind: str, seed: int) -> None:
    _, _, noise = noisy_call(kind, 5.0, seed)
    assert talk_s(noise, ON) == 0.0


def test_frames_added_only_after_voiced_speech_and_at_most_the_cap() -> None:
    _, noisy, _ = noisy_call("white", 5.0, 3)
    on = extract_features(noisy[None, :], ON).channels[0]
    off = extract_features(noisy[None, :], OFF).channels[0]
    assert not (off.speech & ~on.speech).any()  # it only adds
    added = on.speech & ~off.speech
    assert added.any()
    # Every added run starts right after speech the plain gate found...
    starts = np.flatnonzero(added & ~np.concatenate(([False], added[:-1])))
    assert off.speech[starts - 1].all()
    # ...and lasts at most the cap (the plain hangover's frames are already speech).
    ends = np.flatnonzero(added & ~np.concatenate((added[1:], [False])))
    assert ((ends - starts + 1) * ON.hop_s <= ON.vad_masked_hangover_max_s + 1e-9).all()
    # Only the speech labels move: pitch, voicing and loudness are the same frames.
    assert np.array_equal(on.voiced, off.voiced)
    assert np.array_equal(on.f0_hz, off.f0_hz, equal_nan=True)
    assert np.array_equal(on.loudness_dbfs, off.loudness_dbfs)


def test_chunked_pushes_give_the_same_frames() -> None:
    _, a, _ = noisy_call("white", 5.0, 4, total_s=20.0)
    _, b, _ = noisy_call("babble", 8.0, 5, total_s=20.0)
    x = np.stack((a, np.roll(b, int(1.1 * SR))))  # two parties, turns apart and overlapping
    whole = extract_features(x, ON)
    chunked = pushed_features(x, ON)
    for c in range(2):
        assert np.array_equal(chunked.channels[c].speech, whole.channels[c].speech)
        assert np.array_equal(chunked.channels[c].nucleus, whole.channels[c].nucleus)


def test_no_added_frames_while_the_other_party_talks() -> None:
    # Channel 1's utterances under white noise at 5 dB; channel 0 talks loud and clean from
    # each of channel 1's utterance ends for 1 s (no leak between them): channel 1's labels
    # in those stretches are the plain gate's.
    _, x1, _ = noisy_call("white", 5.0, 6, total_s=30.0)
    alone_on = extract_features(x1[None, :], ON).channels[0].speech
    alone_off = extract_features(x1[None, :], OFF).channels[0].speech
    ends = np.flatnonzero(alone_off[:-1] & ~alone_off[1:])  # frames where channel 1 goes quiet
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal(x1.size) * 10 ** (-70 / 20)
    talk = np.zeros(x1.size, bool)
    for e in ends:
        a = max(0, int((e * OFF.hop_s - 0.2) * SR))  # from inside channel 1's plain hangover
        talk[a : a + SR] = True
    x0[talk] += 0.1 * harmonic_voice(int(talk.sum()), rng, f0_hz=210.0)
    both = extract_features(np.stack((x0, x1)).astype(np.float32), ON).channels[1].speech
    plain = extract_features(np.stack((x0, x1)).astype(np.float32), OFF).channels[1].speech
    assert alone_on.sum() > alone_off.sum()  # alone, the tails are added...
    assert both.sum() <= plain.sum() + 3  # ...under the other party's turn they are not


@pytest.mark.parametrize("sustain", [0.0, 1.0])
def test_heard_labels_are_the_plain_gates(sustain: float) -> None:
    # ``speech_heard`` (what the detectors, baselines and turns read) is, frame for frame, the
    # speech the front end finds with the switch off, with or without vad_sustain.
    _, a, _ = noisy_call("white", 5.0, 8, total_s=20.0)
    _, b, _ = noisy_call("babble", 5.0, 9, total_s=20.0)
    x = np.stack((a, np.roll(b, int(0.7 * SR))))
    on = extract_features(x, FeatureOptions(vad_masked_hangover_s_per_db=0.03, vad_sustain=sustain))
    off = extract_features(x, FeatureOptions(vad_sustain=sustain))
    for c in range(2):
        assert off.channels[c].speech_heard is None
        heard = on.channels[c].speech_heard
        assert heard is not None and np.array_equal(heard, off.channels[c].speech)
        assert np.array_equal(on.channels[c].nucleus, off.channels[c].nucleus)
        assert on.channels[c].speech.sum() > heard.sum()


def test_off_by_default() -> None:
    assert FeatureOptions().vad_masked_hangover_s_per_db == 0.0


def test_a_session_reports_the_longer_talk_time_and_nothing_else_moves() -> None:
    # Agent on channel 0 under white noise at 5 dB, customer silent: the talk-time metric grows,
    # the syllable rate (on the heard speech) and every event and alert stay as with it off.
    import dataclasses

    from calltone.audio.channels import ChannelRoles
    from calltone.audio.decode import DecodedAudio
    from calltone.models.recorded.analysis import run_session
    from calltone.models.tone.config import AnalysisConfig

    _, agent, _ = noisy_call("white", 5.0, 10, total_s=30.0)
    other = (np.random.default_rng(11).standard_normal(agent.size) * 10 ** (-70 / 20)).astype(
        np.float32
    )
    audio = DecodedAudio(np.stack((agent, other)), SR, SR, "masked")
    base = AnalysisConfig()
    runs = {
        v: run_session(
            audio,
            ChannelRoles(agent=0, customer=1),
            dataclasses.replace(
                base, features=dataclasses.replace(base.features, vad_masked_hangover_s_per_db=v)
            ),
        )
        for v in (0.0, 0.03)
    }
    off, on = runs[0.0], runs[0.03]
    m_off, m_on = off.analysis.metrics["agent"], on.analysis.metrics["agent"]
    assert m_on["talk_time_s"] >= m_off["talk_time_s"] + 1.0
    assert m_on["syllable_rate_per_s"] == m_off["syllable_rate_per_s"]
    assert m_on["voiced_s"] == m_off["voiced_s"]
    assert [e.to_dict() for e in on.analysis.events] == [e.to_dict() for e in off.analysis.events]
    assert [a.kind for a in on.alerts] == [a.kind for a in off.alerts]


@pytest.mark.parametrize("n_channels", [1, 2, 3])
def test_live_step_paths_are_the_array_paths(n_channels: int) -> None:
    """The per-step bookkeeping's frame-by-frame paths for short blocks (``_masked_tail_step``,
    ``_others_talking_step``) give the array paths' marks and carried state, block after
    block (random voicing, speech and masked dB; blocks of 1-12 frames)."""
    from calltone.audio.features import FeatureStream

    rng = np.random.default_rng(5)
    step, array = FeatureStream(n_channels, ON), FeatureStream(n_channels, ON)
    for k in range(600):
        n = int(rng.integers(1, 13))
        masked = rng.uniform(-5.0, 25.0, (n_channels, n)).astype(np.float32)
        masked = np.maximum(masked, 0.0)
        p = 0.05 if k % 40 < 20 else 0.6  # silences with a few voiced frames, then talk
        voiced = rng.random((n_channels, n)) < p
        raw = voiced | (rng.random((n_channels, n)) < p / 2)
        need = bool(k % 3)
        got = step._masked_tail_step(masked, voiced)
        want = array._masked_tail_array(masked, voiced)
        assert got.dtype == want.dtype == bool and got.shape == want.shape
        assert np.array_equal(got, want), k
        assert np.array_equal(step._since_voiced, array._since_voiced), k
        assert np.array_equal(step._voiced_grant, array._voiced_grant), k
        got_o = step._others_talking_step(raw, need)
        want_o = array._others_talking_array(raw, need)
        if need:
            assert got_o is not None and want_o is not None
            assert got_o.shape == want_o.shape and np.array_equal(got_o, want_o), k
        else:
            assert got_o is None and want_o is None
        assert np.array_equal(step._since_raw, array._since_raw), k
    assert step._voiced_grant.max() > 0  # the grants were exercised
