"""The blind cue sets (bench/cue_set_fresh4.py ... bench/cue_set_fresh8.py) are well formed, as
bench_cues.py loads them.

Checks the labels only: no matcher is run and no utterance is spoken or transcribed (each set
was kept for one held-out evaluation). The kinds and the party each kind belongs to are those
of the development set ``bench_cues.py --set dev`` scores; each set's voices and customer name
are new against every set written before it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

bench_cues = pytest.importorskip("bench_cues")

MIN_POSITIVES_PER_KIND = 12
#: The sets in the order they were written.
ORDER = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8")
BLIND = ("fresh4", "fresh5", "fresh6", "fresh7", "fresh8")


def _dev_pairs() -> set[tuple[str, str]]:
    utterances, _, _ = bench_cues.load_set("dev")
    return {(speaker, kind) for speaker, _, kinds in utterances for kind in kinds}


@pytest.mark.parametrize("name", BLIND)
def test_loads_with_its_own_voices_and_name(name: str) -> None:
    utterances, customer, voices = bench_cues.load_set(name)
    assert 200 <= len(utterances) <= 260
    assert len(customer.split()) == 2
    assert len(voices) >= 2
    earlier = [bench_cues.load_set(s) for s in ORDER[: ORDER.index(name)]]
    assert not set(voices) & {v for _, _, vs in earlier for v in vs}
    assert customer not in {c for _, c, _ in earlier}


@pytest.mark.parametrize("name", BLIND)
def test_labels_are_known_kinds_of_the_right_party(name: str) -> None:
    utterances, _, _ = bench_cues.load_set(name)
    dev_pairs = _dev_pairs()
    known = {kind for _, kind in dev_pairs}
    for speaker, text, kinds in utterances:
        assert speaker in ("agent", "customer"), text
        assert isinstance(kinds, frozenset), text
        assert kinds <= known, (text, kinds - known)
        for kind in kinds:
            assert (speaker, kind) in dev_pairs, (text, speaker, kind)


@pytest.mark.parametrize("name", BLIND)
def test_covers_every_kind_with_enough_positives_and_has_hard_negatives(name: str) -> None:
    utterances, _, _ = bench_cues.load_set(name)
    known = {kind for _, kind in _dev_pairs()}
    per_kind = Counter(kind for _, _, kinds in utterances for kind in kinds)
    assert set(per_kind) == known
    assert min(per_kind.values()) >= MIN_POSITIVES_PER_KIND, per_kind
    negatives = [u for u in utterances if not u[2]]
    assert len(negatives) >= 40
    assert {speaker for speaker, _, _ in negatives} == {"agent", "customer"}


@pytest.mark.parametrize("name", BLIND)
def test_has_no_duplicate_texts(name: str) -> None:
    utterances, _, _ = bench_cues.load_set(name)
    texts = [" ".join(re.findall(r"[a-z0-9']+", t.lower())) for _, t, _ in utterances]
    dup = [t for t, n in Counter(texts).items() if n > 1]
    assert not dup, dup


@pytest.mark.parametrize("name", BLIND)
def test_name_label_matches_the_name_in_agent_turns(name: str) -> None:
    """``customer_name_used`` on exactly the agent turns that address the customer by name (a
    street that shares her surname is not addressing her)."""
    utterances, customer, _ = bench_cues.load_set(name)
    first, last = customer.split()
    says_name = re.compile(rf"\b({first}|{last})\b(?! (Road|Street|Lane|Avenue))")
    for speaker, text, kinds in utterances:
        if speaker != "agent":
            assert "customer_name_used" not in kinds, text
            continue
        assert ("customer_name_used" in kinds) == bool(says_name.search(text)), text
