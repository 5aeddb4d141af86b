"""Where a line's level step began, and what the baseline does with the frames heard since
(``BaselineConfig.gain_shift_onset_lookback_s``, ``gain_shift_pending``; issue 13, session 17).

A step read late leaves frames heard at the new level already learnt; moving every learnt
frame by the step read moves those a second time. Frames still waiting to be learnt when the
step is read were heard before the reading, some at the old level. Frames with known levels
and pitches (the baseline and the tracker alone), then a synthetic call through the stream."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import AnalysisConfig, BaselineConfig
from calltone.models.tone.gain import GainShiftTracker
from calltone.models.tone.noise import NO_NOISE_DBFS
from calltone.models.tone.stream import CallAnalyzer
from tests.support.frames import line_frames, settled_snapshot
from tests.support.synth import SR, silence, stream_call, voiced
from tests.unit.models.test_gain_step_down import CALM_DBFS, F0_HZ, _call

HOP_S = 0.01
# The long-memory range statistic (the local range, on since session 17, is read apart).
ON = BaselineConfig(gain_shift_onset_lookback_s=60.0, range_local_voiced_s=0.0)
OFF = BaselineConfig(
    gain_shift_onset_lookback_s=0.0, gain_shift_pending=0, range_local_voiced_s=0.0
)


def _lively(n: int, level_dbfs: float, seed: int) -> np.ndarray:
    """A calm voice's levels: ``level_dbfs`` +- 3 dB (uniform), per frame."""
    return level_dbfs + np.random.default_rng(seed).uniform(-3.0, 3.0, n)


def _learn(b: SpeakerBaseline, levels: np.ndarray, start: int) -> None:
    for a in range(0, levels.size, 100):  # one baseline tick at a time
        f = line_frames(levels[a : a + 100], NO_NOISE_DBFS, start=start + a, pitch_st=10.0)
        b.update(f, np.zeros(len(f), bool))


def _upper_db(b: SpeakerBaseline) -> float:
    u = b.snapshot.loudness_upper_db
    assert u is not None
    return u


@pytest.mark.parametrize("since", [None, 2000])
def test_frames_learnt_at_the_new_level_stay_where_they_were_learnt(since: int | None) -> None:
    """20 s of a calm voice at -30 dBFS, then 10 s of it 10 dB up, learnt as heard (the step
    not read yet: the median drifts up). The step is then read: the new level is -20 dBFS.
    Moving everything by the step read against the drifted median puts the frames heard since
    the step ~10 dB over the new level; with the onset they stay and the older ones land at it."""
    b = SpeakerBaseline(ON, hop_s=HOP_S)
    _learn(b, _lively(2000, -30.0, 1), 0)
    _learn(b, _lively(1000, -20.0, 2), 2000)
    drifted = b.snapshot.loudness_dbfs
    assert -30.0 < drifted < -25.0
    moved = b.shift_level(-20.0 - drifted, since=since, level_dbfs=-20.0)
    med = b.snapshot.loudness_dbfs
    if since is None:
        # The old way: the median lands where the step read says, but the frames heard since
        # the step stand ~drift dB higher still, and the top of the range spans both.
        assert moved == pytest.approx(-20.0 - drifted, abs=0.06)
        assert _upper_db(b) > 6.0
    else:
        assert moved == pytest.approx(10.0, abs=0.5)
        assert med == pytest.approx(-20.0, abs=0.5)
        assert _upper_db(b) < 3.5  # the calm voice's own +-3 dB: one level, not two


def test_off_by_default() -> None:
    c = BaselineConfig()
    assert c.gain_shift_onset_lookback_s == 0.0 and c.gain_shift_pending == 0
    assert c.gain_pair_down_voiced_s == 0.0


def test_off_every_learnt_frame_moves() -> None:
    b = SpeakerBaseline(OFF, hop_s=HOP_S)
    _learn(b, _lively(2000, -30.0, 1), 0)
    before = b.snapshot.loudness_dbfs
    assert b.shift_level(10.0, since=1000, level_dbfs=-5.0) == pytest.approx(10.0)
    assert b.snapshot.loudness_dbfs == pytest.approx(before + 10.0, abs=0.1)


