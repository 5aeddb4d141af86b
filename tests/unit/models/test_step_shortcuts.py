"""The live step's shortcuts give what the full computation gives (docs/benchmarks.md, "Live
push cost"): agent_tone's evaluations with too little speech to judge are skipped
(``AgentToneDetector._no_window_judged``; a ``trace`` turns the shortcut off, so a traced run
is the full path), on the bundled interrupting-agent sample (an agent_tone event, opened and
closed) pushed in 100 ms steps."""

from __future__ import annotations

import numpy as np

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SAMPLES


def _run(x: np.ndarray, *, traced: bool) -> tuple[str, str, int]:
    an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=1), n_channels=2)
    skipped = 0
    if traced:
        assert an._tone is not None
        an._tone.trace = []
    else:
        assert an._tone is not None
        tone = an._tone
        full = tone._no_window_judged

        def counting(sums: np.ndarray, baseline: object, share: np.ndarray) -> bool:
            nonlocal skipped
            out = full(sums, baseline, share)  # type: ignore[arg-type]
            skipped += out
            return out

        tone._no_window_judged = counting  # type: ignore[method-assign]
    for i in range(0, x.shape[1], 1600):
        an.push(x[:, i : i + 1600])
    res = an.finish()
    return repr(res.events), repr(res.baselines), skipped


def test_agent_tone_skips_only_what_it_would_find_calm() -> None:
    x = load_audio(SAMPLES / "interrupting_agent_call" / "call.wav").samples
    ev_full, base_full, _ = _run(x, traced=True)
    ev_fast, base_fast, skipped = _run(x, traced=False)
    assert skipped > 50  # the agent listens through much of the call
    assert "agent_tone" in ev_full
    assert ev_fast == ev_full
    assert base_fast == base_full
