"""The cue frames: structure + a documented word class instead of lists of sentences (issue 14).

Every sentence here is written for these tests (none is from ``bench/cue_set.py`` or any blind
set): an apology head + an issue clause, an acknowledgement frame + a feeling word, a fault
statement about a third party, an offer / request verb frame + a role (and tiny.en's near-misses
of the role only inside it), the customer's name by its sound. Each positive has a hard
negative beside it that shares its words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calltone.models.speech.cues import (
    CueFileError,
    CueMatcher,
    find_cues,
    phonetic_key,
    sounds_like_name,
)
from tests.support.synth import words_segment

seg = words_segment


def found(text: str, speaker: str = "agent", name: str | None = "Maria Kowalski") -> set[str]:
    return {c.kind for c in find_cues([seg(speaker, text)], customer_name=name)}


# -- the cue file's lexicon and clause scope ---------------------------------------------------

_HEAD = (
    "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\n"
    "seed = {file = 'a.txt', quote = 'q'}\n"
)


def test_lexicon_words_expand_inside_a_regex(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        "[lexicon]\nfruit = ['apples?', 'pears?']\n\n"
        + _HEAD
        + "patterns = ['re:\\bi like {fruit}\\b']\n"
    )
    m = CueMatcher.from_file(p)
    assert [c.kind for c in m.find_cues([seg("agent", "Well, I like pears.")])] == ["x"]
    assert m.find_cues([seg("agent", "I like plums.")]) == []


def test_an_unknown_lexicon_name_is_a_cue_file_error(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text("[lexicon]\nfruit = ['apple']\n\n" + _HEAD + "patterns = ['re:{veg}']\n")
    with pytest.raises(CueFileError, match=r"\{veg\}.*fruit"):
        CueMatcher.from_file(p)


def test_a_regex_quantifier_is_not_a_lexicon_name(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(_HEAD + "patterns = ['re:\\bhel{2}o\\b']\n")
    assert len(CueMatcher.from_file(p).find_cues([seg("agent", "hello there")])) == 1


def test_clause_scope_ends_a_match_at_a_comma(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(_HEAD + "patterns = [{pattern = 're:\\bsee you$', scope = 'clause'}]\n")
    m = CueMatcher.from_file(p)
    assert len(m.find_cues([seg("agent", "Okay, see you, bye.")])) == 1
    assert m.find_cues([seg("agent", "Okay see you tomorrow.")]) == []


def test_clause_scope_is_only_for_a_regex(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(_HEAD + "patterns = [{pattern = 'see you', scope = 'clause'}]\n")
    with pytest.raises(CueFileError, match="scope"):
        CueMatcher.from_file(p)


# -- apology: a head + an issue clause --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I do apologise for the missed appointment yesterday.",
        "Sorry for sending the wrong size.",
        "I'm sorry that the technician never showed up.",
        "Apologies for the mix-up over the voucher.",
        "I'm sorry the router keeps dropping out.",
        "Sorry to hear the heating has stopped working.",
        "So sorry for keeping you on hold.",
    ],
)
def test_an_apology_naming_the_issue_is_specific(text: str) -> None:
    assert found(text) == {"specific_apology"}, text


@pytest.mark.parametrize(
    "text",
    [
        "Sorry about that, let me check.",
        "I'm sorry for any inconvenience this may have caused.",
        "I'm so sorry about the myth.",  # a lone unknown word is no issue (a mishearing)
        "Sorry to hear that.",
        "I do apologize.",
        "I'm sorry for that it can be done.",
    ],
)
def test_an_apology_without_an_issue_is_bare(text: str) -> None:
    assert found(text) == {"bare_apology"}, text


# -- empathy: an acknowledgement frame + a feeling word --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can imagine how stressful the move has been.",
        "That sounds incredibly annoying.",
        "It must have been so worrying for you.",
        "Honestly I'd be livid too.",
        "I hear how disappointed you are.",
        "No wonder you're fed up.",
        "I totally get it.",
        "Oh, I can imagine.",
        "I can only imagine what that was like.",
        "Must be so exhausting.",  # tiny.en drops the subject
    ],
)
def test_an_acknowledged_feeling_is_empathy(text: str) -> None:
    assert "empathy" in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I understand the invoice was sent on Monday.",
        "It would be difficult to move the date now.",
        "I can see the payment on your account.",
        "I know the reference number.",
        "I can hear you now.",
        "I can imagine you'll want the receipt.",
    ],
)
def test_the_frame_without_a_feeling_is_not_empathy(text: str) -> None:
    assert "empathy" not in found(text), text


def test_empathy_is_the_agents_not_the_customers() -> None:
    assert "empathy" not in found("That sounds really frustrating.", speaker="customer")


# -- blame passing: a fault statement about a third party ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "That was the engineer's mistake, not ours.",
        "The delivery company messed it up.",
        "They made an error when they booked it.",
        "The problem is with your bank.",
        "Honestly the billing team are responsible for that.",
        "We didn't do that.",
        "Blame the software for that one.",
    ],
)
def test_a_fault_put_on_someone_else_is_blame_passing(text: str) -> None:
    assert "blame_passing" in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "The courier will deliver it tomorrow.",
        "The system shows your payment went through.",
        "They sent the confirmation email this morning.",
        "It's the system we use for all orders.",
        "Our engineer can come out on Friday.",
        "The parcel is on the warehouse side of the depot.",
    ],
)
def test_a_third_party_without_a_fault_is_not_blame(text: str) -> None:
    assert "blame_passing" not in found(text), text



@pytest.mark.parametrize(
    "text",
    [
        "It was his error, not ours.",
        "That's their fault.",
        "It's all their doing.",
        "Because of her mistake the order was late.",
        "Their mistake, I'm afraid.",
    ],
)
def test_a_pronouns_fault_said_to_be_the_cause_is_blame(text: str) -> None:
    assert "blame_passing" in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        # Whisper tiny.en's hearing of "Brightline, this is Sarah" on a separated mono call
        "Bright, I miss his error. How can I help?",
        "I fixed his error for you.",
        "Let me check her mistake report.",
    ],
)
def test_a_pronouns_fault_that_is_not_said_to_be_the_cause_is_not_blame(text: str) -> None:
    assert "blame_passing" not in found(text), text

# -- supervisor offer and manager request: a verb frame + a role ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can have my team leader call you back.",
        "I'll escalate this to my manager.",
        "Would you like me to get a supervisor?",
        "Let me bring over my super visor.",  # a near-miss inside the frame
    ],
)
def test_an_offer_of_someone_above_is_a_supervisor_offer(text: str) -> None:
    assert "supervisor_offer" in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "My supervisor approved the refund yesterday.",
        "The manager of the store called us.",
        "Let me get my notes.",
        "I'll send you the super saver link.",
        "The super visor on the bike was broken.",  # a near-miss outside a frame
        "I'll ask my manager about the discount.",  # consulting is not offering
        "I'll speak to my manager about it.",
        "I have a new manager.",
    ],
)
def test_a_role_without_an_offer_frame_is_no_offer(text: str) -> None:
    assert "supervisor_offer" not in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to talk to someone in charge.",
        "I want your supervisor.",
        "Is there a manager I can speak to?",
        "Can I have your manager please?",
        "I wanted to speak to your manager.",
        "Get me a super minor now.",  # a near-miss inside the frame
    ],
)
def test_asking_for_someone_above_is_a_manager_request(text: str) -> None:
    assert "manager_request" in found(text, speaker="customer"), text


@pytest.mark.parametrize(
    "text",
    [
        "My manager told me to call.",
        "I spoke to the supervisor yesterday.",
        "I already talked to a manager last week.",
        "The manager at the branch said it was fine.",
        "I need to speak to the bank first.",
        "My boss wants the invoice.",
    ],
)
def test_a_statement_about_a_manager_is_no_request(text: str) -> None:
    assert "manager_request" not in found(text, speaker="customer"), text


def test_near_miss_cues_keep_their_words_and_a_lower_confidence() -> None:
    (near,) = find_cues([seg("customer", "Get me a super minor now.")])
    (exact,) = find_cues([seg("customer", "Get me a supervisor now.")])
    assert near.quote == "Get me a super minor" and exact.quote == "Get me a supervisor"
    assert 0.5 <= near.confidence < exact.confidence == 1.0


# -- the customer's name by its sound ---------------------------------------------------------


def test_phonetic_key() -> None:
    assert phonetic_key("Sarah") == phonetic_key("Zara") == phonetic_key("sera") == "sr"
    assert phonetic_key("Kowalski") == phonetic_key("Cowalsky") == "klsk"
    assert phonetic_key("Jones") != phonetic_key("James")


def test_sounds_like_name() -> None:
    assert sounds_like_name("mariah", "maria")
    assert sounds_like_name("cowalsky", "kowalski")
    assert sounds_like_name("joan", "jones")  # "Joan's": the possessive is dropped
    assert not sounds_like_name("jo", "jones")
    assert not sounds_like_name("sure", "sarah")  # same key, different spelling
    assert not sounds_like_name("sir", "sarah")


def test_whispers_spelling_of_the_name_counts_with_less_confidence() -> None:
    cues = [
        c
        for c in find_cues(
            [seg("agent", "Thanks, Marya, one moment.")], customer_name="Maria Kowalski"
        )
        if c.kind == "customer_name_used"
    ]
    assert [c.quote for c in cues] == ["Marya,"]
    assert cues[0].confidence < 1.0
    assert "customer_name_used" in found("Is that right, Mrs. Cowalsky?")


@pytest.mark.parametrize(
    "text",
    [
        "Sure, I can do that.",
        "Sir, I'll check that now.",
        "Maybe, let me see.",
        "I'm Marco, how can I help?",
        "thanks marya one moment",  # a near-miss must be written as a name
    ],
)
def test_words_that_do_not_sound_like_the_name_are_not_it(text: str) -> None:
    assert "customer_name_used" not in found(text), text


def test_a_title_does_not_end_the_sentence(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(_HEAD + "patterns = ['thank you mrs {name} for holding']\n")
    m = CueMatcher.from_file(p)
    (cue,) = m.find_cues(
        [seg("agent", "Thank you Mrs. Kowalski for holding.")], customer_name="Maria Kowalski"
    )
    assert cue.quote == "Thank you Mrs. Kowalski for holding."


# -- the other kinds' frames, each beside a sentence with the same words and no cue ------------


@pytest.mark.parametrize(
    ("text", "kind", "cue"),
    [
        ("I can waive the late fee for you.", "solution_offer", True),
        ("The refund was processed on the third.", "solution_offer", False),
        ("I'm going to send you over to sales.", "solution_offer", False),
        ("I'll personally chase this up for you.", "ownership", True),
        ("I'll email you.", "ownership", False),
        ("You'll have to email the returns team.", "bouncing", True),
        ("You should have received an email confirmation.", "bouncing", False),
        ("That's just how it works.", "negative_phrasing", True),
        ("That's how it works in the app, you tap here.", "negative_phrasing", False),
        ("Enjoy the rest of your evening.", "closing", True),
        ("Thank you for waiting.", "closing", False),
        ("Oh, that's awful.", "empathy", True),
        ("That's awful weather for it.", "empathy", False),
        ("I need you to stop shouting so I can help.", "boundary_setting", True),
        ("Let's keep this respectful so we can fix it.", "solution_offer", False),
    ],
)
def test_other_frames(text: str, kind: str, cue: bool) -> None:
    assert (kind in found(text)) is cue, text


def test_the_customers_own_boss_is_no_request() -> None:
    # a real call (LCA Auto_Repairs caller): "I just need to call my boss at my job"
    assert "manager_request" not in found("I just need to call my boss at my job.", "customer")
    assert "manager_request" in found("Just call your boss.", "customer")


def test_dont_worry_does_not_negate_what_follows() -> None:
    assert "ownership" in found("Don't worry, I'll sort it out.")
    assert "ownership" not in found("I won't sort it out.")


@pytest.mark.parametrize(
    ("text", "speaker", "kind"),
    [
        ("I need a manager's signature on this form.", "customer", "manager_request"),
        ("I'd like the supervisor's email for my records.", "customer", "manager_request"),
        ("Is there a store manager in town?", "customer", "manager_request"),
        ("Their mistake policy covers accidental damage.", "agent", "blame_passing"),
        ("Not us, we're the sales line.", "agent", "blame_passing"),
        ("I promise it's a quick form.", "agent", "ownership"),
        ("That sounds like the right plan.", "agent", "paraphrasing"),
        ("You're not useless at all, thanks.", "customer", "abuse"),
    ],
)
def test_hard_negatives_sharing_a_frames_words(text: str, speaker: str, kind: str) -> None:
    assert kind not in found(text, speaker), text


def test_is_there_a_manager_i_can_speak_to_is_a_request() -> None:
    assert "manager_request" in found("Is there a supervisor I can talk to?", "customer")
