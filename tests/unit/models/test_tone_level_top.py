"""agent_tone's window loudness read over the window's loudest speech against the same
percentile of the speaker's own speech (``AgentToneConfig.level_top_percentile``,
``BaselineSnapshot.speech_quantiles_over_level_db``).

Hand-built frames with known levels; no recordings. A window whose stressed syllables (3 frames
in 10) stand 12 dB over the speaker's level while the rest lie 10 dB under it reads +6.8 dB by
the energy mean; its 90th percentile is the syllables' level, and against a baseline whose own
90th percentile lies 3 dB over its speech level it reads +9.0 dB.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.baseline import (
    SPEECH_LEVEL_QUANTILES,
    BaselineSnapshot,
    SpeakerBaseline,
)
from calltone.models.tone.config import AgentToneConfig, BaselineConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import (
    agent_tone_events,
    agent_tone_trace,
    line_frames,
    own_speech_snapshot,
)

HOP_S = 0.01
N = 400  # 4 s of the agent's talk
OWN_DBFS = -30.0
OWN_ST = 10.0
# The baseline's speech-level quantiles over its speech level: 3 dB at the 90th percentile.
OFFSETS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5)
ENERGY_MEAN_DB = 10.0 * math.log10(0.3 * 10**1.2 + 0.7 * 10**-1.0)  # +6.83 dB


def _baseline(quantiles: tuple[float, ...] | None = OFFSETS) -> BaselineSnapshot:
    """A settled baseline at the speaker's own level and pitch, HNR and tilt as the frames'."""
    assert SPEECH_LEVEL_QUANTILES[6] == 0.9
    return own_speech_snapshot(OWN_DBFS, OWN_ST, speech_quantiles_over_level_db=quantiles)


def _stressed(n: int = N, st_over: float = 2.0) -> PartyFrames:
    """Voiced speech, 3 frames in 10 at +12 dB over the speaker's level, the others at -10 dB,
    ``st_over`` over the baseline's pitch (2 st: not an effortless rise, pitch not fired)."""
    lo = np.where(np.arange(n) % 10 < 3, OWN_DBFS + 12.0, OWN_DBFS - 10.0)
    return line_frames(lo, -80.0, tilt_db=-12.0, pitch_st=OWN_ST + st_over)


def _loudness_db(frames: PartyFrames, baseline: BaselineSnapshot, pct: float) -> float:
    det = AgentToneDetector(AgentToneConfig(level_top_percentile=pct), speaker="agent", hop_s=HOP_S)
    det.trace = []
    det.push(CallFrames(0, {"agent": frames}, TimeFn(HOP_S, 0.032)), {"agent": baseline})
    return det.trace[-1][2][0]


def test_off_the_window_reads_the_energy_mean() -> None:
    assert _loudness_db(_stressed(), _baseline(), 0.0) == pytest.approx(ENERGY_MEAN_DB, abs=0.01)


def test_on_the_window_reads_its_loudest_speech_against_the_same_percentile() -> None:
    # Window P90: the syllables at +12 dB; baseline P90: 3 dB over its speech level.
    assert _loudness_db(_stressed(), _baseline(), 90.0) == pytest.approx(9.0, abs=0.01)
    # Between the reported quantiles the baseline's entry is interpolated (P87.5: 2.75 dB).
    assert _loudness_db(_stressed(), _baseline(), 87.5) == pytest.approx(9.25, abs=0.01)


def test_without_the_speakers_own_quantiles_the_energy_mean_stands() -> None:
    # A saved profile or a baseline with no speech of the speaker's own yet.
    assert _loudness_db(_stressed(), _baseline(None), 90.0) == pytest.approx(
        ENERGY_MEAN_DB, abs=0.01
    )


def test_a_window_with_too_little_speech_keeps_the_energy_mean() -> None:
    # 0.09 s of speech in the last evaluated window (frame 390), under
    # level_top_min_speech_s (0.1 s).
    f = _stressed()
    speech = np.zeros(N, bool)
    speech[382:391] = True
    f = PartyFrames(
        0,
        loudness_dbfs=f.loudness_dbfs,
        pitch_st=f.pitch_st,
        voiced=speech,
        speech=speech,
        nucleus=f.nucleus,
        tilt_db=f.tilt_db,
        hnr_db=f.hnr_db,
        voice_loudness_dbfs=f.voice_loudness_dbfs,
        noise_dbfs=f.noise_dbfs,
    )
    det = AgentToneDetector(
        AgentToneConfig(level_top_percentile=90.0), speaker="agent", hop_s=HOP_S
    )
    det.trace = []
    det.push(CallFrames(0, {"agent": f}, TimeFn(HOP_S, 0.032)), {"agent": _baseline()})
    lo = f.voice_loudness_dbfs[382:391].astype(np.float64)
    leq = 10.0 * math.log10(float(np.mean(10.0 ** (lo / 10.0)))) - OWN_DBFS
    assert det.trace[-1][2][0] == pytest.approx(leq, abs=0.01)


def test_the_decision_follows_the_reading() -> None:
    # The fitted score needs +8.2 dB here (pitch spread 0 against 2 st): +6.8 by the energy
    # mean is calm, +9.0 over the loudest speech is not.
    assert agent_tone_events(_stressed(), _baseline(), AgentToneConfig()) == []
    on = agent_tone_events(_stressed(), _baseline(), AgentToneConfig(level_top_percentile=90.0))
    # One event (announced, then closed with its end).
    assert on and {e.kind for e in on} == {"agent_tone"} and len({e.id for e in on}) == 1
    assert on[-1].evidence["fired"] == ["loudness"]


def test_the_baseline_reports_its_own_speech_quantiles_over_its_speech_level() -> None:
    b = SpeakerBaseline(BaselineConfig(), hop_s=HOP_S)
    assert b.snapshot.speech_quantiles_over_level_db is None
    # 4 s of speech: 8 frames in 10 at -30 dBFS, 2 at -20 dBFS (both in the dominant range).
    lo = np.where(np.arange(N) % 10 < 8, -30.0, -20.0)
    b.update(line_frames(lo, -80.0), np.zeros(N, bool))
    q = b.snapshot.speech_quantiles_over_level_db
    assert q is not None and len(q) == len(SPEECH_LEVEL_QUANTILES)
    leq = 10.0 * math.log10(0.8 * 1e-3 + 0.2 * 1e-2)  # -25.53 dBFS
    assert q[0] == pytest.approx(-30.0 - leq, abs=0.1)  # P50: the quieter voice
    assert q[6] == pytest.approx(-20.0 - leq, abs=0.1)  # P90: the louder one
    # On the speaker's own speech the reference of the window's P90 is that level.
    snap = b.snapshot
    assert snap.speech_level_dbfs + q[6] == pytest.approx(-20.0, abs=0.1)


@pytest.mark.parametrize("sizes", [[N], [7] * (N // 7) + [N % 7], [2] * (N // 2)])
def test_pushes_of_any_size_read_the_same_window(sizes: list[int]) -> None:
    talk, base = _stressed(), _baseline()
    trace = agent_tone_trace(
        talk, base, AgentToneConfig(level_top_percentile=90.0), sizes, hop_s=HOP_S
    )
    assert trace[-1][2][0] == pytest.approx(9.0, abs=0.01)
    assert len(trace) == N // 10
