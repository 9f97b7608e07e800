"""What the browser tests share: Debian's Chromium launched by Playwright, one tab per user (`Screen`) that
fails the test on any console error or browser dialog, and the checks every screen must pass wherever a
test stops on it: axe-core finds no violation of any impact, the page never scrolls sideways, and every
control is a target of at least 24 by 24 px.

Playwright drives the system's Chromium, never a downloaded browser; axe-core comes from npm (`make
install`; the Makefile pins its version and installs it at AXE_CORE)."""

import os
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.harness import ROOT

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the networking flags, Chromium's background connections fail on a closed network and slow it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_CORE = ROOT / ".local" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".local" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


class Screen:
    """One browser tab of one user; fails the test on any console error (a CSP violation included)."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        self.page: Page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.expected: tuple[str, ...] = ()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # The app never opens a browser dialog (delete has Undo instead): one is a fault.
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.errors.append(f"a browser dialog opened: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        # An HTTP error status is an answer the app handles (and shows); anything else is a fault.
        handled = ("Failed to load resource: the server", *self.expected)
        if message.type == "error" and not message.text.startswith(handled):
            self.errors.append(message.text)

    def open(self, hash_path: str = "") -> Page:
        self.page.goto(f"{self.base_url}/{hash_path}")
        return self.page

    def sign_in(self, email: str, password: str) -> Page:
        page = self.page
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Account")).to_be_visible()
        return page

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Account").click()
        self.page.get_by_role("button", name="Sign out").click()

    def check(self) -> None:
        """The screen as it is now: no axe-core violation of any impact, and nothing wider than the window."""
        self.fits()
        self.targets_fit()
        if not self.page.evaluate("typeof window.axe === 'object'"):
            # Evaluated by the test runner, not as a page script: the app's CSP (script-src 'self') stays.
            self.page.evaluate(AXE_CORE.read_text())
        found = self.page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in found
        ]
        assert not problems, f"axe-core on {self.page.url}: {problems}"

    def fits(self) -> None:
        """The page never scrolls sideways: nothing is wider than the window."""
        widths = self.page.evaluate(
            "({page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth})"
        )
        assert widths["page"] <= widths["window"], f"the page scrolls sideways on {self.page.url}: {widths}"

    def targets_fit(self) -> None:
        """Every visible control (links, buttons, fields) is at least 24 by 24 px (WCAG 2.2, 2.5.8); links
        inside a sentence are exempt, as the rule allows."""
        small = self.page.evaluate(
            """[...document.querySelectorAll('a[href], button, input, select, textarea')]
              .filter((e) => e.checkVisibility() && !e.closest('p:not(.who):not(.meta)'))
              .map((e) => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
              .filter(([, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
              .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
        )
        assert not small, f"targets under 24 px on {self.page.url}: {small}"

    def within_window(self, locator: Locator) -> None:
        """The element is on screen horizontally (not pushed off the right edge)."""
        box = locator.bounding_box()
        assert box is not None, f"{locator} is not rendered"
        width = self.page.evaluate("document.documentElement.clientWidth")
        assert box["x"] >= 0, f"{locator} starts left of the window: {box}"
        assert box["x"] + box["width"] <= width, f"{locator} ends right of the window ({width} px): {box}"

    def shot(self, name: str, also: Path | None = None) -> None:
        """A full-page screenshot in .local/screenshots/, and a copy at ``also`` if given."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        if also:
            also.write_bytes((SCREENSHOTS / f"{name}.png").read_bytes())

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"the browser console reported errors: {self.errors}"


def item(page: Page, name: str) -> Locator:
    """A row of any list, by its title."""
    return page.locator("li.item").filter(has=page.get_by_role("heading", name=name, exact=True))


def row_action(page: Page, name: str, action: str) -> None:
    """Open a row's menu of actions and take one (Share, Edit, Delete)."""
    row = item(page, name)
    row.get_by_role("button", name=f"Actions for “{name}”").click()
    row.get_by_role("button", name=f"{action} “{name}”").click()
