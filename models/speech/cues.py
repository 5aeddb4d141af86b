"""Phrase cues: find what the guidance says to listen for in a call transcript.

Why phrases at all: the acoustic detectors say *how* people speak; a trainer's scorecard and the
supervisor's escalation flag also need *what* was said: an empathetic acknowledgement, a specific
apology rather than a bare "I'm sorry", the customer's name, blame passing, a customer asking for
a manager, abuse. Every cue kind lives in ``models/speech/cues.toml`` with the seed passage it traces
to, so a scorecard line can quote both the call and the guidance.

Why fuzzy: Whisper writes the same words many ways ("I cant", "Im sorry", "OK", hyphenation) and
slips a word now and then. Sentences and patterns are both normalised by :mod:`models.speech.text`, and
phrases of five or more tokens may differ by one token (insert, delete or substitute), except that a
negation, a personal pronoun or a content word (four letters or more) can never be the slip: "I can do that" must not match "I can't do
that". Tokens of five letters or more that are nearly the same (difflib ratio >= 0.85:
"apologise"/"apologize", "frustrating"/"frustrated") count as equal.

Times and quotes come from the matched words, not the whole segment, so an event points at the
words that fired it.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import functools
import logging
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from calltone.audio.errors import CalltoneError
from calltone.models.speech.meaning_cues import ROLE_KINDS, MeaningCueFinder, MeaningHit
from calltone.models.speech.reported import reported_mask
from calltone.models.speech.text import NormToken, normalize, normalize_tokens
from calltone.models.speech.transcript import Segment, Word

log = logging.getLogger(__name__)

SPEAKERS = ("agent", "customer")
POLARITIES = ("good", "bad", "signal")
NAME_PLACEHOLDER = "{name}"
# A one-token slip is allowed in phrases at least this long (in a 4-word phrase one substitution
# is a different phrase: "thank you for calling" vs "thank you for waiting").
FUZZY_MIN_TOKENS = 5
# Hesitations Whisper sometimes writes inside a phrase ("I, uh, can't do that"): free to skip.
FILLERS = frozenset({"uh", "um", "er", "erm", "ah", "hmm", "mm"})
MAX_FILLERS = 2
# Tokens that flip or re-aim a phrase's meaning: they must match exactly.
PROTECTED_TOKENS = frozenset(
    {"not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "without", "unable"}
    | {"i", "you", "we", "they", "me", "us", "my", "your", "our"}
)
# A "good" cue preceded this closely by a negation is dropped ("we can't offer a refund").
NEGATION_WINDOW_TOKENS = 4
NEGATIONS = frozenset({"not", "never", "no", "nothing", "unable"})
NOT_NEGATING_AFTER_NO = frozenset({"problem", "problems", "worries", "worry", "doubt"})
# ... nor "no" after these (the exclamation "oh no, how upsetting").
NOT_NEGATING_BEFORE_NO = frozenset({"oh", "ah", "uh"})
# ... nor "not" before these ("don't worry, I'll sort it out", "don't hesitate to call").
NOT_NEGATING_AFTER_NOT = frozenset({"worry", "hesitate", "panic", "forget", "mind"})
# A pause this long between two words of one speaker ends a sentence even without punctuation.
SENTENCE_GAP_S = 1.0
_SENTENCE_END = (".", "?", "!", "…")
_KNOWN_KEYS = {"kind", "speaker", "polarity", "patterns", "unless", "seed"}
_PATTERN_KEYS = {"pattern", "confidence", "scope"}
_TOP_KEYS = {"cue", "lexicon", "near_miss", "options"}
_OPTION_KEYS = {
    "regex_skips_fillers",
    "name_split_after_title",
    "meaning_cues",
    "meaning_role_kinds",
    "meaning_role_wide_acts",
    "meaning_role_pairs",
    "meaning_role_escalation_classes",
}
# "{word}" in a regex pattern: a [lexicon] list (letters and underscores, so never a quantifier).
_LEXICON_REF = re.compile(r"\{([a-z_]+)\}")
# How deep lexicon lists may name other lists ("{role}" holds "{role_person}").
LEXICON_MAX_DEPTH = 4
# Words that end in "." without ending a sentence ("Thank you, Ms. Jones.").
_TITLES = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "mx."})
# Punctuation that ends a clause inside a sentence (``scope = "clause"`` patterns).
_CLAUSE_END = (",", ";", ":", "—", "–", " -")
# A capitalised transcript word that sounds like a word of the customer's name counts as the
# name (Whisper's spelling of a name it does not know: "Sara", "Jonas" for "Sarah Jones") when
# both have the same phonetic key (:func:`phonetic_key`) and their spellings are this similar
# (difflib ratio); the cue's confidence is scaled by NAME_NEAR_MISS_CONFIDENCE.
NAME_SPELLING_MIN_RATIO = 0.6
NAME_NEAR_MISS_CONFIDENCE = 0.7
# After a title ("Mr. Copper", "Mrs. Jonas") a capitalised word (or two: "Mr. Mark Afford") that
# ends a clause (a vocative: "Thanks, Mr. Copper, ...", "... reach you on, Mr. Caffer?"; not "Mr.
# Cooper from our installation team will call") is the agent addressing someone by surname; it
# counts as the customer's surname when its consonant
# skeleton (:func:`phonetic_key` without a leading vowel) is this similar to the surname's (difflib
# ratio: "Copper" / "Caffer" / "Markuffer" for "Okafor", not "Taylor" or "Harriet"), at confidence
# x NAME_AFTER_TITLE_CONFIDENCE. Whisper garbles an unfamiliar surname more than a first name, and
# the title is the context that says a name was said.
NAME_AFTER_TITLE_MIN_KEY_RATIO = 0.5
NAME_AFTER_TITLE_CONFIDENCE = 0.5
# After a title, the surname written as two or three words that join to its exact spelling
# ("Mr More No", "mister more no" for Moreno: tiny.en on telephone audio with beam search splits
# a name it does not know into common words, often without capitals) counts as the surname, at
# the same NAME_AFTER_TITLE_CONFIDENCE.
NAME_SPLIT_MAX_TOKENS = 3
_TITLE_TOKENS = frozenset({"mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "mx"})
# A longer run of tokens is preferred when its ratio is within this of the best shorter one.
NEAR_MISS_LONGER_MARGIN = 0.05
# Phrase tokens this long or longer are content words (unless in SLIPPABLE_WORDS): they may be
# misspelt (difflib, see _same) but never dropped or replaced by the one-token slip ("I can't
# convince you" is not "I can't help you"); the slip is for function words ("a", "the", "that").
CONTENT_WORD_LETTERS = 4
# Function words of four letters or more that may still be the slip ("that must be really
# frustrating" heard as "must be really frustrating").
SLIPPABLE_WORDS = frozenset(
    """that this these those with will would just really very have been from here there what
    when then than also some about into over your their them okay well right sure please""".split()  # noqa: SIM905
)
# A phrase matched with a one-token slip is less certain than an exact one.
SLIP_CONFIDENCE = 0.85
# Near-misses of a frame's key word (``[near_miss]`` in the cue file: "super miner", "manger" for
# "supervisor", "manager"): a run of 1 to NEAR_MISS_MAX_TOKENS transcript tokens, joined, that
# starts with the key word's letter, is at least NEAR_MISS_MIN_LENGTH_RATIO of its length and
# spells nearly the same (difflib ratio >= NEAR_MISS_MIN_RATIO) stands for the key word, but only
# inside a frame that names the word's class (the rest of the pattern must hold as written); the
# cue's confidence is scaled by NEAR_MISS_CONFIDENCE.
NEAR_MISS_MAX_TOKENS = 3
NEAR_MISS_MIN_RATIO = 0.7
NEAR_MISS_MIN_LENGTH_RATIO = 0.75
NEAR_MISS_CONFIDENCE = 0.7
# A longer run of tokens is preferred when its ratio is within this of the best shorter one.
NEAR_MISS_LONGER_MARGIN = 0.05
# The token that stands for a near-miss in the sentence's near-miss text (and continues it).
_NEAR_TOKEN = "zznear{name}"
_NEAR_CONT = "zznearx"
# Word probabilities (Whisper's) below this do not lower a cue's confidence further; a cue from
# words Whisper was sure of keeps its pattern's confidence.
MIN_WORD_PROBABILITY = 0.3


class CueFileError(CalltoneError):
    """The cue file cannot be read or one of its entries is malformed."""


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern of a cue: a token phrase or a regex over normalised text."""

    source: str
    tokens: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    has_name: bool = False
    confidence: float = 1.0
    clause: bool = False  # a regex run on each clause of the sentence, not the whole of it
    # run on the sentence's near-miss text for this [near_miss] class (a frame's twin)
    near_miss: str = ""

    @property
    def max_slips(self) -> int:
        return 1 if len(self.tokens) >= FUZZY_MIN_TOKENS else 0


