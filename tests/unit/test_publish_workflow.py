"""The publishing workflow, run for real: the state machine made from statemachine/publish_bookmark.asl.json
with the template's substitutions, executed by moto's Step Functions against its DynamoDB and SNS, and
moderated through the review API's handler."""

import json
from collections.abc import Callable

import boto3
import pytest

from bookmarks.ids import new_bookmark_id
from bookmarks.urls import url_key
from tests.api_client import ApiClient
from tests.workflow_stack import WorkflowStack, domain_event

ALICE = "0a11ce00-0000-4000-8000-000000000001"
BOB = "0b0b0000-0000-4000-8000-000000000002"
COULD_NOT_COMPLETE = "the review could not be completed"


@pytest.fixture
def alice() -> ApiClient:
    return ApiClient(ALICE)


@pytest.fixture
def bob() -> ApiClient:
    return ApiClient(BOB)


@pytest.fixture
def moderator() -> ApiClient:
    return ApiClient("0d0d0000-0000-4000-8000-000000000003", groups="[moderators]")


def share(
    stack: WorkflowStack, user: ApiClient, url: str = "https://docs.example.org/guide"
) -> tuple[str, str]:
    """``user`` shares a bookmark and the contest records it; returns its id and the execution's ARN."""
    created = user.create(url=url, shared=True)
    return created["id"], stack.enter(user.user, created["id"])


def team_ids(user: ApiClient) -> list[str]:
    reply = user.request("GET", "/team/bookmarks")
    assert reply.status == 200, reply.body
    return [item["id"] for item in reply.body["items"]]


def test_unshared_bookmark_starts_no_execution(stack: WorkflowStack, alice: ApiClient) -> None:
    created = alice.create()
    events = [
        domain_event("BookmarkCreated", created["id"], ALICE, "none", "none"),
        domain_event("BookmarkUpdated", created["id"], ALICE, "none", "none"),
    ]

    started = [stack.deliver(event) for event in events]

    assert started == [None, None]
    executions = stack.sfn.list_executions(stateMachineArn=stack.refs["PublishBookmarkStateMachine"])
    assert executions["executions"] == []


def test_approved_bookmark_is_published_to_the_team_list(
    stack: WorkflowStack, alice: ApiClient, bob: ApiClient, moderator: ApiClient
) -> None:
    bookmark_id, execution = share(stack, alice)
    token = stack.awaiting_review(bookmark_id)["task_token"]["S"]
    pending = moderator.request("GET", "/reviews")

    decided = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})

    assert [item["bookmark"]["id"] for item in pending.body["items"]] == [bookmark_id]
    assert token not in json.dumps(pending.body)
    assert decided.status == 200, decided.body
    assert decided.body["contest_status"] == "approved"
    assert token not in json.dumps(decided.body)
    assert stack.finished(execution)["status"] == "SUCCEEDED"
    assert alice.request("GET", f"/bookmarks/{bookmark_id}").body["contest_status"] == "approved"
    assert team_ids(bob) == [bookmark_id]
    assert "task_token" not in stack.review_request(bookmark_id)  # type: ignore[operator]
    assert moderator.request("GET", "/reviews").body["items"] == []


def test_moderators_hear_of_a_review_by_ids_only(stack: WorkflowStack, alice: ApiClient) -> None:
    bookmark_id, _ = share(stack, alice)
    token = stack.awaiting_review(bookmark_id)["task_token"]["S"]

    [(message, attributes)] = stack.notifications("ModerationTopic")

    assert bookmark_id in message
    assert attributes == {"bookmark_id": bookmark_id}
    assert token not in message
    assert "example.org" not in message


def test_approving_twice_is_a_conflict(stack: WorkflowStack, alice: ApiClient, moderator: ApiClient) -> None:
    bookmark_id, execution = share(stack, alice)
    stack.awaiting_review(bookmark_id)

    first = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})
    second = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})
    stack.finished(execution)
    third = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "reject"})

    assert (first.status, second.status, third.status) == (200, 409, 409)


