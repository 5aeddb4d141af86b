"""Cue mechanisms of session 16 (issue 14 item 3): classes of wording, not sentences.

Every sentence here is written for these tests (none is from a cue set or from the probe rounds
of ``bench/cue_probes_s16.py``). Each mechanism has positives beside hard negatives that share
its words: a refusal is an inability + a service verb (not perception, not a condition, not a
policy stated as information); blame is a third party (any organisation or member of staff) + a
fault (a duty not done, done without care, stopping us), or the caller's counterfactual; a team
that does not cover the request is bouncing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calltone.models.speech.cues import CueFileError, CueMatcher, find_cues
from tests.support.synth import words_segment


def found(text: str, speaker: str = "agent", name: str | None = "Tomasz Wielgus") -> set[str]:
    return {c.kind for c in find_cues([words_segment(speaker, text)], customer_name=name)}


# -- lexicon lists may name other lists ----------------------------------------------------------


def test_a_lexicon_list_may_name_another(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(
        """
[lexicon]
pet = ["cat", "{big_pet}"]
big_pet = ["horse", "pony"]
[[cue]]
kind = "pet_talk"
speaker = "agent"
polarity = "signal"
patterns = ['re:\\bmy {pet}\\b']
seed = { file = "001_73e7dd2188730d66.txt", quote = "x" }
""",
        encoding="utf-8",
    )
    m = CueMatcher.from_file(f)
    kinds = lambda text: {c.kind for c in m.find_cues([words_segment("agent", text)])}  # noqa: E731
    assert kinds("I rode my pony today") == {"pet_talk"}
    assert kinds("I fed my cat") == {"pet_talk"}
    assert kinds("I fed my dog") == set()


def test_lexicon_lists_that_name_each_other_in_a_cycle_are_an_error(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(
        """
