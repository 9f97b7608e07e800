"""The web client in headless Chromium against the local stack, driven as its users would: the whole story
(save, edit, delete, page, share, live contest status; with the publishing workflow, a live queue of
decisions and the team list), field errors from the form and from the API, focus after each action,
keyboard-only runs, a phone viewport, failures (409, 429, the API unreachable, a session that ends) and
an axe-core scan of every screen it stops on.

Each test signs in users of its own (except the story, whose screenshots show the demo users), so the lists
it reads hold only what it wrote; a list everyone shares is searched by the row's name.
Screenshots go to .local/screenshots/; with REFRESH_SCREENSHOTS=1 the story also refreshes the README's
docs/screenshot.png and docs/screenshot-phone.png (not on every run: they are tracked files)."""

import datetime
import itertools
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bookmarks.models import ContestStatus
from tests.e2e.http import Api, eventually
from tests.harness import ROOT
from tests.local_stack import PASSWORD, Target, local_target

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: `make install` adds it (dev group)"
)
from playwright.sync_api import Browser, expect  # noqa: E402 (after the skip above)

from tests.e2e.browser import (  # noqa: E402 (imports Playwright)
    AXE_CORE,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    VIEWPORTS,
    Screen,
    item,
    row_action,
)

DOCS = ROOT / "docs" if os.environ.get("REFRESH_SCREENSHOTS") == "1" else None

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's (`sudo apt-get install -y chromium`) "
    "or set CHROMIUM to a Chromium binary",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert AXE_CORE.exists(), f"axe-core is missing at {AXE_CORE}: run `make install` (it needs npm)"
    # The stack's first call to each function imports it (a cold start of a few seconds), so wait longer.
    expect.set_options(timeout=15_000)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def stack(local_stack: dict[str, Any]) -> Iterator[Target]:
    """The local stack as a Target, to make users of the tests' own; they are removed afterwards."""
    target = local_target(local_stack)
    yield target
    target.remove_users()


@pytest.fixture(scope="module")
def web(local_stack: dict[str, Any]) -> dict[str, Any]:
    """The local stack's web client: its URL (from web.json beside stack.json) and the demo users."""
    users = {u["email"].split("@")[0]: u for u in local_stack["users"]}  # "demo", and the workflow's
    url = json.loads((local_stack["state_dir"] / "web.json").read_text())["web_url"]
    return {
        "url": url,
        "aws_url": local_stack["aws_endpoint_url"],
        "api_url": local_stack["api_url"],
        **users,
    }


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


def _user(stack: Target, *groups: str) -> tuple[str, Api]:
    """A new user of this test: the email to sign in with (password PASSWORD) and their API client."""
    email = stack.new_user(groups)
    return email, stack.api(stack.id_token(email))


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def _api_route(web: dict[str, Any], path: str) -> re.Pattern[str]:
    """Matches the API's URL for ``path`` (query strings too), for page.route()."""
    return re.compile(re.escape(web["api_url"].rstrip("/") + path) + r"(\?.*)?$")


def _answer(web: dict[str, Any], body: Any, status: int = 200) -> Any:
    """A route handler answering as the API would to the web client's origin (CORS included)."""
    headers = {"Access-Control-Allow-Origin": web["url"], "Vary": "Origin"}
    return lambda route: route.fulfill(status=status, json=body, headers=headers)


def _answer_bookmark(web: dict[str, Any], bookmarks: list[dict[str, Any]], route: Any) -> None:
    """GET /bookmarks/{id} from a routed list: the bookmark, or the API's 404 for one no longer in it
    (the client may still be watching a bookmark of the list it showed before)."""
    found = next((b for b in bookmarks if route.request.url.endswith(b["id"])), None)
    if found is None:
        _answer(web, {"message": "No such bookmark.", "errors": None}, status=404)(route)
    else:
        _answer(web, found)(route)