@dataclass(frozen=True)
class CueSpec:
    """One ``[[cue]]`` entry of the cue file."""

    kind: str
    speaker: str
    polarity: str
    patterns: tuple[Pattern, ...]
    seed_file: str
    seed_quote: str
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cue:
    """A phrase cue found in the transcript, with the words that fired it.

    Attributes
    ----------
    kind : str
        The cue kind from the cue file (``empathy``, ``bare_apology``, ...).
    speaker : str
        ``agent`` or ``customer``.
    start_s, end_s : float
        Times of the first and last matched word, seconds from the start of the call.
    quote : str
        The transcript's own words that matched, as Whisper wrote them.
    polarity : str
        ``good``, ``bad`` or ``signal``.
    seed_file, seed_quote : str
        The guidance passage this cue traces to.
    pattern : str
        The pattern (as written in the cue file) that matched.
    occurrence : int
        1 for the first cue of this kind in the call, 2 for the second, ... (repeated bare
        apologies are themselves a finding).
    confidence : float
        0-1: the pattern's own confidence (1 for a phrase as written; lower for the near-misses
        of a recognition error, e.g. "super miner" for "supervisor"), times
        :data:`SLIP_CONFIDENCE` when a word slipped, times the mean word probability Whisper
        gave the quoted words (floored at :data:`MIN_WORD_PROBABILITY`).
    source : str
        ``"transcript"``: the words are Whisper's first pass; ``"verification"``: the cue rests
        on a key phrase that forced rescoring put where Whisper had written other words
        (:func:`calltone.models.speech.verify.mark_verified`, confidence scaled down);
        ``"meaning"``: no phrase matched, the sentence's meaning did
        (:mod:`calltone.models.speech.meaning_cues`; ``quote`` is the whole sentence).
    meaning : MeaningHit or None
        For a ``"meaning"`` cue: the labelled example the sentence resembles most and the
        cosine similarity and margin that fired it.
    thresholds : tuple of (name, value)
        The thresholds that fired the cue (a meaning cue's margin and neighbours).
    """

    kind: str
    speaker: str
    start_s: float
    end_s: float
    quote: str
    polarity: str
    seed_file: str
    seed_quote: str
    pattern: str
    occurrence: int = 1
    confidence: float = 1.0
    source: str = "transcript"
    meaning: MeaningHit | None = None
    thresholds: tuple[tuple[str, float], ...] = ()

    def to_event_dict(self) -> dict[str, Any]:
        """The cue as an analysis event (``kind: "phrase"``; the caller assigns ``id``)."""
        return {
            "kind": "phrase",
            "speaker": self.speaker,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "evidence": {
                "cue": self.kind,
                "quote": self.quote,
                "polarity": self.polarity,
                "seed": {"file": self.seed_file, "quote": self.seed_quote},
                "pattern": self.pattern,
                "occurrence": self.occurrence,
                "confidence": round(self.confidence, 2),
                **({"source": self.source} if self.source != "transcript" else {}),
                **(
                    {
                        "meaning": {
                            "example": self.meaning.example,
                            "similarity_cos": round(self.meaning.similarity_cos, 3),
                            "margin_cos": round(self.meaning.margin_cos, 3),
                        }
                    }
                    if self.meaning is not None
                    else {}
                ),
            },
            **({"thresholds": dict(self.thresholds)} if self.thresholds else {}),
        }


@dataclass(frozen=True)
class _Sentence:
    """One speaker's sentence: original words and their canonical tokens."""

    speaker: str
    words: list[Word]
    tokens: list[NormToken]
    text: str = ""
    offsets: list[int] = field(default_factory=list)  # char offset of each token in ``text``
    clauses: list[tuple[int, int]] = field(default_factory=list)  # char ranges in ``text``
    # per [near_miss] class: the sentence with its near-misses of the class's words replaced
    near: dict[str, _Sentence] = field(default_factory=dict)
    # a variant's token k is token index_map[k] of the sentence it was made from (empty: same)
    index_map: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Loading


def default_cue_path() -> Path:
    """The cue file shipped in the package (``models/speech/cues.toml``)."""
    return Path(str(resources.files("calltone.models.speech").joinpath("cues.toml")))


