"""Hostile input through the real command line: a clear one-line error or a correct result.

Every file of the corpus in ``tests/support/hostile/`` (written by ``tests/support/hostile/make_corpus.py``,
which also holds the expected outcome of each) goes through ``python -m service.cli analyze FILE
--no-transcribe`` in a subprocess. The CLI must either exit 0 with a valid
``calltone.analysis/1`` document or exit 2 with exactly one stderr line
``calltone: error: ...`` naming the problem; never a traceback, never another exit code.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.synth import ROOT

HOSTILE = ROOT / "tests" / "support" / "hostile"
_spec = importlib.util.spec_from_file_location("hostile_corpus", HOSTILE / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
sys.modules["hostile_corpus"] = corpus
_spec.loader.exec_module(corpus)

EVENT_KINDS = {"yelling", "interruption", "agent_tone", "dead_air", "phrase", "rushing"}
SPEAKERS = {"agent", "customer", "both", "none"}
CLI_TIMEOUT_S = 180


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, timeout: float = CLI_TIMEOUT_S) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr)


def case_id(case: Any) -> str:
    return case.name + ("[" + " ".join(case.args) + "]" if case.args else "")


def analyze_args(case: Any, *, transcribe: bool = False) -> list[str]:
    path = os.path.relpath(HOSTILE / case.name, ROOT)
    return ["analyze", path, *case.args, *([] if transcribe else ["--no-transcribe"])]


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    """Every corpus case through the CLI, two subprocesses at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {case_id(c): pool.submit(run_cli, *analyze_args(c)) for c in corpus.CASES}
        return {k: f.result() for k, f in futures.items()}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name} in the output")


def check_document(doc: dict[str, Any]) -> None:
    """The ``calltone.analysis/1`` contract (docs/analysis-json.md), field by field."""
    assert doc["schema"] == "calltone.analysis/1"
    call = doc["call"]
    assert {"path", "duration_s", "sample_rate", "channels", "roles"} <= call.keys()
    assert math.isfinite(call["duration_s"]) and call["duration_s"] > 0
    assert isinstance(call["sample_rate"], int) and 8000 <= call["sample_rate"] <= 192_000
    assert isinstance(call["channels"], int) and call["channels"] >= 1
    roles = call["roles"]
    assert set(roles) == {"agent", "customer"}
    present = [r for r, ch in roles.items() if ch is not None]
    assert present and all(0 <= roles[r] < call["channels"] for r in present)
    for key in ("events", "alerts", "segments", "notes"):
        assert isinstance(doc[key], list), key
    starts = [e["start_s"] for e in doc["events"]]
    assert starts == sorted(starts), "events are sorted by start_s"
    ids = set()
    for ev in doc["events"]:
        assert {"id", "kind", "speaker", "start_s", "end_s", "evidence"} <= ev.keys()
        assert ev["kind"] in EVENT_KINDS and ev["speaker"] in SPEAKERS
        assert 0 <= ev["start_s"] <= call["duration_s"] + 0.05
        assert ev["end_s"] is not None, "a finished analysis has no open events"
        assert ev["start_s"] <= ev["end_s"] <= call["duration_s"] + 0.1
        assert isinstance(ev["evidence"], dict)
        ids.add(ev["id"])
    for al in doc["alerts"]:
        assert {"id", "kind", "audience", "at_s", "message", "tip", "source", "event_ids"} <= (
            al.keys()
        )
        assert al["message"] and 0 <= al["at_s"] <= call["duration_s"] + 0.1
    for seg in doc["segments"]:
        assert {"speaker", "start_s", "end_s", "text", "words"} <= seg.keys()
        assert seg["speaker"] in present and seg["start_s"] <= seg["end_s"]
        for w in seg["words"]:
            assert {"word", "start_s", "end_s"} <= w.keys() and w["start_s"] <= w["end_s"]
    metrics = doc["metrics"]
    assert {"overlap_s", "dead_air_s", "duration_s"} <= metrics.keys()
    for r in present:
        assert isinstance(metrics[r], dict) and metrics[r]["talk_time_s"] >= 0
    assert isinstance(doc["config"], dict)


