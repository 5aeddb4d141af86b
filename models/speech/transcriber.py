"""Speech-to-text for one call channel with faster-whisper, on speech regions only.

Why regions: a call channel is mostly silence (the other party talks half the time, plus hold
and dead air). Whisper hallucinates on long silence ("Thank you.", "you") and pays a full encoder
pass for every window whether it holds speech or not. So the caller (the acoustic VAD in
``audio``) says where speech is, :mod:`.planning` pads, merges, gates and groups those stretches
into windows, and :class:`Transcriber` decodes only those windows and maps every word back to call
time (:mod:`.timing`).

Why two decoding strategies: faster-whisper can decode the windows one ``model.transcribe`` call
at a time (``"per_region"``) or push them through its ``BatchedInferencePipeline`` with
``clip_timestamps`` (``"batched"``), which encodes ``batch_size`` windows in one go and was
faster for many windows on the 2-core reference machine; a single window always goes through
``model.transcribe``. A batch is encoded as long as its longest window, so windows are batched by
length (:func:`length_batches`).

Why windows of real audio: faster-whisper pads every window to 30 s, so a short "mm-hmm" cost as
much as a long turn. Neighbouring regions of one speaker share a window of the *real* audio, the
pauses between them included (``window_s``); Whisper gets its context back and words it puts in
the pauses (the other party's voice leaking into this channel, or a hallucination) are dropped.
Whisper folds a short backchannel into a neighbouring turn or leaves it out, so a short region
that overlaps the other party's speech (the regions the interruption detector asks about) still
gets a window of its own (``isolate_short_s``, ``other_speech``).

Why the encoder may see less than 30 s: with ``context_min_s`` each window is encoded as its
audio plus a margin (:mod:`.whisper_model`, the encoder patch); Whisper sometimes ends the text
early on the shortened input, so such windows are decoded again with the full 30 s
(``context_retry_s``, :func:`stopped_early`).

The measurements behind these choices are in docs/benchmarks.md.
"""

from __future__ import annotations

import bisect
import functools
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from calltone.audio.errors import InvalidSamplesError
from calltone.models.speech.options import (
    SAMPLE_RATE_HZ,
    TranscriberOptions,
    TranscriptionInputError,
)
from calltone.models.speech.planning import (
    LineQuality,
    Piece,
    level_gate,
    line_quality,
    overlaps_any,
    pack_regions,
    peak_amplitude,
    plan_regions,
    plan_windows,
    sample_bounds,
    silero_regions,
    trimmed_windows,
)
from calltone.models.speech.text import normalize
from calltone.models.speech.timing import clean_text, shift_segment, to_segments
from calltone.models.speech.transcript import Segment, SpeechRegion
from calltone.models.speech.whisper_model import (
    MEL_FRAMES_PER_S,
    EncoderContext,
    encoder_context,
    load_whisper_model,
)

if TYPE_CHECKING:  # faster_whisper is imported lazily: importing this module stays cheap.
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)


# A region whose peak is below this (about -80 dBFS) is digital silence or a muted line: Whisper
# can only hallucinate there, so it is skipped without decoding.
SILENT_PEAK = 1e-4


# Two same words of one speaker starting this close are one word decoded twice.
REPEAT_TOLERANCE_S = 0.1


# Whisper's own repetition-loop guard (gzip compression ratio of the text).
MAX_COMPRESSION_RATIO = 2.4


# What Whisper writes on noise, crosstalk and breaths (its YouTube-subtitle training shows). Such a
# segment is dropped when the model itself doubted there was speech (no_speech_prob above
# ``no_speech_prob_max``), even if its log-probability passes: on the AMI crosstalk of the
# transcription benchmark "Thank you." came back with no_speech_prob 0.84 and avg_logprob -0.97.
KNOWN_HALLUCINATIONS = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "thank you so much for watching",
        "please subscribe",
        "you",
        "bye",
        "so",
        "the end",
    }
)


