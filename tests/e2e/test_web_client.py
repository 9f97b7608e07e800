"""The web client in headless Chromium against the local stack: the whole story through the browser,
field errors, and signed-out users sent to sign in. Screenshots of each screen go to .local/screenshots/.

Playwright drives the system's Chromium (Debian's `chromium` package), never a downloaded browser."""

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.functions import ROOT

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: `make install` adds it (dev group)"
)
from playwright.sync_api import Browser, Page, expect  # noqa: E402 (after the skip above)

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
SCREENSHOTS = ROOT / ".local" / "screenshots"
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's (`sudo apt-get install -y chromium`) "
    "or set CHROMIUM to a Chromium binary",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # The stack's first call to each function imports it (a cold start of a few seconds), so wait longer.
    expect.set_options(timeout=15_000)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def web(local_stack: dict[str, Any]) -> dict[str, Any]:
    """The local stack's web client: its URL (from web.json beside stack.json) and the demo users."""
    users = {("moderator" if u["groups"] else "demo"): u for u in local_stack["users"]}
    url = json.loads((local_stack["state_dir"] / "web.json").read_text())["web_url"]
    return {"url": url, "aws_url": local_stack["aws_endpoint_url"], **users}


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

    def _console(self, message: Any) -> None:
        # An HTTP error status is an answer the app handles (and shows); anything else is a fault.
        handled = ("Failed to load resource: the server", *self.expected)
        if message.type == "error" and not message.text.startswith(handled):
            self.errors.append(message.text)

    def open(self, hash_path: str = "") -> Page:
        self.page.goto(f"{self.base_url}/{hash_path}")
        return self.page

    def sign_in(self, user: dict[str, Any]) -> Page:
        page = self.page
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Email").fill(user["email"])
        page.get_by_label("Password").fill(user["password"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"the browser console reported errors: {self.errors}"


@pytest.fixture
def screens(browser: Browser, web: dict[str, Any]) -> Iterator[Any]:
    """Opens tabs (one per user) and closes them after the test, checking their consoles."""
    opened: list[Screen] = []

    def open_screen(viewport: dict[str, int] = DESKTOP) -> Screen:
        opened.append(Screen(browser, web["url"], viewport))
        return opened[-1]

    yield open_screen
    for screen in opened:
        screen.close()


def _item(page: Page, name: str) -> Any:
    return page.locator("li.item").filter(has=page.get_by_role("heading", name=name))


def test_a_shared_bookmark_moves_through_review_to_approved_and_onto_the_team_list(
    web: dict[str, Any], screens: Any
) -> None:
    name = f"Python docs {uuid.uuid4().hex[:6]}"
    user = screens()
    page = user.open()
    user.shot("1-sign-in")
    user.sign_in(web["demo"])
    page.get_by_label("URL").fill("https://developer.mozilla.org/en-US/docs/Web/Accessibility")
    page.get_by_label("Name").fill("MDN: Accessibility")
    page.get_by_role("button", name="Save bookmark").click()
    expect(_item(page, "MDN: Accessibility").first).to_be_visible()
    page.get_by_label("URL").fill(f"https://docs.python.org/3/{uuid.uuid4().hex[:8]}")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Description (optional)").fill("The language reference, library and tutorials.")
    page.get_by_role("button", name="Save bookmark").click()
    item = _item(page, name)
    expect(item.get_by_text("Not shared")).to_be_visible()

    item.get_by_role("button", name=f"Share “{name}”").click()

    # The status moves on screen, with no reload, as the workflow runs.
    expect(item.get_by_text("In the contest: waiting for a moderator")).to_be_visible(timeout=30_000)
    user.shot("2-my-bookmarks-waiting")

    moderator = screens()
    moderator_page = moderator.open()
    moderator.sign_in(web["moderator"])
    moderator_page.get_by_role("link", name="Review queue").click()
    review = _item(moderator_page, name)
    expect(review).to_be_visible()
    moderator.shot("3-review-queue")
    review.get_by_role("button", name=f"Approve “{name}”").click()
    expect(moderator_page.get_by_role("status")).to_have_text(f"Approved “{name}”.")

    expect(item.get_by_text("Approved: on the team list")).to_be_visible(timeout=30_000)
    user.shot("4-my-bookmarks-approved")
    page.set_viewport_size(PHONE)
    user.shot("5-my-bookmarks-phone")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Team list").click()
    expect(_item(page, name)).to_be_visible()
    user.shot("6-team-list")


def test_a_bad_url_shows_the_field_error_from_the_form_and_from_the_api(
    web: dict[str, Any], screens: Any
) -> None:
    user = screens()
    page = user.open()
    user.sign_in(web["demo"])
    url = page.get_by_label("URL")
    page.get_by_label("Name").fill("Not a web link")

    url.fill("ftp://files.example.com/")
    page.get_by_role("button", name="Save bookmark").click()
    expect(page.get_by_text("URL: must start with http:// or https://.")).to_be_visible()
    expect(url).to_have_attribute("aria-invalid", "true")

    url.fill("https:///no-host")
    page.get_by_role("button", name="Save bookmark").click()

    # This one passes the form's check; the API's 400 names the field and the client shows it there.
    expect(page.get_by_text("URL: must name a host, with no spaces.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Please fix the marked fields.")
    user.shot("7-field-error")


def test_a_signed_out_user_is_sent_to_sign_in_and_back_where_they_were_going(
    web: dict[str, Any], screens: Any
) -> None:
    user = screens()
    page = user.open("#/team")
    expect(page).to_have_url(f"{web['url']}/#/sign-in")
    expect(page.get_by_role("status")).to_have_text("Sign in to continue.")

    user.sign_in(web["demo"])
    expect(page.get_by_role("heading", name="Team list")).to_be_visible()
    # moto 5.2.5 has no RevokeToken (AWS has): the client's best-effort revocation fails there, visibly.
    user.expected = (f"Access to fetch at '{web['aws_url']}/'", "Failed to load resource: net::ERR_FAILED")
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    assert page.evaluate("sessionStorage.getItem('bookmarks.session')") is None
    user.open("#/bookmarks")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
