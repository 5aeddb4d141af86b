"""What the command line tells a person (issue 16): readable text output, lying or truncated
files and mono mixes said out loud, and messages that name the command to run.

Real subprocesses of ``python -m service.cli`` on the sample calls (acoustic analysis only, a
few seconds each), a real SQLite file for ``users``, and a real server for ``replay``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from calltone.service.cli import main
from calltone.service.inputcheck import mono_guard, wav_warnings
from calltone.service.reports.text import render_text
from tests.support.service import SAMPLES, running_server
from tests.support.synth import ROOT

ESCALATION = SAMPLES / "escalation_call" / "call.wav"


def cli(*args: str, timeout_s: float = 180) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    """The same command in this process (the same code path; no interpreter start-up)."""

    def go(*args: str) -> Ran:
        try:
            code = main(list(args))
        except SystemExit as exc:  # --help
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return go


def _phrase(cue: str, polarity: str, quote: str, t: float) -> dict[str, Any]:
    return {
        "id": f"phrase-{cue}-{t}",
        "kind": "phrase",
        "speaker": "agent",
        "start_s": t,
        "end_s": t + 1,
        "evidence": {
            "cue": cue,
            "quote": quote,
            "polarity": polarity,
            "seed": {"file": "001.txt", "quote": f"guidance about {cue}"},
        },
    }


def test_text_output_tells_helped_from_hurt_without_python_values() -> None:
    doc = {
        "call": {
            "path": "calm.wav",
            "duration_s": 45.5,
            "sample_rate": 16000,
            "channels": 2,
            "roles": {"agent": 0, "customer": 1},
        },
        "notes": [],
        "events": [
            _phrase("empathy", "good", "I understand how frustrating", 11.4),
            _phrase("customer_name_used", "good", "Jones.", 10.8),
            _phrase("blame_passing", "bad", "that is not my department", 20.0),
        ],
        "alerts": [],
        "segments": [],
        "metrics": {
            "agent": {
                "talk_time_s": 23.8,
                "median_loudness_dbfs": -27.2,
                "median_pitch_hz": None,  # nothing voiced: not measured
                "syllable_rate_per_s": 4.0,
                "words_per_minute": None,
            },
            "overlap_s": 0.0,
            "dead_air_s": None,
        },
    }
    text = render_text(doc)
    assert "None" not in text and "{" not in text, text
    assert "agent on channel 0 (left), customer on channel 1 (right)" in text
    assert "Moments to look at: none" in text  # three phrases are not three "events"
    helped = text.index("What helped")
    hurt = text.index("What hurt")
    assert helped < text.index("I understand how frustrating") < hurt
    assert text.index("not my department") > hurt
    assert "What helped (the guidance says do this): 2" in text
    assert "guidance: guidance about blame_passing" in text
    assert "median pitch not measured" in text and "dead air) not measured" in text
    for unit in ("dBFS = ", "semitones = ", "syllables/s and words/min = "):
        assert unit in text, unit


def test_analyze_text_on_a_sample_reads_as_words(run: Any) -> None:
    r = run("analyze", str(ESCALATION), "--no-transcribe", "--format", "text")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "None" not in out and "{'agent'" not in out, out
    assert "Moments to look at: 2" in out
    assert "customer yelling:" in out and "louder and" in out and "semitones higher" in out
    assert "to the agent: The customer is shouting. Tip:" in out
    assert "dBFS = loudness in decibels" in out


def test_a_truncated_wav_is_analysed_with_a_warning_in_the_output_and_on_stderr(
    tmp_path: Path,
) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes(ESCALATION.read_bytes()[:100_000])  # the first 100 kB of 1.46 MB
    r = cli("analyze", str(cut), "--no-transcribe")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("calltone: warning: cut.wav is truncated"), r.stderr
    assert "45.7 s" in r.stderr and "only 1.6 s" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["notes"][0].startswith("cut.wav is truncated")
    # and the consistent original says nothing
    assert wav_warnings(ESCALATION) == []


def test_mono_mix_does_not_blame_the_agent_and_says_which_party_is_assumed(
    tmp_path: Path, run: Any
) -> None:
    data, sr = sf.read(str(ESCALATION), dtype="float32")
    mono = tmp_path / "mixed.wav"
    sf.write(str(mono), data.mean(axis=1), sr)  # the customer shouts on the one channel
    r = run("analyze", str(mono), "--no-transcribe", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    kinds = {a["kind"] for a in doc["alerts"]}
    assert not kinds & {"calm_down", "let_them_finish", "take_a_break"}, kinds
    assert doc["notes"][0].startswith("mono recording: both parties are mixed")
    assert "may be the customer's" in doc["notes"][0]
    assert "mono recording" in r.stderr
    text = render_text(doc)
    assert "agent yelling" not in text and "someone (mono mix) yelling" in text
    # told who is on it (a recording of the customer's line alone): analysed as that party,
    # and the note says so
    line = tmp_path / "customer_line.wav"
    sf.write(str(line), data[:, 1], sr)
    r = run("analyze", str(line), "--no-transcribe", "--mono-role", "customer")
    doc = json.loads(r.stdout)
    assert doc["call"]["roles"] == {"agent": None, "customer": 0}
    assert doc["notes"][0].startswith("mono recording: analysed as the customer alone")
    assert {e["speaker"] for e in doc["events"] if e["kind"] == "yelling"} == {"customer"}
    assert r.stderr == ""


def test_mono_guard_leaves_two_channel_calls_alone() -> None:
    doc = {
        "call": {"channels": 2, "roles": {"agent": 0, "customer": 1}},
        "alerts": [{"kind": "calm_down"}],
    }
    assert mono_guard(dict(doc), role_given=False)["alerts"] == [{"kind": "calm_down"}]


def test_help_and_user_messages_name_what_to_run(tmp_path: Path, run: Any) -> None:
    help_text = run("analyze", "--help").stdout
    assert "docs/config.md" not in help_text
    assert (
        "models/tone/config.py" in help_text and (ROOT / "models" / "tone" / "config.py").exists()
    )

    db = str(tmp_path / "users.db")
    r = run("users", "list", "--db", db)
    assert r.returncode == 0 and r.stdout == ""
    assert "no users yet; add one with: calltone users add NAME --role" in r.stderr
    assert run("users", "add", "bob", "--role", "agent", "--db", db).returncode == 0
    r = run("users", "add", "bob", "--role", "agent", "--db", db)
    assert r.returncode == 2
    assert "issue_token" not in r.stderr
    assert f"calltone users token bob --db {db}" in r.stderr, r.stderr


def test_replay_says_mono_and_names_the_token_option(tmp_path: Path, run: Any) -> None:
    mono = tmp_path / "mono.wav"
    sf.write(str(mono), np.zeros(16000, dtype="float32"), 16000)
    with running_server(f"sqlite:///{tmp_path / 'srv.db'}") as srv:
        r = run(
            "replay",
            str(mono),
            "--agent",
            "a1",
            "--server",
            srv.ws,
            "--token",
            "ct_not-a-real-token-000000000000000000000000000",
            "--speed",
            "0",
        )
    assert r.returncode == 2
    assert "mono recording" in r.stderr and "interruptions need two channels" in r.stderr
    assert "?token=" not in r.stderr + r.stdout
    assert "pass --token T or set CALLTONE_TOKEN" in r.stderr, r.stderr


def test_score_names_the_report_by_file_agent_and_date(tmp_path: Path, run: Any) -> None:
    r = run(
        "score",
        str(ESCALATION),
        "--no-transcribe",
        "--no-progress",
        "--workers",
        "1",
        "--agent-id",
        "ana",
        "--recorded-at",
        "2026-11-30 14:05",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "call.html").read_text(encoding="utf-8")
    assert "<h1>escalation_call/call.wav</h1>" in page  # not escalation_call__call
    assert "agent ana" in page and "recorded 2026-11-30 14:05" in page
    assert '<audio id="audio"' in page and "data:audio/ogg;base64," in page


def test_a_long_call_is_encoded_for_the_report_without_crashing() -> None:
    """libsndfile's Vorbis encoder crashed the process (SIGSEGV) on five minutes of audio in
    one write; the report's encoder writes blocks. In a subprocess, so a crash is a failure."""
    code = (
        "import numpy as np\n"
        "from service.reports.audio import report_audio\n"
        "x = (np.random.default_rng(0).standard_normal((2, 16000 * 300)) * 0.05)\n"
        "r = report_audio(x.astype(np.float32), 16000, {'agent': 0, 'customer': 1})\n"
        "print(len(r.data_uri), len(r.waveform['agent']))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr[-500:]}"
    size, peaks = map(int, r.stdout.split())
    assert peaks == 1000 and 100_000 < size < 8_000_000