def parse_ok(run: Run) -> dict[str, Any]:
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr}"
    warnings = run.stderr.splitlines()
    for line in warnings:  # a usable file with a problem: said on stderr and in the notes
        assert line.startswith("calltone: warning: "), f"unexpected stderr: {run.stderr!r}"
    doc = json.loads(run.stdout, parse_constant=_reject_constant)
    check_document(doc)
    for line in warnings:
        assert line.removeprefix("calltone: warning: ") in doc["notes"], (line, doc["notes"])
    return dict(doc)


def check_error(run: Run, keyword: str) -> str:
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2, f"exit {run.returncode}: {run.stderr}"
    assert run.stdout == "", "nothing on stdout on error"
    lines = run.stderr.splitlines()
    assert len(lines) == 1, f"exactly one stderr line, got {lines!r}"
    line = lines[0]
    assert line.startswith("calltone: error: "), line
    assert keyword.lower() in line.lower(), f"{keyword!r} not in {line!r}"
    return line


@pytest.mark.parametrize("case", corpus.CASES, ids=case_id)
def test_hostile_case_gives_a_clear_error_or_a_correct_result(runs, case):
    run = runs[case_id(case)]
    assert run.returncode in (0, 2), f"exit {run.returncode}: {run.stderr[-2000:]}"
    if case.expect == "ok":
        parse_ok(run)
    else:
        check_error(run, case.keyword)


def doc_of(runs: dict[str, Run], name: str) -> dict[str, Any]:
    return parse_ok(runs[name])


def test_the_results_that_decode_are_correct(runs):
    good = doc_of(runs, "good_call.wav")
    assert good["call"]["duration_s"] == 2.0 and good["call"]["sample_rate"] == 8000
    assert good["metrics"]["agent"]["talk_time_s"] > 0.5
    assert good["metrics"]["customer"]["talk_time_s"] > 0.5
    for name in ("good_call.flac", "good_call.mp3", "header_longer_than_data.wav"):
        doc = doc_of(runs, name)
        assert doc["call"]["channels"] == 2
        assert abs(doc["call"]["duration_s"] - 2.0) < 0.1, name
    # A header that lies short: only what it declares is read (a quarter: 0.5 s).
    assert doc_of(runs, "header_shorter_than_data.wav")["call"]["duration_s"] == 0.5
    # A header claiming ~4 GB: the data actually present.
    assert doc_of(runs, "header_huge_length.wav")["call"]["duration_s"] == 2.0
    # Truncated files: the part that is there.
    assert abs(doc_of(runs, "truncated.wav")["call"]["duration_s"] - 1.0) < 0.01
    # ... and a WAV whose header and body disagree says so (issue 16), a good one does not
    for name, words in (
        ("truncated.wav", "is truncated"),
        ("header_longer_than_data.wav", "is truncated"),
        ("header_shorter_than_data.wav", "more bytes follow"),
        ("header_huge_length.wav", "gives no length"),
    ):
        assert words in runs[name].stderr and any(words in n for n in doc_of(runs, name)["notes"])
    assert runs["good_call.wav"].stderr == ""
    assert 0.5 < doc_of(runs, "truncated.mp3")["call"]["duration_s"] < 1.1
    # Silence: nobody talks, the only event is dead air over the whole call, no alerts.
    silence = doc_of(runs, "silence_10s.wav")
    assert [e["kind"] for e in silence["events"]] == ["dead_air"]
    assert silence["events"][0]["end_s"] - silence["events"][0]["start_s"] > 9.0
    assert silence["alerts"] == []
    assert silence["metrics"]["agent"]["talk_time_s"] == 0
    assert silence["metrics"]["customer"]["talk_time_s"] == 0
    # A full-scale square wave is not a shouting person: no yelling.
    assert not any(e["kind"] == "yelling" for e in doc_of(runs, "clipping_square.wav")["events"])
    hi = doc_of(runs, "rate_192k.wav")
    assert hi["call"]["sample_rate"] == 192_000 and hi["call"]["duration_s"] == 0.5
    mono = doc_of(runs, "rate_8k_mono.wav")
    assert mono["call"]["roles"] == {"agent": 0, "customer": None}
    assert any("two channels" in n for n in mono["notes"])
    six = doc_of(runs, "six_channels.wav[--agent-channel 2 --customer-channel 5]")
    assert six["call"]["channels"] == 6 and six["call"]["roles"] == {"agent": 2, "customer": 5}


