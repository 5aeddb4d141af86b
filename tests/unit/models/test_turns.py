"""Turn-taking and interruptions (models/tone/turns.py) and crosstalk (audio/crosstalk.py), issue 13.

Synthetic signals and speech masks whose answers are known by construction; one real-data check
on calls built from held-out speakers (skips when ../shared/data is absent).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.crosstalk import CrosstalkGate
from calltone.audio.decode import DecodedAudio
from calltone.audio.features import extract_features
from calltone.models.recorded.analysis import run_analyzer
from calltone.models.tone.config import AnalysisConfig, InterruptionConfig
from calltone.models.tone.events import Event
from calltone.models.tone.frames import TimeFn
from calltone.models.tone.turns import InterruptionDetector, speech_turns
from tests.support.synth import ROOT, SR, silence, voiced

HOP_S = 0.01


def mask(total_s: float, *spans: tuple[float, float]) -> np.ndarray:
    m = np.zeros(round(total_s / HOP_S), bool)
    for a, b in spans:
        m[round(a / HOP_S) : round(b / HOP_S)] = True
    return m


def detect(agent: np.ndarray, customer: np.ndarray, *, block: int | None = None) -> list[Event]:
    """Run the detector over the two masks in blocks of ``block`` frames (None: one block)."""
    det = InterruptionDetector(InterruptionConfig(), hop_s=HOP_S)
    t = TimeFn(HOP_S, 0.0)
    step = block or agent.size
    out: list[Event] = []
    for i in range(0, agent.size, step):
        out += det.push_speech(i, agent[i : i + step], customer[i : i + step], t)
    out += det.finish(agent.size, t)
    seen: dict[str, Event] = {}
    for e in out:
        seen[e.id] = e
    return list(seen.values())


def place(total_s: float, *parts: tuple[float, np.ndarray], seed: int = 11) -> np.ndarray:
    out = silence(total_s, seed=seed)
    for at_s, sig in parts:
        i = int(at_s * SR)
        out[i : i + sig.size] += sig
    return out


def analyse(agent: np.ndarray, customer: np.ndarray) -> list[Event]:
    x = np.stack([agent, customer])
    res = run_analyzer(
        DecodedAudio(x, SR, SR, "synthetic"), ChannelRoles(agent=0, customer=1), AnalysisConfig()
    )
    return [e for e in res.events if e.kind == "interruption"]


# ------------------------------------------------------------------------------- turns


def test_a_pause_inside_a_turn_does_not_end_it() -> None:
    # Customer: 1.0-1.6, a 0.5 s breath, 2.1-5.0. Agent comes in at 2.4 and both talk.
    customer = mask(8, (1.0, 1.6), (2.1, 5.0))
    agent = mask(8, (2.4, 4.0))
    assert speech_turns(customer, hop_s=HOP_S, turn_gap_s=0.8) == [(100, 500)]
    (ev,) = detect(agent, customer)
    # The customer's turn began at 1.0, before the pause: 1.4 s old, so this is a cut-in.
    assert ev.speaker == "agent" and ev.start_s == pytest.approx(2.4)
    assert ev.evidence["interrupted_turn_s"] == pytest.approx(1.4)
    # With a turn that ended at every pause, the customer would have spoken only 0.3 s.
    short_gap = InterruptionDetector(InterruptionConfig(turn_gap_s=0.3), hop_s=HOP_S)
    t = TimeFn(HOP_S, 0.0)
    evs = short_gap.push_speech(0, agent, customer, t) + short_gap.finish(agent.size, t)
    assert evs == []


def test_a_long_silence_ends_the_turn_and_opens_the_floor() -> None:
    # The customer stops at 3.0; the agent starts 0.6 s later (> cut_in_max_pause_s) while the
    # customer's turn is still within its gap, and the customer then says more over the agent.
    customer = mask(8, (1.0, 3.0), (3.7, 4.6))
    agent = mask(8, (3.6, 5.5))
    assert detect(agent, customer) == []


def test_halt_and_resume_is_a_cut_in_with_a_short_overlap() -> None:
    # Customer talks 1.0-3.2; the agent cuts in at 3.0 for 0.9 s; the customer halts at 3.2,
    # waits half a second and resumes at 3.7 (0.2 + 0.2 s of overlap: under min_overlap_s).
    customer = mask(8, (1.0, 3.2), (3.7, 5.5))
    agent = mask(8, (3.0, 3.9))
    (ev,) = detect(agent, customer)
    assert ev.speaker == "agent" and ev.evidence["interrupted"] == "customer"
    assert ev.start_s == pytest.approx(3.0)
    assert ev.evidence["how"] == "halt_resume"
    assert ev.evidence["interrupted_halt_s"] == pytest.approx(0.5)
    assert ev.evidence["confirmed_at_s"] - ev.start_s <= 1.0  # alert within ~1 s
    assert ev.evidence["overlap_s"] == pytest.approx(0.4)
    # The same, but the customer stops for good (they yielded, or were finishing): no cut-in.
    assert detect(agent, mask(8, (1.0, 3.2))) == []


def test_cut_in_during_a_breath_between_sentences() -> None:
    # Customer: 1.0-2.5, a 0.3 s breath, 2.8-5.0; the agent starts at 2.6, inside the breath,
    # and the customer carries on with the next sentence.
    customer = mask(8, (1.0, 2.5), (2.8, 5.0))
    agent = mask(8, (2.6, 4.2))
    (ev,) = detect(agent, customer)
    assert ev.speaker == "agent" and ev.start_s == pytest.approx(2.6)
    assert ev.evidence["how"] == "overlap"


@pytest.mark.parametrize(
    ("agent_spans", "why"),
    [
        (((3.0, 3.45),), "a backchannel burst ('mm-hmm') over the customer"),
        (((2.0, 2.4), (3.5, 3.9)), "two backchannels ('yeah' ... 'right')"),
        (((4.8, 6.5),), "a late overlap: 0.2 s before the customer's turn ends"),
        (((5.3, 7.0),), "a hand-over 0.3 s after the customer's turn"),
    ],
)
def test_not_interruptions(agent_spans: tuple[tuple[float, float], ...], why: str) -> None:
    customer = mask(8, (1.0, 5.0))
    assert detect(mask(8, *agent_spans), customer) == [], why


def test_customer_cut_in_is_the_customers_and_events_do_not_depend_on_blocks() -> None:
    agent = mask(12, (1.0, 4.0), (4.4, 6.0), (9.0, 9.4))
    customer = mask(12, (2.5, 3.2), (3.6, 5.2), (8.0, 11.0))
    whole = detect(agent, customer)
    assert [(e.speaker, e.start_s) for e in whole] == [("customer", 2.5)]
    for block in (1, 2, 7, 33, 100):
        again = detect(agent, customer, block=block)
        assert [e.to_dict() for e in again] == [e.to_dict() for e in whole], block


# ------------------------------------------------------------------------------- crosstalk


def test_soft_voice_over_a_loud_one_is_speech_and_an_interruption() -> None:
    # The customer talks loudly (-16 dBFS) 1-5 s; the agent, 26 dB softer at a pitch of their
    # own, talks over them 2.5-4.5 s. On separate channels that is the agent speaking.
    customer = place(7, (1.0, voiced(110, 4.0, -16, seed=1)))
    agent = place(7, (2.5, voiced(250, 2.0, -42, seed=2)), seed=12)
    fb = extract_features(np.stack([agent, customer]))
    t = fb.times_s
    assert fb.channels[0].speech[(t > 2.7) & (t < 4.3)].mean() > 0.95
    (ev,) = analyse(agent, customer)
    assert ev.speaker == "agent" and abs(ev.start_s - 2.5) <= 0.1


def test_leakage_of_the_other_channel_is_not_speech() -> None:
    # The agent's channel holds only the customer leaking in: a scaled copy 26 dB down, 3 ms
    # late. Same pitch at the same moment, so it is crosstalk, whatever its level.
    loud = voiced(110, 4.0, -16, seed=1)
    customer = place(7, (1.0, loud))
    agent = place(7, (1.0 + 48 / SR, 10 ** (-26 / 20) * loud), seed=12)
    fb = extract_features(np.stack([agent, customer]))
    assert fb.channels[0].speech.sum() * HOP_S < 0.1
    assert analyse(agent, customer) == []


def test_a_third_voice_in_both_microphones_is_speech_on_the_louder_only() -> None:
    # Someone else in the room: the same voice reaches both headsets, 8 dB apart (under the
    # 18 dB level margin). Same pitch at the same moment: the quieter pick-up is a copy.
    third = voiced(180, 3.0, -30, seed=5)
    agent = place(6, (1.0, third))
    customer = place(6, (1.0 + 32 / SR, 10 ** (-8 / 20) * third), seed=12)
    fb = extract_features(np.stack([agent, customer]))
    assert fb.channels[0].speech.sum() * HOP_S > 2.5
    assert fb.channels[1].speech.sum() * HOP_S < 0.2


def test_crosstalk_gate_is_the_same_in_any_blocks() -> None:
    rng = np.random.default_rng(3)
    n = 400
    loud = np.stack([rng.uniform(-70, -20, n), rng.uniform(-70, -20, n)])
    f0 = np.stack([rng.uniform(80, 300, n), rng.uniform(80, 300, n)])
    f0[rng.uniform(size=(2, n)) < 0.2] = np.nan
    ap = rng.uniform(0, 0.6, (2, n))
    whole = CrosstalkGate(2).push(loud, f0, ap)
    assert 0 < whole.sum() < whole.size
    g = CrosstalkGate(2)
    parts = [
        g.push(loud[:, i : i + 13], f0[:, i : i + 13], ap[:, i : i + 13]) for i in range(0, n, 13)
    ]
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)
    # Told which frames are energetic, blocks without a quiet energetic frame are worked out
    # later: where it matters, the answer is the same.
    energetic = rng.uniform(size=(2, n)) < 0.1
    g = CrosstalkGate(2)
    lazy = [
        g.push(loud[:, i : i + 5], f0[:, i : i + 5], ap[:, i : i + 5], energetic[:, i : i + 5])
        for i in range(0, n, 5)
    ]
    np.testing.assert_array_equal(np.concatenate(lazy, axis=1) & energetic, whole & energetic)


# ------------------------------------------------------------------------------- real speech


@pytest.mark.realdata
def test_built_calls_from_held_out_speakers(shared_data) -> None:
    # Calls built from RAVDESS actors 07-12 and the AMI speakers ("check" split); the defaults
    # were set looking at actors 01-06 only. Wideband and a G.711 telephone copy.
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_interruptions import build_calls, evaluate_built, load_material

    calls = build_calls(load_material("check", shared_data), per_speaker=1)
    out = evaluate_built(calls, ("wideband", "nb_ulaw"))
    for cond, s in out.items():
        assert s["tp"] + s["fn"] >= 20, cond
        assert s["f1"] >= 0.95, (cond, s["errors"])
        assert s["median_onset_error_s"] <= 0.2, cond
        assert s["backchannels_flagged"] == 0, (cond, s["errors"])
