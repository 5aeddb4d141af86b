"""The lean default install: `analyze`, `profile` and local `score` run without the serve and
cluster extras, and the commands that need an extra say which one to install.

A fresh venv per test run would take minutes, so the extras are hidden instead: a meta-path
finder in the child process refuses every module of the extras, as if they were not installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.synth import ROOT, SAMPLES

HIDDEN = (
    "fastapi",
    "uvicorn",
    "starlette",
    "sqlalchemy",
    "alembic",
    "websockets",
    "httpx",
    "multipart",
    "twilio",
    "fastapi_offline",
    "distributed",
    "dask",
    "pyaudio",
    "librosa",
)

RUNNER = f"""
import importlib.abc, importlib.util, sys
HIDDEN = {HIDDEN!r}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            return None if name != name.split(".")[0] else _missing(name)
        return None
def _missing(name):
    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
_orig = importlib.util.find_spec
def find_spec(name, package=None):
    return None if name.split(".")[0] in HIDDEN else _orig(name, package)
importlib.util.find_spec = find_spec
sys.meta_path.insert(0, Hide())
from calltone.service.cli import main
code = main(sys.argv[1:])
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set(HIDDEN))
print("LOADED", loaded)
sys.exit(code)
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_analyze_and_local_score_need_no_extra(tmp_path: Path) -> None:
    call = str(SAMPLES / "escalation_call" / "call.wav")
    a = run("analyze", call, "--no-transcribe", "--out", str(tmp_path / "a.json"))
    assert a.returncode == 0, a.stderr
    assert "LOADED []" in a.stdout
    assert (tmp_path / "a.json").stat().st_size > 1000
    s = run("score", call, "--no-transcribe", "--out", str(tmp_path / "cards"), "--no-progress")
    assert s.returncode == 0, s.stderr
    assert "LOADED []" in s.stdout
    assert list((tmp_path / "cards").glob("*.json"))


def test_commands_that_need_an_extra_name_it() -> None:
    r = run("serve", "--port", "0")
    assert r.returncode == 2
    assert "python3 -m pip install 'calltone[serve]'" in r.stderr
    c = run("score", str(SAMPLES / "calm_call" / "call.wav"), "--cluster", "tcp://127.0.0.1:1")
    assert c.returncode == 2
    assert "calltone[cluster]" in c.stderr
    m = run("analyze", str(SAMPLES / "calm_call" / "call.wav"), "--separate", "--no-transcribe")
    assert m.returncode == 2
    assert "calltone[mono]" in m.stderr
