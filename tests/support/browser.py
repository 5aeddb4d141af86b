"""Chromium for the page and report tests: Debian's /usr/bin/chromium driven by Playwright.

Never runs ``playwright install``: the system chromium (``.ci/run`` installs it with apt-get) or a
skip that says how to get it. Screenshots go to tests/system/artifacts/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.support.service import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "system" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARGS = [*CHROMIUM_ARGS, "--disable-sync"]
"""Flags of the service pages' browser (no account sync either)."""


@contextlib.contextmanager
def launched(args: list[str]) -> Iterator[Any]:
    """A headless system Chromium for one test module (Playwright imported here, lazily)."""
    from playwright import sync_api

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        try:
            yield b
        finally:
            b.close()


def watch_errors(page: Any) -> list[str]:
    """A list that fills with the page's console errors and warnings and uncaught exceptions."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


class Tab:
    """A browser context of its own (its own cookie) with one page, and what it logged."""

    def __init__(self, browser: Any, base: str, *, permissions: tuple[str, ...] = ()) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        if permissions:
            self.context.grant_permissions(list(permissions), origin=base)
        self.page = self.context.new_page()
        self.errors: list[str] = watch_errors(self.page)
        self.page.on("requestfailed", self._failed)

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":  # leaving a page cancels what it was loading
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def sign_in(self, token: str, path: str) -> Tab:
        """Paste the token into the sign-in form, as a person would."""
        self.page.goto(f"{self.base}/signin?next={quote(path)}")
        self.page.fill("#token", token)
        self.page.click("#signin button[type=submit]")
        self.page.wait_for_url(f"{self.base}{path}")
        return self

    def live(self) -> Tab:
        """Wait until the page's feed socket has caught up and is live."""
        self.page.wait_for_selector('#conn[data-state="live"]', timeout=15_000)
        return self

    def shot(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"pages_{name}.png"), full_page=full_page)

    def close(self) -> None:
        self.context.close()


def open_as(browser: Any, server: LiveServer, user: str, path: str, **kwargs: Any) -> Tab:
    return Tab(browser, server.http, **kwargs).sign_in(server.tokens[user], path)


def wait_until(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
