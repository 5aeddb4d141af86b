"""A step up of one line alone, followed from its own noise floor and voice
(``BaselineConfig.gain_self_up_*``; issue 13, session 21, H6). An emotional speaker's calm
speech after a lasting step of her own line stands higher in pitch than her baseline's median,
so her own tracker never reads it, and the other line does not step, so nothing pairs it. A
gain moves the line's voice and noise together; a room-noise onset moves only the noise.
Synthetic two-party calls through the whole stream, with known answers (the helpers of
``test_pair_up_follow``): the agent's line +10 dB (voice and noise) with her phrases after it 3 st
over her pitch: flagged on level without the option, followed and not flagged with it; a
noise onset on her line alone (+10 dB floor, her voice the same): not followed, her shout
after it yelling as without; a steady call: nothing followed."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, silence
from tests.unit.models.test_pair_up_follow import (
    HIGH,
    STEP_AT_S,
    _agent_flags,
    _call,
    _run,
)

#: H1's rules on (default), the one-line rule on: any pitch, the voice's 20th percentile.
SELF = {"gain_pair_up_follow_share": 0.8, "gain_self_up_noise_db": 6.0}
#: The pitch-banded variant: only frames within the before side's middle half of pitch.
BANDED = {
    **SELF,
    "gain_self_up_pitch_band_quantile": 0.25,
    "gain_self_up_voice_quantile": 0.5,
    "gain_self_up_voiced_s": 1.0,
}
#: The one-line rule off, H1's on (the default).
OFF: dict[str, float] = {}


def _noise_onset(x: np.ndarray, over_db: float = 10.0) -> np.ndarray:
    """The agent's line with noise added from ``STEP_AT_S``: its floor (-70 dBFS) up by
    ``over_db`` (10 log10 of 1 + the added power share); the voices unchanged."""
    y = x.copy()
    n = y.shape[1] - int(STEP_AT_S * SR)
    add_db = 10 * np.log10(10 ** (over_db / 10) - 1.0)
    y[0, int(STEP_AT_S * SR) :] += silence(n / SR, level_dbfs=-70.0 + add_db, seed=77)[:n]
    return y


def _self_follows(an: CallAnalyzer, p: str) -> list[dict[str, object]]:
    return [f for f in an._pair_up.follows[p] if f["by"] == "self"]


@pytest.mark.parametrize("arm", [SELF, BANDED], ids=["any_pitch", "pitch_band"])
def test_one_line_step_up_is_followed_from_its_noise_and_voice(arm: dict[str, float]) -> None:
    """The agent's line alone +10 dB at 40 s (voice and noise), her phrases from 50 s 3 st
    over her pitch at her calm level: off, flagged on level and her tracker reads nothing; on,
    her line follows its own step (floor and voice both ~10 dB up) and nothing level-driven is
    flagged from her second turn after it."""
    x = _call({"agent": 10.0}, {"agent": HIGH})
    off = _run(x, OFF)
    assert _agent_flags(off, 60.0), "no false flag to remove"
    assert off.gain_shifts["agent"] == [], off.gain_shifts["agent"]
    assert off._pair_up.follows["agent"] == []
    on = _run(x, arm)
    (f,) = _self_follows(on, "agent")
    assert abs(float(f["noise_rise_db"]) - 10.0) < 2.0, f  # type: ignore[arg-type]
    assert abs(float(f["own_rise_db"]) - 10.0) < 3.0, f  # type: ignore[arg-type]
    assert 39.0 <= float(f["onset_s"]) <= 51.0, f  # type: ignore[arg-type]
    assert float(f["at_s"]) < 60.0, f  # type: ignore[arg-type]
    assert "gain_self_up_noise_db" in f["thresholds"]  # type: ignore[operator]
    assert _agent_flags(on, 60.0) == [], _agent_flags(on, 60.0)
    assert _self_follows(on, "customer") == []


@pytest.mark.parametrize("arm", [SELF, BANDED], ids=["any_pitch", "pitch_band"])
def test_a_noise_onset_alone_is_not_followed_and_a_shout_stays_yelling(
    arm: dict[str, float],
) -> None:
    """Noise on the agent's line only from 40 s (its floor +10 dB), her voice the same mix as
    before: her voice did not rise with the floor, so the line is not followed, and her shout
    at 75 s (14 dB over her calm voice) is yelling at the same start as without the option."""
    x = _noise_onset(_call({}, {}, shout=(75.0, 14.0)))
    # The floor's rise alone is read: with no voice agreement asked, the line follows.
    bare = _run(x, {**arm, "gain_self_up_voice_share": -10.0, "gain_self_up_voice_agree_db": 99.0})
    (f,) = _self_follows(bare, "agent")
    assert abs(float(f["noise_rise_db"]) - 10.0) < 2.0, f  # type: ignore[arg-type]
    assert abs(float(f["own_rise_db"])) < 3.0, f  # type: ignore[arg-type]
    on = _run(x, arm)
    assert on._pair_up.follows["agent"] == [], on._pair_up.follows["agent"]
    yell = [e for e in on.events if e.kind == "yelling" and e.speaker == "agent"]
    assert [e for e in yell if 74.9 <= e.start_s <= 75.6], yell
    off = [e for e in _run(x, OFF).events if e.kind == "yelling" and e.speaker == "agent"]
    assert [e.start_s for e in yell] == [e.start_s for e in off]


def test_no_step_nothing_followed() -> None:
    for arm in (SELF, BANDED):
        on = _run(_call({}, {}), arm)
        assert on._pair_up.follows == {"agent": [], "customer": []}
        assert _agent_flags(on, 0.0) == []


def test_both_lines_up_is_the_pair_rules_not_a_self_follow() -> None:
    """Both lines +10 dB (voice and noise): the other line (its tracker's reading or both
    floors together: H1's rules) has the agent follow, as with the one-line rule off; the
    one-line rule does not stand in for them (the other line's floor rose too)."""
    x = _call({"agent": 10.0, "customer": 10.0}, {"agent": HIGH})
    off = _run(x, OFF)
    for arm in (SELF, BANDED):
        on = _run(x, arm)
        assert (
            [f["by"] for f in on._pair_up.follows["agent"]]
            == [f["by"] for f in off._pair_up.follows["agent"]]
            != []
        ), on._pair_up.follows["agent"]
        assert _agent_flags(on, 52.0) == [], _agent_flags(on, 52.0)
