"""The line back at a level it had, and a step down read against that level
(``BaselineConfig.gain_return_db``, ``gain_down_anchor_db``; :mod:`models.tone.gain`; issue 13,
session 20). The tracker remembers the baseline's level; while the baseline stands under the
highest of it, the speaker's own-pitch frames back near that level are the line's return,
whether the step down was read or learnt frame by frame. A voice raised by emotion rises in
pitch and is not read as a return. A step down is read against the remembered level too, so a
baseline that learnt part of the step meanwhile does not hide it. Frames with known levels
and pitches, then synthetic calls through the whole stream."""

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
#: The settings the known answers are worked out for: return 4 dB under the top of a 300 s
#: memory, 1 s of own-pitch frames within 3 dB of it; down 6 dB (1.5 s), anchored at 3 dB.
RETURN = BaselineConfig(gain_return_db=4.0, gain_return_memory_s=300.0)
ANCHOR = BaselineConfig(gain_return_db=4.0, gain_shift_down_min_db=6.0, gain_down_anchor_db=3.0)


def _frames(n: int, level_dbfs: float, pitch_st: float, start: int = 0) -> PartyFrames:
    return line_frames(np.full(n, level_dbfs), NO_NOISE_DBFS, pitch_st=pitch_st, start=start)


def _snap(level_dbfs: float) -> BaselineSnapshot:
    return settled_snapshot(level_dbfs, 10.0)


def _dipped(c: BaselineConfig) -> GainShiftTracker:
    """A tracker whose baseline stood at -30 dBFS for 60 s of call (no voice pushed), then
    learnt its way down to -37 dBFS (a line turned down, learnt frame by frame)."""
    t = GainShiftTracker(c, hop_s=HOP_S)
    for k in range(60):
        empty = line_frames(np.full(100, -90.0), NO_NOISE_DBFS, speech=False, start=k * 100)
        assert t.push(empty, _snap(-30.0), own_level=True, at_s=k + 1.0) is None
    return t


def test_the_voice_back_at_its_level_at_its_own_pitch_is_a_return() -> None:
    t = _dipped(RETURN)
    low = _snap(-37.0)
    assert t.push(_frames(90, -30.0, 10.2, 6000), low, own_level=True, at_s=61.0) is None
    back = t.push(_frames(10, -30.0, 10.2, 6090), low, own_level=True, at_s=61.1)
    assert back is not None and back.shift_db == pytest.approx(7.0, abs=0.01)
    assert back.returned_to_dbfs == pytest.approx(-30.0)
    d = back.to_dict()
    assert d["thresholds"] == {  # which thresholds read it
        "gain_return_db": 4.0,
        "gain_return_tol_db": 3.0,
        "gain_shift_max_st": 1.0,
        "gain_return_voiced_s": 1.0,
    }


@pytest.mark.parametrize(
    ("level_dbfs", "pitch_st", "why"),
    [
        (-30.0, 14.0, "as loud as before but 4 st high: a voice raised by emotion"),
        (-36.0, 10.0, "at the own pitch, near the learnt level: the line is still down"),
        (-20.0, 10.0, "10 dB over the level the line had: not a return (a step up's job)"),
    ],
)
def test_no_return_for_a_raised_voice_or_a_line_still_down(
    level_dbfs: float, pitch_st: float, why: str
) -> None:
    t = _dipped(RETURN)
    got = t.push(_frames(300, level_dbfs, pitch_st, 6000), _snap(-37.0), own_level=True, at_s=63.0)
    # (3 s 10 dB over the learnt level at the own pitch is a step up, read by the step-up rule)
    assert got is None or got.returned_to_dbfs is None, (why, got)


def test_no_return_while_the_baseline_stands_near_its_top() -> None:
    """3 dB under the top (under ``gain_return_db``): nothing to return to."""
    t = _dipped(RETURN)
    assert t.push(_frames(200, -30.0, 10.0, 6000), _snap(-33.0), own_level=True, at_s=62.0) is None


def test_off_by_default() -> None:
    c = BaselineConfig()
    assert c.gain_return_db == 0.0 and c.gain_down_anchor_db == 0.0
    t = _dipped(c)
    # 2 s: under the step-up rule's 3 s window, over the return's 1 s.
    assert t.push(_frames(200, -30.0, 10.0, 6000), _snap(-37.0), own_level=True, at_s=62.0) is None


def test_a_step_down_partly_learnt_is_read_against_the_level_the_line_had() -> None:
    """The line 12 dB down; the baseline learnt 4 dB of it before 1.5 s of own-pitch frames
    were heard: 8 dB under it, the plain rule's 6 dB reads it too, but 4 dB learnt of a 9 dB
    step leaves 5: only the anchored rule reads it, with the whole step."""
    plain = BaselineConfig(gain_return_db=4.0, gain_shift_down_min_db=6.0)
    for c, read in ((plain, False), (ANCHOR, True)):
        t = _dipped(c)
        got = t.push(_frames(150, -39.0, 10.0, 6000), _snap(-34.0), own_level=True, at_s=62.0)
        assert (got is not None) is read, c
        if got is not None:
            assert got.shift_db == pytest.approx(-5.0, abs=0.01)
            assert got.step_db == pytest.approx(-9.0, abs=0.01)
            assert got.to_dict()["step_db"] == pytest.approx(-9.0)


def test_a_softer_voice_lower_in_pitch_is_no_anchored_step() -> None:
    t = _dipped(ANCHOR)
    got = t.push(_frames(300, -42.0, 7.0, 6000), _snap(-34.0), own_level=True, at_s=63.0)
    assert got is None


