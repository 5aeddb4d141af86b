"""The board, agent and trainer pages in a real browser against a real server (no mocks).

Debian's chromium driven by Playwright, a uvicorn server on a free loopback port with a
temporary SQLite file, and the escalation sample replayed through the ordinary replay client
at twice real time. Checks what the people using the pages rely on: the flag reaches every
open board and the de-escalation tip reaches that agent within a few seconds, acknowledging on
one board clears the flag on every board, another agent sees nothing, roles are enforced by the
server, trainers can upload and read a scorecard, ``calltone serve --demo`` shows a living
board, and no page logs a console error. Screenshots go to tests/artifacts/ (git-ignored).

Never runs ``playwright install``: it drives /usr/bin/chromium and skips when it is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.browser import ARGS, CHROMIUM, Tab, launched, open_as, wait_until
from tests.support.service import SAMPLES, LiveServer, free_port, running_server

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright's Python package is not installed (pip install playwright)",
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
    ),
]

SPEED = 2.0
"""Replay speed: fast, but the server still sees audio arrive paced like a live call."""
LATENCY_S = 3.0
"""How long a page may take to show what the call's socket was just sent."""
ESCALATION_CALL = "escalation"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("pages") / "calltone.db"
    with running_server(f"sqlite:///{db}") as srv:
        for name, role in (
            ("sup1", "supervisor"),
            ("sup2", "supervisor"),
            ("a1", "agent"),
            ("a2", "agent"),
            ("tr", "trainer"),
            ("adm", "admin"),
        ):
            srv.user(name, role)
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(ARGS) as b:
        yield b


class Replay:
    """A sample call replayed in a thread; notes when the call's socket got each alert kind."""

    def __init__(self, server: LiveServer, sample: str, agent: str, **kwargs: Any) -> None:
        self.call_id = f"{sample}-{uuid.uuid4().hex[:6]}"
        self.got: dict[str, float] = {}
        self.result: Any = None
        self.failure: BaseException | None = None

        def note(msg: dict[str, Any]) -> None:
            if msg.get("type") == "alert":
                self.got.setdefault(msg["alert"]["kind"], time.monotonic())

        def run() -> None:
            try:
                self.result = server.replay(
                    sample, agent, call_id=self.call_id, on_message=note, **kwargs
                )
            except BaseException as exc:
                self.failure = exc

        self.thread = threading.Thread(target=run, name=f"replay-{self.call_id}", daemon=True)
        self.thread.start()

    def join(self, timeout_s: float = 60) -> Any:
        self.thread.join(timeout_s)
        assert not self.thread.is_alive(), "the replay did not finish"
        if self.failure is not None:
            raise self.failure
        return self.result


_calls: dict[str, str] = {}


