"""What the pages tell people is true (issue 16), in a real browser against a real server.

Debian's chromium driven by Playwright, a uvicorn server with a temporary SQLite file. The calls,
events and alerts are written straight into the server's storage (the same rows a live call
writes), so each state is exact and reached at once: the board's tile badge follows every
signal (agent tone too), timeline rows name the phrase and whether it helped or hurt, flags on
ended calls collapse into a group resolved in one click with no "Listen in", a narrow screen
keeps the flags on top; the agent sees the newest alert with its time and call, older ones as
history, and an ended call's alert fades on its own; an admin without an agent id gets a chooser.
Screenshots go to tests/artifacts/pages_truth_*.png.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from calltone.service.routes.pages import AUTO_RESOLVER, resolve_stale_flags
from calltone.service.storage import NewAlert, NewEvent, Store
from tests.support.browser import ARGS, ARTIFACTS, CHROMIUM, Tab, launched, open_as, wait_until
from tests.support.service import SAMPLES, LiveServer, running_server

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright's Python package is not installed (pip install playwright)",
)
skip_without_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
)


def browser_test(fn: Any) -> Any:
    """A test that drives Chromium (slow: a browser and a server, seconds each)."""
    return pytest.mark.slow(skip_without_chromium(fn))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("truth") / "calltone.db"
    with running_server(f"sqlite:///{db}", feed_poll_s=0.5) as srv:
        for name, role in (
            ("sup", "supervisor"),
            ("ag", "agent"),
            ("adm", "admin"),
            ("tr", "trainer"),
        ):
            srv.user(name, role)
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(ARGS) as b:
        yield b


def new_call(server: LiveServer, agent: str = "ag") -> str:
    call_id = f"t-{uuid.uuid4().hex[:8]}"
    server.store.start_call(call_id, agent)
    return call_id


def alert(server: LiveServer, call_id: str, kind: str, at_s: float, **kw: Any) -> int:
    audience = {"escalation_flag": "supervisor", "take_a_break": "both"}.get(kind, "agent")
    messages = {
        "de_escalate": "The customer is shouting",
        "calm_down": "Calm down: your voice is rising",
        "escalation_flag": "The customer keeps yelling after the tip",
    }
    return server.store.add_alert(
        NewAlert.from_dict(
            {
                "call_id": call_id,
                "kind": kind,
                "audience": audience,
                "at_s": at_s,
                "message": messages.get(kind, kind),
                "tip": "Take a breath.",
                **kw,
            }
        )
    ).id


def phrase(eid: str, cue: str, polarity: str, quote: str, start_s: float) -> dict[str, Any]:
    return {
        "id": eid,
        "kind": "phrase",
        "speaker": "agent",
        "start_s": start_s,
        "end_s": start_s + 1.0,
        "evidence": {"cue": cue, "quote": quote, "polarity": polarity},
    }


def shot(tab: Tab, name: str, full_page: bool = True) -> None:
    tab.page.screenshot(path=str(ARTIFACTS / f"pages_truth_{name}.png"), full_page=full_page)


@browser_test
def test_tile_badge_follows_agent_tone_and_timeline_names_phrases(
    browser: Any, server: LiveServer
) -> None:
    call = new_call(server)
    server.store.add_events(
        call,
        [
            NewEvent.from_dict(e)
            for e in [
                {
                    "id": "tone-1",
                    "kind": "agent_tone",
                    "speaker": "agent",
                    "start_s": 3.0,
                    "end_s": 6.0,
                    "open": True,
                    "evidence": {"fired": ["loudness", "pitch"]},
                },
                phrase("ph-1", "empathy", "good", "I understand how frustrating", 1.0),
                phrase("ph-2", "blame_passing", "bad", "that is not my department", 2.0),
                # the same phrase heard again by an overlapping transcript window
                phrase("ph-3", "blame_passing", "bad", "that is not my department", 2.02),
            ]
        ],
    )
    alert(server, call, "calm_down", 5.0)
    board = open_as(browser, server, "sup", "/board").live()
    try:
        tile = board.page.locator(f'.tile[data-call-id="{call}"]')
        tile.wait_for(timeout=10_000)
        # the calm-down nudge is live on this tile: it must not say "Calm"
        wait_until(lambda: tile.get_attribute("data-state") == "agent_tense", 8, "agent_tense")
        badge = tile.locator(".badge").inner_text()
        assert badge == "Agent tense", badge
        assert "agent tense" in tile.locator(".signals").inner_text()
        assert "Calm down" in tile.locator(".last").inner_text()

        tile.locator("button:has-text('Details')").click()
        board.page.wait_for_selector('#detail-timeline li[data-kind="phrase"]')
        rows = board.page.locator('#detail-timeline li[data-kind="phrase"]')
        assert rows.count() == 2, rows.all_inner_texts()  # no duplicate row
        good = board.page.locator('#detail-timeline li[data-polarity="good"]')
        bad = board.page.locator('#detail-timeline li[data-polarity="bad"]')
        assert "helped" in good.inner_text() and "I understand how frustrating" in good.inner_text()
        assert "hurt" in bad.inner_text() and "not my department" in bad.inner_text()
        shot(board, "board_agent_tense")

        # a flag outranks the agent's tone
        flag = alert(server, call, "escalation_flag", 8.0)
        wait_until(lambda: tile.get_attribute("data-state") == "flagged", 8, "flagged")
        assert tile.locator(".badge").inner_text() == "Flagged"
        server.store.ack_alert(flag, by_user="sup")
        assert board.errors == [], board.errors
    finally:
        board.close()
        server.store.end_call(call)


@browser_test
def test_flags_on_ended_calls_collapse_resolve_in_bulk_and_offer_no_listen_in(
    browser: Any, server: LiveServer
) -> None:
    ended = [new_call(server) for _ in range(3)]
    ended_flags = [alert(server, c, "escalation_flag", 10.0 + k) for k, c in enumerate(ended)]
    for c in ended:
        server.store.end_call(c)
    live = new_call(server)
    live_flag = alert(server, live, "escalation_flag", 4.0)
    board = open_as(browser, server, "sup", "/board").live()
    try:
        page = board.page
        page.wait_for_selector(f'#flags li[data-alert-id="{live_flag}"]')
        # the live call's flag offers Listen in; the ended ones do not, and sit in their group
        assert page.locator(f'#flags li[data-alert-id="{live_flag}"] .listen-btn').is_visible()
        group = page.locator("#ended-flags")
        assert group.is_visible() and "(3)" in group.locator("summary").inner_text()
        group.locator("summary").click()
        for fid in ended_flags:
            item = page.locator(f'#flags-ended li[data-alert-id="{fid}"]')
            assert item.is_visible()
            assert item.locator(".listen-btn").is_hidden(), "Listen in on an ended call"
            assert "call ended" in item.locator(".what").inner_text()
        shot(board, "board_ended_flags")

        page.click("#resolve-ended")
        page.wait_for_selector("#ended-flags", state="hidden", timeout=5_000)
        for fid in ended_flags:
            assert server.store.get_alert(fid).acked_by == "sup"
        assert server.store.get_alert(live_flag).acked_at is None
        assert "Resolved 3 flags" in page.locator("#announce").inner_text()
        assert board.errors == [], board.errors
    finally:
        board.close()
        server.store.ack_alert(live_flag, by_user="sup")
        server.store.end_call(live)


@browser_test
def test_narrow_screen_keeps_the_flags_in_view(browser: Any, server: LiveServer) -> None:
    calls = [new_call(server) for _ in range(4)]
    flag = alert(server, calls[0], "escalation_flag", 3.0)
    for c in calls[2:]:
        server.store.end_call(c)  # a few recent calls below
    board = Tab(browser, server.http)
    board.context.close()
    board.context = browser.new_context(viewport={"width": 400, "height": 800})
    board.page = board.context.new_page()
    board.errors = []
    board.sign_in(server.tokens["sup"], "/board")
    board.live()
    try:
        item = board.page.locator(f'#flags li[data-alert-id="{flag}"]')
        item.wait_for()
        box = item.bounding_box()
        recent = board.page.locator("#recent-h").bounding_box()
        tiles = board.page.locator("#live-h").bounding_box()
        assert box and recent and tiles
        assert box["y"] < recent["y"] and box["y"] < tiles["y"], (box, tiles, recent)
        assert box["y"] + box["height"] <= 800, "the open flag is below the first screen"
        shot(board, "board_narrow")
    finally:
        board.close()
        server.store.ack_alert(flag, by_user="sup")
        for c in calls[:2]:
            server.store.end_call(c)


@browser_test
def test_agent_sees_the_newest_alert_with_time_and_call_and_it_fades_when_the_call_ends(
    browser: Any, server: LiveServer
) -> None:
    agent = open_as(browser, server, "ag", "/agent").live()
    call = new_call(server)
    try:
        first = alert(server, call, "de_escalate", 12.0)
        agent.page.wait_for_selector(f'#alert[data-alert-id="{first}"]', timeout=5_000)
        newest = alert(server, call, "calm_down", 31.0)
        agent.page.wait_for_selector(f'#alert[data-alert-id="{newest}"]', timeout=5_000)
        assert "Calm down" in agent.page.locator("#alert-message").inner_text()
        when = agent.page.locator("#alert-when").inner_text()
        assert call in when and "0:31 into the call" in when, when
        assert agent.page.locator("#history").is_visible()
        assert "The customer is shouting" in (
            agent.page.locator("#history-list").text_content() or ""
        )
        shot(agent, "agent_newest")

        server.store.end_call(call)
        agent.page.wait_for_selector('#alert[data-ended="yes"]', timeout=8_000)
        assert "the call has ended" in agent.page.locator("#alert-when").inner_text()
        shot(agent, "agent_call_ended")
        # nobody dismissed it: it leaves the front on its own
        agent.page.wait_for_selector("#calm", state="visible", timeout=12_000)
        assert agent.page.locator("#alert").is_hidden()
        for aid in (first, newest):
            assert agent.page.locator(f'#history-list li[data-alert-id="{aid}"]').count() == 1
        assert agent.errors == [], agent.errors
    finally:
        agent.close()


@browser_test
def test_admin_without_an_agent_id_gets_a_chooser(browser: Any, server: LiveServer) -> None:
    call = new_call(server)
    admin = open_as(browser, server, "adm", "/agent")
    try:
        admin.page.wait_for_selector("#pick:not([hidden])")
        assert admin.page.locator("#conn").inner_text() == "Choose an agent"
        link = admin.page.locator('#pick-agents a[data-agent-id="ag"]')
        link.wait_for()
        assert link.get_attribute("data-live") == "yes"
        shot(admin, "agent_chooser")
        link.click()
        admin.page.wait_for_url("**/agent?agent_id=ag")
        admin.live()
        assert "Alerts of ag" in admin.page.locator("#title").inner_text()
        assert admin.errors == [], admin.errors
    finally:
        admin.close()
        server.store.end_call(call)


def test_flags_left_open_on_ended_calls_close_on_their_own(tmp_path: Any) -> None:
    with Store(f"sqlite:///{tmp_path / 'auto.db'}") as store:
        store.start_call("old", "ag")
        store.start_call("live", "ag")
        base = {"audience": "supervisor", "at_s": 5.0, "message": "flag", "kind": "escalation_flag"}
        old_flag = store.add_alert(NewAlert.from_dict({**base, "call_id": "old"})).id
        live_flag = store.add_alert(NewAlert.from_dict({**base, "call_id": "live"})).id
        store.end_call("old")
        now = dt.datetime.now(dt.UTC)
        assert resolve_stale_flags(store, 600, now) == []  # ended just now: still open
        assert resolve_stale_flags(store, 0, now + dt.timedelta(hours=1)) == []  # 0 = off
        closed = resolve_stale_flags(store, 600, now + dt.timedelta(seconds=601))
        assert [a.id for a in closed] == [old_flag]
        assert store.get_alert(old_flag).acked_by == AUTO_RESOLVER
        assert store.get_alert(live_flag).acked_at is None
        # every open board hears of it through the supervisor feed
        feed = store.feed_after(0)
        assert any(e.kind == "ack" and e.payload["by_user"] == AUTO_RESOLVER for e in feed)


@browser_test
def test_trainer_list_names_the_file_and_the_report_plays_the_evidence(
    browser: Any, server: LiveServer, tmp_path: Any
) -> None:
    recording = tmp_path / "coaching_monday.wav"
    shutil.copy(SAMPLES / "interrupting_agent_call" / "call.wav", recording)
    tab = open_as(browser, server, "tr", "/trainer")
    try:
        tab.page.set_input_files("#file", str(recording))
        tab.page.click("#upload-btn")
        row = tab.page.locator('#cards tr[data-status="done"]')
        row.wait_for(timeout=120_000)
        assert row.locator(".call").inner_text() == "coaching_monday"  # not the job id
        shot(tab, "trainer_list")
        row.locator("a").click()
        report = tab.page.frame_locator("#report")
        report.locator("audio#audio").wait_for(state="attached", timeout=15_000)
        assert report.locator("h1").inner_text() == "coaching_monday.wav"
        assert "(file date)" in report.locator(".meta").inner_text()  # the file's own date
        assert "Scorecard · coaching_monday" in tab.page.locator("#title").inner_text()
        frame = tab.page.locator("#report").element_handle().content_frame()
        assert frame is not None
        frame.wait_for_function("document.getElementById('audio').readyState >= 1")
        link = report.locator("a.ev").first
        t = float(link.get_attribute("data-t") or "nan")
        link.click()
        frame.wait_for_function("document.getElementById('audio').currentTime > 0")
        now = float(frame.evaluate("document.getElementById('audio').currentTime"))
        assert t - 0.05 <= now <= t + 2.0, (t, now)
        shot(tab, "trainer_report_audio", full_page=False)
        assert tab.errors == [], tab.errors
    finally:
        tab.close()