def test_the_tracker_finds_where_a_step_up_began() -> None:
    """A calm voice at -30 dBFS for 20 s, then 10 dB up from frame 2000: the step is read
    once 3 s of voiced speech at the new level are heard; the onset is walked back to the
    step (within one second) and the level since is the new voice's median."""
    t = GainShiftTracker(ON, hop_s=HOP_S)
    snap = settled_snapshot(-30.0, 10.0)
    lv = np.concatenate((_lively(2000, -30.0, 3), _lively(1000, -20.0, 4)))
    shifts = []
    for a in range(0, lv.size, 100):
        f = line_frames(lv[a : a + 100], NO_NOISE_DBFS, start=a, pitch_st=10.0)
        shifts.append(t.push(f, snap, own_level=True, at_s=(a + 100) * HOP_S))
    found = [s for s in shifts if s is not None]
    assert found, found
    s = found[0]  # the snapshot here does not move, so the step is read again later
    assert s.onset_index is not None and 2000 <= s.onset_index < 2100, s
    assert s.level_dbfs == pytest.approx(-20.0, abs=0.5)


def test_the_onset_stops_at_the_old_level_and_is_not_kept_off() -> None:
    """The line up for 1.2 s (too short to be read), back at the old level for 6 s, then up
    for good from frame 1720: the onset is walked back to the last rise, not past the old
    level between. Off: no onset."""
    t = GainShiftTracker(ON, hop_s=HOP_S)
    off = GainShiftTracker(OFF, hop_s=HOP_S)
    snap = settled_snapshot(-30.0, 10.0)
    lv = np.concatenate(
        (
            _lively(1000, -30.0, 5),
            _lively(120, -20.0, 6),
            _lively(600, -30.0, 7),
            _lively(500, -20.0, 8),
        )
    )
    found = []
    for a in range(0, lv.size, 100):
        f = line_frames(lv[a : a + 100], NO_NOISE_DBFS, start=a, pitch_st=10.0)
        for tr in (t, off):
            s = tr.push(f, snap, own_level=True, at_s=(a + 100) * HOP_S)
            if s is not None:
                found.append((tr is t, s))
    on_s = [s for is_on, s in found if is_on]
    off_s = [s for is_on, s in found if not is_on]
    assert on_s and off_s and on_s[0].at_s == off_s[0].at_s
    assert on_s[0].onset_index is not None and 1650 <= on_s[0].onset_index <= 1800, on_s[0]
    assert off_s[0].onset_index is None and off_s[0].level_dbfs is None


def _run(x: np.ndarray, **baseline: float) -> CallAnalyzer:
    # The long-memory range and no range in the yelling gate (as before session 17): what
    # is under test is what a step does to the learnt statistics.
    cfg = AnalysisConfig.from_dict(
        {
            "baseline": {
                "gain_shift_down_min_db": 6.0,
                "range_local_voiced_s": 0.0,
                "range_min_voiced_s": 5.0,
                **baseline,
            },
            "yelling": {
                "range_db_over_upper": 0.0,
                "range_effort_exempt": 0,
                "range_local_median": 0,
            },
        }
    )
    an: CallAnalyzer = stream_call(x, cfg)
    return an


def _yelling(an: CallAnalyzer) -> list[float]:
    return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]


@pytest.mark.parametrize("pending", [1, 2])
def test_frames_waiting_to_be_learnt_do_not_widen_the_range(pending: int) -> None:
    """test_gain_step_down's call: the line 12 dB down from 30 s, read at 31.8 s (-9.7 dB);
    the frames heard 28.0-31.7 s still wait ``learn_delay_s``, half at the old level. Learnt
    as heard they stand ~10 dB over the moved statistics and the top of the speaker's range
    reads ~10 dB over the median until they fade; withheld (1) or moved by the step (2, those
    heard before the onset) it reads the calm voice's ~2 dB. The shout 15 s after the step is
    yelling either way."""
    x = _call(-12.0, shout_at_s=45.0)
    off = _run(x, gain_shift_pending=0, gain_shift_onset_lookback_s=0.0)
    on = _run(x, gain_shift_pending=pending, gain_shift_onset_lookback_s=60.0)
    assert [s.at_s for s in on.gain_shifts["customer"]] == [
        s.at_s for s in off.gain_shifts["customer"]
    ]
    assert any(44.0 <= s <= 48.0 for s in _yelling(on)), _yelling(on)
    assert [s for s in _yelling(on) if s < 44.0] == []
    # Read at the call's end (loudness_upper_db is the 97th percentile over the median; the
    # frames off by the step fade over memory_voiced_s, so it is still off here).
    u_off = off.baselines["customer"].snapshot.loudness_upper_db
    u_on = on.baselines["customer"].snapshot.loudness_upper_db
    assert u_off is not None and u_on is not None
    assert u_on < 4.0 < u_off or u_on < u_off - 0.2