@dataclass(frozen=True)
class ChannelJob:
    """One channel for :meth:`Transcriber.transcribe_channels`."""

    samples: np.ndarray
    regions: Sequence[SpeechRegion]
    speaker: str
    other_speech: Sequence[SpeechRegion] = ()
    line: LineQuality | None = None
    """The channel's line measured beforehand (:func:`planning.line_quality`), so the caller
    can report how it was decoded; None: measured in :meth:`Transcriber.transcribe_regions`."""


class Transcriber:
    """Transcribe one channel's speech regions with a shared, offline Whisper model.

    Parameters
    ----------
    options : TranscriberOptions, optional
        Defaults are tuned for a 2-core CPU: tiny.en int8, greedy, batched.
    model : WhisperModel, optional
        An already loaded model (tests and benchmarks share one); otherwise loaded lazily on
        first use through :func:`load_whisper_model`.
    """

    def __init__(
        self, options: TranscriberOptions | None = None, *, model: WhisperModel | None = None
    ) -> None:
        self.options = options or TranscriberOptions()
        self._model = model

    @property
    def model(self) -> WhisperModel:
        """The Whisper model, loaded on first access (raises :class:`ModelLoadError`)."""
        if self._model is None:
            o = self.options
            self._model = load_whisper_model(
                o.model, compute_type=o.compute_type, cpu_threads=o.cpu_threads, workers=o.workers
            )
        return self._model

    def transcribe_array(
        self, samples: np.ndarray, *, speaker: str, offset_s: float = 0.0
    ) -> list[Segment]:
        """Transcribe one short clip (at most ``max_region_s``) as a single region.

        ``offset_s`` is where the clip starts in the call, so returned times are call times.
        Longer clips are split by :func:`plan_regions` first.
        """
        x = _check_samples(samples)
        if x.size == 0:
            return []
        duration_s = x.shape[0] / SAMPLE_RATE_HZ
        regions = plan_regions(
            [SpeechRegion(0.0, duration_s)],
            duration_s=duration_s,
            options=TranscriberOptions(region_pad_s=0.0, max_region_s=self.options.max_region_s),
            samples=x,
        )
        segments = self._decode(x, regions, speaker=speaker)
        if offset_s:
            segments = [shift_segment(s, offset_s) for s in segments]
        return segments

    def transcribe_regions(
        self,
        samples: np.ndarray,
        regions: Sequence[SpeechRegion],
        *,
        speaker: str,
        other_speech: Sequence[SpeechRegion] = (),
        line: LineQuality | None = None,
    ) -> list[Segment]:
        """Transcribe only the given speech regions of one 16 kHz channel.

        Parameters
        ----------
        samples : np.ndarray, shape (n,), float32
            The whole channel at 16 kHz; region times index into it.
        regions : sequence of SpeechRegion
            Where speech is, as the VAD found it; padded/merged/split here via
            :func:`plan_regions`.
        speaker : str
            Role written into every segment (``"agent"`` or ``"customer"``).
        other_speech : sequence of SpeechRegion, optional
            When the other parties speak. With ``window_s`` set, a short region of this speaker
            that overlaps them (a possible backchannel or cut-in, at most ``isolate_short_s``
            long) is decoded in a window of its own, so Whisper does not fold it into the
            neighbouring turn.
        line : LineQuality, optional
            The channel's line, measured by the caller with :func:`planning.line_quality` on
            the same samples and regions (to report it); measured here when None. A noisy line
            is decoded with ``noisy_line_beam_size`` and ``noisy_line_context_min_s``.

        Returns
        -------
        list of Segment
            In time order, times in seconds from the start of ``samples``. Empty audio or no
            regions give ``[]``.

        Raises
        ------
        audio.errors.InvalidSamplesError
            NaN or infinite samples.
        TranscriptionInputError
            Samples that are not one channel.
        """
        x = _check_samples(samples)
        if x.size == 0 or not regions:
            return []
        duration_s = x.shape[0] / SAMPLE_RATE_HZ
        # A noisy line (speech less than noisy_line_snr_db over the floor) is decoded with the
        # settings that kept the words on noisy speech (beam 5, the full 30 s): measured on the
        # regions as given, before any gate, so the other party's echo is not taken for noise.
        if line is None:
            line = line_quality(x, regions, self.options)
        if line.noisy:
            log.info(
                "%s: noisy line (speech %.1f dB over the floor < noisy_line_snr_db %.1f): "
                "beam %d, context %s",
                speaker,
                line.snr_db,
                self.options.noisy_line_snr_db,
                line.beam_size,
                "30 s" if line.context_min_s is None else f"{line.context_min_s:g} s",
            )
            noisy = Transcriber(
                replace(
                    self.options,
                    beam_size=line.beam_size,
                    context_min_s=line.context_min_s,
                    noisy_line_snr_db=None,
                ),
                model=self.model,
            )
            return noisy._transcribe_planned(x, regions, speaker, other_speech, duration_s)
        return self._transcribe_planned(x, regions, speaker, other_speech, duration_s)

    def _transcribe_planned(
        self,
        x: np.ndarray,
        regions: Sequence[SpeechRegion],
        speaker: str,
        other_speech: Sequence[SpeechRegion],
        duration_s: float,
    ) -> list[Segment]:
        if self.options.crosstalk_gate_db is not None:
            regions = level_gate(x, regions, gate_db=self.options.crosstalk_gate_db)
        if self.options.speech_gate != "given":
            regions = silero_regions(
                x, None if self.options.speech_gate == "silero" else regions, self.options
            )
            if not regions:
                return []
        planned = plan_regions(regions, duration_s=duration_s, options=self.options, samples=x)
        return self._decode(x, planned, speaker=speaker, other_speech=other_speech)

    def transcribe_channels(self, jobs: Sequence[ChannelJob]) -> list[list[Segment]]:
        """:meth:`transcribe_regions` for several channels, at the same time when the model has
        more than one worker (``workers``): one thread per channel, each on its own CTranslate2
        replica with its share of the threads.

        Returns one list of segments per job, in the order given.
        """
        if not jobs:
            return []
        n = min(len(jobs), max(1, int(self.model.model.num_workers)))

        def run(job: ChannelJob) -> list[Segment]:
            return self.transcribe_regions(
                job.samples,
                job.regions,
                speaker=job.speaker,
                other_speech=job.other_speech,
                line=job.line,
            )

        if n == 1:
            return [run(j) for j in jobs]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="whisper-channel") as pool:
            return list(pool.map(run, jobs))

    # -- internals ----------------------------------------------------------------------------

    def _decode(
        self,
        x: np.ndarray,
        regions: list[SpeechRegion],
        *,
        speaker: str,
        other_speech: Sequence[SpeechRegion] = (),
    ) -> list[Segment]:
        o = self.options
        audible = [
            r for r in regions if r.duration_s >= 0.05 and peak_amplitude(x, r) >= SILENT_PEAK
        ]
        if not audible:
            return []
        max_off_s: float | None = None
        if o.pack_gap_s is not None and o.word_timestamps:
            audio, windows, pieces = pack_regions(
                x, audible, max_s=o.max_region_s, gap_s=o.pack_gap_s
            )
        else:
            audio, windows = x, audible
            pieces = [Piece(r.start_s, r.end_s, r.start_s) for r in audible]
            if o.window_s is not None and o.word_timestamps:
                isolate = [
                    r.duration_s <= o.isolate_short_s and overlaps_any(r, other_speech)
                    for r in audible
                ]
                if o.max_pause_s is not None:
                    audio, windows, pieces = trimmed_windows(
                        x, audible, window_s=o.window_s, isolate=isolate, max_pause_s=o.max_pause_s
                    )
                else:
                    windows = plan_windows(audible, window_s=o.window_s, isolate=isolate)
                # A window holds the real pauses between regions: a word heard there (the other
                # party's echo, a hallucination in the pause) is not this speaker's speech.
                max_off_s = o.word_slack_s
        context = self._encoder_context()
        raw = self._decode_windows(audio, windows, context)
        if context is not None and o.context_retry_s is not None:
            # With a shortened encoder input Whisper sometimes ends the text before the audio
            # ends (or writes nothing): such windows are decoded again with the full 30 s.
            spans = [(p.dec_start_s, p.dec_end_s) for p in pieces]
            kept_raw = [item for item in raw if not self._is_hallucination(item[0])]
            again = stopped_early(kept_raw, windows, spans, min_unheard_s=o.context_retry_s)
            if again:
                redo = self._decode_windows(audio, [windows[k] for k in again], None)
                raw = replace_windows(raw, windows, again, redo)
        segments: list[Segment] = []
        for fw_segment, offset_s in raw:
            if self._is_hallucination(fw_segment):
                continue
            segments.extend(
                seg
                for seg in to_segments(fw_segment, offset_s, pieces, speaker, max_off_s)
                if compression_ratio(seg.text) <= MAX_COMPRESSION_RATIO
            )
        return drop_repeated_words(segments)

    def _decode_windows(
        self, audio: np.ndarray, windows: list[SpeechRegion], context: EncoderContext | None
    ) -> list[tuple[Any, float]]:
        # One window gains nothing from batching and the batched pipeline holds more memory,
        # so single clips (the live path's utterances) always take the per-region path.
        with encoder_context(context):
            if self.options.strategy == "batched" and len(windows) > 1:
                return self._decode_batched(audio, windows)
            return self._decode_per_region(audio, windows)

    def _encoder_context(self) -> EncoderContext | None:
        o = self.options
        if o.context_min_s is None:
            return None
        return EncoderContext(
            min_frames=round(o.context_min_s * MEL_FRAMES_PER_S),
            margin_frames=round(o.context_margin_s * MEL_FRAMES_PER_S),
        )

    def _common_kwargs(self) -> dict[str, Any]:
        o = self.options
        return {
            "language": o.language,
            "beam_size": o.beam_size,
            "temperature": 0.0,
            "condition_on_previous_text": o.condition_on_previous_text,
            "word_timestamps": o.word_timestamps,
            "vad_filter": False,
            "without_timestamps": False,
            "no_speech_threshold": o.no_speech_prob_max,
            "log_prob_threshold": o.min_avg_logprob,
            # Checked per emitted segment instead (compression_ratio): faster-whisper's
            # sequential path scores a whole packed window, where distinct short utterances
            # that happen to repeat ("yes", "okay") would look like a repetition loop.
            "compression_ratio_threshold": None,
            "hotwords": o.hotwords,
            "initial_prompt": o.initial_prompt,
        }

    def _decode_per_region(
        self, x: np.ndarray, windows: list[SpeechRegion]
    ) -> list[tuple[Any, float]]:
        """One ``model.transcribe`` per window; times come back relative to the window."""
        out: list[tuple[Any, float]] = []
        for r in windows:
            a, b = sample_bounds(r, x.shape[0])
            fw_segments, _info = self.model.transcribe(x[a:b], **self._common_kwargs())
            out.extend((s, a / SAMPLE_RATE_HZ) for s in fw_segments)
        return out

    def _decode_batched(
        self, x: np.ndarray, windows: list[SpeechRegion]
    ) -> list[tuple[Any, float]]:
        """All windows through BatchedInferencePipeline; times come back absolute.

        The windows are batched by length (:func:`length_batches`): a batch is encoded as long
        as its longest window, so batching neighbours in call order, a 15 s turn beside three
        2 s answers, encoded all four as 16 s.
        """
        pipeline = _batched_pipeline(self.model)
        clips = [
            {"start": windows[k].start_s, "end": windows[k].end_s}
            for batch in length_batches(windows, self.options.batch_size)
            for k in batch
        ]
        fw_segments, _info = pipeline.transcribe(
            x, clip_timestamps=clips, batch_size=self.options.batch_size, **self._common_kwargs()
        )
        return sorted(((s, 0.0) for s in fw_segments), key=lambda item: item[0].start)

    def _is_hallucination(self, s: Any) -> bool:
        o = self.options
        if s.no_speech_prob > o.no_speech_prob_max and (
            s.avg_logprob < o.min_avg_logprob or normalize(s.text) in KNOWN_HALLUCINATIONS
        ):
            return True
        return not any(ch.isalnum() for ch in s.text)


