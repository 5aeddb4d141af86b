"""Transcript text helpers: normalisation, backchannels, word error rate and speaking pace.

Why one normaliser: Whisper writes the same spoken words in many ways ("can't", "cant",
"cannot", "can not"; "Mm-hmm", "mhm"; "okay", "OK"; "I'm", "Im"). Phrase cues, backchannel checks
and WER all compare words, so they must all see the same canonical form. :func:`normalize_tokens`
keeps, for every canonical token, the index of the transcript word it came from, so a phrase found
in normalised text can be traced back to the original words and their timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from calltone.models.speech.transcript import Word

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})
# Everything except letters, digits and apostrophes separates tokens; hyphens too, so
# "follow-up" matches "follow up" (compound backchannels are re-joined below).
_SPLIT = re.compile(r"[^a-z0-9']+")

# Whole-token rewrites. Contractions expand to their full words so "can't", "cant", "cannot"
# and "can not" are one sequence ("can not"); apostrophe-less spellings are listed because
# Whisper and hand transcripts drop apostrophes. Ambiguous bare forms ("ill", "id", "wed",
# "well", "were", "its") are left alone.
_TOKEN_MAP: dict[str, str] = {
    "can't": "can not",
    "cant": "can not",
    "cannot": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
    "i'm": "i am",
    "im": "i am",
    "let's": "let us",
    "lets": "let us",
    "it's": "it is",
    "that's": "that is",
    "thats": "that is",
    "there's": "there is",
    "theres": "there is",
    "here's": "here is",
    "heres": "here is",
    "what's": "what is",
    "whats": "what is",
    "who's": "who is",
    "where's": "where is",
    "how's": "how is",
    "he's": "he is",
    "she's": "she is",
    "y'all": "you all",
    "ok": "okay",
    "o.k.": "okay",
    "alright": "all right",
    "mhm": "mmhmm",
    "mmhm": "mmhmm",
    "mmhmm": "mmhmm",
    "mmm": "mm",
    "hmm": "hmm",
    "hm": "hmm",
    "uhhuh": "uhhuh",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
}
# Apostrophe-less "n't" forms that are not English words of their own.
_BARE_NOT = {
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "werent": "were not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "mustnt": "must not",
    "neednt": "need not",
    "youre": "you are",
    "theyre": "they are",
    "ive": "i have",
    "youve": "you have",
    "weve": "we have",
    "theyve": "they have",
    "youll": "you will",
    "theyll": "they will",
    "itll": "it will",
    "youd": "you would",
    "theyd": "they would",
}
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"))
# Multi-token spellings of the two common backchannels, joined into one token each.
_JOIN = {
    ("mm", "hmm"): "mmhmm",
    ("mm", "hm"): "mmhmm",
    ("m", "hm"): "mmhmm",
    ("m", "hmm"): "mmhmm",
    ("mhm", "mhm"): "mmhmm mmhmm",
    ("uh", "huh"): "uhhuh",
    ("uh", "hu"): "uhhuh",
}


@dataclass(frozen=True)
class NormToken:
    """One canonical token and the index of the transcript word it came from."""

    text: str
    source_index: int


def _expand(token: str) -> list[str]:
    token = token.strip("'")
    if not token:
        return []
    if token in _TOKEN_MAP:
        return _TOKEN_MAP[token].split()
    if token in _BARE_NOT:
        return _BARE_NOT[token].split()
    for suffix, full in _SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return (token[: -len(suffix)] + full).split()
    if token.endswith("'s"):  # possessive or "is"/"has" we cannot tell: keep the stem
        return [token[:-2]]
    return [token.replace("'", "")]


def normalize_tokens(words: Sequence[str]) -> list[NormToken]:
    """Canonical tokens of a sequence of transcript words, each traced to its source word.

    Parameters
    ----------
    words : sequence of str
        Transcript words as Whisper wrote them (``Word.word``), or any text split on spaces.

    Returns
    -------
    list of NormToken
        Lower-case, punctuation-free, contractions expanded; a compound backchannel spread over
        two words ("Mm hmm") becomes one token traced to its first word.
    """
    raw: list[NormToken] = []
    for i, word in enumerate(words):
        w = word.lower().translate(_APOSTROPHES)
        if w.strip(".,!?;:\"' ") in ("o.k", "o.k."):
            w = "okay"
        for piece in _SPLIT.split(w):
            for t in _expand(piece):
                raw.append(NormToken(t, i))
    out: list[NormToken] = []
    j = 0
    while j < len(raw):
        if j + 1 < len(raw):
            joined = _JOIN.get((raw[j].text, raw[j + 1].text))
            if joined is not None:
                out.extend(NormToken(t, raw[j].source_index) for t in joined.split())
                j += 2
                continue
        out.append(raw[j])
        j += 1
    return out


def normalize(text: str) -> str:
    """Canonical form of ``text`` for matching: see :func:`normalize_tokens`.

    Examples
    --------
    >>> normalize("I can’t do that!")
    'i can not do that'
    >>> normalize("Mm-hmm, OK.")
    'mmhmm okay'
    """
    return " ".join(t.text for t in normalize_tokens(text.split()))


# --------------------------------------------------------------------------------------------
# Backchannels

#: Normalised phrases a listener says to show they are following, not to take the turn. The
#: interruption detector ignores overlapping speech made only of these (docs/DESIGN.md).
BACKCHANNEL_PHRASES: frozenset[str] = frozenset(
    {
        "mmhmm",
        "uhhuh",
        "mm",
        "hmm",
        "uh",
        "um",
        "oh",
        "ah",
        "yeah",
        "yes",
        "yep",
        "yup",
        "yea",
        "right",
        "okay",
        "all right",
        "sure",
        "i see",
        "got it",
        "i got it",
        "gotcha",
        "exactly",
        "absolutely",
        "of course",
        "i know",
        "that is right",
        "true",
        "really",
        "wow",
        "oh okay",
        "okay okay",
    }
)
_BACKCHANNEL_TOKENS = tuple(sorted((p.split() for p in BACKCHANNEL_PHRASES), key=len, reverse=True))


def is_backchannel(text: str) -> bool:
    """True when every word of ``text`` belongs to a backchannel phrase.

    "Yeah, yeah. Okay." is a backchannel; "Yeah but that's wrong" is a turn. Empty text is not a
    backchannel (there is nothing to excuse).
    """
    tokens = [t.text for t in normalize_tokens(text.split())]
    if not tokens:
        return False
    i = 0
    while i < len(tokens):
        for phrase in _BACKCHANNEL_TOKENS:
            if tokens[i : i + len(phrase)] == phrase:
                i += len(phrase)
                break
        else:
            return False
    return True


# --------------------------------------------------------------------------------------------
# Word error rate


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference`` after :func:`normalize`.

    (substitutions + deletions + insertions) / reference words; an empty reference gives 0.0 for
    an empty hypothesis and 1.0 otherwise.
    """
    ref = normalize(reference).split()
    hyp = normalize(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return token_edit_distance(ref, hyp) / len(ref)


def token_edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two token sequences (unit costs)."""
    prev = list(range(len(b) + 1))
    for i, ta in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, tb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ta != tb))
        prev = cur
    return prev[-1]


# --------------------------------------------------------------------------------------------
# Speaking pace

#: Pauses up to this long inside a phrase count whole as talk time (breaths, hesitations).
PAUSE_FULL_S = 0.5
#: Pauses from this long on count nothing (listening, thinking: they do not dilute the pace);
#: between the two a pause counts linearly less (:func:`pause_talk_s`). Not all-or-nothing at
#: 0.5 s: Whisper's word times move by 20-70 ms between two renderings of the same speech (a
#: codec, a mono mix's separated channel), and every pause within that of a hard limit moved
#: 0.5 s of talk time: up to ~13 rubric pace points per pause in a 15 s agent turn outside the
#: calm band (docs/diarization.md, "Session 13", cause 2 and "Left"). Chosen (issue 20, session
#: 14) among 0.75 / 1.0 s (and 0.4 -> 0.8 s) on the fitting calls: 0.75 s agrees on every fitting
#: call's pace, moves two-channel talk times by 0-4 % and leaves the real phone call's rate
#: against its STM reference where it was (-8.5 %; 1.0 s: -9.2 %), bench/bench_pace.py --rules.
PAUSE_ZERO_S = 0.75
#: The longest pause that counts whole (the all-or-nothing rule's limit before session 14).
PHRASE_GAP_S = PAUSE_FULL_S


def pause_talk_s(
    gap_s: float, *, full_s: float = PAUSE_FULL_S, zero_s: float = PAUSE_ZERO_S
) -> float:
    """Seconds of a ``gap_s`` pause between two words of one speaker that count as talk time.

    A pause up to ``full_s`` counts whole (a breath, a hesitation inside a phrase); from
    ``zero_s`` on it counts nothing (listening, thinking); in between its counted seconds fall
    linearly from ``full_s`` to 0, so the count is continuous in the pause length and a timing
    jitter of ``d`` seconds moves it by at most ``d * max(1, full_s / (zero_s - full_s))``.
    ``full_s == zero_s`` is the all-or-nothing rule (a pause of exactly ``full_s`` counts
    whole), where 20-70 ms of jitter around ``full_s`` moves ``full_s`` seconds of talk.
    """
    if gap_s <= 0.0:
        return 0.0
    if gap_s <= full_s:
        return gap_s
    if gap_s >= zero_s:
        return 0.0
    return full_s * (zero_s - gap_s) / (zero_s - full_s)


def talk_time_s(
    words: Sequence[Word],
    *,
    start_s: float,
    end_s: float,
    pause_full_s: float = PAUSE_FULL_S,
    pause_zero_s: float = PAUSE_ZERO_S,
) -> float:
    """Seconds the speaker was talking within ``[start_s, end_s)``.

    The union of the spans of the words whose midpoint lies in the span, clipped to it, plus
    the pauses between consecutive word runs as :func:`pause_talk_s` counts them (defaults
    :data:`PAUSE_FULL_S` / :data:`PAUSE_ZERO_S`; the recorded pipeline passes
    :class:`models.recorded.transcript.PaceConfig`'s rule; ``pause_zero_s == pause_full_s`` is
    the all-or-nothing rule).
    """
    if pause_zero_s < pause_full_s:
        raise ValueError("pause_zero_s must be >= pause_full_s")
    spans = sorted((w.start_s, w.end_s) for w in words if start_s <= w.mid_s < end_s)
    total = 0.0
    cur_a: float | None = None
    cur_b = 0.0
    for a, b in spans:
        if cur_a is not None and a <= cur_b:
            cur_b = max(cur_b, b)
            continue
        if cur_a is not None:
            total += max(0.0, min(cur_b, end_s) - max(cur_a, start_s))
            # Both words hold their midpoint in the span, so the pause lies inside it.
            total += pause_talk_s(a - cur_b, full_s=pause_full_s, zero_s=pause_zero_s)
        cur_a, cur_b = a, b
    if cur_a is not None:
        total += max(0.0, min(cur_b, end_s) - max(cur_a, start_s))
    return total


def words_per_minute(
    words: Sequence[Word],
    *,
    start_s: float,
    end_s: float,
    basis: Literal["talk", "span"] = "talk",
    pause_full_s: float = PAUSE_FULL_S,
    pause_zero_s: float = PAUSE_ZERO_S,
) -> float:
    """Speaking rate in words per minute over ``[start_s, end_s)``.

    A word counts when its midpoint falls in the span. The default divides by the speaker's
    *talk time* (:func:`talk_time_s`), because that is the pace a listener hears: dividing by the
    span would make an agent who listens half the time look slow. ``basis="span"`` divides by
    the span length instead (words per minute of call time). ``pause_full_s`` /
    ``pause_zero_s``: how pauses count as talk time (:func:`pause_talk_s`).

    Returns 0.0 when no word falls in the span or the divisor is zero. Short talk times give
    noisy rates (one word is ~200 wpm); callers gate on :func:`talk_time_s`.
    """
    n = sum(1 for w in words if start_s <= w.mid_s < end_s)
    if n == 0:
        return 0.0
    seconds = (
        talk_time_s(
            words,
            start_s=start_s,
            end_s=end_s,
            pause_full_s=pause_full_s,
            pause_zero_s=pause_zero_s,
        )
        if basis == "talk"
        else (end_s - start_s)
    )
    return 60.0 * n / seconds if seconds > 0 else 0.0


@dataclass(frozen=True)
class PacePoint:
    """Speaking rate over a window centred on ``t_s``."""

    t_s: float
    wpm: float
    n_words: int
    talk_s: float


def pace_series(
    words: Sequence[Word],
    *,
    window_s: float = 30.0,
    step_s: float = 5.0,
    min_talk_s: float = 3.0,
    pause_full_s: float = PAUSE_FULL_S,
    pause_zero_s: float = PAUSE_ZERO_S,
) -> list[PacePoint]:
    """Sliding-window speaking rate of one speaker (talk-time basis).

    Windows ``[t - window_s/2, t + window_s/2)`` every ``step_s`` from the first word to the last;
    windows with less than ``min_talk_s`` of talk are left out because a rate from a word or two
    means nothing (a gap in the series means "not enough speech", never "slow").
    ``pause_full_s`` / ``pause_zero_s``: how pauses count as talk time (:func:`pause_talk_s`).
    """
    if not words or window_s <= 0 or step_s <= 0:
        return []
    first = min(w.start_s for w in words)
    last = max(w.end_s for w in words)
    half = window_s / 2
    points = []
    t = first + min(half, (last - first) / 2)
    while True:
        a, b = t - half, t + half
        talk = talk_time_s(
            words, start_s=a, end_s=b, pause_full_s=pause_full_s, pause_zero_s=pause_zero_s
        )
        if talk >= min_talk_s:
            n = sum(1 for w in words if a <= w.mid_s < b)
            points.append(PacePoint(round(t, 3), 60.0 * n / talk, n, round(talk, 3)))
        if t + half >= last:
            break
        t += step_s
    return points
