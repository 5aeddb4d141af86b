"""Cue kinds read from a sentence's meaning: the nearest labelled examples of each kind among
sentence embeddings (:mod:`models.speech.meaning`), beside the phrase matcher (issue 14).

Why: kinds such as empathy, ownership or bouncing are defined by what is meant, and each new
blind set says them in wordings the phrase list never had (three blind sets in a row). A sentence
is given a kind when its nearest labelled examples of the kind are clearly nearer than its nearest
labelled examples without it (:class:`MeaningCueFinder`); the phrase matcher keeps what it does
well (quoted words, names, negation) and the two are united in
:meth:`models.speech.cues.CueMatcher.find_cues`.

The labelled examples (the *bank*, ``meaning_bank.npz``) are the utterances of the six cue sets in
``bench/`` (``cue_set*.py``, written for this project) and routine call talk with no kind
(``bench/meaning_routine.py``), embedded once by
``bench/build_meaning_bank.py`` and shipped as float16 vectors with their texts, so every meaning
cue can quote the labelled example it resembles most. Held out by set (``bench/meaning_cues_cv.py``:
a set's kinds judged from the other five), the nearest-neighbour margin rule beat a logistic
regression over the same vectors (docs/benchmarks_telephone.md, session 18).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from calltone.models.cpu import blas_threads_limit
from calltone.models.speech.meaning import MeaningModelError, SentenceEncoder
from calltone.models.speech.reported import without_reported

log = logging.getLogger(__name__)

#: Kinds the meaning model reads (``customer_name_used`` is a name, left to the matcher).
MEANING_KINDS: tuple[str, ...] = (
    "empathy",
    "specific_apology",
    "bare_apology",
    "negative_phrasing",
    "blame_passing",
    "bouncing",
    "solution_offer",
    "ownership",
    "paraphrasing",
    "boundary_setting",
    "supervisor_offer",
    "closing",
    "abuse",
    "manager_request",
)
#: Who says a kind: customers ask for managers and abuse; every other kind is the agent's.
SPEAKER_OF_KIND: dict[str, str] = {
    k: ("customer" if k in ("abuse", "manager_request") else "agent") for k in MEANING_KINDS
}


# ---------------------------------------------------------------------------------------------
# The nearest-neighbour finder used at run time

#: Bank file format version (``meaning_bank.npz``'s ``version``).
BANK_VERSION = 1
#: The sentence whose vector fingerprints the encoder a bank was built with.
_PROBE_SENTENCE = "I am sorry about the delay with your order."


@dataclass(frozen=True)
class MeaningCueOptions:
    """Thresholds of the meaning cues (cosine units: a dot product of unit vectors, -1..1).

    Attributes
    ----------
    neighbours : int
        k: a sentence's similarity to a class is the mean cosine of its k most similar bank
        utterances of that class (3: held out by set, 1 was noisier and 5-8 blunter).
    min_margin_cos : float
        A kind fires when the similarity to the kind's examples exceeds the similarity to the
        same speaker's examples without it by at least this much. 0.07: the margin at which the
        phrase matcher united with this rule met recall >= 0.8 at precision >= 0.9 in the most
        kinds, each set judged from the other five (chosen on 0.05-0.12; not fitted per kind).
    min_words : int
        Sentences of fewer words are not embedded ("okay", "thank you for that", "yes please"):
        a short sentence's vector follows its form more than its meaning ("thank you for that"
        lies nearest "sorry about that"), the phrases find the short formulae, and it saves
        time. 5: held out by set, 3 and 5 met the target in the same kinds (session 18).
    cache_sentences : int
        Sentence vectors kept (least recently used out): the live service searches a sliding
        window of the call again with each new segment.
    negation_must_agree : bool
        A kind fires only when the sentence is negated (:func:`is_negated`) exactly when most
        of its k nearest examples of the kind are: a sentence vector barely moves with a "not"
        ("I don't want your manager" lies nearest "I want to speak to your manager"), while
        the kinds that carry a negation (negative phrasing, boundary setting) have negated
        examples. Found on the sixth blind set once it had been scored (session 18).
    only_where_no_phrase : bool
        Read the meaning only of sentences in which no phrase fired (of any kind): a sentence
        the phrases explain is not given a second kind by its vector ("I'm sorry you're having
        this issue with the router" is a specific apology, not also a solution offer, and
        sympathy with an ordeal is not also an apology; hard negatives of the phrase tests).
    kinds : tuple of str
        The kinds read from meaning (of :data:`MEANING_KINDS`): those whose cues the rule adds
        to the phrases' were right at least 7 times in 10, each set judged from the other five
        (``bench/meaning_cues_cv.py``, session 18: blame passing 1.00, bouncing 0.86,
        ownership 0.75, boundary setting 1.00, closing 1.00, abuse 0.71), and which no single
        topic word decides. Left out: supervisor_offer and manager_request (one word decides a
        sentence vector: "I have a new manager", "My supervisor, I want to talk to her" and
        11 more hand-written hard negatives of the phrase tests, none in the bank, fired, and a
        manager request raises an escalation flag), negative_phrasing (any "calm down", about
        a queue too), and empathy, the two apologies, solution_offer and paraphrasing (the
        cues added were right 0-5 times in 10: "let me book that in for you" is routine).
        :func:`role_act_options` adds the two role kinds under the act rule (session 19).
    act_checked_kinds : tuple of str
        Kinds read from meaning only in a sentence that has the form of the kind's act
        (:func:`has_act_form`: an offer's or a request's form and verb frame; "calm down" said
        to someone). Empty by default (the default ``kinds`` need none); :func:`role_act_options`
        sets it to every kind of :data:`ACT_FORMS` (session 19: with it and the role kinds on,
        every phrase test passes; with the plain rule 13 of them failed on sentences naming a
        role or "calm down" without the act, "I have a new manager").
    wide_act_classes : bool
        The act check reads the widened word classes of session 20 (:data:`WIDE_ACT_FORMS`,
        :data:`WIDE_ACT_VERBS`): new routes to a supervisor ("kick it upstairs", "bump it up to my
        team lead", "have my lead reach out to you", "rope in a senior colleague"), the caller's
        insistence on holding for the role ("I'll hold for the manager"), more role words
        ("higher-ups", "my lead", "management"), and a reported offer or request set aside
        ("they said they'd get a supervisor" is nobody's act on this call). False: session 19's
        classes unchanged.
    escalation_classes : bool
        With ``wide_act_classes``: the session-21 classes (:data:`ESC_ACT_FORMS`,
        :data:`ESC_ACT_VERBS`, :data:`ESC_ROLE_WORD`): "nab / grab" the role, the role named as
        the one above the agent ("someone above / over you", "whoever you report to",
        "superiors") or as the escalations team, and the caller's insistence said at length ("I'm
        not going anywhere until ...", "I'll stay on the line as long as it takes for your
        supervisor"). False: session 20's widened classes unchanged.
    act_pair_max_gap_s : float or None
        An offer or request split over two sentences of one turn ("D'you wanna talk to my boss?
        I can grab him.") is read as one when the first names the role without the act, the
        second follows within this many seconds with no word of the other speaker between, refers
        to a person ("him", "her", "them", "one") and the two together have the act
        (:func:`act_pair_lends`): the act's words are lent by the neighbour, the pair's joined
        vector is read for the role kinds only. None: off (each sentence alone, as in session 19).
        :data:`ACT_PAIR_MAX_GAP_S` (1.5 s) when the cue file turns it on.
    blas_threads : int or None
        numpy's BLAS threads while sentences are encoded (:func:`calltone.models.cpu.
        blas_threads_limit`; None: the library's own pool). 1: on a machine busy with other
        calls the pool's threads contend (150 sentences took 65 s with the pool against ~6 s on
        one thread with the machine's two cores loaded 6x, session 18), and one thread sums in
        the same order everywhere.
    """

    neighbours: int = 3
    min_margin_cos: float = 0.07
    negation_must_agree: bool = True
    min_words: int = 5
    cache_sentences: int = 4096
    blas_threads: int | None = 1
    only_where_no_phrase: bool = True
    kinds: tuple[str, ...] = (
        "blame_passing",
        "bouncing",
        "ownership",
        "boundary_setting",
        "closing",
        "abuse",
    )
    act_checked_kinds: tuple[str, ...] = ()
    wide_act_classes: bool = False
    escalation_classes: bool = False
    act_pair_max_gap_s: float | None = None

    def thresholds(self) -> dict[str, float]:
        return {"meaning_min_margin_cos": self.min_margin_cos,
                "meaning_neighbours": float(self.neighbours)}


#: The role kinds (session 19): an agent's offer of a supervisor and a customer's request for a
#: manager, the kinds that raise escalation flags. One topic word pulls a sentence vector to them
#: ("I have a new manager" lay nearest the offers), so they are read from meaning only under the
#: act rule (:func:`role_act_options`, the cue file's ``[options] meaning_role_kinds``).
ROLE_KINDS: tuple[str, ...] = ("supervisor_offer", "manager_request")


#: The longest pause between the two sentences of a split offer or request (session 20): a
#: breath between "D'you wanna talk to my boss?" and "I can grab him.", longer than the pause
#: that ends a sentence (``cues.SENTENCE_GAP_S``, 1.0 s) and short enough that the caller has
#: not been given a turn. Chosen, not fitted (the cue sets are written text, one turn each).
ACT_PAIR_MAX_GAP_S = 1.5


def role_act_options(
    base: MeaningCueOptions | None = None,
    *,
    wide_acts: bool = False,
    pairs: bool = False,
    escalation: bool = False,
) -> MeaningCueOptions:
    """``base`` (default :class:`MeaningCueOptions`) with the role kinds read under the act rule:
    :data:`ROLE_KINDS` added to ``kinds``, and every kind of :data:`ACT_FORMS` read only from a
    sentence in the form of its act (:func:`has_act_form`). ``wide_acts``: the widened classes
    (``wide_act_classes``); ``pairs``: a split act read over two sentences of one turn
    (``act_pair_max_gap_s`` = :data:`ACT_PAIR_MAX_GAP_S`). Both session 20, off by default.
    ``escalation``: the session-21 classes over the widened ones (``escalation_classes``; it
    turns ``wide_act_classes`` on too), off by default."""
    b = base or MeaningCueOptions()
    return replace(
        b,
        kinds=tuple(dict.fromkeys(b.kinds + ROLE_KINDS)),
        act_checked_kinds=tuple(ACT_FORMS),
        wide_act_classes=wide_acts or escalation or b.wide_act_classes,
        escalation_classes=escalation or b.escalation_classes,
        act_pair_max_gap_s=ACT_PAIR_MAX_GAP_S if pairs else b.act_pair_max_gap_s,
    )


_NEGATION = re.compile(
    r"\b(?:not|never|no|nothing|nobody|none|neither|nor|cannot|without)\b|n['’]t\b",
    re.IGNORECASE,
)


def is_negated(text: str) -> bool:
    """True when the sentence holds a negation ("not", "never", "no", "-n't", ...)."""
    return _NEGATION.search(text) is not None


# ---------------------------------------------------------------------------------------------
# The act rule of the role kinds (session 19)

_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "can not"), (r"\bshan't\b", "shall not"),
    (r"n't\b", " not"), (r"'ll\b", " will"), (r"'d\b", " would"), (r"'m\b", " am"),
    (r"'re\b", " are"), (r"'ve\b", " have"), (r"\bwanna\b", "want to"),
    (r"\bgonna\b", "going to"), (r"\bgotta\b", "got to"),
)


#: Spelt out only for the widened classes (session 20): the offer's short forms.
_WIDE_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bd'?you\b", "do you"), (r"\bd'?ya\b", "do you"), (r"\blet's\b", "let us"),
)


def act_text(text: str, *, wide: bool = False) -> str:
    """Lower case, contractions spelt out, punctuation but the possessive "'s" dropped (``wide``:
    also "d'you" -> "do you", "let's" -> "let us")."""
    t = text.lower().replace("\u2019", "'")
    for pat, rep in _CONTRACTIONS + (_WIDE_CONTRACTIONS if wide else ()):
        t = re.sub(pat, rep, t)
    t = re.sub(r"[^a-z0-9' ]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


#: A role above the agent (the kinds' topic word; misheard roles have none and are read as usual).
ROLE_WORD = r"(?:manager|managers|supervisor|supervisors|boss|bosses|team ?leader|team ?lead|superior|senior|someone in charge|somebody in charge|whoever is in charge|person in charge|higher up)"
_ROLE = re.compile(rf"\b{ROLE_WORD}\b")
_CALM = re.compile(r"\bcalm(?:s|ed|ing)? down\b")

#: The form of each role kind's act, over :func:`act_text`. These are forms, not phrases: an
#: agent's offer is a first-person commitment or a question of the caller's wish; a customer's
#: request is a want, a "can I", an imperative aimed at "me" or at the agent's side, or a
#: refusal to go on without; telling someone to calm down addresses "you" or is an imperative.
#: A sentence that names a role without one of these ("I have a new manager", "The supervisor
#: approved it") states a fact, and the act rule reads no offer or request in it.
ACT_FORMS: dict[str, re.Pattern[str]] = {
    "supervisor_offer": re.compile(
        r"\b(?:i|we) (?:will|would|can|could|shall|should|may|might|am going to|are going to"
        r"|am happy to|am able to|am just going to)\b"
        r"|\blet me\b|\b(?:would|do) you (?:like|want|prefer|wish)\b|\bwant me to\b"
        r"|\blike me to\b|\bif you (?:would )?(?:like|want|prefer|wish|would rather|rather)\b"
        r"|\bwould (?:it|that) help\b|\bshould you wish\b|\bhappy to\b|\bhow about\b"
        r"|\b(?:shall|should|can|could|may) (?:i|we)\b"
        r"|\b(?:can|could|will|would) (?:call|ring|phone|contact|speak|talk|look|review|get back|"
        r"give you|come|join|pick)\b"
    ),
    "manager_request": re.compile(
        r"\b(?:i|we) (?:just )?(?:want|need|would like|would rather|would prefer|demand|insist"
        r"|expect|am asking|am not (?:hanging|discussing|dealing|talking|speaking|going))\b"
        r"|\b(?:can|could|may|might) (?:i|we)\b|\b(?:let me|lemme)\b|\bis there\b|\bare there\b"
        r"|\b(?:get|put|give|find|fetch|bring|transfer|connect|pass|hand|escalate) (?:me|us)\b"
        r"|\b(?:get|put|fetch|find|bring) (?:your|a|the|some|someone|somebody|whoever|anyone)\b"
        r"|\b(?:can|could|will|would) you (?:\w+ ){0,3}(?:get|put|transfer|connect|pass|find"
        r"|fetch|bring|escalate|give|let|hand)\b|\bwho is (?:your|the)\b|\bescalat\w*"
        r"|^(?:just |now |please |and |so |right |look |listen )*(?:get|put|fetch|find|bring"
        r"|transfer|connect)\b|\bwould your\b|\b(?:i am|i have) (?:not )?(?:been )?asking\b"
    ),
    "negative_phrasing": re.compile(
        r"\byou\b|^(?:\w+ ){0,2}calm down\b|\bjust calm down\b|\bplease calm down\b"
    ),
}
#: The verb frame of each role kind's act, over :func:`act_text`, also required: an offer hands
#: the caller up (get, bring, put through, transfer, escalate, call back, "would you like to
#: speak"), a request asks to reach the role (speak, talk, put through, escalate, "a word"). A
#: form without it is an agent consulting the role ("I'll speak to my manager about it") or a
#: caller asking for the role's things ("send me your manager's email").
ACT_VERBS: dict[str, re.Pattern[str]] = {
    "supervisor_offer": re.compile(
        r"\b(?:get|getting|bring|transfer\w*|connect\w*|pass|passed|passing|hand"
        r"|put(?:ting)? (?:\w+ )?(?:through|over|across|on to|onto|forward|up)"
        r"|escalat\w*|raise|raising|refer|fetch|grab|loop|arrange|callback|contact|join"
        r"|(?:call|calls|ring|rings|phone|phones) (?:you|back)|review|authori[sz]e|approve|flag"
        r"|involve|pop|take (?:this|it|over)"
        r"|pick (?:this|it) up|see if|look at (?:this|it|your)|give you"
        r"|on the (?:line|call|phone)|higher|above me|more senior|authority)\b"
        r"|\byou (?:\w+ ){0,3}(?:speak|talk|have a word)\b"
    ),
    "manager_request": re.compile(
        r"\b(?:speak\w*|spoke\w*|talk\w*|get|put|transfer\w*|connect\w*|pass|escalat\w*"
        r"|have a word|word with|quick word|bring|fetch|find|call|ring|deal with|discuss\w*"
        r"|explain|on the (?:line|phone)|through to|in charge|higher up|above you|senior|boss"
        r"|authority|runs|hand"
        r"|supervisor|manager)\b"
    ),
}
#: A caller's own boss ("my supervisor", "my line manager"): a role the caller names only with
#: "my" is not the agent's side, so no manager request.
_OWN_ROLE = re.compile(rf"\bmy (?:\w+ )?{ROLE_WORD}\b")



# ---------------------------------------------------------------------------------------------
# The widened classes (session 20, ``MeaningCueOptions.wide_act_classes``). Word classes, not
# sentences: each names a kind of route to the role, so a wording none of the cue sets holds is
# read when its route is one of these.

#: More words for a role above the agent: "higher-ups", "management", "head of X", a director,
#: "my / our / the lead" (only after a determiner: "a lead on your parcel" is none).
WIDE_ROLE_WORD = (
    ROLE_WORD[:-1]
    + r"|higher ups|seniors|management|senior management|director|head of (?:the )?[a-z]+"
    + r"|(?:(?<=\bmy )|(?<=\bour )|(?<=\bthe )|(?<=\byour ))lead)"
)
_WIDE_ROLE = re.compile(rf"\b{WIDE_ROLE_WORD}\b")
_WIDE_OWN_ROLE = re.compile(rf"\bmy (?:\w+ )?{WIDE_ROLE_WORD}\b")

#: Where an upward route ends: upstairs, up the chain / line / ladder, higher, over the agent's
#: head, or (over / up / across) to / with a role.
_UP_TARGET = (
    r"(?:upstairs|higher(?: up)?|further up|up (?:the|a) (?:chain|line|ladder|food chain)"
    r"|up a level|over my head|above me"
    rf"|(?:(?:up|over|across|along|on|through) )?(?:to|with) (?:\w+ ){{0,2}}{WIDE_ROLE_WORD})"
)
#: Verbs that move a case or a caller (bump, kick, push, send, move, run, bounce, forward, ...).
_UP_VERB = (
    r"(?:bump|kick|push|send|sent|move|run|bounce|shift|forward|punt|elevate|take|took|pass"
    r"|raise|refer|escalate|flag|hand|transfer|put|get)\w*"
)
#: Verbs the role does for the caller when the agent has them do it ("have my lead reach out").
_ROLE_DOES = (
    r"(?:look|review|check|go over|call|ring|phone|contact|speak|talk|help|sort|deal|handle"
    r"|come|join|hop|jump|step|take over|get back|reach out|get in touch|give you|email|text"
    r"|approve|authori[sz]e|sign|decide|pick)"
)

#: Forms added to :data:`ACT_FORMS` by the widened classes.
_WIDE_FORMS: dict[str, str] = {
    # "let's", "you want me to" without "do", "is it ok if I", "would you be happy (for me) to"
    "supervisor_offer": (
        r"\blet us\b|\byou want (?:me|to)\b"
        r"|\b(?:is it|would it be) (?:ok|okay|alright|all right|fine) (?:if|for) (?:i|we|me|us)\b"
        r"|\bwould you be (?:happy|ok|okay|open|alright|all right|interested)\b"
    ),
    # the caller's insistence: holding or waiting for the role ("I'll hold for the manager",
    # "I'm staying on the line till your boss picks up"); not a role's thing ("the manager's
    # email"): the role word must not be possessive
    "manager_request": (
        r"\b(?:i|we) (?:will|shall|would|can|am|are|am going to|are going to|do not mind"
        r"|am prepared to|are prepared to|am willing to|are willing to)"
        r"(?: (?:just|quite|very|more than|happy to|gladly|still|going to))*"
        r" (?:hold|holding|hang|hanging|wait|waiting|stay|staying|sit|sitting)\b"
        r"(?: \w+){0,4}? (?:for|until|till|til) (?:\w+ ){0,3}"
        rf"{WIDE_ROLE_WORD}\b(?!')"
    ),
}
#: Verb frames added to :data:`ACT_VERBS` by the widened classes.
_WIDE_VERBS: dict[str, str] = {
    "supervisor_offer": (
        # an upward route ("kick your complaint upstairs", "bump it up to my team lead")
        rf"\b{_UP_VERB}(?: \w+){{0,3}}? {_UP_TARGET}\b"
        # the caller handed on ("hand you over", "patch you through", "bounce you up")
        r"|\b(?:hand|pass|switch|route|redirect|send|move|bounce|bump|patch|kick|push|transfer)"
        r"\w* you (?:over|through|across|up|on)\b"
        # the role brought in ("rope in", "conference in", "hop on the call", "step in")
        r"|\b(?:rope|conference|patch|dial|pull)\w* (?:\w+ ){0,3}?in\b"
        r"|\b(?:hop|jump|come|get|pop|step|sit)s? (?:on|onto|in on|into)(?: (?:the|this|our))?"
        r" (?:line|call|phone|conversation|chat)\b|\b(?:step|sit|weigh|chime)s? in\b"
        # the role contacting the caller ("reach out to you", "get in touch", "drop you a line")
        r"|\b(?:reach(?:es|ing)? out|get(?:s|ting)? in touch|touch base|drop you a line"
        r"|follow(?:s|ing)? up with you|email you|text you|phone you|ring you|call you"
        r"|give you a (?:call|ring|bell|buzz))\b"
        r"|\bha(?:ve|s|ving) a (?:chat|word|quick word|talk|look) with you\b"
        # the role made to act ("have my lead give you a call", "want my supervisor to look")
        r"|\b(?:have|has|get|gets|ask|asks|want|wants)"
        r" (?!you\b|me\b|it\b|this\b|that\b)(?:\w+ ){1,3}?(?:to )?" + _ROLE_DOES + r"\b"
    ),
    "manager_request": rf"\b{WIDE_ROLE_WORD}\b",
}


def _widened(
    base: dict[str, re.Pattern[str]], extra: dict[str, str]
) -> dict[str, re.Pattern[str]]:
    """``base``'s patterns, each with ``extra``'s alternatives for its kind (if any) added."""
    return {
        k: re.compile(p.pattern + ("|" + extra[k] if k in extra else "")) for k, p in base.items()
    }


#: :data:`ACT_FORMS` / :data:`ACT_VERBS` with the widened classes.
WIDE_ACT_FORMS = _widened(ACT_FORMS, _WIDE_FORMS)
WIDE_ACT_VERBS = _widened(ACT_VERBS, _WIDE_VERBS)

# ---------------------------------------------------------------------------------------------
# The escalation classes (session 21, ``MeaningCueOptions.escalation_classes``, over the widened
# ones): issue 14's list of how a contact-centre caller asks for escalation and an agent offers
# it, as word classes.

#: The role as the one above the agent ("someone above / over you", "whoever you report to"),
#: "superiors", and the escalations team (the cue sets label a hand-over to it a supervisor
#: offer: fresh4, fresh5).
ESC_ROLE_WORD = (
    WIDE_ROLE_WORD[:-1]
    + r"|superiors|(?:someone|somebody|anyone|anybody|the person|the one|whoever) (?:above|over) you"
    + r"|(?:whoever|the person|the one|the people) you (?:report|answer) to"
    + r"|escalations?(?: (?:team|department|desk|unit))?)"
)
_ESC_ROLE = re.compile(rf"\b{ESC_ROLE_WORD}\b")
_ESC_OWN_ROLE = re.compile(rf"\bmy (?:\w+ )?{ESC_ROLE_WORD}\b")
_ESC_FORMS: dict[str, str] = {
    # "nab me your manager", "can you grab a supervisor"
    "manager_request": (
        r"\b(?:grab|nab) (?:me |us )?(?:your|a|the|some|someone|somebody|whoever|anyone)\b"
        r"|\b(?:can|could|will|would) you (?:\w+ ){0,3}(?:grab|nab)\b"
        # not leaving until ... ("I'm not going anywhere until someone senior picks up")
        r"|\b(?:i|we) (?:am|are|will|shall) not (?:going anywhere|hanging up|budging|moving"
        r"|leaving|getting off|going to hang up|going to leave|going to budge|going to move)"
        r"(?: \w+){0,5}? (?:until|till|til|unless)\b"
        # holding for the role with a longer middle than session 20's ("I'll stay on the line
        # as long as it takes for your supervisor")
        r"|\b(?:i|we) (?:will|shall|am going to|are going to|am happy to|are happy to)"
        r" (?:hold|wait|stay|hang on|sit)\b(?: \w+){0,8}? (?:for|until|till|til) (?:\w+ ){0,3}"
        rf"{ESC_ROLE_WORD}\b(?!')"
        r"|\b(?:i|we) (?:really |just |must )?(?:insist|am insisting|are insisting) on"
        r" (?:speaking|talking|having a word)\b"
    ),
}
_ESC_VERBS: dict[str, str] = {
    "supervisor_offer": r"\b(?:nab|nabbing|collar)\b",
    "manager_request": rf"\b{ESC_ROLE_WORD}\b|\b(?:grab|nab)\b",
}
#: :data:`WIDE_ACT_FORMS` / :data:`WIDE_ACT_VERBS` with the escalation classes.
ESC_ACT_FORMS = _widened(WIDE_ACT_FORMS, _ESC_FORMS)
ESC_ACT_VERBS = _widened(WIDE_ACT_VERBS, _ESC_VERBS)


def _act_parts(
    kind: str, t: str, *, wide: bool, escalation: bool = False
) -> tuple[bool, bool]:
    """(the act's form, its verb frame) found in ``act_text`` ``t``."""
    if wide and escalation:
        forms, verbs = ESC_ACT_FORMS, ESC_ACT_VERBS
    else:
        forms, verbs = (WIDE_ACT_FORMS, WIDE_ACT_VERBS) if wide else (ACT_FORMS, ACT_VERBS)
    form = forms[kind].search(t) is not None
    v = verbs.get(kind)
    return form, v is None or v.search(t) is not None


def _only_own_role(t: str, *, wide: bool, escalation: bool = False) -> bool:
    """True when every role ``t`` names is the caller's own ("my boss", "my line manager")."""
    if wide and escalation:
        role, own = _ESC_ROLE, _ESC_OWN_ROLE
    else:
        role, own = (_WIDE_ROLE, _WIDE_OWN_ROLE) if wide else (_ROLE, _OWN_ROLE)
    roles = len(role.findall(t))
    return bool(roles) and len(own.findall(t)) >= roles


def has_act_form(kind: str, text: str, *, wide: bool = False, escalation: bool = False) -> bool:
    """True when ``text`` has the form of ``kind``'s act (:data:`ACT_FORMS`; other kinds: True).

    For ``negative_phrasing`` only a sentence with "calm down" is checked (the kind's other
    wordings, "that's not my problem", carry no topic word and are read as usual). ``wide``: the
    widened classes (:data:`WIDE_ACT_FORMS`, :data:`WIDE_ACT_VERBS`) over the sentence without its
    reported acts (session 20); ``escalation`` (with ``wide``): the escalation classes too
    (:data:`ESC_ACT_FORMS`, :data:`ESC_ACT_VERBS`, session 21).
    """
    if kind not in ACT_FORMS:
        return True
    t = act_text(text, wide=wide)
    if kind == "negative_phrasing" and not _CALM.search(t):
        return True
    if wide and kind in ROLE_KINDS:
        t = without_reported(t)
    form, verb = _act_parts(kind, t, wide=wide, escalation=escalation)
    if not (form and verb):
        return False
    return not (
        kind == "manager_request" and _only_own_role(t, wide=wide, escalation=escalation)
    )


#: A word referring to a person (the role named in the sentence before).
_PERSON = re.compile(r"\b(?:him|her|them|he|she|they|one|someone|somebody)\b")


def act_pair_lends(
    kind: str, first: str, second: str, *, wide: bool = True, escalation: bool = False
) -> bool:
    """True when two adjacent sentences of one turn carry ``kind``'s act together, though the
    first, which names the role, has none of its own (session 20).

    The second refers to a person ("I can grab HIM", "Get HER on the phone"), the act's form and
    verb frame are found in the two (each in either), and a request is not only for the caller's
    own boss. An unrelated neighbour lends nothing: it must point at a person ("I can send it to
    you now" after "My manager approved the refund" does not), and the role must come first
    (a pronoun refers back). Only the role kinds (:data:`ROLE_KINDS`).
    """
    if kind not in ROLE_KINDS:
        return False
    a, b = act_text(first, wide=wide), act_text(second, wide=wide)
    if wide:
        a, b = without_reported(a), without_reported(b)
    role = (_ESC_ROLE if escalation else _WIDE_ROLE) if wide else _ROLE
    if role.search(a) is None or _PERSON.search(b) is None:
        return False
    if has_act_form(kind, first, wide=wide, escalation=escalation):
        return False  # the first is read on its own
    fa, va = _act_parts(kind, a, wide=wide, escalation=escalation)
    fb, vb = _act_parts(kind, b, wide=wide, escalation=escalation)
    if not ((fa or fb) and (va or vb)):
        return False
    return not (
        kind == "manager_request"
        and _only_own_role(f"{a} {b}", wide=wide, escalation=escalation)
    )


@dataclass(frozen=True)
class MeaningHit:
    """A kind read from a sentence's meaning, with the labelled example it resembles most."""

    kind: str
    similarity_cos: float  # mean cosine to the kind's k nearest examples
    margin_cos: float  # ... less the mean cosine to the k nearest examples without the kind
    example: str  # the nearest labelled example of the kind


@dataclass(frozen=True)
class MeaningBank:
    """Labelled utterances and their unit vectors (one row each)."""

    texts: tuple[str, ...]
    speakers: tuple[str, ...]
    kinds: tuple[frozenset[str], ...]
    vectors: np.ndarray  # (n, dim) float32
    model: str
    probe: np.ndarray  # (dim,) the encoder's vector of _PROBE_SENTENCE

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            version=np.array(BANK_VERSION),
            texts=np.array(self.texts),
            speakers=np.array(self.speakers),
            kinds=np.array(["|".join(sorted(k)) for k in self.kinds]),
            vectors=self.vectors.astype(np.float16),
            model=np.array(self.model),
            probe=self.probe.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> MeaningBank:
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["version"]) != BANK_VERSION:
                    raise MeaningModelError(
                        f"{path}: meaning bank version {int(z['version'])}, this calltone reads "
                        f"{BANK_VERSION}; rebuild it with bench/build_meaning_bank.py"
                    )
                texts = tuple(str(t) for t in z["texts"])
                kinds = tuple(frozenset(k for k in str(x).split("|") if k) for x in z["kinds"])
                vectors = np.asarray(z["vectors"], dtype=np.float32)
                speakers = tuple(str(t) for t in z["speakers"])
                model, probe = str(z["model"]), np.asarray(z["probe"], dtype=np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise MeaningModelError(
                f"{path}: cannot read the meaning bank ({exc}); rebuild it with "
                "bench/build_meaning_bank.py"
            ) from exc
        if not len(texts) == len(kinds) == len(speakers) == vectors.shape[0]:
            raise MeaningModelError(f"{path}: meaning bank arrays disagree in length; rebuild it")
        return cls(texts, speakers, kinds, vectors, model, probe)


def default_bank_path() -> Path:
    """The bank shipped in the package (``models/speech/meaning_bank.npz``)."""
    return Path(str(resources.files("calltone.models.speech").joinpath("meaning_bank.npz")))


def build_bank(
    encoder: SentenceEncoder, utterances: Sequence[tuple[str, str, frozenset[str]]]
) -> MeaningBank:
    """Embed labelled ``(speaker, text, kinds)`` utterances into a bank."""
    texts = [t for _, t, _ in utterances]
    return MeaningBank(
        texts=tuple(texts),
        speakers=tuple(s for s, _, _ in utterances),
        kinds=tuple(frozenset(k) & set(MEANING_KINDS) for _, _, k in utterances),
        vectors=encoder.encode(texts),
        model=encoder.name,
        probe=encoder.encode([_PROBE_SENTENCE])[0],
    )


class MeaningCueFinder:
    """Reads the :data:`MEANING_KINDS` of sentences from their nearest labelled examples.

    Parameters
    ----------
    encoder : SentenceEncoder
        The sentence encoder (load it once per process).
    bank : MeaningBank
        The labelled examples; re-embedded with ``encoder`` when it was built with another model
        (its probe vector differs), so the two always share one vector space.
    options : MeaningCueOptions, optional
    """

    def __init__(
        self,
        encoder: SentenceEncoder,
        bank: MeaningBank,
        options: MeaningCueOptions | None = None,
    ) -> None:
        self.encoder = encoder
        self.options = options or MeaningCueOptions()
        probe = encoder.encode([_PROBE_SENTENCE])[0]
        if float(probe @ bank.probe) < 0.999:
            log.warning(
                "meaning bank was built with %s, not %s: re-embedding its %d examples",
                bank.model, encoder.name, len(bank.texts),
            )
            bank = build_bank(encoder, list(zip(bank.speakers, bank.texts, bank.kinds, strict=True)))
        self.bank = bank
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the live service's transcription threads share a finder
        self._by_role: dict[str, tuple[np.ndarray, dict[str, np.ndarray], list[int]]] = {}
        self._negated: dict[str, list[bool]] = {}
        for role in ("agent", "customer"):
            rows = [i for i, s in enumerate(bank.speakers) if s == role]
            masks = {
                k: np.array([k in bank.kinds[i] for i in rows], dtype=bool)
                for k in MEANING_KINDS
                if SPEAKER_OF_KIND[k] == role and k in self.options.kinds
            }
            self._by_role[role] = (bank.vectors[rows], masks, rows)
            self._negated[role] = [is_negated(bank.texts[i]) for i in rows]

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (shape (n, dim)), from the cache where it has them."""
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        encoded: dict[str, np.ndarray] = {}
        if todo:
            with blas_threads_limit(self.options.blas_threads):
                encoded = dict(zip(todo, self.encoder.encode(todo), strict=True))
        out = np.zeros((len(texts), self.encoder.dim), dtype=np.float32)
        with self._lock:
            for t, v in encoded.items():
                self._cache[t] = v
            missing = []
            for i, t in enumerate(texts):
                got = encoded.get(t, self._cache.get(t))
                if got is None:  # evicted meanwhile by another call's sentences
                    missing.append(i)
                    continue
                if t in self._cache:
                    self._cache.move_to_end(t)
                out[i] = got
            while len(self._cache) > self.options.cache_sentences:
                self._cache.popitem(last=False)
        if missing:
            with blas_threads_limit(self.options.blas_threads):
                out[missing] = self.encoder.encode([texts[i] for i in missing])
        return out

    def find(self, texts: Sequence[str], speakers: Sequence[str]) -> list[list[MeaningHit]]:
        """The kinds each sentence carries by meaning.

        Parameters
        ----------
        texts, speakers : sequences of str, same length
            Each sentence's words and who said it (``agent`` / ``customer``; others get none).

        Returns
        -------
        list of list of MeaningHit
            Per sentence, the kinds of that speaker's side whose margin reaches
            ``min_margin_cos``, best first; empty for sentences under ``min_words``.
        """
        o = self.options
        out: list[list[MeaningHit]] = [[] for _ in texts]
        idx = [
            i for i, (t, s) in enumerate(zip(texts, speakers, strict=True))
            if s in self._by_role and len(t.split()) >= o.min_words
        ]
        if not idx:
            return out
        vecs = self.vectors([texts[i] for i in idx])
        for j, i in enumerate(idx):
            kinds = [
                k for k in self._by_role[speakers[i]][1]
                if k not in o.act_checked_kinds
                or has_act_form(
                    k, texts[i], wide=o.wide_act_classes, escalation=o.escalation_classes
                )
            ]
            out[i] = self._hits(vecs[j], texts[i], speakers[i], kinds)
        return out

    def find_pairs(
        self, pairs: Sequence[tuple[str, str]], speakers: Sequence[str]
    ) -> list[list[MeaningHit]]:
        """The role kinds each pair of adjacent sentences of one turn carries together.

        Only kinds of :data:`ROLE_KINDS` the options read, and only where
        :func:`act_pair_lends` says the second sentence lends the first the act; the joined text
        is read as one sentence (``min_words`` applies to it). The caller checks that the two
        are one speaker's, one turn's, within ``act_pair_max_gap_s`` (session 20).
        """
        o = self.options
        out: list[list[MeaningHit]] = [[] for _ in pairs]
        todo: list[tuple[int, str, list[str]]] = []
        for i, ((a, b), spk) in enumerate(zip(pairs, speakers, strict=True)):
            if spk not in self._by_role:
                continue
            kinds = [
                k for k in self._by_role[spk][1]
                if k in ROLE_KINDS
                and act_pair_lends(
                    k, a, b, wide=o.wide_act_classes, escalation=o.escalation_classes
                )
            ]
            joined = f"{a.strip()} {b.strip()}"
            if kinds and len(joined.split()) >= o.min_words:
                todo.append((i, joined, kinds))
        if not todo:
            return out
        vecs = self.vectors([t for _, t, _ in todo])
        for (i, joined, kinds), v in zip(todo, vecs, strict=True):
            out[i] = self._hits(v, joined, speakers[i], kinds)
        return out

    def _hits(
        self, vec: np.ndarray, text: str, speaker: str, kinds: Sequence[str]
    ) -> list[MeaningHit]:
        """The ``kinds`` (of ``speaker``'s side) whose margin for the sentence vector ``vec``
        reaches ``min_margin_cos``, best first."""
        o = self.options
        bank_v, masks, rows = self._by_role[speaker]
        neg_flags = self._negated[speaker]
        negated = is_negated(text)
        k = max(1, o.neighbours)
        sims = bank_v @ vec
        hits = []
        for kind in kinds:
            m = masks[kind]
            pos, neg = sims[m], sims[~m]
            if len(pos) == 0 or len(neg) == 0:
                continue
            kp = min(k, len(pos))
            top_pos = np.partition(pos, len(pos) - kp)[-kp:]
            kn = min(k, len(neg))
            top_neg = np.partition(neg, len(neg) - kn)[-kn:]
            sim = float(top_pos.mean())
            margin = sim - float(top_neg.mean())
            if margin < o.min_margin_cos:
                continue
            pos_rows = np.flatnonzero(m)
            if o.negation_must_agree:
                near = pos_rows[np.argsort(pos)[-kp:]]
                negated_near = sum(bool(neg_flags[r]) for r in near)
                if negated != (2 * negated_near > kp):
                    continue
            best = rows[int(pos_rows[int(np.argmax(pos))])]
            hits.append(MeaningHit(kind, sim, margin, self.bank.texts[best]))
        return sorted(hits, key=lambda h: -h.margin_cos)


def default_finder(options: MeaningCueOptions | None = None) -> MeaningCueFinder:
    """A finder over the default encoder and the packaged bank (cached per options).

    Raises
    ------
    MeaningModelError
        No sentence-embedding model is installed (the message says how to install it).
    """
    return _finder(options or MeaningCueOptions())


_FINDERS: dict[MeaningCueOptions, MeaningCueFinder] = {}


def _finder(options: MeaningCueOptions) -> MeaningCueFinder:
    from calltone.models.speech.meaning import default_encoder

    f = _FINDERS.get(options)
    if f is None:
        f = MeaningCueFinder(default_encoder(), MeaningBank.load(default_bank_path()), options)
        _FINDERS[options] = f
    return f
