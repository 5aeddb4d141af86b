"""A line whose gain steps down and stays there (``BaselineConfig.gain_shift_down_*``,
:mod:`models.tone.gain`; issue 13, session 14). The speaker's voiced frames at their own pitch
are their calm voice: when those stand ``gain_shift_down_min_db`` under the baseline the line
was turned down, and the level statistics follow it (else a shout on the quieter line reads
only a few dB over the old level). A voice softened by effort falls in pitch, so it is no step;
raised speech stands higher and does not hide the step. The line back up at the speaker's own
pitch to the level it had is read on a shorter window (``gain_shift_return_voiced_s``).
Frames with known levels and pitches, then a synthetic call through the whole stream."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig, BaselineConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.gain import GainShiftTracker
from calltone.models.tone.noise import NO_NOISE_DBFS
from calltone.models.tone.stream import CallAnalyzer
from tests.support.frames import line_frames, settled_snapshot
from tests.support.synth import SR, silence, stream_call, voiced

HOP_S = 0.01
#: The settings the known answers are worked out for (up 6 dB, down 6 dB, 1 st, windows 3 s,
#: 1.5 s at the own pitch, 1 s for the way back).
ON = BaselineConfig(
    gain_shift_min_db=6.0,
    gain_shift_max_st=1.0,
    gain_shift_voiced_s=3.0,
    gain_shift_down_min_db=6.0,
    gain_shift_down_voiced_s=1.5,
    gain_shift_return_voiced_s=1.0,
)


def _frames(n: int, level_dbfs: float, pitch_st: float) -> PartyFrames:
    return line_frames(np.full(n, level_dbfs), NO_NOISE_DBFS, pitch_st=pitch_st)


def _snapshot(level_dbfs: float, pitch_st: float = 10.0) -> BaselineSnapshot:
    return settled_snapshot(level_dbfs, pitch_st)


def test_the_calm_voice_12_db_under_at_its_own_pitch_is_a_step_down() -> None:
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = _snapshot(-30.0)
    assert t.push(_frames(140, -42.0, 10.3), snap, own_level=True, at_s=1.0) is None
    shift = t.push(_frames(10, -42.0, 10.3), snap, own_level=True, at_s=1.5)
    assert shift is not None
    assert shift.shift_db == pytest.approx(-12.0, abs=0.01)
    assert shift.to_dict()["thresholds"]["gain_shift_down_min_db"] == 6.0  # type: ignore[index]


def test_raised_speech_between_the_calm_words_does_not_hide_the_step() -> None:
    """Angry sentences 2 dB over the old level and 6 st high fill 70 % of the voiced frames
    after the step: a plain window's median stays up, the frames at the own pitch do not."""
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = _snapshot(-30.0)
    shifts = []
    for k in range(6):
        shifts.append(t.push(_frames(70, -28.0, 16.0), snap, own_level=True, at_s=k + 0.5))
        shifts.append(t.push(_frames(30, -42.0, 9.8), snap, own_level=True, at_s=k + 1.0))
    found = [s for s in shifts if s is not None]
    assert len(found) == 1 and found[0].shift_db == pytest.approx(-12.0, abs=0.01), found


@pytest.mark.parametrize(
    ("level_dbfs", "pitch_st", "why"),
    [
        (-42.0, 7.0, "12 dB softer and 3 st lower: effort, not the line"),
        (-35.0, 10.0, "5 dB under: within the margin"),
    ],
)
def test_no_step_down_for_a_softer_voice_or_a_small_dip(
    level_dbfs: float, pitch_st: float, why: str
) -> None:
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = _snapshot(-30.0)
    assert t.push(_frames(600, level_dbfs, pitch_st), snap, own_level=True, at_s=6.0) is None, why


