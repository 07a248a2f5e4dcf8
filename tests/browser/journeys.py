"""Journeys (issue 15): what a person must do, counted in clicks from a fresh
page load, for the tasks the product promises are short.

``Journey`` wraps a Playwright page. ``start(path)`` loads the page afresh and
resets the count; every click goes through ``click`` (or ``download``) and
counts one; typing and choosing text (``fill``) is free. Each page the journey
reaches is recorded in ``visited``, screenshotted and checked with axe-core at
1280 px as the person saw it, and at once opened again at 375 px in a second
browser context of the same signed-in person (at once, because some pages are
gone later: a draft page after the draft is published).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Download, Locator, Page, expect

from tests.factories import PASSWORD

from .axe import serious_violations

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "journeys"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 812}


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the real form (before a journey starts: not counted)."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


class Journey:
    def __init__(self, page: Page, browser: Browser, base_url: str, name: str):
        self.page = page
        self.browser = browser
        self._narrow = None
        self.base_url = base_url
        self.name = name
        self.clicks = 0
        self.visited: list[str] = []
        # url (with the width) -> serious or critical axe violations found there
        self.violations: dict[str, list[str]] = {}
        # pages wider than the 375 px window (reported, not failed: layout is someone else's)
        self.overflow: dict[str, int] = {}
        self._shots = 0
        for old in ARTIFACTS.glob(f"{name}-*.png"):  # the last run's, so the folder shows only this one
            old.unlink()
        self._navigated = False
        page.set_viewport_size(WIDE)
        page.on("framenavigated", self._on_navigated)

    def _on_navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self._navigated = True

    # --- What the person does --------------------------------------------------

    def start(self, url: str) -> None:
        """A fresh load of the page (a path on the site, or a full URL): the count starts here."""
        self.page.goto(url if url.startswith("http") else self.base_url + url)
        # The person is signed in by now: the narrow window shares their cookies.
        self.close()
        self._narrow = self.browser.new_context(
            storage_state=self.page.context.storage_state(), viewport=NARROW
        )
        self._narrow.new_page().set_default_timeout(10_000)
        self.clicks = 0
        self.visited = []
        self._arrived()

    def click(self, locator: Locator, *, confirm: bool = False) -> None:
        """One click. ``confirm``: the click asks "are you sure?" (a browser
        dialog) and the person says yes, which is a second click."""
        self.clicks += 1
        if confirm:
            self.clicks += 1
            self.page.once("dialog", lambda dialog: dialog.accept())
        locator.click()
        self._settle()

    def download(self, locator: Locator) -> Download:
        """One click that downloads a file; returns the download."""
        self.clicks += 1
        with self.page.expect_download() as info:
            locator.click()
        return info.value

    def fill(self, locator: Locator, text: str) -> None:
        """Typing is not a click."""
        locator.fill(text)

    # --- What the test checks ---------------------------------------------------

    @property
    def narrow_page(self) -> Page:
        """The 375 px window, on the page the journey reached last."""
        return self._narrow.pages[0]

    def look(self, label: str = "", *, narrow: bool = False) -> None:
        """Screenshot and axe-check the page as it is now (at 1280 px, or the
        375 px window), e.g. a dialog the journey opened without leaving the page."""
        page = self.narrow_page if narrow else self.page
        self._check(page, page.url, "375" if narrow else "1280", label)

    def close(self) -> None:
        if self._narrow is not None:
            self._narrow.close()
            self._narrow = None

    def assert_accessible(self) -> None:
        assert self.violations == {}, "\n".join(f"{url}: {v}" for url, v in self.violations.items())

    def report(self) -> str:
        pages = ", ".join(urlsplit(url).path for url in self.visited)
        too_wide = self.overflow or "none"
        return f"{self.name}: {self.clicks} clicks; pages: {pages}; too wide at 375 px: {too_wide}"

    # --- Inside ----------------------------------------------------------------------

    def _settle(self) -> None:
        self.page.wait_for_load_state("load")
        if self._navigated:
            self._arrived()

    def _arrived(self) -> None:
        self._navigated = False
        url = self.page.url
        self.visited.append(url)
        self._check(self.page, url, "1280")
        narrow = self.narrow_page
        response = narrow.goto(url)
        assert response.ok, (url, response.status)
        self._check(narrow, url, "375")
        width = narrow.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            self.overflow[urlsplit(url).path] = width

    def _check(self, page: Page, url: str, width: str, label: str = "") -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", (label or urlsplit(url).path).lower()).strip("-") or "home"
        page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self._shots:02d}-{slug}-{width}.png"), full_page=True
        )
        found = serious_violations(page)
        if found:
            self.violations[f"{url} at {width} px{f' ({label})' if label else ''}"] = found