class CueMatcher:
    """Finds the cues of a cue file in call transcripts. Build with :meth:`from_file`."""

    def __init__(
        self,
        specs: Sequence[CueSpec],
        *,
        source: str = "<memory>",
        near_miss: dict[str, tuple[str, ...]] | None = None,
        regex_skips_fillers: bool = False,
        name_split_after_title: bool = False,
        meaning: MeaningCueFinder | None = None,
    ) -> None:
        self.specs = tuple(specs)
        self.source = source
        self.near_miss = dict(near_miss or {})
        #: "re:" patterns read each sentence without its hesitations ("I could, um, switch the
        #: delivery" is "i could switch the delivery" to a frame); phrases skip them already
        #: (:data:`FILLERS`). The cue file's ``[options] regex_skips_fillers``.
        self.regex_skips_fillers = regex_skips_fillers
        #: After a title, the surname written as 2-3 words that join to its exact spelling ("Mr
        #: More No" for Moreno) counts as the name (:data:`NAME_SPLIT_MAX_TOKENS`). The cue
        #: file's ``[options] name_split_after_title``; off unless set.
        self.name_split_after_title = name_split_after_title
        #: Kinds read from each sentence's meaning, united with the phrases (the cue file's
        #: ``[options] meaning_cues``; needs the sentence-embedding model, see
        #: :mod:`calltone.models.speech.meaning`). None: phrases only.
        self.meaning = meaning

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> CueMatcher:
        """Load and validate a cue file (default: the packaged one).

        Raises
        ------
        CueFileError
            Unreadable file, TOML syntax error, or an entry with a missing/invalid field; the
            message names the file and the entry.
        """
        p = Path(path) if path is not None else default_cue_path()
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CueFileError(
                f"cannot read cue file {str(p)!r} ({exc.strerror or exc}); fix the path or omit "
                "it to use the packaged models/speech/cues.toml"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise CueFileError(
                f"cue file {str(p)!r} is not valid TOML: {exc}; fix the syntax"
            ) from exc
        options = _parse_options(data.get("options", {}), source=str(p))
        return cls(
            parse_cue_entries(data, source=str(p)),
            source=str(p),
            near_miss=_parse_near_miss(data.get("near_miss", {}), source=str(p)),
            regex_skips_fillers=options["regex_skips_fillers"],
            name_split_after_title=options["name_split_after_title"],
            meaning=_meaning_finder(
                role_kinds=options["meaning_role_kinds"],
                wide_acts=options["meaning_role_wide_acts"],
                pairs=options["meaning_role_pairs"],
                escalation=options["meaning_role_escalation_classes"],
            )
            if options["meaning_cues"]
            else None,
        )

    @property
    def kinds(self) -> list[str]:
        return [s.kind for s in self.specs]

    def find_cues(
        self, segments: Sequence[Segment], *, customer_name: str | None = None
    ) -> list[Cue]:
        """All cues in a call's segments, sorted by time.

        Parameters
        ----------
        segments : sequence of Segment
            Both speakers' transcript segments (any order); ``speaker`` must be ``agent`` or
            ``customer`` for the cue kinds of that side to be searched.
        customer_name : str, optional
            The customer's name (e.g. from the CRM). None: learned from the transcript with
            :func:`learn_customer_name`; cues that need a name are skipped when none is found.

        Returns
        -------
        list of Cue
            Times from the matched words; ``occurrence`` counts per kind.
        """
        name = customer_name if customer_name is not None else learn_customer_name(segments)
        name_tokens = _name_tokens(name)
        found: list[Cue] = []
        sentences = _sentences(segments)
        by_phrase: list[dict[str, list[Cue]]] = []
        for sentence in sentences:
            matched: dict[str, list[Cue]] = {}
            for spec in self.specs:
                if spec.speaker != sentence.speaker:
                    continue
                cues = _match_spec(
                    spec,
                    sentence,
                    name_tokens,
                    self.near_miss,
                    skip_fillers=self.regex_skips_fillers,
                    split_names=self.name_split_after_title,
                )
                if cues:
                    matched[spec.kind] = cues
            by_phrase.append(matched)
        # The meaning reads the sentences the phrases left unexplained (or all of them, per
        # its options); the phrase cue wins where both give one kind.
        only_unmatched = self.meaning is not None and self.meaning.options.only_where_no_phrase
        wanted = [i for i, m in enumerate(by_phrase) if not (m and only_unmatched)]
        by_meaning = self._meaning_cues([sentences[i] for i in wanted])
        for i, meant in zip(wanted, by_meaning, strict=True):
            for c in meant:
                by_phrase[i].setdefault(c.kind, [c])
        for i, c in self._meaning_pair_cues(sentences, set(wanted), by_phrase):
            by_phrase[i].setdefault(c.kind, [c])
        for matched in by_phrase:
            for spec in self.specs:
                if spec.kind in matched and not any(k in matched for k in spec.unless):
                    found.extend(matched[spec.kind])
        found.sort(key=lambda c: (c.start_s, c.end_s, c.kind))
        counts: dict[str, int] = {}
        out = []
        for c in found:
            counts[c.kind] = counts.get(c.kind, 0) + 1
            out.append(_with_occurrence(c, counts[c.kind]))
        return out

    def _meaning_cues(self, sentences: list[_Sentence]) -> list[list[Cue]]:
        """Per sentence, the cues its meaning carries (none without a meaning finder)."""
        if self.meaning is None:
            return [[] for _ in sentences]
        texts = [_sentence_text(s) for s in sentences]
        hits = self.meaning.find(texts, [s.speaker for s in sentences])
        specs = {(sp.kind, sp.speaker): sp for sp in self.specs}
        thresholds = tuple(self.meaning.options.thresholds().items())
        out: list[list[Cue]] = []
        for s, text, hs in zip(sentences, texts, hits, strict=True):
            cues = []
            for h in hs:
                spec = specs.get((h.kind, s.speaker))
                if spec is None or not s.words:
                    continue
                cues.append(
                    _meaning_cue(
                        spec,
                        h,
                        start_s=s.words[0].start_s,
                        end_s=s.words[-1].end_s,
                        quote=text,
                        pattern=f"meaning: like {h.example!r}",
                        thresholds=thresholds,
                    )
                )
            out.append(cues)
        return out

    def _meaning_pair_cues(
        self,
        sentences: list[_Sentence],
        unexplained: set[int],
        found: list[dict[str, list[Cue]]],
    ) -> list[tuple[int, Cue]]:
        """Role cues of offers and requests split over two sentences of one turn (session 20,
        ``MeaningCueOptions.act_pair_max_gap_s``): the first sentence names the role, the second
        follows within the gap with no word of anyone else between and lends the act
        (:meth:`MeaningCueFinder.find_pairs`). The cue spans both and sits on the first, which
        must be one the phrases left unexplained (``unexplained``); neither may have the kind
        already (in ``found``)."""
        finder = self.meaning
        gap = None if finder is None else finder.options.act_pair_max_gap_s
        if finder is None or gap is None:
            return []
        starts: dict[str, list[float]] = {}  # each speaker's word starts, in time order
        for s in sentences:
            starts.setdefault(s.speaker, []).extend(w.start_s for w in s.words)
        for v in starts.values():
            v.sort()
        cand: list[tuple[int, int]] = []
        last: dict[str, int] = {}
        for j, s in enumerate(sentences):  # each speaker's sentences are in time order
            i = last.get(s.speaker)
            last[s.speaker] = j
            if i is None or i not in unexplained or not s.words or not sentences[i].words:
                continue
            a_end, b_start = sentences[i].words[-1].end_s, s.words[0].start_s
            if b_start - a_end > gap or any(k in found[i] or k in found[j] for k in ROLE_KINDS):
                continue
            # one turn: no word of another speaker starts between the two sentences
            if any(
                bisect.bisect_left(v, a_end) < bisect.bisect_right(v, b_start)
                for spk, v in starts.items()
                if spk != s.speaker
            ):
                continue
            cand.append((i, j))
        if not cand:
            return []
        texts = [(_sentence_text(sentences[i]), _sentence_text(sentences[j])) for i, j in cand]
        hits = finder.find_pairs(texts, [sentences[i].speaker for i, _ in cand])
        specs = {(sp.kind, sp.speaker): sp for sp in self.specs}
        thresholds = (
            *finder.options.thresholds().items(),
            ("meaning_act_pair_max_gap_s", float(gap)),
        )
        out: list[tuple[int, Cue]] = []
        for (i, j), (a, b), hs in zip(cand, texts, hits, strict=True):
            s = sentences[i]
            for h in hs:
                spec = specs.get((h.kind, s.speaker))
                if spec is None:
                    continue
                cue = _meaning_cue(
                    spec,
                    h,
                    start_s=s.words[0].start_s,
                    end_s=sentences[j].words[-1].end_s,
                    quote=f"{a} {b}",
                    pattern=f"meaning (two sentences): like {h.example!r}",
                    thresholds=thresholds,
                )
                out.append((i, cue))
        return out


def _sentence_text(s: _Sentence) -> str:
    """A sentence's words as Whisper wrote them, one space apart (what the meaning reads)."""
    return " ".join(w.word.strip() for w in s.words).strip()


def _meaning_cue(
    spec: CueSpec,
    h: MeaningHit,
    *,
    start_s: float,
    end_s: float,
    quote: str,
    pattern: str,
    thresholds: tuple[tuple[str, float], ...],
) -> Cue:
    """The cue a meaning hit gives for ``spec`` (its confidence the hit's cosine, in [0, 1])."""
    return Cue(
        kind=h.kind,
        speaker=spec.speaker,
        start_s=start_s,
        end_s=end_s,
        quote=quote,
        polarity=spec.polarity,
        seed_file=spec.seed_file,
        seed_quote=spec.seed_quote,
        pattern=pattern,
        confidence=round(max(0.0, min(1.0, h.similarity_cos)), 3),
        source="meaning",
        meaning=h,
        thresholds=thresholds,
    )


_MEANING_WARNED: list[bool] = []


def _meaning_finder(
    *,
    role_kinds: bool = False,
    wide_acts: bool = False,
    pairs: bool = False,
    escalation: bool = False,
) -> MeaningCueFinder | None:
    """The default meaning finder (with the role kinds under the act rule when ``role_kinds``:
    :func:`~calltone.models.speech.meaning_cues.role_act_options`, its widened classes with
    ``wide_acts``, split acts with ``pairs`` and the session-21 escalation classes with
    ``escalation``), or None (warned once) when no model is installed."""
    from calltone.models.speech.meaning import MeaningModelError
    from calltone.models.speech.meaning_cues import default_finder, role_act_options

    try:
        return default_finder(
            role_act_options(wide_acts=wide_acts, pairs=pairs, escalation=escalation)
            if role_kinds
            else None
        )
    except MeaningModelError as exc:
        if not _MEANING_WARNED:
            _MEANING_WARNED.append(True)
            log.warning("meaning cues off: %s", exc)
        return None


def parse_cue_entries(data: dict[str, Any], *, source: str) -> list[CueSpec]:
    """Validate the parsed TOML of a cue file into :class:`CueSpec` objects."""
    unknown_top = set(data) - _TOP_KEYS
    if unknown_top:
        raise CueFileError(
            f"cue file {source!r}: unknown top-level key(s) {', '.join(sorted(unknown_top))}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    lexicon = _parse_lexicon(data.get("lexicon", {}), source=source)
    near = _parse_near_miss(data.get("near_miss", {}), source=source)
    for name in near:
        if name not in lexicon:
            raise CueFileError(
                f"cue file {source!r}: [near_miss] names {name!r}, which is not a [lexicon] list"
            )
        lexicon[f"{name}__near"] = "(?:{}|{}(?: {})*{})".format(
            lexicon[name],
            _NEAR_TOKEN.format(name=name),
            _NEAR_CONT,
            "|" + lexicon[f"{name}_near_miss"] if f"{name}_near_miss" in lexicon else "",
        )
    entries = data.get("cue")
    if not isinstance(entries, list) or not entries:
        raise CueFileError(
            f"cue file {source!r} has no [[cue]] entries; add at least one (see the packaged "
            "models/speech/cues.toml for the format)"
        )
    specs: list[CueSpec] = []
    for i, entry in enumerate(entries, start=1):
        specs.append(
            _parse_entry(
                entry, where=f"cue file {source!r}, entry {i}", lexicon=lexicon, near=tuple(near)
            )
        )
    kinds = [s.kind for s in specs]
    for spec in specs:
        if kinds.count(spec.kind) > 1:
            raise CueFileError(
                f"cue file {source!r}: kind {spec.kind!r} appears {kinds.count(spec.kind)} times; "
                "merge the entries' patterns into one"
            )
        for other in spec.unless:
            if other not in kinds:
                raise CueFileError(
                    f"cue file {source!r}, kind {spec.kind!r}: unless names unknown kind "
                    f"{other!r}; use one of {', '.join(kinds)}"
                )
    return specs


def _parse_lexicon(raw: Any, *, source: str) -> dict[str, str]:
    """``[lexicon]``: name -> list of regex fragments, compiled to one alternation each."""
    if not isinstance(raw, dict):
        raise CueFileError(f"cue file {source!r}: [lexicon] must be a table of lists")
    out: dict[str, str] = {}
    for name, words in raw.items():
        if (
            not re.fullmatch(r"[a-z_]+", name)
            or name == "name"
            or not isinstance(words, list)
            or not words
            or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            raise CueFileError(
                f"cue file {source!r}: lexicon {name!r} must be a non-empty list of regex "
                "fragments, named in lower case (not 'name', which is the customer's name)"
            )
        alt = "(?:" + "|".join(words) + ")"
        try:
            re.compile(alt)
        except re.error as exc:
            raise CueFileError(f"cue file {source!r}: lexicon {name!r}: bad regex: {exc}") from exc
        out[name] = alt
    return out


def _parse_options(raw: Any, *, source: str) -> dict[str, bool]:
    """``[options]``: matcher switches (``regex_skips_fillers``, ``name_split_after_title``,
    ``meaning_cues``, ``meaning_role_kinds``, ``meaning_role_wide_acts``, ``meaning_role_pairs``,
    ``meaning_role_escalation_classes`` = true|false, default false)."""
    if (
        not isinstance(raw, dict)
        or set(raw) - _OPTION_KEYS
        or not all(isinstance(v, bool) for v in raw.values())
    ):
        raise CueFileError(
            f"cue file {source!r}: [options] may hold only "
            f"{', '.join(sorted(_OPTION_KEYS))} = true|false, got {raw!r}"
        )
    return {k: bool(raw.get(k, False)) for k in sorted(_OPTION_KEYS)}


def _parse_near_miss(raw: Any, *, source: str) -> dict[str, tuple[str, ...]]:
    """``[near_miss]``: lexicon name -> the key words whose near-misses count in its frames."""
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and v and all(isinstance(w, str) and w.isalpha() for w in v)
        for v in raw.values()
    ):
        raise CueFileError(
            f"cue file {source!r}: [near_miss] must map a lexicon name to a list of words "
            '(letters only), e.g. role = ["supervisor", "manager"]'
        )
    return {str(k): tuple(w.lower() for w in v) for k, v in raw.items()}


def _parse_entry(
    entry: Any,
    *,
    where: str,
    lexicon: dict[str, str] | None = None,
    near: tuple[str, ...] = (),
) -> CueSpec:
    if not isinstance(entry, dict):
        raise CueFileError(f"{where} is not a table; write it as [[cue]] with key = value lines")
    kind = entry.get("kind")
    if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
        raise CueFileError(f"{where}: kind must be a snake_case string, got {kind!r}")
    where = f"{where} (kind {kind!r})"
    unknown = set(entry) - _KNOWN_KEYS
    if unknown:
        raise CueFileError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_KNOWN_KEYS))}"
        )
    speaker = entry.get("speaker")
    if speaker not in SPEAKERS:
        raise CueFileError(f"{where}: speaker must be 'agent' or 'customer', got {speaker!r}")
    polarity = entry.get("polarity")
    if polarity not in POLARITIES:
        raise CueFileError(
            f"{where}: polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}"
        )
    raw_patterns = entry.get("patterns")
    if not isinstance(raw_patterns, list) or not raw_patterns:
        raise CueFileError(f"{where}: patterns must be a non-empty list of non-empty strings")
    patterns = tuple(_compile_entry(p, where=where, lexicon=lexicon or {}) for p in raw_patterns)
    # A frame that names a [near_miss] class gets a twin run on the near-miss text, where the
    # class also takes the recogniser's near-misses of its key words (less confidence).
    twins = []
    for pat in patterns:
        for name in near:
            ref = "{" + name + "}"
            if pat.regex is not None and ref in pat.source:
                twin = _compile(
                    pat.source.replace(ref, "{" + name + "__near}"), where=where, lexicon=lexicon
                )
                twins.append(
                    dataclasses.replace(
                        pat,
                        regex=twin.regex,
                        confidence=pat.confidence * NEAR_MISS_CONFIDENCE,
                        near_miss=name,
                    )
                )
                break
    patterns = patterns + tuple(twins)
    seed = entry.get("seed")
    if (
        not isinstance(seed, dict)
        or not isinstance(seed.get("file"), str)
        or not isinstance(seed.get("quote"), str)
        or not seed["quote"].strip()
    ):
        raise CueFileError(
            f'{where}: seed must be {{file = "NNN_....txt", quote = "verbatim passage"}} '
            "naming the guidance in shared/seeds this cue traces to"
        )
    unless = entry.get("unless", [])
    if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
        raise CueFileError(f"{where}: unless must be a list of cue kinds")
    return CueSpec(
        kind, str(speaker), str(polarity), patterns, seed["file"], seed["quote"], tuple(unless)
    )


