"""Keyword verification by forced rescoring (issue 14 item 3): which texts are proposed, what is
accepted, how a verified cue is marked (synthetic words and scores); and on the real model, a
known mishearing corrected while silence, noise and a hard negative get no added cue."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from calltone.models.speech.cues import find_cues
from calltone.models.speech.options import ModelLoadError
from calltone.models.speech.text import normalize
from calltone.models.speech.transcriber import Transcriber
from calltone.models.speech.transcript import Segment, Word
from calltone.models.speech.verify import (
    Candidate,
    SegmentScores,
    VerifyConfig,
    accept,
    candidates,
    mark_verified,
    verify_cue_words,
)

ROOT = Path(__file__).resolve().parents[3]
SR = 16_000
CFG = VerifyConfig()


def _seg(spec: str, t0: float = 1.0, speaker: str = "agent") -> Segment:
    """'word:prob word:prob ...' (probability 0.95 when left out), 0.3 s apart."""
    words = []
    for k, item in enumerate(spec.split()):
        w, _, p = item.partition(":")
        words.append(Word(w, t0 + 0.3 * k, t0 + 0.3 * k + 0.25, float(p) if p else 0.95))
    return Segment(
        speaker, words[0].start_s, words[-1].end_s, " ".join(w.word for w in words), words
    )


def test_candidates_replace_doubted_sound_alike_spans_only() -> None:
    seg = _seg("Would you like to speak to my new:0.14 provider.")
    texts = {" ".join(c.words) for c in candidates(seg, CFG)}
    assert "Would you like to speak to my supervisor." in texts  # punctuation of the old word
    # every candidate changes a span holding the doubted word, nothing else
    for c in candidates(seg, CFG):
        assert c.i0 <= 7 < c.i1, c
        assert c.words[: c.i0] == tuple(w.word for w in seg.words[: c.i0])
    # sure words are never replaced, and the phrase already there is not proposed again
    assert candidates(_seg("Let me get my coffee."), CFG) == []
    assert not any(
        c.phrase == "supervisor" for c in candidates(_seg("my supervisor:0.3 said"), CFG)
    )


def _scored(seg: Segment, best: str, gain: float) -> SegmentScores:
    """Scores where the candidate replacing the doubted span by ``best`` beats the first pass by
    ``gain`` nats per token (10 tokens each)."""
    first = Candidate(0, 0, "", tuple(w.word for w in seg.words), logprob=-10.0, n_tokens=10)
    cands = []
    for c in candidates(seg, CFG):
        lp = -10.0 + 10 * gain if " ".join(c.words) == best else -20.0
        cands.append(
            Candidate(c.i0, c.i1, c.phrase, c.words, lp, 10, span_logprob=-0.5, span_tokens=2)
        )
    return SegmentScores(first, cands)


def test_a_candidate_is_accepted_only_when_it_wins_by_the_margin() -> None:
    seg = _seg("Would you like to speak to my new:0.14 provider.")
    best = "Would you like to speak to my supervisor."
    out, v = accept(seg, _scored(seg, best, CFG.min_gain_per_token + 0.05), CFG)
    assert out.text == best and v is not None
    assert (v.old, v.new) == ("new provider.", "supervisor.")
    assert out.words[:7] == seg.words[:7]  # the first pass's words, untouched
    assert out.words[7].start_s == seg.words[7].start_s and out.words[7].end_s == seg.words[8].end_s
    assert out.words[7].probability == pytest.approx(np.exp(-0.25), abs=1e-3)
    same, none = accept(seg, _scored(seg, best, CFG.min_gain_per_token - 0.05), CFG)
    assert same == seg and none is None


def test_a_phrase_the_scoring_itself_doubts_is_not_taken_however_much_the_text_gains() -> None:
    # a garbled span swapped for a short phrase raises the text's mean log-probability; the
    # phrase's own tokens tell (dev half: "tower followed." -> "supervisor." +0.66, tokens 0.004)
    seg = _seg("Would you like to speak to my new:0.14 provider.")
    sc = _scored(seg, "Would you like to speak to my supervisor.", 1.0)
    low = math.log(CFG.min_phrase_probability / 2)
    sc.candidates = [
        Candidate(c.i0, c.i1, c.phrase, c.words, c.logprob, c.n_tokens, 2 * low, 2)
        for c in sc.candidates
    ]
    assert accept(seg, sc, CFG) == (seg, None)


def test_a_cue_on_verified_words_is_marked_and_less_confident() -> None:
    seg = _seg("Would you like to speak to my new:0.14 provider.")
    out, v = accept(seg, _scored(seg, "Would you like to speak to my supervisor.", 1.0), CFG)
    assert v is not None
    other = _seg("Thank you for calling.", t0=10.0)
    cues = find_cues([out, other])
    assert {c.kind for c in cues} == {"supervisor_offer", "closing"}
    marked = {c.kind: c for c in mark_verified(cues, [v], CFG)}
    plain = {c.kind: c for c in cues}
    assert marked["supervisor_offer"].source == "verification"
    assert marked["supervisor_offer"].confidence == pytest.approx(
        plain["supervisor_offer"].confidence * CFG.verified_confidence, abs=1e-3
    )
    assert marked["supervisor_offer"].to_event_dict()["evidence"]["source"] == "verification"
    assert marked["closing"] == plain["closing"]
    assert "source" not in marked["closing"].to_event_dict()["evidence"]


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="gate_word_probability"):
        VerifyConfig(gate_word_probability=1.5)
    with pytest.raises(ValueError, match="min_gain_per_token"):
        VerifyConfig(min_gain_per_token=9.0)


# -- the real model -----------------------------------------------------------------------------


def _spoken(text: str, voice: str, condition: str, tmp_path: Path) -> np.ndarray:
    """espeak-ng through a telephone channel, as the cue benchmark speaks its set."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cues import speak

    return speak(text, voice, condition, tmp_path)