def length_batches(windows: Sequence[SpeechRegion], batch_size: int) -> list[list[int]]:
    """Indices of ``windows`` in batches of ``batch_size`` windows of similar length.

    Windows are taken shortest first; inside a batch they stay in call order (faster-whisper's
    word timing carries the end of the previous window's speech to the next one, which must lie
    before it).
    """
    order = sorted(range(len(windows)), key=lambda k: (windows[k].duration_s, k))
    return [sorted(order[i : i + batch_size]) for i in range(0, len(order), batch_size)]


def _batched_pipeline(model: WhisperModel) -> Any:
    """faster-whisper's BatchedInferencePipeline, its word-timing memory cleared per batch.

    The pipeline keeps the end of the last word it timed and treats the first word of the next
    window as "after a pause" only when it ends well after that; with windows batched by length
    the last timed word can lie *later* in the call, so every batch starts from 0 (each window
    follows a pause: windows are apart).
    """
    return _pipeline_class()(model)


@functools.cache
def _pipeline_class() -> type:
    from faster_whisper import BatchedInferencePipeline

    class _Pipeline(BatchedInferencePipeline):
        def forward(self, *args: Any, **kwargs: Any) -> Any:
            self.last_speech_timestamp = 0.0
            return super().forward(*args, **kwargs)

    return _Pipeline


