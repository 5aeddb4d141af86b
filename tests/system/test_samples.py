"""Checks on the committed sample calls in samples/ (no espeak-ng needed: nothing is regenerated).

Each sample has call.wav (16 kHz, 2 channels: 0 = agent, 1 = customer), expected.json and
script.json, written by samples/make_samples.py. These tests measure the wavs themselves with a
simple frame-energy threshold, so the expected events stay honest if the wavs are regenerated.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAMES = ["calm_call", "escalation_call", "interrupting_agent_call"]
SR = 16_000
HOP = 160  # 10 ms
FRAME = 512  # 32 ms
ACTIVE_DBFS = -45.0  # frame RMS above this = someone is talking on that channel
CHANNEL = {"agent": 0, "customer": 1}


@cache
def load(name: str) -> tuple[np.ndarray, int, dict, dict]:
    d = SAMPLES / name
    audio, sr = sf.read(d / "call.wav", dtype="float64", always_2d=True)
    expected = json.loads((d / "expected.json").read_text())
    script = json.loads((d / "script.json").read_text())
    return audio, sr, expected, script


def rms_dbfs(x: np.ndarray) -> float:
    return float(20 * np.log10(max(float(np.sqrt(np.mean(x**2))), 1e-12)))


def frame_db(x: np.ndarray) -> np.ndarray:
    """Frame RMS in dBFS; frame i is centred at (i * HOP + FRAME / 2) / SR seconds."""
    n = 1 + (len(x) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    return 20 * np.log10(np.maximum(np.sqrt(np.mean(x[idx] ** 2, axis=1)), 1e-12))


def close_gaps(mask: np.ndarray, max_gap_frames: int = 15) -> np.ndarray:
    """Fill short silences inside speech (stop closures, word gaps < 150 ms)."""
    out = mask.copy()
    on = np.flatnonzero(mask)
    for a, b in itertools.pairwise(on):
        if 1 < b - a <= max_gap_frames + 1:
            out[a:b] = True
    return out


@cache
def active(name: str, channel: int) -> np.ndarray:
    audio = load(name)[0]
    return close_gaps(frame_db(audio[:, channel]) > ACTIVE_DBFS)


def frame_index(t: float) -> int:
    return max(0, round((t * SR - FRAME / 2) / HOP))


def segment(name: str, channel: int, start_s: float, end_s: float) -> np.ndarray:
    audio = load(name)[0]
    return audio[int(start_s * SR) : int(end_s * SR), channel]


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) frame index pairs of True runs."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_wav_format_and_duration(name: str) -> None:
    audio, sr, expected, _ = load(name)
    info = sf.info(SAMPLES / name / "call.wav")
    assert sr == 16_000
    assert audio.shape[1] == 2
    assert info.subtype == "PCM_16"
    duration = len(audio) / sr
    assert abs(duration - expected["duration_s"]) <= 0.05
    assert 40.0 <= duration <= 80.0
    assert (SAMPLES / name / "call.wav").stat().st_size < 3_000_000
    assert np.abs(audio).max() < 0.99, "clipping"
    assert expected["call"] == name


@pytest.mark.parametrize("name", NAMES)
def test_expected_json_is_consistent(name: str) -> None:
    _, _, expected, _ = load(name)
    dur = expected["duration_s"]
    starts = [e["start_s"] for e in expected["events"]]
    assert starts == sorted(starts)
    for e in expected["events"] + expected["not_events"]:
        assert e["speaker"] in CHANNEL
        assert 0.0 <= e["start_s"] < e["end_s"] <= dur, e
    kinds = {e["kind"] for e in expected["events"]}
    assert not kinds & set(expected["absent_kinds"])


@pytest.mark.parametrize("name", NAMES)
def test_event_speaker_is_talking(name: str) -> None:
    _, _, expected, _ = load(name)
    for e in expected["events"]:
        own = segment(name, CHANNEL[e["speaker"]], e["start_s"], e["end_s"])
        assert rms_dbfs(own) > -40.0, e
        if e["kind"] == "interruption":
            other = segment(name, 1 - CHANNEL[e["speaker"]], e["start_s"], e["end_s"])
            assert rms_dbfs(other) > -40.0, e


def test_interruptions_overlap_in_the_audio() -> None:
    name = "interrupting_agent_call"
    _, _, expected, _ = load(name)
    cuts = [e for e in expected["events"] if e["kind"] == "interruption"]
    assert len(cuts) >= 2
    both = active(name, 0) & active(name, 1)
    for e in cuts:
        a, b = frame_index(e["start_s"] - 0.5), frame_index(e["end_s"] + 0.5)
        overlap_s = both[a:b].sum() * HOP / SR
        assert overlap_s >= 1.0, (e, overlap_s)
        # the interrupted party had been talking for a while when the agent came in
        other = active(name, CHANNEL[e["interrupted"]])
        before = other[frame_index(e["start_s"] - 1.0) : frame_index(e["start_s"])]
        assert before.mean() > 0.7, e
        # and the agent was silent just before cutting in
        own = active(name, CHANNEL[e["speaker"]])
        assert not own[frame_index(e["start_s"] - 0.6) : frame_index(e["start_s"] - 0.1)].any(), e


def test_backchannel_is_short_and_inside_a_customer_turn() -> None:
    name = "interrupting_agent_call"
    _, _, expected, _ = load(name)
    (bc,) = [e for e in expected["not_events"] if e["kind"] == "interruption"]
    agent = active(name, 0)
    a, b = frame_index(bc["start_s"]), frame_index(bc["end_s"])
    bursts = [(s, e) for s, e in runs(agent) if e > a and s < b]
    assert len(bursts) == 1, bursts
    s, e = bursts[0]
    assert (e - s) * HOP / SR <= 0.6
    # nothing else from the agent within a second either side
    assert not agent[frame_index(bc["start_s"] - 1.0) : s].any()
    assert not agent[e : frame_index(bc["end_s"] + 1.0)].any()
    # the customer is talking around it
    assert rms_dbfs(segment(name, 1, bc["start_s"] - 0.5, bc["end_s"] + 0.5)) > -40.0


@pytest.mark.parametrize("name", ["calm_call", "escalation_call"])
def test_no_overlap_and_no_dead_air(name: str) -> None:
    a0, a1 = active(name, 0), active(name, 1)
    assert (a0 & a1).sum() * HOP / SR < 0.1
    anyone = a0 | a1
    on = np.flatnonzero(anyone)
    silent = runs(~anyone[on[0] : on[-1]])
    longest = max((e - s for s, e in silent), default=0) * HOP / SR
    assert longest < 4.0


@pytest.mark.parametrize("name", NAMES)
def test_speech_only_on_its_own_channel(name: str) -> None:
    audio, sr, _, script = load(name)
    for spk, ch in CHANNEL.items():
        talking = np.zeros(len(audio), bool)
        for u in script["utterances"]:
            if u["speaker"] == spk:
                assert rms_dbfs(segment(name, ch, u["start_s"], u["end_s"])) > -40.0, u
                talking[max(0, int((u["start_s"] - 0.05) * sr)) : int((u["end_s"] + 0.05) * sr)] = 1
        quiet = audio[~talking, ch]
        assert -68.0 < rms_dbfs(quiet) < -62.0, (spk, rms_dbfs(quiet))  # ~-65 dBFS noise floor
        assert frame_db(quiet).max() < -55.0


def _level(name: str, spans: list[tuple[float, float]], ch: int) -> float:
    fr = np.concatenate([frame_db(segment(name, ch, a, b)) for a, b in spans])
    return float(np.median(fr[fr > ACTIVE_DBFS]))


def _f0(name: str, spans: list[tuple[float, float]], ch: int) -> float:
    librosa = pytest.importorskip("librosa")
    x = np.concatenate([segment(name, ch, a, b) for a, b in spans]).astype(np.float32)
    f0 = librosa.yin(x, fmin=65, fmax=500, sr=SR, frame_length=1024, hop_length=HOP, center=False)
    lev = frame_db(x.astype(np.float64))[1 : 1 + len(f0)]
    f0 = f0[: len(lev)]
    return float(np.median(f0[(lev > -40.0) & (f0 > 66) & (f0 < 495)]))


@pytest.mark.parametrize(
    ("name", "kind", "style", "min_db", "min_st"),
    [
        ("escalation_call", "yelling", "yelling", 10.0, 3.0),
        ("interrupting_agent_call", "agent_tone", "tense", 4.0, 2.0),
    ],
)
def test_raised_turns_are_louder_and_higher(
    name: str, kind: str, style: str, min_db: float, min_st: float
) -> None:
    _, _, expected, script = load(name)
    events = [e for e in expected["events"] if e["kind"] == kind]
    assert events
    spk = events[0]["speaker"]
    ch = CHANNEL[spk]
    normal = [
        (u["start_s"], u["end_s"])
        for u in script["utterances"]
        if u["speaker"] == spk and u["style"] == "normal"
    ]
    base_db, base_f0 = _level(name, normal, ch), _f0(name, normal, ch)
    for e in events:
        span = [(e["start_s"], e["end_s"])]
        assert _level(name, span, ch) - base_db >= min_db, e
        assert 12 * np.log2(_f0(name, span, ch) / base_f0) >= min_st, e
    assert any(u["style"] == style for u in script["utterances"])


def test_yelling_turns_are_long_enough() -> None:
    _, _, expected, _ = load("escalation_call")
    yells = [e for e in expected["events"] if e["kind"] == "yelling"]
    assert len(yells) >= 2
    assert all(e["end_s"] - e["start_s"] >= 3.0 for e in yells)


def test_tense_stretch_does_not_overlap() -> None:
    name = "interrupting_agent_call"
    _, _, expected, _ = load(name)
    (tone,) = [e for e in expected["events"] if e["kind"] == "agent_tone"]
    assert tone["end_s"] - tone["start_s"] >= 6.0
    cust = active(name, 1)[frame_index(tone["start_s"]) : frame_index(tone["end_s"])]
    assert not cust.any()
