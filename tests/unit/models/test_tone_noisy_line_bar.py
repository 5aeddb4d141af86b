"""agent_tone: the score's bar on a line whose noise nears the speaker's calm voice
(``AgentToneConfig.noisy_line_min_score`` / ``noisy_line_max_voice_snr_db``).

Known answers by construction: against a fixed baseline (speech level -30 dBFS, pitch 10 st,
HNR 10 dB, spread 2 st, 30 s of the speaker's own speech), 2 s of fully voiced speech 6 dB
over it at +1.5 st (over ``effortless_rise_max_st``, under ``pitch_st_over_baseline``), HNR as
the baseline's, so the window's score is ``sigmoid(-1.8181 + 0.3953 * 6 - 0.0997 * 2)`` =
0.588: under ``min_score`` (0.7705), no event by default. The line's noise estimate is set per
case, so the voice's SNR (speech level less noise) is known: noise at -33 dBFS is 3 dB, -45 is
15 dB (the default ``noisy_line_max_voice_snr_db``, included), -50 is 20 dB; -120 dBFS
(``NO_NOISE_DBFS``) is no estimate yet. With the option at 0.55 the bar is 0.55 wherever the
SNR is 15 dB or less: an event; at 0.6 (over the window's 0.588) none.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import (
    OWN_BAR_OFF,
    agent_tone_events,
    agent_tone_trace,
    line_frames,
    own_speech_snapshot,
    steady_speech,
)

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
SCORE: float = 1.0 / (1.0 + math.exp(-(-1.8181 + 0.3953 * 6.0 - 0.0997 * 2.0)))


def _cfg(**kw: float) -> AgentToneConfig:
    return AgentToneConfig(**(OWN_BAR_OFF | kw))  # type: ignore[arg-type]


def _window(noise_dbfs: float) -> PartyFrames:
    w = steady_speech(200, base_dbfs=OWN_DBFS, base_st=OWN_ST, db_over=6.0, st_over=1.5)
    return dataclasses.replace(w, noise_dbfs=np.full(200, noise_dbfs, np.float32))


def _baseline(own_speech_s: float | None = 30.0) -> object:
    return own_speech_snapshot(OWN_DBFS, OWN_ST, own_speech_s=own_speech_s)


def test_off_by_default() -> None:
    c = AgentToneConfig()
    assert c.noisy_line_min_score == 0.0
    assert agent_tone_events(_window(-33.0), _baseline(), AgentToneConfig(), hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_the_window_scores_its_known_value_whatever_the_noise() -> None:
    assert round(SCORE, 3) == 0.588
    for noise in (-33.0, -50.0):
        trace = agent_tone_trace(_window(noise), _baseline(), _cfg(), [200])  # type: ignore[arg-type]
        judged = [t for t in trace if t[1]]
        assert judged
        assert max(t[2][0] for t in judged) == pytest.approx(6.0, abs=0.01)


@pytest.mark.parametrize(("noise", "snr"), [(-33.0, 3.0), (-45.0, 15.0)])
def test_a_noisy_line_lowers_the_bar_and_the_event_says_so(noise: float, snr: float) -> None:
    cfg = _cfg(noisy_line_min_score=0.55)
    assert agent_tone_events(_window(noise), _baseline(), _cfg(), hop_s=HOP_S) == []  # type: ignore[arg-type]
    evs = agent_tone_events(_window(noise), _baseline(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]
    assert evs
    last = evs[-1]
    assert last.evidence["noisy_line_voice_snr_db"] == pytest.approx(snr, abs=0.05)
    assert last.evidence["score"] == pytest.approx(SCORE, abs=0.002)
    assert last.thresholds["noisy_line_min_score"] == 0.55
    assert last.thresholds["noisy_line_max_voice_snr_db"] == 15.0


def test_the_bar_is_the_setting_not_lower() -> None:
    cfg = _cfg(noisy_line_min_score=0.6)  # over the window's 0.588
    assert agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("noise", [-50.0, -120.0])
def test_a_clear_line_or_no_noise_estimate_keeps_min_score(noise: float) -> None:
    cfg = _cfg(noisy_line_min_score=0.55)
    assert agent_tone_events(_window(noise), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_the_snr_limit_is_a_setting() -> None:
    cfg = _cfg(noisy_line_min_score=0.55, noisy_line_max_voice_snr_db=25.0)
    assert agent_tone_events(_window(-50.0), _baseline(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]
    cfg = _cfg(noisy_line_min_score=0.55, noisy_line_max_voice_snr_db=2.0)
    assert agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("own_speech_s", [1.0, None])
def test_not_against_a_speech_level_that_is_not_the_speakers_own(
    own_speech_s: float | None,
) -> None:
    cfg = _cfg(noisy_line_min_score=0.55)
    base = _baseline(own_speech_s)
    assert agent_tone_events(_window(-33.0), base, cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_with_the_own_bar_on_the_cap_applies_too() -> None:
    # The defaults' own bar without its shape rule: the speaker is not yet known (no turns),
    # so the bar is min_score (0.7705) and the noisy line's cap lowers it.
    cfg = AgentToneConfig(noisy_line_min_score=0.55, own_score_floor_calm_quantile=0.0)
    assert cfg.own_score_quantile > 0
    evs = agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]
    assert evs and evs[-1].evidence["own_score_min_score"] == pytest.approx(0.55, abs=1e-3)
    assert agent_tone_events(_window(-50.0), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def test_the_shape_rule_governs_the_capped_bar_too() -> None:
    # With the own bar's shape rule on (the default), a bar under min_score needs a window
    # raised out of the speaker's own calm windows; with none of them heard yet nothing can
    # be read, so the bar stays min_score and the 0.588 window is calm.
    cfg = AgentToneConfig(noisy_line_min_score=0.55)
    assert cfg.own_score_floor_calm_quantile > 0
    assert agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]


def _speech(
    seconds: float, db: float, st: float, noise_dbfs: float, hnr_db: float = 10.0
) -> PartyFrames:
    """Steady, fully voiced speech ``db`` / ``st`` over the baseline; a syllable every 0.5 s."""
    n = round(seconds / HOP_S)
    return PartyFrames(
        0,
        loudness_dbfs=np.full(n, OWN_DBFS + db, np.float32),
        pitch_st=np.full(n, OWN_ST + st),
        voiced=np.ones(n, bool),
        speech=np.ones(n, bool),
        nucleus=np.arange(n) % 50 == 25,
        tilt_db=np.full(n, -12.0, np.float32),
        hnr_db=np.full(n, hnr_db, np.float32),
        noise_dbfs=np.full(n, noise_dbfs, np.float32),
    )


def _pause(seconds: float, noise_dbfs: float) -> PartyFrames:
    n = round(seconds / HOP_S)
    return line_frames(np.full(n, -80.0), noise_dbfs, speech=False)


@pytest.mark.parametrize(
    ("db", "hnr_db", "noise", "want"),
    [
        # +6.5 dB at the calm windows' pitch: sigmoid(-1.8181 + 0.3953 * 6.5 - 0.0997 * 2)
        # = 0.634, under the own bar's floor 0.7, over the cap 0.6; 6.5 dB over the calm
        # windows' loudness (+0 dB): raised, so the cap applies where the line is noisy.
        (6.5, 10.0, OWN_DBFS - 10.0, True),
        (6.5, 10.0, OWN_DBFS - 40.0, False),
        # +3 dB, 4 dB harsher: 0.705, over the cap, but calm-shaped (3 dB over the calm
        # windows, at their pitch): the bar stays min_score even on the noisy line.
        (3.0, 6.0, OWN_DBFS - 10.0, False),
    ],
)
def test_the_capped_bar_for_a_known_speaker_follows_the_shape_rule(
    db: float, hnr_db: float, noise: float, want: bool
) -> None:
    # A known speaker (nine calm 1.5 s sentences at the baseline, +2 st: the own bar is its
    # floor 0.7), then a 1.2 s stretch (too little voiced for the vote).
    calm = [b for _ in range(9) for b in (_speech(1.5, 0.0, 2.0, noise), _pause(1.5, noise))]
    talk = PartyFrames.concat(
        [*calm, _pause(1.5, noise), _speech(1.2, db, 2.0, noise, hnr_db), _pause(2.0, noise)]
    )
    cfg = AgentToneConfig(noisy_line_min_score=0.6)
    evs = agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), cfg, hop_s=HOP_S)
    assert bool(evs) is want
    # The cap alone made it: without it no event.
    assert agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), AgentToneConfig()) == []
    if want:
        assert evs[-1].evidence["noisy_line_voice_snr_db"] == pytest.approx(10.0, abs=0.05)


def test_shape_free_the_cap_holds_for_a_calm_shaped_window_too() -> None:
    # The calm-shaped stretch (+3 dB, 4 dB harsher, score 0.705 over the cap 0.6) on the
    # noisy line: an event with ``noisy_line_shape_free`` 1, none on the clear line.
    for noise, want in ((OWN_DBFS - 10.0, True), (OWN_DBFS - 40.0, False)):
        calm = [b for _ in range(9) for b in (_speech(1.5, 0.0, 2.0, noise), _pause(1.5, noise))]
        talk = PartyFrames.concat(
            [*calm, _pause(1.5, noise), _speech(1.2, 3.0, 2.0, noise, 6.0), _pause(2.0, noise)]
        )
        cfg = AgentToneConfig(noisy_line_min_score=0.6, noisy_line_shape_free=1)
        evs = agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), cfg, hop_s=HOP_S)
        assert bool(evs) is want


def test_known_speaker_only_the_cap_waits_for_the_speakers_turns() -> None:
    # No turns of the speaker's own heard (one stretch against a fixed baseline): with
    # ``noisy_line_known_speaker`` the bar stays min_score; without it the cap applies.
    base = {"noisy_line_min_score": 0.55, "own_score_floor_calm_quantile": 0.0}
    cfg = AgentToneConfig(**base)  # type: ignore[arg-type]
    assert agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S)  # type: ignore[arg-type]
    cfg = AgentToneConfig(**(base | {"noisy_line_known_speaker": 1}))  # type: ignore[arg-type]
    assert agent_tone_events(_window(-33.0), _baseline(), cfg, hop_s=HOP_S) == []  # type: ignore[arg-type]
    # After nine calm sentences (nine own turns) the raised stretch is flagged either way.
    noise = OWN_DBFS - 10.0
    calm = [b for _ in range(9) for b in (_speech(1.5, 0.0, 2.0, noise), _pause(1.5, noise))]
    talk = PartyFrames.concat(
        [*calm, _pause(1.5, noise), _speech(1.2, 6.5, 2.0, noise), _pause(2.0, noise)]
    )
    cfg = AgentToneConfig(noisy_line_min_score=0.6, noisy_line_known_speaker=1)
    assert agent_tone_events(talk, own_speech_snapshot(OWN_DBFS, OWN_ST), cfg, hop_s=HOP_S)
