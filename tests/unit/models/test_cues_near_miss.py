"""Cue mechanisms that must carry to unseen wording (issue 14, session 10).

Every sentence here is written for these tests (none is from ``bench/cue_set.py`` or any blind
set): a near-miss of a frame's key word (``[near_miss]`` in the cue file) counts inside the frame
and nowhere else; someone above the agent named without a determiner; an apology whose object is
a clause with its own subject; a "sorry" that asks the caller to repeat; feelings named by a verb
or by the caller's ordeal; blame for a duty not done. Each positive has a hard negative beside it
that shares its words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calltone.models.speech.cues import (
    NEAR_MISS_CONFIDENCE,
    CueFileError,
    CueMatcher,
    find_cues,
    near_miss_span,
)
from tests.support.synth import words_segment

seg = words_segment


def found(text: str, speaker: str = "agent", name: str | None = "Olga Brennan") -> set[str]:
    return {c.kind for c in find_cues([seg(speaker, text)], customer_name=name)}


KEYS = ("supervisor", "manager")


# -- near_miss_span: which token runs spell a key word nearly ----------------------------------


@pytest.mark.parametrize(
    ("tokens", "n"),
    [
        (("super", "minor", "is"), 2),
        (("supervise", "her", "now"), 2),
        (("superminer",), 1),
        (("manger", "today"), 1),
        (("man", "ager"), 2),
    ],
)
def test_near_misses_of_the_role_words_are_found(tokens: tuple[str, ...], n: int) -> None:
    assert near_miss_span(tokens, KEYS) == n


@pytest.mark.parametrize(
    "tokens",
    [
        ("super",),  # too short to be the word
        ("supper", "tonight"),
        ("member",),
        ("mother",),
        ("supervisor",),  # the word itself is the frame's own business, not a near-miss
        ("my", "manager"),
        ("money",),
        ("not", "manager"),
    ],
)
def test_other_words_are_not_near_misses(tokens: tuple[str, ...]) -> None:
    assert near_miss_span(tokens, KEYS) == 0


# -- near-misses count inside a frame only ------------------------------------------------------


def test_a_near_miss_completes_an_offer_frame_with_less_confidence() -> None:
    cues = find_cues([seg("agent", "Shall I check whether a super miner is free right now?")])
    offer = [c for c in cues if c.kind == "supervisor_offer"]
    assert len(offer) == 1
    assert "super miner" in offer[0].quote  # the transcript's own words are quoted
    assert offer[0].confidence <= NEAR_MISS_CONFIDENCE + 1e-9
    exact = find_cues([seg("agent", "Shall I check whether a supervisor is free right now?")])
    assert [c.confidence for c in exact if c.kind == "supervisor_offer"] == [1.0]


def test_a_near_miss_completes_a_request_frame() -> None:
    assert "manager_request" in found("I want to speak to your manger.", "customer")
    assert "manager_request" in found("Please put me through to a supervise her.", "customer")


def test_a_near_miss_outside_any_frame_is_nothing() -> None:
    assert found("The super miner strike was on the news.") == set()
    assert found("My manger at home is full of hay.", "customer") == set()
    # the frame's verb is not there: a statement, not a request
    assert "manager_request" not in found("Our super minor league team won.", "customer")


def test_a_near_miss_in_a_sentence_with_the_real_word_keeps_full_confidence() -> None:
    cues = find_cues([seg("agent", "Let me get my supervisor, the super minor one.")])
    offer = [c for c in cues if c.kind == "supervisor_offer"]
    assert offer and offer[0].confidence == 1.0


def test_near_miss_classes_must_name_a_lexicon_list(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        "[near_miss]\nboss = ['supervisor']\n\n[lexicon]\nrole = ['manager']\n\n"
        "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\n"
        "seed = {file = 'a.txt', quote = 'q'}\npatterns = ['re:\\bget my {role}\\b']\n"
    )
    with pytest.raises(CueFileError, match="near_miss"):
        CueMatcher.from_file(p)


def test_a_near_miss_class_of_a_small_cue_file(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        "[near_miss]\nfruit = ['banana']\n\n[lexicon]\nfruit = ['banana', 'apple']\n\n"
        "[[cue]]\nkind = 'x'\nspeaker = 'agent'\npolarity = 'good'\n"
        "seed = {file = 'a.txt', quote = 'q'}\npatterns = ['re:\\bi ate (?:a|an) {fruit}\\b']\n"
    )
    m = CueMatcher.from_file(p)
    got = m.find_cues([seg("agent", "Yesterday I ate a bananna at lunch.")])
    assert [c.kind for c in got] == ["x"] and got[0].quote == "I ate a bananna"
    assert m.find_cues([seg("agent", "Yesterday I ate a brownie at lunch.")]) == []


# -- someone above the agent without a determiner --------------------------------------------


def test_someone_senior_is_a_role_without_a_determiner() -> None:
    assert "supervisor_offer" in found("Give me a second and I'll fetch somebody more senior.")
    assert "manager_request" in found("I want someone with more authority.", "customer")
    assert "manager_request" in found("Can I speak to whoever manages the branch?", "customer")
    assert "supervisor_offer" not in found("I'll fetch someone from the stock room.")


def test_the_role_asked_to_act_a_few_words_apart() -> None:
    assert "supervisor_offer" in found("I will ask our shift manager to ring you tonight.")
    # consulting a manager is no offer; the customer's own manager is not ours
    assert "supervisor_offer" not in found("I will ask my manager about the discount.")
    assert "supervisor_offer" not in found("You would have to ask your manager to sign it.")


def test_the_role_named_then_the_wish_to_talk_to_them() -> None:
    assert "manager_request" in found("Your supervisor, I want to talk to her.", "customer")
    assert "manager_request" not in found("My supervisor, I want to talk to her.", "customer")


def test_no_going_on_without_a_manager() -> None:
    assert "manager_request" in found(
        "I'm not paying a penny more without a supervisor on the call.", "customer"
    )
    assert "manager_request" not in found(
        "We managed fine without a manager's signature.", "customer"
    )


# -- apologies: an object clause with its own subject; repeat requests ------------------------


def test_an_apology_with_a_subject_clause_is_specific() -> None:
    assert found("I'm sorry nobody called you about the refund.") == {"specific_apology"}
    assert found("Sorry you were cut off twice this morning.") == {"specific_apology"}


def test_a_generic_object_stays_bare() -> None:
    assert found("Sorry about all the bother.") == {"bare_apology"}
    assert found("Sorry about the hassle.") == {"bare_apology"}


def test_a_sorry_that_asks_to_repeat_is_no_apology() -> None:
    assert found("Sorry, you broke up there, can you repeat that?") == set()
    assert found("Sorry you broke up a bit, what was the postcode?") == set()


# -- feelings named by a verb or by the ordeal --------------------------------------------------


def test_feelings_named_by_a_verb_or_an_ordeal() -> None:
    assert "empathy" in found("Honestly that would annoy anyone.")
    assert "empathy" in found("You've really had a horrible fortnight.")
    assert "empathy" in found("You have been through so much with this account.")
    assert "empathy" in found("I can't imagine how stressful the move has been.")
    # not a feeling: a hard drive, a statement about annoying someone else
    assert "empathy" not in found("You have had a hard drive replaced.")
    assert "empathy" not in found("I can't imagine the price will change.")


# -- blame for a duty not done, but not inside the agent's own apology --------------------------


def test_a_third_party_that_did_not_do_its_job_is_blame() -> None:
    assert "blame_passing" in found("The delivery driver never scanned the parcel, so.")
    assert "blame_passing" in found("That was an error on the courier's end, not ours.")
    assert "blame_passing" not in found("I'm sorry the driver never scanned the parcel.")
    assert "blame_passing" not in found("That was an error on our end, I'll fix it.")


# -- tiny.en's slips around the role: "speak for", "me from your manager" -----------------------


def test_a_request_survives_the_preposition_misheard() -> None:
    assert "manager_request" in found("May I speak for a supervisor please?", "customer")
    assert "manager_request" in found("Okay, so, me from your manager.", "customer")
    # a sentence that goes on after the role is a statement ("an email from your manager")
    assert "manager_request" not in found("Send me from your manager an email.", "customer")
    assert "manager_request" not in found("I need to speak for a minute.", "customer")


def test_a_clarifying_sorry_is_no_apology() -> None:
    got = found("Sorry, just to check, is the flat on the second floor?")
    assert not got & {"bare_apology", "specific_apology"}
    assert found("Sorry for the muddle over the flat on the second floor.") == {"specific_apology"}


def test_anything_more_i_can_do_is_a_closing_not_an_offer() -> None:
    assert found("Anything else I can do for you this evening?") == {"closing"}
    assert "solution_offer" in found("Here is what we can do for you: a partial refund.")


# -- the role reached by other verbs; the offer's hard negatives --------------------------------


def test_offers_that_reach_the_role_by_other_routes() -> None:
    assert "supervisor_offer" in found("I'll flag this with my duty manager this morning.")
    assert "supervisor_offer" in found("My supervisor is back at two, shall I bring her in then?")
    assert "supervisor_offer" in found("I'll mention it to my manager and get him to ring you.")
    assert "supervisor_offer" in found("How about a quick call from my team leader?")
    # the role in passing: on leave, a document, a possession
    assert "supervisor_offer" not in found("My manager is on leave, shall I put you on hold?")
    assert "supervisor_offer" not in found("Please refer to the manager's handbook for that.")
    assert "supervisor_offer" not in found("I'll ask my manager whether the offer still runs.")


def test_requests_that_reach_the_role_by_other_routes() -> None:
    assert "manager_request" in found("Could your supervisor phone me this evening?", "customer")
    assert "manager_request" in found("I'd like to complain to a manager.", "customer")
    assert "manager_request" in found("Is your boss around?", "customer")
    assert "manager_request" in found("Hand me over to someone from head office.", "customer")
    assert "manager_request" not in found("My boss will phone me this evening.", "customer")
    assert "manager_request" not in found("Is the manager's parking space free?", "customer")


def test_empathy_in_other_words() -> None:
    assert "empathy" in found("I genuinely feel for you.")
    assert "empathy" in found("Gosh, what an exhausting morning you've had.")
    assert "empathy" in found("That's a miserable position to be in.")
    assert "empathy" in found("That is the last thing you needed this week.")
    assert "empathy" not in found("I feel the new tariff suits you better.")
    assert "empathy" not in found("That is the last thing on the invoice.")


# -- a garbled surname after a title --------------------------------------------------------------


def test_a_title_and_a_similar_skeleton_is_the_surname() -> None:
    name = "Priya Ramasamy"
    cues = find_cues(
        [seg("agent", "Thanks, Mrs. Ramsummy, that's all updated.")], customer_name=name
    )
    used = [c for c in cues if c.kind == "customer_name_used"]
    assert len(used) == 1 and used[0].quote == "Mrs. Ramsummy,"
    assert used[0].confidence <= 0.5 + 1e-9
    both = find_cues([seg("agent", "Thanks, Mrs. Ram Summy, that's done.")], customer_name=name)
    assert [c.kind for c in both] == ["customer_name_used"]
    both = find_cues([seg("agent", "Right, Mrs. Rumsey, one moment.")], customer_name=name)
    assert [c.kind for c in both] == ["customer_name_used"]


def test_another_surname_or_no_title_is_not_the_customer() -> None:
    name = "Priya Ramasamy"
    for text in (
        "Mrs. Patel from billing will ring you.",  # another skeleton
        "Mrs. Ramsey from billing will ring you.",  # a similar one, but no vocative
        "Rumsey is on the form.",  # no title: the stricter near-miss rule applies
        "Thanks, mrs. ramsummy, done.",  # Whisper capitalises a name it writes as one
    ):
        assert "customer_name_used" not in {
            c.kind for c in find_cues([seg("agent", text)], customer_name=name)
        }, text


def test_a_negation_before_the_name_does_not_cancel_it() -> None:
    cues = find_cues([seg("agent", "No, not yet, Mrs. Ramasamy.")], customer_name="Priya Ramasamy")
    assert [c.kind for c in cues] == ["customer_name_used"]
    assert "solution_offer" not in found("No, we can not refund you.")


# -- blame: a third party as the subject of a fault word ------------------------------------------


def test_a_third_party_and_a_fault_word_in_one_clause_is_blame() -> None:
    for text in (
        "The removal firm are hopeless, honestly.",
        "Our dispatch team packed the wrong charger.",
        "It's the payment provider that's holding things up.",
        "The earlier advisor gave you incorrect dates.",
        "Your bank bounced the transfer, not us.",
    ):
        assert "blame_passing" in found(text), text


def test_a_third_party_without_a_fault_or_with_a_condition_is_no_blame() -> None:
    for text in (
        "The removal firm will bring the wrong boxes back for you.",  # a modal: a plan
        "If the payment provider shows the wrong amount, ring us.",  # a condition
        "The app lets you flag a wrong charge.",  # "wrong" not done by the party
        "I'm sorry the removal firm lost your box.",  # our own apology
        "So what you're saying is the app keeps crashing.",  # the caller's words restated
    ):
        assert "blame_passing" not in found(text), text


def test_sent_elsewhere_in_other_words_is_bouncing() -> None:
    assert "bouncing" in found("You'd be better off ringing the council about that.")
    assert "bouncing" in found("For that you need the lettings team.")
    assert "bouncing" not in found("You need the reference number for that.")


def test_oh_no_is_an_exclamation_not_a_negation() -> None:
    assert "empathy" in found("Oh no, how maddening.")
    # a negation negates within its own clause only
    assert "supervisor_offer" in found("If that's not enough, my supervisor can review it.")
    assert "supervisor_offer" not in found("I'm afraid my supervisor can not review it.")
    assert "solution_offer" in found("No, I can offer you a refund.")
    assert "solution_offer" not in found("We can not offer you a refund.")


def test_more_routes_to_the_role_and_their_hard_negatives() -> None:
    assert "supervisor_offer" in found("My supervisor is free now, let me fetch him for you.")
    assert "supervisor_offer" in found("I'll have your complaint passed up to a manager.")
    assert "manager_request" in found("Is there someone over you I could speak to?", "customer")
    assert "manager_request" in found("Your supervisor, then?", "customer")
    assert "supervisor_offer" not in found("Let me pull up the manager's notes from Monday.")
    assert "manager_request" not in found("A supervisor, I think.", "customer")


def test_sympathy_with_the_ordeal_is_empathy_not_an_apology() -> None:
    got = found("I'm so sorry you're going through all of this.")
    assert "empathy" in got and not got & {"bare_apology", "specific_apology"}
    assert found("I'm sorry you were charged for the wrong month.") == {"specific_apology"}


def test_still_more_routes_to_the_role() -> None:
    assert "supervisor_offer" in found("I'll get you in touch with my supervisor today.")
    assert "supervisor_offer" in found("I can ask the shift manager to step in.")
    assert "manager_request" in found("I'm staying on until I talk to your manager.", "customer")
    assert "manager_request" in found("Someone more senior needs to look at this.", "customer")
    assert "manager_request" not in found("The manager needs to sign the lease.", "customer")


def test_sure_and_bet_acknowledge_a_feeling() -> None:
    assert "empathy" in found("I bet that was a bit unnerving.")
    assert "empathy" not in found("I bet that was the courier.")


def test_a_sentence_ending_on_me_your_manager_is_a_request() -> None:
    assert "manager_request" in found("Honestly, just, um, me your manager now.", "customer")
    assert "manager_request" not in found("Send me your manager's email address.", "customer")
    assert "manager_request" not in found("You remind me your manager is away.", "customer")


def test_politeness_words_do_not_break_a_request() -> None:
    assert "manager_request" in found("May I perhaps speak with your manager?", "customer")
    assert "manager_request" in found("We would prefer to talk to a supervisor.", "customer")
    assert "manager_request" in found("Put me onto a manager, please.", "customer")
    assert "manager_request" not in found("We would prefer to talk to you, actually.", "customer")


def test_the_role_brought_to_the_caller() -> None:
    assert "supervisor_offer" in found("Hold on and I'll have the duty manager on the phone.")
    assert "supervisor_offer" in found("My supervisor is here, would you like a word with him?")
    assert "supervisor_offer" not in found("I'll have the manager's answer by Friday.")


@pytest.mark.parametrize(
    "text",
    [
        "Come down, I'm trying to help you.",
        "Okay, come down. Let me look at it.",
        "Sir, come down, please.",
    ],
)
def test_the_bare_imperative_come_down_is_the_misheard_calm_down(text: str) -> None:
    assert "negative_phrasing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Come down to the branch tomorrow and we'll swap it.",
        "Can you come down to the store on Friday?",
        "The price should come down next month.",
        "You can come down anytime, we're open till five.",
        "I'll come down myself.",
    ],
)
def test_come_down_with_a_place_or_a_subject_is_not_calm_down(text: str) -> None:
    assert "negative_phrasing" not in found(text)
