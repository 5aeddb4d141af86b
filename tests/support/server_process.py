"""``calltone serve`` as a separate process, for tests that must kill or starve the real server.

The in-thread server of ``service_support`` cannot be SIGKILLed without killing the test, and its
sockets and memory are the test's own. Here the server is the console entry point
(``python -m service.cli serve``) in its own process group, configured through ``CALLTONE_*``
variables exactly as a deployment would be; the test sees it only through its port, its log,
its database file and ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.service import free_port


@dataclass
class ServerProcess:
    """One ``calltone serve`` process (restartable on the same port and database)."""

    db_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_level: str = "warning"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the server is not running"
        return self.proc.pid

    @property
    def log_path(self) -> Path:
        return self.workdir / f"serve-{self.starts}.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout_s: float = 120.0) -> None:
        """Start the server and wait until ``/health`` answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLTONE_")}
        env.update(
            {
                "CALLTONE_DB_URL": self.db_url,
                "CALLTONE_PORT": str(self.port),
                "CALLTONE_TRANSCRIBE": "false",
                "CALLTONE_ANALYSIS_PROCESSES": "1",
                "CALLTONE_FEED_POLL_S": "1.0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "calltone.service.cli",
                    "serve",
                    "--log-level",
                    self.log_level,
                ],
                cwd=self.workdir,  # no stray .env file is read
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so cleanup reaches the workers
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"calltone serve exited with {self.proc.returncode} at start-up:\n{self.log()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.http + "/health", timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"calltone serve did not answer within {timeout_s} s:\n{self.log()}"
                )
            time.sleep(0.1)

    def health(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(self.http + "/health", timeout=10).json()
        return data

    def kill(self) -> None:
        """SIGKILL the server process itself (not a wrapper, not its group)."""
        os.kill(self.pid, signal.SIGKILL)

    def wait_dead(self, timeout_s: float = 10.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout_s)

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """Graceful stop (SIGTERM, as systemd does); SIGKILL the group if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            self.cleanup()
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        """Kill whatever is left of this server's process group (its analysis workers)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}


def tcp_socket(local_port: int, remote_port: int) -> tuple[str, int] | None:
    """(state, inode) of the loopback TCP socket local_port -> remote_port, or None.

    Inode 0 means no process holds the socket any more (an orphan the kernel is finishing).
    """
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, remote = parts[1], parts[2]
                if (
                    int(local.rsplit(":", 1)[1], 16) == local_port
                    and int(remote.rsplit(":", 1)[1], 16) == remote_port
                ):
                    return TCP_STATES.get(parts[3], parts[3]), int(parts[9])
    return None


def tcp_connection_held(local_port: int, remote_port: int) -> bool:
    """Whether a process still holds that socket (its descriptor and buffers)."""
    found = tcp_socket(local_port, remote_port)
    return found is not None and found[1] != 0