def test_escalation_flags_every_board_nudges_only_that_agent_and_ack_clears_all(
    browser: Any, server: LiveServer
) -> None:
    board1 = open_as(browser, server, "sup1", "/board").live()
    board2 = open_as(browser, server, "sup2", "/board").live()
    agent = open_as(browser, server, "a1", "/agent", permissions=("notifications",)).live()
    other = open_as(browser, server, "a2", "/agent").live()
    tabs = [board1, board2, agent, other]
    boards = [board1, board2]
    try:
        assert agent.page.locator("#permission").is_hidden(), "permission already granted"
        # the agent has switched to the softphone: this tab is in the background
        agent.page.evaluate(
            """() => {
                Object.defineProperty(document, "visibilityState", {get: () => "hidden"});
                Object.defineProperty(document, "hidden", {get: () => true});
                document.dispatchEvent(new Event("visibilitychange"));
            }"""
        )
        call = Replay(server, "escalation_call", "a1", speed=SPEED)
        _calls[ESCALATION_CALL] = call.call_id
        tile = f'.tile[data-call-id="{call.call_id}"]'
        for b in boards:
            b.page.wait_for_selector(tile, timeout=10_000)

        # the customer yells: the tip reaches a1's view within a few seconds of the call's socket
        agent.page.wait_for_selector('#alert[data-kind="de_escalate"]', timeout=40_000)
        shown_at = time.monotonic()
        assert shown_at - call.got["de_escalate"] < LATENCY_S
        card = agent.page.locator("#alert")
        assert "shouting" in card.locator("#alert-message").inner_text()
        assert "calm voice" in card.locator("#alert-tip").inner_text()
        assert agent.page.locator("#alert-region[aria-live=polite]").count() == 1
        assert int(agent.page.evaluate("document.body.dataset.notified || '0'")) >= 1
        # "not helpful" is stored as feedback and the card steps back into the history
        de_escalate_id = int(agent.page.locator("#alert").get_attribute("data-alert-id") or "0")
        agent.page.click("#not-helpful")
        agent.page.wait_for_selector(
            f'#history-list li[data-alert-id="{de_escalate_id}"]', state="attached", timeout=5_000
        )
        # the board shows the customer's raised voice before anyone flags it
        board1.page.wait_for_selector(f'{tile}:not([data-state="calm"])', timeout=10_000)

        # yelling again after the tip: an escalation flag on every open board
        flag = f'#flags li[data-call-id="{call.call_id}"]'
        for b in boards:
            b.page.wait_for_selector(flag, timeout=30_000)
        assert time.monotonic() - call.got["escalation_flag"] < LATENCY_S
        assert board1.page.locator(f'{tile}[data-state="flagged"]').count() == 1
        minutes, seconds = board1.page.locator(f"{tile} .duration").inner_text().split(":")
        ticking = int(minutes) * 60 + int(seconds)
        assert 15 <= ticking <= 25, f"the flag comes ~19 s into the call, tile says {ticking} s"
        board1.shot("board_flagged", full_page=False)
        agent.shot("agent_de_escalate")
        alert_id = int(board1.page.locator(flag).get_attribute("data-alert-id") or "0")

        # acknowledging on one board clears the flag on both
        board1.page.click(f"{flag} button.ack")
        for b in boards:
            b.page.wait_for_selector(flag, state="detached", timeout=5_000)
        acked = server.store.get_alert(alert_id)
        assert acked.acked_by == "sup1" and acked.acked_at is not None
        assert "acknowledged" in board2.page.locator("#announce").inner_text()

        call.join()
        # after the hard call: a take-a-break for a1, listed on the boards
        for b in boards:
            b.page.wait_for_selector('#breaks li:has-text("a1")', timeout=10_000)
            b.page.wait_for_selector(tile, state="detached", timeout=10_000)
        board2.shot("board_after_ack")

        # the take-a-break prompt comes up in front after the call, the call's alerts below it
        agent.page.wait_for_selector('#alert[data-kind="take_a_break"]', timeout=10_000)
        assert "The customer is shouting" in (agent.page.locator("#history").text_content() or "")
        feedback = server.store.list_feedback(de_escalate_id)
        assert [(f.by_user, f.helpful) for f in feedback] == [("a1", False)]
        agent.shot("agent_take_a_break")
        agent.page.click("#dismiss")
        agent.page.wait_for_selector("#calm", state="visible")

        # a2 was not on the call: nothing, not even a notification
        assert other.page.locator("#alert").is_hidden()
        assert other.page.locator("#calm").is_visible()
        assert other.page.evaluate("document.body.dataset.notified") is None
        other.shot("agent_other_calm")
        for t in tabs:
            assert t.errors == [], t.errors
    finally:
        for t in tabs:
            t.close()


def test_call_detail_and_listening_in(browser: Any, server: LiveServer) -> None:
    board = open_as(browser, server, "sup1", "/board").live()
    try:
        escalation = _calls.get(ESCALATION_CALL)
        if escalation:  # a finished call's detail: its timeline and alerts
            board.page.click(f'#recent button:has-text("{escalation}")')
            board.page.wait_for_selector("#detail:not([hidden])")
            board.page.wait_for_selector("#detail-timeline li.alert")
            timeline = board.page.locator("#detail-timeline").inner_text()
            assert timeline.count("Yelling") == 2
            for words in ("De-escalate", "Escalation flag", "Take a break"):
                assert words in timeline
            assert "Acknowledged by sup1" in board.page.locator("#detail-alerts").inner_text()
            assert "transcription is off" in board.page.locator("#detail-transcript").inner_text()
            board.shot("board_detail")

        # a live call: listen in and hear (receive and schedule) its audio
        call = Replay(server, "calm_call", "a2", speed=1.0, stop_after_frames=500)
        tile = f'.tile[data-call-id="{call.call_id}"]'
        board.page.wait_for_selector(tile, timeout=10_000)
        board.page.click(f"{tile} button.listen-btn")
        board.page.wait_for_selector("#listen:not([hidden])")
        wait_until(
            lambda: int(board.page.locator("#listen").get_attribute("data-frames") or "0") > 25,
            8.0,
            "audio frames played",
        )
        assert "Listening to a2" in board.page.locator("#listen-text").inner_text()
        assert board.page.evaluate("document.querySelector('#listen').dataset.callId") == (
            call.call_id
        )
        board.page.click(f"{tile} button:has-text('Details')")
        board.page.wait_for_selector(f'#detail-h:has-text("{call.call_id}")')
        board.shot("board_listening", full_page=False)
        board.page.click("#listen-stop")
        board.page.wait_for_selector("#listen-text:has-text('Stopped')")
        call.join()
        board.page.wait_for_selector(tile, state="detached", timeout=10_000)
        assert board.errors == [], board.errors
    finally:
        board.close()


