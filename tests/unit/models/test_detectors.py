"""Detectors on synthetic calls whose answers are known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_analyzer
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig, AnalysisConfig, ConfigError
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.stream import AnalysisResult
from tests.support.synth import SR, silence, voiced


def analyse(
    agent: np.ndarray, customer: np.ndarray | None = None, config: AnalysisConfig | None = None
) -> AnalysisResult:
    if customer is None:
        x = agent[None, :]
        roles = ChannelRoles(agent=0, customer=None)
    else:
        n = max(agent.size, customer.size)
        x = np.zeros((2, n), np.float32)
        x[0, : agent.size] = agent
        x[1, : customer.size] = customer
        roles = ChannelRoles(agent=0, customer=1)
    return run_analyzer(DecodedAudio(x, SR, SR, "synthetic"), roles, config or AnalysisConfig())


def place(total_s: float, *parts: tuple[float, np.ndarray]) -> np.ndarray:
    out = silence(total_s, seed=11)
    for at_s, sig in parts:
        i = int(at_s * SR)
        out[i : i + sig.size] += sig
    return out


def kinds(res: AnalysisResult, kind: str, speaker: str | None = None) -> list:
    return [e for e in res.events if e.kind == kind and (speaker is None or e.speaker == speaker)]


def test_interruption_with_known_overlap_and_initiator():
    customer = place(10.0, (1.0, voiced(110, 4.0, -26, seed=1)))  # talks 1.0-5.0
    agent = place(10.0, (3.0, voiced(210, 2.0, -26, seed=2)))  # cuts in at 3.0 for 2 s
    res = analyse(agent, customer)
    ev = kinds(res, "interruption")
    assert len(ev) == 1
    e = ev[0]
    assert e.speaker == "agent" and e.evidence["interrupted"] == "customer"
    assert abs(e.start_s - 3.0) < 0.1
    assert abs(e.evidence["overlap_s"] - 2.0) < 0.15
    assert abs(e.evidence["interrupted_turn_s"] - 2.0) < 0.15
    assert e.evidence["confirmed_at_s"] - e.start_s <= 1.0
    assert set(e.thresholds) >= {"min_overlap_s", "min_other_turn_s", "backchannel_max_s"}
    assert res.metrics["overlap_s"] == pytest.approx(2.0, abs=0.15)


def test_customer_cut_in_is_reported_as_the_customers():
    agent = place(10.0, (1.0, voiced(200, 4.0, -26, seed=1)))
    customer = place(10.0, (2.5, voiced(110, 3.0, -26, seed=2)))
    ev = kinds(analyse(agent, customer), "interruption")
    assert [e.speaker for e in ev] == ["customer"]


@pytest.mark.parametrize(
    ("start_s", "dur_s", "why"),
    [
        (3.0, 0.35, "a short backchannel burst"),
        (1.4, 2.0, "the other party had spoken only 0.4 s"),
        (4.7, 2.0, "overlap of 0.3 s is a turn hand-over"),
    ],
)
def test_no_interruption(start_s, dur_s, why):
    customer = place(10.0, (1.0, voiced(110, 4.0, -26, seed=1)))
    agent = place(10.0, (start_s, voiced(210, dur_s, -26, seed=2)))
    assert kinds(analyse(agent, customer), "interruption") == [], why


def test_yelling_needs_loud_and_high_and_sustained():
    calm = voiced(120, 14.0, -30, seed=3)
    shout = voiced(120 * 2 ** (5 / 12), 3.0, -16, seed=4)  # +14 dB, +5 st
    res = analyse(place(22.0, (0.5, calm), (16.0, shout)))
    ev = kinds(res, "yelling", "agent")
    assert len(ev) == 1
    assert 15.8 <= ev[0].start_s <= 16.6 and ev[0].end_s is not None and ev[0].end_s >= 18.5
    assert ev[0].evidence["peak_loudness_db_over_baseline"] >= 10
    assert ev[0].evidence["peak_pitch_st_over_baseline"] >= 3
    assert ev[0].thresholds["yelling_db_over_baseline"] == 10.0
    # Loud at the same pitch is not yelling; high at the same level is not either; nor a short burst.
    loud_only = voiced(120, 3.0, -16, seed=4)
    high_only = voiced(120 * 2 ** (5 / 12), 3.0, -30, seed=4)
    burst = voiced(120 * 2 ** (5 / 12), 0.6, -16, seed=4)
    for sig in (loud_only, high_only, burst):
        assert kinds(analyse(place(22.0, (0.5, calm), (16.0, sig))), "yelling") == []


def test_yelling_is_relative_to_the_speakers_own_baseline():
    # A quiet talker raising their voice is flagged at a level a loud talker uses normally.
    quiet = place(
        22.0, (0.5, voiced(120, 14.0, -40, seed=3)), (16.0, voiced(170, 3.0, -27, seed=4))
    )
    loud = place(22.0, (0.5, voiced(120, 14.0, -27, seed=3)), (16.0, voiced(120, 3.0, -27, seed=4)))
    assert len(kinds(analyse(quiet), "yelling")) == 1
    assert kinds(analyse(loud), "yelling") == []


def test_agent_tone_reports_which_signals_fired():
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)
    tense = voiced(200 * 2 ** (3 / 12), 5.0, -24, seed=6, syll_hz=3.5)
    res = analyse(place(22.0, (0.5, calm), (15.5, tense)))
    ev = kinds(res, "agent_tone", "agent")
    assert len(ev) == 1
    assert {"loudness", "pitch"} <= set(ev[0].evidence["fired"])
    assert "loudness_db_over_baseline" in ev[0].thresholds
    assert 13.5 <= ev[0].start_s <= 17.0
    assert (
        kinds(
            analyse(place(22.0, (0.5, calm), (15.5, voiced(200, 5.0, -30, seed=6, syll_hz=2.0)))),
            "agent_tone",
        )
        == []
    )


def test_agent_tone_vote_waits_for_sustained_talk():
    # Louder (+5 dB) and higher (+3.9 st) than the agent's own level: two signals over their
    # thresholds, but a score well under min_score (250 Hz and 200 Hz have whole periods at
    # YIN's 8 kHz, so both are equally clean: no harshness). A 1 s burst after 3 s of
    # silence holds too little voiced speech for the vote; 4 s of it is non-calm.
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)

    def raised(dur_s: float) -> np.ndarray:
        return voiced(250, dur_s, -25, seed=6, syll_hz=2.0)

    assert kinds(analyse(place(24.0, (0.5, calm), (18.0, raised(1.0)))), "agent_tone") == []
    ev = kinds(analyse(place(24.0, (0.5, calm), (18.0, raised(4.0)))), "agent_tone")
    assert len(ev) == 1 and {"loudness", "pitch"} <= set(ev[0].evidence["fired"])
    assert ev[0].evidence["score"] < ev[0].evidence["min_score"]  # the vote, not the score
    short_votes = AnalysisConfig.from_dict({"agent_tone": {"vote_min_voiced_s": 0.8}})
    res = analyse(place(24.0, (0.5, calm), (18.0, raised(1.0))), config=short_votes)
    assert len(kinds(res, "agent_tone")) == 1  # the rule, not the signal, kept the burst out


def test_agent_tone_vote_needs_a_raised_voice():
    # Higher and faster at the agent's own level is animation (pitch and pace over their
    # thresholds, loudness not): no tone. The same speech 5 dB louder is non-calm by the vote,
    # and the same louder speech 15 dB under the agent's level (another voice leaking into the
    # headset) is not judged at all.
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)

    def quick(level_dbfs: float) -> np.ndarray:
        return voiced(250, 4.0, level_dbfs, seed=6, syll_hz=3.5)

    assert kinds(analyse(place(22.0, (0.5, calm), (15.5, quick(-30)))), "agent_tone") == []
    ev = kinds(analyse(place(22.0, (0.5, calm), (15.5, quick(-25)))), "agent_tone")
    assert len(ev) == 1 and "loudness" in ev[0].evidence["fired"]
    assert kinds(analyse(place(22.0, (0.5, calm), (15.5, quick(-45)))), "agent_tone") == []


def test_agent_tone_pitch_vote_widens_with_the_speakers_own_range():
    # The same +3.9 st, +7 dB window: a voice whose calm speech holds steady votes it
    # non-calm; one whose calm speech swings +-8 st (lively conversation) does not, unless the
    # widening is switched off.
    steady = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)
    steps_st = [-8, -5, -2, 0, 2, 5, 8, 0, -8, 5, -5, 8, 2, -2]
    lively = np.concatenate(
        [
            voiced(200 * 2 ** (k / 12), 1.0, -30, seed=10 + i, syll_hz=2.0)
            for i, k in enumerate(steps_st)
        ]
    )
    raised = voiced(250, 4.0, -23, seed=6, syll_hz=2.0)
    det = AgentToneDetector(AgentToneConfig(), speaker="agent", hop_s=0.01)
    wide = BaselineSnapshot(-30.0, 12.0, 5.4, 4.0, 0.0, 14.0, True)
    narrow = BaselineSnapshot(-30.0, 12.0, 2.0, 4.0, 0.0, 14.0, True)
    assert det.spread_scale(narrow) == 1.0 and det.spread_scale(wide) == 2.0
    assert len(kinds(analyse(place(22.0, (0.5, steady), (15.5, raised))), "agent_tone")) == 1
    res = analyse(place(22.0, (0.5, lively), (15.5, raised)))
    assert [e.evidence.get("voted") for e in kinds(res, "agent_tone")] in ([], [False])
    fixed = AnalysisConfig.from_dict({"agent_tone": {"max_spread_scale": 1.0}})
    res = analyse(place(22.0, (0.5, lively), (15.5, raised)), config=fixed)
    assert [e.evidence.get("voted") for e in kinds(res, "agent_tone")] == [True]


def test_agent_tone_event_ends_where_the_tense_speech_ends():
    # Calm, then 4 s of tense speech (16-20 s), a 0.5 s breath, then 4 s of calm speech again.
    # The trailing window still holds tense frames well into the calm utterance, but the event
    # ends at the tense utterance's last voiced frame and never covers the calm one.
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)
    tense = voiced(200 * 2 ** (3 / 12), 4.0, -22, seed=6, syll_hz=3.5)
    after = voiced(200, 4.0, -30, seed=7, syll_hz=2.0)
    res = analyse(place(28.0, (0.5, calm), (16.0, tense), (20.5, after)))
    ev = kinds(res, "agent_tone", "agent")
    assert len(ev) == 1
    assert 15.9 <= ev[0].start_s <= 17.0
    assert 19.7 <= ev[0].end_s <= 20.1, ev[0].end_s


def _hoarse(dur_s: float, level_dbfs: float, seed: int) -> np.ndarray:
    """Telephone-band noise with a 3 Hz syllable envelope: loud speech the pitch tracker cannot
    voice (a rough shout through a low-rate codec)."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(seed)
    t = np.arange(int(dur_s * SR)) / SR
    sos = butter(4, [300, 3400], "bandpass", fs=SR, output="sos")
    x = sosfilt(sos, rng.standard_normal(t.size)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t) ** 2)
    return (x * 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


def test_agent_tone_judges_sparse_voicing_on_level_alone():
    # After 14 s of calm voiced speech at -30 dBFS, 1.75 s of speech with only 0.15 s voiced
    # (less than min_voiced_s in any window): 14 dB louder it is non-calm on its level; at
    # the agent's own level it is not; with the sparse rule off it is never judged.
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)

    def burst(level_dbfs: float) -> np.ndarray:
        return np.concatenate(
            [voiced(260, 0.15, level_dbfs, seed=6), _hoarse(1.6, level_dbfs, seed=7)]
        )

    loud = place(22.0, (0.5, calm), (16.0, burst(-16)))
    # The level-only judgement on its own (the sparse vote, on by default, is tested below).
    no_vote = AnalysisConfig.from_dict({"agent_tone": {"sparse_vote_min_db": 0.0}})
    ev = kinds(analyse(loud, config=no_vote), "agent_tone")
    assert len(ev) == 1 and 15.9 <= ev[0].start_s <= 16.3, ev
    # Judged on loudness alone: the voiced-frame signals neither fire nor score.
    assert ev[0].evidence["fired"] == ["loudness"]
    assert set(ev[0].evidence["score_contributions"]) >= {"pitch", "voice_quality"}
    assert ev[0].evidence["score_contributions"]["voice_quality"] == 0.0
    # With the sparse vote (AgentToneConfig.sparse_vote_min_db) the burst's 260 Hz over the
    # 200 Hz voice (+4.5 st) fires pitch too, and the event says the vote made it.
    ev = kinds(analyse(loud), "agent_tone")
    assert len(ev) == 1 and 15.9 <= ev[0].start_s <= 16.3, ev
    assert ev[0].evidence.get("sparse_vote") is True
    assert set(ev[0].evidence["fired"]) == {"loudness", "pitch"}
    assert kinds(analyse(place(22.0, (0.5, calm), (16.0, burst(-30)))), "agent_tone") == []
    off = AnalysisConfig.from_dict({"agent_tone": {"sparse_min_speech_s": 10.0}})
    assert kinds(analyse(loud, config=off), "agent_tone") == []


