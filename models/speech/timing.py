"""Decoded time to call time: faster-whisper segments become our :class:`Segment` objects.

A decoded window holds one or more regions (:class:`~.planning.Piece`), laid end to end or with
their real pauses; every word is placed back into the region it was said in and its times mapped
to call time, and words said in a pause (the other party's voice leaking in, a hallucination)
are dropped.
"""

from __future__ import annotations

from typing import Any

from calltone.models.speech.planning import Piece
from calltone.models.speech.transcript import Segment, Word


def _piece_of(pieces: list[Piece], t_s: float) -> int:
    """Index of the piece holding decoded time ``t_s`` (the nearest one when in a gap)."""
    return _nearest_piece(pieces, t_s, t_s)[0]


def _nearest_piece(pieces: list[Piece], a_s: float, b_s: float) -> tuple[int, float]:
    """(index, distance in s) of the piece nearest the span ``[a_s, b_s]`` of decoded time.

    The distance is 0 when the span touches the piece; among several such pieces the one with the
    largest overlap wins.
    """
    best, best_key = 0, (float("inf"), 0.0)
    for i, p in enumerate(pieces):
        d = max(0.0, p.dec_start_s - b_s, a_s - p.dec_end_s)
        key = (d, -(min(b_s, p.dec_end_s) - max(a_s, p.dec_start_s)))
        if key < best_key:
            best, best_key = i, key
    return best, best_key[0]


# Words kept after the speech ends when they follow a kept word without a gap (see to_segments).
_MAX_CARRIED_WORDS = 2


def to_segments(
    s: Any, offset_s: float, pieces: list[Piece], speaker: str, max_off_s: float | None = None
) -> list[Segment]:
    """One faster-whisper segment -> our Segments in call time, split where pieces meet.

    ``max_off_s``: None, each word goes to the piece nearest its midpoint (packed windows).
    Otherwise (windows of real audio, pauses included) a word that lies, start to end, further
    than this from every piece is dropped: it was said in a pause, so it is the other party's
    voice leaking into this channel (crosstalk, echo) or a hallucination. One exception: Whisper's
    word alignment often stretches a sentence's last words into the pause after it (on the sample
    calls "hasn't" ran 1.5 s past the speech and "arrived." sat at its end), so up to
    ``_MAX_CARRIED_WORDS`` words that follow a kept word without a gap are kept with it.
    """
    fw_words = [w for w in (s.words or []) if w.word.strip()]
    if max_off_s is not None and not fw_words:
        a_s, b_s = float(s.start) + offset_s, float(s.end) + offset_s
        pieces = [
            p for p in pieces if max(0.0, p.dec_start_s - b_s, a_s - p.dec_end_s) <= max_off_s
        ]
        if not pieces:
            return []
    if not fw_words:
        start, end = float(s.start) + offset_s, float(s.end) + offset_s
        p = pieces[_piece_of(pieces, 0.5 * (start + end))]
        a = p.to_call(start)
        return [Segment(speaker, round(a, 3), round(max(a, p.to_call(end)), 3), clean_text(s.text))]
    groups: list[tuple[int, list[tuple[str, Word]]]] = []
    prev_end_s: float | None = None  # decoded end of the previous kept word
    carried = 0
    for w in fw_words:
        ws, we = float(w.start) + offset_s, float(w.end) + offset_s
        if max_off_s is None:
            i = _piece_of(pieces, 0.5 * (ws + we))
        else:
            i, off_s = _nearest_piece(pieces, ws, we)
            if off_s > max_off_s:
                if prev_end_s is None or ws > prev_end_s + 0.05 or carried >= _MAX_CARRIED_WORDS:
                    prev_end_s = None
                    continue
                i, carried = groups[-1][0], carried + 1  # stretched past the speech: carried
            else:
                carried = 0
            prev_end_s = we
        p = pieces[i]
        a = p.to_call(ws)
        word = Word(
            w.word.strip(), round(a, 3), round(max(a, p.to_call(we)), 3), float(w.probability)
        )
        if not groups or groups[-1][0] != i:
            groups.append((i, []))
        groups[-1][1].append((w.word, word))
    out = []
    for _i, items in groups:
        words = [word for _raw, word in items]
        text = clean_text("".join(raw for raw, _word in items))
        if any(ch.isalnum() for ch in text):
            out.append(Segment(speaker, words[0].start_s, words[-1].end_s, text, words))
    return out


def clean_text(text: str) -> str:
    return " ".join(text.split())


def shift_segment(s: Segment, offset_s: float) -> Segment:
    return Segment(
        s.speaker,
        s.start_s + offset_s,
        s.end_s + offset_s,
        s.text,
        [Word(w.word, w.start_s + offset_s, w.end_s + offset_s, w.probability) for w in s.words],
    )