def _check_samples(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if x.ndim == 2 and 1 in x.shape:
        x = x.reshape(-1)
    if x.ndim != 1:
        raise TranscriptionInputError(
            f"expected one channel of samples, shape (n,), got shape {x.shape}; "
            "pass one row of the decoded call (e.g. audio.samples[0])"
        )
    x = np.ascontiguousarray(x, dtype=np.float32)
    if x.size and not np.isfinite(x).all():
        bad = int(x.size - np.count_nonzero(np.isfinite(x)))
        raise InvalidSamplesError(
            f"channel contains {bad} NaN or infinite samples; Whisper cannot decode them: "
            "re-export the call as 16-bit PCM WAV or clean the buffer before transcribing"
        )
    return x


def compression_ratio(text: str) -> float:
    """gzip-style compression ratio of ``text``; Whisper's repetition-loop signal (> 2.4)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def drop_repeated_words(segments: Sequence[Segment]) -> list[Segment]:
    """Segments with every word said twice at the same time kept once.

    A word is a repeat when an earlier-kept word of the same speaker has the same normalised text
    and their spans overlap (or start within :data:`REPEAT_TOLERANCE_S`). A segment that loses
    all its words is dropped; one that loses some keeps the rest, its text rebuilt from them.
    Words without timestamps are kept as they are. A segment that is a squeezed echo of the
    words just before it (:func:`is_squeezed_echo`) is dropped whole.
    """
    kept: dict[str, list[tuple[str, float, float]]] = {}
    out: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.start_s, s.end_s)):
        if not seg.words:
            out.append(seg)
            continue
        mine = kept.setdefault(seg.speaker, [])
        if is_squeezed_echo(seg, mine):
            continue
        words = []
        for w in seg.words:
            key = normalize(w.word)
            repeat = any(
                k == key
                and (
                    min(b, w.end_s) > max(a, w.start_s) or abs(a - w.start_s) <= REPEAT_TOLERANCE_S
                )
                for k, a, b in mine[-64:]
            )
            if not repeat:
                words.append(w)
                mine.append((key, w.start_s, w.end_s))
        if len(words) == len(seg.words):
            out.append(seg)
        elif words:
            text = clean_text(" ".join(w.word for w in words))
            out.append(Segment(seg.speaker, words[0].start_s, words[-1].end_s, text, words))
    return out


# A segment is a squeezed echo when it repeats the words just before it in less than this share
# of the time they took.
ECHO_TIME_SHARE = 0.5


def is_squeezed_echo(seg: Segment, before: Sequence[tuple[str, float, float]]) -> bool:
    """True when ``seg`` repeats, word for word, the speaker's words just before it, squeezed
    into less than :data:`ECHO_TIME_SHARE` of the time they took.

    Why: at the end of a window Whisper sometimes writes the window's text once more after the
    audio ran out, and its word alignment then piles those words onto the last fraction of a
    second (on a real call "I don't think so. And that's it." again, nine words in 0.18 s).
    They are not speech: they double the words a pace counts and the phrases the cues quote. A
    person who says a sentence again takes about as long as the first time, so a genuine repeat
    is kept.

    Parameters
    ----------
    seg : Segment
        The candidate, with word times.
    before : sequence of (normalised word, start_s, end_s)
        The same speaker's words kept so far, in time order.
    """
    tokens = [normalize(w.word) for w in seg.words]
    n = len(tokens)
    if n < 2 or len(before) < n:
        return False
    tail = before[-n:]
    if [k for k, _a, _b in tail] != tokens:
        return False
    took_s = tail[-1][2] - tail[0][1]
    return took_s > 0 and (seg.words[-1].end_s - seg.words[0].start_s) < ECHO_TIME_SHARE * took_s


def _window_index(item: tuple[Any, float], windows: Sequence[SpeechRegion]) -> int:
    """The window a decoded segment (faster-whisper segment, time offset) came from.

    A window's segments start at or after the window's start (both faster-whisper paths add the
    window's offset to times that are >= 0), and windows are sorted and apart, so it is the last
    window starting at or before the segment. Whisper may put a segment's start *past* its
    window's end (into the zero padding of a shortened encoder input); matching on
    ``start < end`` then gave it to the next window or none, so when its window was decoded
    again (an early stop) the old segment was kept beside the new one: the same sentence twice
    at the same time.
    """
    t = item[0].start + item[1]
    k = bisect.bisect_right([w.start_s for w in windows], t + 1e-3) - 1
    return k


def replace_windows(
    raw: Sequence[tuple[Any, float]],
    windows: Sequence[SpeechRegion],
    redone: Sequence[int],
    new: Sequence[tuple[Any, float]],
) -> list[tuple[Any, float]]:
    """``raw`` without the segments of the windows ``redone``, plus ``new`` (their new decode).

    Every old segment of a redone window goes, including one whose start Whisper put past the
    window's end (see :func:`_window_index`).
    """
    gone = set(redone)
    return [item for item in raw if _window_index(item, windows) not in gone] + list(new)


def stopped_early(
    raw: Sequence[tuple[Any, float]],
    windows: Sequence[SpeechRegion],
    spans: Sequence[tuple[float, float]],
    *,
    min_unheard_s: float,
) -> list[int]:
    """Windows whose decoded words end at least ``min_unheard_s`` of speech before the window's
    speech does (or that produced no words although they hold that much speech).

    Parameters
    ----------
    raw : sequence of (segment, offset_s)
        faster-whisper segments (``start``, ``end``, ``words`` with ``end``) and the offset that
        puts their times in decoded-audio seconds.
    windows : sequence of SpeechRegion
        The decoded windows, in decoded-audio seconds.
    spans : sequence of (start_s, end_s)
        Where the speech regions lie in the decoded audio.

    Returns
    -------
    list of int
        Indices into ``windows``, ascending.
    """
    heard = [w.start_s for w in windows]
    for item in raw:
        k = _window_index(item, windows)
        if k < 0:
            continue
        seg, off = item
        words = getattr(seg, "words", None) or []
        end = max((float(w.end) for w in words), default=float(seg.end)) + off
        heard[k] = max(heard[k], end)
    out = []
    for k, w in enumerate(windows):
        unheard = sum(
            max(0.0, min(b, w.end_s) - max(a, heard[k], w.start_s))
            for a, b in spans
            if b > w.start_s and a < w.end_s
        )
        if unheard >= min_unheard_s:
            out.append(k)
    return out
