"""Regression on the case that showed it (issue 13, session 11; not a held-out check): the real
calm LCA call (../shared/data/lca_calls; skipped when absent) with three other voices 25 dB
under the agent in the agent's channel from the first frame (bench/bench_impairments.py's
steady babble). Before: the babble was learnt before the agent's first word, the agent's own
voice read loud and high and was never learnt, and the call raised 24-29 yelling / agent_tone
events and 18 false interruptions; the clean copy raises none."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.support.synth import ROOT, shared_data_dir

LCA = shared_data_dir() / "lca_calls" / "Auto_Repairs_40_UTC_agent.flac"
TONE = ("yelling", "agent_tone")


@pytest.mark.skipif(not LCA.exists(), reason="../shared/data absent")
def test_babble_before_the_agents_first_word_is_not_their_normal() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_calls
    import bench_impairments as bi

    from calltone.audio.decode import DecodedAudio
    from calltone.models.recorded.analysis import run_session
    from calltone.models.tone.config import AnalysisConfig

    call = next(c for c in bench_calls.load_calm_calls() if c.name == "lca_auto_repairs")
    x = bi.babble(call.roles.agent, -25.0, steady=True, telephone=True)(
        call.samples.astype(np.float32)
    )

    def events(cfg: AnalysisConfig) -> list[str]:
        res = run_session(DecodedAudio(x, bi.SR_HZ, bi.SR_HZ, call.name), call.roles, cfg)
        return [e.kind for e in res.analysis.events]

    ev = events(AnalysisConfig())
    assert [k for k in ev if k in TONE] == []
    assert sum(k == "interruption" for k in ev) <= 4
    # Both off (the session-10 tree; with session 12's hot-line rule off too, which also
    # ends this lock-in): the agent's baseline is the babble's.
    off = AnalysisConfig.from_dict(
        {
            "baseline": {"settling_unconfirmed_flag_s": 0.0, "prior_lock_flagged_s": 0.0},
            # Session 14's own-voice evidence for turns also ends most of the interruptions.
            "interruption": {"far_voice_db_under_baseline": 0.0, "own_voice_evidence": 0.0},
            # Session 13's cold-start pitch reference (the agent's own low) also ends it;
            # session 15's hold after a learnt step down vetoes one of its yelling runs.
            "yelling": {"cold_start_own_low_s": 0.0, "line_step_hold_s": 0.0},
        }
    )
    ev_off = events(off)
    assert sum(k in TONE for k in ev_off) >= 10
    assert sum(k == "interruption" for k in ev_off) >= 10