def _compile_entry(raw: Any, *, where: str, lexicon: dict[str, str]) -> Pattern:
    """A ``patterns`` item: a string, or ``{pattern = "...", confidence = 0.7, scope =
    "clause"}`` for a near-miss (a phrase as the recogniser mishears it) that earns less
    confidence and/or a regex run on each clause."""
    if isinstance(raw, str) and raw.strip():
        return _compile(raw, where=where, lexicon=lexicon)
    if isinstance(raw, dict):
        unknown = set(raw) - _PATTERN_KEYS
        text, conf = raw.get("pattern"), raw.get("confidence", 1.0)
        scope = raw.get("scope", "sentence")
        if (
            not unknown
            and isinstance(text, str)
            and text.strip()
            and isinstance(conf, int | float)
            and not isinstance(conf, bool)
            and 0.0 < conf <= 1.0
            and scope in ("sentence", "clause")
            and (scope == "sentence" or text.startswith("re:"))
        ):
            return dataclasses.replace(
                _compile(text, where=where, lexicon=lexicon),
                confidence=float(conf),
                clause=scope == "clause",
            )
    raise CueFileError(
        f"{where}: each pattern must be a non-empty string or a table "
        f'{{pattern = "...", confidence = 0.7, scope = "clause"}} with confidence in (0, 1] '
        f"and scope 'sentence' or 'clause' (clause only for a 're:' pattern), got {raw!r}"
    )


