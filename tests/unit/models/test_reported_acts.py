"""One definition of a reported or declined role act (``models/speech/reported.py``, issue 14,
session 21), read by both role paths: the phrase matcher (:func:`reported_mask`, a role match in a
reported act is dropped) and the meaning rule's act check (:func:`without_reported`, the act's
words looked for without the reported ones). Each case below was wrong on one path before the two
definitions were made one (the phrase guard knew only the words just before a match, the meaning
rule only a third person's report), so the test fails if either path stops using the shared one.
Every sentence was written for this file (none is in a cue set, a bench list or another test).
"""

from __future__ import annotations

import pytest

from calltone.models.speech.cues import find_cues
from calltone.models.speech.meaning_cues import act_text, has_act_form
from calltone.models.speech.reported import reported_mask, without_reported
from calltone.models.speech.text import normalize
from tests.support.synth import words_segment as seg


def role_kinds(text: str, speaker: str) -> set[str]:
    return {
        c.kind
        for c in find_cues([seg(speaker, text)], customer_name="Priya Kapoor")
        if c.kind in ("supervisor_offer", "manager_request")
    }


# -- the definition ---------------------------------------------------------------------------


def test_the_mask_covers_the_report_up_to_the_speakers_own_clause() -> None:
    words = normalize("the duty manager said she would ring you so i will wait").split()
    mask = reported_mask(words)
    assert all(mask[: words.index("so")])
    assert not any(mask[words.index("so") :])


def test_a_declined_act_is_masked_and_removed() -> None:
    words = ["there", "is", "no", "need", "to", "fetch", "a", "supervisor"]
    assert reported_mask(words)[words.index("supervisor")]
    assert without_reported("there is no need to fetch a supervisor") == "there is"


def test_an_act_said_now_is_untouched() -> None:
    text = "could you put me through to the person in charge"
    assert not any(reported_mask(text.split()))
    assert without_reported(text) == text


# -- the phrase path uses it ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("speaker", "text", "kind"),
    [
        # a role reporting its own promise: the old guard looked only before the match
        ("agent", "Our duty manager told me she would phone you on Friday.", "supervisor_offer"),
        # a third person's report: the old guard knew only "said / told <pronoun> would"
        ("agent", "They told me a team leader would call you back, I'm afraid not.", "supervisor_offer"),
    ],
)
def test_the_phrase_path_drops_a_reported_role_act(speaker: str, text: str, kind: str) -> None:
    assert kind not in role_kinds(text, speaker)


def test_the_phrase_path_keeps_the_speakers_own_act_after_a_report() -> None:
    text = "Your colleague promised to call me back, so put me through to your manager now."
    assert "manager_request" in role_kinds(text, "customer")


def test_and_now_ends_the_report() -> None:
    text = "They told me to wait and now put me through to your manager."
    assert "manager_request" in role_kinds(text, "customer")
    assert has_act_form("manager_request", text, wide=True)


def test_a_role_asked_for_is_not_taken_for_the_reporter() -> None:
    # "she said" reports; "your manager" is the caller's request, not the one who said it
    text = "I want your manager now, she said she would sort it out."
    assert "manager_request" in role_kinds(text, "customer")
    assert has_act_form("manager_request", text, wide=True)


# -- the meaning path uses it (the act check, no model) --------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # declined: the old meaning rule knew only a third person's report
        ("manager_request", "Honestly, no need to put me through to your manager, you're great."),
        # the speaker's own earlier offer, reported
        ("supervisor_offer", "I offered to get my manager if you would like, but you said no."),
        # a role reporting
        ("supervisor_offer", "My shift manager promised she would ring you back about it."),
    ],
)
def test_the_meaning_act_check_sets_aside_a_reported_act(kind: str, text: str) -> None:
    assert not has_act_form(kind, text, wide=True), act_text(text, wide=True)


def test_the_meaning_act_check_keeps_the_act_said_now() -> None:
    assert has_act_form("supervisor_offer", "I can transfer you to my supervisor now.", wide=True)
    assert has_act_form(
        "manager_request", "She said she'd sort it, but I want your manager now.", wide=True
    )
