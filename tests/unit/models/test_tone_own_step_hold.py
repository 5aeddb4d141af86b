"""The own-score bar is held at ``min_score`` while the line is turned down
(``AgentToneConfig.own_score_step_hold_db``, ``own_score_step_hold_memory_s``).

Hand-built frames as in ``test_tone_own_floor_shape.py`` (a known speaker: nine calm 1.5 s
sentences at the baseline's level, so the own bar is its floor 0.7), pushed in two parts: the
calm sentences against a baseline at -30 dBFS, then a 1.2 s stretch scoring 0.705 (+3 dB over
the baseline of its push, 4 dB harsher: over the floor, under ``min_score`` 0.7705, no vote)
against a baseline whose speech level is ``second_dbfs``. Known answers:

- the baseline fell 12 dB between the two pushes (the line turned down and learnt): the hold
  (6 dB) judges the stretch against ``min_score``: no event; without it, an event;
- the baseline fell 3 dB (under the 6 dB hold) or rose 6 dB (a fall is what holds): an event;
- the fall left the memory (``own_score_step_hold_memory_s`` shorter than the talk): an event.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import own_speech_snapshot
from tests.unit.models.test_tone_own_floor_shape import HOP_S, OWN_BAR, OWN_DBFS, OWN_ST, _pause
from tests.unit.models.test_tone_own_floor_shape import _speech as _rel_speech

HOLD = replace(OWN_BAR, own_score_step_hold_db=6.0, own_score_step_hold_memory_s=60.0)


def _speech(seconds: float, level_dbfs: float, st: float, hnr_db: float) -> PartyFrames:
    """Steady voiced speech at ``level_dbfs`` (the shape test's frames, by absolute level)."""
    return _rel_speech(seconds, level_dbfs - OWN_DBFS, st, hnr_db)


def _events(second_dbfs: float, config: AgentToneConfig, st: float = 2.0) -> list:
    calm = PartyFrames.concat(
        [b for _ in range(9) for b in (_speech(1.5, -30.0, 2.0, 10.0), _pause(1.5))] + [_pause(1.5)]
    )
    # The stretch under test: +3 dB over the second push's baseline, at the calm pitch, HNR
    # 4 dB under the baseline's (score 0.705 whatever the baseline's level).
    test = PartyFrames.concat([_pause(1.5), _speech(1.2, second_dbfs + 3.0, st, 6.0), _pause(2.0)])
    det = AgentToneDetector(config, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    first = own_speech_snapshot(-30.0, OWN_ST)
    second = own_speech_snapshot(second_dbfs, OWN_ST)
    out = list(det.push(CallFrames(0, {"agent": calm}, time_of), {"agent": first}).events)
    # The second push's frames carry their place in the call (``PartyFrames.slice``).
    n, talk = len(calm), PartyFrames.concat([calm, test])
    out += det.push(
        CallFrames(n, {"agent": talk.slice(n, len(talk))}, time_of), {"agent": second}
    ).events
    out += det.finish(len(talk), time_of, {"agent": second})
    return [e for e in out if e.start_s >= n * HOP_S]


def test_the_own_bar_alone_flags_the_stretch_after_the_line_fell() -> None:
    ev = _events(-42.0, OWN_BAR)
    assert ev and 0.7 <= ev[-1].evidence["score"] < 0.7705
    assert _events(-42.0, AgentToneConfig()) == []  # min_score: calm


def test_a_line_turned_down_holds_the_bar_at_min_score() -> None:
    assert _events(-42.0, HOLD) == []


@pytest.mark.parametrize("second_dbfs", [-33.0, -24.0])
def test_a_small_fall_or_a_rise_does_not_hold(second_dbfs: float) -> None:
    ev = _events(second_dbfs, HOLD)
    assert ev and 0.7 <= ev[-1].evidence["score"] < 0.7705
    assert ev[-1].thresholds["own_score_step_hold_db"] == 6.0


def test_a_fall_older_than_the_memory_does_not_hold() -> None:
    # The calm talk's level (read at its push) is 30 s before the stretch's push.
    assert _events(-42.0, replace(HOLD, own_score_step_hold_memory_s=10.0))


def test_on_by_default() -> None:
    c = AgentToneConfig()
    assert (c.own_score_step_hold_db, c.own_score_step_hold_memory_s) == (4.0, 300.0)
    # With every default (the shape rule too), a stretch 5 st over the baseline (3 st over the
    # calm windows: it passes the shape rule) is an event on a steady line and none after the
    # line fell 12 dB: the hold, not the shape rule, decides.
    assert _events(-30.0, c, st=5.0)
    assert _events(-42.0, c, st=5.0) == []
