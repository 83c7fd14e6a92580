"""Playwright driving Debian's Chromium against the live test server; every page is watched for errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, sync_playwright

from tracking_site.estimates.flush import refresh_lane_figures

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Reports Content-Security-Policy violations from the first byte of every document to the test (init scripts
# and exposed bindings come from the browser itself, so the page's CSP does not block them).
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class PageProblems:
    """What went wrong in a browser context: console errors, uncaught exceptions, CSP violations."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)

    def note_console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx document as "Failed to load resource"; those statuses are pages under test
        # (not found, bad number, rate limited, 404), so only failures of other resources count.
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") in self.documents:
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def note_csp_violation(self, what: str) -> None:
        self.csp_violations.append(what)

    def note_response(self, response: Response) -> None:
        if response.request.is_navigation_request():
            self.documents.add(response.url)

    def assert_none(self) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.csp_violations == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module: it closes (and drops its keep-alive connections) while the live server
    still runs, and Playwright's event loop is gone before the next module's tests touch the database."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    # Playwright's sync API keeps an event loop running in this thread; Django's async-safety check would then
    # refuse the test database's setup and teardown. Nothing here is async: the live server has its own threads.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, transactional_db, settings) -> str:
    """The live server's base URL (the PostPlus page reads the feed store, hence the database), which is also
    the site's canonical address: share links name it.

    The lane figures are built from the demo's observations first, as the periodic flush would have done.
    """
    settings.SITE_URL = live_server.url
    refresh_lane_figures()
    return live_server.url


def open_context(browser: Browser, site: str, problems: PageProblems, **options: object) -> BrowserContext:
    """A browser context watched for errors, allowed to use the clipboard on the site."""
    options = {"viewport": DESKTOP, "locale": "en-GB", **options}
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    context.expose_function("reportCspViolation", problems.note_csp_violation)
    context.add_init_script(WATCH_CSP)
    context.on("console", problems.note_console)
    context.on("weberror", lambda error: problems.page_errors.append(str(error.error)))
    context.on("response", problems.note_response)
    return context


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def context(browser: Browser, site: str, problems: PageProblems) -> Iterator[BrowserContext]:
    """A desktop context; after the test, no console error, no uncaught exception, no CSP violation anywhere."""
    context = open_context(browser, site, problems)
    yield context
    context.close()
    problems.assert_none()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