def test_agent_tone_event_keeps_an_utterance_non_calm_on_its_own():
    # A tense utterance (16-19 s, +10 dB), a 3.2 s pause, then an utterance whose first second
    # is +10 dB and whose last three are calm. The event of the first is still open when the
    # second's loud start makes a window active on its own (the window holds no frame of the
    # first), so the event grows over it; the second utterance as a whole scores under
    # min_score, but it is not trimmed off the end as a calm run.
    calm = voiced(200, 14.0, -30, seed=5, syll_hz=2.0)
    tense = voiced(200, 3.0, -20, seed=6, syll_hz=2.0)
    second = np.concatenate(
        [voiced(200, 1.0, -20, seed=7, syll_hz=2.0), voiced(200, 3.0, -30, seed=8, syll_hz=2.0)]
    )
    # The synthetic voice keeps its pitch at +10 dB: 4 s voiced of it is what a line whose gain
    # stepped up looks like (models/tone/gain.py), and the baseline would move to it; this test
    # is about the event's span, so the gain-step rule is off, and so is the effortless-rise
    # rule (a rise of one effort step or more at the same pitch is not scored).
    no_step = AnalysisConfig.from_dict(
        {"baseline": {"gain_shift_min_db": 0.0}, "agent_tone": {"effortless_rise_min_db": 0.0}}
    )
    x = place(30.0, (0.5, calm), (16.0, tense), (22.2, second))
    ev = kinds(analyse(x, config=no_step), "agent_tone")
    assert len(ev) == 1
    assert 15.9 <= ev[0].start_s <= 16.3 and ev[0].end_s >= 23.0, ev[0]


