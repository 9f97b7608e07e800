"""The one module that talks to DynamoDB: it alone knows the key layout of the bookmarks table.

Layout (one table, keys generic so later access patterns fit without a migration):
  bookmark            pk=OWNER#<sub>  sk=BOOKMARK#<id>      a user's bookmarks, newest first by id
  idempotency claim   pk=OWNER#<sub>  sk=IDEMPOTENCY#<key>  the answer to replay, expires by TTL
  contest entrant     pk=CONTEST      sk=ENTRANT#<sub>      ``entries``: how many entries a user has
  SharedUrlIndex      shared_url_key (set only while shared): who else submitted this URL
  contest notice      pk=CONTEST      sk=NOTICE#<id>        the workflow's claim: organisers hear once
  TeamIndex           team_partition="TEAM", team_sort="<published_at>#<id>" (set by the workflow on
                      approval, removed on unsharing): the team list, newest first
The reviews table (the workflow writes it) holds one review request per bookmark id, for its latest
submission (``submitted_at``): the workflow's claim on that submission, the bookmark as submitted, the
task token while a moderator is awaited, and review_queue="PENDING" for the sparse PendingReviewIndex
(which projects no token).
A contest status of ``none`` is stored as no attribute, so sharing can set ``entering`` exactly once
with ``if_not_exists`` and no read before the write.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from bookmarks.aws import dynamodb
from bookmarks.errors import AlreadyDecided, BookmarkNotFound, SubmittedUrlLocked, UnreadableChange
from bookmarks.ids import is_bookmark_id
from bookmarks.models import (
    Bookmark,
    BookmarkPatch,
    ContestStatus,
    ReviewItem,
    TeamBookmark,
    after_sharing,
)
from bookmarks.settings import settings
from bookmarks.urls import normalise, top_level_domain

Item = dict[str, Any]
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class IdempotencyClaim:
    """A client's Idempotency-Key, and a fingerprint of the request it came with."""

    key: str
    request_hash: str


@dataclass(frozen=True)
class EarlierAnswer:
    """What an Idempotency-Key already produced."""

    request_hash: str
    bookmark: Bookmark


def _owner_key(owner: str) -> str:
    return f"OWNER#{owner}"


def _bookmark_key(owner: str, bookmark_id: str) -> dict[str, Any]:
    return {"pk": {"S": _owner_key(owner)}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}}


