"""The bookmarks table as a user's own bookmarks live in it: create (with its idempotency claim), read,
page, change, delete; and what the features read of it (the layout is bookmarks/layout.py's, the items'
form bookmarks/items.py's)."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from botocore.exceptions import ClientError

from bookmarks import layout
from bookmarks.aws import dynamodb
from bookmarks.errors import BookmarkNotFound, Contended, SubmittedUrlLocked
from bookmarks.items import (
    Item,
    bookmark_from_item,
    bookmark_item,
    contest_status,
    from_dynamodb,
    team_bookmark_from_item,
    to_dynamodb,
)
from bookmarks.models import (
    Bookmark,
    BookmarkPatch,
    ContestStatus,
    SavedLink,
    TeamBookmark,
    after_editing,
    after_sharing,
)
from bookmarks.settings import settings
from bookmarks.urls import top_level_domain, url_key

_IS_NEW = f"attribute_not_exists({layout.PARTITION_KEY})"
_EXISTS = f"attribute_exists({layout.PARTITION_KEY})"
_OWNERS_BOOKMARKS = f"{layout.PARTITION_KEY} = :owner AND begins_with({layout.SORT_KEY}, :bookmark)"


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


def put_new(
    owner: str, bookmark: Bookmark, claim: IdempotencyClaim | None, shared_by: str | None = None
) -> EarlierAnswer | None:
    """Store a new bookmark, with its idempotency claim in the same transaction; a shared one keeps
    ``shared_by`` (the display name its owner chose) for the team list.

    Returns None when stored, or the earlier answer when the claim's key was already used (nothing is
    written then).
    """
    item = bookmark_item(owner, bookmark, shared_by)
    if claim is None:
        dynamodb().put_item(
            TableName=settings().bookmarks_table_name,
            Item=item,
            ConditionExpression=_IS_NEW,
        )
        return None
    now = int(time.time())
    claim_item = {
        layout.PARTITION_KEY: {"S": layout.owner_key(owner)},
        layout.SORT_KEY: {"S": layout.IDEMPOTENCY_KEY.format(claim.key)},
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
                        "ConditionExpression": f"{_IS_NEW} OR expires_at < :now",
                        "ExpressionAttributeValues": {":now": {"N": str(now)}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Put": {
                        "TableName": settings().bookmarks_table_name,
                        "Item": item,
                        "ConditionExpression": _IS_NEW,
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        earlier = reasons[0].get("Item") if reasons else None
        if error.response["Error"]["Code"] != "TransactionCanceledException" or not earlier:
            raise
        claimed = from_dynamodb(earlier)
        return EarlierAnswer(claimed["request_hash"], Bookmark.model_validate_json(claimed["answer"]))
    return None


def get(owner: str, bookmark_id: str) -> Bookmark:
    """The owner's bookmark; raises BookmarkNotFound."""
    answer = dynamodb().get_item(
        TableName=settings().bookmarks_table_name, Key=layout.bookmark_key(owner, bookmark_id)
    )
    if "Item" not in answer:
        raise BookmarkNotFound(bookmark_id)
    return bookmark_from_item(answer["Item"])


def list_page(owner: str, limit: int, after_id: str | None) -> tuple[list[Bookmark], bool]:
    """Up to ``limit`` of the owner's bookmarks, newest first, after ``after_id``; and whether more follow.

    Reads one item beyond the page to know for sure, so the last page never hands out an empty cursor.
    """
    request: dict[str, Any] = {
        "TableName": settings().bookmarks_table_name,
        "KeyConditionExpression": _OWNERS_BOOKMARKS,
        "ExpressionAttributeValues": {
            ":owner": {"S": layout.owner_key(owner)},
            ":bookmark": {"S": layout.BOOKMARK_KEY.format("")},
        },
        "ScanIndexForward": False,
        "Limit": limit + 1,
    }
    if after_id is not None:
        request["ExclusiveStartKey"] = layout.bookmark_key(owner, after_id)
    items = dynamodb().query(**request)["Items"]
    return [bookmark_from_item(item) for item in items[:limit]], len(items) > limit


_SHARE_ATTEMPTS = 3


