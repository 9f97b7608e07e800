"""The reviews table, as the moderators' use cases read and claim it; the publishing workflow writes the
rest of each review request's life (the layout is bookmarks/layout.py's)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from botocore.exceptions import ClientError

from bookmarks import layout
from bookmarks.aws import dynamodb
from bookmarks.items import bookmark_from_item
from bookmarks.models import Bookmark
from bookmarks.settings import settings


@dataclass(frozen=True)
class ReviewRequest:
    """A review request as a moderator claimed it. The token resumes the workflow; it is
    kept out of repr so that no log line can print it by accident."""

    bookmark: Bookmark
    submitted_at: str
    task_token: str = field(repr=False)


@dataclass(frozen=True)
class QueuedReview:
    """A review request on the queue: the bookmark as submitted, when, and who submitted it."""

    bookmark: Bookmark
    submitted_at: str
    submitter: str


def pending(limit: int, after: tuple[str, str] | None = None) -> tuple[list[QueuedReview], bool]:
    """Up to ``limit`` review requests waiting for a moderator, oldest first, after the request ``after``
    (its submission time and bookmark id); and whether more follow. Read from an index without tokens,
    one item beyond the page so that the last page never hands out a cursor to nothing."""
    request: dict[str, Any] = {
        "TableName": settings().reviews_table_name,
        "IndexName": layout.PENDING_REVIEW_INDEX,
        "KeyConditionExpression": "#queue = :pending",
        "ExpressionAttributeNames": {"#queue": layout.REVIEW_QUEUE},
        "ExpressionAttributeValues": {":pending": {"S": layout.PENDING}},
        "ScanIndexForward": True,
        "Limit": limit + 1,
    }
    if after is not None:
        submitted_at, bookmark_id = after
        request["ExclusiveStartKey"] = {
            **layout.review_key(bookmark_id),
            layout.REVIEW_QUEUE: {"S": layout.PENDING},
            layout.SUBMITTED_AT: {"S": submitted_at},
        }
    items = dynamodb().query(**request)["Items"]
    return [_queued(item) for item in items[:limit]], len(items) > limit


def _queued(item: dict[str, Any]) -> QueuedReview:
    snapshot = item[layout.REVIEWED_BOOKMARK]["M"]
    return QueuedReview(
        bookmark=bookmark_from_item(snapshot),
        submitted_at=item[layout.SUBMITTED_AT]["S"],
        submitter=str(snapshot.get(layout.OWNER, {}).get("S", "")),
    )


class ClaimRefused(Exception):
    """The review could not be claimed; ``state`` and ``submitter`` say why (None: never requested)."""

    def __init__(self, state: str | None, submitter: str | None, version: str | None = None) -> None:
        super().__init__(state)
        self.state = state
        self.submitter = submitter
        self.version = version


def claim(bookmark_id: str, moderator: str, now: str, version: str | None = None) -> ReviewRequest:
    """Take a pending review off the queue for one moderator's decision, in one conditional write, and
    return it with its task token. The write's condition holds four eyes too (never the submitter's own)
    and, with ``version``, that the submission is still that version. Raises ClaimRefused with what the
    review holds instead."""
    condition = "#state = :pending AND attribute_exists(#token) AND #bookmark.#owner <> :moderator"
    values = {
        ":deciding": {"S": "deciding"},
        ":pending": {"S": "pending"},
        ":moderator": {"S": moderator},
        ":now": {"S": now},
    }
    names = dict(_NAMES)
    if version is not None:
        condition += " AND #submitted_at = :version"
        values[":version"] = {"S": version}
        names["#submitted_at"] = layout.SUBMITTED_AT
    try:
        answer = dynamodb().update_item(
            TableName=settings().reviews_table_name,
            Key=layout.review_key(bookmark_id),
            UpdateExpression="SET #state = :deciding, decided_by = :moderator, #decided_at = :now "
            "REMOVE #queue",
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        # The item says why: its state, and whose submission it is; absent was never requested.
        old = cast(Mapping[str, Any], error.response).get("Item")
        if old is None:
            raise ClaimRefused(None, None) from None
        snapshot = old.get(layout.REVIEWED_BOOKMARK, {}).get("M", {})
        raise ClaimRefused(
            str(old.get(layout.REVIEW_STATE, {}).get("S", "")),
            snapshot.get(layout.OWNER, {}).get("S"),
            old.get(layout.SUBMITTED_AT, {}).get("S"),
        ) from None
    item: dict[str, Any] = answer["Attributes"]
    return ReviewRequest(
        bookmark=bookmark_from_item(item[layout.REVIEWED_BOOKMARK]["M"]),
        submitted_at=item[layout.SUBMITTED_AT]["S"],
        task_token=item[layout.TASK_TOKEN]["S"],
    )


def release(bookmark_id: str) -> None:
    """Put a claimed review back on the queue (the workflow could not be told of the decision)."""
    dynamodb().update_item(
        TableName=settings().reviews_table_name,
        Key=layout.review_key(bookmark_id),
        UpdateExpression="SET #state = :pending, #queue = :queue REMOVE decided_by, #decided_at",
        ConditionExpression="#state = :deciding",
        ExpressionAttributeNames={name: _NAMES[name] for name in ("#state", "#queue", "#decided_at")},
        ExpressionAttributeValues={
            ":pending": {"S": "pending"},
            ":queue": {"S": layout.PENDING},
            ":deciding": {"S": "deciding"},
        },
    )


_NAMES = {
    "#bookmark": layout.REVIEWED_BOOKMARK,
    "#owner": layout.OWNER,
    "#state": layout.REVIEW_STATE,
    "#queue": layout.REVIEW_QUEUE,
    "#token": layout.TASK_TOKEN,
    "#decided_at": layout.DECIDED_AT,
}
