"""Every path of the contest lifecycle, driven through the API's handlers, the table's real stream, the
domain events and the workflow on moto. After each step the status the owner sees, the team list and the
review queue must tell the same story, and the contest entry stays counted once."""

from collections.abc import Callable
from typing import Any

from bookmarks import contest
from tests.api_client import ApiClient
from tests.workflow_stack import WorkflowStack, eventually

ALICE = ApiClient("0a11ce00-0000-4000-8000-000000000001")
BOB = ApiClient("0b0b0000-0000-4000-8000-000000000002")
MODERATOR = ApiClient("0d0d0000-0000-4000-8000-000000000003", groups="[moderators]")
WAITING = {"entered", "resubmitted"}
EXPLAINED = {"duplicate", "invalid", "rejected", "withdrawn"}


def act(stack: WorkflowStack, user: ApiClient, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """One API call, then everything it sets off, until the workflow ends or waits for a moderator."""
    reply = user.request(method, path, body)
    assert reply.status < 300, reply.body
    stack.settle(stack.pump())
    answer: dict[str, Any] = reply.body
    return answer


def share(stack: WorkflowStack, user: ApiClient, url: str = "https://docs.example.org/guide") -> str:
    return str(act(stack, user, "POST", "/bookmarks", {"url": url, "name": "Guide", "shared": True})["id"])


def decide(stack: WorkflowStack, bookmark_id: str, decision: dict[str, str]) -> None:
    """A moderator's decision, then the waiting execution's end and what its outcome sets off."""
    waiting = stack.running()
    reply = MODERATOR.request("POST", f"/reviews/{bookmark_id}", decision)
    assert reply.status == 200, reply.body
    for execution in waiting:
        stack.finished(execution)
    stack.settle(stack.pump())


def seen(user: ApiClient, bookmark_id: str) -> dict[str, Any]:
    """What the owner, the team and the moderators see of the bookmark, checked to agree."""
    bookmark: dict[str, Any] = user.request("GET", f"/bookmarks/{bookmark_id}").body
    team = [item["id"] for item in BOB.request("GET", "/team/bookmarks").body["items"]]
    queue = [item["bookmark"]["id"] for item in MODERATOR.request("GET", "/reviews").body["items"]]
    status = bookmark["contest_status"]
    # Approved is listed; a new version in review (resubmitted) keeps its last approved version listed.
    if status != "resubmitted":
        assert (bookmark_id in team) == (status == "approved"), (status, team)
    assert (bookmark_id in queue) == (status in WAITING), (status, queue)
    assert team.count(bookmark_id) <= 1
    assert (bookmark["decision_reason"] is not None) == (status in EXPLAINED), bookmark["decision_reason"]
    return bookmark


def test_share_approve_unshare_share_withdraws_then_resubmits_without_a_second_entry(
    stack: WorkflowStack,
) -> None:
    bookmark_id = share(stack, ALICE)
    assert seen(ALICE, bookmark_id)["contest_status"] == "entered"

    decide(stack, bookmark_id, {"decision": "approve"})
    assert seen(ALICE, bookmark_id)["contest_status"] == "approved"

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"shared": False})
    withdrawn = seen(ALICE, bookmark_id)
    assert withdrawn["contest_status"] == "withdrawn"
    assert withdrawn["decision_reason"] == "its owner unshared it"

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"shared": True})
    assert seen(ALICE, bookmark_id)["contest_status"] == "resubmitted"

    decide(stack, bookmark_id, {"decision": "approve"})
    assert seen(ALICE, bookmark_id)["contest_status"] == "approved"
    assert contest.entries(ALICE.user) == 1
    assert len(stack.notifications("ContestNotificationsTopic")) == 1
    assert len(stack.notifications("ModerationTopic")) == 2


def test_share_reject_share_resubmits_and_shows_the_reason_meanwhile(stack: WorkflowStack) -> None:
    bookmark_id = share(stack, ALICE)

    decide(stack, bookmark_id, {"decision": "reject", "reason": "not about support"})
    rejected = seen(ALICE, bookmark_id)
    assert (rejected["contest_status"], rejected["decision_reason"]) == ("rejected", "not about support")

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"shared": True})
    resubmitted = seen(ALICE, bookmark_id)
    assert (resubmitted["contest_status"], resubmitted["decision_reason"]) == ("resubmitted", None)
    assert contest.entries(ALICE.user) == 1


def test_share_of_a_link_already_on_the_team_list_is_a_duplicate(stack: WorkflowStack) -> None:
    first = share(stack, BOB, url="https://docs.example.org/3/")
    decide(stack, first, {"decision": "approve"})

    mine = share(stack, ALICE, url="https://Docs.Example.org/3")
    own_again = share(stack, BOB, url="https://docs.example.org/3")

    for user, bookmark_id in ((ALICE, mine), (BOB, own_again)):
        duplicate = seen(user, bookmark_id)
        assert duplicate["contest_status"] == "duplicate"
        assert duplicate["decision_reason"] == "this link is already shared to the team"
    assert seen(BOB, first)["contest_status"] == "approved"


