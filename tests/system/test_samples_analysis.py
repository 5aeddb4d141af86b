"""Each bundled sample call gives the events its expected.json names, and nothing it rules out."""

from __future__ import annotations

import json

import pytest

from tests.support.synth import SAMPLES

CALLS = sorted(p.parent.name for p in SAMPLES.glob("*/expected.json"))


@pytest.mark.parametrize("call", CALLS)
def test_sample_events(call, analysed_samples):
    exp = json.loads((SAMPLES / call / "expected.json").read_text())
    doc = analysed_samples[call].document
    assert {a["kind"] for a in doc["alerts"]} >= set(exp.get("alerts", []))
    events = doc["events"]
    assert doc["schema"] == "calltone.analysis/1"
    assert [e["start_s"] for e in events] == sorted(e["start_s"] for e in events)
    for want in exp["events"]:
        match = [
            e
            for e in events
            if e["kind"] == want["kind"]
            and e["speaker"] == want["speaker"]
            and abs(e["start_s"] - want["start_s"]) <= want.get("tolerance_s", 1.0)
        ]
        assert len(match) == 1, (want, events)
    for kind in exp.get("absent_kinds", []):
        assert not [e for e in events if e["kind"] == kind], (kind, events)
    for no in exp.get("not_events", []):
        assert not [
            e
            for e in events
            if e["kind"] == no["kind"] and no["start_s"] - 0.5 <= e["start_s"] <= no["end_s"] + 0.5
        ], no
    # Metrics are per speaker and sane.
    for role in ("agent", "customer"):
        m = doc["metrics"][role]
        assert 0 < m["talk_time_s"] < doc["call"]["duration_s"]
        assert m["median_pitch_hz"] and 60 < m["median_pitch_hz"] < 400


def test_cli_json_and_text(tmp_path):
    import subprocess
    import sys

    from tests.support.synth import ROOT

    out = tmp_path / "a.json"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "calltone.service.cli",
            "analyze",
            str(SAMPLES / "escalation_call" / "call.wav"),
            "--no-transcribe",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert {e["kind"] for e in doc["events"]} == {"yelling"}
    assert doc["config"]["yelling"]["yelling_db_over_baseline"] == 10.0
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "calltone.service.cli",
            "analyze",
            str(SAMPLES / "escalation_call" / "call.wav"),
            "--no-transcribe",
            "--format",
            "text",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "yelling" in r.stdout and "customer" in r.stdout


@pytest.mark.slow
def test_cli_default_hears_the_script_like_full_context(tmp_path):
    """The default (shortened Whisper input) against `--full-context` (30 s): same acoustic
    events, and each party's words as close to the sample script (within 0.1 WER)."""
    import subprocess
    import sys

    from calltone.models.speech.text import word_error_rate
    from tests.support.synth import ROOT

    call = SAMPLES / "calm_call"
    script = json.loads((call / "script.json").read_text(encoding="utf-8"))
    docs = {}
    for name, extra in (("fast", []), ("default", ["--full-context"])):
        out = tmp_path / f"{name}.json"
        argv = ["analyze", str(call / "call.wav"), *extra, "--out", str(out)]
        r = subprocess.run(
            [sys.executable, "-m", "calltone.service.cli", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        docs[name] = json.loads(out.read_text())
    acoustic = {"yelling", "interruption", "agent_tone", "dead_air"}
    events = {
        k: [(e["kind"], e["speaker"], e["start_s"]) for e in d["events"] if e["kind"] in acoustic]
        for k, d in docs.items()
    }
    assert events["fast"] == events["default"]
    for party in ("agent", "customer"):
        ref = " ".join(u["text"] for u in script["utterances"] if u["speaker"] == party)
        wer = {
            k: word_error_rate(
                ref, " ".join(s["text"] for s in d["segments"] if s["speaker"] == party)
            )
            for k, d in docs.items()
        }
        assert wer["default"] < 0.5, wer  # the default itself hears the script
        assert wer["fast"] <= wer["default"] + 0.1, (party, wer)