def _expand_lexicon(regex: str, lexicon: dict[str, str], *, where: str) -> str:
    """``{name}`` -> the [lexicon] list's alternation, and the lists a list names in turn (a
    list may name another: ``role`` holds ``{role_person}``), to :data:`LEXICON_MAX_DEPTH`."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in lexicon:
            raise CueFileError(
                f"{where}: pattern uses {{{m.group(1)}}} but the cue file's [lexicon] has no such "
                f"list; define it or use one of {', '.join(sorted(lexicon)) or '(none)'}"
            )
        return lexicon[m.group(1)]

    for _ in range(LEXICON_MAX_DEPTH):
        expanded = _LEXICON_REF.sub(sub, regex)
        if expanded == regex:
            return expanded
        regex = expanded
    if _LEXICON_REF.search(regex):
        raise CueFileError(
            f"{where}: [lexicon] lists name each other more than {LEXICON_MAX_DEPTH} deep (a "
            "cycle?); make one list stand on its own"
        )
    return regex


def _compile(pattern: str, *, where: str, lexicon: dict[str, str] | None = None) -> Pattern:
    if pattern.startswith("re:"):
        regex = _expand_lexicon(pattern[3:], lexicon or {}, where=where)
        try:
            return Pattern(pattern, regex=re.compile(regex))
        except re.error as exc:
            raise CueFileError(f"{where}: bad regex {pattern!r}: {exc}; fix the pattern") from exc
    has_name = NAME_PLACEHOLDER in pattern
    tokens: list[str] = []
    for i, part in enumerate(pattern.split(NAME_PLACEHOLDER)):
        if i:
            tokens.append(NAME_PLACEHOLDER)
        tokens.extend(normalize(part).split())
    if not tokens:
        raise CueFileError(
            f"{where}: pattern {pattern!r} is empty after normalisation; use words or a 're:' regex"
        )
    return Pattern(pattern, tokens=tuple(tokens), has_name=has_name)


# --------------------------------------------------------------------------------------------
# Sentences


def _sentences(segments: Iterable[Segment]) -> list[_Sentence]:
    """Per speaker, join segments into a word stream and cut it into sentences.

    Whisper sometimes splits a sentence across segments, so sentences follow punctuation and
    pauses, not segment boundaries.
    """
    by_speaker: dict[str, list[Word]] = {}
    for seg in sorted(segments, key=lambda s: (s.start_s, s.end_s)):
        by_speaker.setdefault(seg.speaker, []).extend(_words_of(seg))
    out: list[_Sentence] = []
    for speaker, words in by_speaker.items():
        current: list[Word] = []
        for w in words:
            if current and w.start_s - current[-1].end_s > SENTENCE_GAP_S:
                out.append(_make_sentence(speaker, current))
                current = []
            current.append(w)
            if w.word.rstrip("\"'”’)]").endswith(_SENTENCE_END) and (
                w.word.strip().lower() not in _TITLES
            ):
                out.append(_make_sentence(speaker, current))
                current = []
        if current:
            out.append(_make_sentence(speaker, current))
    return out


def _words_of(seg: Segment) -> list[Word]:
    """A segment's words; without word timestamps, spread its text evenly over its span."""
    if seg.words:
        return list(seg.words)
    parts = seg.text.split()
    if not parts:
        return []
    total = sum(len(p) for p in parts)
    span = max(0.0, seg.end_s - seg.start_s)
    out, t = [], seg.start_s
    for p in parts:
        d = span * len(p) / total
        out.append(Word(p, t, t + d))
        t += d
    return out


def _make_sentence(
    speaker: str,
    words: list[Word],
    tokens: list[NormToken] | None = None,
    index_map: list[int] | None = None,
) -> _Sentence:
    if tokens is None:
        tokens = normalize_tokens([w.word for w in words])
    offsets, pos = [], 0
    for t in tokens:
        offsets.append(pos)
        pos += len(t.text) + 1
    text = " ".join(t.text for t in tokens)
    clauses, start = [], 0
    for k, t in enumerate(tokens):
        last_of_word = k + 1 == len(tokens) or tokens[k + 1].source_index != t.source_index
        if last_of_word and k + 1 < len(tokens):
            w = words[t.source_index].word.rstrip("\"'”’)]")
            if w.endswith(_CLAUSE_END) or w in ("-", "—", "–"):
                end = offsets[k] + len(t.text)
                clauses.append((start, end))
                start = offsets[k + 1]
    clauses.append((start, len(text)))
    return _Sentence(
        speaker, list(words), tokens, text, offsets, clauses, index_map=list(index_map or [])
    )


# --------------------------------------------------------------------------------------------
# Matching


