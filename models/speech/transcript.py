"""Transcript types: recognised words and segments, and the speech regions they come from.

Everything here is in call time (seconds from the start of the call). These types are shared by
the Whisper decoding (:mod:`.transcriber`), the text helpers (:mod:`.text`), cues and redaction,
so they live apart from all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    """One recognised word with its time in the call.

    ``word`` keeps Whisper's spelling and punctuation (stripped of the leading space);
    normalisation for matching lives in :mod:`models.speech.text`.
    """

    word: str
    start_s: float
    end_s: float
    probability: float = 1.0

    @property
    def mid_s(self) -> float:
        """Midpoint, used to decide which span a word belongs to."""
        return 0.5 * (self.start_s + self.end_s)


@dataclass(frozen=True)
class Segment:
    """A stretch of one speaker's transcript (roughly a sentence) with its words."""

    speaker: str
    start_s: float
    end_s: float
    text: str
    words: list[Word] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``segments[]`` entry of the analysis JSON (times rounded to 0.01 s)."""
        return {
            "speaker": self.speaker,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "text": self.text,
            "words": [
                {"word": w.word, "start_s": round(w.start_s, 2), "end_s": round(w.end_s, 2)}
                for w in self.words
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        """Inverse of :meth:`to_dict` (word probabilities are not stored, so they read as 1)."""
        return cls(
            speaker=str(data["speaker"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            text=str(data["text"]),
            words=[
                Word(str(w["word"]), float(w["start_s"]), float(w["end_s"]))
                for w in data.get("words", [])
            ],
        )


@dataclass(frozen=True)
class SpeechRegion:
    """A stretch of one channel that holds speech, in seconds from the start of the call."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s
