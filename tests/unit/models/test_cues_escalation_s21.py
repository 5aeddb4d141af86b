"""The role kinds' escalation classes of issue 14's list (session 21): "nab" the role, the one
above the agent ("someone over you", "whoever you report to", "superiors"), the caller's
insistence said at length ("not going anywhere until ...", "till I've spoken to ..."), "go over
your head", and the escalations team; their hard negatives (the figure of speech "over your
head", "over you" meaning fed up, the caller's own boss, the role's own words, a past transfer);
and the reported-act rule (``models/speech/reported.py``) over the new classes.

Phrases: the packaged cue file. Meaning: the act check of the escalation classes
(``MeaningCueOptions.escalation_classes``; no model needed). Every sentence here was written for
this file after the classes were written, and is in no cue set, bench list or other test; each
positive was missed by the phrase matcher before session 21 (5 of the 18 were found by the
meaning rule), so the test fails without the new classes.
"""

from __future__ import annotations

import pytest

from calltone.models.speech.cues import find_cues
from calltone.models.speech.meaning_cues import act_pair_lends, has_act_form
from tests.support.synth import words_segment as seg

ROLE_KINDS = ("supervisor_offer", "manager_request")


def role_kinds(text: str, speaker: str, *, phrases_only: bool = False) -> set[str]:
    """The role kinds found (``phrases_only``: by the phrase matcher, not the meaning rule)."""
    return {
        c.kind
        for c in find_cues([seg(speaker, text)], customer_name="Priya Kapoor")
        if c.kind in ROLE_KINDS and not (phrases_only and c.source != "transcript")
    }


#: (speaker, text, kind): each new phrase class on a sentence of its own.
NEW_CLASS_ACTS = [
    # "nab" / "grab" the role
    ("customer", "Could you grab your supervisor for me?", "manager_request"),
    ("customer", "Just nab a manager, would you?", "manager_request"),
    ("agent", "I can nab the duty manager for you now.", "supervisor_offer"),
    ("agent", "My team leader is free, let me nab her for you.", "supervisor_offer"),
    # the one above the agent
    ("customer", "Put me on to the person you report to.", "manager_request"),
    ("customer", "I'd like to talk to whoever you answer to.", "manager_request"),
    ("customer", "Get me somebody over you, please.", "manager_request"),
    ("customer", "Whoever you report to, please.", "manager_request"),
    # insistence said at length
    ("customer", "I'm not ringing off till I've talked to your supervisor.", "manager_request"),
    ("customer", "I'll stay on this call until I'm put through to a manager.", "manager_request"),
    ("customer", "I won't hang up until a team leader comes on the line.", "manager_request"),
    ("customer", "I'm sitting here until someone in charge picks up.", "manager_request"),
    ("customer", "We'll hold on all afternoon for your team leader.", "manager_request"),
    ("customer", "We are insisting on speaking to your supervisor.", "manager_request"),
    # over the agent's head
    ("customer", "Fine, then I'm going to go over your head.", "manager_request"),
    ("customer", "We'll go over your head if we have to.", "manager_request"),
    # the escalations team
    ("customer", "Transfer me to your escalations department.", "manager_request"),
    ("agent", "Let me pass your case to our escalations unit.", "supervisor_offer"),
]


@pytest.mark.parametrize(("speaker", "text", "kind"), NEW_CLASS_ACTS)
def test_a_new_escalation_class_is_a_phrase_cue(speaker: str, text: str, kind: str) -> None:
    assert kind in role_kinds(text, speaker, phrases_only=True)


#: (speaker, text): near the new classes, no offer or request.
HARD_NEGATIVES = [
    ("customer", "Sorry, the small print went over your head, didn't it?"),
    ("customer", "Don't worry, the technical stuff is over your head."),
    ("customer", "I'm so over you lot and your excuses."),
    ("customer", "I'm not going over your head, I just want this fixed."),
    ("customer", "I waited until the manager's email came through."),
    ("customer", "I can't sign anything until my manager calls me."),
    ("customer", "I was transferred to escalations twice last month."),
    ("agent", "Escalations emailed you on Monday about the refund."),
    ("agent", "I nabbed a cancellation slot for your engineer."),
    ("customer", "Can you grab my account number off the letter?"),
    ("agent", "The person I report to is off until Thursday."),
    ("customer", "I'll wait for the manager to reply to my email first."),
    ("customer", "My supervisor is out today, so I'm ringing on my lunch."),
]


@pytest.mark.parametrize(("speaker", "text"), HARD_NEGATIVES)
def test_a_hard_negative_of_the_new_classes_is_no_role_cue(speaker: str, text: str) -> None:
    assert role_kinds(text, speaker) == set()


#: (speaker, text, kind): a new class's words inside a reported or declined act.
REPORTED = [
    ("customer", "The last agent said she'd put me through to escalations, nothing came of it.",
     "manager_request"),
    ("agent", "My colleague promised to nab a supervisor for you earlier.", "supervisor_offer"),
    ("customer", "They told me they'd keep me on hold till a manager comes on.",
     "manager_request"),
    ("customer", "My sister said I would have to go over your head.", "manager_request"),
    ("customer", "You don't have to grab your manager, it's fine.", "manager_request"),
]


@pytest.mark.parametrize(("speaker", "text", "kind"), REPORTED)
def test_the_reported_rule_covers_the_new_classes(speaker: str, text: str, kind: str) -> None:
    assert kind not in role_kinds(text, speaker)


# -- the meaning rule's escalation classes (the act check, no model) -------------------------

#: (kind, text): the escalation classes accept, session 20's widened classes refuse.
MEANING_ACTS = [
    ("manager_request", "Can you nab somebody for me who can actually sign this off?"),
    ("manager_request", "I am not moving from this phone until somebody above you rings."),
    ("manager_request", "I'll sit here for as long as it takes for the person you report to."),
    ("supervisor_offer", "Shall I collar my team leader for you?"),
]


@pytest.mark.parametrize(("kind", "text"), MEANING_ACTS)
def test_the_meaning_escalation_classes_accept(kind: str, text: str) -> None:
    assert not has_act_form(kind, text, wide=True)
    assert has_act_form(kind, text, wide=True, escalation=True)


def test_a_split_nab_offer_is_lent_only_with_the_escalation_classes() -> None:
    first, second = "My duty manager is around.", "Want me to nab him?"
    assert not act_pair_lends("supervisor_offer", first, second, wide=True)
    assert act_pair_lends("supervisor_offer", first, second, wide=True, escalation=True)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("manager_request", "I nabbed the last parking space outside my manager's office."),
        ("manager_request", "I'm not going anywhere until the parcel arrives, my boss knows."),
        ("manager_request", "I will wait for my supervisor at work to sign the form."),
        ("supervisor_offer", "The escalations team emailed you, they said it was closed."),
        ("manager_request", "My colleague said she'd nab your manager for me, but nothing."),
    ],
)
def test_the_meaning_escalation_classes_refuse(kind: str, text: str) -> None:
    assert not has_act_form(kind, text, wide=True, escalation=True)