def _match_spec(
    spec: CueSpec,
    s0: _Sentence,
    name_tokens: list[str],
    near_miss: dict[str, tuple[str, ...]] | None = None,
    *,
    skip_fillers: bool = False,
    split_names: bool = False,
) -> list[Cue]:
    s = s0
    spans: list[tuple[int, int, Pattern]] = []  # token index ranges [a, b) of s0
    base = _without_fillers(s0) if skip_fillers else s0
    for pat in spec.patterns:
        if pat.regex is not None:
            v = base  # the sentence variant this pattern reads
            if pat.near_miss:
                keys = (near_miss or {}).get(pat.near_miss)
                if not keys:
                    continue
                v = _near_sentence(base, pat.near_miss, keys)
                if v is base:  # no near-miss in this sentence: the frame as written already ran
                    continue
            for lo, hi in v.clauses if pat.clause else [(0, len(v.text))]:
                # on the clause's own text, so "^" and "$" are the clause's ends
                for m in pat.regex.finditer(v.text[lo:hi]):
                    if m.end() > m.start():
                        a, b = _char_to_tokens(v, lo + m.start(), lo + m.end())
                        if v.index_map:  # back to s0's tokens
                            a, b = v.index_map[a], v.index_map[b - 1] + 1
                        spans.append((a, b, pat))
        elif pat.has_name:
            # Names must be capitalised as Whisper writes names, so a customer called Will or
            # Grace is not "addressed" by every "I will" or "grace period".
            slot = pat.tokens.index(NAME_PLACEHOLDER)
            for name in name_tokens:
                toks = tuple(name if t == NAME_PLACEHOLDER else t for t in pat.tokens)
                spans.extend(
                    (a, b, pat)
                    for a, b in _find_phrase(toks, s.tokens, max_slips=0)
                    if _capitalised(s, a + slot)
                )
            if len(pat.tokens) == 1:  # "{name}": also Whisper's other spellings of the name
                near = dataclasses.replace(
                    pat, confidence=pat.confidence * NAME_NEAR_MISS_CONFIDENCE
                )
                spans.extend(
                    (k, k + 1, near)
                    for k, t in enumerate(s.tokens)
                    if t.text not in name_tokens
                    and _capitalised(s, k)
                    and any(sounds_like_name(t.text, n) for n in name_tokens)
                )
                titled = dataclasses.replace(
                    pat, confidence=pat.confidence * NAME_AFTER_TITLE_CONFIDENCE
                )
                spans.extend(
                    (a, b, titled)
                    for a, b in _surnames_after_titles(s, name_tokens, split=split_names)
                )
        else:
            spans.extend((a, b, pat) for a, b in _find_phrase(pat.tokens, s.tokens, pat.max_slips))
    if spec.polarity == "good":
        # a name is a vocative, never negated ("That's not right, Miss Jones")
        spans = [
            sp
            for sp in spans
            if sp[2].has_name or not _negated(s.tokens, sp[0], _clause_start(s, sp[0]))
        ]
    if spec.kind in ROLE_KINDS:
        # an offer or request reported ("I offered to get a manager earlier", "she said she
        # would get a supervisor", "my team lead said she would call you") or declined ("no
        # need to get anyone else") is no act now (models/speech/reported.py, one definition
        # with the meaning rule's)
        spans = [sp for sp in spans if not _reported(s, sp[0])]
    spans.sort(key=lambda sp: (sp[0], -(sp[1] - sp[0])))
    cues: list[Cue] = []
    last_end = -1
    for a, b, pat in spans:
        if a < last_end:  # overlaps an earlier match of the same kind: one cue
            continue
        last_end = b
        i0, i1 = s.tokens[a].source_index, s.tokens[b - 1].source_index
        words = s.words[i0 : i1 + 1]
        confidence = pat.confidence
        if pat.tokens and pat.max_slips and not pat.has_name:
            window = [t.text for t in s.tokens[a:b]]
            if _edit_cost(pat.tokens, window, limit=pat.max_slips) > 0:
                confidence *= SLIP_CONFIDENCE
        mean_p = sum(w.probability for w in words) / len(words)
        confidence *= max(MIN_WORD_PROBABILITY, min(1.0, mean_p))
        cues.append(
            Cue(
                kind=spec.kind,
                speaker=s.speaker,
                start_s=words[0].start_s,
                end_s=words[-1].end_s,
                quote=" ".join(w.word for w in words),
                polarity=spec.polarity,
                seed_file=spec.seed_file,
                seed_quote=spec.seed_quote,
                pattern=pat.source,
                confidence=round(confidence, 3),
            )
        )
    return cues


def _without_fillers(s: _Sentence) -> _Sentence:
    """``s`` without its hesitation tokens (:data:`FILLERS`: "um", "er", ...), its tokens mapped
    back by ``index_map``; ``s`` itself when it has none (or is nothing else)."""
    key = "\x00fillers"
    if key in s.near:
        return s.near[key]
    keep = [k for k, t in enumerate(s.tokens) if t.text not in FILLERS]
    out = s
    if keep and len(keep) < len(s.tokens):
        out = _make_sentence(s.speaker, s.words, [s.tokens[k] for k in keep], keep)
    s.near[key] = out
    return out


def _near_sentence(s: _Sentence, name: str, keys: tuple[str, ...]) -> _Sentence:
    """``s`` with every near-miss of one of ``keys`` (:func:`near_miss_span`) replaced by the
    class's near-miss token (its first token) and continuation tokens, token for token, so the
    matched words and times are still the transcript's; ``s`` itself when there is none."""
    if name in s.near:
        return s.near[name]
    texts = [t.text for t in s.tokens]
    out = list(s.tokens)
    changed = False
    k = 0
    while k < len(texts):
        n = near_miss_span(tuple(texts[k : k + NEAR_MISS_MAX_TOKENS]), keys)
        if n:
            out[k] = NormToken(_NEAR_TOKEN.format(name=name), s.tokens[k].source_index)
            for j in range(k + 1, k + n):
                out[j] = NormToken(_NEAR_CONT, s.tokens[j].source_index)
            changed = True
            k += n
        else:
            k += 1
    alias = _make_sentence(s.speaker, s.words, out, s.index_map) if changed else s
    s.near[name] = alias
    return alias


@functools.lru_cache(maxsize=65536)
def near_miss_span(tokens: tuple[str, ...], keys: tuple[str, ...]) -> int:
    """How many of ``tokens`` (from the first) spell a near-miss of one of ``keys``; 0 if none.

    A near-miss is 1 to :data:`NEAR_MISS_MAX_TOKENS` tokens, joined, that start with the key's
    first letter, are not the key itself, contain no key word, negation or pronoun, are at
    least :data:`NEAR_MISS_MIN_LENGTH_RATIO` of the key's length and spell it nearly
    (difflib ratio >= :data:`NEAR_MISS_MIN_RATIO`): "super miner", "supervise her" for
    "supervisor", "manger", "man ager" for "manager"; not "super", "supper", "member".
    """
    best, best_n = 0.0, 0
    for n in range(1, min(NEAR_MISS_MAX_TOKENS, len(tokens)) + 1):
        window = tokens[:n]
        if any(t in keys or t in PROTECTED_TOKENS or not t.isalpha() for t in window):
            break
        joined = "".join(window)
        for key in keys:
            if joined[0] != key[0] or len(joined) < NEAR_MISS_MIN_LENGTH_RATIO * len(key):
                continue
            if len(joined) > len(key) / NEAR_MISS_MIN_LENGTH_RATIO:
                continue
            r = difflib.SequenceMatcher(None, joined, key).ratio()
            # a longer run nearly as good wins: "supervise her" is one word heard as two
            if r >= NEAR_MISS_MIN_RATIO and r > best - NEAR_MISS_LONGER_MARGIN:
                best, best_n = max(r, best), n
    return best_n