def update(
    owner: str,
    bookmark_id: str,
    patch: BookmarkPatch,
    now: str,
    shared_by: str | None = None,
    *,
    contest: bool,
) -> Bookmark:
    """Apply ``patch`` in one conditional write; raises BookmarkNotFound, SubmittedUrlLocked, or Contended
    when other writers keep changing the item.

    Sharing or unsharing moves the contest status by ``after_sharing``, and an edit of a reviewed field by
    ``after_editing`` (a new version to review; only while the ``contest`` runs): both depend on the
    status the item has. The store function may not read, so the write first assumes
    the usual case and, when its condition fails, learns the item's status from the failure itself
    (ReturnValuesOnConditionCheckFailure) and tries again on that status: concurrent writers cannot make it
    apply a stale transition."""
    expected: ContestStatus | None = ContestStatus.NONE if _moves_status(patch) else None
    for _ in range(_SHARE_ATTEMPTS):
        try:
            written = _update_once(owner, bookmark_id, patch, now, shared_by, expected, contest=contest)
            return bookmark_from_item(written)
        except _StatusMoved as moved:
            expected = moved.status
    raise _StatusMoved.giving_up(bookmark_id)


class _StatusMoved(Exception):
    """The item's contest status was not the one the write assumed; ``status`` is the one it has."""

    def __init__(self, status: ContestStatus) -> None:
        super().__init__(status.value)
        self.status = status

    @staticmethod
    def giving_up(bookmark_id: str) -> Contended:
        # Only writers racing on one bookmark, faster than three round trips, get here: the API answers
        # 503 with Retry-After (bookmarks/api.py), never a 500.
        return Contended(bookmark_id)


_WITHDRAWN_REASON = "its owner unshared it"


def _edits_reviewed_fields(patch: BookmarkPatch) -> bool:
    # The URL is locked once entered (SubmittedUrlLocked), so a new version changes its words only.
    return patch.name is not None or "description" in patch.model_fields_set


def _moves_status(patch: BookmarkPatch) -> bool:
    return patch.shared is not None or _edits_reviewed_fields(patch)