def test_off_by_default() -> None:
    t = GainShiftTracker(BaselineConfig(), hop_s=HOP_S)
    assert BaselineConfig().gain_shift_down_min_db == 0.0
    assert t.push(_frames(600, -42.0, 10.0), _snapshot(-30.0), own_level=True, at_s=6.0) is None


def test_the_line_back_up_to_its_level_at_the_own_pitch_returns_within_a_second() -> None:
    t = GainShiftTracker(ON, hop_s=HOP_S)
    down = t.push(_frames(150, -42.0, 10.0), _snapshot(-30.0), own_level=True, at_s=2.0)
    assert down is not None and down.shift_db == pytest.approx(-12.0, abs=0.01)
    low = _snapshot(-42.0)
    # A shout on the quieter line, 12 dB over it and 6 st high: no way back.
    assert t.push(_frames(150, -30.0, 16.0), low, own_level=True, at_s=4.0) is None
    t2 = GainShiftTracker(ON, hop_s=HOP_S)
    t2.push(_frames(150, -42.0, 10.0), _snapshot(-30.0), own_level=True, at_s=2.0)
    assert t2.push(_frames(90, -30.0, 10.2), low, own_level=True, at_s=3.0) is None
    back = t2.push(_frames(10, -30.0, 10.2), low, own_level=True, at_s=3.1)
    assert back is not None and back.shift_db == pytest.approx(12.0, abs=0.01)
    assert back.voiced_s == pytest.approx(1.0)


F0_HZ = 120.0
CALM_DBFS = -26.0
STEP_AT_S = 30.0


def _call(
    step_db: float, *, back_at_s: float | None = None, shout_at_s: float | None = None
) -> np.ndarray:
    """The customer talks 0.5-80 s in phrases of 1.6 s, 0.4 s apart, alternating at 120 Hz and
    2 st higher, at -26 dBFS; the line ``step_db`` off from 30 s (to ``back_at_s``, else to the
    end); the agent answers 2 s every 10 s at -28 dBFS, 220 Hz. ``shout_at_s``: 3 s of the
    customer shouting, 12 dB over their calm voice on the line as it then is and 6 st higher."""
    dur_s = 85.0
    a = silence(dur_s, seed=11)
    c = silence(dur_s, seed=12)

    def gain_at(at_s: float) -> float:
        stepped = at_s >= STEP_AT_S and (back_at_s is None or at_s < back_at_s)
        return step_db if stepped else 0.0

    for k, at_s in enumerate(np.arange(0.5, 80.0, 2.0)):
        if shout_at_s is not None and shout_at_s - 2.0 < at_s < shout_at_s + 3.0:
            continue
        f0 = F0_HZ * (2 ** (2 / 12) if k % 2 else 1.0)
        sig = voiced(f0, 1.6, CALM_DBFS + gain_at(at_s), seed=20 + k)
        c[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    if shout_at_s is not None:
        sig = voiced(F0_HZ * 2 ** (6 / 12), 3.0, CALM_DBFS + gain_at(shout_at_s) + 12.0, seed=7)
        c[int(shout_at_s * SR) : int(shout_at_s * SR) + sig.size] += sig
    for k, at_s in enumerate(np.arange(5.0, 80.0, 10.0)):
        agent_db = step_db if at_s >= STEP_AT_S and back_at_s is None else 0.0
        sig = voiced(220.0, 2.0, -28.0 + agent_db, seed=60 + k)
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    return np.stack([a, c])


def _run(x: np.ndarray, down_db: float) -> CallAnalyzer:
    cfg = AnalysisConfig.from_dict({"baseline": {"gain_shift_down_min_db": down_db}})
    an: CallAnalyzer = stream_call(x, cfg)
    return an


def _yelling(an: CallAnalyzer) -> list[float]:
    return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]


