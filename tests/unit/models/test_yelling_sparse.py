"""Yelling with too few voiced frames to sample its pitch (a low-rate codec's shout)."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import YellingConfig
from calltone.models.tone.detectors import YellingDetector
from calltone.models.tone.frames import CallFrames, PartyFrames

HOP_S = 0.01
BASE = BaselineSnapshot(
    loudness_dbfs=-30.0,
    pitch_st=0.0,
    pitch_spread_st=2.0,
    syllable_rate_per_s=4.0,
    tilt_db=-12.0,
    voiced_s=30.0,
    settled=True,
    own_voiced_s=30.0,  # past the cold start: the relative cues are trusted
)


def _run(level_db_over: float, voiced_every: int, pitch_st: float, seconds: float = 1.5) -> list:
    """Events of one stretch of speech ``level_db_over`` the baseline, every ``voiced_every``-th
    frame voiced at ``pitch_st`` over it, then silence; fed in 20 ms pushes."""
    n_speech, n = round(seconds / HOP_S), round((seconds + 1.0) / HOP_S)
    speech = np.arange(n) < n_speech
    voiced = speech & (np.arange(n) % voiced_every == 0)
    frames = PartyFrames(
        0,
        loudness_dbfs=np.where(speech, BASE.loudness_dbfs + level_db_over, -90.0).astype(
            np.float32
        ),
        pitch_st=np.where(voiced, BASE.pitch_st + pitch_st, np.nan),
        voiced=voiced,
        speech=speech,
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, -12.0),
        hnr_db=np.full(n, 15.0),
    )
    det = YellingDetector(YellingConfig(), speaker="customer", hop_s=HOP_S)
    events = []
    for a in range(0, n, 2):
        block = CallFrames(a, {"customer": frames.slice(a, a + 2)}, lambda i: i * HOP_S)
        events += det.push(block, {"customer": BASE}).events
    return [e for e in events if not e.is_open]


def test_a_loud_stretch_with_sparse_voicing_is_yelling_on_its_level_and_says_so() -> None:
    c = YellingConfig()
    # 1.5 s at +20 dB, one frame in ten voiced: 0.15 s of voiced frames, under min_voiced_s.
    assert c.min_voiced_s > 150 // 10 * HOP_S
    events = _run(c.sparse_min_db_over_baseline + 2.0, voiced_every=10, pitch_st=0.0)
    assert len(events) == 1
    ev = events[0]
    assert ev.kind == "yelling" and ev.start_s == pytest.approx(0.0, abs=0.02)
    assert ev.end_s == pytest.approx(1.49, abs=0.03)
    assert ev.evidence["sparse_voicing"]["voiced_loud_s"] < c.min_voiced_s
    assert ev.thresholds["sparse_min_db_over_baseline"] == c.sparse_min_db_over_baseline


def test_sparse_voicing_needs_the_higher_level() -> None:
    c = YellingConfig()
    level = (c.yelling_db_over_baseline + c.sparse_min_db_over_baseline) / 2  # hot, not very loud
    assert _run(level, voiced_every=10, pitch_st=0.0) == []


def test_a_loud_voice_whose_pitch_can_be_sampled_is_judged_on_its_pitch() -> None:
    c = YellingConfig()
    loud = c.sparse_min_db_over_baseline + 2.0
    # Well voiced at the speaker's usual pitch: loud but not high, so not yelling...
    assert _run(loud, voiced_every=1, pitch_st=0.0) == []
    # ...and the same voice raised in pitch is, on the sampled cues (no sparse evidence).
    events = _run(loud, voiced_every=1, pitch_st=c.yelling_st_over_baseline + 1.0)
    assert len(events) == 1 and "sparse_voicing" not in events[0].evidence