[lexicon]
a = ["x", "{b}"]
b = ["y", "{a}"]
[[cue]]
kind = "k"
speaker = "agent"
polarity = "signal"
patterns = ['re:\\b{a}\\b']
seed = { file = "001_73e7dd2188730d66.txt", quote = "x" }
""",
        encoding="utf-8",
    )
    with pytest.raises(CueFileError, match="cycle"):
        CueMatcher.from_file(f)


# -- negative phrasing: an inability + a service verb, whatever its object -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm not able to lower the excess on this policy.",
        "Unfortunately we can't backdate the discount.",
        "I won't be able to reopen the claim, I'm afraid.",
        "There's no way for me to unfreeze the card today.",
        "That isn't something we're allowed to change.",
        "We don't price match, full stop.",
    ],
)
def test_a_refusal_of_a_service_is_negative_phrasing(text: str) -> None:
    assert "negative_phrasing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can't hear the last digit, could you repeat it?",  # perception
        "I can't see a second payment on the statement.",
        "If we can't fix it remotely, an engineer will come out.",  # a condition
        "We don't offer paper statements on this account.",  # policy as information
        "We won't send any more letters about it.",
        "There's no need to post the form back.",
        "You won't be able to use the old card after Friday.",  # the caller, not the agent
    ],
)
def test_the_same_words_without_a_refusal_are_not_negative_phrasing(text: str) -> None:
    assert "negative_phrasing" not in found(text)


# -- blame: any outside party + a fault; the caller's counterfactual ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The plumber who came out didn't seal the joint.",  # a relative clause, a duty not done
        "The estate agent handed the keys over without checking the meter.",
        "The clinic's own admin team failed to send the referral.",
        "It's the airline's mistake, they sold the seat twice.",
        "The card issuer won't let me release the funds.",
        "The app has been playing up since the update.",
        "If you had paid by the fifth, the fee wouldn't have been added.",
    ],
)
def test_a_third_party_at_fault_or_the_callers_counterfactual_is_blame(text: str) -> None:
    assert "blame_passing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The plumber who came out fitted a new valve.",
        "The estate agent has the spare keys.",
        "The clinic didn't need the referral in the end.",  # a need, not a duty
        "The airline will email your boarding pass.",
        "The app lets you pay by card or by transfer.",
        "If you'd like, we could have it sent to your work address.",  # polite, not blame
        "If you'd prefer, I can call you back later.",
    ],
)
def test_a_third_party_without_a_fault_is_no_blame(text: str) -> None:
    assert "blame_passing" not in found(text)


# -- bouncing: our team does not cover it; the department named as the one for it --------------


@pytest.mark.parametrize(
    "text",
    [
        "Our desk doesn't handle lost cards, you'll want the fraud line.",
        "This team only deals with mortgages.",
        "Ah, that would be the travel insurance team.",
        "You're better off ringing the dealership.",
    ],
)
def test_sent_elsewhere_by_what_our_team_covers(text: str) -> None:
    assert "bouncing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our team handles that, so you're in the right place.",
        "That would be the quickest way to do it.",
        "The travel insurance team have approved the claim.",
    ],
)
def test_our_team_handling_it_is_no_bouncing(text: str) -> None:
    assert "bouncing" not in found(text)


# -- boundary setting: conduct not accepted, not a policy -----------------------------------


def test_not_accepting_conduct_is_a_boundary_not_accepting_returns() -> None:
    assert "boundary_setting" in found("I won't accept that kind of language.")
    assert "boundary_setting" in found("We can't continue this call if the shouting goes on.")
    assert "boundary_setting" not in found("We don't accept cheques any more.")
    assert "boundary_setting" not in found("We can't continue the repair until the part arrives.")


# -- solution offer: the agent + a remedy verb; information is no remedy -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can pause the first payment until March.",
        "Let me rebook the delivery for Thursday morning.",
        "We could downgrade you to the basic bundle instead.",
        "I can get the engineer out on Wednesday.",
        "What I'd recommend is we replace the handset.",
        "The easiest fix is for us to resend the activation code.",
    ],
)
def test_a_remedy_offered_is_a_solution(text: str) -> None:
    assert "solution_offer" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can give you the claim reference now.",
        "I'll send you a text with the details.",
        "Let me check the delivery slot first.",
        "I can see the order was split into two boxes.",
        "The easiest way is to call the dealership directly.",  # bouncing, not an offer
        "We offer three kinds of cover on this plan.",  # a description, no modal
    ],
)
def test_information_or_a_check_is_no_solution(text: str) -> None:
    assert "solution_offer" not in found(text)


# -- ownership: the case taken on, the agent its contact, staying with it -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm handling this one personally from here.",
        "I'll be your direct contact until it's resolved.",
        "I'm not letting this go until the refund lands.",
        "This is my job now, and I'll see it through.",
        "Let's go through it together and get the heating back on.",
        "You won't have to explain the whole thing again.",
    ],
)
def test_taking_the_case_on_is_ownership(text: str) -> None:
    assert "ownership" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I've got this month's statement here.",
        "Let me make sure I've got the right postcode.",
        "I'll take that on board for next time.",
        "I'm on the billing screen now.",
        "We can put both names together on the account.",
    ],
)
def test_the_same_words_without_taking_it_on_are_no_ownership(text: str) -> None:
    assert "ownership" not in found(text)


# -- closing: anything else opening its clause; the check that all is covered; not the greeting -


@pytest.mark.parametrize(
    "text",
    [
        "Right, you're all booked in, anything more I can do?",
        "Has that answered all your questions today?",
        "Did I cover everything you wanted to ask?",
    ],
)
def test_checking_nothing_is_left_is_a_closing(text: str) -> None:
    assert "closing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for calling Hillside Water, you're speaking to Dev, how can I help?",
        "Is there anything else on the invoice, like a PO number?",
        "Have you covered the postage yourself?",
    ],
)
def test_the_greeting_or_a_question_about_a_paper_is_no_closing(text: str) -> None:
    assert "closing" not in found(text)


# -- paraphrasing: so that we agree, played back; not a purpose or sympathy ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "Just so I'm sure, the charge appeared after you cancelled?",
        "Let me read that back to you: two adults, one child, the twelfth?",
        "So the engine light came on and then the car stalled, is that it?",
    ],
)
def test_a_restatement_is_paraphrasing(text: str) -> None:
    assert "paraphrasing" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "You'll get an email to confirm the cancellation.",
        "It sounds like you've been through a horrible time with this.",
        "We'll ring you on the day to confirm the slot.",
    ],
)
def test_a_purpose_or_sympathy_is_no_paraphrasing(text: str) -> None:
    assert "paraphrasing" not in found(text)


# -- abuse: a name called, a threat; mild swearing only when aimed at the agent -----------------


@pytest.mark.parametrize(
    "text",
    [
        "Are you dense or what?",
        "You lot are a pack of cowboys.",
        "Look, you gormless man, read the screen.",
        "Carry on like this and you'll regret it.",
        "You're a complete waste of space.",
        "Don't feed me that rubbish, you bloody liar.",
    ],
)
def test_a_name_called_or_a_threat_is_abuse(text: str) -> None:
    assert "abuse" in found(text, "customer")


@pytest.mark.parametrize(
    "text",
    [
        "The bloody train was cancelled again.",
        "This damn laptop keeps freezing.",
        "I'll come down to the shop on Saturday and sort it out there.",
        "Are you able to see the payment?",
        "I'm so angry about this, it's the third letter.",
    ],
)
def test_frustration_without_an_insult_or_a_threat_is_no_abuse(text: str) -> None:
    assert "abuse" not in found(text, "customer")


# -- manager request: someone with authority, a role on shift, up the chain -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "Is there a duty manager in today I could speak to?",
        "I need someone with the authority to sign this off.",
        "Who do you report to?",
        "Take this over your head, please.",
        "Put me on to whoever's in charge of complaints.",
    ],
)
def test_asking_for_someone_above_the_agent_is_a_request(text: str) -> None:
    assert "manager_request" in found(text, "customer")


@pytest.mark.parametrize(
    "text",
    [
        "Is there a manager's number on the letter?",
        "My line manager said I could take the afternoon off.",
        "Who's in the photo on your website?",
    ],
)
def test_a_role_in_passing_is_no_request(text: str) -> None:
    assert "manager_request" not in found(text, "customer")


# -- boundary setting: conduct asked to stop, a condition of conduct, remarks left out ---------


@pytest.mark.parametrize(
    "text",
    [
        "May I ask you to stop swearing, please?",
        "Could you please not shout at me?",
        "I'll keep going with you so long as we stay civil.",
        "Let's leave the insults out of it.",
    ],
)
def test_a_limit_on_conduct_is_boundary_setting(text: str) -> None:
    assert "boundary_setting" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "May I ask you to spell the surname?",
        "As long as you keep the box, you can send it back.",
        "Let's leave the old address on the account for now.",
    ],
)
def test_the_same_frames_about_other_things_are_no_boundary(text: str) -> None:
    assert "boundary_setting" not in found(text)


# -- supervisor offer as a help; empathy by a situation noun or what nobody wants ---------------


def test_would_it_help_to_bring_in_the_role() -> None:
    assert "supervisor_offer" in found("Would it be useful if my team leader gave you a ring?")
    assert "supervisor_offer" in found("Would it help to have a word with a manager?")
    assert "supervisor_offer" not in found("Would it help to have the manager's name for your letter?")
    assert "supervisor_offer" not in found("Would it help if I sent the form again?")


@pytest.mark.parametrize(
    "text",
    [
        "That's a horrid situation to be stuck in.",
        "That's such a worrying time for you.",
        "It's not what anybody needs to be dealing with before Christmas.",
    ],
)
def test_a_feeling_situation_or_what_nobody_wants_is_empathy(text: str) -> None:
    assert "empathy" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "That's a tricky question to answer on the phone.",
        "It's not what you ordered, so send it back.",
        "That's a difficult one, let me ask.",
    ],
)
def test_a_hard_question_or_a_wrong_order_is_no_empathy(text: str) -> None:
    assert "empathy" not in found(text)


# -- apologies: the failing in the next clause; "any" hedges; a self-correction ----------------


def test_an_apology_then_the_failing_admitted_is_specific() -> None:
    assert found("Sorry, Mr Wielgus, we should have cancelled the direct debit in May.") >= {
        "specific_apology"
    }
    assert "specific_apology" in found("My apologies, the courier was meant to ring before delivering.")
    got = found("Sorry about that, it shouldn't have happened.")
    assert "specific_apology" not in got and "bare_apology" in got
    got = found("Sorry, I didn't catch the last bit of your postcode.")
    assert "specific_apology" not in got


def test_any_hedges_an_apology_and_a_correction_is_none() -> None:
    got = found("Apologies for any disruption there.")
    assert "bare_apology" in got and "specific_apology" not in got
    assert "specific_apology" in found("Apologies for the disruption to your broadband on Sunday.")
    assert found("Sorry, I meant the Leeds branch, not York.") == set()
    assert found("Sorry, correction, that's twenty past, not ten past.") == set()


# -- after probe round 4 ---------------------------------------------------------------------


def test_perspective_taking_and_limits_are_empathy() -> None:
    assert "empathy" in found("I'd be up in arms if that happened to me.")
    assert "empathy" in found("You must be at breaking point with all this.")
    assert "empathy" in found("That can't have been a welcome sight on your doorstep.")
    assert "empathy" not in found("It would be cheaper if that happened to me in March.")


def test_an_apology_then_what_we_did_is_specific() -> None:
    assert "specific_apology" in found("Sorry, we posted the new card to the wrong flat number.")
    got = found("Sorry, we need to ask a couple of security questions first.")
    assert "specific_apology" not in got


def test_someone_else_did_it_not_us_is_blame_but_a_restatement_is_not() -> None:
    assert "blame_passing" in found("It was the old owner who switched the tariff, not us.")
    assert "blame_passing" in found("Head office kept changing the form without telling anyone.")
    assert "blame_passing" not in found("So the courier lost it on the way, is that right?")
    assert "blame_passing" not in found("It was the old owner who switched the tariff in 2019.")


def test_a_remedy_proposed_as_a_question_is_a_solution() -> None:
    assert "solution_offer" in found("How would it be if we refunded the postage?")
    assert "solution_offer" not in found("Would it be okay if I put you on hold for a minute?")
    assert "solution_offer" not in found("Let me add a note to the file about your call.")


def test_more_ownership_paraphrase_and_boundary_frames() -> None:
    assert "ownership" in found("Treat this as my top priority, I'll ring you by three.")
    assert "ownership" in found("I'll keep the ticket open and check in with you tomorrow.")
    assert "paraphrasing" in found("Put simply, you were billed after you cancelled.")
    assert "paraphrasing" not in found("Put the receipt in the box, please.")
    assert "boundary_setting" in found("I can't help while you're swearing at me.")
    assert "boundary_setting" in found("Please watch your language, sir.")
    assert "boundary_setting" not in found("Please watch your inbox for the confirmation.")


def test_a_sorry_for_a_pause_is_no_apology() -> None:
    assert found("Sorry, one second while I open the account.") == set()
    assert "bare_apology" in found("Sorry.")


# -- after probe round 5 ---------------------------------------------------------------------


def _small_cue_file(tmp_path: Path, skip: bool | None) -> Path:
    f = tmp_path / "c.toml"
    opts = "" if skip is None else f"[options]\nregex_skips_fillers = {str(skip).lower()}\n"
    f.write_text(
        opts
        + """
