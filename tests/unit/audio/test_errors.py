"""One parameter-error class (issue 17): a bad option is a CalltoneError the CLI prints as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from calltone.audio.errors import CalltoneError, ParameterError
from calltone.audio.features import FeatureOptions
from calltone.models.tone.config import AnalysisConfig, ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_bad_feature_option_names_both_bounds() -> None:
    with pytest.raises(ParameterError, match="pitch_fmin_hz < pitch_fmax_hz") as info:
        FeatureOptions(pitch_fmin_hz=500.0, pitch_fmax_hz=100.0)
    # one class for callers: ours (CalltoneError) and Python's (ValueError, for pydantic)
    assert isinstance(info.value, CalltoneError) and isinstance(info.value, ValueError)


def test_config_file_errors_are_parameter_errors(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.toml"
    bad.write_text("[features]\npitch_fmin_hz = 500.0\npitch_fmax_hz = 100.0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        AnalysisConfig.from_toml(bad)
    assert isinstance(info.value, ParameterError)
    assert str(bad) in str(info.value) and "pitch_fmin_hz" in str(info.value)


def test_cli_prints_a_bad_option_as_one_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.toml"
    bad.write_text("[features]\npitch_fmin_hz = 500.0\npitch_fmax_hz = 100.0\n", encoding="utf-8")
    call = ROOT / "samples" / "calm_call" / "call.wav"
    r = subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", "analyze", str(call), "--no-transcribe",
         "--config", str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pitch_fmin_hz" in lines[0] and "Traceback" not in r.stderr
