"""A call that opens on raised speech: the baseline drops what of its early voice a later,
calmer stretch shows was raised (``BaselineConfig.rebase_*``, issue 13, session 13).

Frame-level voices with known level, pitch and tilt (no front end), and one synthetic call
through the whole analyzer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline
from calltone.models.tone.config import AnalysisConfig, BaselineConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.frames import line_frames
from tests.support.synth import SR, silence, voiced

HOP_S = 0.01
OFF = BaselineConfig(rebase_max_own_voiced_s=0.0)
ON = BaselineConfig(rebase_max_own_voiced_s=12.0)


def say(b: SpeakerBaseline, seconds: float, level_dbfs: float, pitch_st: float, tilt_db: float):
    """Feed ``seconds`` of voiced speech one 1 s baseline tick at a time (a clean line)."""
    n = round(seconds / HOP_S)
    for a in range(0, n, 100):
        k = min(100, n - a)
        f = line_frames(np.full(k, level_dbfs), -120.0, tilt_db=tilt_db)
        b.update(replace(f, pitch_st=np.full(k, pitch_st)), flagged=np.zeros(k, bool))


def raised_then_calm(config: BaselineConfig, *, calm_tilt_db: float = -12.0) -> BaselineSnapshot:
    """3 s of a raised voice (-20 dBFS, 15 st, tilt -7 dB), then 1 s of a calm one (-40 dBFS,
    9 st): the calm voice is 20 dB and 6 st under the raised one."""
    b = SpeakerBaseline(config, hop_s=HOP_S)
    say(b, 3.0, -20.0, 15.0, -7.0)
    say(b, 1.0, -40.0, 9.0, calm_tilt_db)
    return b.snapshot


def test_a_calmer_lower_darker_stretch_becomes_the_baseline() -> None:
    on = raised_then_calm(ON)
    assert on.loudness_dbfs == pytest.approx(-40.0, abs=1.0)
    assert on.pitch_st == pytest.approx(9.0, abs=0.5)
    # Off: the calm voice is 20 dB under the raised one, outside its dominant range: the
    # baseline stays the raised voice and the next shout would stand at its normal.
    off = raised_then_calm(OFF)
    assert off.loudness_dbfs == pytest.approx(-20.0, abs=1.0)
    assert off.pitch_st == pytest.approx(15.0, abs=0.5)


def test_a_quieter_but_brighter_stretch_is_not_a_calmer_voice() -> None:
    snap = raised_then_calm(ON, calm_tilt_db=-5.0)
    assert snap.loudness_dbfs == pytest.approx(-20.0, abs=1.0)


def test_a_stretch_less_than_a_yelling_margin_under_keeps_the_early_voice() -> None:
    # 8 dB and 6 st under: a quieter phrase of the same voice, not the early voice's calm one.
    b = SpeakerBaseline(ON, hop_s=HOP_S)
    say(b, 3.0, -20.0, 15.0, -7.0)
    say(b, 1.0, -28.0, 9.0, -12.0)
    assert b.rebased == 0
    # Nor after the baseline is settled on the speaker's own voice (12 s voiced).
    late = SpeakerBaseline(ON, hop_s=HOP_S)
    say(late, 12.0, -20.0, 15.0, -7.0)
    say(late, 1.0, -40.0, 9.0, -12.0)
    assert late.rebased == 0
    assert late.snapshot.loudness_dbfs == pytest.approx(-20.0, abs=1.0)


def test_a_saved_profile_is_never_rebased() -> None:
    prof = raised_then_calm(OFF)
    b = SpeakerBaseline(ON, hop_s=HOP_S, profile=prof)
    say(b, 1.0, -40.0, 9.0, -12.0)
    assert b.rebased == 0


def shouting_caller(*, neighbour: bool = False) -> np.ndarray:
    """The customer rings in shouting (0.5-3.5 s, 330 Hz, -14 dBFS), the agent answers
    (4-7 s), the customer goes on calmly (7.5-11.5 s, 180 Hz, -34 dBFS: 20 dB and 10 st
    under), the agent answers (12-15 s), the customer shouts again (15.5-18.5 s).
    ``neighbour``: another voice like the calm one (170 Hz, -34 dBFS) in the customer's
    microphone under the agent's first answer."""
    a = silence(20.0, seed=1)
    c = silence(20.0, seed=2)

    def put(x: np.ndarray, at_s: float, sig: np.ndarray) -> None:
        x[int(at_s * SR) : int(at_s * SR) + sig.size] += sig

    put(c, 0.5, voiced(330, 3.0, -14.0, seed=3))
    put(a, 4.0, voiced(140, 3.0, -28.0, seed=4))
    if neighbour:
        put(c, 4.2, voiced(170, 2.6, -34.0, seed=8))
    put(c, 7.5, voiced(180, 4.0, -34.0, seed=5))
    put(a, 12.0, voiced(140, 3.0, -28.0, seed=6))
    put(c, 15.5, voiced(330, 3.0, -14.0, seed=7))
    return np.stack([a, c])


