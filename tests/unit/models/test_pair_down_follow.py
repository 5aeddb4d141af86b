"""Both lines stepped DOWN, read on their noise floors (``BaselineConfig.gain_noise_pair_down_share``;
issue 13, session 22). After a lasting -12 dB step of both lines a baseline stands 12 dB over
the voice until the line's own tracker reads the step, so a shout reads only a few dB loud. A
gain moves a line's noise with its voice; both floors falling together is the gain. Synthetic
two-party calls through the whole stream (the helpers of ``test_pair_up_follow``), known
answers: the agent silent from just before the step to her shout, so her baseline cannot learn
the quieter line; a shout 10 dB over her calm voice (as heard after the step) is yelling with
the option and not without; a noise source switching off on one line only is not followed; a
hold of digital silence on both lines is not followed."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SR, pink_noise, stream_call
from tests.unit.models import test_pair_up_follow as up

#: The agent talks before the step and again well after her shout; the customer through it.
TURNS = {"agent": [10.0, 30.0, 62.0], "customer": [1.0, 21.0, 41.0, 52.0]}
SHOUT_S = 50.0
DUR_S = 75.0
#: The option at the whole fall (the yelling margin, 10 dB, is then the shout's own).
ON = {"gain_noise_pair_down_share": 1.0}
OFF = {"gain_noise_pair_down_share": 0.0}


@pytest.fixture(autouse=True)
def _turns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(up, "TURNS", TURNS)


def _run(x: np.ndarray, baseline: dict[str, float]) -> CallAnalyzer:
    an: CallAnalyzer = stream_call(x, AnalysisConfig.from_dict({"baseline": baseline}))
    return an


def _shout_yelling(an: CallAnalyzer) -> bool:
    return any(
        e.kind == "yelling" and e.speaker == "agent" and SHOUT_S - 0.1 <= e.start_s <= SHOUT_S + 1
        for e in an.events
    )


def _agent_events(an: CallAnalyzer) -> list[tuple[str, float]]:
    return [(e.kind, round(e.start_s, 1)) for e in an.events if e.speaker == "agent"]


def test_both_lines_down_a_shout_is_yelling_with_the_option() -> None:
    """Both lines -12 dB (voice and noise) at 40 s; the agent's shout at 50 s, 10 dB over her
    calm voice as the line now carries it (6 st higher). Off: it stands 2 dB under her
    baseline, not yelling. On: both floors read ~12 dB down within 5 s of the step, both
    lines follow, onset at the step, and the shout is yelling."""
    x = up._call({"agent": -12.0, "customer": -12.0}, {}, shout=(SHOUT_S, 10.0), dur_s=DUR_S)
    off = _run(x, OFF)
    assert not _shout_yelling(off), _agent_events(off)
    assert off._pair_up.follows == {"agent": [], "customer": []}
    on = _run(x, ON)
    assert _shout_yelling(on), _agent_events(on)
    for p in ("agent", "customer"):
        (f,) = on._pair_up.follows[p]
        assert f["by"] == "noise_pair_down", f
        assert 40.0 < float(f["at_s"]) < 46.0, f  # type: ignore[arg-type]
        assert 39.5 <= float(f["onset_s"]) <= 42.0, f  # type: ignore[arg-type]
        assert abs(float(f["other_step_db"]) + 12.0) < 2.0, f  # type: ignore[arg-type]
    assert on.gain_shifts == {"agent": [], "customer": []}  # read-time only


def test_one_lines_noise_source_switching_off_is_not_followed() -> None:
    """No gain step; a noise source (pink, -50 dBFS, 20 dB over the line's own noise) on the
    customer's line until 40 s, then off: that floor falls ~20 dB, the agent's not at all.
    Not followed, and every agent event is as without the option. With the agent's line
    stepped -18 dB at the same time (voice and noise), both floors fall ~18 dB together and
    the pair is followed: the test can fail."""
    x = up._call({}, {}, shout=(SHOUT_S, 10.0), dur_s=DUR_S)
    cut = int(40.0 * SR)
    x[1, :cut] += (10 ** (-50 / 20) * pink_noise(cut, seed=5)).astype(np.float32)
    on = _run(x, ON)
    kept = on._pair_up._noise["customer"]
    before = np.median([n for s, n in kept if 2000 <= s < 4000])
    after = np.median([n for s, n in kept if 4500 <= s < 6000])
    assert before - after > 12.0, (before, after)  # the floor did fall
    assert on._pair_up.follows == {"agent": [], "customer": []}, on._pair_up.follows
    assert _agent_events(on) == _agent_events(_run(x, OFF))
    x[0, cut:] *= np.float32(10 ** (-18 / 20))
    both = _run(x, ON)
    assert both._pair_up.follows["agent"], "both floors down together should be followed"


def test_a_hold_of_digital_silence_is_not_followed() -> None:
    """Both lines digital silence for 10 s at 38 s (a hold), no gain step: the floors hold
    through it (digital silence is not noise), nothing is followed however the audio is
    chunked, and the agent's events are as without the option."""
    x = up._call({}, {}, shout=(SHOUT_S, 10.0), dur_s=DUR_S)
    x[:, int(38.0 * SR) : int(48.0 * SR)] = 0.0
    ref = _agent_events(_run(x, OFF))
    for step_s in (0.02, 0.5):
        an = stream_call(x, AnalysisConfig.from_dict({"baseline": ON}), step_s=step_s)
        assert an._pair_up.follows == {"agent": [], "customer": []}, (step_s, an._pair_up.follows)
        assert _agent_events(an) == ref, step_s


def test_on_by_default() -> None:
    """On since session 22 (the lead's measurement on the merged tree: docs/benchmarks.md)."""
    from calltone.models.tone.config import BaselineConfig

    assert BaselineConfig().gain_noise_pair_down_share == 1.0