def _to_dynamodb(values: Item) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_dynamodb(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _bookmark_from_item(item: Mapping[str, Any]) -> Bookmark:
    values = _from_dynamodb(item)
    values.setdefault("contest_status", ContestStatus.NONE)
    values.setdefault("description", None)
    return Bookmark.model_validate(values, strict=False, from_attributes=False)


def _bookmark_item(owner: str, bookmark: Bookmark, shared_by: str | None = None) -> dict[str, Any]:
    values: Item = bookmark.model_dump(exclude={"contest_status"}, exclude_none=True)
    values.update(owner=owner, url_key=normalise(bookmark.url), url_tld=top_level_domain(bookmark.url))
    if bookmark.contest_status is not ContestStatus.NONE:
        values.update(contest_status=bookmark.contest_status.value, submitted_at=bookmark.created_at)
    if bookmark.shared:
        values["shared_url_key"] = values["url_key"]
        if shared_by is not None:
            values["shared_by"] = shared_by
    return _bookmark_key(owner, bookmark.id) | _to_dynamodb(values)


def put_new(
    owner: str, bookmark: Bookmark, claim: IdempotencyClaim | None, shared_by: str | None = None
) -> EarlierAnswer | None:
    """Store a new bookmark, with its idempotency claim in the same transaction; a shared one keeps
    ``shared_by`` (the submitter's email) for the team list.

    Returns None when stored, or the earlier answer when the claim's key was already used (nothing is
    written then).
    """
    item = _bookmark_item(owner, bookmark, shared_by)
    if claim is None:
        dynamodb().put_item(
            TableName=settings().bookmarks_table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
        )
        return None
    now = int(time.time())
    claim_item = {
        "pk": {"S": _owner_key(owner)},
        "sk": {"S": f"IDEMPOTENCY#{claim.key}"},
        "request_hash": {"S": claim.request_hash},
        "answer": {"S": bookmark.model_dump_json()},
        "expires_at": {"N": str(now + settings().idempotency_ttl_seconds)},
    }
    try:
        dynamodb().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": settings().bookmarks_table_name,
                        "Item": claim_item,
                        # TTL deletes lazily: an expired claim is free to take again.
                        "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                        "ExpressionAttributeValues": {":now": {"N": str(now)}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Put": {
                        "TableName": settings().bookmarks_table_name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        earlier = reasons[0].get("Item") if reasons else None
        if error.response["Error"]["Code"] != "TransactionCanceledException" or not earlier:
            raise
        claimed = _from_dynamodb(earlier)
        return EarlierAnswer(claimed["request_hash"], Bookmark.model_validate_json(claimed["answer"]))
    return None


def get(owner: str, bookmark_id: str) -> Bookmark:
    """The owner's bookmark; raises BookmarkNotFound."""
    answer = dynamodb().get_item(
        TableName=settings().bookmarks_table_name, Key=_bookmark_key(owner, bookmark_id)
    )
    if "Item" not in answer:
        raise BookmarkNotFound(bookmark_id)
    return _bookmark_from_item(answer["Item"])


def list_page(owner: str, limit: int, after_id: str | None) -> tuple[list[Bookmark], bool]:
    """Up to ``limit`` of the owner's bookmarks, newest first, after ``after_id``; and whether more follow.

    Reads one item beyond the page to know for sure, so the last page never hands out an empty cursor.
    """
    request: dict[str, Any] = {
        "TableName": settings().bookmarks_table_name,
        "KeyConditionExpression": "pk = :owner AND begins_with(sk, :bookmark)",
        "ExpressionAttributeValues": {":owner": {"S": _owner_key(owner)}, ":bookmark": {"S": "BOOKMARK#"}},
        "ScanIndexForward": False,
        "Limit": limit + 1,
    }
    if after_id is not None:
        request["ExclusiveStartKey"] = _bookmark_key(owner, after_id)
    items = dynamodb().query(**request)["Items"]
    return [_bookmark_from_item(item) for item in items[:limit]], len(items) > limit


_SHARE_ATTEMPTS = 3


def update(
    owner: str, bookmark_id: str, patch: BookmarkPatch, now: str, shared_by: str | None = None
) -> Bookmark:
    """Apply ``patch`` in one conditional write; raises BookmarkNotFound or SubmittedUrlLocked.

    Sharing or unsharing moves the contest status by ``after_sharing``, which depends on the status the
    item has. The store function may not read, so the write first assumes the usual case and, when its
    condition fails, learns the item's status from the failure itself (ReturnValuesOnConditionCheckFailure)
    and tries again on that status: concurrent writers cannot make it apply a stale transition."""
    expected: ContestStatus | None = ContestStatus.NONE if patch.shared is not None else None
    for _ in range(_SHARE_ATTEMPTS):
        try:
            return _bookmark_from_item(_update_once(owner, bookmark_id, patch, now, shared_by, expected))
        except _StatusMoved as moved:
            expected = moved.status
    raise _StatusMoved.giving_up(bookmark_id)


class _StatusMoved(Exception):
    """The item's contest status was not the one the write assumed; ``status`` is the one it has."""

    def __init__(self, status: ContestStatus) -> None:
        super().__init__(status.value)
        self.status = status

    @staticmethod
    def giving_up(bookmark_id: str) -> RuntimeError:
        # Only writers racing on one bookmark, faster than three round trips, get here: a 5xx to retry.
        return RuntimeError(f"the contest status of {bookmark_id} kept changing")


_WITHDRAWN_REASON = "its owner unshared it"


def _update_once(
    owner: str,
    bookmark_id: str,
    patch: BookmarkPatch,
    now: str,
    shared_by: str | None,
    expected: ContestStatus | None,
) -> Item:
    """One conditional update_item of ``patch``; with ``expected``, only if the item has that status."""
    sets = {"updated_at": ":now"}
    removes = []
    values: Item = {":now": now}
    conditions = ["attribute_exists(pk)"]
    if patch.url is not None:
        sets.update(url=":url", url_key=":url_key", url_tld=":url_tld")
        values.update(
            {":url": patch.url, ":url_key": normalise(patch.url), ":url_tld": top_level_domain(patch.url)}
        )
        conditions.append("attribute_not_exists(#contest_status)")
    if patch.name is not None:
        sets["name"] = ":name"
        values[":name"] = patch.name
    if "description" in patch.model_fields_set:
        if patch.description is None:
            removes.append("description")
        else:
            sets["description"] = ":description"
            values[":description"] = patch.description
    if expected is not None and patch.shared is not None:
        conditions.append(
            "attribute_not_exists(#contest_status)"
            if expected is ContestStatus.NONE
            else "#contest_status = :expected"
        )
        if expected is not ContestStatus.NONE:
            values[":expected"] = expected.value
        moved_to = after_sharing(expected, patch.shared)
        if moved_to is not expected:
            sets["contest_status"] = ":moved_to"
            values[":moved_to"] = moved_to.value
    else:
        moved_to = None
    if patch.shared is True:
        sets.update(shared=":true", shared_url_key=":url_key" if patch.url is not None else "#url_key")
        values[":true"] = True
        if shared_by is not None:
            sets["shared_by"] = ":shared_by"
            values[":shared_by"] = shared_by
        if moved_to in (ContestStatus.ENTERING, ContestStatus.RESUBMITTED):
            # A new submission: the duplicate check and the workflow's claim are keyed on its time.
            sets["submitted_at"] = ":now"
            removes.append("decision_reason")
    elif patch.shared is False:
        sets["shared"] = ":false"
        # Unsharing also takes a published bookmark off the team list.
        removes.extend(["shared_url_key", "team_partition", "team_sort"])
        values[":false"] = False
        if moved_to is ContestStatus.WITHDRAWN:
            sets["decision_reason"] = ":withdrawn_reason"
            values[":withdrawn_reason"] = _WITHDRAWN_REASON
    expression = "SET " + ", ".join(f"#{name} = {value}" for name, value in sets.items())
    if removes:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in removes)
    # Every attribute goes through a placeholder: `name`, `url` and others are DynamoDB reserved words.
    used = [*sets, *removes, "contest_status", "submitted_at", "url_key"]
    names = {f"#{name}": name for name in used if f"#{name}" in expression + " ".join(conditions)}
    try:
        answer = dynamodb().update_item(
            TableName=settings().bookmarks_table_name,
            Key=_bookmark_key(owner, bookmark_id),
            UpdateExpression=expression,
            ConditionExpression=" AND ".join(conditions),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_to_dynamodb(values),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        # botocore's error type does not declare the item ReturnValuesOnConditionCheckFailure adds.
        old = cast(Mapping[str, Any], error.response).get("Item")
        if old is None:
            raise BookmarkNotFound(bookmark_id) from None
        status = _contest_status(old)
        if patch.url is not None and status is not ContestStatus.NONE:
            raise SubmittedUrlLocked(bookmark_id) from None
        raise _StatusMoved(status) from None
    return dict(answer["Attributes"])


def _conditional_update(bookmark_id: str, when_present: type[Exception], **request: Any) -> Item:
    """update_item, the item as written; a failed condition says why: ``when_present`` if the item is
    there (its state forbids the write), BookmarkNotFound if it is not."""
    try:
        answer = dynamodb().update_item(
            **request, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD"
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if "Item" in error.response:
            raise when_present(bookmark_id) from None
        raise BookmarkNotFound(bookmark_id) from None
    return dict(answer["Attributes"])


def delete(owner: str, bookmark_id: str) -> None:
    """Delete the owner's bookmark; raises BookmarkNotFound."""
    try:
        dynamodb().delete_item(
            TableName=settings().bookmarks_table_name,
            Key=_bookmark_key(owner, bookmark_id),
            ConditionExpression="attribute_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise BookmarkNotFound(bookmark_id) from None


_TEAM = "TEAM"
_PENDING = "PENDING"


def team_page(limit: int, after: str | None) -> tuple[list[tuple[TeamBookmark, str]], bool]:
    """Up to ``limit`` published bookmarks, newest first, each with its team-list position, from after
    the position ``after``; and whether more follow. Needs no owner: the position is the whole cursor."""
    condition = "team_partition = :team"
    values = {":team": {"S": _TEAM}}
    if after is not None:
        condition += " AND team_sort < :after"
        values[":after"] = {"S": after}
    items = dynamodb().query(
        TableName=settings().bookmarks_table_name,
        IndexName="TeamIndex",
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        ScanIndexForward=False,
        Limit=limit + 1,
    )["Items"]
    page = [(_team_bookmark_from_item(item), str(item["team_sort"]["S"])) for item in items[:limit]]
    return page, len(items) > limit


def _team_bookmark_from_item(item: Mapping[str, Any]) -> TeamBookmark:
    values = _from_dynamodb(item)
    values.setdefault("description", None)
    return TeamBookmark.model_validate(values, strict=False, from_attributes=False)


@dataclass(frozen=True)
class ReviewRequest:
    """A review request as a moderator claimed it. The token resumes the workflow; it is
    kept out of repr so that no log line can print it by accident."""

    bookmark: Bookmark
    submitted_at: str
    task_token: str = field(repr=False)


def _reviews_table() -> str:
    return settings().reviews_table_name


def pending_reviews(limit: int) -> list[ReviewItem]:
    """The oldest ``limit`` review requests waiting for a moderator (read from an index without tokens)."""
    items = dynamodb().query(
        TableName=_reviews_table(),
        IndexName="PendingReviewIndex",
        KeyConditionExpression="review_queue = :pending",
        ExpressionAttributeValues={":pending": {"S": _PENDING}},
        ScanIndexForward=True,
        Limit=limit,
    )["Items"]
    return [
        ReviewItem(
            bookmark=_bookmark_from_item(item["bookmark"]["M"]), submitted_at=item["submitted_at"]["S"]
        )
        for item in items
    ]


def claim_review(bookmark_id: str, moderator: str, now: str) -> ReviewRequest:
    """Take a pending review off the queue for one moderator's decision, in one conditional write, and
    return it with its task token. Raises BookmarkNotFound (never requested) or AlreadyDecided."""
    item = _conditional_update(
        bookmark_id,
        AlreadyDecided,
        TableName=_reviews_table(),
        Key={"bookmark_id": {"S": bookmark_id}},
        UpdateExpression="SET review_state = :deciding, decided_by = :moderator, decided_at = :now "
        "REMOVE review_queue",
        ConditionExpression="review_state = :pending AND attribute_exists(task_token)",
        ExpressionAttributeValues={
            ":deciding": {"S": "deciding"},
            ":pending": {"S": "pending"},
            ":moderator": {"S": moderator},
            ":now": {"S": now},
        },
    )
    return ReviewRequest(
        bookmark=_bookmark_from_item(item["bookmark"]["M"]),
        submitted_at=item["submitted_at"]["S"],
        task_token=item["task_token"]["S"],
    )


def release_review(bookmark_id: str) -> None:
    """Put a claimed review back on the queue (the workflow could not be told of the decision)."""
    dynamodb().update_item(
        TableName=_reviews_table(),
        Key={"bookmark_id": {"S": bookmark_id}},
        UpdateExpression="SET review_state = :pending, review_queue = :queue REMOVE decided_by, decided_at",
        ConditionExpression="review_state = :deciding",
        ExpressionAttributeValues={
            ":pending": {"S": "pending"},
            ":queue": {"S": _PENDING},
            ":deciding": {"S": "deciding"},
        },
    )


def stored_form(owner: str, bookmark: Bookmark) -> dict[str, Any]:
    """The item ``bookmark`` is stored as, for seeding and migrations; the app writes through put_new."""
    return _bookmark_item(owner, bookmark)


@dataclass(frozen=True)
class BookmarkChange:
    """What one stream record of a bookmark item says: whose, which, and its contest status before and
    after (``none`` where there is no image)."""

    owner: str
    bookmark_id: str
    previous_status: ContestStatus
    contest_status: ContestStatus
    contest_reason: str | None


def bookmark_change(
    keys: Mapping[str, Any], old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> BookmarkChange | None:
    """Read a stream record's keys and images; None for items that are not bookmarks (idempotency claims,
    contest counters). Raises UnreadableChange for a bookmark item this module could not have written."""
    try:
        key = _from_dynamodb(keys)
        pk, sk = str(key["pk"]), str(key["sk"])
    except (KeyError, TypeError, AttributeError) as error:
        raise UnreadableChange(f"the record's keys are not the table's: {type(error).__name__}") from None
    if not sk.startswith("BOOKMARK#"):
        return None
    owner, bookmark_id = pk.removeprefix("OWNER#"), sk.removeprefix("BOOKMARK#")
    if not pk.startswith("OWNER#") or not owner or not is_bookmark_id(bookmark_id):
        raise UnreadableChange("a bookmark key that this table never writes")
    reason = (new_image or {}).get("decision_reason")  # written by the publishing workflow
    return BookmarkChange(
        owner=owner,
        bookmark_id=bookmark_id,
        previous_status=_contest_status(old_image),
        contest_status=_contest_status(new_image if new_image is not None else old_image),
        contest_reason=reason.get("S") if isinstance(reason, Mapping) else None,
    )


def _contest_status(image: Mapping[str, Any] | None) -> ContestStatus:
    # No attribute means none (see the module docstring); no image means the item did not exist.
    if not image or "contest_status" not in image:
        return ContestStatus.NONE
    raw = image["contest_status"]
    value = raw.get("S") if isinstance(raw, Mapping) else None
    try:
        return ContestStatus(str(value))
    except ValueError:
        # The value itself stays out of the message: it could be anything someone wrote to the item.
        raise UnreadableChange("contest_status holds no contest status") from None


def record_contest_entry(owner: str, bookmark_id: str) -> bool:
    """Move the bookmark from ``entering`` to ``entered`` and add one to the owner's entries, in one
    transaction: True when recorded now, False when it was not entering (already entered, or gone)."""
    try:
        dynamodb().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": settings().bookmarks_table_name,
                        "Key": _bookmark_key(owner, bookmark_id),
                        "UpdateExpression": "SET #contest_status = :entered",
                        "ConditionExpression": "#contest_status = :entering",
                        "ExpressionAttributeNames": {"#contest_status": "contest_status"},
                        "ExpressionAttributeValues": {
                            ":entering": {"S": ContestStatus.ENTERING.value},
                            ":entered": {"S": ContestStatus.ENTERED.value},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": settings().bookmarks_table_name,
                        "Key": _entrant_key(owner),
                        "UpdateExpression": "SET #owner = :owner ADD entries :one",
                        "ExpressionAttributeNames": {"#owner": "owner"},
                        "ExpressionAttributeValues": {":owner": {"S": owner}, ":one": {"N": "1"}},
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        if error.response["Error"]["Code"] != "TransactionCanceledException" or not reasons:
            raise
        if reasons[0].get("Code") != "ConditionalCheckFailed":
            raise
        return False
    return True


def contest_entries(owner: str) -> int:
    """How many contest entries the owner has (0 before the first)."""
    answer = dynamodb().get_item(
        TableName=settings().bookmarks_table_name, Key=_entrant_key(owner), ConsistentRead=True
    )
    return int(answer.get("Item", {}).get("entries", {}).get("N", "0"))


def _entrant_key(owner: str) -> dict[str, Any]:
    # One partition for every entrant: an operator draws a winner with one Query (see README).
    return {"pk": {"S": "CONTEST"}, "sk": {"S": f"ENTRANT#{owner}"}}