def test_a_shout_on_a_line_turned_down_for_good_is_yelling() -> None:
    """The shout 15 s after the step: off, the baseline has learnt only part of the way down
    (frame by frame, a minute of calm talk before: about -43 dBFS against the -38 dBFS the
    calm voice now has), so the shout stands a few dB over it."""
    x = _call(-12.0, shout_at_s=45.0)
    off = _run(x, 0.0)
    assert _yelling(off) == [], _yelling(off)
    on = _run(x, 6.0)
    downs = [s for s in on.gain_shifts["customer"] if s.shift_db < 0]
    # Read within a few seconds of the step; the window still holds some frames from before.
    assert len(downs) == 1 and downs[0].shift_db == pytest.approx(-12.0, abs=3.0), downs
    assert STEP_AT_S < downs[0].at_s < STEP_AT_S + 5.0
    assert [s for s in _yelling(on) if s < 44.0] == []
    assert any(44.0 <= s <= 48.0 for s in _yelling(on)), _yelling(on)


def test_a_dip_and_back_is_no_yelling() -> None:
    """The line 12 dB down from 30 s to 55 s: followed down, and back up within the shorter
    window once the voice is at its old level at its own pitch; nothing is yelling."""
    on = _run(_call(-12.0, back_at_s=55.0), 6.0)
    shifts = on.gain_shifts["customer"]
    assert len(shifts) == 2, shifts
    assert shifts[0].shift_db == pytest.approx(-12.0, abs=3.0)
    assert shifts[1].shift_db == pytest.approx(-shifts[0].shift_db, abs=3.0)
    assert 55.0 < shifts[1].at_s < 58.0 and shifts[1].voiced_s == pytest.approx(1.0), shifts
    assert _yelling(on) == [], (_yelling(on), shifts)


def test_a_steady_line_never_steps_down() -> None:
    on = _run(_call(0.0), 6.0)
    assert on.gain_shifts["customer"] == [] and on.gain_shifts["agent"] == []
    assert _yelling(on) == []


def test_the_speakers_range_after_a_step_is_learnt_from_the_voice_heard_since() -> None:
    """Yelling judged against the top of the speaker's own range (``range_db_over_upper``):
    the long-memory level histogram spans the step (the shift read is an estimate, frames
    heard before it wait to be learnt), so its top reads ~10 dB over the median and the shout
    15 s after a -12 dB step is missed; the range's own histogram, emptied at the step and fed
    by frames heard after it (``range_memory_voiced_s``), reads the calm voice's ~2 dB."""
    x = _call(-12.0, shout_at_s=45.0)

    def run(memory_s: float) -> CallAnalyzer:
        # The waiting frames learnt as heard and every learnt frame moved by the step (before
        # session 17; ``gain_shift_pending``, ``gain_shift_onset_lookback_s``, which keep the
        # range off by the step too: test_gain_step_onset).
        cfg = AnalysisConfig.from_dict(
            {
                "baseline": {
                    "gain_shift_down_min_db": 6.0,
                    "range_memory_voiced_s": memory_s,
                    "gain_shift_pending": 0,
                    "gain_shift_onset_lookback_s": 0.0,
                    # The session-16 range (the local range, on since session 17, reads the
                    # same shout as yelling with either memory: test_range_local).
                    "range_local_voiced_s": 0.0,
                    "range_min_voiced_s": 5.0,
                },
                "yelling": {
                    "range_db_over_upper": 3.0,
                    "range_effort_exempt": 1,
                    "range_local_median": 0,
                },
            }
        )
        an: CallAnalyzer = stream_call(x, cfg)
        return an

    spans = run(0.0)
    assert [s for s in _yelling(spans) if 44.0 <= s <= 48.0] == []
    upper = spans.baselines["customer"].snapshot.loudness_upper_db
    assert upper is not None and upper > 3.0
    kept = run(20.0)
    assert any(44.0 <= s <= 48.0 for s in _yelling(kept)), _yelling(kept)
    assert [s for s in _yelling(kept) if s < 44.0] == []
    upper = kept.baselines["customer"].snapshot.loudness_upper_db
    assert upper is not None and upper < 3.0
