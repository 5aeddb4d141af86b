"""What was said: transcription of a recorded call beside its acoustic analysis.

Each party's speech runs (from the same speech-activity decision the detectors use) are
transcribed with the offline Whisper model, so Whisper never sees long silence or hold music.
The transcript then *adds* to the acoustic result, it never changes an acoustic event:

- segments with word timings per speaker;
- pace in words per minute per speaker and ``rushing`` events for the agent;
- interruptions whose overlapping words are only a backchannel ("yeah, okay") are marked
  ``counted: false`` and left out of the interruption count;
- phrase cues (empathy, apology, manager request, abuse, ...) as ``phrase`` events, which can
  raise escalation flags through the same alert policy as live calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from calltone.audio.decode import DecodedAudio
from calltone.models.speech.cue_pass import CuePassConfig, refine_cue_words
from calltone.models.speech.cues import CueMatcher
from calltone.models.speech.options import TranscriberOptions
from calltone.models.speech.planning import line_quality
from calltone.models.speech.text import (
    PAUSE_FULL_S,
    PAUSE_ZERO_S,
    is_backchannel,
    pace_series,
    talk_time_s,
    words_per_minute,
)
from calltone.models.speech.transcriber import ChannelJob, Transcriber
from calltone.models.speech.transcript import Segment, SpeechRegion, Word
from calltone.models.tone.config import InterruptionConfig
from calltone.models.tone.events import Event
from calltone.models.tone.session import SessionResult


@dataclass(frozen=True)
class PaceConfig:
    """Speech-rate rules (docs/DESIGN.md: calm agents ~130-160 wpm; rushing > ~180 or +20 %).

    Rates are words per minute of *talk time* (pauses up to ``pause_full_s`` counted, from
    ``pause_zero_s`` on left out, linearly between; models.speech.text), which
    reads above a rate over whole turns, and Whisper's word times make 20 s windows noisy: a
    synthetic agent speaking a steady 160 wpm reads 174-209 here, one at 250 wpm reads ~252.

    A ``rushing`` event needs **both** limits: a window over ``rushing_wpm`` *and* over
    ``rushing_ratio_over_baseline`` times the agent's own pace in their first
    ``baseline_windows`` windows (so none fires before the agent has a baseline). Real calm
    telephone speech reads 180-270 wpm on this talk-time basis (the phone call's own STM 225, the
    calm LCA agent 265 over the whole call, docs/benchmarks_telephone.md), so an absolute limit
    alone flags an agent's habitual pace, which is not a change an alert can help with; the
    scorecard's pace criterion still scores the call's pace against the calm band.
    """

    window_s: float = 20.0
    step_s: float = 5.0
    min_talk_s: float = 6.0
    rushing_wpm: float = 220.0
    rushing_ratio_over_baseline: float = 1.3
    baseline_windows: int = 3
    pause_full_s: float = PAUSE_FULL_S
    """A pause between two words of the speaker up to this long counts whole as talk time."""
    pause_zero_s: float = PAUSE_ZERO_S
    """A pause from this long on counts nothing; in between, its counted seconds fall linearly
    from ``pause_full_s`` to 0 (models.speech.text.pause_talk_s), so Whisper's 20-70 ms timing
    jitter moves talk time by at most twice the jitter per pause, not by a whole 0.5 s. Equal
    to ``pause_full_s``: the all-or-nothing rule (before session 14: 0.5 / 0.5)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.pause_full_s <= self.pause_zero_s:
            raise ValueError("PaceConfig needs 0 <= pause_full_s <= pause_zero_s")

    @classmethod
    def over_turns(
        cls, turn_gap_s: float = InterruptionConfig().turn_gap_s, **kwargs: Any
    ) -> PaceConfig:
        """The same rules with rates over the speaker's *turns* (off: not the default).

        A pause up to ``turn_gap_s`` (s; the turn model's ``InterruptionConfig.turn_gap_s``,
        0.8) counts whole, a longer one nothing: words over the speaker's own turns, first word
        to last, the pauses inside included. That is the time base of an STM reference (its
        utterances tile each turn: on ``phone_call_2spk`` they are 10.37 / 11.20 s per speaker,
        10.47 / 11.28 s joined across pauses under 0.8 s). Measured (session 22, H5,
        /work/notes/s22/doc_h5.md): it moves no verdict. The phone call reads the same (no
        pause inside its turns is 0.5-0.8 s long), the calm LCA agent 260.7 -> 257.8 wpm and
        the caller 179.2 -> 173.2; it brings back the all-or-nothing step at ``turn_gap_s``
        that the continuous rule removed for Whisper's timing jitter. Kept off.
        """
        return cls(pause_full_s=turn_gap_s, pause_zero_s=turn_gap_s, **kwargs)


