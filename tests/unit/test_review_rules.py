"""The review rules, each tried as the wrong person first, through the handlers on the in-memory AWS: only
a verified email shares or moderates, a moderator never decides their own submission, a review that ended
(deleted or unshared) is refused, and the queue pages through every submission, oldest first."""

import itertools
import json
from typing import Any

import boto3
import pytest

from bookmarks import rules
from bookmarks.aws import dynamodb
from bookmarks.errors import EmailNotVerified, OwnSubmission
from bookmarks.items import bookmark_item
from bookmarks.models import Bookmark, ContestStatus
from tests.api_client import ApiClient

MODERATOR = "0d0d0000-0000-4000-8000-00000000000d"
OTHER_MODERATOR = "0e0e0000-0000-4000-8000-00000000000e"


def queue(
    reviews_table: str, owner: str, bookmark_id: str, submitted_at: str, state: str = "pending"
) -> None:
    """A review request as the workflow's AwaitReview leaves it: on the queue, with a token and the
    snapshot of the bookmark as submitted."""
    bookmark = Bookmark(
        id=bookmark_id,
        url=f"https://example.com/{bookmark_id}",
        name=f"Link {bookmark_id[-4:]}",
        description=None,
        shared=True,
        contest_status=ContestStatus.ENTERED,
        created_at=submitted_at,
        updated_at=submitted_at,
    )
    snapshot = {k: v for k, v in bookmark_item(owner, bookmark).items() if k not in ("pk", "sk")}
    item: dict[str, Any] = {
        "bookmark_id": {"S": bookmark_id},
        "submitted_at": {"S": submitted_at},
        "review_state": {"S": state},
        "task_token": {"S": f"token-{bookmark_id}"},
        "bookmark": {"M": snapshot},
    }
    if state == "pending":
        item["review_queue"] = {"S": "PENDING"}
    boto3.client("dynamodb").put_item(TableName=reviews_table, Item=item)


def bookmark_id(n: int) -> str:
    """A valid (ULID-shaped) bookmark id, distinct per ``n``."""
    return f"01KB{n:022d}"


@pytest.fixture
def reviews_table(tables: dict[str, str]) -> str:
    return tables["ReviewsTable"]


@pytest.fixture
def moderator(bookmarks_table: str) -> ApiClient:
    return ApiClient(MODERATOR, groups="[moderators]")


def test_an_unverified_email_cannot_share_but_a_verified_one_can(bookmarks_table: str) -> None:
    unverified = ApiClient("0f0f0000-0000-4000-8000-00000000000f", email_verified=False)

    refused = unverified.request(
        "POST", "/bookmarks", {"url": "https://example.com/x", "name": "X", "shared": True}
    )
    private = unverified.create(url="https://example.com/private")
    refused_update = unverified.request("PUT", f"/bookmarks/{private['id']}", {"shared": True})
    verified = ApiClient("0f0f0000-0000-4000-8000-00000000000f").create(shared=True)

    assert (refused.status, refused_update.status) == (403, 403)
    assert "verified email" in refused.body["message"]
    assert unverified.request("GET", f"/bookmarks/{private['id']}").body["shared"] is False
    assert verified["shared"] is True


def test_an_unverified_moderator_cannot_see_or_decide_reviews(reviews_table: str) -> None:
    unverified = ApiClient(MODERATOR, groups="[moderators]", email_verified=False)
    queue(reviews_table, "0a11ce00-0000-4000-8000-000000000001", bookmark_id(1), "2026-01-01T00:00:00.000Z")

    listing = unverified.request("GET", "/reviews")
    decision = unverified.request("POST", f"/reviews/{bookmark_id(1)}", {"decision": "approve"})

    assert (listing.status, decision.status) == (403, 403)
    assert "verified email" in decision.body["message"]