# feature: workflow
def test_a_shared_bookmark_moves_through_a_live_review_queue_to_approved_and_onto_the_team_list(
    web: dict[str, Any], screens: Any
) -> None:
    name = _unique("Python docs")
    moderator = screens()
    moderator_page = moderator.page
    # The moderator's clock is Playwright's, so the queue's backoff can be skipped instead of waited for.
    moderator_page.clock.install()
    moderator.open("#/reviews")
    moderator.sign_in(web["moderator"]["email"], web["moderator"]["password"])
    expect(moderator_page.get_by_role("heading", name="Review queue", level=1)).to_be_focused()

    user = screens()
    page = user.open()
    user.shot("1-sign-in")
    user.sign_in(web["demo"]["email"], web["demo"]["password"])
    page.get_by_label("URL").fill("https://developer.mozilla.org/en-US/docs/Web/Accessibility")
    page.get_by_label("Name", exact=True).fill("MDN: Accessibility")
    page.get_by_role("button", name="Save bookmark").click()
    expect(item(page, "MDN: Accessibility").first).to_be_visible()
    page.get_by_label("URL").fill(f"https://docs.python.org/3/{uuid.uuid4().hex[:8]}")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Description (optional)").fill("The language reference, library and tutorials.")
    page.get_by_role("button", name="Save bookmark").click()
    row = item(page, name)
    expect(row.locator(".badge")).to_have_count(0)  # not shared: no tag to read

    row_action(page, name, "Share")

    # The status moves on screen, with no reload, as the workflow runs; focus stays on the shared row.
    expect(row.get_by_role("heading", name=name)).to_be_focused()
    expect(row.get_by_text("In the contest: waiting for a moderator")).to_be_visible(timeout=30_000)
    user.shot("2-my-bookmarks-waiting")
    user.check()

    # The queue the moderator opened before the share shows it without a reload, at its next poll.
    review = item(moderator_page, name)

    def queued() -> bool:
        # The queue's next poll, however far the workflow has got on a busy machine.
        moderator_page.clock.fast_forward(16_000)
        return bool(review.count() == 1)

    assert eventually(queued, timeout=30, interval=0.5)
    expect(review).to_be_visible()
    moderator.shot("3-review-queue")
    moderator.check()
    review.get_by_role("button", name=f"Approve “{name}”").click()
    expect(moderator_page.get_by_role("status")).to_contain_text(f"Approved “{name}”.")
    expect(review).to_have_count(0)

    expect(row.get_by_text("Approved: on the team list")).to_be_visible(timeout=30_000)
    user.shot("4-my-bookmarks-approved", DOCS and DOCS / "screenshot.png")
    page.set_viewport_size(PHONE)
    user.fits()
    user.shot("5-my-bookmarks-phone", DOCS and DOCS / "screenshot-phone.png")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Team list").click()
    expect(page.get_by_role("heading", name="Team list", level=1)).to_be_focused()
    expect(item(page, name)).to_be_visible()
    user.shot("6-team-list")
    user.check()