@dataclass
class TranscriptResult:
    """What the transcript adds to a recorded call's analysis."""

    segments: list[Segment]
    events: list[Event]
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    customer_name: str | None = None

    def document_parts(self) -> dict[str, Any]:
        """Keyword arguments for :func:`models.recorded.analysis.to_document`."""
        return {
            "segments": [s.to_dict() for s in self.segments],
            "extra_events": [e.to_dict() for e in self.events],
            "extra_metrics": self.metrics,
        }


# Recorded calls: both channels are known up front and could be decoded at the same time on two
# model replicas (``TranscriberOptions(workers=2)``); on two cores that is no faster and takes
# more memory (docs/benchmarks.md), so one worker decodes one channel after the other.
RECORDED_CALL_WORKERS = 1
# Speech runs more than this under the party's own loudest run are the other party leaking into
# the channel, not transcribed (TranscriberOptions.crosstalk_gate_db): on the AMI close-talk
# sources and the telephone call, wideband and through G.711/GSM, word errors fell from 0.43-0.83
# to 0.14-0.24 of the reference words, level with plain faster-whisper + Silero VAD
# (bench/bench_narrowband.py, docs/benchmarks_telephone.md).
CROSSTALK_GATE_DB = 20.0
# Pauses between the speech runs of a window are cut to this much of their real audio: the
# windows of a call then hold its speech, not its listening time, so there are fewer of them and
# each is shorter to encode (10-minute narrowband call: CPU time of the transcription -19 %, word
# errors level; docs/benchmarks_telephone.md). Not shorter: Whisper needs the pause to end a
# sentence.
RECORDED_MAX_PAUSE_S = 1.0
# faster-whisper hotwords for the words the phrase cues need, written as sentences: as a bare word
# list Whisper dropped punctuation and capitals (which sentence cuts and name learning need), and
# as a comma list it appended "I'm going to go ahead and check out the" to every clip
# (bench/bench_cues.py, docs/benchmarks_telephone.md).
CUE_HOTWORDS = (
    "I'm sorry. Please calm down. Let me get my supervisor or manager. Refund. I apologize. "
    "I'll escalate this."
)


def recorded_call_options(
    model: str | None = None, *, full_context: bool = False
) -> TranscriberOptions:
    """Transcriber settings for a whole recorded call (:func:`transcribe_session`'s default).

    Each window is encoded as its audio + 1 s (at least 10 s; windows up to 15 s, a pause
    between two speech runs of a window shortened to 1 s of its real audio), and windows
    where Whisper stopped early are decoded again with the full 30 s: faster than the full
    context with the same word errors (docs/benchmarks.md, docs/benchmarks_telephone.md).
    ``full_context=True`` encodes every window as 30 s (faster-whisper's behaviour). Both leave
    out speech runs :data:`CROSSTALK_GATE_DB` under the party's own level (crosstalk, echo).
    """
    if full_context:
        return TranscriberOptions(
            model=model, workers=RECORDED_CALL_WORKERS, crosstalk_gate_db=CROSSTALK_GATE_DB
        )
    return TranscriberOptions(
        model=model,
        workers=RECORDED_CALL_WORKERS,
        context_min_s=10.0,
        window_s=15.0,
        max_pause_s=RECORDED_MAX_PAUSE_S,
        crosstalk_gate_db=CROSSTALK_GATE_DB,
    )


