"""agent_tone's window loudness read over the frames the baseline's speech level reads
(``AgentToneConfig.window_level_range_db``, ``BaselineSnapshot.speech_top_heard_dbfs``).

The baseline's speech level keeps only speech frames within ``dominant_range_db`` (20 dB) of its
97th percentile; with ``window_level_range_db`` the tone window leaves out the same quieter
frames, so a window of the speaker's calm voice with a far voice in its pauses reads 0 dB over
the baseline, not the far voice's dilution. Hand-built frames with known levels; no recordings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline
from calltone.models.tone.config import AgentToneConfig, BaselineConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import agent_tone_trace, line_frames, own_speech_snapshot

HOP_S = 0.01
N = 400  # 4 s of the agent's talk
OWN_DBFS = -30.0
OWN_ST = 10.0


def _baseline(top_dbfs: float | None) -> BaselineSnapshot:
    """A settled baseline whose speech level is the speaker's own voice, ``OWN_DBFS``."""
    return own_speech_snapshot(OWN_DBFS, OWN_ST, speech_top_heard_dbfs=top_dbfs)


def _talk(other_dbfs: float) -> PartyFrames:
    """4 s of speech frames: every other frame the speaker's own voice at ``OWN_DBFS`` (voiced,
    at the baseline's pitch), the others an unvoiced voice at ``other_dbfs`` the speech gate
    kept (a far talker in the pauses, breath)."""
    own = np.arange(N) % 2 == 0
    lo = np.where(own, OWN_DBFS, other_dbfs).astype(np.float32)
    return PartyFrames(
        0,
        loudness_dbfs=lo,
        pitch_st=np.where(own, OWN_ST, np.nan),
        voiced=own,
        speech=np.ones(N, bool),
        nucleus=np.arange(N) % 25 == 0,
        tilt_db=np.full(N, -12.0, np.float32),
        hnr_db=np.full(N, 10.0, np.float32),
        voice_loudness_dbfs=lo,
        noise_dbfs=np.full(N, -80.0, np.float32),
    )


def _loudness_db(frames: PartyFrames, baseline: BaselineSnapshot, range_db: float) -> float:
    """The last full window's loudness over the baseline (dB), from the detector's trace."""
    det = AgentToneDetector(
        AgentToneConfig(window_level_range_db=range_db), speaker="agent", hop_s=HOP_S
    )
    det.trace = []
    det.push(CallFrames(0, {"agent": frames}, TimeFn(HOP_S, 0.032)), {"agent": baseline})
    return det.trace[-1][2][0]


def _diluted(other_db_under: float) -> float:
    """Energy mean of half the frames at 0 dB and half ``other_db_under`` under it (dB)."""
    return 10.0 * math.log10(0.5 + 0.5 * 10.0 ** (-other_db_under / 10.0))


def test_a_far_voice_in_the_pauses_is_left_out_as_the_baseline_leaves_it_out() -> None:
    # The far voice 30 dB under the speaker, the baseline's 97th percentile 2 dB over the
    # speech level: the floor is -48 dBFS and the -60 dBFS frames fall under it.
    talk, base = _talk(OWN_DBFS - 30.0), _baseline(OWN_DBFS + 2.0)
    assert _loudness_db(talk, base, 0.0) == pytest.approx(_diluted(30.0), abs=0.01)  # -3.0 dB
    assert _loudness_db(talk, base, 20.0) == pytest.approx(0.0, abs=0.01)


def test_quieter_frames_of_the_speakers_own_range_still_count() -> None:
    # 15 dB under the speaker: inside the 20 dB range, as in the baseline's speech level.
    talk, base = _talk(OWN_DBFS - 15.0), _baseline(OWN_DBFS + 2.0)
    expected = _diluted(15.0)  # -2.87 dB
    assert _loudness_db(talk, base, 0.0) == pytest.approx(expected, abs=0.01)
    assert _loudness_db(talk, base, 20.0) == pytest.approx(expected, abs=0.01)


def test_no_floor_until_the_speech_level_rests_on_the_speakers_own_speech() -> None:
    talk = _talk(OWN_DBFS - 30.0)
    assert _loudness_db(talk, _baseline(None), 20.0) == pytest.approx(_diluted(30.0), abs=0.01)


def test_a_window_of_only_far_voice_is_not_judged() -> None:
    # Every speech frame of the window under the floor: no level to read, no event.
    far = line_frames(np.full(N, OWN_DBFS - 30.0), -80.0, pitch_st=OWN_ST + 8.0)
    det = AgentToneDetector(
        AgentToneConfig(window_level_range_db=20.0), speaker="agent", hop_s=HOP_S
    )
    det.trace = []
    time_of = TimeFn(HOP_S, 0.032)
    base = _baseline(OWN_DBFS + 2.0)
    step = det.push(CallFrames(0, {"agent": far}, time_of), {"agent": base})
    assert not step.events and not det.finish(N, time_of, {"agent": base})
    assert not any(enough for _, enough, *_ in det.trace)


def test_the_baseline_reports_its_speech_histograms_97th_percentile_once_it_is_its_own() -> None:
    b = SpeakerBaseline(BaselineConfig(), hop_s=HOP_S)
    own = np.arange(N) % 2 == 0
    lo = np.where(own, OWN_DBFS, OWN_DBFS - 30.0)
    # 1 s of speech: the speech level still blends the prior, no top is reported.
    b.update(line_frames(lo[:100], -80.0), np.zeros(100, bool))
    assert b.snapshot.speech_top_heard_dbfs is None
    b.update(line_frames(lo[100:], -80.0, start=100), np.zeros(N - 100, bool))
    assert b.own_speech_s >= 2.0 * BaselineConfig().prior_weight_s
    top = b.snapshot.speech_top_heard_dbfs
    assert top is not None and top == pytest.approx(OWN_DBFS, abs=0.1)


@pytest.mark.parametrize("sizes", [[N], [7] * (N // 7) + [N % 7], [2] * (N // 2)])
def test_pushes_of_any_size_read_the_same_window(sizes: list[int]) -> None:
    talk, base = _talk(OWN_DBFS - 30.0), _baseline(OWN_DBFS + 2.0)
    trace = agent_tone_trace(
        talk, base, AgentToneConfig(window_level_range_db=20.0), sizes, hop_s=HOP_S
    )
    assert trace[-1][2][0] == pytest.approx(0.0, abs=0.01)
