"""Cue frames for wording further from the matcher's first sets: idioms, indirect requests,
fillers inside a cue, a cue in mid-sentence (issue 14, session 17, H7).

Every sentence here is written for these tests (none is from a cue set). Each class of wording has
positives and a hard negative that shares its words but is not the cue.
"""

from __future__ import annotations

import pytest

from calltone.models.speech.cues import find_cues
from tests.support.synth import words_segment as seg


def kinds(text: str, speaker: str = "agent") -> set[str]:
    return {c.kind for c in find_cues([seg(speaker, text)], customer_name="Priya Kapoor")}


POSITIVES = [
    # negative_phrasing
    ("negative_phrasing", "agent", "Sir, you should take a deep breath before we go on."),
    ("negative_phrasing", "agent", "You'll simply have to be patient like the rest of our customers."),
    ("negative_phrasing", "agent", "No, you are mistaken, the bill went out on the first."),
    ("negative_phrasing", "agent", "That's not our job, madam, to track down your parcel."),
    ("negative_phrasing", "agent", "Like it or lump it, the tariff goes up in April."),
    ("negative_phrasing", "agent", "I already explained this to you three times."),
    ("negative_phrasing", "agent", "We just don't refund delivery charges."),
    ("negative_phrasing", "agent", "There's really nothing else I can say about the fee."),
    ("negative_phrasing", "agent", "Just relax, it will arrive when it arrives."),
    # bouncing
    ("bouncing", "agent", "The water board are the people who handle burst mains, not us."),
    ("bouncing", "agent", "Get in touch with your insurer, they cover the windscreen."),
    ("bouncing", "agent", "So just give the surgery a call when they open."),
    ("bouncing", "agent", "They've got their own helpline for that, I'm afraid."),
    ("bouncing", "agent", "Oh, that's a job for the repairs team."),
    # paraphrasing
    ("paraphrasing", "agent", "Okay, let me quickly recap where we are with the boiler."),
    ("paraphrasing", "agent", "Right, your main worry is that the direct debit goes out twice."),
    ("paraphrasing", "agent", "What I am gathering is the meter was read on the wrong day."),
    ("paraphrasing", "agent", "So, long story short, the van came and went without knocking."),
    # ownership
    ("ownership", "agent", "Leave the supplier to me, I'll make the call and let you know by four."),
    ("ownership", "agent", "I shall look into the refund and revert to you within the hour."),
    ("ownership", "agent", "I'm going to talk to the warehouse personally about this."),
    ("ownership", "agent", "I'm setting a reminder in my calendar to chase it on Monday."),
    ("ownership", "agent", "I'll follow this up myself, you won't need to ring again."),
    # supervisor_offer
    ("supervisor_offer", "agent", "I could get my team leader to have a look at the account."),
    ("supervisor_offer", "agent", "We can log a complaint with the duty manager today."),
    ("supervisor_offer", "agent", "Our manager is back at two, should I have him call you?"),
    ("supervisor_offer", "agent", "If you'd prefer a manager, sir, I can arrange that."),
    # manager_request
    ("manager_request", "customer", "I would prefer to discuss the bill with a supervisor."),
    ("manager_request", "customer", "Can I have the direct line for your manager, please?"),
    ("manager_request", "customer", "Kindly escalate my complaint to a senior official."),
    ("manager_request", "customer", "Is there a manager working this afternoon?"),
    # boundary_setting
    ("boundary_setting", "agent", "This is a final warning about your language, madam."),
    ("boundary_setting", "agent", "I'll hear your complaint, but not the abuse."),
    ("boundary_setting", "agent", "Shouting at me won't get us anywhere, sir."),
    ("boundary_setting", "agent", "I'm not going to be shouted at on this call."),
    # empathy
    ("empathy", "agent", "Oh, that really is the worst feeling."),
    ("empathy", "agent", "That would have sent you into a proper spin, I'm sure."),
    ("empathy", "agent", "Honestly, we could only start to imagine the week you've had."),
    ("empathy", "agent", "Oh, that's genuinely awful."),
    # specific_apology
    ("specific_apology", "agent", "I'm sorry, sincerely, that nobody rang you back on Friday."),
    ("specific_apology", "agent", "Apologies about the, like, the delay on your order."),
    # blame_passing
    ("blame_passing", "agent", "It was his paperwork that was to blame, not ours."),
    ("blame_passing", "agent", "If the courier had rung the bell you would have got it Monday."),
    ("blame_passing", "agent", "The app has a mind of its own these days."),
    ("blame_passing", "agent", "Head office decided to stop the discount, it wasn't us."),
    # solution_offer
    ("solution_offer", "agent", "What I could try is moving your payment date to the tenth."),
    ("solution_offer", "agent", "There's a cancellation on Thursday, shall I rebook you?"),
    # closing
    ("closing", "agent", "Okay then, you know where to find us. Goodbye for now."),
    # abuse
    ("abuse", "customer", "You lot are shameless frauds, the lot of you."),
    ("abuse", "customer", "Are you, like, actually brain dead?"),
    ("abuse", "customer", "Listen here, you useless little receptionist."),
]