def transcribe_session(
    audio: DecodedAudio,
    session: SessionResult,
    *,
    transcriber: Transcriber | None = None,
    model: str | None = None,
    customer_name: str | None = None,
    pace: PaceConfig | None = None,
    cues: CueMatcher | None = None,
    cue_pass: CuePassConfig | None = None,
) -> TranscriptResult:
    """Transcribe both parties of an analysed call and derive pace, backchannels and cues.

    The phrase cues go to the session (``session.add_events``), whose alerts they may raise;
    close the session afterwards: its end-of-call decision (take a break) depends on them (a
    manager request raises an escalation flag, which makes the call hard). Interruptions whose
    overlapping words are only a backchannel are updated in ``session.analysis`` to say so.

    ``cue_pass``: decode each party's doubted segments once more for the words the supervisor /
    manager and calm-down cues need (:func:`models.speech.cue_pass.refine_cue_words`); off by
    default: it costs a second decode of most segments (docs/benchmarks_telephone.md).
    """
    tr = transcriber or Transcriber(recorded_call_options(model))
    pace = pace or PaceConfig()
    analysis = session.analysis
    segments: list[Segment] = []
    regions = {
        party: [SpeechRegion(r.start_s, r.end_s) for r in analysis.speech_runs.get(party, [])]
        for party in analysis.roles.present
    }
    jobs = [
        ChannelJob(
            audio.samples[getattr(analysis.roles, party)],
            regions[party],
            speaker=party,
            other_speech=[r for p, rs in regions.items() if p != party for r in rs],
            # How the channel is decoded (a noisy line gets beam 5 over 30 s), measured here
            # so the metrics can say so: the transcriber is shared and keeps no per-call state.
            line=line_quality(
                audio.samples[getattr(analysis.roles, party)], regions[party], tr.options
            ),
        )
        for party in analysis.roles.present
    ]
    decoded = tr.transcribe_channels(jobs)
    decoding = {j.speaker: j.line for j in jobs if j.line is not None}
    for job, channel_segments in zip(jobs, decoded, strict=True):
        if cue_pass is not None:
            channel_segments = refine_cue_words(
                tr, job.samples, channel_segments, cue_pass
            ).segments
        segments += channel_segments
    segments.sort(key=lambda s: (s.start_s, s.speaker))
    words: dict[str, list[Word]] = {
        str(p): [w for s in segments if s.speaker == p for w in s.words]
        for p in analysis.roles.present
    }

    events: list[Event] = []
    metrics: dict[str, dict[str, Any]] = {}
    for speaker, ws in words.items():
        m: dict[str, Any] = {"words": len(ws)}
        if ws:
            m["words_per_minute"] = round(
                words_per_minute(
                    ws,
                    start_s=0.0,
                    end_s=audio.duration_s,
                    pause_full_s=pace.pause_full_s,
                    pause_zero_s=pace.pause_zero_s,
                ),
                1,
            )
            m["transcribed_talk_s"] = round(
                talk_time_s(
                    ws,
                    start_s=0.0,
                    end_s=audio.duration_s,
                    pause_full_s=pace.pause_full_s,
                    pause_zero_s=pace.pause_zero_s,
                ),
                2,
            )
        if speaker in decoding:
            m["decoding"] = decoding[speaker].to_dict()
        metrics[speaker] = m
    if "agent" in words:
        rushing, base = _rushing(words["agent"], pace)
        events += rushing
        if base is not None:
            metrics["agent"]["baseline_words_per_minute"] = round(base, 1)
    counted, marked = _mark_backchannels(analysis.events, words)
    analysis.update_events(marked)
    for who, n in counted.items():
        metrics.setdefault(who, {})["interruptions"] = n

    matcher = cues or CueMatcher.from_file()
    found = matcher.find_cues(segments, customer_name=customer_name)
    phrase_events = [cue_event(c.to_event_dict()) for c in found]
    events += phrase_events
    session.add_events(phrase_events)
    events.sort(key=lambda e: (e.start_s, e.kind))
    name = customer_name
    if name is None:
        from calltone.models.speech.cues import learn_customer_name

        name = learn_customer_name(segments)
    return TranscriptResult(segments=segments, events=events, metrics=metrics, customer_name=name)