def _update_once(
    owner: str,
    bookmark_id: str,
    patch: BookmarkPatch,
    now: str,
    shared_by: str | None,
    expected: ContestStatus | None,
    *,
    contest: bool,
) -> Item:
    """One conditional update_item of ``patch``; with ``expected``, only if the item has that status."""
    sets = {"updated_at": ":now"}
    removes = []
    values: Item = {":now": now}
    conditions = [_EXISTS]
    if patch.url is not None:
        sets.update({"url": ":url", layout.URL_KEY: ":url_key", layout.URL_TLD: ":url_tld"})
        values.update(
            {":url": patch.url, ":url_key": url_key(patch.url), ":url_tld": top_level_domain(patch.url)}
        )
        conditions.append(f"attribute_not_exists(#{layout.CONTEST_STATUS})")
    if patch.name is not None:
        sets["name"] = ":name"
        values[":name"] = patch.name
    if "description" in patch.model_fields_set:
        if patch.description is None:
            removes.append("description")
        else:
            sets["description"] = ":description"
            values[":description"] = patch.description
    new_version = False
    if expected is not None and _moves_status(patch):
        conditions.append(
            f"attribute_not_exists(#{layout.CONTEST_STATUS})"
            if expected is ContestStatus.NONE
            else f"#{layout.CONTEST_STATUS} = :expected"
        )
        if expected is not ContestStatus.NONE:
            values[":expected"] = expected.value
        moved_to = (
            after_sharing(expected, patch.shared, contest=contest) if patch.shared is not None else expected
        )
        if contest and _edits_reviewed_fields(patch) and moved_to is not ContestStatus.WITHDRAWN:
            # An edit in review or on the team list is a new version: reviewed again, from the start.
            moved_to = after_editing(moved_to)
            new_version = moved_to is ContestStatus.RESUBMITTED
        if moved_to is not expected:
            sets[layout.CONTEST_STATUS] = ":moved_to"
            values[":moved_to"] = moved_to.value
        new_version = new_version or (
            moved_to is not expected and moved_to in (ContestStatus.ENTERING, ContestStatus.RESUBMITTED)
        )
        if new_version:
            # A new submission: the duplicate check, the workflow's claim and the review's decision are
            # keyed on its time (its version).
            sets[layout.SUBMITTED_AT] = ":now"
            removes.append(layout.DECISION_REASON)
    else:
        moved_to = None
    if patch.shared is True:
        sets[layout.SHARED] = ":true"
        # feature: workflow
        sets[layout.SHARED_URL_KEY] = ":url_key" if patch.url is not None else f"#{layout.URL_KEY}"
        # end feature: workflow
        values[":true"] = True
        # feature: workflow
        if shared_by is not None:
            sets[layout.SHARED_BY_NAME] = ":shared_by"
            values[":shared_by"] = shared_by
        else:
            removes.append(layout.SHARED_BY_NAME)
        removes.append(layout.LEGACY_SHARED_BY)
        # end feature: workflow
    elif patch.shared is False:
        sets[layout.SHARED] = ":false"
        # feature: workflow
        # Unsharing also takes a published bookmark off the team list.
        removes.extend(
            [layout.SHARED_URL_KEY, layout.TEAM_PARTITION, layout.TEAM_SORT, layout.APPROVED_VERSION]
        )
        # end feature: workflow
        values[":false"] = False
        if moved_to is ContestStatus.WITHDRAWN:
            sets[layout.DECISION_REASON] = ":withdrawn_reason"
            values[":withdrawn_reason"] = _WITHDRAWN_REASON
    expression = "SET " + ", ".join(f"#{name} = {value}" for name, value in sets.items())
    if removes:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in removes)
    # Every attribute goes through a placeholder: `name`, `url` and others are DynamoDB reserved words.
    used = [*sets, *removes, layout.CONTEST_STATUS, layout.SUBMITTED_AT, layout.URL_KEY]
    names = {f"#{name}": name for name in used if f"#{name}" in expression + " ".join(conditions)}
    try:
        answer = dynamodb().update_item(
            TableName=settings().bookmarks_table_name,
            Key=layout.bookmark_key(owner, bookmark_id),
            UpdateExpression=expression,
            ConditionExpression=" AND ".join(conditions),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamodb(values),
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
        status = contest_status(old)
        if patch.url is not None and status is not ContestStatus.NONE:
            raise SubmittedUrlLocked(bookmark_id) from None
        raise _StatusMoved(status) from None
    return dict(answer["Attributes"])


def delete(owner: str, bookmark_id: str) -> None:
    """Delete the owner's bookmark; raises BookmarkNotFound."""
    try:
        dynamodb().delete_item(
            TableName=settings().bookmarks_table_name,
            Key=layout.bookmark_key(owner, bookmark_id),
            ConditionExpression=_EXISTS,
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise BookmarkNotFound(bookmark_id) from None


def owners_bookmarks_of(owner: str, url_key: str) -> list[SavedLink]:
    """The owner's bookmarks whose URL has the key ``url_key`` (``bookmarks.urls.url_key``): one read of
    OwnerUrlIndex."""
    items = dynamodb().query(
        TableName=settings().bookmarks_table_name,
        IndexName=layout.OWNER_URL_INDEX,
        KeyConditionExpression=f"{layout.PARTITION_KEY} = :owner AND {layout.URL_KEY} = :url",
        ExpressionAttributeValues={":owner": {"S": layout.owner_key(owner)}, ":url": {"S": url_key}},
    )["Items"]
    return [SavedLink(id=item["id"]["S"], name=item["name"]["S"]) for item in items]


# feature: workflow
def team_list_holds(url_key: str) -> bool:
    """Whether a published bookmark of anyone has the URL key ``url_key`` (one read of
    SharedUrlIndex, which holds only shared bookmarks)."""
    answer = dynamodb().query(
        TableName=settings().bookmarks_table_name,
        IndexName=layout.SHARED_URL_INDEX,
        KeyConditionExpression=f"{layout.SHARED_URL_KEY} = :url",
        FilterExpression=f"{layout.CONTEST_STATUS} = :approved",
        ExpressionAttributeValues={":url": {"S": url_key}, ":approved": {"S": ContestStatus.APPROVED.value}},
        Select="COUNT",
    )
    return int(answer["Count"]) > 0


def team_page(limit: int, after: str | None) -> tuple[list[tuple[TeamBookmark, str]], bool]:
    """Up to ``limit`` published bookmarks, newest first, each with its team-list position, from after
    the position ``after``; and whether more follow. Needs no owner: the position is the whole cursor."""
    condition = f"{layout.TEAM_PARTITION} = :team"
    values = {":team": {"S": layout.TEAM}}
    if after is not None:
        condition += f" AND {layout.TEAM_SORT} < :after"
        values[":after"] = {"S": after}
    items = dynamodb().query(
        TableName=settings().bookmarks_table_name,
        IndexName=layout.TEAM_INDEX,
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        ScanIndexForward=False,
        Limit=limit + 1,
    )["Items"]
    page = [(team_bookmark_from_item(item), str(item[layout.TEAM_SORT]["S"])) for item in items[:limit]]
    return page, len(items) > limit


# end feature: workflow