def test_share_of_a_link_outside_the_allowed_domains_is_invalid(stack: WorkflowStack) -> None:
    bookmark_id = share(stack, ALICE, url="https://help.example.zz/page")

    invalid = seen(ALICE, bookmark_id)

    assert invalid["contest_status"] == "invalid"
    assert invalid["decision_reason"] == "the link's domain is not on the allowed list"
    assert stack.notifications("ModerationTopic") == []


def test_unsharing_while_in_review_leaves_the_queue_and_the_wait_ends_recording_nothing(
    make_stack: Callable[..., WorkflowStack],
) -> None:
    stack = make_stack(review_timeout_seconds=10)  # long enough to share and unshare first
    bookmark_id = share(stack, ALICE)
    [waiting] = stack.running()

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"shared": False})

    assert seen(ALICE, bookmark_id)["contest_status"] == "withdrawn"
    assert "task_token" not in (stack.review_request(bookmark_id) or {})
    assert MODERATOR.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"}).status == 409
    # The dropped token cannot be resumed: the execution ends at its review timeout, and its outcome
    # write finds the bookmark withdrawn and leaves it so.
    assert stack.finished(waiting)["status"] == "SUCCEEDED"
    assert seen(ALICE, bookmark_id)["contest_status"] == "withdrawn"
    assert stack.notifications("NotificationsTopic") == []
    assert contest.entries(ALICE.user) == 1


def decide_version(stack: WorkflowStack, bookmark_id: str, decision: dict[str, str], outcome: str) -> None:
    """A moderator's decision on the current version. The execution of an edited-away version still
    waits (its token was replaced) until its timeout, so this waits for the outcome, not for every
    execution."""
    reply = MODERATOR.request("POST", f"/reviews/{bookmark_id}", decision)
    assert reply.status == 200, reply.body

    def decided() -> bool | None:
        stack.settle(stack.pump())
        return ALICE.request("GET", f"/bookmarks/{bookmark_id}").body["contest_status"] == outcome or None

    eventually(decided)


def team_item(bookmark_id: str) -> dict[str, Any] | None:
    items = BOB.request("GET", "/team/bookmarks").body["items"]
    return next((item for item in items if item["id"] == bookmark_id), None)


def queued(bookmark_id: str) -> dict[str, Any]:
    items = MODERATOR.request("GET", "/reviews").body["items"]
    [review] = [item for item in items if item["bookmark"]["id"] == bookmark_id]
    return dict(review)


def test_an_edit_in_review_is_a_new_version_and_a_decision_on_the_old_one_changes_nothing(
    stack: WorkflowStack,
) -> None:
    bookmark_id = share(stack, ALICE)
    old = queued(bookmark_id)

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"name": "Guide, renamed"})
    assert seen(ALICE, bookmark_id)["contest_status"] == "resubmitted"
    new = queued(bookmark_id)
    stale = MODERATOR.request(
        "POST", f"/reviews/{bookmark_id}", {"decision": "approve", "version": old["submitted_at"]}
    )

    assert new["submitted_at"] > old["submitted_at"]
    assert new["bookmark"]["name"] == "Guide, renamed"
    assert stale.status == 409
    assert "edited" in stale.body["message"]
    assert seen(ALICE, bookmark_id)["contest_status"] == "resubmitted"
    assert team_item(bookmark_id) is None
    decide_version(stack, bookmark_id, {"decision": "approve", "version": new["submitted_at"]}, "approved")
    listed = team_item(bookmark_id)
    assert listed is not None
    assert listed["name"] == "Guide, renamed"
    assert contest.entries(ALICE.user) == 1


def test_an_edit_of_a_published_bookmark_waits_for_its_own_approval_and_the_team_keeps_the_approved_one(
    stack: WorkflowStack,
) -> None:
    bookmark_id = share(stack, ALICE)
    decide(stack, bookmark_id, {"decision": "approve"})

    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"name": "Sneaky rename", "description": "new"})
    meanwhile = team_item(bookmark_id)
    assert seen(ALICE, bookmark_id)["contest_status"] == "resubmitted"
    assert queued(bookmark_id)["bookmark"]["name"] == "Sneaky rename"
    decide_version(stack, bookmark_id, {"decision": "reject", "reason": "not an improvement"}, "rejected")
    after_rejection = seen(ALICE, bookmark_id)

    assert meanwhile is not None
    assert (meanwhile["name"], meanwhile["description"], meanwhile["contest_status"]) == (
        "Guide",
        None,
        "approved",
    )
    # Turned down: the status says so, and the team list tells the same story.
    assert after_rejection["contest_status"] == "rejected"
    assert team_item(bookmark_id) is None
    act(stack, ALICE, "PUT", f"/bookmarks/{bookmark_id}", {"shared": True})
    decide_version(stack, bookmark_id, {"decision": "approve"}, "approved")
    listed = team_item(bookmark_id)
    assert listed is not None
    assert (listed["name"], listed["description"]) == ("Sneaky rename", "new")
    assert contest.entries(ALICE.user) == 1