def cue_event(d: dict[str, Any]) -> Event:
    """A phrase cue (``Cue.to_event_dict()``) as an :class:`Event` for the alert policy."""
    return Event(
        kind="phrase",
        speaker=d["speaker"],
        start_s=float(d["start_s"]),
        end_s=float(d["end_s"]),
        evidence=d["evidence"],
    )


def _rushing(words: list[Word], c: PaceConfig) -> tuple[list[Event], float | None]:
    """Agent pace windows over the absolute limit and well over their own first windows.

    Fired windows that overlap make one event, also across a calmer window between them: the
    windows are longer than their step, so two events would share seconds and one stretch of
    rushing would be counted (and debited on a scorecard) twice.
    """
    points = pace_series(
        words,
        window_s=c.window_s,
        step_s=c.step_s,
        min_talk_s=c.min_talk_s,
        pause_full_s=c.pause_full_s,
        pause_zero_s=c.pause_zero_s,
    )
    if not points:
        return [], None
    base = float(np.median([p.wpm for p in points[: c.baseline_windows]]))
    out: list[Event] = []
    current: Event | None = None
    for k, p in enumerate(points):
        fired = (
            ["absolute", "over_baseline"]
            if k >= c.baseline_windows
            and p.wpm > c.rushing_wpm
            and p.wpm > c.rushing_ratio_over_baseline * base
            else []
        )
        if fired:
            a, b = p.t_s - c.window_s / 2, p.t_s + c.window_s / 2
            if current is not None and a <= (current.end_s or 0.0):
                current = current.closed_at(
                    b,
                    evidence={
                        "peak_wpm": max(current.evidence["peak_wpm"], round(p.wpm, 1)),
                        "fired": sorted(set(current.evidence["fired"]) | set(fired)),
                    },
                )
                out[-1] = current
            else:
                current = Event(
                    kind="rushing",
                    speaker="agent",
                    start_s=max(0.0, a),
                    end_s=b,
                    evidence={
                        "peak_wpm": round(p.wpm, 1),
                        "baseline_wpm": round(base, 1),
                        "fired": fired,
                    },
                    thresholds={
                        "rushing_wpm": c.rushing_wpm,
                        "rushing_ratio_over_baseline": c.rushing_ratio_over_baseline,
                        "window_s": c.window_s,
                        "pause_full_s": c.pause_full_s,
                        "pause_zero_s": c.pause_zero_s,
                    },
                )
                out.append(current)
    return out, base


def _mark_backchannels(
    events: list[Event], words: dict[str, list[Word]]
) -> tuple[dict[str, int], list[Event]]:
    """Count interruptions by initiator, leaving out those whose overlapping words are only a
    backchannel; return the counts and the interruptions updated with their words."""
    counts: dict[str, int] = {p: 0 for p in words}
    updated: list[Event] = []
    for ev in events:
        if ev.kind != "interruption":
            continue
        end = ev.end_s if ev.end_s is not None else ev.start_s
        said = [
            w.word for w in words.get(ev.speaker, []) if ev.start_s - 0.2 <= w.mid_s <= end + 0.2
        ]
        text = " ".join(said).strip()
        extra: dict[str, Any] = {"words": text} if text else {}
        if text and is_backchannel(text):
            extra.update(counted=False, why_not_counted="backchannel by its words")
        else:
            counts[ev.speaker] = counts.get(ev.speaker, 0) + 1
        if extra:
            updated.append(ev.with_evidence(extra))
    return counts, updated