@pytest.mark.parametrize(("kind", "speaker", "text"), POSITIVES)
def test_new_wording_classes_fire(kind: str, speaker: str, text: str) -> None:
    assert kind in kinds(text, speaker)


HARD_NEGATIVES = [
    # same words, no cue
    ("negative_phrasing", "agent", "If you take a deep breath the monitor reads better, the nurse said."),
    ("negative_phrasing", "agent", "You are right, that was our mistake."),
    ("negative_phrasing", "agent", "If we just don't get the part, I'll call you."),
    ("negative_phrasing", "agent", "Sit back and relax while I fill in the form."),
    ("bouncing", "agent", "I'll give the depot a ring for you right now."),
    ("bouncing", "agent", "They've got a new line of kettles in store."),
    ("paraphrasing", "agent", "Let me just check the stock for you."),
    ("paraphrasing", "agent", "Is your main concern the price or the delivery?"),
    ("ownership", "agent", "You can revert to the old tariff at any time."),
    ("ownership", "agent", "The reminder letter went out on Tuesday."),
    ("supervisor_offer", "agent", "My manager asked me to read out the new terms."),
    ("supervisor_offer", "agent", "The manager is on holiday this week."),
    ("manager_request", "customer", "My manager gave me the number for your helpline."),
    ("manager_request", "customer", "Is there a shop open today near the station?"),
    ("boundary_setting", "agent", "It's not a personal loan, it's a credit card."),
    ("boundary_setting", "agent", "This is the final reminder about the unpaid bill."),
    ("empathy", "agent", "The worst of the storm has passed, the engineer says."),
    ("empathy", "agent", "That will put you in the top tier for rewards."),
    ("specific_apology", "agent", "Sorry, just to confirm the delivery address."),
    ("blame_passing", "agent", "If the courier had the parcel it would have a tracking number."),
    ("solution_offer", "agent", "Shall I read you the terms first?"),
    ("closing", "agent", "You know where the fuse box is, don't you?"),
    ("abuse", "customer", "You kept the little box the router came in?"),
]


@pytest.mark.parametrize(("kind", "speaker", "text"), HARD_NEGATIVES)
def test_hard_negatives_do_not_fire(kind: str, speaker: str, text: str) -> None:
    assert kind not in kinds(text, speaker)


# -- a data check or read-back is no paraphrase; a restatement still is --------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Can I just confirm your date of birth, please?",
        "Okay, let me repeat that back to you: oh one six, double two, four nine.",
        "So that's K for kilo, A, P, O, O, R, is that correct?",
        "Just to confirm the sort code on the account?",
    ],
)
def test_data_check_is_not_paraphrasing(text: str) -> None:
    assert "paraphrasing" not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can I just confirm, the boiler stopped after the engineer left?",
        "Let me read that back: the meter was swapped and the bills doubled.",
        "So the van came twice and nobody knocked, is that right?",
    ],
)
def test_restatement_is_still_paraphrasing(text: str) -> None:
    assert "paraphrasing" in kinds(text)
