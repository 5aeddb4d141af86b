"""Mask payment card and phone numbers in transcripts before they are stored or sent.

Callers read card numbers and phone numbers to agents all day; a stored transcript must not keep
them (PCI DSS forbids storing a card number in the clear, and a phone number is personal data).
Whisper writes them in many shapes, all of which are handled here:

- numerals, grouped or not: ``4532 0151 1283 0366``, ``4532-0151-1283-0366``,
  ``4532, 0151, 1283, 0366.``, ``4,532-0151-1283-0366``, ``+44 7700 900123``,
  ``(415) 555-0123``, ``415.555.0123``;
- digits one by one: ``4 5 3 2 ...``, ``4-1-1-1-...``;
- spoken digits: ``four five three two ...``, ``oh seven seven double oh nine ...``, with
  ``zero/oh/o/nought``, ``double``/``triple`` (and ``double low``, Whisper's mishearing of a
  British "double oh"), tens and teens (``forty-five thirty-two``) and hundreds
  (``four hundred and fifteen``, ``eight hundred``).

The digits are joined into *runs*: number tokens separated only by spaces and at most a little
punctuation (``-``, ``.``, ``,``, brackets). A run is then classified:

``[card]`` (:data:`CARD_TOKEN`)
    13-19 consecutive digits of the run (aligned to its tokens) that start with 2-6 (the issuer
    ranges of Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) and pass the
    Luhn checksum. The Luhn check is what lets order, reference and tracking numbers of the same
    length survive: nine in ten random numbers fail it. Because a single misheard, dropped or
    merged digit also fails it, 8-19 digits said right after a card word ("card", "visa",
    "credit", "debit", and "car", which Whisper writes for "card") are masked without the
    checksum or the issuer digit, unless a nearer word says they are something else ("order",
    "reference", "tracking", ...): on 64 synthetic read-out cards the 12-digit, issuer-checked
    rule let 6-9 % through. A Luhn-valid
    number is masked whatever the context: when in doubt, privacy wins. Digits said in the same
    breath as a card (expiry, security code, digits Whisper repeated) are masked with it.
``[phone]`` (:data:`PHONE_TOKEN`)
    ``+`` or "plus" then 7-15 digits (E.164, allowing for a digit or two the recogniser lost);
    10 digits not starting with 1 (North American ``NPA NXX XXXX``, UK numbers without the trunk
    zero, Australian mobiles);
    11 digits starting with 0 (UK national, ``07700 900123``, ``020 7946 0958``) or with 1
    then 2-9 (North American with the country code). After a phone word ("phone", "call",
    "mobile", "reach", "number", ...) also 7-9 digits (``555-0123``) and 12-15 digits without
    a plus. Never after an order/reference/account word, never a currency amount. Whisper's
    homophones between digits ("oh to oh" for "oh two oh", "for", "won", "ate") count as digits.

Left alone on purpose: prices (``$1,299.99``, "twelve ninety-nine"), times (``3:30``), dates
(``12/05/2024``, ``2024-05-12``), short numbers (the last four digits of a card may be said and
kept, as PCI allows), and order numbers that fail the Luhn check. A number split across two
transcript segments is caught by :func:`redact_segments` (or :class:`SegmentRedactor` live), which
read a speaker's consecutive segments as one text, with the other party's last words (the agent's
"can I take the card number?") as context. Only ASCII digits and English number words are read.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CARD_TOKEN = "[card]"
# Digits said right after a card word that are masked without the checksum or the issuer digit:
# Whisper tiny.en drops, merges or mishears digits of a read-out card ("four" -> "for"), and then
# neither holds; 8 is over the last four (+ expiry) a caller may say and PCI lets a system keep.
MIN_CARD_CONTEXT_DIGITS = 8
PHONE_TOKEN = "[phone]"
TOKENS = {"card": CARD_TOKEN, "phone": PHONE_TOKEN}

_DIGIT_WORDS = {
    "zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
# Whisper's homophones inside a string of digits ("oh to oh, seven ..."): only between numbers.
_HOMOPHONES = {"to": 2, "too": 2, "for": 4, "won": 1, "ate": 8}

_CARD_WORDS = frozenset({
    "card", "car", "visa", "mastercard", "amex", "american", "express", "credit", "debit", "maestro",
    "discover", "cvv",
})  # fmt: skip
_PHONE_WORDS = frozenset({
    "phone", "telephone", "mobile", "cell", "cellphone", "landline", "call", "ring", "reach",
    "text", "whatsapp", "fax", "contact", "area", "dial",
})  # fmt: skip
_WEAK_PHONE_WORDS = frozenset({"number", "digits"})
_OTHER_WORDS = frozenset({
    "order", "reference", "ref", "invoice", "tracking", "ticket", "case", "confirmation",
    "booking", "policy", "serial", "model", "account", "member", "membership", "parcel",
    "shipment", "claim", "transaction", "receipt", "sku", "part", "item", "product", "id",
    "pin", "postcode", "zip",
})  # fmt: skip
_CURRENCY_WORDS = frozenset({
    "dollars", "dollar", "bucks", "pounds", "pound", "quid", "euros", "euro", "cents", "pence",
    "percent",
})  # fmt: skip
_CONTEXT_WORDS = 6  # how many words before a run are read for context

_TOKEN_RE = re.compile(r"[0-9]+|[A-Za-z]+(?:'[A-Za-z]+)?")
_GAP_RE = re.compile(r"[\s().,\-\u2013\u2014]{0,4}")
_WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Redaction:
    """One masked span of the original text (character offsets)."""

    kind: str  # "card" or "phone"
    start: int
    end: int


@dataclass(frozen=True)
class RedactResult:
    """A redacted text.

    Attributes
    ----------
    text : str
        The text with every card number replaced by ``[card]`` and every phone number by
        ``[phone]``.
    n_redactions : int
        How many spans were masked.
    kinds : tuple of str
        The kinds masked, sorted and without repeats (``()``, ``("card",)``,
        ``("card", "phone")``, ...).
    redactions : tuple of Redaction
        Where, in the original text.
    """

    text: str
    n_redactions: int
    kinds: tuple[str, ...]
    redactions: tuple[Redaction, ...] = field(default=(), repr=False)


# ------------------------------------------------------------------------------------ runs


@dataclass
class _Unit:
    """Digits said as one piece (a numeral, a digit word, "forty-five", "four hundred ...")."""

    digits: str
    start: int
    end: int
    open_tens: bool = False  # "forty": a digit word may complete it
    open_hundred: bool = False  # "four hundred": "fifteen", "and five" may complete it
    said_and: bool = False  # "four hundred and": a digit word completes it too
    word: str = ""  # the digit word, when the unit is one ("oh", "five")


@dataclass
class _Run:
    units: list[_Unit]
    prefix_start: int  # start including a "+", "plus" or "(" that belongs to it
    plus: bool


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _runs(text: str) -> list[_Run]:
    """Maximal runs of number tokens joined by spaces and light punctuation."""
    toks = _tokens(text)
    runs: list[_Run] = []
    units: list[_Unit] = []
    repeat = 1
    repeat_start = -1
    last_end = -1

    def close() -> None:
        nonlocal units, repeat
        if units:
            runs.append(_finish_run(text, units))
        units = []
        repeat = 1

    for k, (tok, a, b) in enumerate(toks):
        low = tok.lower()
        if (units or repeat > 1) and not _GAP_RE.fullmatch(text, last_end, a):
            close()
        prev = units[-1] if units else None
        if tok.isdigit():
            if repeat > 1 and len(tok) == 1:
                units.append(_Unit(tok * repeat, repeat_start, b))
            else:
                units.append(_Unit(tok, a, b))
            repeat = 1
        elif low in _REPEAT and k + 1 < len(toks):
            repeat, repeat_start = _REPEAT[low], a
        elif low == "low" and repeat > 1:  # "double low": Whisper's "double oh"
            units.append(_Unit("0" * repeat, repeat_start, b))
            repeat = 1
        elif low in _DIGIT_WORDS and (low not in ("o", "oh") or units or _next_is_number(toks, k)):
            d = _DIGIT_WORDS[low]
            if repeat > 1:
                units.append(_Unit(str(d) * repeat, repeat_start, b))
                repeat = 1
            elif prev is not None and prev.open_tens and d:
                prev.digits = prev.digits[:-1] + str(d)
                prev.end, prev.open_tens = b, False
            elif prev is not None and prev.open_hundred and prev.said_and:
                prev.digits = prev.digits[:-1] + str(d)
                prev.end, prev.open_hundred = b, False
            else:
                # "eight hundred five five five ...": without "and", digits follow a hundred.
                units.append(_Unit(str(d), a, b, word=low))
        elif low in _HOMOPHONES and units and _next_is_number(toks, k):
            units.append(_Unit(str(_HOMOPHONES[low]), a, b, word=low))
        elif low in _TEENS:
            if prev is not None and prev.open_hundred:
                prev.digits = prev.digits[:-2] + str(_TEENS[low])
                prev.end, prev.open_hundred = b, False
            else:
                units.append(_Unit(str(_TEENS[low]), a, b))
        elif low in _TENS:
            if prev is not None and prev.open_hundred:
                prev.digits = prev.digits[:-2] + str(_TENS[low])
                prev.end, prev.open_hundred, prev.open_tens = b, False, True
            else:
                units.append(_Unit(str(_TENS[low]), a, b, open_tens=True))
        elif (
            low == "hundred" and prev is not None and len(prev.digits) <= 2 and prev.end == last_end
        ):
            prev.digits += "00"
            prev.end, prev.open_tens, prev.open_hundred = b, False, True
        elif low == "and" and prev is not None and prev.open_hundred and not prev.said_and:
            prev.said_and = True  # "four hundred and fifteen"
        else:
            close()
            last_end = b
            continue
        if units and units[-1] is not prev and prev is not None:
            prev.open_tens = prev.open_hundred = False
        last_end = b
    close()
    return runs


def _next_is_number(toks: list[tuple[str, int, int]], k: int) -> bool:
    """An "oh" only starts a run when a number follows it ("oh seven seven ...")."""
    if k + 1 >= len(toks):
        return False
    nxt = toks[k + 1][0].lower()
    return nxt.isdigit() or nxt in _DIGIT_WORDS or nxt in _REPEAT


def _finish_run(text: str, units: list[_Unit]) -> _Run:
    # "Oh, 415 555 0123": an "oh" before numerals is the interjection, not a zero.
    while len(units) > 1 and units[0].word in ("o", "oh") and not units[1].word:
        units = units[1:]
    # "... 0123. Oh, I see": and after them.
    while len(units) > 1 and units[-1].word in ("o", "oh") and not units[-2].word:
        units = units[:-1]
    start = units[0].start
    plus = False
    before = text[:start].rstrip()
    if before.endswith("+"):
        plus, start = True, len(before) - 1
    elif before.lower().endswith("plus") and (len(before) == 4 or not before[-5].isalpha()):
        plus, start = True, len(before) - 4
    if text[:start].rstrip(" ").endswith("("):
        start = len(text[:start].rstrip(" ")) - 1
    return _Run(list(units), start, plus)


# ------------------------------------------------------------------------------------ rules


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _context(before: str) -> str | None:
    """'card', 'phone' or 'other': the nearest telling word among the last few of ``before``.

    "number" and "digits" only say "phone" when nothing nearer says otherwise ("card number",
    "order number").
    """
    words = _WORD_RE.findall(before[-100:].lower())[-_CONTEXT_WORDS:]
    weak = False
    for w in reversed(words):
        if w in _OTHER_WORDS:
            return "other"
        if w in _CARD_WORDS:
            return "card"
        if w in _WEAK_PHONE_WORDS:
            weak = True
        elif w in _PHONE_WORDS:
            return "phone"
    return "phone" if weak else None


def _is_amount(text: str, run: _Run) -> bool:
    """A currency amount: ``$1,299``, ``£12``, ``1299 dollars``, ``40 percent``."""
    before = text[: run.prefix_start].rstrip()
    if before[-1:] in ("$", "£", "€", "%"):
        return True
    after = _WORD_RE.findall(text[run.units[-1].end : run.units[-1].end + 12].lower())
    return bool(after) and after[0] in _CURRENCY_WORDS


def _card_spans(units: list[_Unit], ctx: str | None) -> list[tuple[int, int]]:
    """Token-aligned sub-runs that are card numbers: (first unit, last unit) inclusive."""
    out = []
    i = 0
    while i < len(units):
        best = None
        total = 0
        for j in range(i, len(units)):
            total += len(units[j].digits)
            if total > 19:
                break
            if total >= MIN_CARD_CONTEXT_DIGITS:
                digits = "".join(u.digits for u in units[i : j + 1])
                if ctx == "card" or (total >= 13 and digits[0] in "23456" and luhn_valid(digits)):
                    best = j
        if best is None:
            i += 1
        else:
            out.append((i, best))
            i = best + 1
    return out


def _is_phone(digits: str, *, plus: bool, ctx: str | None) -> bool:
    n = len(digits)
    if plus:
        return 7 <= n <= 15
    if ctx == "other":
        return False
    if n == 10 and digits[0] != "1":
        return True
    if n == 11 and (digits[0] == "0" or (digits[0] == "1" and digits[1] in "23456789")):
        return True
    return ctx == "phone" and (7 <= n <= 9 or 12 <= n <= 15)


def find_sensitive(text: str, *, context: str = "") -> list[Redaction]:
    """Card and phone number spans in ``text``, in order (see the module docstring).

    ``context`` is what was said just before (e.g. the agent's "can I take the card number?"):
    its last words count as context for a number at the start of ``text``.
    """
    found: list[Redaction] = []
    for run in _runs(text):
        if _is_amount(text, run):
            continue
        ctx = _context(context + " " + text[: run.prefix_start])
        units = run.units
        label: list[str | None] = [None] * len(units)
        for i, j in _card_spans(units, ctx):
            label[i : j + 1] = ["card"] * (j + 1 - i)
        # What is left of the run, piece by piece, may be a phone number; when the run holds a
        # card, the rest of it is digits misheard or said with it (expiry, CVV): card too.
        has_card = "card" in label
        for i, j in _pieces(label):
            digits = "".join(u.digits for u in units[i : j + 1])
            if _is_phone(digits, plus=run.plus and i == 0, ctx=ctx):
                label[i : j + 1] = ["phone"] * (j + 1 - i)
            elif has_card:
                label[i : j + 1] = ["card"] * (j + 1 - i)
        i = 0
        while i < len(units):
            j = i
            while j + 1 < len(units) and label[j + 1] == label[i]:
                j += 1
            kind = label[i]
            if kind is not None:
                start = run.prefix_start if i == 0 else units[i].start
                found.append(Redaction(kind, start, units[j].end))
            i = j + 1
    found.sort(key=lambda r: r.start)
    return found


def _pieces(label: list[str | None]) -> list[tuple[int, int]]:
    """Maximal stretches (first, last) of units not labelled yet."""
    out = []
    i = 0
    while i < len(label):
        if label[i] is not None:
            i += 1
            continue
        j = i
        while j + 1 < len(label) and label[j + 1] is None:
            j += 1
        out.append((i, j))
        i = j + 1
    return out


def _apply(text: str, spans: list[Redaction]) -> str:
    out = []
    pos = 0
    for r in spans:
        out.append(text[pos : r.start])
        out.append(TOKENS[r.kind])
        pos = r.end
    out.append(text[pos:])
    return "".join(out)


def redact_text(text: str, *, context: str = "") -> RedactResult:
    """Mask card numbers as ``[card]`` and phone numbers as ``[phone]``.

    ``context``: what was said just before, read for words like "card" or "order" only.

    >>> redact_text("my card is 4532 0151 1283 0366, call me on 07700 900123").text
    'my card is [card], call me on [phone]'
    """
    spans = find_sensitive(text, context=context)
    return RedactResult(
        text=_apply(text, spans),
        n_redactions=len(spans),
        kinds=tuple(sorted({r.kind for r in spans})),
        redactions=tuple(spans),
    )


# ------------------------------------------------------------------------------------ segments


def _mask_words(words: list[dict[str, Any]], spans: list[Redaction], offsets: list[int]) -> None:
    """Replace the part of each word inside a span by the span's token, in place."""
    for w, off in zip(words, offsets, strict=True):
        text = str(w.get("word", ""))
        a, b = off, off + len(text)
        hits = [r for r in spans if r.start < b and r.end > a]
        if not hits:
            continue
        pieces, pos = [], 0
        for r in hits:
            s, e = max(r.start - a, 0), min(r.end - a, len(text))
            pieces += [text[pos:s], TOKENS[r.kind]]
            pos = e
        pieces.append(text[pos:])
        w["word"] = "".join(pieces)


def _join(pieces: Iterable[str]) -> tuple[str, list[int]]:
    offsets, parts, pos = [], [], 0
    for p in pieces:
        offsets.append(pos)
        parts.append(p)
        pos += len(p) + 1
    return " ".join(parts), offsets


def _redact_group(segments: list[dict[str, Any]], context: str = "") -> int:
    """Redact consecutive segments of one speaker as one text, in place; return spans masked."""
    texts = [str(s.get("text", "")) for s in segments]
    joined, offsets = _join(texts)
    spans = find_sensitive(joined, context=context)
    for seg, text, off in zip(segments, texts, offsets, strict=True):
        local = [
            Redaction(r.kind, max(r.start - off, 0), min(r.end - off, len(text)))
            for r in spans
            if r.start < off + len(text) and r.end > off
        ]
        seg["text"] = _apply(text, local)
    words = [w for s in segments for w in (s.get("words") or []) if isinstance(w, dict)]
    if words:
        wjoined, woffsets = _join(str(w.get("word", "")) for w in words)
        _mask_words(words, find_sensitive(wjoined, context=context), woffsets)
    return len(spans)


def redact_segment(segment: Mapping[str, Any], *, context: str = "") -> dict[str, Any]:
    """A copy of one transcript segment with its ``text`` and ``words`` masked.

    Word entries keep their count and times; the part of a word's text inside a card or phone
    number becomes the token (``"4532,"`` reads ``"[card]"`` inside a number, ``"0366."``
    reads ``"[card]."`` at its end). Other keys are copied as is.
    ``context``: the text said just before (for "card" / "order" words), never masked here.
    """
    seg = copy.deepcopy(dict(segment))
    _redact_group([seg], context)
    return seg


def redact_segments(
    segments: Iterable[Mapping[str, Any]], *, max_gap_s: float = 10.0
) -> list[dict[str, Any]]:
    """Copies of a call's transcript segments, masked, reading across segment boundaries.

    A card read out in groups with pauses between them lands in several segments; each speaker's
    segments that follow within ``max_gap_s`` of each other are read as one text, so the number is
    found and each segment masks its own part of it. Order and keys are kept.
    """
    out = [copy.deepcopy(dict(s)) for s in segments]
    timeline = sorted(out, key=lambda s: _f(s, "start_s"))
    texts = {id(s): str(s.get("text", "")) for s in timeline}  # before masking, for context
    by_speaker: dict[str, list[dict[str, Any]]] = {}
    for seg in timeline:
        by_speaker.setdefault(str(seg.get("speaker", "")), []).append(seg)

    position = {id(s): k for k, s in enumerate(timeline)}

    def context_for(first: dict[str, Any]) -> str:
        """The other party's last words before this group (the agent's question)."""
        for k in range(position[id(first)] - 1, -1, -1):
            s = timeline[k]
            if _f(first, "start_s") - _f(s, "end_s") > max_gap_s:
                break
            if s.get("speaker") != first.get("speaker"):
                return texts[id(s)]
        return ""

    for segs in by_speaker.values():
        group: list[dict[str, Any]] = []
        for seg in segs:
            if group and _f(seg, "start_s") - _f(group[-1], "end_s") > max_gap_s:
                _redact_group(group, context_for(group[0]))
                group = []
            group.append(seg)
        if group:
            _redact_group(group, context_for(group[0]))
    return out


def _f(seg: Mapping[str, Any], key: str) -> float:
    try:
        return float(seg.get(key) or 0.0)
    except (TypeError, ValueError):
        return 0.0


class SegmentRedactor:
    """Live redaction: segments in as Whisper produces them, masked segments out.

    A segment whose text ends in digits that are not yet a card or phone number may be the first
    half of a number said in groups, so it is held back until the same speaker's next segment
    arrives (more than ``max_gap_s`` later, it
    is released on its own), and the two are read together. At most ``max_held`` segments are
    held per speaker; :meth:`flush` releases the rest at the end of the call.

    Usage::

        redactor = SegmentRedactor()
        for seg in redactor.push(segment.to_dict()):   # zero, one or more
            store(seg); send(seg)
        ...
        for seg in redactor.flush():                    # at the end of the call
            store(seg); send(seg)
    """

    def __init__(self, *, max_gap_s: float = 10.0, max_held: int = 4) -> None:
        self.max_gap_s = max_gap_s
        self.max_held = max_held
        self._held: dict[str, list[dict[str, Any]]] = {}
        self._context: dict[str, str] = {}  # speaker -> the other party's last words
        self._last: tuple[str, str] | None = None  # (speaker, text) of the newest segment

    def push(self, segment: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Masked segments ready to store and send, in time order per speaker."""
        seg = copy.deepcopy(dict(segment))
        speaker = str(seg.get("speaker", ""))
        held = self._held.setdefault(speaker, [])
        out: list[dict[str, Any]] = []
        if held and _f(seg, "start_s") - _f(held[-1], "end_s") > self.max_gap_s:
            out += self._release(speaker)
            held = self._held[speaker]
        if not held:
            last = self._last
            self._context[speaker] = last[1] if last is not None and last[0] != speaker else ""
        self._last = (speaker, str(seg.get("text", "")))
        held.append(seg)
        joined = _join(str(s.get("text", "")) for s in held)[0]
        if len(held) < self.max_held and _open_number_at_end(joined, self._context[speaker]):
            return out
        return out + self._release(speaker)

    def flush(self) -> list[dict[str, Any]]:
        """Release everything held (end of the call)."""
        out: list[dict[str, Any]] = []
        for speaker in list(self._held):
            out += self._release(speaker)
        return out

    def _release(self, speaker: str) -> list[dict[str, Any]]:
        group = self._held.get(speaker) or []
        self._held[speaker] = []
        if group:
            _redact_group(group, self._context.get(speaker, ""))
        return group


def _open_number_at_end(text: str, context: str) -> bool:
    """The text ends in digits that are not (yet) a card or phone number: more may follow."""
    runs = _runs(text)
    if not runs:
        return False
    end = runs[-1].units[-1].end
    if _WORD_RE.search(text[end:].lower()):
        return False
    found = [r for r in find_sensitive(text, context=context) if r.end == end]
    if not found:
        return True
    # Fewer than 16 digits masked only because a card word came before them: the first groups
    # of a card, whose rest would otherwise go out alone, without the card word near it.
    digits = sum(len(u.digits) for u in runs[-1].units)
    return found[-1].kind == "card" and digits < 16
