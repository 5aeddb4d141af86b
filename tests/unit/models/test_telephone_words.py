"""Words on telephone audio (issue 14): no sentence twice, the crosstalk gate, cues that survive
recognition errors without inventing credit, and hotwords on the real model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from faster_whisper.transcribe import Segment as FwSegment
from faster_whisper.transcribe import Word as FwWord

from calltone.models.recorded.transcript import recorded_call_options
from calltone.models.speech.cues import CueFileError, CueMatcher, find_cues
from calltone.models.speech.options import ModelLoadError, TranscriberOptions
from calltone.models.speech.planning import level_gate
from calltone.models.speech.text import normalize
from calltone.models.speech.transcriber import Transcriber, drop_repeated_words, replace_windows
from calltone.models.speech.transcript import Segment, SpeechRegion, Word

ROOT = Path(__file__).resolve().parents[3]
SR = 16_000


def _fw(start: float, words: list[tuple[str, float, float]]) -> FwSegment:
    text = "".join(" " + w for w, _a, _b in words)
    return FwSegment(
        id=0,
        seek=0,
        start=start,
        end=words[-1][2],
        text=text,
        tokens=[],
        avg_logprob=-0.2,
        compression_ratio=1.2,
        no_speech_prob=0.01,
        words=[FwWord(a, b, " " + w, 0.9) for w, a, b in words],
        temperature=0.0,
    )


SWITCH = ["but", "they", "probably", "just", "forgot", "to", "flip", "that", "little", "switch"]


def _sentence(t0: float) -> list[tuple[str, float, float]]:
    return [(w, t0 + 0.25 * k, t0 + 0.25 * k + 0.2) for k, w in enumerate(SWITCH)]


# -- the same sentence twice ------------------------------------------------------------------


def test_redecoded_window_replaces_a_segment_that_starts_past_its_end() -> None:
    """Whisper put a segment's start past its (shortened) window's end; when the window was
    decoded again after an early stop, the old copy stayed beside the new one (the sentence twice
    at 0:58.1 of a real call). Every old segment of a redone window must go."""
    windows = [SpeechRegion(48.0, 58.0), SpeechRegion(62.0, 70.0)]
    first = [(_fw(48.5, [("Okay.", 48.5, 48.9)]), 0.0), (_fw(58.1, _sentence(58.1)), 0.0)]
    other = [(_fw(62.2, [("Right.", 62.2, 62.6)]), 0.0)]
    redo = [(_fw(48.5, [("Okay.", 48.5, 48.9), *_sentence(56.0)]), 0.0)]
    merged = replace_windows(first + other, windows, [0], redo)
    texts = [normalize(s.text) for s, _off in merged]
    assert sum(t.count("little switch") for t in texts) == 1, texts
    assert "right" in texts  # the other window's segment stays


def test_words_decoded_twice_at_the_same_time_are_kept_once() -> None:
    words = [Word(w, a, b) for w, a, b in _sentence(58.1)]
    seg = Segment("agent", words[0].start_s, words[-1].end_s, " ".join(SWITCH), words)
    # the same words again 20 ms later (a second decode), another speaker saying them, and a
    # genuine repeat ("no, no") that must stay
    again = Segment(
        "agent", seg.start_s + 0.02, seg.end_s, seg.text,
        [Word(w.word, w.start_s + 0.02, w.end_s + 0.02) for w in words],
    )  # fmt: skip
    other = Segment("customer", seg.start_s, seg.end_s, seg.text, words)
    nono = Segment(
        "agent", 70.0, 70.7, "No, no.", [Word("No,", 70.0, 70.3), Word("no.", 70.35, 70.7)]
    )
    out = drop_repeated_words([seg, again, other, nono])
    agent = [w.word for s in out if s.speaker == "agent" for w in s.words]
    assert agent == [*SWITCH, "No,", "no."]
    assert sum(len(s.words) for s in out if s.speaker == "customer") == len(SWITCH)


def test_partly_repeated_segment_keeps_its_new_words_with_rebuilt_text() -> None:
    a = Segment("agent", 1.0, 1.9, "flip that", [Word("flip", 1.0, 1.4), Word("that", 1.5, 1.9)])
    b = Segment(
        "agent", 1.5, 2.5, "that switch", [Word("that", 1.52, 1.9), Word("switch", 2.0, 2.5)]
    )
    out = drop_repeated_words([a, b])
    assert [s.text for s in out] == ["flip that", "switch"]
    assert out[1].start_s == 2.0


# -- the crosstalk gate -----------------------------------------------------------------------


def test_level_gate_drops_the_other_partys_leak_and_keeps_own_quiet_speech() -> None:
    rng = np.random.default_rng(0)
    x = np.zeros(10 * SR, dtype=np.float32)

    def put(a_s: float, b_s: float, dbfs: float) -> SpeechRegion:
        n = int((b_s - a_s) * SR)
        x[int(a_s * SR) : int(a_s * SR) + n] = (10 ** (dbfs / 20)) * rng.standard_normal(n)
        return SpeechRegion(a_s, b_s)

    own = put(0.5, 3.0, -15.0)
    quiet_own = put(3.5, 4.5, -30.0)  # 15 dB under: a softer phrase of the same party
    leak = put(5.0, 7.0, -42.0)  # 27 dB under: the other party through the headset
    kept = level_gate(x, [own, quiet_own, leak], gate_db=20.0)
    assert kept == [own, quiet_own]
    assert level_gate(x, [], gate_db=20.0) == []


def test_recorded_calls_gate_crosstalk_and_options_are_checked() -> None:
    assert recorded_call_options().crosstalk_gate_db == 20.0
    assert recorded_call_options(full_context=True).crosstalk_gate_db == 20.0
    with pytest.raises(ValueError, match="crosstalk_gate_db"):
        TranscriberOptions(crosstalk_gate_db=2.0)
    with pytest.raises(ValueError, match="speech_gate"):
        TranscriberOptions(speech_gate="energy")  # type: ignore[arg-type]


# -- cues that survive recognition errors -----------------------------------------------------


def _agent(text: str, *, speaker: str = "agent", t0: float = 10.0) -> list[Segment]:
    parts = text.split()
    words = [Word(w, t0 + 0.3 * k, t0 + 0.3 * k + 0.25) for k, w in enumerate(parts)]
    return [Segment(speaker, words[0].start_s, words[-1].end_s, text, words)]


def _kinds(text: str, speaker: str = "agent") -> dict[str, float]:
    return {c.kind: c.confidence for c in find_cues(_agent(text, speaker=speaker))}


def test_specific_apology_needs_an_issue_after_it() -> None:
    assert set(_kinds("I'm sorry about Matt.")) == {"bare_apology"}  # tiny.en's "about that"
    assert set(_kinds("I'm sorry about that, let me check your account.")) == {"bare_apology"}
    assert "specific_apology" in _kinds("I'm so sorry about the delay with your refund.")
    assert "specific_apology" in _kinds("I apologize for the double charge on your card.")
    assert "specific_apology" in _kinds("I'm sorry about your package arriving so late.")
    assert "specific_apology" not in _kinds("Sorry for the inconvenience.")


def test_near_misses_match_only_where_the_context_supports_them() -> None:
    offer = _kinds("Okay, I'll bring in my super miner for you.")
    assert 0.5 <= offer.get("supervisor_offer", 0.0) < 1.0
    assert "supervisor_offer" in _kinds("Let me get my super visor.")
    assert "supervisor_offer" not in _kinds("My neighbour was a super miner in the seventies.")
    request = _kinds("I want to speak to your super visor.", speaker="customer")
    assert "manager_request" in request
    calm = _kinds("Please come down, sir.")
    assert 0.5 <= calm.get("negative_phrasing", 0.0) < 1.0
    assert "negative_phrasing" not in _kinds("You can come down to the store any time.")
    assert "negative_phrasing" not in _kinds("Prices will come down next month.")
    exact = _kinds("Would you like to speak to my supervisor?")
    assert exact["supervisor_offer"] > offer["supervisor_offer"]


def test_the_one_word_slip_is_never_a_content_word() -> None:
    # before: "let me get my supervisor" matched with "coffee" as the slip, and "i can not help
    # you" matched "I can't convince you" (a mangled "I can't continue this conversation")
    assert _kinds("Let me get my coffee.") == {}
    assert _kinds("I can't convince you if you keep wearing.") == {}
    # a function word may still be the slip, at less confidence
    assert _kinds("Must be really frustrating.") == {"empathy": pytest.approx(0.85)}


def test_every_cue_keeps_its_quoted_words_and_a_confidence() -> None:
    segs = _agent("Okay, I'll bring in my super miner for you.")
    (cue,) = find_cues(segs)
    ev = cue.to_event_dict()["evidence"]
    assert ev["quote"] == "bring in my super miner"
    assert ev["confidence"] == pytest.approx(0.7, abs=0.01)
    low = [
        Segment(s.speaker, s.start_s, s.end_s, s.text, [
            Word(w.word, w.start_s, w.end_s, 0.4) for w in s.words
        ])
        for s in segs
    ]  # fmt: skip
    (unsure,) = find_cues(low)
    assert unsure.confidence < cue.confidence  # Whisper was unsure of the words


def test_cue_file_pattern_tables_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "cues.toml"
    bad.write_text(
        '[[cue]]\nkind = "x"\nspeaker = "agent"\npolarity = "good"\n'
        'patterns = [{ pattern = "hello", confidence = 1.5 }]\n'
        'seed = { file = "a.txt", quote = "q" }\n',
        encoding="utf-8",
    )
    with pytest.raises(CueFileError, match="confidence"):
        CueMatcher.from_file(bad)


# -- hotwords on the real model ---------------------------------------------------------------

CALM_HOTWORDS = (
    "I'm sorry. Please calm down. Let me get my supervisor or manager. Refund. I apologize. "
    "I'll escalate this."
)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_hotwords_fix_a_known_mishearing_without_adding_words_to_silence_or_noise(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import telephone

    wav = tmp_path / "calm.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us+m3", "-s", "160", "-w", str(wav), "Please calm down, sir."],
        check=True,
        timeout=30,
    )
    y, sr = sf.read(wav, dtype="float32")
    line = telephone.simulate(y, sr, telephone.CONDITIONS["nb_ulaw"])
    x = telephone.to_16k(line).reshape(-1)
    pad = np.zeros(SR // 2, dtype=np.float32)
    x = np.concatenate([pad, x, pad])
    try:
        plain = Transcriber(TranscriberOptions())
        hot = Transcriber(TranscriberOptions(hotwords=CALM_HOTWORDS))
        plain.model  # noqa: B018
    except ModelLoadError as exc:  # pragma: no cover
        pytest.skip(f"Whisper model not available: {exc}")
    said = normalize(" ".join(s.text for s in hot.transcribe_array(x, speaker="agent")))
    assert "calm down" in said
    before = normalize(" ".join(s.text for s in plain.transcribe_array(x, speaker="agent")))
    # tiny.en hears "come down" (or "come out") here without the hotwords; the cue still
    # fires on the near-miss, with less confidence
    assert "calm down" not in before
    rng = np.random.default_rng(3)
    for quiet in (
        np.zeros(6 * SR, dtype=np.float32),
        (0.05 * rng.standard_normal(6 * SR)).astype(np.float32),
    ):
        assert hot.transcribe_array(quiet, speaker="agent") == []