[[cue]]
kind = "offer"
speaker = "agent"
polarity = "good"
patterns = ['re:\\bi could (?:switch|move) (?:the|your) \\w+']
seed = { file = "001_73e7dd2188730d66.txt", quote = "x" }
""",
        encoding="utf-8",
    )
    return f


def test_regex_frames_skip_hesitations_when_the_cue_file_says_so(tmp_path: Path) -> None:
    text = "I could, um, er, move the booking to Friday."
    on = CueMatcher.from_file(_small_cue_file(tmp_path, True))
    cues = on.find_cues([words_segment("agent", text)])
    assert [c.kind for c in cues] == ["offer"]
    # the quote and times are still the transcript's words, hesitations included
    assert cues[0].quote == "I could, um, er, move the booking"
    for skip in (False, None):  # off, and off by default
        off = CueMatcher.from_file(_small_cue_file(tmp_path, skip))
        assert off.find_cues([words_segment("agent", text)]) == []
    assert found("I could, um, rebook you onto the earlier train.") >= {"solution_offer"}
    assert found("Um.") == set()


def test_options_other_than_the_switch_are_an_error(tmp_path: Path) -> None:
    f = _small_cue_file(tmp_path, True)
    f.write_text(f.read_text().replace("regex_skips_fillers", "skip_everything"), encoding="utf-8")
    with pytest.raises(CueFileError, match="options"):
        CueMatcher.from_file(f)


def test_more_frames_from_round_5() -> None:
    assert "empathy" in found("Oh, and on your birthday as well, I can't even imagine.")
    assert "ownership" in found("I'm definitely going to chase this up for you today.")
    assert "paraphrasing" in found("Can I just check I've understood, the bill doubled in May?")
    assert "closing" in found("Thanks ever so much for your patience today.")
    assert "abuse" in found("Get lost, you jumped up little jobsworth.", "customer")
    assert "abuse" not in found("Thank you, you've been a star.", "customer")
    assert "manager_request" in found("Who's the most senior person on shift?", "customer")
    assert found("Sorry, did you say the fifth or the ninth?") == set()


# -- after probe round 6 (hard negatives) ----------------------------------------------------


def test_routine_account_work_is_no_solution_but_a_remedy_is() -> None:
    assert "solution_offer" not in found("I'll just update the email address as you asked.")
    assert "solution_offer" not in found("I'll move on to the last few questions now.")
    assert "solution_offer" not in found("Let me book that in for you then, Friday at two.")
    assert "solution_offer" in found("I'll waive the admin fee this time.")
    assert "solution_offer" in found("Let me send an engineer round on Thursday.")
    assert "solution_offer" in found("I can change the due date to the fifteenth if that suits.")


def test_a_habit_or_our_missed_option_is_no_blame() -> None:
    assert "blame_passing" not in found("The post office never opens on Sundays round there.")
    assert "blame_passing" in found("The post office never forwarded your mail, by the look of it.")
    assert "blame_passing" not in found("If you'd brought the receipt we could have refunded it there.")
    assert "blame_passing" in found("If you'd kept the box, the return wouldn't have cost anything.")


def test_asking_for_details_is_no_closing() -> None:
    assert "closing" not in found("Anything else we need to know about parking at the house?")
    assert "closing" not in found("Thanks for calling back so quickly, I've got the file open.")
    assert "closing" in found("Anything else for you today?")
    assert found("Sorry, just checking the account number.") == set()


# -- after probe round 7 ---------------------------------------------------------------------


def test_round_7_classes() -> None:
    assert "empathy" in found("Oh, what a morning you've had.")
    assert "empathy" not in found("What a morning for it.")
    assert "empathy" in found("It's exhausting having to repeat yourself every time.")
    assert "empathy" in found("No one likes to be kept waiting, I get that.")
    assert "ownership" in found("I'll take full responsibility for the follow-up.")
    assert "ownership" in found("Leave the ringing round to me.")
    assert "ownership" not in found("Leave the parcel on the step.")
    assert "paraphrasing" in found("Am I right in saying the card was cancelled twice?")
    assert "paraphrasing" in found("So what's happened is the payment bounced?")
    assert "paraphrasing" not in found("Am I speaking to Mr Wielgus?")
    assert "blame_passing" in found("Somebody at the depot must have lost the paperwork.")
    assert "blame_passing" not in found("Somebody at the depot will ring you in the morning.")
    assert "solution_offer" in found("I could look at getting you a new handset.")
    assert "solution_offer" not in found("I could look at the notes from last week.")
    assert "solution_offer" in found("There's an option to switch you to quarterly billing.")
    assert "solution_offer" not in found("There's an option on the menu to pay by card.")
    assert "closing" in found("Right, I'll let you get on, bye now.")
    assert "closing" not in found("Bye now is what the recording says when it cuts out.")


# -- after probe round 8 ---------------------------------------------------------------------


def test_round_8_classes() -> None:
    assert "empathy" in found("Oh, that's such bad luck.")
    assert "empathy" in found("I can see how that would knock your plans sideways.")
    assert "empathy" not in found("I can see how that would work on the new tariff.")
    got = found("I'm sorry it's all been such a nightmare.")
    assert "empathy" in got and "specific_apology" not in got
    assert "negative_phrasing" in found("I'm afraid that discount is no longer available.")
    assert "blame_passing" in found("The payment processor has been having ongoing issues all week.")
    assert "blame_passing" in found("It was the insurer's call to reject it, not ours.")
    assert "bouncing" in found("We only deal with the mobile side, sorry.")
    assert "bouncing" in found("The water meter is a separate company, I'm afraid.")
    assert "solution_offer" in found("I can stick a credit of five pounds on the account.")
    assert "solution_offer" in found("I could push the renewal back a month for you.")
    assert "ownership" in found("I'm making it my mission to sort this out today.")
    assert "ownership" not in found("I'll own up, I don't know that code.")
    assert "paraphrasing" in found("Correct me if I'm wrong, you were charged twice?")
    assert "paraphrasing" in found("So the long and short of it is the heating works but not the hot water?")
    assert "paraphrasing" not in found("Let me make sure I've followed the steps on the sheet.")
    assert "boundary_setting" in found("I'd be grateful if you could stop raising your voice.")
    assert "boundary_setting" in found("We can't go on if you're going to shout at me.")
    assert "closing" in found("Cheers for calling, bye now.")
    assert "abuse" in found("You lot are a complete farce.", "customer")
    assert found("Apologies, the line's really bad this end.") == set()


# -- after probe round 9 ---------------------------------------------------------------------


def test_round_9_classes() -> None:
    assert "empathy" in found("I'd be every bit as angry as you are.")
    assert "empathy" in found("It makes complete sense that you're frustrated.")
    assert "empathy" not in found("It makes sense to switch to the annual plan.")
    assert "empathy" in found("Naturally you're concerned, it's a big sum.")
    assert "empathy" in found("You shouldn't have had to ring us four times.")
    assert "empathy" in found("Waiting in all day for nobody to turn up is infuriating.")
    assert "ownership" in found("Okay, your complaint is with me now.")
    assert "ownership" not in found("Your parcel is with the courier now.")
    assert "ownership" in found("I'm not going to let this one slide.")
    assert "ownership" in found("Let me get to the bottom of what happened.")
    assert "ownership" not in found("I'll stay on the line while the page loads.")
    assert "ownership" in found("I'll stay on the line with you until the card works.")
    assert "paraphrasing" in found("If I'm hearing you right, the first bill was fine?")
    assert "paraphrasing" in found("Let me recap what you've told me.")
    assert "paraphrasing" not in found("Let me recap the terms of the offer.")
    assert "paraphrasing" not in found("So the balance is twelve pounds, is that fair?")
    assert "boundary_setting" in found("I'll hang up if you keep swearing at me.")
    assert "boundary_setting" not in found("I'll end the call now and text you the link.")
