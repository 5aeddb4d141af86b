"""The agent-tone fitting tool (bench/fit_agent_tone.py) on synthetic clips with known answers."""

from __future__ import annotations

import sys

import numpy as np

from tests.support.synth import ROOT

sys.path.insert(0, str(ROOT / "bench"))


def test_multiple_instance_fit_learns_from_the_clip_s_strongest_window():
    # Synthetic clips of 20 windows, 6 signals of noise. Positive clips differ from negative
    # ones in one window only, where signal 0 is raised by 4: the fit must weigh signal 0 far
    # above the rest and rank every positive clip above every negative by its top window.
    from fit_agent_tone import clip_scores, fit

    rng = np.random.default_rng(0)
    clips = []
    for k in range(80):
        x = rng.normal(0.0, 1.0, (20, 6))
        angry = k % 2 == 0
        if angry:
            x[rng.integers(20), 0] += 4.0
        clips.append({"angry": angry, "calm": not angry, "overlap": x})
    bias, w = fit(clips, 1e-3)
    assert w[0] > 3 * max(w[1:])
    z = clip_scores(clips, bias, w)
    pos = z[[c["angry"] for c in clips]]
    neg = z[[c["calm"] for c in clips]]
    assert np.mean(pos[:, None] > neg[None, :]) >= 0.95
