"""agent_tone: the speech level a window is read against, held at most a set distance over the
speaker's median speech level (``AgentToneConfig.speech_level_max_db_over_median``).

Known answers by construction:

- Detector, against a fixed baseline (speech level -30 dBFS, pitch 10 st, HNR 10 dB, spread
  2 st): 2 s of fully voiced speech 6 dB over it at +1.5 st (over ``effortless_rise_max_st``,
  under ``pitch_st_over_baseline``), HNR and tilt as the baseline's, so the score is
  ``sigmoid(-1.8181 + 0.3953 * d_lo - 0.0997 * 2)``. With the median 6 dB under the energy
  mean and the cap at 3 dB the yardstick is -33 dBFS: the window reads +9 dB (score 0.824,
  over ``min_score`` 0.7705: an event) where it reads +6 dB off (0.588: none). A median within
  the cap (2 dB under) or not read (None) changes nothing.
- Baseline: 3 s of speech frames at -40 dBFS and 1 s at -28 dBFS (no fading memory): the
  median is -40, the energy mean ``10 log10((3 * 1e-4 + 10 ** -2.8) / 4)`` = -32.79 dBFS, so
  ``speech_median_over_level_db`` is -7.21 dB.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import AgentToneConfig, BaselineConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import (
    OWN_BAR_OFF,
    agent_tone_events,
    agent_tone_trace,
    own_speech_snapshot,
    steady_speech,
)

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
OFF = AgentToneConfig(**OWN_BAR_OFF)
ON = AgentToneConfig(**(OWN_BAR_OFF | {"speech_level_max_db_over_median": 3.0}))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _window() -> PartyFrames:
    return steady_speech(200, base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=6.0, st_over=1.5)


def _baseline(median_over: float | None) -> object:
    return own_speech_snapshot(OWN_DBFS, OWN_ST, speech_median_over_level_db=median_over)


def test_off_by_default() -> None:
    assert AgentToneConfig().speech_level_max_db_over_median == 0.0
    det = AgentToneDetector(AgentToneConfig(), speaker="agent", hop_s=HOP_S)
    assert det.level_reference_dbfs(_baseline(-6.0)) == OWN_DBFS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("median_over", "ref"), [(-6.0, -33.0), (-3.0, -30.0), (-2.0, -30.0), (None, -30.0)]
)
def test_the_yardstick_is_held_near_the_median(median_over: float | None, ref: float) -> None:
    det = AgentToneDetector(ON, speaker="agent", hop_s=HOP_S)
    assert det.level_reference_dbfs(_baseline(median_over)) == pytest.approx(ref)  # type: ignore[arg-type]


def test_the_known_scores() -> None:
    assert _sigmoid(-1.8181 + 0.3953 * 9.0 - 0.0997 * 2.0) == pytest.approx(0.824, abs=0.001)
    assert _sigmoid(-1.8181 + 0.3953 * 6.0 - 0.0997 * 2.0) == pytest.approx(0.588, abs=0.001)


def test_a_window_reads_louder_against_the_held_yardstick() -> None:
    for cfg, want in ((OFF, 6.0), (ON, 9.0)):
        trace = agent_tone_trace(_window(), _baseline(-6.0), cfg, [200])  # type: ignore[arg-type]
        judged = [t for t in trace if t[1]]
        assert judged
        assert max(t[2][0] for t in judged) == pytest.approx(want, abs=0.01)


def test_event_only_with_the_yardstick_held_and_it_says_so() -> None:
    assert agent_tone_events(_window(), _baseline(-6.0), OFF, hop_s=HOP_S) == []  # type: ignore[arg-type]
    evs = agent_tone_events(_window(), _baseline(-6.0), ON, hop_s=HOP_S)  # type: ignore[arg-type]
    assert evs
    last = evs[-1]
    assert last.evidence["speech_level_reference_dbfs"] == pytest.approx(-33.0)
    assert last.thresholds["speech_level_max_db_over_median"] == 3.0
    assert last.evidence["score"] == pytest.approx(0.824, abs=0.002)


@pytest.mark.parametrize("median_over", [-2.0, None])
def test_a_median_within_the_cap_changes_nothing(median_over: float | None) -> None:
    base = _baseline(median_over)
    assert agent_tone_events(_window(), base, ON, hop_s=HOP_S) == []  # type: ignore[arg-type]
    louder = steady_speech(200, base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=9.0, st_over=1.5)
    on = agent_tone_events(louder, base, ON, hop_s=HOP_S)  # type: ignore[arg-type]
    off = agent_tone_events(louder, base, OFF, hop_s=HOP_S)  # type: ignore[arg-type]
    assert [e.start_s for e in on] == [e.start_s for e in off] != []
    assert all("speech_level_reference_dbfs" not in e.evidence for e in on)


def _feed(b: SpeakerBaseline, loudness_dbfs: np.ndarray) -> None:
    n = loudness_dbfs.size
    on = np.ones(n, bool)
    lo = loudness_dbfs.astype(np.float32)
    b.update(
        PartyFrames(
            0,
            loudness_dbfs=lo,
            pitch_st=np.full(n, 5.0),
            voiced=on,
            speech=on,
            nucleus=np.zeros(n, bool),
            tilt_db=np.full(n, -15.0),
            hnr_db=np.full(n, 20.0),
        ),
        flagged=np.zeros(n, bool),
    )


def test_the_baseline_reads_its_median_under_its_energy_mean() -> None:
    b = SpeakerBaseline(BaselineConfig(memory_voiced_s=0.0), hop_s=HOP_S, speech_median=True)
    _feed(b, np.full(300, -40.0))
    _feed(b, np.full(100, -28.0))
    leq = 10.0 * math.log10((3.0 * 1e-4 + 10.0**-2.8) / 4.0)
    assert b.snapshot.speech_level_dbfs == pytest.approx(leq, abs=0.05)
    assert b.snapshot.speech_median_over_level_db == pytest.approx(-40.0 - leq, abs=0.1)


def test_the_baseline_reads_no_median_while_the_prior_stands_in_or_when_off() -> None:
    b = SpeakerBaseline(BaselineConfig(memory_voiced_s=0.0), hop_s=HOP_S, speech_median=True)
    _feed(b, np.full(150, -40.0))  # 1.5 s: the speech level still blends the prior in
    assert b.snapshot.speech_median_over_level_db is None
    _feed(b, np.full(100, -40.0))
    assert b.snapshot.speech_median_over_level_db == pytest.approx(0.0, abs=0.1)
    off = SpeakerBaseline(BaselineConfig(memory_voiced_s=0.0), hop_s=HOP_S)
    _feed(off, np.full(400, -40.0))
    assert off.snapshot.speech_median_over_level_db is None