def test_corpus_is_small_and_complete():
    files = [p for p in HOSTILE.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 2_000_000
    names = {c.name for c in corpus.CASES}
    on_disk = {p.relative_to(HOSTILE).parts[0] for p in files} - {"make_corpus.py"}
    assert on_disk <= names, f"corpus files without an expected outcome: {on_disk - names}"
    missing = {n for n in names if not (HOSTILE / n).exists()} - {"missing_file.wav"}
    assert not missing, f"run tests/support/hostile/make_corpus.py: {missing}"


# ------------------------------------------------------------------------ transcription path


@pytest.mark.parametrize(
    "name", ["silence_10s.wav", "good_call.wav", "rate_8k_mono.wav", "truncated.mp3"]
)
def test_transcription_path_survives_what_decodes(name):
    case = next(c for c in corpus.CASES if c.name == name and not c.args)
    doc = parse_ok(run_cli(*analyze_args(case, transcribe=True)))
    if name == "silence_10s.wav":
        assert doc["segments"] == [], "silence must not be transcribed into words"


def test_transcription_path_gives_the_same_one_line_errors():
    for name, keyword in [("float_nan.wav", "NaN"), ("random_bytes.mp3", "decode")]:
        case = next(c for c in corpus.CASES if c.name == name)
        check_error(run_cli(*analyze_args(case, transcribe=True)), keyword)


# ------------------------------------------------------------------------ hostile options


def test_hostile_options_give_one_line_errors(tmp_path):
    good = os.path.relpath(HOSTILE / "good_call.wav", ROOT)
    cases = [
        (["--agent-channel", "5"], "does not exist"),
        (["--agent-channel", "0", "--customer-channel", "0"], "both on channel 0"),
        (["--config", str(tmp_path / "nope.toml")], "not found"),
        (["--config", os.path.relpath(HOSTILE / "text_renamed.wav", ROOT)], "TOML"),
    ]
    for extra, keyword in cases:
        check_error(run_cli("analyze", good, "--no-transcribe", *extra), keyword)


def test_hostile_config_files_give_one_line_errors(tmp_path):
    """A --config that is binary, a folder, or holds nan/inf (TOML allows both)."""
    good = os.path.relpath(HOSTILE / "good_call.wav", ROOT)
    nan = tmp_path / "nan.toml"
    nan.write_text("[yelling]\nyelling_db_over_baseline = nan\n")
    inf = tmp_path / "inf.toml"
    inf.write_text("[features]\nsample_rate_hz = inf\n")
    cases = [
        (os.path.relpath(HOSTILE / "random_bytes.wav", ROOT), "UTF-8"),
        (str(tmp_path), "cannot read"),
        (str(nan), "finite"),
        (str(inf), "finite"),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [
            (pool.submit(run_cli, "analyze", good, "--no-transcribe", "--config", cfg), kw)
            for cfg, kw in cases
        ]
        for fut, keyword in done:
            check_error(fut.result(), keyword)


def test_unwritable_out_gives_a_one_line_error(tmp_path):
    good = os.path.relpath(HOSTILE / "good_call.wav", ROOT)
    for out in (tmp_path / "no" / "such" / "dir.json", tmp_path):
        check_error(run_cli("analyze", good, "--no-transcribe", "--out", str(out)), "--out")


def test_out_of_memory_gives_a_one_line_error(tmp_path):
    """A config asking for an absurd noise window cannot allocate: say so in one line."""
    good = os.path.relpath(HOSTILE / "good_call.wav", ROOT)
    huge = tmp_path / "huge.toml"
    huge.write_text("[features]\nvad_noise_window_s = 1e12\n")
    check_error(run_cli("analyze", good, "--no-transcribe", "--config", str(huge)), "memory")