def test_rejected_bookmark_is_recorded_told_and_never_listed(
    stack: WorkflowStack, alice: ApiClient, bob: ApiClient, moderator: ApiClient
) -> None:
    bookmark_id, execution = share(stack, alice)
    stack.awaiting_review(bookmark_id)

    decided = moderator.request(
        "POST", f"/reviews/{bookmark_id}", {"decision": "reject", "reason": "not about support"}
    )

    assert decided.status == 200
    assert decided.body["contest_status"] == "rejected"
    assert stack.finished(execution)["status"] == "SUCCEEDED"
    stored = stack.stored(ALICE, bookmark_id)
    assert stored["contest_status"]["S"] == "rejected"
    assert stored["decision_reason"]["S"] == "not about support"
    assert team_ids(bob) == []
    [(message, attributes)] = stack.notifications("NotificationsTopic")
    assert attributes == {"bookmark_id": bookmark_id, "owner": ALICE, "outcome": "rejected"}
    assert "not about support" in message
    assert "example.org" not in message
    assert "@" not in message


def test_review_nobody_decides_in_time_is_rejected(
    make_stack: Callable[..., WorkflowStack], alice: ApiClient, moderator: ApiClient
) -> None:
    stack = make_stack(review_timeout_seconds=1)
    bookmark_id, execution = share(stack, alice)

    outcome = stack.finished(execution)
    late = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})

    assert outcome["status"] == "SUCCEEDED"
    stored = stack.stored(ALICE, bookmark_id)
    assert stored["contest_status"]["S"] == "rejected"
    assert stored["decision_reason"]["S"] == "no moderator decided in time"
    assert alice.request("GET", f"/bookmarks/{bookmark_id}").body["decision_reason"] == (
        "no moderator decided in time"
    )
    assert late.status == 409
    [(_, attributes)] = stack.notifications("NotificationsTopic")
    assert attributes["outcome"] == "rejected"


def test_same_link_from_a_second_user_is_a_duplicate(
    stack: WorkflowStack, alice: ApiClient, bob: ApiClient
) -> None:
    share(stack, alice, url="https://Docs.Example.org/guide/")
    stack.awaiting_review(alice.request("GET", "/bookmarks").body["items"][0]["id"])

    bookmark_id, execution = share(stack, bob, url="https://docs.example.org/guide")

    assert stack.finished(execution)["status"] == "SUCCEEDED"
    stored = stack.stored(BOB, bookmark_id)
    assert stored["contest_status"]["S"] == "duplicate"
    assert stored["decision_reason"]["S"] == "this link is already shared to the team"
    assert "task_token" not in (stack.review_request(bookmark_id) or {})
    [(_, attributes)] = stack.notifications("NotificationsTopic")
    assert attributes["outcome"] == "duplicate"


def test_the_earlier_of_two_near_simultaneous_submissions_is_not_the_duplicate(
    stack: WorkflowStack, alice: ApiClient, bob: ApiClient
) -> None:
    first = alice.create(url="https://docs.example.org/race", shared=True)["id"]
    second = bob.create(url="https://docs.example.org/race", shared=True)["id"]
    # Both entries are recorded before either workflow runs its duplicate check.
    for owner, bookmark_id in ((ALICE, first), (BOB, second)):
        stack.record_entry(owner, bookmark_id)

    first_execution = stack.deliver(domain_event("ContestEntryRecorded", first, ALICE, "entered", "entering"))
    stack.awaiting_review(first)
    second_execution = stack.deliver(domain_event("ContestEntryRecorded", second, BOB, "entered", "entering"))

    assert first_execution is not None
    assert second_execution is not None
    assert stack.finished(second_execution)["status"] == "SUCCEEDED"
    assert stack.stored(BOB, second)["contest_status"]["S"] == "duplicate"
    assert stack.stored(ALICE, first)["contest_status"]["S"] == "entered"  # still waiting for a moderator


def test_same_link_shared_again_by_its_owner_is_a_duplicate(stack: WorkflowStack, alice: ApiClient) -> None:
    first, _ = share(stack, alice, url="https://docs.example.org/guide/3/")
    stack.awaiting_review(first)

    bookmark_id, execution = share(stack, alice, url="https://docs.example.org/guide/3")

    assert stack.finished(execution)["status"] == "SUCCEEDED"
    assert stack.stored(ALICE, bookmark_id)["contest_status"]["S"] == "duplicate"
    assert stack.stored(ALICE, first)["contest_status"]["S"] == "entered"


