"""An interrupted party talks on with new syllables; a fading tail is no talking on (issue 13,
session 11: a speakerphone caller's reverberant room). Speech masks and nuclei whose answers
are known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.config import InterruptionConfig
from calltone.models.tone.events import Event
from calltone.models.tone.frames import TimeFn
from calltone.models.tone.turns import InterruptionDetector

HOP_S = 0.01


def mask(total_s: float, *spans: tuple[float, float]) -> np.ndarray:
    m = np.zeros(round(total_s / HOP_S), bool)
    for a, b in spans:
        m[round(a / HOP_S) : round(b / HOP_S)] = True
    return m


def nuclei(total_s: float, start_s: float, end_s: float, every_s: float = 0.2) -> np.ndarray:
    m = np.zeros(round(total_s / HOP_S), bool)
    m[[round(t / HOP_S) for t in np.arange(start_s, end_s, every_s)]] = True
    return m


def detect(
    agent: np.ndarray,
    customer: np.ndarray,
    nuc: dict[str, np.ndarray] | None,
    *,
    block: int | None = None,
    config: InterruptionConfig | None = None,
) -> list[Event]:
    det = InterruptionDetector(config or InterruptionConfig(), hop_s=HOP_S)
    t = TimeFn(HOP_S, 0.0)
    step = block or agent.size
    out: list[Event] = []
    for i in range(0, agent.size, step):
        part = None if nuc is None else {p: v[i : i + step] for p, v in nuc.items()}
        out += det.push_speech(i, agent[i : i + step], customer[i : i + step], t, nuclei=part)
    out += det.finish(agent.size, t)
    seen: dict[str, Event] = {}
    for e in out:
        seen[e.id] = e
    return list(seen.values())


# The customer speaks 0-3 s, syllables every 0.2 s up to 2.2 s; the agent starts at 2.3 s.
TOTAL_S = 6.0
AGENT = mask(TOTAL_S, (2.3, 4.5))


@pytest.mark.parametrize("block", [None, 1, 7, 50])
def test_a_fading_tail_under_the_newcomer_is_no_interruption(block: int | None) -> None:
    # 0.7 s of overlap, but the customer's speech after 2.3 s only fades (no new syllable).
    customer = mask(TOTAL_S, (0.0, 3.0))
    nuc = {"agent": nuclei(TOTAL_S, 2.35, 4.5), "customer": nuclei(TOTAL_S, 0.1, 2.2)}
    assert detect(AGENT, customer, None, block=block)  # masks alone: an interruption
    assert not detect(AGENT, customer, nuc, block=block)


@pytest.mark.parametrize("block", [None, 1, 7, 50])
def test_talking_on_with_new_syllables_is_an_interruption(block: int | None) -> None:
    customer = mask(TOTAL_S, (0.0, 3.0))
    nuc = {"agent": nuclei(TOTAL_S, 2.35, 4.5), "customer": nuclei(TOTAL_S, 0.1, 2.95)}
    evs = detect(AGENT, customer, nuc, block=block)
    assert len(evs) == 1 and evs[0].speaker == "agent"
    assert evs[0].start_s == pytest.approx(2.3, abs=0.011)
    # Confirmed when the agent has spoken backchannel_max_s (0.75 s), as without the rule:
    # the customer's syllables and 0.5 s of overlap came before.
    assert evs[0].evidence["confirmed_at_s"] == pytest.approx(3.04, abs=0.02)


def test_a_late_first_syllable_delays_the_confirmation() -> None:
    # Overlap 2.3-3.4 s; the customer's first syllable after 2.3 s comes at 3.1 s, after the
    # agent's 0.75 s (3.04 s) and the 0.5 s of overlap (2.8 s).
    customer = mask(TOTAL_S, (0.0, 3.4))
    nuc = {"agent": nuclei(TOTAL_S, 2.35, 4.5), "customer": nuclei(TOTAL_S, 0.1, 2.2)}
    nuc["customer"][round(3.1 / HOP_S)] = True
    evs = detect(AGENT, customer, nuc)
    assert len(evs) == 1
    assert evs[0].evidence["confirmed_at_s"] == pytest.approx(3.1, abs=0.02)


def test_zero_syllables_is_the_rule_as_before() -> None:
    customer = mask(TOTAL_S, (0.0, 3.0))
    nuc = {"agent": nuclei(TOTAL_S, 2.35, 4.5), "customer": nuclei(TOTAL_S, 0.1, 2.2)}
    off = InterruptionConfig(overlap_min_syllables=0)
    assert len(detect(AGENT, customer, nuc, config=off)) == 1