def test_calm_speech_after_a_step_up_is_no_yelling() -> None:
    """The same calm voice with the line 10 dB up from 30 s: nothing is yelling, and the
    baseline follows to the new level (within 1 dB of the calm voice's median 10 dB up)."""
    x = _call(10.0)
    on = _run(x, gain_shift_pending=2, gain_shift_onset_lookback_s=60.0)
    assert _yelling(on) == []
    shifts = on.gain_shifts["customer"]
    assert len(shifts) == 1 and shifts[0].onset_index is not None
    assert 30.0 <= shifts[0].onset_index * 0.01 < 31.5


def _emotional_call(
    customer_step_db: float, agent_step_db: float, *, shout_at_s: float = 40.0
) -> np.ndarray:
    """An emotional caller: calm phrases (120 Hz and 2 st higher, 1.6 s every 2 s, -26 dBFS)
    to 30 s; from 30 s their line ``customer_step_db`` off and their talk raised (phrases
    +8 dB and 4 st high: loud but no shout) with one short calm word (0.3 s at 120 Hz) every
    4 s, so few frames at their own pitch; a shout (12 dB over the calm voice on the line as
    it then is, 6 st high, 2.5 s) at ``shout_at_s``. The agent answers calmly (220 Hz, -28
    dBFS, 1.5 s every 5 s), their line ``agent_step_db`` off from 30 s."""
    dur_s = 70.0
    a = silence(dur_s, seed=31)
    c = silence(dur_s, seed=32)

    def put(x: np.ndarray, at_s: float, sig: np.ndarray) -> None:
        x[int(at_s * SR) : int(at_s * SR) + sig.size] += sig

    for k, at_s in enumerate(np.arange(0.5, 30.0, 2.0)):
        if at_s + 1.6 > 30.0:
            break
        f0 = F0_HZ * (2 ** (2 / 12) if k % 2 else 1.0)
        put(c, at_s, voiced(f0, 1.6, CALM_DBFS, seed=40 + k))
    for k, at_s in enumerate(np.arange(30.5, 66.0, 4.0)):
        if abs(at_s - shout_at_s) < 4.0:
            continue
        put(c, at_s, voiced(F0_HZ, 0.3, CALM_DBFS + customer_step_db, seed=80 + k))
        raised = voiced(F0_HZ * 2 ** (4 / 12), 1.6, CALM_DBFS + customer_step_db + 8.0, seed=90 + k)
        put(c, at_s + 1.0, raised)
    put(c, shout_at_s, voiced(F0_HZ * 2**0.5, 2.5, CALM_DBFS + customer_step_db + 12.0, seed=7))
    for k, at_s in enumerate(np.arange(2.6, 68.0, 5.0)):
        gain_db = agent_step_db if at_s >= 30.0 else 0.0
        put(a, at_s, voiced(220.0, 1.5, -28.0 + gain_db, seed=60 + k))
    return np.stack([a, c])


PAIR_ON = {
    "gain_shift_pending": 2,
    "gain_shift_onset_lookback_s": 60.0,
    "gain_pair_down_voiced_s": 0.3,
}


def test_both_lines_down_an_emotional_callers_line_follows_the_partners() -> None:
    """Both lines 12 dB down from 30 s. The calm agent's line is read within seconds; the
    caller's own voice at their own pitch is 0.3 s every 4 s, too little for their own
    tracker before the shout at 40 s, which then reads ~0 dB over the old level (no yelling).
    With the pair rule the caller's line follows the agent's step from its onset once 0.3 s of
    their own-pitch voice since then stands half the step under: the shout is yelling."""
    x = _emotional_call(-12.0, -12.0)
    off = _run(x, gain_shift_pending=2, gain_shift_onset_lookback_s=60.0)
    assert [s for s in _yelling(off) if 39.0 <= s <= 43.0] == [], _yelling(off)
    on = _run(x, **PAIR_ON)
    agent = [s for s in on.gain_shifts["agent"] if s.shift_db < 0]
    assert agent and agent[0].at_s < 40.0, agent
    caller = [s for s in on.gain_shifts["customer"] if s.shift_db < 0]
    assert caller and caller[0].at_s < 40.0, caller
    assert caller[0].shift_db == agent[0].shift_db
    assert any(39.0 <= s <= 43.0 for s in _yelling(on)), _yelling(on)


def test_one_line_down_is_not_followed_by_the_other() -> None:
    """Only the agent's line 12 dB down: the caller's own-pitch words stay at their level, so
    the caller's line does not follow, and the shout at 40 s is yelling as it is off."""
    x = _emotional_call(0.0, -12.0)
    on = _run(x, **PAIR_ON)
    assert [s for s in on.gain_shifts["agent"] if s.shift_db < 0]
    assert [s for s in on.gain_shifts["customer"] if s.shift_db < 0] == []
    assert any(39.0 <= s <= 43.0 for s in _yelling(on)), _yelling(on)
