"""The HTML scorecard in a real headless browser (Debian's chromium driven by Playwright).

Checks what a trainer relies on: the page opens offline with no script errors and fetches
nothing, the timeline plot is actually drawn, and clicking an evidence item moves the plot
cursor, highlights the marker and the transcript words, and scrolls the transcript to them.
Screenshots go to tests/system/artifacts/ (git-ignored) for a person to look at.

Never runs ``playwright install``: it drives the system chromium at /usr/bin/chromium
(``.ci/run`` installs it with apt-get) and skips with the reason when it is missing.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from calltone.service.scoring.batch import ScoredCall, ScoreOptions, score_file
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, launched, watch_errors

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "interrupting_agent_call" / "call.wav"

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright's Python package is not installed (pip install playwright)",
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def reports() -> dict[str, Path]:
    """The interrupting-agent call scored with and without a transcript, written as HTML."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = {}
    for name, options in (
        ("transcribed", ScoreOptions()),
        ("acoustic", ScoreOptions(transcribe=False)),
    ):
        scored: ScoredCall = score_file(SAMPLE, options, call_id=f"interrupting_agent_{name}")
        path = ARTIFACTS / f"scorecard_{name}.html"
        path.write_text(scored.html, encoding="utf-8")
        out[name] = path
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(CHROMIUM_ARGS) as b:
        yield b


