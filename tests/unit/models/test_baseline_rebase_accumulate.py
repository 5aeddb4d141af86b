"""The quieter stretch that rebases a young baseline, accumulated across short utterances
(``BaselineConfig.rebase_accumulate_break_voiced_s``, issue 13, session 15): a line whose noise
buries the calm voice voices a tenth of a second of each calm utterance, and a syllable the
noise lifts between them must not restart the tally. Frame-level voices with known level,
pitch and tilt (no front end)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import BaselineConfig
from tests.support.frames import line_frames

HOP_S = 0.01
OFF = BaselineConfig(rebase_max_own_voiced_s=12.0)
ON = BaselineConfig(rebase_max_own_voiced_s=12.0, rebase_accumulate_break_voiced_s=0.5)
RAISED = (-20.0, 15.0, -7.0)  # level dBFS, pitch st, tilt dB: the raised early voice
CALM = (-40.0, 9.0, -12.0)  # 20 dB, 6 st under it and darker


def tick(b: SpeakerBaseline, seconds: float, voice: tuple[float, float, float], *, flagged=False):
    """One baseline tick of ``seconds`` of voiced speech of ``voice``."""
    k = round(seconds / HOP_S)
    level, st, tilt = voice
    f = line_frames(np.full(k, level), -120.0, tilt_db=tilt)
    b.update(replace(f, pitch_st=np.full(k, st)), flagged=np.full(k, flagged))


def young(config: BaselineConfig) -> SpeakerBaseline:
    """A baseline that learnt 3 s of a raised voice (1 s ticks)."""
    b = SpeakerBaseline(config, hop_s=HOP_S)
    for _ in range(3):
        tick(b, 1.0, RAISED)
    return b


def calm_utterances(b: SpeakerBaseline, n: int, *, lifted_s: float = 0.1, flagged=False) -> None:
    """``n`` calm utterances of 0.1 s voiced each, each followed by a ``lifted_s`` syllable at
    the raised voice's level and pitch (a tick that does not qualify)."""
    for _ in range(n):
        tick(b, 0.1, CALM, flagged=flagged)
        if lifted_s:
            tick(b, lifted_s, RAISED, flagged=flagged)


def test_short_calm_stretches_add_up_to_a_rebase():
    on = young(ON)
    calm_utterances(on, 4)
    assert on.rebased == 0  # 0.4 s of the calmer voice so far: not yet
    calm_utterances(on, 1)
    assert on.rebased == 1  # the fifth 0.1 s: 0.5 s, rebase_min_voiced_s
    assert on.snapshot.loudness_dbfs == pytest.approx(CALM[0], abs=1.0)
    assert on.snapshot.pitch_st == pytest.approx(CALM[1], abs=0.5)
    # Off: each lifted syllable restarts the stretch, 0.1 s never reaches 0.5 s.
    off = young(OFF)
    calm_utterances(off, 8)
    assert off.rebased == 0
    assert off.snapshot.loudness_dbfs == pytest.approx(RAISED[0], abs=1.0)


def test_unbroken_stretch_rebases_either_way():
    for cfg in (OFF, ON):
        b = young(cfg)
        calm_utterances(b, 5, lifted_s=0.0)
        assert b.rebased == 1


def test_the_learnt_level_heard_as_long_as_the_calm_one_restarts_the_tally():
    b = young(ON)
    calm_utterances(b, 3, lifted_s=0.0)  # 0.3 s calmer
    tick(b, 0.6, RAISED)  # 0.6 s at the learnt level: the early voice was theirs
    calm_utterances(b, 2, lifted_s=0.0)  # 0.2 s: 0.5 s in all, but the tally restarted
    assert b.rebased == 0
    calm_utterances(b, 3, lifted_s=0.0)  # 0.5 s since the restart
    assert b.rebased == 1


def test_flagged_stretches_never_count():
    b = young(ON)
    calm_utterances(b, 8, flagged=True)
    assert b.rebased == 0
    # Unflagged ones do, and the flagged ones before them added nothing.
    calm_utterances(b, 4)
    assert b.rebased == 0
    calm_utterances(b, 1)
    assert b.rebased == 1


def test_not_after_the_baseline_is_settled():
    b = SpeakerBaseline(ON, hop_s=HOP_S)
    for _ in range(12):
        tick(b, 1.0, RAISED)
    calm_utterances(b, 8)
    assert b.rebased == 0
