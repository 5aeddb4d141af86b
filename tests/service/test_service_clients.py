"""The replay and headset clients, earcons (no audio hardware needed) and service settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from calltone.service.clients.common import socket_url
from calltone.service.clients.headset import (
    DEFAULT_EARCON_VOLUME,
    EARCON_NOTES_HZ,
    EarconPlayer,
    HeadsetError,
    earcon,
)
from calltone.service.settings import SettingsError, load_settings
from tests.support.service import SAMPLES, free_port, running_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ALERT_KINDS = ["de_escalate", "let_them_finish", "calm_down", "take_a_break", "escalation_flag"]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _contour(x: np.ndarray, sr: int = 16000) -> list[int]:
    """Dominant frequency per 20 ms of sound (0 for silence): what the ear tells apart."""
    out = []
    n = sr // 50
    for i in range(0, x.size - n + 1, n):
        w = x[i : i + n]
        if np.max(np.abs(w)) < 1e-3:
            out.append(0)
            continue
        spec = np.abs(np.fft.rfft(w * np.hanning(n)))
        out.append(int(round(np.argmax(spec) * sr / n / 50.0) * 50))
    return out


def test_earcons_are_short_quiet_and_distinct() -> None:
    sounds = {k: earcon(k) for k in ALERT_KINDS}
    for kind, x in sounds.items():
        assert x.dtype == np.float32 and x.ndim == 1
        assert 0.1 <= x.size / 16000 <= 0.5, f"{kind}: a short nudge, not a jingle"
        assert np.max(np.abs(x)) == pytest.approx(DEFAULT_EARCON_VOLUME, rel=1e-3)
        assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.01, f"{kind}: ramps, no click"
    contours = {k: tuple(_contour(x)) for k, x in sounds.items()}
    assert len(set(contours.values())) == len(ALERT_KINDS), "one sound per kind"
    assert set(EARCON_NOTES_HZ) == set(ALERT_KINDS)


def test_earcon_volume_and_mute() -> None:
    assert np.max(np.abs(earcon("calm_down", volume=0.05))) == pytest.approx(0.05, rel=1e-3)
    assert not np.any(earcon("calm_down", volume=0.0))
    with pytest.raises(ValueError, match="between 0"):
        earcon("calm_down", volume=1.5)
    played: list[np.ndarray] = []
    muted = EarconPlayer(played.append, muted=True)
    assert muted.alert("de_escalate") is False
    loud = EarconPlayer(played.append, volume=0.2)
    assert loud.alert("de_escalate") is True
    for _ in range(100):
        if played:
            break
        import time

        time.sleep(0.01)
    assert len(played) == 1 and np.max(np.abs(played[0])) == pytest.approx(0.2, rel=1e-3)


def test_missing_portaudio_is_a_clear_error() -> None:
    try:
        import pyaudio  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pyaudio is installed here; the missing-PortAudio path cannot be shown")
    from calltone.service.clients.headset import Headset

    with pytest.raises(HeadsetError) as info:
        Headset()
    message = str(info.value)
    assert "pip install 'calltone[headset]'" in message and "portaudio19-dev" in message
    out = _cli("listen", "--agent", "a1", "--token", "ct_x")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "calltone[headset]" in out.stderr


def test_replay_cli_prints_alerts(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'r.db'}") as srv:
        token = srv.user("a5", "agent")

        def replay(
            call: str, *extra: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
            wav = str(SAMPLES / call / "call.wav")
            return _cli(
                "replay", wav, "--agent", "a5", "--speed", "0", "--server", srv.ws, *extra, env=env
            )

        out = replay("escalation_call", "--call-id", "cli-1", env={"CALLTONE_TOKEN": token})
        assert out.returncode == 0, out.stderr
        assert "ALERT de_escalate" in out.stdout and "Tip:" in out.stdout
        assert "call cli-1 ended" in out.stdout
        assert srv.store.get_call("cli-1").state == "ended"
        wrong = replay("calm_call", "--token", "ct_nope-nope-nope-nope-nope")
        # refused on stderr with what to do (issue 16), not the raw error message on stdout
        assert wrong.returncode == 2, (wrong.stdout, wrong.stderr)
        assert "refused the token" in wrong.stderr and "--token" in wrong.stderr, wrong.stderr
        assert "unauthorized" not in wrong.stdout


def test_replay_cli_without_server_or_token() -> None:
    call = str(SAMPLES / "calm_call" / "call.wav")
    port = free_port()
    out = _cli(
        "replay", call, "--agent", "a1", "--server", f"ws://127.0.0.1:{port}", "--token", "ct_x"
    )
    assert out.returncode == 2 and "calltone serve" in out.stderr
    env = {k: v for k, v in os.environ.items() if k != "CALLTONE_TOKEN"}
    out = subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", "replay", call, "--agent", "a1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2 and "--token" in out.stderr


def test_live_whisper_input_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # Live utterances are encoded as their audio + 1 s, at least 15 s by default; 30 restores
    # Whisper's full window; a value outside 1-30 s is refused with the setting's name.
    from calltone.service.app import _load_transcriber

    t = _load_transcriber(load_settings())
    assert t is not None and t.options.context_min_s == 15.0  # type: ignore[attr-defined]
    monkeypatch.setenv("CALLTONE_WHISPER_CONTEXT_MIN_S", "30")
    t = _load_transcriber(load_settings())
    assert t is not None and t.options.context_min_s is None  # type: ignore[attr-defined]
    monkeypatch.setenv("CALLTONE_WHISPER_CONTEXT_MIN_S", "0.5")
    with pytest.raises(SettingsError, match="whisper_context_min_s"):
        load_settings()


def test_unknown_or_removed_variables_are_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLTONE_TRANSCRIPTION_WORKER", "2")  # misspelt
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "CALLTONE_TRANSCRIPTION_WORKER is not a calltone setting" in message
    assert "did you mean CALLTONE_TRANSCRIPTION_WORKERS?" in message
    assert "CALLTONE_FORK_KEYS" in message and "CALLTONE_DASK_SCHEDULER" in message  # valid ones
    assert "\n" not in message
    monkeypatch.delenv("CALLTONE_TRANSCRIPTION_WORKER")
    monkeypatch.setenv("CALLTONE_SCORING_WORKERS", "4")  # was silently ignored
    with pytest.raises(SettingsError, match="CALLTONE_SCORING_WORKERS is no longer a setting"):
        load_settings()
    monkeypatch.delenv("CALLTONE_SCORING_WORKERS")
    monkeypatch.setenv("CALLTONE_TOKEN", "x")  # read by the clients, not a settings family
    monkeypatch.setenv("CALLTONE_FORK_MIX", "mono")  # the adapters' settings
    assert load_settings().port == 8765


def test_socket_url() -> None:
    assert socket_url("http://h:1/", "/v1/x", token="t", after=3) == "ws://h:1/v1/x?after=3&token=t"
    assert socket_url("h:1", "/p") == "ws://h:1/p"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLTONE_PORT", "9999")
    monkeypatch.setenv(
        "CALLTONE_ALERT_OVERRIDES", '{"de_escalate_cooldown_s": 5, "hard_calls_per_hour": 2}'
    )
    s = load_settings()
    assert s.port == 9999 and s.host == "127.0.0.1" and s.db_url == "sqlite:///./calltone.db"
    cfg = s.alert_config()
    assert cfg.de_escalate_cooldown_s == 5.0 and cfg.hard_calls_per_hour == 2
    assert isinstance(cfg.hard_calls_per_hour, int)
    assert s.cors_origins == []
    monkeypatch.setenv("CALLTONE_ALERT_OVERRIDES", '{"hard_calls_window_min": 30}')  # old name
    assert load_settings().alert_config().hard_calls_window_s == 1800.0
    monkeypatch.setenv("CALLTONE_ALERT_OVERRIDES", '{"loudness": 5}')
    with pytest.raises(SettingsError, match="unknown alert setting"):
        load_settings()


def test_serve_fails_fast_with_one_line(tmp_path: Path) -> None:
    out = _cli("serve", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/x", "--no-transcribe")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "cannot open database" in out.stderr
    out = _cli(
        "serve", "--db", str(tmp_path / "s.db"), "--bus", "redis://127.0.0.1:1/0", "--no-transcribe"
    )
    assert out.returncode == 2 and "cannot reach Redis" in out.stderr
