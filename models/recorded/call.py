"""One recorded call, start to finish: the steps ``analyze``, ``score`` and the upload worker share.

A recording is decoded, its parties found (from its channels, or by diarizing a mono call when
asked), streamed through the same core as a live call, transcribed when a transcriber is given,
and turned into the ``calltone.analysis/1`` document. Callers add only what is theirs: the command
line its input warnings and text rendering, scoring its rubric, redaction and report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import (
    AnalyzeOptions,
    analyze_file,
    analyze_separated,
    to_document,
)
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.session import SessionResult

if TYPE_CHECKING:
    from calltone.models.diarization import DiarizationConfig
    from calltone.models.recorded.transcript import TranscriptResult
    from calltone.models.speech.transcriber import Transcriber


@dataclass(frozen=True)
class RecordedCallOptions:
    """How to read and analyse one recording."""

    read: AnalyzeOptions = field(default_factory=AnalyzeOptions)
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    profiles: Mapping[str, BaselineSnapshot] | None = None
    """Saved voice profiles by role (``{"agent": VoiceProfile.load(f).baseline}``)."""
    keep_timeline: bool = False
    """Keep the per-frame timeline (the scorecard's plot needs it)."""
    separate: bool = False
    """Diarize a mono recording into agent and customer (``analyze --separate``)."""
    agent_speaker: Literal["first", "second", "auto"] = "auto"
    """With ``separate``: which of the two voices is the agent's."""
    diarization: DiarizationConfig | None = None
    """With ``separate``: the diarization settings (default ``DiarizationConfig()``; the
    document's ``call.separation.config`` says which were used)."""
    customer_name: str | None = None
    """The customer's name if known; otherwise the transcript may tell it."""


@dataclass(frozen=True)
class RecordedCall:
    """A recording after analysis: its audio, the finished session and the JSON document."""

    audio: DecodedAudio
    session: SessionResult
    document: dict[str, Any]
    transcript: TranscriptResult | None
    separation: Any | None
    """The diarization result of a separated mono call (``models.diarization.Separation``)."""
    customer_name: str | None
    """The name given, else the one learned from the transcript."""


CallMode = Literal["two_channel", "mono", "separated"]


def analysis_mode(call: Mapping[str, Any]) -> CallMode:
    """How a recording was analysed, from its document's ``call`` object: ``two_channel`` (one
    party per channel), ``mono`` (one channel analysed as one party) or ``separated`` (a mono
    call diarized into two parties, ``call.separation`` says how)."""
    if call.get("separation") is not None:
        return "separated"
    return "mono" if call.get("channels") == 1 else "two_channel"


def analyze_recording(
    path: str | Path,
    options: RecordedCallOptions | None = None,
    *,
    transcriber: Transcriber | None = None,
) -> RecordedCall:
    """Decode, analyse and (with ``transcriber``) transcribe one recording.

    The session is closed (its end-of-call alerts decided) after the transcript's phrase cues
    are in, when there is a transcriber: a manager request can make the call hard.

    Raises
    ------
    CalltoneError
        Unreadable or unusable audio, or a Whisper model that cannot be loaded; the message
        names the problem and the fix.
    """
    o = options or RecordedCallOptions()
    profiles = dict(o.profiles) if o.profiles is not None else None
    separation = None
    if o.separate:
        from calltone.models.diarization import DiarizationConfig

        dcfg = o.diarization or DiarizationConfig()
        words_for = None
        if transcriber is not None:
            tr = transcriber

            def words_for(mono: DecodedAudio) -> list[tuple[float, float, str]]:
                n = int(dcfg.role_words_window_s * mono.sample_rate)
                segs = tr.transcribe_array(mono.samples[0][:n], speaker="mono")
                return [(g.start_s, g.end_s, g.text) for g in segs]

        audio, session, separation = analyze_separated(
            path,
            agent_speaker=o.agent_speaker,
            words_for=words_for,
            config=o.config,
            profiles=profiles,
            max_decoded_bytes=o.read.max_decoded_bytes,
            keep_timeline=o.keep_timeline,
            diarization=dcfg,
        )
    else:
        audio, session = analyze_file(
            path,
            options=o.read,
            config=o.config,
            keep_timeline=o.keep_timeline,
            profiles=profiles,
        )
    transcript = None
    parts: dict[str, Any] = {}
    if transcriber is not None:
        from calltone.models.recorded.transcript import transcribe_session

        transcript = transcribe_session(
            audio, session, transcriber=transcriber, customer_name=o.customer_name
        )
        parts = transcript.document_parts()
    session.close()
    doc = to_document(audio, session, **parts)
    if separation is not None:
        from calltone.models.diarization import SEPARATION_NOTE

        doc["call"]["separation"] = separation.to_dict()
        doc["call"]["source_channels"] = 1
        separation.mark_interruptions(doc["events"])
        separation.mark_overlap_phrases(doc["events"])
        doc["notes"] = [SEPARATION_NOTE, *doc["notes"]]
    doc["call"]["mode"] = analysis_mode(doc["call"])
    name = transcript.customer_name if transcript is not None else o.customer_name
    return RecordedCall(audio, session, doc, transcript, separation, name)
