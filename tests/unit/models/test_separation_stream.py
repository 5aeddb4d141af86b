"""Live separation of a mono mix into agent and customer (issue 20, streaming form)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import lfilter

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.audio.errors import ParameterError
from calltone.models.separation_stream import StreamSeparationConfig, StreamSeparator
from calltone.models.tone.session import CallSession
from tests.support.synth import SR, silence, voiced

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def _voice_a(dur_s: float, seed: int) -> np.ndarray:
    """Low, dark voice: 110 Hz harmonics through a one-pole low-pass."""
    return lfilter([0.3], [1.0, -0.7], voiced(110.0, dur_s, -24.0, seed=seed)).astype(np.float32)


def _voice_b(dur_s: float, seed: int) -> np.ndarray:
    """Higher, brighter voice: 230 Hz harmonics through a first difference (treble lift)."""
    return lfilter([1.0, -0.8], [1.0], voiced(230.0, dur_s, -22.0, seed=seed)).astype(np.float32)


def _conversation(
    turns: int, *, seed: int = 1
) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A and B taking turns of 1.5-3.5 s with 0.5 s pauses; the mix and its reference turns."""
    rng = np.random.default_rng(seed)
    parts, ref, t = [silence(0.5)], [], 0.5
    for k in range(turns):
        who = "A" if k % 2 == 0 else "B"
        dur = float(rng.uniform(1.5, 3.5))
        parts += [_voice_a(dur, k) if who == "A" else _voice_b(dur, k), silence(0.5, seed=k + 10)]
        ref.append((t, t + dur, who))
        t += dur + 0.5
    return np.concatenate(parts), ref


def _stream(
    mix: np.ndarray, chunk_s: float, config: StreamSeparationConfig | None = None
) -> tuple[np.ndarray, list[float], StreamSeparator]:
    sep = StreamSeparator(config)
    step = round(chunk_s * SR)
    outs, delays = [], []
    for i in range(0, mix.size, step):
        outs.append(sep.push(mix[i : i + step]))
        delays.append(sep.delay_s)
    outs.append(sep.finish())
    return np.concatenate(outs, axis=1), delays, sep


def _level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12))


@pytest.fixture(scope="module")
def conversation() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    return _conversation(24)


def test_each_turn_lands_in_its_speakers_channel_first_speaker_as_agent(
    conversation: tuple[np.ndarray, list[tuple[float, float, str]]],
) -> None:
    mix, ref = conversation
    out, _delays, sep = _stream(mix, 0.1)
    assert out.shape == (2, mix.size)  # every sample comes out, once, in order
    for start_s, end_s, who in ref:
        a, b = round(start_s * SR), round(end_s * SR)
        agent_db, customer_db = _level_db(out[0, a:b]), _level_db(out[1, a:b])
        own, other = (agent_db, customer_db) if who == "A" else (customer_db, agent_db)
        assert own == pytest.approx(_level_db(mix[a:b]), abs=0.5), (who, start_s)
        assert own - other >= 20.0, (who, start_s, agent_db, customer_db)
    assert sep.refits >= 2