def _surnames_after_titles(
    s: _Sentence, name_tokens: list[str], *, split: bool = False
) -> list[tuple[int, int]]:
    """Token spans "title + word(s)" whose word(s) may be Whisper's spelling of the surname (the
    last name token; a one-word name is its own surname): see NAME_AFTER_TITLE_MIN_KEY_RATIO."""
    if not name_tokens:
        return []
    surname = name_tokens[-1]
    out = []
    toks = [t.text for t in s.tokens]
    clause_ends = {hi for _, hi in s.clauses}
    for k, tok in enumerate(toks):
        if tok not in _TITLE_TOKENS:
            continue
        j = k + 1
        while j < len(toks) and toks[j] in FILLERS:
            j += 1
        if j >= len(toks) or toks[j] in name_tokens:
            continue
        n_split = _split_surname_after_title(s, j, surname, clause_ends) if split else 0
        if n_split:
            out.append((k, j + n_split))
            continue
        if not _capitalised(s, j):
            continue
        for n in (2, 1):  # "Mark Afford" before "Mark"
            words = toks[j : j + n]
            if len(words) < n or any(
                not w.isalpha() or w in NON_NAMES or w in _TITLE_TOKENS for w in words
            ):
                continue
            joined = "".join(words)
            last = j + n - 1
            if s.offsets[last] + len(toks[last]) not in clause_ends:
                continue  # not a vocative: "Mr. Cooper from our installation team"
            if len(joined) >= 3 and surname_after_title(joined, surname):
                out.append((k, j + n))
                break
    return out


def _split_surname_after_title(s: _Sentence, j: int, surname: str, clause_ends: set[int]) -> int:
    """How many tokens from ``j`` (2 to :data:`NAME_SPLIT_MAX_TOKENS`, in one clause), joined,
    spell the surname exactly ("Mr More No" / "mister more no" for Moreno: the recogniser wrote
    the name it does not know as common words, capitals or not); 0 if none. The title before
    them and the exact spelling are the context, so no vocative, capital or sound test is
    needed; a clause end between them ("Mr More, no ...") is two things said."""
    toks = [t.text for t in s.tokens]
    for n in range(2, NAME_SPLIT_MAX_TOKENS + 1):
        words = toks[j : j + n]
        if len(words) < n or not all(w.isalpha() for w in words):
            break
        last_inner = j + n - 2  # the clause must not end after any but the last word
        if s.offsets[last_inner] + len(toks[last_inner]) in clause_ends:
            break
        joined = "".join(words)
        if joined == surname:
            return n
        if len(joined) >= len(surname):
            break
    return 0


@functools.lru_cache(maxsize=65536)
def surname_after_title(word: str, surname: str) -> bool:
    """True when ``word`` (said after a title) may be Whisper's spelling of ``surname``: their
    consonant skeletons (:func:`phonetic_key` without a leading vowel) are similar."""

    def skeleton(w: str) -> str:
        key = phonetic_key(w)
        return key[1:] if key.startswith("a") else key

    a, b = skeleton(word), skeleton(surname)
    if not a or not b:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= NAME_AFTER_TITLE_MIN_KEY_RATIO