def test_a_moderator_cannot_decide_their_own_submission(reviews_table: str, moderator: ApiClient) -> None:
    queue(reviews_table, MODERATOR, bookmark_id(1), "2026-01-01T00:00:00.000Z")

    own = moderator.request("POST", f"/reviews/{bookmark_id(1)}", {"decision": "approve"})
    listing = moderator.request("GET", "/reviews").body["items"]
    seen_by_another = ApiClient(OTHER_MODERATOR, groups="[moderators]").request("GET", "/reviews").body

    assert own.status == 403
    assert "another moderator" in own.body["message"]
    # Refused without a trace: the review is still pending for another moderator.
    assert [(item["bookmark"]["id"], item["yours"]) for item in listing] == [(bookmark_id(1), True)]
    assert [item["yours"] for item in seen_by_another["items"]] == [False]


def test_the_four_eyes_rule_refuses_only_the_submitter() -> None:
    with pytest.raises(OwnSubmission):
        rules.a_moderator_never_decides_their_own("m", "m", bookmark_id(1))
    rules.a_moderator_never_decides_their_own("m", "someone else", bookmark_id(1))
    with pytest.raises(EmailNotVerified):
        rules.only_a_verified_email_shares(rules.Identity("u", email_verified=False))


def test_a_decision_on_a_review_that_ended_is_refused_with_409(
    reviews_table: str, moderator: ApiClient
) -> None:
    queue(
        reviews_table,
        "0a11ce00-0000-4000-8000-000000000001",
        bookmark_id(2),
        "2026-01-01T00:00:00.000Z",
        "withdrawn",
    )

    reply = moderator.request("POST", f"/reviews/{bookmark_id(2)}", {"decision": "approve"})

    assert reply.status == 409
    assert "deleted or unshared" in reply.body["message"]


def test_a_decision_on_a_review_never_requested_is_not_found(
    reviews_table: str, moderator: ApiClient
) -> None:
    reply = moderator.request("POST", f"/reviews/{bookmark_id(3)}", {"decision": "reject"})

    assert reply.status == 404


def test_the_queue_pages_through_250_submissions_of_several_users_oldest_first(
    reviews_table: str, moderator: ApiClient
) -> None:
    submitters = [f"0{n}000000-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
    # One user floods the queue; the others' submissions are spread among theirs.
    expected = []
    for n in range(250):
        owner = submitters[0] if n % 3 else submitters[1 + n % 4]
        queue(reviews_table, owner, bookmark_id(n), f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}.000Z")
        expected.append(bookmark_id(n))

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = moderator.request("GET", "/reviews", query=query)
        assert page.status == 200, page.body
        seen += [item["bookmark"]["id"] for item in page.body["items"]]
        pages += 1
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
        assert pages < 10, "the queue never ended"

    assert seen == expected
    assert pages == 3
    assert MODERATOR not in json.dumps(page.body)


def test_the_queue_refuses_a_cursor_it_did_not_give_out(reviews_table: str, moderator: ApiClient) -> None:
    reply = moderator.request("GET", "/reviews", query={"cursor": "eyJ2IjoxLCJyZXZpZXdfYWZ0ZXIiOiJhIn0"})

    assert reply.status == 400
    assert reply.body["errors"] == [{"field": "cursor", "problem": "is not valid"}]


def test_a_status_that_keeps_changing_under_an_edit_answers_503_with_retry_after_and_saves_nothing(
    bookmarks_table: str, alice: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = alice.create(shared=True)
    client = dynamodb()
    update_item = client.update_item
    statuses = itertools.cycle(["entered", "approved", "rejected"])

    def another_writer_first(**request: Any) -> Any:
        # Another Lambda environment moves the status just before each of this function's attempts.
        boto3.client("dynamodb").update_item(
            TableName=bookmarks_table,
            Key={"pk": {"S": f"OWNER#{alice.user}"}, "sk": {"S": f"BOOKMARK#{created['id']}"}},
            UpdateExpression="SET contest_status = :status",
            ExpressionAttributeValues={":status": {"S": next(statuses)}},
        )
        return update_item(**request)

    monkeypatch.setattr(client, "update_item", another_writer_first)
    reply = alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": False, "name": "Lost?"})
    monkeypatch.undo()

    assert reply.status == 503
    assert reply.headers["Retry-After"] == "1"
    assert "try again" in reply.body["message"]
    kept = alice.request("GET", f"/bookmarks/{created['id']}").body
    assert (kept["shared"], kept["name"]) == (True, "A")
