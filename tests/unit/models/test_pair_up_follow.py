"""Both lines stepped up, read on the other line only (``BaselineConfig.gain_pair_up_*``;
issue 13, session 21). An emotional speaker's calm speech after a lasting step up stands
higher in pitch than their baseline's median, so their own gain tracker (own-pitch frames)
and the pending pair shift (low-register frames) never see the step; the calm partner's tracker
does. Synthetic two-party calls through the whole stream, with known answers: the agent's
raised-pitch calm phrases after a +10 dB step of both lines are yelling without the option and
not once her own level has risen with the partner's step; a step of the partner's line only,
with the agent's speech the same mix as before, is not followed and her shout stays yelling."""

from __future__ import annotations

import numpy as np

from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.events import Event
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, silence, stream_call, voiced

F0 = {"agent": 200.0, "customer": 120.0}
CALM_DBFS = -26.0
STEP_AT_S = 40.0
PHRASE_S = 1.6
#: A lively calm mix (pitch st, level dB over the calm voice): own pitch, 3 st up, own pitch,
#: 3 st up and 2 dB louder.
MIX = ((0.0, 0.0), (3.0, 0.0), (0.0, 0.0), (3.0, 2.0))
#: The agent after the step: the same voice levels, every phrase 3 st over her own pitch
#: (calm clips that stand higher than her baseline's median: nothing at the own pitch).
HIGH = ((3.0, 0.0), (3.0, 0.0), (3.0, 1.0), (3.0, 0.0))
TURNS = {"agent": [10.0, 30.0, 50.0, 60.0, 70.0], "customer": [1.0, 21.0, 41.0, 80.0]}
#: The voice arm: own evidence on the voice's level, any pitch; no noise floor read.
FOLLOW = {
    "gain_pair_up_follow_share": 1.0,
    "gain_pair_up_own_rise_share": 0.5,
    "gain_pair_up_noise_share": 0.0,
    "gain_noise_pair_step_db": 0.0,
}
#: The option off (on by default since session 21).
OFF = {"gain_pair_up_follow_share": 0.0}
#: The noise arm: own evidence on the line's noise floor, and both floors stepping together.
NOISE = {**FOLLOW, "gain_pair_up_noise_share": 0.5, "gain_noise_pair_step_db": 6.0}
#: The agent after the step, louder by effort in every phrase (4 dB, 3 st up): no gain step.
LOUDER = ((3.0, 4.0), (3.0, 4.0), (3.0, 5.0), (3.0, 4.0))


