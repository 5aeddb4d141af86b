"""A reported or declined act: the one definition both role paths use (issue 14, session 21).

A supervisor offer or a manager request is an act said now. The same words reported ("they said
they'd get a supervisor", "I offered to get a manager earlier", "my team lead said she would
call you") or declined ("no need to get anyone else") are no act on this call, and a false
manager request raises an escalation flag. Until session 21 this was written twice: the phrase
matcher's guard (``cues.REPORTED_BEFORE_ROLE_ACT``, the words just before a match, session 20,
lead) and the meaning rule's reported clause (``meaning_cues._REPORTED``, a third person + a verb
of saying and the words after it, session 20, H4). Here it is one regex over lower-case words
with contractions spelt out (the phrase matcher's tokens, :func:`models.speech.text.normalize`;
the meaning rule's :func:`models.speech.meaning_cues.act_text`), read two ways:

- :func:`reported_mask` (the phrase matcher): which words of a clause lie in a reported or
  declined act; a role match whose first word does is dropped;
- :func:`without_reported` (the meaning rule): the text with those words removed, before the
  act's form and verb frame are looked for.

What opens a reported or declined act (:data:`REPORTED_ACT`), and the words it covers: the
opener and every word after it up to a first-person clause or a turn ("i", "we", "so", "but"),
or "and now", so "The last guy said he'd transfer me, so I want your manager now" keeps the
caller's request:

- a third person or a role (he, she, they, someone, the / a / your ... agent, colleague, guy,
  lady, rep, ...; my / our / the / your (X) manager, supervisor, boss, team lead(er), superior)
  + at most two words (no pronoun: in "I want your manager, she said she'd sort it" the
  reporter is "she", not the manager asked for) + a verb of saying or intending (said, told,
  promised, offered, claimed, mentioned, reckoned, insisted, swore, was / were going to, would
  have);
- anyone "offered to / promised to / tried to" (the speaker's own past offer too: "I offered to
  get a manager earlier");
- "no / not / never need to", "not / never have to" (declined: "no need to get anyone else",
  "you don't have to get a supervisor");
- "said / told / promised" + a pronoun (+ one word) + "would" ("told me she would put me
  through").

Imports nothing of calltone's (both :mod:`cues` and :mod:`meaning_cues` import it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Who reports someone else's act: a third person, a person named by their job, or a role above
#: the agent ("my team lead said she would call you").
_REPORTER = (
    r"(?:he|she|they|someone|somebody"
    r"|(?:the|a|your|another|one of your|that|this|some) (?:\w+ ){0,2}?(?:agent|advisor|adviser"
    r"|colleague|guy|lady|man|woman|girl|bloke|fella|person|rep|representative|engineer|operator"
    r"|staff|chap|gentleman|call handler|team|people|lot)"
    r"|(?:my|our|the|your) (?:\w+ )?(?:manager|supervisor|boss|team lead|team leader|superior))"
)
#: Verbs of saying or intending after a reporter.
_REPORTING_VERB = (
    r"(?:said|says|told|tells|promised|promises|offered|offers|claimed|claims"
    r"|mentioned|reckoned|insisted|swore|was going to|were going to|would have)"
)
#: Words just before an act that report or decline it, whoever the subject: "OFFERED TO |
#: PROMISED TO | TRIED TO get a manager", "NO | NOT | NEVER NEED TO get anyone else", "(you do)
#: NOT HAVE TO get a supervisor" (session 21).
REPORTED_BEFORE_ROLE_ACT: tuple[tuple[str, ...], ...] = (
    ("offered", "to"),
    ("promised", "to"),
    ("tried", "to"),
    ("no", "need", "to"),
    ("not", "need", "to"),
    ("never", "need", "to"),
    ("not", "have", "to"),
    ("never", "have", "to"),
)
_PRONOUN = r"(?:i|we|he|she|they|you|me|us)"
#: The words that end a reported act: the speaker's own clause or a turn ("and now": "they told
#: me to hold and now get me your manager", session 21).
REPORTED_ACT_ENDS: tuple[str, ...] = ("i", "we", "so", "but", "and now")

#: One reported or declined act: its opener and the words after it up to
#: :data:`REPORTED_ACT_ENDS` (over lower-case words, contractions spelt out).
REPORTED_ACT = re.compile(
    r"\b(?:"
    + rf"{_REPORTER}(?: (?!{_PRONOUN}\b)\w+){{0,2}}? {_REPORTING_VERB}"
    + "|"
    + "|".join(" ".join(w) for w in REPORTED_BEFORE_ROLE_ACT)
    + rf"|(?:said|told|promised) {_PRONOUN}(?: \w+)? would"
    + r")\b"
    + r"(?:(?! (?:" + "|".join(REPORTED_ACT_ENDS) + r")\b) \w+)*"
)


def without_reported(text: str) -> str:
    """``text`` (lower case, contractions spelt out) without its reported or declined acts."""
    return re.sub(r"\s+", " ", REPORTED_ACT.sub(" ", text)).strip()


def reported_mask(words: Sequence[str]) -> list[bool]:
    """Per word of ``words`` (lower case, contractions spelt out): True when it lies in a
    reported or declined act (:data:`REPORTED_ACT`)."""
    text = " ".join(words)
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    mask = [False] * len(words)
    for m in REPORTED_ACT.finditer(text):
        for i, s in enumerate(starts):
            if s < m.end() and s + len(words[i]) > m.start():
                mask[i] = True
    return mask