def test_link_outside_the_allowed_domains_is_invalid(stack: WorkflowStack, alice: ApiClient) -> None:
    bookmark_id, execution = share(stack, alice, url="https://help.example.zz/page")

    assert stack.finished(execution)["status"] == "SUCCEEDED"
    stored = stack.stored(ALICE, bookmark_id)
    assert stored["contest_status"]["S"] == "invalid"
    assert "task_token" not in (stack.review_request(bookmark_id) or {})
    assert stack.notifications("ModerationTopic") == []


def test_failing_step_ends_in_a_recorded_and_told_rejection(stack: WorkflowStack, alice: ApiClient) -> None:
    boto3.client("sns").delete_topic(TopicArn=stack.refs["ModerationTopic"])

    bookmark_id, execution = share(stack, alice)

    assert stack.finished(execution)["status"] == "SUCCEEDED"
    stored = stack.stored(ALICE, bookmark_id)
    assert stored["contest_status"]["S"] == "rejected"
    assert stored["decision_reason"]["S"] == COULD_NOT_COMPLETE
    [(_, attributes)] = stack.notifications("NotificationsTopic")
    assert attributes["outcome"] == "rejected"


def test_a_redelivered_event_starts_a_second_execution_that_changes_nothing(
    stack: WorkflowStack, alice: ApiClient
) -> None:
    bookmark_id, first = share(stack, alice)
    token = stack.awaiting_review(bookmark_id)["task_token"]["S"]
    event = domain_event("ContestEntryRecorded", bookmark_id, ALICE, "entered", "entering")

    second = stack.deliver(event)

    assert second is not None
    assert second != first  # EventBridge names each execution afresh, so AWS starts this one too
    assert stack.finished(second)["status"] == "SUCCEEDED"
    assert stack.awaiting_review(bookmark_id)["task_token"]["S"] == token
    assert len(stack.notifications("ModerationTopic")) == 1
    assert len(stack.notifications("ContestNotificationsTopic")) == 1
    assert stack.sfn.describe_execution(executionArn=first)["status"] == "RUNNING"


def test_two_executions_of_one_event_give_one_review_and_one_notice_each(
    stack: WorkflowStack, alice: ApiClient, moderator: ApiClient
) -> None:
    bookmark_id = alice.create(url="https://docs.example.org/twice", shared=True)["id"]
    stack.record_entry(ALICE, bookmark_id)
    event = domain_event("ContestEntryRecorded", bookmark_id, ALICE, "entered", "entering")

    executions = [stack.deliver(event), stack.deliver(event)]  # both before either has run a step

    assert None not in executions
    stack.awaiting_review(bookmark_id)
    decided = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})
    assert decided.status == 200
    assert [stack.finished(arn)["status"] for arn in executions if arn] == ["SUCCEEDED", "SUCCEEDED"]
    assert len(stack.notifications("ModerationTopic")) == 1
    [(notice, _)] = stack.notifications("ContestNotificationsTopic")
    assert json.loads(notice) == {
        "message": "A bookmark entered the contest.",
        "bookmark_id": bookmark_id,
        "owner": ALICE,
        "contest_status": "entered",
    }
    assert team_ids(alice) == [bookmark_id]


def test_a_malformed_event_fails_its_execution_with_the_events_ids_in_its_input(
    stack: WorkflowStack,
) -> None:
    event = domain_event("ContestEntryRecorded", "01KB2Z3Y4X5W6V7T8S9R0QPNMK", ALICE, "entered", "entering")
    del event["detail"]["owner"]

    execution = stack.deliver(event)

    assert execution is not None
    failed = stack.finished(execution)
    assert failed["status"] == "FAILED"
    history = stack.sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    assert [e["executionFailedEventDetails"]["error"] for e in history if e["type"] == "ExecutionFailed"] == [
        "MalformedEvent"
    ]
    recorded = json.loads(failed["input"])
    assert (recorded["id"], recorded["detail"]["change_id"]) == (event["id"], event["detail"]["change_id"])


@pytest.mark.parametrize("groups", [None, "", "[editors]", "moderators-in-training"])
def test_only_moderators_may_see_or_decide_reviews(
    stack: WorkflowStack, alice: ApiClient, groups: str | None
) -> None:
    bookmark_id, _ = share(stack, alice)
    stack.awaiting_review(bookmark_id)
    outsider = ApiClient(BOB, groups=groups)

    listed = outsider.request("GET", "/reviews")
    decided = outsider.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})

    assert (listed.status, decided.status) == (403, 403)
    assert stack.review_request(bookmark_id) is not None
    assert "task_token" in stack.review_request(bookmark_id)  # type: ignore[operator]