def _call(
    steps: dict[str, float],
    after: dict[str, tuple[tuple[float, float], ...]],
    shout: tuple[float, float] | None = None,
    dur_s: float = 90.0,
) -> np.ndarray:
    """Each party speaks 4 phrases of ``MIX`` (or ``after[party]`` from ``STEP_AT_S`` on) from
    each turn start, 0.4 s apart, over the line's noise (-70 dBFS); ``steps[party]``: that
    line's lasting gain step (dB, voice and noise) from ``STEP_AT_S``; ``shout``: the agent at
    (at_s, dB over her calm voice), 3 s, 6 st higher."""
    x = np.stack([silence(dur_s, seed=21), silence(dur_s, seed=22)])
    seed = 300
    for ch, p in enumerate(("agent", "customer")):
        for t0 in TURNS[p]:
            pattern = after.get(p, MIX) if t0 >= STEP_AT_S else MIX
            at_s = t0
            for st, db in pattern:
                seed += 1
                sig = voiced(F0[p] * 2 ** (st / 12), PHRASE_S, CALM_DBFS + db, seed=seed)
                x[ch, int(at_s * SR) : int(at_s * SR) + sig.size] += sig
                at_s += PHRASE_S + 0.4
    if shout is not None:
        at_s, db = shout
        sig = voiced(F0["agent"] * 2**0.5, 3.0, CALM_DBFS + db, seed=7)
        x[0, int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    for ch, p in enumerate(("agent", "customer")):
        x[ch, int(STEP_AT_S * SR) :] *= 10 ** (steps.get(p, 0.0) / 20)
    return x


def _run(x: np.ndarray, baseline: dict[str, float] | None = None) -> CallAnalyzer:
    an: CallAnalyzer = stream_call(x, AnalysisConfig.from_dict({"baseline": baseline or {}}))
    return an


def _agent_flags(an: CallAnalyzer, after_s: float) -> list[Event]:
    """The agent's events from ``after_s`` that read her level: yelling, and agent_tone
    with loudness among its cues (the synthetic voice's 3 st phrases alone fire agent_tone on
    pitch and voice quality, with or without a step: not what a gain step changes)."""
    return [
        e
        for e in an.events
        if e.speaker == "agent"
        and e.start_s >= after_s
        and (e.kind == "yelling" or (e.kind == "agent_tone" and "loudness" in e.evidence["fired"]))
    ]


def test_both_lines_up_the_agent_follows_the_partners_step() -> None:
    """Both lines +10 dB at 40 s: the customer's tracker reads it in their turn at 41 s; the
    agent's phrases from 50 s stand 10-11 dB over her baseline and 3 st over her pitch. Off:
    flagged, her own tracker never reads the step. On: from her own level's rise (2 s of
    voiced speech after 50 s) she is read against the baseline raised by the step."""
    x = _call({"agent": 10.0, "customer": 10.0}, {"agent": HIGH})
    off = _run(x, OFF)
    assert _agent_flags(off, 53.0), "no false flag to remove"
    assert off.gain_shifts["agent"] == [], off.gain_shifts["agent"]
    assert [s.shift_db > 6.0 for s in off.gain_shifts["customer"]] == [True]
    on = _run(x, FOLLOW)
    assert _agent_flags(on, 53.0) == [], _agent_flags(on, 53.0)
    (f,) = on._pair_up.follows["agent"]
    assert 50.0 < float(f["at_s"]) < 53.5, f  # type: ignore[arg-type]
    assert 39.0 <= float(f["onset_s"]) <= 42.0, f  # type: ignore[arg-type]
    assert abs(float(f["own_rise_db"]) - 10.0) < 3.0, f  # type: ignore[arg-type]
    # The customer's own tracker read the step at 43 s: with gain_pair_up_own_step_age_s they
    # do not follow the agent's reading of it at 68 s as well. (Off, they follow it at 83 s,
    # in every push size since session 22: the onset is walked back on whole 1 s ticks; before,
    # 20 ms and 100 ms pushes stopped the walk early and only 1 s / 10 s chunks followed.)
    guarded = _run(x, {**FOLLOW, "gain_pair_up_own_step_age_s": 60.0})
    assert guarded._pair_up.follows["customer"] == []
    assert guarded._pair_up.follows["agent"] == on._pair_up.follows["agent"]
    # Without own evidence asked, she follows from the partner's reading: nothing flagged
    # from her first phrase after the step.
    bare = _run(x, {**FOLLOW, "gain_pair_up_own_rise_share": 0.0})
    assert _agent_flags(bare, 50.0) == [], _agent_flags(bare, 50.0)


def test_a_partner_only_step_is_not_followed_and_a_shout_stays_yelling() -> None:
    """Only the customer's line +10 dB: the agent speaks the same mix as before at the same
    level (no rise), so she is not read raised, and her shout at 75 s (14 dB over her calm
    voice, 6 st higher) is yelling as with the option off."""
    x = _call({"customer": 10.0}, {}, shout=(75.0, 14.0))
    on = _run(x, NOISE)
    assert on._pair_up.follows["agent"] == [], on._pair_up.follows["agent"]
    assert _run(x, FOLLOW)._pair_up.follows["agent"] == []
    yell = [e for e in on.events if e.kind == "yelling" and e.speaker == "agent"]
    assert [e for e in yell if 74.9 <= e.start_s <= 75.6], yell
    off = [e for e in _run(x, OFF).events if e.kind == "yelling" and e.speaker == "agent"]
    assert [e.start_s for e in yell] == [e.start_s for e in off]


def test_both_lines_up_noise_arm_follows_from_the_noise_floors() -> None:
    """Both lines +10 dB, voice and noise: both lines' noise floors stand ~10 dB over their
    level before, so both follow the step, with no own-voice evidence asked; nothing level-
    driven is flagged on the agent after her first phrase."""
    x = _call({"agent": 10.0, "customer": 10.0}, {"agent": HIGH})
    on = _run(x, NOISE)
    f = on._pair_up.follows["agent"]
    assert f, f
    assert abs(float(f[0]["other_step_db"]) - 10.0) < 3.0, f  # type: ignore[arg-type]
    assert _agent_flags(on, 52.0) == [], _agent_flags(on, 52.0)


def test_a_partner_only_step_with_the_agent_louder_is_followed_on_her_voice_not_her_line() -> None:
    """The cost case: only the customer's line +10 dB, the agent louder by effort after it
    (4-5 dB, 3 st up). Her voice's own rise (4 dB) stands under half the step, so the voice
    arm does not follow either; at a quarter of the step it does and her raised phrases read
    low, while the noise arm never does: her line's noise floor did not move."""
    x = _call({"customer": 10.0}, {"agent": LOUDER})
    voice = _run(x, {**FOLLOW, "gain_pair_up_own_rise_share": 0.25})
    assert voice._pair_up.follows["agent"], "the voice arm should follow here"
    noise = _run(x, {**NOISE, "gain_pair_up_own_rise_share": 0.25})
    assert noise._pair_up.follows["agent"] == [], noise._pair_up.follows["agent"]
    assert noise._pair_up.follows["customer"] == []
    off = _run(x, OFF)
    assert [e.start_s for e in _agent_flags(noise, 40.0)] == [
        e.start_s for e in _agent_flags(off, 40.0)
    ]


def test_no_step_nothing_followed() -> None:
    for arm in (FOLLOW, NOISE):
        on = _run(_call({}, {}), arm)
        assert on._pair_up.follows == {"agent": [], "customer": []}
        assert _agent_flags(on, 0.0) == []


def test_each_statistic_is_raised_from_its_own_onset_level() -> None:
    """The raise of each level statistic is its level at the onset plus the share of the step
    less where it stands now, within [0, share x step]: a median that learnt 2 dB of a 10 dB
    step is raised 6 (share 0.8), an energy mean that learnt 9 is not raised, a statistic
    unknown at the onset is left as it is."""
    import dataclasses

    from calltone.models.tone.baseline import BaselineSnapshot
    from calltone.models.tone.config import BaselineConfig
    from calltone.models.tone.gain import PairUpFollow, _Follow

    c = dataclasses.replace(BaselineConfig(), gain_pair_up_follow_share=0.8)
    pu = PairUpFollow(c, hop_s=0.01, parties=("agent", "customer"))
    snap = BaselineSnapshot(
        loudness_dbfs=-28.0,
        pitch_st=10.0,
        pitch_spread_st=2.0,
        syllable_rate_per_s=4.0,
        tilt_db=-10.0,
        voiced_s=30.0,
        settled=True,
        loudness_leq_dbfs=-17.0,
        speech_leq_dbfs=-40.0,
        speech_top_heard_dbfs=None,
    )
    assert pu.raised("agent", snap) is snap  # not following
    pu._follow["agent"] = _Follow(
        other_at_s=30.0,
        step_db=10.0,
        onset_index=2000,
        onset_s=20.0,
        level0=np.array([-30.0, -26.0, np.nan, -20.0]),
        latched_at_s=31.0,
    )
    r = pu.raised("agent", snap)
    assert r.loudness_dbfs == -28.0 + 6.0
    assert r.loudness_leq_dbfs == -17.0  # -26 + 8 = -18 < -17: learnt already
    assert r.speech_leq_dbfs == -40.0  # not known at the onset
    assert r.speech_top_heard_dbfs is None
    assert r.pitch_st == snap.pitch_st
    far = dataclasses.replace(snap, loudness_dbfs=-45.0)
    assert pu.raised("agent", far).loudness_dbfs == -45.0 + 8.0  # at most share x step


def test_a_hold_of_digital_silence_is_no_step() -> None:
    """A 10 s hold at 26 s (both lines digital silence, as AudioHook's ``paused``/``resumed``
    and Twilio's skipped silence reach the analysis) in a call with no gain step: the lines'
    noise floors hold through it, nothing is followed however the audio is chunked, and the
    agent's shout at 75 s is yelling. Read as noise, the hold dropped both floors to -120 dBFS
    and they "rose" 23 dB together once it left the noise minimum's window: both lines
    followed a 23 dB step and the shout read 4 dB under a baseline raised 18 dB."""
    x = _call({}, {}, shout=(75.0, 14.0))
    x[:, int(26.0 * SR) : int(36.0 * SR)] = 0.0
    for step_s in (0.02, 0.5):
        an = stream_call(x, AnalysisConfig(), step_s=step_s)
        assert an._pair_up.follows == {"agent": [], "customer": []}, (step_s, an._pair_up.follows)
        yell = [e for e in an.events if e.kind == "yelling" and e.speaker == "agent"]
        assert [e for e in yell if 74.9 <= e.start_s <= 75.6], (step_s, yell)