def test_yelling_event_ends_where_the_shouting_ends():
    calm = voiced(120, 14.0, -40, seed=3)
    shout = voiced(170, 3.0, -22, seed=4)
    after = voiced(120, 3.0, -40, seed=8)
    ev = kinds(analyse(place(26.0, (0.5, calm), (16.0, shout), (19.3, after))), "yelling")
    assert len(ev) == 1
    assert abs(ev[0].start_s - 16.0) <= 0.2 and abs(ev[0].end_s - 19.0) <= 0.2, ev[0]


def test_a_loud_greeting_at_the_start_is_not_yelling():
    # 0.6 s at the agent's normal level, then a bright "Hi there!" 16 dB louder and 4.5 st
    # higher at t = 0.9 s: against a baseline of half a second it is hot on relative cues, but
    # its vocal effort (tilt) is that of a calm voice, so it is no yelling. The same stretch
    # after 10 s of the speaker's calm speech is yelling, and so is the greeting when the
    # cold-start rule is switched off.
    greeting = np.concatenate([voiced(200, 0.6, -30, seed=1), voiced(260, 1.6, -14, seed=2)])
    calm = voiced(200, 10.0, -30, seed=3)
    at_start = place(20.0, (0.3, greeting), (3.0, calm))
    assert kinds(analyse(at_start), "yelling") == []
    assert len(kinds(analyse(place(20.0, (0.3, calm), (12.0, greeting))), "yelling")) == 1
    no_guard = AnalysisConfig.from_dict({"yelling": {"cold_start_voiced_s": 0.0}})
    assert len(kinds(analyse(at_start, config=no_guard), "yelling")) == 1