def customer_yelling(config: AnalysisConfig, *, neighbour: bool = False) -> list[float]:
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=config)
    x = shouting_caller(neighbour=neighbour)
    for i in range(0, x.shape[1], SR // 10):
        an.push(x[:, i : i + SR // 10])
    an.finish()
    return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]


def test_the_shout_after_a_calm_stretch_is_yelling_when_the_call_opened_shouting() -> None:
    on = customer_yelling(AnalysisConfig.from_dict({"baseline": {"rebase_max_own_voiced_s": 12}}))
    assert any(15.0 <= s <= 18.5 for s in on), on
    assert not any(7.0 <= s <= 12.0 for s in on), on  # the calm stretch itself is not
    # Off: the opening shout is the customer's normal, and the second one stands at it.
    off = customer_yelling(AnalysisConfig.from_dict({"baseline": {"rebase_max_own_voiced_s": 0}}))
    assert not any(15.0 <= s <= 18.5 for s in off), off


def test_a_stretch_no_louder_than_the_voices_heard_in_the_others_turn_is_not_taken() -> None:
    """The same call with a neighbour as loud as the calm voice heard under the agent's first
    answer: the calm stretch could be that voice, so the opening shout stays the baseline."""
    on = AnalysisConfig.from_dict({"baseline": {"rebase_max_own_voiced_s": 12}})
    ev = customer_yelling(on, neighbour=True)
    assert not any(15.0 <= s <= 18.5 for s in ev), ev


def test_the_opening_shout_is_reported_late_once_the_calm_voice_is_known() -> None:
    """``YellingConfig.rejudge_after_rebase``: the opening shout, the customer's normal while
    nothing calmer was heard, is yelling against the calm stretch and is reported when that
    stretch rebases the baseline (at ~12 s), with when it was re-judged."""

    def events(rejudge: int) -> list[tuple[float, float | None, object]]:
        cfg = AnalysisConfig.from_dict(
            {
                "baseline": {"rebase_max_own_voiced_s": 12},
                "yelling": {"rejudge_after_rebase": rejudge},
            }
        )
        an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
        x = shouting_caller()
        for i in range(0, x.shape[1], SR // 10):
            an.push(x[:, i : i + SR // 10])
        an.finish()
        return [
            (e.start_s, e.end_s, e.evidence.get("rejudged_at_s"))
            for e in an.events
            if e.kind == "yelling" and e.speaker == "customer"
        ]

    late = [e for e in events(1) if e[0] < 4.0]
    assert len(late) == 1, late
    start, end, at = late[0]
    assert 0.3 <= start <= 1.0 and end is not None and 3.0 <= end <= 3.8
    assert isinstance(at, float) and 7.5 <= at <= 15.0  # found with the calm stretch
    assert not [e for e in events(0) if e[0] < 4.0]


def test_a_loud_greeting_then_calm_talk_is_still_no_yelling_with_the_rebase_on() -> None:
    """The cold start's known answer (tests/unit/models/test_detectors.py) with the rebase and
    the late re-judgement on: a bright "Hi there!" 16 dB over a speaker who opens at their
    normal level is not a raised opening voice (its quiet end is the normal voice)."""
    greeting = np.concatenate([voiced(200, 0.6, -30, seed=1), voiced(260, 1.6, -14, seed=2)])
    calm = voiced(200, 10.0, -30, seed=3)
    a = silence(20.0, seed=1)
    c = silence(20.0, seed=2)
    for at_s, sig in ((0.3, greeting), (3.0, calm)):
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    cfg = AnalysisConfig.from_dict(
        {"baseline": {"rebase_max_own_voiced_s": 12}, "yelling": {"rejudge_after_rebase": 1}}
    )
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2, config=cfg)
    x = np.stack([a, c])
    for i in range(0, x.shape[1], SR // 10):
        an.push(x[:, i : i + SR // 10])
    an.finish()
    assert [e for e in an.events if e.kind == "yelling"] == []