F0_HZ = 120.0
CALM_DBFS = -26.0
STEP_AT_S = 30.0
BACK_AT_S = 60.0


def _call(*, back_at_s: float | None, shout_at_s: float | None = None) -> np.ndarray:
    """The customer talks 0.5-95 s in phrases of 1.6 s, 0.4 s apart, alternating at 120 Hz
    and 2 st higher, at -26 dBFS; their line 12 dB down from 30 s to ``back_at_s`` (None: to
    the end); the agent answers 2 s every 10 s at -28 dBFS, 220 Hz, line unchanged.
    ``shout_at_s``: 3 s of the customer 12 dB over their calm voice on the line as it then is
    and 6 st higher."""
    dur_s = 100.0
    a = silence(dur_s, seed=11)
    c = silence(dur_s, seed=12)

    def gain_at(at_s: float) -> float:
        down = at_s >= STEP_AT_S and (back_at_s is None or at_s < back_at_s)
        return -12.0 if down else 0.0

    for k, at_s in enumerate(np.arange(0.5, 95.0, 2.0)):
        if shout_at_s is not None and shout_at_s - 2.0 < at_s < shout_at_s + 3.0:
            continue
        f0 = F0_HZ * (2 ** (2 / 12) if k % 2 else 1.0)
        sig = voiced(f0, 1.6, CALM_DBFS + gain_at(at_s), seed=20 + k)
        c[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    if shout_at_s is not None:
        sig = voiced(F0_HZ * 2 ** (6 / 12), 3.0, CALM_DBFS + gain_at(shout_at_s) + 12.0, seed=7)
        c[int(shout_at_s * SR) : int(shout_at_s * SR) + sig.size] += sig
    for k, at_s in enumerate(np.arange(5.0, 95.0, 10.0)):
        sig = voiced(220.0, 2.0, -28.0, seed=60 + k)
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    return np.stack([a, c])


def _run(x: np.ndarray, **baseline: float) -> CallAnalyzer:
    an: CallAnalyzer = stream_call(x, AnalysisConfig.from_dict({"baseline": baseline}))
    return an


def _yelling(an: CallAnalyzer) -> list[float]:
    return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]


def test_down_and_back_with_the_step_down_read_is_no_yelling() -> None:
    """Every rule on (down, anchored, return): the step down read within a few seconds, the
    line's return within a few seconds of it coming back (here the step-up rule's 3 s of
    voiced speech, both phrases' pitches, fills before 1 s of own-pitch frames), to the level
    it had; no yelling on the calm voice."""
    on = _run(
        _call(back_at_s=BACK_AT_S),
        gain_return_db=4.0,
        gain_shift_down_min_db=6.0,
        gain_down_anchor_db=3.0,
    )
    shifts = on.gain_shifts["customer"]
    downs = [s for s in shifts if s.shift_db < 0]
    ups = [s for s in shifts if s.shift_db > 0]
    assert len(downs) == 1 and STEP_AT_S < downs[0].at_s < STEP_AT_S + 6.0, shifts
    assert len(ups) == 1 and BACK_AT_S < ups[0].at_s < BACK_AT_S + 5.0, shifts
    assert ups[0].shift_db == pytest.approx(-downs[0].shift_db, abs=3.0), shifts
    assert _yelling(on) == [], (_yelling(on), shifts)


def test_a_shout_on_the_line_turned_down_is_yelling_and_no_return() -> None:
    """A shout 15 s after a lasting step down: as loud as the calm voice was before the step
    (+12 dB over the line as it is) but 6 st high: it is yelling, and never read as the line
    coming back."""
    on = _run(
        _call(back_at_s=None, shout_at_s=45.0),
        gain_return_db=4.0,
        gain_shift_down_min_db=6.0,
        gain_down_anchor_db=3.0,
    )
    assert [s for s in on.gain_shifts["customer"] if s.returned_to_dbfs is not None] == []
    assert any(44.0 <= s <= 48.0 for s in _yelling(on)), (_yelling(on), on.gain_shifts)
    assert [s for s in _yelling(on) if s < 44.0] == []


def test_a_steady_line_never_shifts_with_every_rule_on() -> None:
    on = _run(
        _call(back_at_s=0.0),
        gain_return_db=4.0,
        gain_shift_down_min_db=6.0,
        gain_down_anchor_db=3.0,
    )
    assert on.gain_shifts["customer"] == [] and on.gain_shifts["agent"] == []
    assert _yelling(on) == []


@pytest.mark.parametrize(("ref_s", "read"), [(0.0, True), (10.0, False)])
def test_own_pitch_frames_read_against_their_own_level(ref_s: float, read: bool) -> None:
    """A voice whose frames at its median pitch stand 2 dB under the baseline's median (the
    louder syllables are the higher ones): 7 dB under it is a step down against the baseline
    (6 dB), but only 5 dB under the voice's own-pitch level (``gain_own_ref_voiced_s``)."""
    c = BaselineConfig(gain_return_db=4.0, gain_shift_down_min_db=6.0, gain_own_ref_voiced_s=ref_s)
    t = GainShiftTracker(c, hop_s=HOP_S)
    for k in range(30):
        got = t.push(_frames(100, -32.0, 10.0, k * 100), _snap(-30.0), own_level=True, at_s=k + 1.0)
        assert got is None
    got = t.push(_frames(150, -37.0, 10.0, 3000), _snap(-30.0), own_level=True, at_s=32.0)
    assert (got is not None) is read, got
    if got is not None:
        assert got.shift_db == pytest.approx(-7.0, abs=0.01)
