"""Racing requests on one bookmark over HTTP, as AWS runs them: many at once, each in a function
environment of its own, the triggers side by side and every event delivered at least once. Once the
stack is quiet, the bookmark, the review queue, the team list and the contest agree."""

import json
import os
import random
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import _deployed_outputs, wait_for
from tests.e2e.http import Answer, Api
from tests.local_stack import Target

RACERS = 20
IN_REVIEW = {"entered", "resubmitted"}
# What a request that lost a race may answer: done, not found (no review yet, or taken off the queue),
# or conflict (decided already, or a version no longer current). A 503 must say when to try again.
EXPECTED = {200, 404, 409}


def _pages(api: Api, path: str) -> list[dict[str, Any]]:
    """Every item of a paged list, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):  # bounded: a list that pages forever fails the test, not hangs it
        query = f"?limit=100&cursor={urllib.parse.quote(cursor)}" if cursor else "?limit=100"
        answer = api.request("GET", path + query)
        assert answer.status == 200, (path, answer.status, answer.body)
        items += answer.body["items"]
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return items
    raise AssertionError(f"{path} did not end within 100 pages")


def _queued(moderator: Api, bookmark_id: str) -> list[dict[str, Any]]:
    return [item for item in _pages(moderator, "/reviews") if item["bookmark"]["id"] == bookmark_id]


def _listed(api: Api, bookmark_id: str) -> list[dict[str, Any]]:
    return [item for item in _pages(api, "/team/bookmarks") if item["id"] == bookmark_id]


def _health(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the local stack's own check)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _bookmarks_table(target: Target, request: pytest.FixtureRequest) -> str:
    if target.local:
        state = request.getfixturevalue("local_stack")["state_dir"]
        return str(json.loads((state / "resources.json").read_text())["physical"]["BookmarksTable"])
    return _deployed_outputs(target.session, os.environ["AWS_SAM_STACK_NAME"])["BookmarksTableName"]


def _contest_entries(target: Target, table: str, email: str) -> int:
    """The owner's entry count, read as the contest's operator would (README: drawing a winner)."""
    from bookmarks import layout  # the table's key layout, written once

    attributes = target.cognito().admin_get_user(UserPoolId=target.user_pool_id, Username=email)
    sub = next(a["Value"] for a in attributes["UserAttributes"] if a["Name"] == "sub")
    item = target.client("dynamodb").get_item(
        TableName=table, Key=layout.entrant_key(sub), ConsistentRead=True
    )
    return int(item.get("Item", {}).get("entries", {}).get("N", "0"))


def _quiet(
    owner: Api, moderator: Api, bookmark_id: str
) -> tuple[dict[str, Any], list[Any], list[Any]] | None:
    """The bookmark, its queue entries and its team-list entries, once two reads in a row agree and it
    is not on its way anywhere (entering the contest, or approved but not yet listed)."""
    first = (owner.request("GET", f"/bookmarks/{bookmark_id}").body, _queued(moderator, bookmark_id))
    listed = _listed(owner, bookmark_id)
    again = (owner.request("GET", f"/bookmarks/{bookmark_id}").body, _queued(moderator, bookmark_id))
    bookmark = first[0]
    if first != again or bookmark["contest_status"] in ("none", "entering"):
        return None
    if bookmark["contest_status"] == "approved" and not listed:
        return None  # published a moment from now
    if bookmark["contest_status"] in IN_REVIEW and not first[1]:
        return None  # checked, not yet waiting for a moderator
    return bookmark, first[1], listed


# A known race, found by this test once the review-of-a-version rules landed (issue 25 stays open for it):
# an approval answers 200, then an edit makes a new version before the workflow records the approval, and
# the outcome write refuses the old version, so the approved snapshot never reaches the team list. The
# fix is for the workflow to publish the approved snapshot whatever version is current.
@pytest.mark.xfail(
    reason="an approval accepted just before an edit's new version is not published (issue 25)", strict=False
)
def test_twenty_racing_edits_shares_and_approvals_leave_one_entry_and_a_true_status(
    target: Target, request: pytest.FixtureRequest
) -> None:
    """Given a shared bookmark waiting for a moderator, when its owner edits and shares it and three
    moderators approve it, twenty requests at once, then no request fails as the server's fault, and once
    the stack is quiet the contest counts the entry once, the status is what the queue and the team list
    show, the team list shows only what a moderator approved, and no trigger is stuck.

    The edits write the reviewed fields with the text the moderators see (name and description as
    submitted): they race on the item like any edit, whichever review rules decide what an edit of the
    text does to a published bookmark."""
    owner = target.signed_in()
    email = target.created_users[-1]
    moderators = [target.signed_in(groups=("moderators",)) for _ in range(3)]
    text = {"name": "Raced " + uuid.uuid4().hex[:6], "description": "Twenty at once"}
    url = f"https://e2e-{uuid.uuid4().hex[:10]}.example.com/race"
    shared = owner.create(url=url, shared=True, **text)
    wait_for(lambda: _queued(moderators[0], shared["id"]), timeout=60)
    path = f"/bookmarks/{shared['id']}"
    racers: list[tuple[str, Api, str, str, dict[str, Any]]] = [
        *(("edit", owner, "PUT", path, dict(text)) for _ in range(7)),
        *(("share", owner, "PUT", path, {"shared": True}) for _ in range(7)),
        *(
            ("approve", moderators[n % 3], "POST", f"/reviews/{shared['id']}", {"decision": "approve"})
            for n in range(6)
        ),
    ]
    random.shuffle(racers)
    assert len(racers) == RACERS

    def run(racer: tuple[str, Api, str, str, dict[str, Any]]) -> tuple[str, Answer]:
        kind, api, method, where, body = racer
        return kind, api.request(method, where, body)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(run, racers))

    unexpected = [
        (kind, answer.status, answer.body)
        for kind, answer in answers
        if answer.status not in EXPECTED and not (answer.status == 503 and "Retry-After" in answer.headers)
    ]
    assert unexpected == []
    approved = [answer for kind, answer in answers if kind == "approve" and answer.status == 200]
    assert len(approved) <= 1, "two moderators' approvals of one submission both succeeded"
    assert any(kind == "share" and answer.status == 200 for kind, answer in answers)

    bookmark, queued, listed = wait_for(lambda: _quiet(owner, moderators[0], shared["id"]), timeout=90)

    assert _contest_entries(target, _bookmarks_table(target, request), email) == 1
    assert bookmark["shared"] is True
    assert len(queued) <= 1
    assert len(listed) <= 1
    if bookmark["contest_status"] == "approved":
        assert (queued, len(listed)) == ([], 1)
    else:  # an approval lost to another writer, or a newer version still waits for its own
        assert bookmark["contest_status"] in IN_REVIEW, bookmark
        assert len(queued) == 1, queued
    if approved:
        assert listed, "an approval answered 200 and the team list does not show the bookmark"
    for item in listed:
        assert (item["url"], item["name"], item["description"]) == (url, text["name"], text["description"])
    if target.health_url:  # only the local stack has one; on AWS, the alarms say a trigger is stuck
        status, report = _health(target.health_url)
        assert (status, report["healthy"]) == (200, True), report
