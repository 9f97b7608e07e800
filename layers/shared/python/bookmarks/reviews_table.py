"""The reviews table, as the moderators' use cases read and claim it; the publishing workflow writes the
rest of each review request's life (the layout is bookmarks/layout.py's)."""

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from bookmarks import layout
from bookmarks.aws import dynamodb
from bookmarks.errors import AlreadyDecided, BookmarkNotFound
from bookmarks.items import bookmark_from_item
from bookmarks.models import Bookmark, ReviewItem
from bookmarks.settings import settings


@dataclass(frozen=True)
class ReviewRequest:
    """A review request as a moderator claimed it. The token resumes the workflow; it is
    kept out of repr so that no log line can print it by accident."""

    bookmark: Bookmark
    submitted_at: str
    task_token: str = field(repr=False)


def pending(limit: int) -> list[ReviewItem]:
    """The oldest ``limit`` review requests waiting for a moderator (read from an index without tokens)."""
    items = dynamodb().query(
        TableName=settings().reviews_table_name,
        IndexName=layout.PENDING_REVIEW_INDEX,
        KeyConditionExpression="#queue = :pending",
        ExpressionAttributeNames={"#queue": layout.REVIEW_QUEUE},
        ExpressionAttributeValues={":pending": {"S": layout.PENDING}},
        ScanIndexForward=True,
        Limit=limit,
    )["Items"]
    return [
        ReviewItem(
            bookmark=bookmark_from_item(item[layout.REVIEWED_BOOKMARK]["M"]),
            submitted_at=item[layout.SUBMITTED_AT]["S"],
        )
        for item in items
    ]


def claim(bookmark_id: str, moderator: str, now: str) -> ReviewRequest:
    """Take a pending review off the queue for one moderator's decision, in one conditional write, and
    return it with its task token. Raises BookmarkNotFound (never requested) or AlreadyDecided."""
    try:
        answer = dynamodb().update_item(
            TableName=settings().reviews_table_name,
            Key=layout.review_key(bookmark_id),
            UpdateExpression="SET #state = :deciding, decided_by = :moderator, #decided_at = :now "
            "REMOVE #queue",
            ConditionExpression="#state = :pending AND attribute_exists(#token)",
            ExpressionAttributeNames=_NAMES,
            ExpressionAttributeValues={
                ":deciding": {"S": "deciding"},
                ":pending": {"S": "pending"},
                ":moderator": {"S": moderator},
                ":now": {"S": now},
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        # The item says why: there and not pending is decided already; absent was never requested.
        if "Item" in error.response:
            raise AlreadyDecided(bookmark_id) from None
        raise BookmarkNotFound(bookmark_id) from None
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
    "#state": layout.REVIEW_STATE,
    "#queue": layout.REVIEW_QUEUE,
    "#token": layout.TASK_TOKEN,
    "#decided_at": layout.DECIDED_AT,
}
