"""Agent voice profiles on the command line: ``calltone profile build`` makes one from recordings,
``calltone analyze/score --agent-profile FILE`` start the agent's baseline from it, and a bad
profile file is refused with one line naming the problem and the fix (exit 2).

Synthetic two-channel calls (tests/support/synth.py): the agent's voice is a harmonic signal at a known
pitch, so what the profile and the baselines must say is known.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from calltone.models.tone.profile import MAX_PROFILE_BYTES, VoiceProfile
from calltone.service.cli import main
from tests.support.synth import SR, silence, voiced


def write_call(
    path: Path,
    agent_f0_hz: float | None,
    turns: int,
    *,
    agent_turn_s: float = 3.0,
    agent_dbfs: float = -24.0,
) -> Path:
    """Agent turns (None: the agent never speaks) answered by 1.5 s customer turns at 220 Hz."""
    agent: list[np.ndarray] = [silence(0.5)]
    customer: list[np.ndarray] = [silence(0.5)]
    for k in range(turns):
        n_s = agent_turn_s
        a = (
            voiced(agent_f0_hz, n_s, agent_dbfs, seed=k)
            if agent_f0_hz is not None
            else silence(n_s, seed=k)
        )
        agent += [a, silence(2.1, seed=50 + k)]
        customer += [
            silence(n_s + 0.3, seed=70 + k),
            voiced(220.0, 1.5, -22.0, seed=100 + k),
            silence(0.3, seed=90 + k),
        ]
    x = np.stack([np.concatenate(agent), np.concatenate(customer)], axis=1)
    sf.write(path, x, SR)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("profile_calls")
    return {
        "low": write_call(d / "low.wav", 120.0, 6),
        "high": write_call(d / "high.wav", 140.0, 6),
        "short": write_call(d / "short.wav", 120.0, 2, agent_turn_s=2.5),
        "silent_agent": write_call(d / "silent_agent.wav", None, 4),
    }


@pytest.fixture(scope="module")
def built(calls: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``calltone profile build`` over two usable calls and one too short."""
    out = tmp_path_factory.mktemp("profile") / "a1.json"
    code = main(
        [
            "profile",
            "build",
            str(calls["low"]),
            str(calls["high"]),
            str(calls["short"]),
            "--agent",
            "a1",
            "--out",
            str(out),
        ]
    )
    return {"code": code, "path": out}


