"""The own-score bar goes under ``min_score`` only after the speaker's own turns
(``AgentToneConfig.own_score_min_turns``).

Hand-built frames against a fixed baseline (-30 dBFS, 10 st); no recordings. As in
test_tone_own_score.py every stretch is fully voiced, 2 st over the baseline's pitch, so a
window ``L`` dB over the baseline scores ``sigmoid(-1.8181 + 0.3953 L - 0.0997 * 2)``: 0.117
at +0 dB (every calm window), 0.721 at +7.5 dB (over the own-score floor 0.7, under
``min_score`` 0.7705), 0.793 at +8.5 dB (over both).

The case the rule is for (an AMI speaker: a sentence, then only backchannels, then the first
long turn): one 2 s sentence and six 0.4 s "mm-hmm"s, each followed by 1.5 s of silence (so
each is its own turn, pauses over ``own_score_turn_gap_s`` 0.8 s), give the own-score bar
its 5 s of calm windows but only one turn of >= 1 s. Known answers:

- a long turn at +7.5 dB after it is an event with the own-score bar alone (floor 0.7), not
  with ``own_score_min_turns`` 3 (until three turns the bar is ``min_score``);
- a long turn at +8.5 dB after it is an event either way (over ``min_score``);
- after three 1.5 s sentences (three turns) the +7.5 dB turn is an event with the rule on;
- three sentences 0.5 s apart are one turn (not enough), and three sentences 9 dB under the
  baseline's level (another voice in the microphone) do not count.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import (
    OWN_BAR_OFF,
    agent_tone_events,
    line_frames,
    own_speech_snapshot,
    steady_speech,
)

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
OWN_SCORE = AgentToneConfig(
    own_score_quantile=0.98,
    own_score_margin_logit=0.5,
    own_score_min_score=0.7,
    own_score_max_score=0.9,
    own_score_min_turns=0,
)
OFF = AgentToneConfig(own_score_quantile=0.0, own_score_min_turns=0)
TURNS = AgentToneConfig(
    own_score_quantile=0.98,
    own_score_margin_logit=0.5,
    own_score_min_score=0.7,
    own_score_max_score=0.9,
    own_score_min_turns=3,
)


def _talk(parts: list[tuple[float, float, float]]) -> PartyFrames:
    """Stretches of steady speech (seconds, dB over the baseline, seconds of silence after)."""
    blocks = []
    for s, db, pause in parts:
        blocks.append(
            steady_speech(
                round(s / HOP_S), base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=db, st_over=2.0
            )
        )
        if pause > 0:
            n = round(pause / HOP_S)
            blocks.append(line_frames(np.full(n, -80.0), OWN_DBFS - 3.0, speech=False))
    return PartyFrames.concat(blocks)


THIN = [(2.0, 0.0, 1.5)] + [(0.4, 0.0, 1.5)] * 6  # a sentence, then six "mm-hmm"s
SENTENCES = [(1.5, 0.0, 1.5)] * 3  # three sentences, three turns


def _events(talk: PartyFrames, config: AgentToneConfig) -> list:
    return agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), config, hop_s=HOP_S)


def test_the_thin_baseline_gives_the_own_score_bar_its_calm_windows() -> None:
    # Without the turn rule the floor applies after the thin baseline (the case to fix).
    talk = _talk([*THIN, (4.0, 7.5, 0.0)])
    assert _events(talk, OFF) == []
    on = _events(talk, OWN_SCORE)
    assert on and on[-1].evidence["own_score_min_score"] == pytest.approx(0.7, abs=1e-3)
    assert on[-1].start_s >= 2.0 + 1.5 + 6 * 1.9


def test_first_long_turn_after_backchannels_is_judged_against_min_score() -> None:
    talk = _talk([*THIN, (4.0, 7.5, 0.0)])
    assert _events(talk, TURNS) == []


def test_a_really_raised_first_long_turn_is_still_an_event() -> None:
    talk = _talk([*THIN, (4.0, 8.5, 0.0)])
    ev = _events(talk, TURNS)
    assert ev and {e.kind for e in ev} == {"agent_tone"}
    assert ev[-1].evidence["score"] >= 0.7705
    assert ev[-1].evidence["own_score_turns"] == 1  # the sentence; no "mm-hmm" counts
    assert ev[-1].evidence["own_score_min_score"] == pytest.approx(0.7705, abs=1e-3)  # min_score


def test_after_three_turns_of_own_speech_the_lower_bar_applies() -> None:
    talk = _talk([*SENTENCES, *THIN[1:], (4.0, 7.5, 0.0)])
    ev = _events(talk, TURNS)
    assert ev and {e.kind for e in ev} == {"agent_tone"}
    e = ev[-1]
    assert 0.7 <= e.evidence["score"] < 0.7705  # only the lowered bar made it an event
    assert e.evidence["own_score_turns"] == 3
    assert e.thresholds["own_score_min_turns"] == 3
    assert e.thresholds["own_score_turn_min_speech_s"] == 1.0


def test_sentences_a_breath_apart_are_one_turn() -> None:
    # 0.5 s pauses: under own_score_turn_gap_s (0.8 s), one 5.5 s turn, not three.
    talk = _talk([(1.5, 0.0, 0.5), (1.5, 0.0, 0.5), (1.5, 0.0, 1.5), *THIN[1:], (4.0, 7.5, 0.0)])
    assert _events(talk, OWN_SCORE)
    assert _events(talk, TURNS) == []
    # With a 0.4 s turn gap the same talk is three turns.
    assert _events(talk, replace(TURNS, own_score_turn_gap_s=0.4))


def test_turns_of_another_voice_do_not_count() -> None:
    # Three sentences 9 dB under the baseline's level (a neighbour leaking into the
    # microphone, > own_score_turn_max_db_under 6 dB) and one own sentence: one own turn.
    talk = _talk([(1.5, -9.0, 1.5)] * 3 + [*THIN, (4.0, 7.5, 0.0)])
    assert _events(talk, OWN_SCORE)
    assert _events(talk, TURNS) == []


def test_a_saved_profile_counts_as_knowing_the_speaker() -> None:
    talk = _talk([*THIN, (4.0, 7.5, 0.0)])
    profile = own_speech_snapshot(OWN_DBFS, OWN_ST, from_profile=True)
    assert agent_tone_events(talk, profile, TURNS, hop_s=HOP_S)


@pytest.mark.parametrize("chunk", [10_000, 7, 3])
def test_pushes_of_any_size_give_the_events_of_one_push(chunk: int) -> None:
    talk = _talk([*SENTENCES, *THIN[1:], (4.0, 7.5, 0.0)])
    sizes = [chunk] * (len(talk) // chunk + 1)
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    det = AgentToneDetector(TURNS, speaker="agent", hop_s=HOP_S)
    time_of = TimeFn(HOP_S, 0.032)
    out = []
    at = 0
    for n in sizes:
        if at >= len(talk):
            break
        step = det.push(CallFrames(at, {"agent": talk.slice(at, at + n)}, time_of), {"agent": base})
        out += step.events
        at += n
    out += det.finish(len(talk), time_of, {"agent": base})
    one = _events(talk, TURNS)
    assert one
    assert [(e.id, e.start_s, e.end_s) for e in out] == [(e.id, e.start_s, e.end_s) for e in one]


def test_off() -> None:
    # On by default since session 19 (with the turn rule, the shape rule and the hold);
    # the session-start judgement is the own bar off.
    assert (AgentToneConfig().own_score_quantile, AgentToneConfig().own_score_min_turns) == (
        0.98,
        3,
    )
    c = AgentToneConfig(**OWN_BAR_OFF)
    # Off, the first long turn after the thin baseline meets min_score, as with the turn rule.
    talk = _talk([*THIN, (4.0, 7.5, 0.0)])
    assert _events(talk, c) == [] and _events(talk, TURNS) == []
