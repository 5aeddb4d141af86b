"""The named frame blocks the detectors and the speaker baseline read.

The streaming front end (:class:`calltone.audio.features.FeatureStream`) gives per-channel frame
arrays; the judgement layer reads them as one :class:`PartyFrames` per party (pitch already in
semitones) and a :class:`CallFrames` for the call, so every detector has one signature,
``push(frames, baselines)``, and no caller passes arrays by position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from calltone.models.tone.events import Event


class TimeFn:
    """Frame index to seconds (frame centre times on the global grid)."""

    def __init__(self, hop_s: float, offset_s: float) -> None:
        self.hop_s = hop_s
        self.offset_s = offset_s

    def __call__(self, frame: int) -> float:
        return round(frame * self.hop_s + self.offset_s, 4)


@dataclass(frozen=True)
class PartyFrames:
    """One party's aligned per-frame arrays (all shape ``(n,)``) from global frame ``start``."""

    start: int
    loudness_dbfs: np.ndarray
    pitch_st: np.ndarray
    """Pitch in semitones re 100 Hz (``baseline.hz_to_st``); NaN where unvoiced."""
    voiced: np.ndarray
    speech: np.ndarray
    nucleus: np.ndarray
    """Syllable nuclei (pace)."""
    tilt_db: np.ndarray
    """Spectral tilt (vocal effort) as measured; what the baseline and agent_tone read (with
    ``NoiseCompensationConfig.agent_tone_voice_tilt_share`` over 0, moved that share of the
    way to ``voice_tilt_db``)."""
    hnr_db: np.ndarray
    """Harmonics-to-noise ratio (voice quality)."""
    voice_loudness_dbfs: np.ndarray = None  # type: ignore[assignment]
    """The voice's own level, the line's noise taken out (:mod:`.noise`); what the baseline and
    the detectors compare. ``loudness_dbfs`` when not given (no noise known)."""
    voice_hnr_db: np.ndarray = None  # type: ignore[assignment]
    """HNR with the line noise's share of the frame taken out; ``hnr_db`` when not given."""
    noise_dbfs: np.ndarray = None  # type: ignore[assignment]
    """The line's noise estimate in force at each frame (``noise.NO_NOISE_DBFS``: none known)."""
    voice_tilt_db: np.ndarray = None  # type: ignore[assignment]
    """The voice's own spectral tilt, the line noise's share taken out (:mod:`.noise`); what
    the yelling cold start reads. ``tilt_db`` when not given."""

    def __post_init__(self) -> None:
        if self.voice_loudness_dbfs is None:
            object.__setattr__(self, "voice_loudness_dbfs", self.loudness_dbfs)
        if self.voice_hnr_db is None:
            object.__setattr__(self, "voice_hnr_db", self.hnr_db)
        if self.voice_tilt_db is None:
            object.__setattr__(self, "voice_tilt_db", self.tilt_db)
        if self.noise_dbfs is None:
            object.__setattr__(
                self, "noise_dbfs", np.full(self.loudness_dbfs.shape, -120.0, np.float32)
            )

    def __len__(self) -> int:
        return int(self.voiced.size)

    def slice(self, a: int, b: int) -> PartyFrames:
        """Frames ``[a, b)`` of this block (block-relative indices)."""
        return PartyFrames(self.start + a, *(getattr(self, k)[a:b] for k in _ARRAY_FIELDS))

    @staticmethod
    def concat(blocks: Sequence[PartyFrames]) -> PartyFrames:
        """Consecutive blocks as one (the first block's start)."""
        return PartyFrames(
            blocks[0].start,
            *(np.concatenate([getattr(b, k) for b in blocks]) for k in _ARRAY_FIELDS),
        )


#: :class:`PartyFrames`' array fields in order (``dataclasses.fields`` read once, not per tick).
_ARRAY_FIELDS = tuple(f.name for f in fields(PartyFrames) if f.name != "start")


@dataclass(frozen=True)
class CallFrames:
    """A block of frames of every party present, from global frame ``start``, and the clock that
    turns frame indices into seconds."""

    start: int
    parties: Mapping[str, PartyFrames]
    time_of: TimeFn

    def __len__(self) -> int:
        return len(next(iter(self.parties.values()))) if self.parties else 0

    def slice(self, a: int, b: int) -> CallFrames:
        """Frames ``[a, b)`` of this block (block-relative indices)."""
        return CallFrames(
            self.start + a, {p: f.slice(a, b) for p, f in self.parties.items()}, self.time_of
        )


@dataclass(frozen=True)
class DetectorStep:
    """What one push of a detector gave: the event updates (opened, grown or closed) and, for a
    per-party detector, the frames of its party inside its events (kept out of the baseline)."""

    events: list[Event]
    flagged: np.ndarray | None = None