def test_decision_on_a_bookmark_without_review_is_not_found(
    stack: WorkflowStack, moderator: ApiClient
) -> None:
    reply = moderator.request("POST", "/reviews/01KB2Z3Y4X5W6V7T8S9R0QPNMK", {"decision": "approve"})

    assert reply.status == 404


def test_the_task_token_is_never_logged(
    stack: WorkflowStack, alice: ApiClient, moderator: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    bookmark_id, execution = share(stack, alice)
    token = stack.awaiting_review(bookmark_id)["task_token"]["S"]

    moderator.request("GET", "/reviews")
    moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})
    moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})
    stack.finished(execution)

    captured = capsys.readouterr()
    assert token not in captured.out + captured.err


def test_entry_of_a_deleted_bookmark_ends_quietly(stack: WorkflowStack, moderator: ApiClient) -> None:
    gone = "01KB2Z3Y4X5W6V7T8S9R0QPNMK"

    execution = stack.deliver(domain_event("ContestEntryRecorded", gone, ALICE, "entered", "entering"))

    assert execution is not None
    assert stack.finished(execution)["status"] == "SUCCEEDED"
    # Only a marker that a late claim fails on: nothing to decide, nothing of the bookmark.
    assert stack.review_request(gone) == {
        "bookmark_id": {"S": gone},
        "review_state": {"S": "withdrawn"},
        "submitted_at": {"S": "~deleted"},
    }
    assert stack.notifications("NotificationsTopic") == []


def test_deleting_a_bookmark_in_review_takes_it_off_the_queue_and_a_decision_gets_409(
    stack: WorkflowStack, alice: ApiClient, moderator: ApiClient
) -> None:
    bookmark_id, _ = share(stack, alice)
    stack.awaiting_review(bookmark_id)
    moderators_told = len(stack.notifications("ModerationTopic"))

    alice.request("DELETE", f"/bookmarks/{bookmark_id}")
    ended = stack.deliver(domain_event("BookmarkDeleted", bookmark_id, ALICE, "entered", "entered"))
    assert ended is not None
    assert stack.finished(ended)["status"] == "SUCCEEDED"
    queue = moderator.request("GET", "/reviews").body["items"]
    decision = moderator.request("POST", f"/reviews/{bookmark_id}", {"decision": "approve"})

    assert bookmark_id not in [item["bookmark"]["id"] for item in queue]
    assert decision.status == 409
    assert "deleted or unshared" in decision.body["message"]
    request = stack.review_request(bookmark_id)
    assert request is not None
    assert not {"task_token", "bookmark", "review_queue"} & set(request)
    assert len(stack.notifications("ModerationTopic")) == moderators_told
    assert stack.notifications("NotificationsTopic") == []


def test_duplicate_found_beyond_the_first_page_of_the_url_index(stack: WorkflowStack, bob: ApiClient) -> None:
    # 30 earlier submissions of the link that do not count (turned down), then one published: the check
    # reads the index 25 items at a time, so only following LastEvaluatedKey finds the published one.
    url = "https://docs.example.org/g"
    start_ms = 1_700_000_000_000
    for n in range(31):
        owner, status = (
            ("c0ffee00-0000-4000-8000-000000000004", "approved") if n == 30 else (ALICE, "rejected")
        )
        bookmark_id = new_bookmark_id(start_ms + n)
        stack.dynamodb.put_item(
            TableName=stack.table,
            Item={
                "pk": {"S": f"OWNER#{owner}"},
                "sk": {"S": f"BOOKMARK#{bookmark_id}"},
                "owner": {"S": owner},
                "contest_status": {"S": status},
                "shared_url_key": {"S": url_key(url)},
                "submitted_at": {"S": "2023-11-14T22:13:20.000Z"},  # long before bob's
            },
        )

    bookmark_id, execution = share(stack, bob, url=url)

    assert stack.finished(execution)["status"] == "SUCCEEDED"
    assert stack.stored(BOB, bookmark_id)["contest_status"]["S"] == "duplicate"
    history = stack.sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert "FindMoreDuplicates" in entered