def test_dead_air():
    a = place(16.0, (0.5, voiced(200, 3.0, -26)), (12.0, voiced(200, 2.0, -26)))
    c = place(16.0, (4.0, voiced(110, 1.0, -26)))
    ev = kinds(analyse(a, c), "dead_air")
    assert len(ev) == 1
    assert abs(ev[0].start_s - 5.0) < 0.4 and abs(ev[0].end_s - 12.0) < 0.2
    res = analyse(a, c, AnalysisConfig.from_dict({"dead_air": {"min_silence_s": 8.0}}))
    assert kinds(res, "dead_air") == []


def test_config_errors_name_the_setting():
    with pytest.raises(ConfigError, match="unknown setting 'yeling'"):
        AnalysisConfig.from_dict({"yeling": {}})
    with pytest.raises(ConfigError, match="must be a number"):
        AnalysisConfig.from_dict({"yelling": {"min_duration_s": "long"}})


def test_agent_tone_a_louder_voice_without_a_higher_pitch_is_not_effort():
    # A baseline learnt from a voice 20 dB quieter than the agent's own (a neighbour heard
    # through the headset before the agent spoke; a far microphone) at the same pitch, then
    # the agent's ordinary speech: ~15 dB "over the baseline" in the band with no pitch rise
    # is not a raised voice, so no tone. The same rise with the pitch 4 st up (effort raises
    # F0) is non-calm, and with the rule off (effortless_rise_min_db 0) the flat-pitch rise
    # is scored as before.
    far = voiced(200, 14.0, -50, seed=5, syll_hz=2.0)
    flat = voiced(200, 5.0, -30, seed=6, syll_hz=2.0)
    high = voiced(200 * 2 ** (4 / 12), 5.0, -30, seed=6, syll_hz=2.0)
    assert kinds(analyse(place(22.0, (0.5, far), (15.5, flat))), "agent_tone") == []
    ev = kinds(analyse(place(22.0, (0.5, far), (15.5, high))), "agent_tone")
    assert len(ev) == 1 and "loudness" in ev[0].evidence["fired"]
    assert ev[0].thresholds["effortless_rise_min_db"] == AgentToneConfig().effortless_rise_min_db
    off = AnalysisConfig.from_dict({"agent_tone": {"effortless_rise_min_db": 0.0}})
    assert len(kinds(analyse(place(22.0, (0.5, far), (15.5, flat)), config=off), "agent_tone")) == 1