def test_the_stated_delay_holds_after_the_warm_up(
    conversation: tuple[np.ndarray, list[tuple[float, float, str]]],
) -> None:
    mix, _ref = conversation
    cfg = StreamSeparationConfig()
    _out, delays, _sep = _stream(mix, 0.02, cfg)
    steady = np.asarray(delays[len(delays) // 2 :])
    # the lookahead, plus at most one decision step and the front end's own frames
    assert cfg.delay_s <= np.median(steady) <= cfg.delay_s + cfg.step_s + 0.4
    assert steady.max() <= cfg.delay_s + cfg.step_s + 0.5
    # before the warm-up's speech has been heard nothing is released
    assert max(delays[:100]) == pytest.approx(100 * 0.02, abs=0.03)


def test_chunk_size_does_not_change_who_spoke(
    conversation: tuple[np.ndarray, list[tuple[float, float, str]]],
) -> None:
    mix, _ref = conversation
    small, _, _ = _stream(mix, 0.02)
    large, _, _ = _stream(mix, 0.25)
    loud_small = np.abs(small[0]) > np.abs(small[1])
    loud_large = np.abs(large[0]) > np.abs(large[1])
    voiced_ = np.abs(mix) > 1e-3
    assert np.mean(loud_small[voiced_] == loud_large[voiced_]) >= 0.97


def test_second_speaker_as_agent_swaps_the_rows(
    conversation: tuple[np.ndarray, list[tuple[float, float, str]]],
) -> None:
    mix, ref = conversation
    first, _, _ = _stream(mix, 0.1)
    second, _, _ = _stream(mix, 0.1, StreamSeparationConfig(agent_speaker="second"))
    start_s, end_s, who = ref[-1]
    a, b = round(start_s * SR), round(end_s * SR)
    assert who == "B"
    assert _level_db(second[0, a:b]) - _level_db(first[0, a:b]) >= 20.0


def test_the_agents_voice_profile_picks_the_agent_when_it_tells_the_voices_apart(
    conversation: tuple[np.ndarray, list[tuple[float, float, str]]],
) -> None:
    mix, ref = conversation
    start_s, end_s, who = ref[-1]
    a, b = round(start_s * SR), round(end_s * SR)
    assert who == "B"  # the second speaker
    sep = StreamSeparator(agent_pitch_hz=225.0)  # the profile is B's voice
    step = 1600
    out = np.concatenate(
        [*(sep.push(mix[i : i + step]) for i in range(0, mix.size, step)), sep.finish()], axis=1
    )
    assert sep.summary()["role_decided_by"] == "voice_profile"
    assert _level_db(out[0, a:b]) - _level_db(out[1, a:b]) >= 20.0  # B's turn on the agent row
    # a profile near neither voice leaves it to the first speaker
    undecided = StreamSeparator(agent_pitch_hz=160.0)
    for i in range(0, mix.size, step):
        undecided.push(mix[i : i + step])
    assert undecided.summary()["role_decided_by"] == "first_speaker"


def test_a_call_too_short_to_learn_two_voices_goes_to_the_first_speaker() -> None:
    mix, _ref = _conversation(2)  # ~5 s of speech: under the 8 s warm-up
    sep = StreamSeparator()
    released = sum(sep.push(mix[i : i + 320]).shape[1] for i in range(0, mix.size, 320))
    assert released == 0  # held, waiting for the warm-up
    rest = sep.finish()
    assert rest.shape == (2, mix.size)
    assert np.allclose(rest[0], mix)  # the first speaker's (the agent's) row is the mix
    assert sep.summary()["released_as_first_speaker_s"] > 3.0


def _events(
    session: CallSession, samples: np.ndarray
) -> tuple[list[tuple[str, str, float]], list[str]]:
    alerts: list[str] = []
    for i in range(0, samples.shape[1], 1600):
        alerts += [a.kind for a in session.push(samples[:, i : i + 1600]).alerts]
    result = session.finish()
    alerts += [a.kind for a in result.final.alerts]
    return [(e.kind, e.speaker, e.start_s) for e in result.analysis.events], alerts


@pytest.mark.parametrize("name", ["escalation_call", "calm_call"])
def test_a_live_separated_mono_mix_gives_the_two_channel_calls_events(name: str) -> None:
    # The customer's yelling in the mix is the customer's, as on the two-channel call.
    call = load_audio(SAMPLES / name / "call.wav").samples
    mix = np.clip(call.sum(axis=0, keepdims=True), -1.0, 1.0)
    separated = CallSession(
        roles=ChannelRoles(agent=0, customer=None),
        n_channels=1,
        separation=StreamSeparationConfig(),
    )
    two_channel = CallSession(roles=ChannelRoles(agent=0, customer=1), n_channels=2)
    got, got_alerts = _events(separated, mix)
    want, want_alerts = _events(two_channel, call)
    assert [(k, who) for k, who, _ in got] == [(k, who) for k, who, _ in want]
    assert all(abs(a - b) <= 0.3 for (_, _, a), (_, _, b) in zip(got, want, strict=True))
    assert got_alerts == want_alerts
    if name == "escalation_call":
        assert got and {who for _, who, _ in got} == {"customer"}


@pytest.mark.parametrize(
    "kwargs",
    [{"delay_s": 0.0}, {"max_hold_s": 2.0}, {"history_s": 10.0}, {"agent_speaker": "nobody"}],
)
def test_bad_live_separation_settings_name_the_setting(kwargs: dict[str, object]) -> None:
    with pytest.raises(ParameterError) as info:
        StreamSeparationConfig(**kwargs)  # type: ignore[arg-type]
    assert next(iter(kwargs)) in str(info.value)
