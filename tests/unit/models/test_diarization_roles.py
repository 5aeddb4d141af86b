"""Which separated speaker is the agent: a saved agent voice profile as evidence (issue 20)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter

from calltone.audio.decode import load_audio
from calltone.models.diarization import Diarization, assign_roles, diarize
from calltone.models.recorded.analysis import analyze_separated
from calltone.models.tone.baseline import PITCH_REF_HZ, BaselineSnapshot
from tests.support.synth import SR, silence, voiced

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def _voice_a(dur_s: float, seed: int) -> np.ndarray:
    """Low, dark voice: 110 Hz harmonics through a one-pole low-pass."""
    return lfilter([0.3], [1.0, -0.7], voiced(110.0, dur_s, -24.0, seed=seed)).astype(np.float32)


def _voice_b(dur_s: float, seed: int) -> np.ndarray:
    """Higher, brighter voice: 230 Hz harmonics through a first difference (treble lift)."""
    return lfilter([1.0, -0.8], [1.0], voiced(230.0, dur_s, -22.0, seed=seed)).astype(np.float32)


@pytest.fixture(scope="module")
def two_voices() -> Diarization:
    """A speaks first, then B, alternating."""
    plan = [("A", 3.0), ("B", 2.5), ("A", 2.0), ("B", 3.0), ("A", 2.5), ("B", 2.0), ("A", 2.0)]
    parts = [silence(0.5)]
    for k, (who, dur) in enumerate(plan):
        parts += [_voice_a(dur, k) if who == "A" else _voice_b(dur, k), silence(0.6, seed=k + 10)]
    return diarize(np.concatenate(parts))


def test_each_speakers_median_pitch_is_known(two_voices: Diarization) -> None:
    assert two_voices.n_speakers == 2
    low, high = two_voices.speaker_pitch_hz
    assert low is not None and high is not None
    assert abs(12 * math.log2(low / 110.0)) < 0.5 and abs(12 * math.log2(high / 230.0)) < 0.5


def test_the_voice_near_the_agents_profile_is_the_agent(two_voices: Diarization) -> None:
    # the profile is the second speaker's voice: the agent is not the first speaker this time
    roles = assign_roles(two_voices, agent_pitch_hz=225.0)
    assert (roles.agent_speaker, roles.decided_by) == (1, "voice_profile")
    assert 0.6 < roles.confidence <= 0.95 and len(roles.evidence) == 2
    roles = assign_roles(two_voices, agent_pitch_hz=112.0)
    assert (roles.agent_speaker, roles.decided_by) == (0, "voice_profile")


def test_a_profile_near_neither_voice_decides_nothing(two_voices: Diarization) -> None:
    # 160 Hz is ~6.5 st from both voices: over profile_max_distance_st from the nearer one
    roles = assign_roles(two_voices, agent_pitch_hz=160.0)
    assert roles.decided_by == "first_speaker" and roles.agent_speaker == 0


def test_the_agents_words_and_an_explicit_option_come_before_the_profile(
    two_voices: Diarization,
) -> None:
    greeting = [(0.6, 3.4, "Thank you for calling, how can I help you?")]  # speaker 0 (A)
    roles = assign_roles(two_voices, greeting, agent_pitch_hz=225.0)
    assert (roles.agent_speaker, roles.decided_by) == (0, "words")
    roles = assign_roles(two_voices, mode="first", agent_pitch_hz=225.0)
    assert roles.decided_by == "option_first"


def test_analyze_separated_uses_the_agent_profile_for_the_role(tmp_path: Path) -> None:
    call = load_audio(SAMPLES / "escalation_call" / "call.wav").samples
    mono = tmp_path / "mono.wav"
    sf.write(mono, np.clip(call.sum(axis=0), -1.0, 1.0), SR, subtype="PCM_16")
    _audio, _session, plain = analyze_separated(mono, agent_speaker="auto")
    assert plain is not None and plain.roles.decided_by == "first_speaker"
    # A profile with the *customer's* pitch (as if that voice were the agent's) flips the roles:
    # the profile decides, not the order of speaking.
    customer = plain.diarization.speaker_pitch_hz[1 - plain.roles.agent_speaker]
    assert customer is not None
    snapshot = BaselineSnapshot(
        loudness_dbfs=-30.0,
        pitch_st=12 * math.log2(customer / PITCH_REF_HZ),
        pitch_spread_st=2.0,
        syllable_rate_per_s=4.0,
        tilt_db=-10.0,
        voiced_s=60.0,
        settled=True,
        from_profile=True,
    )
    _audio, _session, flipped = analyze_separated(
        mono, agent_speaker="auto", profiles={"agent": snapshot}
    )
    assert flipped is not None and flipped.roles.decided_by == "voice_profile"
    assert flipped.roles.agent_speaker == 1 - plain.roles.agent_speaker