class Page:
    """A page plus everything it logged and requested."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = watch_errors(self.page)
        self.requests: list[str] = []
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.page.close()


def non_white_fraction(browser: Any, png: bytes) -> float:
    """Share of pixels that are not (near) white, decoded by the browser in a blank page."""
    page = browser.new_page()
    try:
        data_url = "data:image/png;base64," + base64.b64encode(png).decode()
        return float(
            page.evaluate(
                """async (src) => {
                    const img = new Image();
                    img.src = src;
                    await img.decode();
                    const c = document.createElement('canvas');
                    c.width = img.width; c.height = img.height;
                    const g = c.getContext('2d');
                    g.drawImage(img, 0, 0);
                    const d = g.getImageData(0, 0, c.width, c.height).data;
                    let n = 0;
                    for (let i = 0; i < d.length; i += 4) {
                        if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
                    }
                    return n / (c.width * c.height);
                }""",
                data_url,
            )
        )
    finally:
        page.close()


def test_report_opens_offline_without_console_errors_or_requests(
    browser: Any, reports: dict[str, Path]
) -> None:
    for name, path in reports.items():
        pg = Page(browser, path.as_uri())
        try:
            assert pg.errors == [], (name, pg.errors)
            assert pg.requests == [path.as_uri()], f"{name}: the page fetched {pg.requests}"
            assert pg.page.locator("section.crit").count() >= 12
            pg.page.screenshot(path=str(ARTIFACTS / f"scorecard_{name}.png"), full_page=True)
        finally:
            pg.close()


def test_plot_is_drawn_with_both_speakers_overlaps_and_events(
    browser: Any, reports: dict[str, Path]
) -> None:
    pg = Page(browser, reports["transcribed"].as_uri())
    try:
        plot = pg.page.locator("#plot")
        box = plot.bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 150
        png = plot.screenshot(path=str(ARTIFACTS / "scorecard_plot.png"))
        drawn = non_white_fraction(browser, png)
        assert drawn > 0.08, f"only {drawn:.1%} of the plot is drawn"
        for speaker in ("agent", "customer"):
            for series in ("loud", "pitch"):
                d = pg.page.locator(f"path.{series}.{speaker}").get_attribute("d") or ""
                assert d.count("L") > 50, f"{series} curve of the {speaker} is empty"
        assert pg.page.locator("rect.overlap").count() >= 2, "the two cut-ins overlap"
        assert pg.page.locator("rect.mk.ev-interruption").count() == 2
        assert pg.page.locator("rect.mk.ev-agent_tone").count() >= 1
        assert pg.page.locator("path.mk.alert").count() >= 1
        assert pg.page.locator("mark.cue").count() >= 3, "cues highlighted in the transcript"
    finally:
        pg.close()


def test_clicking_evidence_moves_the_cursor_and_highlights_the_moment(
    browser: Any, reports: dict[str, Path]
) -> None:
    pg = Page(browser, reports["transcribed"].as_uri())
    page = pg.page
    try:
        links = page.locator("#crit-active_listening a.ev")
        assert links.count() >= 2
        link = links.nth(1)  # the second cut-in, further down the transcript
        t = float(link.get_attribute("data-t") or "nan")
        t_end = float(link.get_attribute("data-end") or "nan")
        ref = link.get_attribute("data-ref") or ""
        assert ref.startswith("interruption-agent-")
        cursor = page.locator("#cursor")
        assert cursor.get_attribute("visibility") == "hidden"
        link.click()
        page.wait_for_timeout(200)
        # plot: cursor at the moment, the event's marker highlighted
        assert cursor.get_attribute("visibility") == "visible"
        plot = page.locator("#plot")
        x0, x1, dur = (
            float(plot.get_attribute(k) or "nan") for k in ("data-x0", "data-x1", "data-dur")
        )
        assert float(cursor.get_attribute("x") or "nan") == pytest.approx(
            x0 + (x1 - x0) * t / dur, abs=1.0
        )
        assert "hl" in (page.locator(f"#mk-{ref}").get_attribute("class") or "")
        # transcript: the agent's words at that moment highlighted and scrolled into view
        seg = page.locator(".seg.hl").first
        assert seg.get_attribute("data-speaker") == "agent"
        start, end = (float(seg.get_attribute(k) or "nan") for k in ("data-start", "data-end"))
        assert start <= t_end + 0.3 and end >= t - 0.3, "the segment spoken at that moment"
        box = page.locator("#transcript").bounding_box()
        sbox = seg.bounding_box()
        assert box and sbox
        assert box["y"] <= sbox["y"] and sbox["y"] + sbox["height"] <= box["y"] + box["height"], (
            "the highlighted words are scrolled into the transcript's view"
        )
        assert page.evaluate("location.hash") == f"#m-{ref}"
        assert ref in (page.locator("#moment").text_content() or "")
        page.screenshot(path=str(ARTIFACTS / "scorecard_clicked.png"))

        # a phrase cue: its words are marked in the transcript
        cue = page.locator("#crit-positive_language a.ev").first
        cue_ref = cue.get_attribute("data-ref") or ""
        cue.click()
        page.wait_for_timeout(200)
        marked = page.locator("mark.cue.hl")
        assert marked.count() >= 1
        assert cue_ref in (marked.first.get_attribute("data-refs") or "")
        assert pg.errors == []
    finally:
        pg.close()


def test_a_deep_link_opens_at_its_moment(browser: Any, reports: dict[str, Path]) -> None:
    pg = Page(browser, reports["transcribed"].as_uri())
    try:
        ref = pg.page.locator("#crit-active_listening a.ev").first.get_attribute("data-ref")
    finally:
        pg.close()
    pg = Page(browser, reports["transcribed"].as_uri() + f"#m-{ref}")
    try:
        assert pg.page.locator("#cursor").get_attribute("visibility") == "visible"
        assert pg.page.locator(".seg.hl").count() >= 1
        assert pg.errors == []
    finally:
        pg.close()


def test_artifacts_are_ignored_by_git() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".gitignore").is_file():
        pytest.skip("not a git checkout")
    shot = ARTIFACTS / "scorecard_acoustic.png"
    ignored = subprocess.run(
        [git, "check-ignore", "-q", str(shot)], cwd=ROOT, capture_output=True, timeout=30
    )
    assert ignored.returncode == 0, f"{shot.relative_to(ROOT)} is not ignored by git"


def test_report_plays_the_call_from_an_evidence_item_and_draws_its_waveform(
    browser: Any, reports: dict[str, Path]
) -> None:
    """Issue 16: a trainer hears the moment an evidence item points at."""
    pg = Page(browser, reports["transcribed"].as_uri())
    page = pg.page
    try:
        # named after the recording, not a generated id
        assert page.locator("h1").inner_text() == "interrupting_agent_call/call.wav"
        audio = page.locator("audio#audio")
        assert (audio.get_attribute("src") or "").startswith("data:audio/ogg;base64,")
        page.wait_for_function("document.getElementById('audio').readyState >= 1", timeout=10_000)
        duration = float(page.evaluate("document.getElementById('audio').duration"))
        call_s = float(page.locator("#plot").get_attribute("data-dur") or "nan")
        assert duration == pytest.approx(call_s, abs=0.1)
        for speaker in ("agent", "customer"):
            points = page.locator(f"polygon.wave.{speaker}").get_attribute("points") or ""
            assert points.count(",") > 500, f"no waveform for the {speaker}"
        link = page.locator("#crit-active_listening a.ev").nth(1)
        t = float(link.get_attribute("data-t") or "nan")
        assert t > 5
        link.click()
        page.wait_for_function("document.getElementById('audio').currentTime > 0", timeout=5_000)
        now = float(page.evaluate("document.getElementById('audio').currentTime"))
        assert t - 0.05 <= now <= t + 2.0, f"evidence at {t} s, the player is at {now} s"
        # a word of the transcript plays from its own time
        word = page.locator(".seg .w").nth(3)
        word_t = float(word.get_attribute("data-t") or "nan")
        word.click()
        page.wait_for_timeout(300)
        now = float(page.evaluate("document.getElementById('audio').currentTime"))
        assert word_t - 0.05 <= now <= word_t + 2.0
        page.screenshot(path=str(ARTIFACTS / "scorecard_audio.png"))
        assert pg.errors == [], pg.errors
    finally:
        pg.close()
