"""A shout's pitch is judged per run, not per frame (``YellingConfig.run_pitch``; issue 13,
session 14). Frames with known levels and pitches against a fixed baseline: a shouted sentence
whose pitch falls back near the speaker's own at its end (the final fall) while its level stays
up is yelling once the pitch cue is read over the run's loud voiced frames; a louder line at the
speaker's own pitch, and a loud run whose voiced frames are mostly at that pitch, are not."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import YellingConfig
from calltone.models.tone.detectors import YellingDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import settled_snapshot

HOP_S = 0.01
BASE_DBFS = -30.0
BASE_ST = 10.0  # 178 Hz


def _snapshot() -> BaselineSnapshot:
    return settled_snapshot(
        BASE_DBFS, BASE_ST, voiced_s=30.0, own_voiced_s=30.0, own_speech_s=40.0
    )


def _frames(parts: list[tuple[float, float, float]]) -> PartyFrames:
    """Consecutive stretches of speech frames: (seconds, dB over the baseline, st over it; NaN
    pitch: unvoiced), after 0.5 s and before 1 s of silence."""
    lv, st, vo, sp = [], [], [], []
    for dur_s, db, dst in [(0.5, -60.0, np.nan), *parts, (1.0, -60.0, np.nan)]:
        n = round(dur_s / HOP_S)
        silent = db <= -60.0
        lv += [BASE_DBFS + db] * n
        st += [BASE_ST + dst] * n
        vo += [not silent and bool(np.isfinite(dst))] * n
        sp += [not silent] * n
    lo = np.asarray(lv, np.float32)
    n = lo.size
    return PartyFrames(
        0,
        loudness_dbfs=lo,
        pitch_st=np.asarray(st, np.float64),
        voiced=np.asarray(vo),
        speech=np.asarray(sp),
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, -12.0),
        hnr_db=np.full(n, 10.0),
        voice_loudness_dbfs=lo,
        noise_dbfs=np.full(n, -80.0, np.float32),
    )


def _yelling(parts: list[tuple[float, float, float]], run_pitch: int) -> list[float]:
    det = YellingDetector(YellingConfig(run_pitch=run_pitch), speaker="customer", hop_s=HOP_S)
    f = _frames(parts)
    snaps = {"customer": _snapshot()}
    step = det.push(CallFrames(0, {"customer": f}, TimeFn(HOP_S, 0.0)), snaps)
    events = step.events + det.finish(len(f), TimeFn(HOP_S, 0.0), snaps)
    return sorted({e.start_s for e in events if e.kind == "yelling"})


#: A shouted sentence, 14 dB over: syllables 6 st high, each followed by its loud fall 1 st
#: over the speaker's own pitch and a short unvoiced, quieter consonant (4 dB over): per
#: frame the falls and the consonants outnumber the high frames (36 % of the speech frames),
#: while the loud voiced frames are 55 % high.
FALLING_SHOUT = [(0.22, 14.0, 6.0), (0.18, 14.0, 1.0), (0.2, 4.0, np.nan)] * 4


def test_a_shout_whose_pitch_falls_at_each_syllables_end_is_yelling_per_run() -> None:
    assert _yelling(FALLING_SHOUT, run_pitch=0) == []
    starts = _yelling(FALLING_SHOUT, run_pitch=1)
    assert len(starts) == 1 and starts[0] == pytest.approx(0.5, abs=0.02), starts


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        ([(2.4, 14.0, 0.5)], "a louder line at the speaker's own pitch (a gain step)"),
        (
            [(0.15, 14.0, 6.0), (0.25, 14.0, 0.5), (0.2, 4.0, np.nan)] * 4,
            "loud, but its voiced frames mostly at the speaker's own pitch (38 % high)",
        ),
        ([(0.4, 6.0, 6.0), (0.4, 6.0, 0.0)] * 3, "high but only 6 dB over: not loud"),
    ],
)
def test_no_yelling_without_both_cues_per_run(
    parts: list[tuple[float, float, float]], why: str
) -> None:
    assert _yelling(parts, run_pitch=1) == [], why
    assert _yelling(parts, run_pitch=0) == [], why


def _closed_yelling(parts: list[tuple[float, float, float]]) -> list[dict[str, object]]:
    det = YellingDetector(YellingConfig(), speaker="customer", hop_s=HOP_S)
    f = _frames(parts)
    snaps = {"customer": _snapshot()}
    step = det.push(CallFrames(0, {"customer": f}, TimeFn(HOP_S, 0.0)), snaps)
    events = step.events + det.finish(len(f), TimeFn(HOP_S, 0.0), snaps)
    return [e.evidence for e in events if e.kind == "yelling" and e.end_s is not None]


def test_the_events_peaks_cover_the_run_before_its_confirmation() -> None:
    # The loudest, highest part of the shout is its first 0.4 s (+22 dB, +9 st), before the
    # run is confirmed (1 s in); the rest is +14 dB, +6 st. The closed event's evidence says
    # how far the run went over the baseline: 22 dB and 9 st, not the 14 / 6 after the
    # confirmation.
    closed = _closed_yelling([(0.4, 22.0, 9.0), (2.0, 14.0, 6.0)])
    assert len(closed) == 1
    ev = closed[0]
    assert float(ev["confirmed_at_s"]) >= 1.4  # type: ignore[arg-type]
    assert ev["peak_loudness_db_over_baseline"] == pytest.approx(22.0, abs=0.01)
    assert ev["peak_pitch_st_over_baseline"] == pytest.approx(9.0, abs=0.01)
