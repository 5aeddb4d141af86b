"""The analysis says which party's channel carries the other's echo, how late and how far down,
and with which thresholds (issue 13: every decision explainable)."""

from __future__ import annotations

import numpy as np

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.config import AnalysisConfig
from tests.unit.audio.test_echo_path import SR, syllables


def _call(echo: bool) -> np.ndarray:
    # The agent talks for 8 s, the customer for 6 s after; the customer's line returns the
    # agent's voice 120 ms late and 20 dB down when `echo`.
    a = syllables(8.0, seed=1, level_dbfs=-20.0, f0_hz=120.0)
    b = syllables(6.0, seed=2, level_dbfs=-22.0, f0_hz=210.0)
    x = np.zeros((2, int(15.0 * SR)), np.float32)
    x[0, : a.size] = a
    x[1, int(8.5 * SR) : int(8.5 * SR) + b.size] = b
    if echo:
        d = int(0.12 * SR)
        x[1, d:] += x[0, :-d] * np.float32(0.1)
    rng = np.random.default_rng(0)
    return x + (10 ** (-70 / 20) * rng.standard_normal(x.shape)).astype(np.float32)


def test_the_metrics_name_the_echo_its_delay_gain_and_thresholds() -> None:
    roles = ChannelRoles(agent=0, customer=1)
    res = run_session(DecodedAudio(_call(True), SR, SR, "echo"), roles, AnalysisConfig())
    echo = res.analysis.metrics["customer"]["echo"]
    assert echo is not None and echo["from"] == "agent"
    assert abs(echo["delay_ms"] - 120.0) <= 10.0
    assert abs(echo["gain_db"] + 20.0) <= 2.0
    assert echo["correlation"] >= echo["thresholds"]["echo_min_correlation"]
    assert echo["in_force_s"] > 5.0
    assert set(echo["thresholds"]) == {
        "echo_min_correlation",
        "echo_margin_db",
        "echo_max_delay_ms",
    }
    assert res.analysis.metrics["agent"]["echo"] is None
    # The same call without the echo: none found on either line.
    clean = run_session(DecodedAudio(_call(False), SR, SR, "clean"), roles, AnalysisConfig())
    assert clean.analysis.metrics["customer"]["echo"] is None
    assert clean.analysis.metrics["agent"]["echo"] is None