def phonetic_key(word: str) -> str:
    """A coarse sound key of a word: its first letter's class, then its consonant classes
    (vowels, h, w, y dropped; repeats merged). "Sarah", "Sara", "Zara" -> "sr"; "Jones",
    "Joans", "Johns" -> "jns"; "James" -> "jms"."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    for a, b in (("ph", "f"), ("ck", "k"), ("sch", "sk"), ("sh", "s"), ("ch", "k"), ("gh", "")):
        w = w.replace(a, b)
    w = re.sub(r"c(?=[eiy])", "s", w)
    classes = {
        **dict.fromkeys("ckqg", "k"),
        **dict.fromkeys("szx", "s"),
        **dict.fromkeys("fv", "f"),
        **dict.fromkeys("bp", "p"),
        **dict.fromkeys("dt", "t"),
        "j": "j",
        "l": "l",
        "m": "m",
        "n": "n",
        "r": "r",
    }
    out = [classes.get(w[0], "a")]  # a leading vowel / h / w / y is one class
    for ch in w[1:]:
        c = classes.get(ch)
        if c is not None and c != out[-1]:
            out.append(c)
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def sounds_like_name(token: str, name: str) -> bool:
    """True when a (capitalised) transcript token may be Whisper's spelling of a name token:
    same :func:`phonetic_key`, similar spelling (:data:`NAME_SPELLING_MIN_RATIO`), and not a
    common word that follows "I'm" / "this is" (:data:`NON_NAMES`)."""
    if token == name or token in NON_NAMES or len(token) < 3 or not token.isalpha():
        return False
    k1, k2 = phonetic_key(token), phonetic_key(name)
    # a final "s" may come and go: Whisper's "Joan's" is normalised to "joan" for "Jones"
    if k1 != k2 and not (max(len(k1), len(k2)) > 2 and k1.rstrip("s") == k2.rstrip("s")):
        return False
    return difflib.SequenceMatcher(None, token, name).ratio() >= NAME_SPELLING_MIN_RATIO


def _char_to_tokens(s: _Sentence, start: int, end: int) -> tuple[int, int]:
    a = max(i for i, off in enumerate(s.offsets) if off <= start)
    b = max(i for i, off in enumerate(s.offsets) if off < end) + 1
    return a, b


def _clause_start(s: _Sentence, k: int) -> int:
    """Index of the first token of the clause (cut at the transcript's commas, ...) holding token
    ``k``: a negation in an earlier clause does not negate a cue ("If you're not happy with that,
    my supervisor can review it"; "No, I can get you a refund")."""
    off = s.offsets[k]
    lo = max((a for a, _ in s.clauses if a <= off), default=0)
    return next(i for i, o in enumerate(s.offsets) if o >= lo)


def _reported(s: _Sentence, start: int) -> bool:
    """True when the role match starting at token ``start`` starts in a reported or declined act
    (:func:`models.speech.reported.reported_mask` over the match's clause and what follows it;
    the reporter's own words count: "my team lead said she would call you")."""
    c0 = _clause_start(s, start)
    mask = reported_mask([t.text for t in s.tokens[c0:]])
    return mask[start - c0]


def _negated(tokens: list[NormToken], start: int, clause_start: int = 0) -> bool:
    for j in range(max(0, clause_start, start - NEGATION_WINDOW_TOKENS), start):
        t = tokens[j].text
        if t in NEGATIONS:
            nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
            if t == "no" and nxt in NOT_NEGATING_AFTER_NO:
                continue
            if t == "no" and j > 0 and tokens[j - 1].text in NOT_NEGATING_BEFORE_NO:
                continue
            if t == "not" and nxt in NOT_NEGATING_AFTER_NOT:
                continue
            return True
    return False


@functools.lru_cache(maxsize=65536)
def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if a in PROTECTED_TOKENS or b in PROTECTED_TOKENS or min(len(a), len(b)) < 5:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


@functools.lru_cache(maxsize=65536)
def _similar(a: str, b: str) -> bool:
    """Nearly the same content word (difflib ratio >= 0.7): may be the one slip of a phrase."""
    if min(len(a), len(b)) < 5:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.7


def _find_phrase(
    phrase: Sequence[str], tokens: list[NormToken], max_slips: int
) -> list[tuple[int, int]]:
    """Non-overlapping token spans ``[a, b)`` of ``tokens`` matching ``phrase``.

    A span matches when its token edit distance to the phrase is at most ``max_slips``, where
    editing a protected token (negation, pronoun) costs more than any allowed slip and skipping
    a filler ("uh") costs nothing. The span starts on one of the phrase's first ``1 + max_slips``
    tokens; among matches the cheapest, then the one closest in length to the phrase wins, so
    an exact match never grows an extra word.
    """
    n, m = len(phrase), len(tokens)
    words = [t.text for t in tokens]
    if max_slips == 0 and n > m:
        return []
    # Cheap reject: a match needs most of the phrase's tokens somewhere in the sentence.
    present = set(words)
    if sum(1 for t in set(phrase) if t in present) < len(set(phrase)) - max_slips - 1:
        return []
    firsts = phrase[: 1 + min(max_slips, n - 1)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < m:
        if not any(_same(words[i], t) for t in firsts):
            i += 1
            continue
        best: tuple[int, int, int] | None = None  # (cost, |len - n|, end)
        for length in range(max(1, n - max_slips), n + max_slips + MAX_FILLERS + 1):
            if i + length > m:
                break
            window = words[i : i + length]
            if window[-1] in FILLERS:
                continue
            cost = _edit_cost(phrase, window, limit=max_slips)
            if cost > max_slips:
                continue
            key = (cost, abs(length - n), i + length)
            if best is None or key < best:
                best = key
        if best is not None:
            out.append((i, best[2]))
            i = best[2]
        else:
            i += 1
    return out


def _edit_cost(a: Sequence[str], b: Sequence[str], *, limit: int) -> int:
    """Token edit distance from phrase ``a`` to window ``b``.

    Editing a protected token costs ``limit + 1`` (never allowed); inserting a filler into the
    window costs 0.
    """
    big = limit + 1

    def cost(tok: str) -> int:
        return big if tok in PROTECTED_TOKENS else 1

    def phrase_cost(tok: str) -> int:
        # A content word of the phrase (CONTENT_WORD_LETTERS+ letters) is never the slip: "let me
        # get my coffee" is not "let me get my supervisor"; a near-miss of it is written in the
        # cue file as its own pattern, with its own confidence.
        if len(tok) >= CONTENT_WORD_LETTERS and tok not in SLIPPABLE_WORDS:
            return big
        return cost(tok)

    def insert_cost(tok: str) -> int:
        return 0 if tok in FILLERS else cost(tok)

    prev = [0]
    for tb in b:
        prev.append(prev[-1] + insert_cost(tb))
    for ta in a:
        cur = [prev[0] + phrase_cost(ta)]
        for j, tb in enumerate(b, start=1):
            if _same(ta, tb):
                sub = 0
            elif _similar(ta, tb):  # "understood" for "understand": a slip, not a new word
                sub = max(cost(ta), cost(tb))
            else:
                sub = max(phrase_cost(ta), cost(tb))
            cur.append(
                min(prev[j] + phrase_cost(ta), cur[j - 1] + insert_cost(tb), prev[j - 1] + sub)
            )
        prev = cur
    return prev[-1]


def _with_occurrence(c: Cue, k: int) -> Cue:
    return dataclasses.replace(c, occurrence=k)


# --------------------------------------------------------------------------------------------
# Customer name

#: Words that follow "I'm" / "this is" but are not names.
NON_NAMES = frozenset(
    """a an the and but or so just not very really quite still also only here there calling trying
    going getting being having looking waiting talking telling asking wondering hoping sorry
    fine good great okay ok well sure afraid glad happy sad mad angry upset frustrated annoyed
    tired sick done finished ready confused worried concerned serious disappointed furious
    livid shocked surprised calm on in at from about with for to of by it that this what who
    how why ridiculous unacceptable insane crazy absurd outrageous terrible awful your my his
    her their our you me him them us we they i is am are was were be been customer account
    number phone email order regarding yes no yeah hello hi hey mister mr mrs ms miss dr sir
    madam""".split()  # noqa: SIM905
)

_NAME_PATTERNS: tuple[tuple[tuple[str, ...], int], ...] = (
    # (tokens before the name, rank: lower wins)
    (("my", "name", "is"), 0),
    (("my", "name"), 0),  # "my name's Sarah": the possessive rule keeps "name"
    (("the", "name", "is"), 1),
    (("this", "is"), 2),  # needs "speaking" after it or a capitalised word
    (("i", "am"), 3),  # needs a capitalised word
    (("it", "is"), 4),  # "it's Sarah Jones", capitalised
)


def learn_customer_name(segments: Sequence[Segment]) -> str | None:
    """The customer's name as they introduce themselves, or None.

    Looks in customer speech for "my name is X", "this is X speaking", "this is X" and "I'm X",
    keeping X only when it is not a common word and (except after "my name is") Whisper wrote it
    capitalised. A following capitalised word is taken as the surname ("Sarah Jones").
    """
    best: tuple[int, float, str] | None = None
    for s in _sentences([seg for seg in segments if seg.speaker == "customer"]):
        toks = [t.text for t in s.tokens]
        for j in range(len(toks)):
            for prefix, rank in _NAME_PATTERNS:
                k = j + len(prefix)
                if tuple(toks[j:k]) != prefix or k >= len(toks):
                    continue
                name = _name_at(s, k, strict=rank > 0 or prefix == ("my", "name"))
                if name is None:
                    continue
                if prefix == ("this", "is") and not (
                    _capitalised(s, k) or "speaking" in toks[k + 1 : k + 3]
                ):
                    continue
                cand = (rank, s.words[s.tokens[k].source_index].start_s, name)
                if best is None or cand[:2] < best[:2]:
                    best = cand
    return best[2] if best else None


def _capitalised(s: _Sentence, k: int) -> bool:
    word = s.words[s.tokens[k].source_index].word.lstrip("\"'“‘(")
    return bool(word) and word[0].isupper()


def _name_at(s: _Sentence, k: int, *, strict: bool) -> str | None:
    tok = s.tokens[k].text
    if tok in NON_NAMES or not tok.isalpha() or len(tok) < 2:
        return None
    if strict and not _capitalised(s, k):
        return None
    parts = [_display(s, k)]
    if k + 1 < len(s.tokens):
        nxt = s.tokens[k + 1].text
        if (
            nxt not in NON_NAMES
            and nxt.isalpha()
            and len(nxt) >= 2
            and _capitalised(s, k + 1)
            and s.tokens[k + 1].source_index != s.tokens[k].source_index
        ):
            parts.append(_display(s, k + 1))
    return " ".join(parts)


def _display(s: _Sentence, k: int) -> str:
    word = s.words[s.tokens[k].source_index].word
    return re.sub(r"[^\w'-]", "", word).split("'")[0]


def _name_tokens(name: str | None) -> list[str]:
    if not name:
        return []
    return [t for t in normalize(name).split() if len(t) >= 2 and t not in NON_NAMES]


# --------------------------------------------------------------------------------------------
# Convenience


@functools.lru_cache(maxsize=1)
def default_matcher() -> CueMatcher:
    """The packaged cue file, loaded once per process."""
    return CueMatcher.from_file()


def find_cues(segments: Sequence[Segment], *, customer_name: str | None = None) -> list[Cue]:
    """:meth:`CueMatcher.find_cues` with the packaged cue file."""
    return default_matcher().find_cues(segments, customer_name=customer_name)
