"""Role cues (supervisor offers, manager requests) are acts said now: an act reported ("I offered
to get a manager earlier", "she said she would put me through to your manager") or declined ("no
need to get a supervisor") is none (session 20, after the seventh blind set's hard negatives;
the sentences here are written for this file)."""

from __future__ import annotations

import pytest

from calltone.models.speech.cues import find_cues
from tests.support.synth import words_segment as seg


def kinds(text: str, speaker: str) -> set[str]:
    return {c.kind for c in find_cues([seg(speaker, text)], customer_name="Priya Kapoor")}


@pytest.mark.parametrize(
    ("speaker", "text", "kind"),
    [
        (
            "customer",
            "Your colleague offered to get a manager yesterday, but I said no.",
            "manager_request",
        ),
        ("customer", "There's no need to get a supervisor, you've been great.", "manager_request"),
        (
            "customer",
            "She said she would put me through to your manager, and then nothing.",
            "manager_request",
        ),
        ("customer", "I don't need to get anyone else involved, honestly.", "manager_request"),
        (
            "agent",
            "I offered to get my supervisor earlier, but you wanted to carry on.",
            "supervisor_offer",
        ),
        (
            "agent",
            "I tried to get a manager for you, but the floor is empty today.",
            "supervisor_offer",
        ),
    ],
)
def test_reported_or_declined_role_act_is_no_cue(speaker: str, text: str, kind: str) -> None:
    assert kind not in kinds(text, speaker)


@pytest.mark.parametrize(
    ("speaker", "text", "kind"),
    [
        ("customer", "I want to speak to your manager.", "manager_request"),
        ("customer", "I told you to get me a manager, so get me one.", "manager_request"),
        ("customer", "Get me your supervisor now, please.", "manager_request"),
        ("agent", "Would you like me to get my supervisor?", "supervisor_offer"),
        ("agent", "I can get my supervisor on the line for you now.", "supervisor_offer"),
    ],
)
def test_role_act_said_now_is_a_cue(speaker: str, text: str, kind: str) -> None:
    assert kind in kinds(text, speaker)