def test_a_moderators_queue_is_not_polled_while_its_tab_is_hidden(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, _ = _user(stack, "moderators")
    moderator = screens()
    page = moderator.page
    page.clock.install()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.method == "GET" and "/reviews" in r.url else None)
    moderator.open("#/reviews")
    moderator.sign_in(email, PASSWORD)
    expect(page.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    before = len(polls)

    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.clock.fast_forward(120_000)
    assert len(polls) == before, "the hidden tab kept calling the API"

    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.clock.fast_forward(100)
    page.wait_for_load_state("networkidle")
    assert len(polls) > before, "showing the tab again did not refresh the queue"


# Counts the review queue's calls and when they left, in the page's (Playwright's) time; a call is open
# until the app has its answer in full.
COUNT_REVIEW_CALLS = """
  window.reviewCalls = []; window.reviewCallsOpen = 0;
  const send = window.fetch;
  window.fetch = async (...args) => {
    if (!String(args[0]).includes("/reviews")) return send(...args);
    window.reviewCalls.push(Date.now()); window.reviewCallsOpen++;
    try {
      // Read whole here: the app's reading of it, and its next setTimeout, then follow in microtasks.
      const answer = await send(...args);
      return new Response(await answer.text(), { status: answer.status, headers: answer.headers });
    } finally { window.reviewCallsOpen--; }
  };
"""


def test_an_unchanged_review_queue_is_polled_less_and_less_often(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, _ = _user(stack, "moderators")
    moderator = screens()
    page = moderator.page
    page.add_init_script(COUNT_REVIEW_CALLS)
    # The queue is everyone's, and another test's submission arriving would rightly reset the backoff.
    page.route(_api_route(web, "/reviews"), _answer(web, {"items": []}))
    # The page's clock stands still (sign-in needs no timer) and moves only when the test moves it.
    now = datetime.datetime.now(datetime.UTC)
    page.clock.install(time=now)
    page.clock.pause_at(now + datetime.timedelta(seconds=1))
    moderator.open("#/reviews")
    moderator.sign_in(email, PASSWORD)
    settled = "window.reviewCalls.length > 0 && window.reviewCallsOpen === 0"

    def answered() -> bool:
        # Polled from here: wait_for_function evaluates a string in the page, which the app's CSP forbids.
        return bool(eventually(lambda: page.evaluate(settled), timeout=15, interval=0.02))

    assert answered()

    # A minute of the page's time, a second at a time, each call answered before the clock moves on.
    for _ in range(60):
        page.clock.run_for(1_000)
        assert answered()

    # The screen's load, then polls 1, 2, 4, 8 and 15 s apart, and every 15 s from then on.
    calls = page.evaluate("window.reviewCalls")
    gaps = [round((later - earlier) / 1_000) for earlier, later in itertools.pairwise(calls)]
    assert gaps[:5] == [1, 2, 4, 8, 15], gaps
    assert set(gaps[5:]) == {15}, gaps


# end feature: workflow


def test_a_bookmark_is_edited_refused_a_new_url_once_shared_and_deleted_with_focus_on_the_next_row(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, api = _user(stack)
    kept = api.create(url="https://example.com/kept", name="Kept")
    api.create(url="https://example.com/old-name", name="Old name")
    user = screens()
    page = user.open()
    user.sign_in(email, PASSWORD)
    row_action(page, "Old name", "Edit")
    expect(page.get_by_label("URL")).to_be_focused()
    expect(page.get_by_role("heading", name="Edit “Old name”")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("New name")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Saved your changes to “New name”.")
    expect(item(page, "New name").get_by_role("heading")).to_be_focused()

    # feature: contest
    # Shared, a bookmark keeps its URL: the API's 409 is shown by the URL field, which takes focus.
    row_action(page, "New name", "Share")
    expect(page.get_by_role("status")).to_contain_text("Shared “New name”: it is entering the contest.")
    row_action(page, "New name", "Edit")
    page.get_by_label("URL").fill("https://example.com/elsewhere")
    page.get_by_role("button", name="Save changes").click()
    url = page.get_by_label("URL")
    locked = "URL: can no longer change: this bookmark was shared to the contest."
    expect(page.get_by_text(locked)).to_be_visible()
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(url).to_be_focused()
    # The field says it, and no message covers the field.
    expect(page.get_by_role("alert")).to_be_hidden()
    # The contest moves the bookmark on meanwhile (before or after the refusal): its row follows, and the
    # error the reader has yet to act on stays by its field.
    expect(item(page, "New name")).to_contain_text("In the contest")
    expect(page.get_by_text(locked)).to_be_visible()
    user.check()
    page.get_by_role("button", name="Cancel editing").click()
    expect(item(page, "New name").get_by_role("heading")).to_be_focused()
    # end feature: contest

    row_action(page, "New name", "Delete")
    expect(page.get_by_role("status")).to_contain_text("Deleted “New name”.")
    expect(item(page, "New name")).to_be_hidden()
    expect(item(page, "Kept").get_by_role("heading")).to_be_focused()
    assert api.request("GET", f"/bookmarks/{kept['id']}").status == 200

    # Deleting the next one ends the first's undo: it is deleted now.
    row_action(page, "Kept", "Delete")
    expect(page.get_by_text("No bookmarks yet: save your first link with the form.")).to_be_visible()
    expect(page.get_by_role("heading", name="Saved")).to_be_focused()
    assert eventually(lambda: api.request("GET", "/bookmarks").body["items"] == [kept], timeout=10)


def test_paging_moves_focus_and_the_view_to_the_top_of_the_list(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, api = _user(stack)
    for number in range(12):
        api.create(url=f"https://example.com/page/{number}", name=f"Bookmark {number}")
    user = screens(PHONE)
    page = user.open()
    user.sign_in(email, PASSWORD)

    # Far down a phone's list, the message about a deletion is in view (at the window's bottom), and focus
    # is on the row before the deleted last one (the next page's first moves up once the delete is done).
    row_action(page, "Bookmark 2", "Delete")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Deleted “Bookmark 2”.")
    expect(status).to_be_in_viewport()
    expect(item(page, "Bookmark 3").get_by_role("heading")).to_be_focused()

    expect(item(page, "Bookmark 11")).to_be_visible()
    older = page.get_by_role("button", name="Older →")
    older.scroll_into_view_if_needed()

    older.click()

    expect(item(page, "Bookmark 0")).to_be_visible()
    expect(page.get_by_text("Page 2")).to_be_visible()
    saved = page.get_by_role("heading", name="Saved")
    expect(saved).to_be_focused()
    expect(saved).to_be_in_viewport()
    assert page.get_by_role("button", name="Older →").is_disabled()
    user.check()
    page.get_by_role("button", name="← Newer").click()
    expect(item(page, "Bookmark 11")).to_be_visible()
    expect(saved).to_be_in_viewport()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_in_and_the_bookmark_form_work_from_the_keyboard_alone(
    web: dict[str, Any], screens: Any, stack: Target, viewport: str
) -> None:
    email, _ = _user(stack)
    user = screens(VIEWPORTS[viewport])
    page = user.open()
    keyboard = page.keyboard
    expect(page.get_by_role("heading", name="Sign in")).to_be_focused()
    user.check()

    # Nothing typed: the app's own errors, one per field, and no browser bubble (the form is novalidate).
    keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    keyboard.press("Enter")
    expect(page.get_by_text("Email: enter the email you signed up with.")).to_be_visible()
    expect(page.get_by_text("Password: enter your password.")).to_be_visible()
    assert page.evaluate("[...document.forms].every((form) => form.noValidate)")
    expect(page.get_by_label("Email")).to_be_focused()
    user.check()

    keyboard.type(email)
    keyboard.press("Tab")
    keyboard.type("not-the-password")
    keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_label("Password")).to_have_value("")
    keyboard.type(PASSWORD)
    keyboard.press("Enter")

    # Signed in: the stale error is gone and focus is on the new screen's heading, not the page's body.
    expect(page.get_by_role("heading", name="My bookmarks")).to_be_focused()
    expect(page.get_by_role("alert")).to_be_hidden()

    keyboard.press("Tab")
    expect(page.get_by_label("URL")).to_be_focused()
    keyboard.type("https://example.com/a page with spaces")
    keyboard.press("Tab")
    long_name = "Unbroken" * 24  # 192 characters, one word (the field takes 200)
    keyboard.type(long_name)
    keyboard.press("Enter")
    # The form's check speaks the API's words, by the field, and puts focus back on it.
    expect(page.get_by_text("URL: must name a host, with no spaces.")).to_be_visible()
    expect(page.get_by_label("URL")).to_be_focused()
    keyboard.press("ControlOrMeta+a")
    keyboard.type("ftp://files.example.com/")
    keyboard.press("Enter")
    expect(page.get_by_text("URL: must start with http:// or https://.")).to_be_visible()
    keyboard.press("ControlOrMeta+a")
    keyboard.type(f"https://example.com/{'x' * 300}")
    for key in ("Tab", "Tab", "Tab", "Space", "Tab"):  # to Name, Description, the share box (ticked), Save
        keyboard.press(key)
    expect(page.get_by_role("button", name="Save bookmark")).to_be_focused()
    keyboard.press("Enter")

    # Saved: focus on the new row's heading; long names and URLs wrap, the page never scrolls sideways.
    row = item(page, long_name)
    expect(row.get_by_role("heading")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Saved and shared")
    user.within_window(row.get_by_role("button", name=re.compile("^Actions for")))
    user.check()
    user.shot(f"8-keyboard-{viewport}")


# Every status the lifecycle contract names, as the API would send it; the client must word each one.
LIFECYCLE = {
    "none": ("Not shared", False),
    "entering": ("Entering the contest…", True),
    "entered": ("In the contest", True),
    "resubmitted": ("Shared again: being checked once more", True),
    "duplicate": ("Duplicate: this link was already submitted", True),
    "invalid": ("Not accepted: its domain is not on the allowed list", True),
    "approved": ("Approved: on the team list", True),
    "rejected": ("Rejected by a moderator", True),
    "withdrawn": ("Withdrawn: off the team list; your contest entry still counts", False),
}
# feature: workflow
LIFECYCLE["entered"] = ("In the contest: waiting for a moderator", True)
# end feature: workflow


# feature: workflow
def test_a_url_outside_the_allowed_domains_is_refused_with_a_badge_that_wraps_on_a_phone(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, api = _user(stack)
    name = "N" * 120
    api.create(url=f"https://example.invalidtld/{uuid.uuid4().hex}", name=name, shared=True)
    user = screens(PHONE)
    page = user.open()
    user.sign_in(email, PASSWORD)
    row = item(page, name)
    expect(row.get_by_text(LIFECYCLE["invalid"][0])).to_be_visible(timeout=30_000)
    user.within_window(row.get_by_role("button", name=re.compile("^Actions for")))
    user.check()
    user.shot("9-invalid-phone")


# end feature: workflow


def test_every_contest_status_and_its_reason_are_shown_in_words(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    assert set(ContestStatus) <= set(LIFECYCLE), "a status of the API has no words in this test"
    email, _ = _user(stack)
    stamp = "2026-01-02T03:04:05Z"
    bookmarks = [
        {
            "id": f"id-{status}",
            "url": f"https://example.com/{status}",
            "name": f"Status {status}",
            "description": None,
            "shared": shared,
            "contest_status": status,
            "created_at": stamp,
            "updated_at": stamp,
            "decision_reason": "Off topic for the team." if status == "rejected" else None,
        }
        for status, (_, shared) in LIFECYCLE.items()
    ]
    # Shared while no contest runs (a template without it): shared, and nothing pending.
    bookmarks.append({**bookmarks[0], "id": "id-no-contest", "name": "No contest", "shared": True})
    user = screens(PHONE)
    page = user.open()
    user.sign_in(email, PASSWORD)
    # The API's answers with every status (the lifecycle's new fields included), as the browser gets them.
    page.route(_api_route(web, "/bookmarks"), _answer(web, {"items": bookmarks, "next_cursor": None}))
    page.route(
        re.compile(re.escape(web["api_url"].rstrip("/")) + r"/bookmarks/id-.*"),
        lambda route: _answer_bookmark(web, bookmarks, route),
    )
    page.reload()
    for status, (words, _) in LIFECYCLE.items():
        if status == "none":  # a bookmark never shared carries no tag at all
            expect(item(page, "Status none").locator(".badge")).to_have_count(0)
            continue
        expect(item(page, f"Status {status}").get_by_text(words, exact=True)).to_be_visible()
    expect(item(page, "Status rejected").get_by_text("Why: Off topic for the team.")).to_be_visible()
    expect(item(page, "No contest").get_by_text("Shared", exact=True)).to_be_visible()
    user.check()
    user.shot("10-every-status-phone")

    # An owner who unshared an approved bookmark is never told it is on the team list.
    bookmarks[:] = [{**bookmarks[6], "shared": False}]
    page.reload()
    expect(item(page, "Status approved").get_by_text(LIFECYCLE["withdrawn"][0])).to_be_visible()

    # feature: workflow
    team = [{**bookmarks[0], "shared": True, "shared_by": "ana@example.com", "published_at": stamp}]
    page.route(_api_route(web, "/team/bookmarks"), _answer(web, {"items": team, "next_cursor": None}))
    page.get_by_role("link", name="Team list").click()
    provenance = re.compile(r"^Shared by ana@example\.com, published ")
    expect(item(page, "Status approved").get_by_text(provenance)).to_be_visible()
    # end feature: workflow
    user.check()

    # The scan sees what it is there to see: an image with no text alternative fails it.
    page.evaluate("document.querySelector('main').append(Object.assign(new Image(), {src: 'data:,'}))")
    with pytest.raises(AssertionError, match="image-alt"):
        user.check()


def test_failures_are_said_where_the_reader_looks_and_keep_what_they_typed(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    email, api = _user(stack)
    api.create(url="https://example.com/failures-test", name="Mine")
    user = screens()
    page = user.open("#/bookmarks")
    cognito = re.compile(re.escape(web["aws_url"].rstrip("/")) + r"/?$")
    heading = page.get_by_role("heading", name="My bookmarks", level=1)

    # The sign-in service unreachable: said so, and the password is still there to try again.
    user.expected = ("Failed to load resource: net::ERR_", f"Access to fetch at '{web['aws_url']}")
    page.route(cognito, lambda route: route.abort())
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Could not reach the sign-in service: check your connection and try again."
    )
    expect(page.get_by_label("Password")).to_have_value(PASSWORD)
    page.unroute(cognito)
    page.get_by_role("button", name="Sign in").click()
    expect(heading).to_be_focused()
    expect(item(page, "Mine")).to_be_visible()

    # The API unreachable: not an empty list, no pager to page through nothing, and a way to try again.
    mine = _api_route(web, "/bookmarks")
    page.route(mine, lambda route: route.abort())
    page.reload()
    expect(page.get_by_text("This list could not be loaded.")).to_be_visible()
    unreachable = "Could not reach the API: check your connection and try again."
    expect(page.get_by_role("alert")).to_contain_text(unreachable)
    expect(page.get_by_role("navigation", name="Pages of my bookmarks")).to_be_hidden()
    user.check()
    page.unroute(mine)
    page.get_by_role("main").get_by_role("button", name="Try again").click()
    expect(page.get_by_text("This list could not be loaded.")).to_be_hidden()
    expect(item(page, "Mine")).to_be_visible()
    # The retry succeeded: the error is gone, and focus is on the list, not the page's body.
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.get_by_role("heading", name="Saved")).to_be_focused()

    # Throttled (429): the reader is told to slow down, and the list offers to try again.
    page.route(mine, _answer(web, {"message": "Too Many Requests"}, status=429))
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many requests: slow down and try again in a moment."
    )
    page.unroute(mine)
    page.get_by_role("alert").get_by_role("button", name="Try again").click()
    expect(item(page, "Mine")).to_be_visible()

    # The session ends (its tokens no longer accepted): sign in again, and land back on the same page.
    page.evaluate(
        "const s = JSON.parse(sessionStorage.getItem('bookmarks.session'));"
        "sessionStorage.setItem('bookmarks.session', JSON.stringify({...s, idToken: s.idToken + 'x',"
        " refreshToken: 'revoked'}));"
    )
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Your session has ended: sign in again.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_focused()
    user.check()
    user.sign_in(email, PASSWORD)
    expect(heading).to_be_focused()


# Where the signed-out user was going: a screen other than the one sign-in lands on, while the client has
# one (the workflow's team list); without it, the only screen.
SIGNED_OUT_DESTINATION = ("#/bookmarks", "My bookmarks")
# feature: workflow
SIGNED_OUT_DESTINATION = ("#/team", "Team list")
# end feature: workflow


def test_a_signed_out_user_is_sent_to_sign_in_and_back_where_they_were_going(
    web: dict[str, Any], screens: Any
) -> None:
    going_to, heading = SIGNED_OUT_DESTINATION
    user = screens()
    page = user.open(going_to)
    expect(page).to_have_url(f"{web['url']}/#/sign-in")
    expect(page.get_by_role("status")).to_contain_text("Sign in to continue.")

    user.sign_in(web["demo"]["email"], web["demo"]["password"])
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # moto 5.2.5 has no RevokeToken (AWS has): the client's best-effort revocation fails there, visibly.
    user.expected = (f"Access to fetch at '{web['aws_url']}/'", "Failed to load resource: net::ERR_FAILED")
    page.get_by_role("button", name="Account").click()
    # Where it matters, the local stack says what it cannot do.
    expect(page.get_by_text("the embedded Cognito has no RevokeToken")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("status")).to_contain_text(
        "You are signed out of this tab, but the sign-in service could not revoke your refresh token"
    )
    assert page.evaluate("sessionStorage.getItem('bookmarks.session')") is None
    user.open("#/bookmarks")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_observability_view_shows_a_saved_bookmarks_trace_its_metric_and_the_alarms(
    web: dict[str, Any], screens: Any, stack: Target
) -> None:
    _, api = _user(stack)
    saved = api.request("POST", "/bookmarks", {"url": "https://example.com/traced", "name": "Traced"})
    trace_id = saved.headers["X-Amzn-Trace-Id"].removeprefix("Root=")
    viewer = screens()
    page = viewer.page

    # The view is rendered on the server from what the stack collected: reload until the trace is in.
    def shows_the_trace() -> bool:
        page.goto(f"{web['url']}/observability?trace={trace_id}")
        return bool(page.get_by_role("link", name=trace_id).count() == 1)

    assert eventually(shows_the_trace, timeout=30), f"trace {trace_id} never reached the view"
    expect(page.get_by_role("heading", name=f"Timeline of {trace_id}")).to_be_visible()
    expect(page.locator("svg")).to_be_visible()
    metrics = page.locator("table").filter(has=page.get_by_role("columnheader", name="sum"))
    expect(metrics.get_by_role("cell", name="Bookmarks/BookmarkCreated")).to_be_visible()
    alarms = page.locator("table").filter(has=page.get_by_role("columnheader", name="state"))
    expect(alarms.get_by_role("cell", name="OK").first).to_be_visible()
    viewer.check()
    viewer.shot("11-observability", also=DOCS / "observability.png" if DOCS else None)
    # Readable on a phone (its tables scroll in their boxes, never the page), and a way back to the app.
    page.set_viewport_size(PHONE)
    viewer.check()
    viewer.shot("12-observability-phone")
    page.get_by_role("link", name="Back to the app").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_broken_session_signs_out_and_a_hanging_api_shows_progress_gives_up_and_recovers(
    web: dict[str, Any], screens: Any, stack: Target, viewport: str
) -> None:
    email, api = _user(stack)
    api.create(url="https://example.com/hanging", name="Still here")
    user = screens(VIEWPORTS[viewport])
    page = user.page
    # The page's clock, so the client's time-out is reached at once instead of waited for.
    page.clock.install()
    user.open()
    # Started (it reads the session once, at start), so the broken session is read by the reload below.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # A token that is not a JWT at all: signed out cleanly, said so, no page error.
    page.evaluate(
        "sessionStorage.setItem('bookmarks.session', JSON.stringify({idToken: 'not-a-jwt', refreshToken: 'x',"
        " expiresAt: Date.now() + 3600000}))"
    )
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text(
        "Your session could not be read, so you were signed out"
    )
    user.sign_in(email, PASSWORD)
    expect(item(page, "Still here")).to_be_visible()
    # The header is one line, on a phone too.
    header = page.locator("header.topbar").bounding_box()
    assert header is not None
    assert header["height"] < 64, header

    # The API hangs: placeholders and a progress bar, then the stated time-out and a way to try again.
    hanging: list[Any] = []
    mine = _api_route(web, "/bookmarks")
    page.route(mine, lambda route: hanging.append(route))
    page.reload()
    expect(page.locator("li.skeleton").first).to_be_visible()
    expect(page.get_by_role("main").locator("[aria-busy=true]")).to_have_count(1)
    page.clock.fast_forward(1_000)
    expect(page.locator("#progress")).to_be_visible()
    user.check()
    page.clock.fast_forward(15_000)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The API did not answer within 15 seconds; try again.")
    expect(page.get_by_text("This list could not be loaded.")).to_be_visible()
    expect(page.locator("#progress")).to_be_hidden()
    user.check()
    page.emulate_media(color_scheme="dark")
    user.check()  # axe-core checks the dark colours' contrast too
    user.shot(
        f"13-timed-out-dark-{viewport}",
        DOCS / "screenshot-dark.png" if DOCS and viewport == "desktop" else None,
    )
    page.emulate_media(color_scheme="light")

    # It recovers: the retry from the message loads the list, the error goes, focus is back on the page.
    page.unroute(mine)
    alert.get_by_role("button", name="Try again").click()
    expect(item(page, "Still here")).to_be_visible()
    expect(alert).to_be_hidden()
    expect(page.get_by_role("heading", name="My bookmarks", level=1)).to_be_focused()
    user.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_form_names_each_fields_problem_warns_of_a_duplicate_and_a_delete_can_be_undone(
    web: dict[str, Any], screens: Any, stack: Target, viewport: str
) -> None:
    email, api = _user(stack)
    existing = api.create(url="https://example.com/already", name="Already saved")
    user = screens(VIEWPORTS[viewport])
    page = user.page
    page.clock.install()  # the undo's time passes at once when the test says
    user.open()
    user.sign_in(email, PASSWORD)
    url, name = page.get_by_label("URL"), page.get_by_label("Name", exact=True)
    save = page.locator("form").get_by_role("button", name=re.compile("^Save"))

    # "https://" alone, and a name over its limit: each field says what is wrong, and nothing is cut.
    url.fill("https://")
    name.fill("N" * 230)
    expect(page.get_by_text("230 / 200")).to_be_visible()
    save.click()
    expect(page.get_by_text("URL: must name a host, with no spaces.")).to_be_visible()
    expect(page.get_by_text("Name: must be at most 200 characters (it has 230).")).to_be_visible()
    expect(url).to_be_focused()
    expect(page.get_by_role("alert")).to_be_hidden()
    user.check()

    # A field error the API names (routed: the form's own check passes) lands on that field, in view.
    refused = {
        "message": "Some fields need a fix.",
        "errors": [{"field": "description", "problem": "is odd"}],
    }
    page.route(
        _api_route(web, "/bookmarks"),
        lambda route: (
            _answer(web, refused, status=400)(route) if route.request.method == "POST" else route.fallback()
        ),
    )
    url.fill("https://example.com/new-one")
    name.fill("New one")
    page.get_by_label("Description (optional)").fill("odd")
    page.clock.fast_forward(1_000)  # past the duplicate check's pause
    save.click()
    description = page.get_by_label("Description (optional)")
    expect(page.get_by_text("Description (optional): is odd.")).to_be_visible()
    expect(description).to_be_focused()
    expect(description).to_be_in_viewport()
    page.unroute(_api_route(web, "/bookmarks"))

    # A link saved before (in another form of the same URL): warned as it is typed, before it is saved;
    # Save anyway saves.
    description.fill("")
    url.fill("https://EXAMPLE.com/already/")
    warning = page.get_by_text("You already saved this link as “Already saved”.")
    expect(warning).to_be_visible()
    expect(save).to_have_text("Save anyway")
    assert len(api.request("GET", "/bookmarks").body["items"]) == 1, "saved before the warning was read"
    user.check()
    save.click()
    expect(page.get_by_role("status")).to_contain_text("Saved “New one”.")
    expect(warning).to_be_hidden()

    # The team list holds a link (routed answer): said as the URL is typed.
    page.route(
        _api_route(web, "/bookmarks/check"), _answer(web, {"url": "x", "mine": [], "on_team_list": True})
    )
    url.fill("https://example.com/on-the-team-list")
    page.clock.fast_forward(1_000)
    expect(page.get_by_text("The team list already has it.")).to_be_visible()
    page.unroute(_api_route(web, "/bookmarks/check"))

    # Delete: the row goes at once, Undo brings it back with focus on it; no browser dialog, nothing lost.
    row_action(page, "Already saved", "Delete")
    expect(item(page, "Already saved")).to_be_hidden()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Deleted “Already saved”.")
    status.get_by_role("button", name="Undo").click()
    expect(item(page, "Already saved").get_by_role("heading")).to_be_focused()
    expect(status).to_contain_text("Kept “Already saved”.")
    page.clock.fast_forward(10_000)
    assert api.request("GET", f"/bookmarks/{existing['id']}").status == 200

    # Deleted again and left alone: when its message goes, the delete happens.
    row_action(page, "Already saved", "Delete")
    expect(status.get_by_role("button", name="Undo")).to_be_visible()
    user.check()
    page.mouse.move(0, 0)  # off the message, which waits while pointed at
    page.clock.fast_forward(7_000)
    expect(status).to_be_hidden()
    assert eventually(lambda: api.request("GET", f"/bookmarks/{existing['id']}").status == 404, timeout=10)