def test_profile_build_merges_the_calls_with_enough_agent_speech(
    built: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert built["code"] == 0
    profile = VoiceProfile.load(built["path"])
    assert profile.agent_id == "a1" and profile.calls == 2
    assert profile.voiced_s >= 20.0  # 2 x 18 s of the agent's voice, the short call left out
    # two calls of equal length at 120 and 140 Hz: the profile's centre lies between them
    assert 124.0 < profile.baseline.pitch_hz < 136.0
    assert profile.baseline.settled and not profile.baseline.from_profile
    doc = json.loads(built["path"].read_text())
    assert doc["schema"] == "calltone.voice_profile/1"
    assert "from_profile" not in doc["baseline"] and "own_voiced_s" not in doc["baseline"]


def test_profile_build_prints_one_line_per_call(
    calls: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.json"
    missing = tmp_path / "missing.wav"
    code, stdout, stderr = run(
        capsys,
        "profile",
        "build",
        str(calls["low"]),
        str(calls["short"]),
        str(missing),
        "--agent",
        "a1",
        "--out",
        str(out),
    )
    lines = stdout.strip().splitlines()
    assert lines[0].startswith(f"{calls['low']}\tused: agent voiced ")
    assert "pitch 120 Hz" in lines[0]
    assert lines[1].startswith(f"{calls['short']}\tskipped: agent voiced ")
    assert "needs 10 s" in lines[1]
    assert lines[2].startswith(f"{missing}\terror: ") and "no such file" in lines[2]
    assert lines[3].startswith(f"wrote {out}: agent a1, 1 of 3 call(s)")
    # the profile is written from the good call, but the unreadable one makes the exit 2
    assert code == 2 and "1 call(s) could not be read" in stderr
    assert VoiceProfile.load(out).calls == 1


def test_profile_build_refuses_when_no_call_has_enough_agent_speech(
    calls: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none.json"
    code, stdout, stderr = run(
        capsys,
        "profile",
        "build",
        str(calls["short"]),
        str(calls["silent_agent"]),
        "--agent",
        "a1",
        "--out",
        str(out),
    )
    assert code == 2 and not out.exists()
    assert stderr.count("\n") == 1, stderr
    assert "no call had 10 s of voiced speech of agent 'a1'" in stderr
    assert "pass longer calls" in stderr and "--agent-channel" in stderr
    assert "skipped" in stdout


def _analyze(capsys: pytest.CaptureFixture[str], call: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, "analyze", str(call), "--no-transcribe", *extra)
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_analyze_with_a_profile_starts_the_agent_from_it(
    built: dict[str, Any], calls: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    profile = VoiceProfile.load(built["path"])
    plain = _analyze(capsys, calls["silent_agent"])["metrics"]["agent"]["baseline"]
    assert plain["from_profile"] is False
    # The agent never speaks in this call: their baseline is the profile's, as before they speak.
    doc = _analyze(capsys, calls["silent_agent"], "--agent-profile", str(built["path"]))
    base = doc["metrics"]["agent"]["baseline"]
    assert base["from_profile"] is True and base["settled"] is True
    assert base["own_voiced_s"] == 0.0
    assert base["pitch_hz"] == pytest.approx(profile.baseline.pitch_hz, abs=0.1)
    assert base["loudness_dbfs"] == pytest.approx(profile.baseline.loudness_dbfs, abs=0.01)
    assert base["pitch_hz"] != pytest.approx(plain["pitch_hz"], abs=1.0)  # not the prior
    # the customer has no profile
    assert doc["metrics"]["customer"]["baseline"]["from_profile"] is False
    # a call where the agent speaks: still from the profile, learning the call's own voice
    spoken = _analyze(capsys, calls["high"], "--agent-profile", str(built["path"]))
    b = spoken["metrics"]["agent"]["baseline"]
    assert b["from_profile"] is True and b["own_voiced_s"] > 10.0
    assert profile.baseline.pitch_hz < b["pitch_hz"] <= 141.0


BASELINE = {
    "loudness_dbfs": -24.0,
    "pitch_st": 5.0,
    "pitch_spread_st": 2.0,
    "syllable_rate_per_s": 4.0,
    "tilt_db": -10.0,
    "voiced_s": 60.0,
    "hnr_db": 15.0,
    "loudness_spread_db": 4.0,
}


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": "calltone.voice_profile/1",
        "agent_id": "a1",
        "calls": 2,
        "voiced_s": 60.0,
        "updated_at": "",
        "baseline": dict(BASELINE),
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(_doc(schema="calltone.analysis/1")), "is not 'calltone.voice_profile/1'"),
        (json.dumps([1, 2]), "is a JSON object"),
        (json.dumps(_doc(baseline={**BASELINE, "pitch_st": 400.0})), "outside the plausible"),
        (json.dumps(_doc(baseline={**BASELINE, "pitch_st": "high"})), "must be a finite number"),
        (json.dumps(_doc(calls=0)), "calls must be a positive"),
        (" " * (MAX_PROFILE_BYTES + 10) + "{}", "too large for a voice profile"),
    ],
    ids=["not-json", "wrong-schema", "not-object", "out-of-range", "not-number", "calls", "huge"],
)
def test_a_bad_profile_file_is_refused_with_one_line(
    content: str,
    expected: str,
    calls: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for command in (
        ["analyze", str(calls["short"]), "--no-transcribe"],
        ["score", str(calls["short"]), "--no-transcribe", "--out", str(tmp_path / "cards")],
    ):
        code, out, err = run(capsys, *command, "--agent-profile", str(bad))
        assert code == 2 and out == "", (command, out)
        assert err.count("\n") == 1, err
        assert err.startswith(f"calltone: error: {bad}: ") and expected in err, err
    assert not (tmp_path / "cards").exists()  # refused before any call was scored


def test_a_missing_profile_file_names_the_fix(
    calls: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "analyze",
        str(calls["short"]),
        "--no-transcribe",
        "--agent-profile",
        str(tmp_path / "nope.json"),
    )
    assert code == 2 and "no such voice profile" in err and "calltone profile build" in err


def test_score_with_a_profile(
    built: dict[str, Any],
    calls: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from calltone.service.scoring.batch import ScoreOptions, score_file

    profile = VoiceProfile.load(built["path"])
    scored = score_file(
        calls["silent_agent"], ScoreOptions(transcribe=False, agent_profile=profile)
    )
    base = scored.analysis["metrics"]["agent"]["baseline"]
    assert base["from_profile"] is True
    assert base["pitch_hz"] == pytest.approx(profile.baseline.pitch_hz, abs=0.1)
    plain = score_file(calls["silent_agent"], ScoreOptions(transcribe=False))
    assert plain.analysis["metrics"]["agent"]["baseline"]["from_profile"] is False

    code, stdout, err = run(
        capsys,
        "score",
        str(calls["silent_agent"]),
        "--no-transcribe",
        "--no-progress",
        "--workers",
        "1",
        "--agent-id",
        "a1",
        "--agent-profile",
        str(built["path"]),
        "--out",
        str(tmp_path / "cards"),
    )
    assert code == 0 and "1 of 1 call(s) scored" in stdout, err
    # a profile of another agent than --agent-id is refused
    code, _, err = run(
        capsys,
        "score",
        str(calls["silent_agent"]),
        "--no-transcribe",
        "--agent-id",
        "a2",
        "--agent-profile",
        str(built["path"]),
        "--out",
        str(tmp_path / "other"),
    )
    assert code == 2 and "is agent 'a1''s, not --agent-id 'a2''s" in err
    assert not (tmp_path / "other").exists()