def test_sign_in_and_roles_are_checked_by_the_server(browser: Any, server: LiveServer) -> None:
    base = server.http
    # no token: every page sends you to sign in
    anon = Tab(browser, base)
    try:
        for path in ("/board", "/agent", "/trainer", "/"):
            anon.page.goto(base + path)
            assert anon.page.url.startswith(f"{base}/signin"), path
        anon.page.fill("#token", "ct_not-a-real-token-at-all-000000000000000000")
        anon.page.click("#signin button[type=submit]")
        assert "unknown or revoked" in anon.page.locator(".notice.error").inner_text()
    finally:
        anon.close()

    refused = {
        "a1": ("/board", "/trainer"),
        "sup1": ("/agent", "/trainer"),
        "tr": ("/board", "/agent"),
    }
    for user, paths in refused.items():
        home = {"a1": "/agent", "sup1": "/board", "tr": "/trainer"}[user]
        tab = open_as(browser, server, user, home)
        try:
            cookie = next(c for c in tab.context.cookies() if c["name"] == "calltone_token")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert cookie["expires"] == -1, "a session cookie"
            for path in paths:
                tab.page.goto(base + path)
                assert tab.page.url.startswith(f"{base}/signin?next="), (user, path)
                notice = tab.page.locator(".notice").first.inner_text()
                assert f"signed in as {user}" in notice and "is for" in notice
            if user == "a1":
                tab.shot("signin_refused")
            assert tab.errors == [], tab.errors
        finally:
            tab.close()
    # the board's JSON is for supervisors too
    assert server.get("/v1/board", server.tokens["a1"]).status_code == 403
    assert server.get("/v1/board/live", server.tokens["tr"]).status_code == 403

    # an admin opens everything; signing out ends the session
    admin = Tab(browser, base)
    try:
        admin.page.goto(f"{base}/agent?agent_id=a2")  # signing in comes back to this very page
        admin.page.fill("#token", server.tokens["adm"])
        admin.page.click("#signin button[type=submit]")
        admin.page.wait_for_url(f"{base}/agent?agent_id=a2")
        admin.live()
        assert "Alerts of a2" in admin.page.locator("#title").inner_text()
        admin.page.goto(f"{base}/board")
        admin.live()
        admin.page.goto(f"{base}/trainer")
        admin.page.wait_for_selector("#upload")
        admin.page.click("header form button")
        admin.page.wait_for_url(f"{base}/signin")
        admin.page.goto(f"{base}/board")
        assert admin.page.url.startswith(f"{base}/signin")
        assert admin.errors == [], admin.errors
    finally:
        admin.close()
    # a sign-in post from another site is refused
    r = httpx.post(
        f"{base}/signin",
        data={"token": server.tokens["adm"]},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_trainer_uploads_a_recording_and_reads_its_scorecard(
    browser: Any, server: LiveServer
) -> None:
    tab = open_as(browser, server, "tr", "/trainer")
    try:
        tab.page.set_input_files("#file", str(SAMPLES / "interrupting_agent_call" / "call.wav"))
        tab.page.fill("#agent_id", "a1")
        call_name = f"coaching-{uuid.uuid4().hex[:6]}"
        tab.page.fill("#call_id", call_name)
        tab.page.click("#upload-btn")
        tab.page.wait_for_selector("#upload-status:has-text('queued for scoring')")
        row = tab.page.locator('#cards tr[data-status="done"]')
        row.wait_for(timeout=120_000)
        assert "a1" in row.inner_text() and call_name in row.inner_text()
        tab.shot("trainer_list")
        row.locator("a").click()
        tab.page.wait_for_url(re.compile(r".*/trainer/scorecards/sc-[0-9a-f]+$"))
        report = tab.page.frame_locator("#report")
        report.locator("section.crit").first.wait_for(timeout=15_000)
        assert report.locator("section.crit").count() >= 12
        assert f"Scorecard · {call_name}" in tab.page.locator("#title").inner_text()
        tab.shot("trainer_report", full_page=False)
        assert tab.errors == [], tab.errors
    finally:
        tab.close()


def _read_banner(proc: subprocess.Popen[str], timeout_s: float) -> str:
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                done.set()
                return

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout_s):
        raise AssertionError("the demo printed no banner:\n" + "".join(lines))
    return "".join(lines)


def test_demo_mode_shows_a_living_board(browser: Any, tmp_path: Any) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "calltone.service.cli",
            "serve",
            "--demo",
            "--no-transcribe",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    tab = None
    try:
        banner = _read_banner(proc, 120)
        base = f"http://127.0.0.1:{port}"
        assert f"calltone demo on {base}" in banner
        links = dict(re.findall(r"^\s+(\w+)\s+(http://\S+/signin#token=ct_\S+)$", banner, re.M))
        assert {"sam", "tara", "ada", "ana", "ben", "cleo"} <= set(links)
        wait_until(lambda: _answers(base), 60, "the demo server")
        tab = Tab(browser, base)
        tab.page.goto(links["sam"])  # the printed link signs in
        tab.page.wait_for_url(f"{base}/board")
        tab.live()
        tab.page.wait_for_selector(".tile", timeout=20_000)
        assert "#token" not in tab.page.url
        tab.page.wait_for_timeout(1500)  # let the durations tick
        tab.shot("demo_board", full_page=False)
        assert tab.errors == [], tab.errors
    finally:
        if tab is not None:
            tab.close()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise


def _answers(base: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(base + "/health", timeout=2).status_code == 200
    return False
