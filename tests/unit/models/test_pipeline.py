"""Transcription beside the acoustic analysis, with the real offline Whisper model."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio, load_audio
from calltone.models.recorded.analysis import analyze_file, run_session, to_document
from calltone.models.recorded.transcript import transcribe_session
from calltone.models.speech.options import TranscriberOptions
from calltone.models.speech.transcriber import Transcriber
from calltone.models.tone.alerts import AlertConfig
from calltone.models.tone.config import AnalysisConfig
from tests.support.synth import SAMPLES, SR


@pytest.fixture(scope="module")
def transcriber(whisper_model) -> Transcriber:
    return Transcriber(TranscriberOptions(), model=whisper_model)


def test_transcript_adds_and_never_changes_acoustic_events(transcriber):
    audio, session = analyze_file(SAMPLES / "escalation_call" / "call.wav")
    before = [e.to_dict() for e in session.analysis.events_sorted()]
    tr = transcribe_session(audio, session, transcriber=transcriber)
    after = [e.to_dict() for e in session.analysis.events_sorted()]
    assert before == after
    doc = to_document(audio, session, **tr.document_parts())
    speakers = {s["speaker"] for s in doc["segments"]}
    assert speakers == {"agent", "customer"}
    text = {
        p: " ".join(s["text"] for s in doc["segments"] if s["speaker"] == p).lower()
        for p in speakers
    }
    assert "manager" in text["customer"] and "frustrating" in text["agent"]
    assert "manager" not in text["agent"]
    cues = {(e["speaker"], e["evidence"]["cue"]) for e in doc["events"] if e["kind"] == "phrase"}
    assert ("customer", "manager_request") in cues and ("agent", "empathy") in cues
    for seg in doc["segments"]:
        assert seg["words"] and seg["start_s"] <= seg["words"][0]["start_s"] + 0.5
    assert 80 < doc["metrics"]["agent"]["words_per_minute"] < 260
    assert tr.customer_name and "jones" in tr.customer_name.lower()


def test_a_manager_request_makes_the_recorded_call_hard(transcriber):
    # Acoustic rules switched off for hardness and flags, so only the transcript's manager
    # request (a cue, known only after transcription) can make this call a hard one.
    cfg = AlertConfig(
        hard_call_customer_yelling_s=1e6,
        hard_call_agent_tone_s=1e6,
        escalate_if_yelling_again_within_s=0.0,
        escalate_after_customer_yelling_s=1e6,
    )
    path = SAMPLES / "escalation_call" / "call.wav"
    _, acoustic = analyze_file(path, alert_config=cfg)
    acoustic.close()
    assert [a for a in acoustic.alerts if a.kind in ("take_a_break", "escalation_flag")] == []
    audio, session = analyze_file(path, alert_config=cfg)
    assert not session.closed
    transcribe_session(audio, session, transcriber=transcriber)
    session.close()
    kinds = [a.kind for a in session.alerts]
    assert "escalation_flag" in kinds
    brk = [a for a in session.alerts if a.kind == "take_a_break"]
    assert len(brk) == 1 and "escalation flag" in brk[0].reason
    assert brk[0].at_s == pytest.approx(audio.duration_s, abs=0.05)
    assert session.close() == []  # decided once


def test_silence_and_noise_give_no_words(transcriber):
    rng = np.random.default_rng(0)
    x = np.stack(
        [np.zeros(10 * SR, np.float32), (0.01 * rng.standard_normal(10 * SR)).astype(np.float32)]
    )
    audio = DecodedAudio(x, SR, SR, "quiet")
    session = run_session(audio, ChannelRoles(0, 1), AnalysisConfig())
    tr = transcribe_session(audio, session, transcriber=transcriber)
    assert tr.segments == []


def _say(text: str, path, *, voice: str, pitch: int, rate: int = 170) -> np.ndarray:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(rate), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return load_audio(path).samples[0]


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)"
)
def test_backchannel_words_are_not_counted_but_a_cut_in_is(tmp_path, transcriber):
    customer = _say(
        "My order was supposed to arrive last Monday and it still has not come, and nobody "
        "answers my emails at all, which is really not acceptable for a paying customer.",
        tmp_path / "c.wav",
        voice="en-us+m3",
        pitch=40,
    )
    back = _say(
        "Yeah. Okay. Sure. Right.", tmp_path / "b.wav", voice="en-us+f3", pitch=50, rate=150
    )
    cut = _say(
        "No, wait, that is wrong, listen to me.", tmp_path / "x.wav", voice="en-us+f3", pitch=50
    )
    results = {}
    for name, agent_clip in (("backchannel", back), ("cut_in", cut)):
        n = customer.size + 3 * SR
        x = np.zeros((2, n), np.float32)
        x[1, SR : SR + customer.size] = customer
        at = SR + 3 * SR
        x[0, at : at + agent_clip.size] = agent_clip
        x += (1e-4 * np.random.default_rng(1).standard_normal(x.shape)).astype(np.float32)
        sf.write(tmp_path / f"{name}.wav", x.T, SR)
        audio, session = analyze_file(tmp_path / f"{name}.wav")
        inter = [e for e in session.analysis.events if e.kind == "interruption"]
        assert len(inter) == 1 and inter[0].speaker == "agent", (name, inter)
        tr = transcribe_session(audio, session, transcriber=transcriber)
        # The transcript updates the interruption with its words (a new Event, same id).
        (marked,) = [e for e in session.analysis.events if e.id == inter[0].id]
        results[name] = (marked, tr.metrics["agent"]["interruptions"])
    bc, n_bc = results["backchannel"]
    cut_ev, n_cut = results["cut_in"]
    assert bc.evidence.get("counted") is False and n_bc == 0, bc.evidence
    assert "counted" not in cut_ev.evidence and n_cut == 1, cut_ev.evidence
