"""A line whose gain steps up mid-call is not a raised voice (``BaselineConfig.gain_shift_*``,
:mod:`models.tone.gain`; issue 13, session 13). Synthetic voices with known levels and pitches:
a lively calm voice (phrases at its median pitch and at +4 st, as real prosody swings) whose
line is 12 dB quieter for the first 40 s and then back; a real shout is louder *and* higher."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline, hz_to_st
from calltone.models.tone.config import AnalysisConfig, BaselineConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.gain import GainShiftTracker
from calltone.models.tone.noise import NO_NOISE_DBFS
from calltone.models.tone.stream import CallAnalyzer
from tests.support.frames import line_frames, settled_snapshot
from tests.support.synth import SR, silence, stream_call, voiced

HOP_S = 0.01
F0_HZ = 120.0
CALM_DBFS = -26.0
STEP_AT_S = 40.0
#: The settings the known answers below are worked out for (6 dB, 1 st, 3 s voiced).
ON = BaselineConfig(gain_shift_min_db=6.0, gain_shift_max_st=1.0, gain_shift_voiced_s=3.0)


def _frames(n: int, level_dbfs: float, pitch_st: float) -> PartyFrames:
    """``n`` voiced speech frames at one level and pitch, on a line with no noise measured."""
    return line_frames(np.full(n, level_dbfs), NO_NOISE_DBFS, pitch_st=pitch_st)


def _snapshot(level_dbfs: float, pitch_st: float) -> BaselineSnapshot:
    return settled_snapshot(level_dbfs, pitch_st)


def test_the_tracker_reads_a_level_step_at_the_speakers_own_pitch() -> None:
    cfg = ON
    snap = _snapshot(-30.0, 10.0)
    t = GainShiftTracker(cfg, hop_s=HOP_S)
    # 2.9 s voiced 10 dB up at the baseline's pitch: not yet a window.
    assert t.push(_frames(290, -20.0, 10.2), snap, own_level=True, at_s=1.0) is None
    shift = t.push(_frames(20, -20.0, 10.2), snap, own_level=True, at_s=2.0)
    assert shift is not None
    assert shift.shift_db == pytest.approx(10.0, abs=0.01)
    assert shift.pitch_st_over_baseline == pytest.approx(0.2, abs=0.01)
    # The window starts afresh after a shift.
    assert t.push(_frames(100, -20.0, 10.2), snap, own_level=True, at_s=3.0) is None


@pytest.mark.parametrize(
    ("level_dbfs", "pitch_st", "own_level", "why"),
    [
        (-20.0, 13.0, True, "louder and 3 st higher: effort, not the line"),
        (-25.0, 10.0, True, "5 dB: under the 6 dB margin"),
        (-42.0, 10.0, True, "a quieter line is learnt frame by frame, never shifted"),
        (-20.0, 10.0, False, "the level still rests on the prior: the cold start judges it"),
    ],
)
def test_no_shift_for_effort_small_steps_quiet_lines_or_the_cold_start(
    level_dbfs: float, pitch_st: float, own_level: bool, why: str
) -> None:
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = _snapshot(-30.0, 10.0)
    assert t.push(_frames(600, level_dbfs, pitch_st), snap, own_level=own_level, at_s=6.0) is None, why


def test_off_when_the_margin_is_zero() -> None:
    t = GainShiftTracker(BaselineConfig(gain_shift_min_db=0.0), hop_s=HOP_S)
    assert t.push(_frames(600, -10.0, 10.0), _snapshot(-30.0, 10.0), own_level=True, at_s=6.0) is None


def test_shift_level_moves_the_level_statistics_only() -> None:
    b = SpeakerBaseline(ON, hop_s=HOP_S)
    frames = _frames(1500, -33.0, float(hz_to_st(F0_HZ)))
    b.update(frames, np.zeros(len(frames), dtype=bool))
    before = b.snapshot
    assert before.loudness_dbfs == pytest.approx(-33.0, abs=0.1)
    b.shift_level(12.0)
    after = b.snapshot
    assert after.loudness_dbfs == pytest.approx(-21.0, abs=0.1)
    assert after.speech_level_dbfs == pytest.approx(before.speech_level_dbfs + 12.0, abs=0.1)
    assert after.pitch_st == before.pitch_st
    assert after.own_voiced_s == before.own_voiced_s
    assert b.level_shift_db == pytest.approx(12.0)


def _call(step_db: float, *, shout_at_s: float | None = None) -> np.ndarray:
    """The customer talks 0.5-80 s in phrases of 1.6 s, 0.4 s apart, alternating at 120 Hz and
    4 st higher (a lively calm voice), at -26 dBFS on the line, the line ``step_db`` quieter
    before 40 s; the agent answers 2 s every 10 s at -28 dBFS, 220 Hz. ``shout_at_s``: 3 s of
    the customer shouting from there, 12 dB over the calm voice and 6 st higher."""
    dur_s = 85.0
    a = silence(dur_s, seed=11)
    c = silence(dur_s, seed=12)
    for k, at_s in enumerate(np.arange(0.5, 80.0, 2.0)):
        if shout_at_s is not None and shout_at_s - 2.0 < at_s < shout_at_s + 3.0:
            continue
        f0 = F0_HZ * (2 ** (4 / 12) if k % 2 else 1.0)
        gain_db = -step_db if at_s < STEP_AT_S else 0.0
        sig = voiced(f0, 1.6, CALM_DBFS + gain_db, seed=20 + k)
        c[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    if shout_at_s is not None:
        sig = voiced(F0_HZ * 2 ** (6 / 12), 3.0, CALM_DBFS + 12.0, seed=7)
        c[int(shout_at_s * SR) : int(shout_at_s * SR) + sig.size] += sig
    for k, at_s in enumerate(np.arange(5.0, 80.0, 10.0)):
        sig = voiced(220.0, 2.0, -28.0, seed=60 + k)
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    return np.stack([a, c])


def _run(x: np.ndarray, **baseline: float) -> CallAnalyzer:
    cfg = AnalysisConfig.from_dict({"baseline": {"gain_shift_min_db": 6.0, **baseline}})
    an: CallAnalyzer = stream_call(x, cfg)
    return an


def _yelling(an: CallAnalyzer) -> list[float]:
    return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]


def test_a_line_back_to_its_level_after_a_quiet_stretch_is_no_yelling() -> None:
    x = _call(12.0)
    off = _run(x, gain_shift_min_db=0.0)
    # Off: the baseline learnt the quiet line; every higher phrase after the step reads
    # 12 dB loud and 4 st high, is flagged, and is never learnt: yelling after the step (a
    # phrase each with the pitch judged per frame, one event to the call's end per run,
    # ``YellingConfig.run_pitch``), for more than two phrases' time.
    spans = [
        (e.start_s, e.end_s or e.start_s)
        for e in off.events
        if e.kind == "yelling" and e.speaker == "customer" and e.start_s > STEP_AT_S
    ]
    assert sum(b - a for a, b in spans) >= 3.0, spans
    on = _run(x)
    shifts = on.gain_shifts["customer"]
    assert len(shifts) == 1 and shifts[0].shift_db == pytest.approx(12.0, abs=1.5), shifts
    # The shift comes within a few seconds of the step (3 s voiced), and nothing after it.
    assert STEP_AT_S < shifts[0].at_s < STEP_AT_S + 8.0
    assert [s for s in _yelling(on) if s > shifts[0].at_s] == []
    assert on.baselines["customer"].snapshot.loudness_dbfs == pytest.approx(
        off.baselines["customer"].snapshot.loudness_dbfs + 12.0, abs=3.0
    )


def test_a_real_shout_after_the_shift_is_still_yelling() -> None:
    on = _run(_call(12.0, shout_at_s=65.0))
    assert len(on.gain_shifts["customer"]) == 1
    assert any(64.0 <= s <= 68.0 for s in _yelling(on)), _yelling(on)


def test_a_steady_line_never_shifts() -> None:
    on = _run(_call(0.0))
    assert on.gain_shifts["customer"] == [] and on.gain_shifts["agent"] == []
    assert _yelling(on) == []


def test_a_window_of_raised_sentences_between_calm_words_is_no_gain_step() -> None:
    """Angry sentences with calm words between them: 55 % of the window's frames are raised
    (14 dB over), so its median level stands 14 dB over; a third of the raised frames fall
    back to the speaker's own pitch and the calm words sit 1 st under it, so the window's
    median pitch is the speaker's own. The loud frames themselves stand 5 st high: effort,
    not the line (the window's medians alone read it as a gain step)."""
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = _snapshot(-30.0, 10.0)
    for _ in range(3):
        assert t.push(_frames(35, -16.0, 15.0), snap, own_level=True, at_s=1.0) is None
        assert t.push(_frames(20, -16.0, 10.0), snap, own_level=True, at_s=1.0) is None
        assert t.push(_frames(45, -30.0, 9.0), snap, own_level=True, at_s=1.0) is None
    assert t._filled == t._n  # the window was full and judged