def _transcriber() -> Transcriber:
    from calltone.models.recorded.transcript import recorded_call_options

    tr = Transcriber(recorded_call_options())
    try:
        _ = tr.model
    except ModelLoadError as exc:  # pragma: no cover
        pytest.skip(f"Whisper model not available: {exc}")
    return tr


needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@pytest.mark.slow
@needs_espeak
def test_a_known_mishearing_is_corrected_by_verification(tmp_path: Path) -> None:
    # Neither the sentence nor the voice is in bench/cue_set.py (the margin was chosen on its
    # development half): tiny.en writes other words for the key word and the cue is lost.
    tr = _transcriber()
    x = _spoken(MISHEARD_TEXT, MISHEARD_VOICE, MISHEARD_CONDITION, tmp_path)
    first = tr.transcribe_array(x, speaker=MISHEARD_SPEAKER)
    heard = normalize(" ".join(s.text for s in first))
    assert MISHEARD_KEY not in heard, heard
    assert MISHEARD_KIND not in {c.kind for c in find_cues(first)}
    res = verify_cue_words(tr, x, first)
    after = normalize(" ".join(s.text for s in res.segments))
    assert MISHEARD_KEY in after, after
    (v,) = res.verifications
    assert after == heard.replace(normalize(v.old), normalize(v.new)), (heard, after)
    cues = mark_verified(find_cues(res.segments), res.verifications)
    (cue,) = [c for c in cues if c.kind == MISHEARD_KIND]
    assert cue.source == "verification"


@pytest.mark.slow
@needs_espeak
def test_no_cue_is_added_on_silence_noise_or_a_hard_negative(tmp_path: Path) -> None:
    tr = _transcriber()
    rng = np.random.default_rng(3)
    for quiet in (
        np.zeros(6 * SR, dtype=np.float32),
        (0.01 * rng.standard_normal(6 * SR)).astype(np.float32),  # -40 dBFS
        (0.056 * rng.standard_normal(6 * SR)).astype(np.float32),  # -25 dBFS
    ):
        segs = tr.transcribe_array(quiet, speaker="agent")
        res = verify_cue_words(tr, quiet, segs)
        assert res.segments == segs == [] and res.verifications == []
    for text, condition in HARD_NEGATIVES:
        x = _spoken(text, MISHEARD_VOICE, condition, tmp_path)
        first = tr.transcribe_array(x, speaker="agent")
        res = verify_cue_words(tr, x, first)
        before = {c.kind for c in find_cues(first)}
        assert {c.kind for c in find_cues(res.segments)} <= before, (text, res.verifications)


# Found by speaking a few sentences outside the cue set with voices outside both of its halves
# (first pass: "So, you need to come down the details.", no cue; "I need to talk to your manager
# right now." -> "... your medical ..." was recovered too, until the phrase-probability floor:
# its "manager" scored 0.099).
MISHEARD_TEXT = "Sir, you need to calm down a little."
MISHEARD_VOICE = "en-029+m2"
MISHEARD_CONDITION = "nb_gsm_noise20"
MISHEARD_SPEAKER = "agent"
MISHEARD_KEY = "calm down"
MISHEARD_KIND = "negative_phrasing"
# Same words as the cues in another sense, not sentences of bench/cue_set.py.
HARD_NEGATIVES = (
    ("Let me get my coffee mug and I will be right back.", "nb_gsm_noise20"),
    ("The manager of the shop will sign for the parcel.", "nb_ulaw"),
    ("You can come down to the office on Monday.", "nb_gsm_noise20"),
)
