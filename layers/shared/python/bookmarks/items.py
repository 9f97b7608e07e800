"""How a bookmark is stored as a DynamoDB item and read back: from a table's answer, and from a stream
record's keys and images (the layout is bookmarks/layout.py's)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bookmarks import layout, rules
from bookmarks.errors import UnreadableChange
from bookmarks.ids import is_bookmark_id
from bookmarks.models import Bookmark, ContestStatus, TeamBookmark
from bookmarks.urls import top_level_domain, url_key

Item = dict[str, Any]


def to_dynamodb(values: Item) -> dict[str, Any]:
    """Plain values in DynamoDB's attribute-value form."""
    return {name: to_attribute(value) for name, value in values.items()}


def from_dynamodb(item: Mapping[str, Any]) -> Item:
    """An item in DynamoDB's attribute-value form as plain values."""
    return {name: from_attribute(value) for name, value in item.items()}


# The attribute types this app stores, converted here rather than by boto3's TypeSerializer: importing
# boto3 for it would cost every cold start boto3's import (bench/results.md). Numbers are integers only
# (the app stores counts and epoch seconds); anything else is refused rather than guessed at.
def to_attribute(value: Any) -> dict[str, Any]:
    """One plain value (str, int, bool, None, and lists and mappings of them) as a DynamoDB attribute."""
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(name): to_attribute(inner) for name, inner in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(inner) for inner in value]}
    raise TypeError(f"a {type(value).__name__} is not a type this app stores in DynamoDB")


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute as a plain value; raises TypeError for a type this app never writes."""
    [(kind, value)] = attribute.items()
    if kind in ("S", "BOOL"):
        return value
    if kind == "N":
        return int(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {name: from_attribute(inner) for name, inner in value.items()}
    if kind == "L":
        return [from_attribute(inner) for inner in value]
    raise TypeError(f"a DynamoDB {kind} attribute is not a type this app stores")


def bookmark_from_item(item: Mapping[str, Any]) -> Bookmark:
    values = from_dynamodb(item)
    values.setdefault(layout.CONTEST_STATUS, ContestStatus.NONE)
    values.setdefault("description", None)
    return Bookmark.model_validate(values, strict=False, from_attributes=False)


# feature: workflow
def team_bookmark_from_item(item: Mapping[str, Any]) -> TeamBookmark:
    """A published bookmark as the team sees it: the version a moderator approved (only that one is on the
    team list; an edit waits for its own approval) and the submitter's chosen display name, never an email."""
    values = from_dynamodb(item)
    values = rules.only_the_approved_version_is_listed(values, values.pop(layout.APPROVED_VERSION, None))
    values.setdefault("description", None)
    values.pop(layout.LEGACY_SHARED_BY, None)
    values["shared_by"] = values.pop(layout.SHARED_BY_NAME, None)
    return TeamBookmark.model_validate(values, strict=False, from_attributes=False)


# end feature: workflow


def bookmark_item(owner: str, bookmark: Bookmark, shared_by: str | None = None) -> dict[str, Any]:
    """The item ``bookmark`` is stored as, with the facts the workflow decides on (normalised URL, its
    top-level domain, when it was submitted); ``shared_by`` is the display name its owner chose."""
    values: Item = bookmark.model_dump(exclude={"contest_status"}, exclude_none=True)
    values.update(
        {
            "owner": owner,
            layout.URL_KEY: url_key(bookmark.url),
            layout.URL_TLD: top_level_domain(bookmark.url),
        }
    )
    if bookmark.contest_status is not ContestStatus.NONE:
        values[layout.CONTEST_STATUS] = bookmark.contest_status.value
        values[layout.SUBMITTED_AT] = bookmark.created_at
    # feature: workflow
    if bookmark.shared:
        values[layout.SHARED_URL_KEY] = values[layout.URL_KEY]
        if shared_by is not None:
            values[layout.SHARED_BY_NAME] = shared_by
    # end feature: workflow
    return layout.bookmark_key(owner, bookmark.id) | to_dynamodb(values)


def stored_form(owner: str, bookmark: Bookmark) -> dict[str, Any]:
    """The item ``bookmark`` is stored as, for seeding and migrations; the app writes through put_new."""
    return bookmark_item(owner, bookmark)


def contest_status(image: Mapping[str, Any] | None) -> ContestStatus:
    """The contest status an item (or a stream image) holds; raises UnreadableChange for a value that is
    none of them."""
    # No attribute means none (see bookmarks/layout.py); no image means the item did not exist.
    if not image or layout.CONTEST_STATUS not in image:
        return ContestStatus.NONE
    raw = image[layout.CONTEST_STATUS]
    value = raw.get("S") if isinstance(raw, Mapping) else None
    try:
        return ContestStatus(str(value))
    except ValueError:
        # The value itself stays out of the message: it could be anything someone wrote to the item.
        raise UnreadableChange("contest_status holds no contest status") from None


@dataclass(frozen=True)
class BookmarkChange:
    """What one stream record of a bookmark item says: whose, which, and its contest status before and
    after (``none`` where there is no image)."""

    owner: str
    bookmark_id: str
    previous_status: ContestStatus
    contest_status: ContestStatus
    contest_reason: str | None
    # A new submission time: a new version to review, even when the status stays resubmitted.
    new_submission: bool = False


def bookmark_change(
    keys: Mapping[str, Any], old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> BookmarkChange | None:
    """Read a stream record's keys and images; None for items that are not bookmarks (idempotency claims,
    contest counters). Raises UnreadableChange for a bookmark item the app could not have written."""
    try:
        key = from_dynamodb(keys)
        parsed = layout.parse_bookmark_key(str(key[layout.PARTITION_KEY]), str(key[layout.SORT_KEY]))
    except (KeyError, TypeError, AttributeError) as error:
        raise UnreadableChange(f"the record's keys are not the table's: {type(error).__name__}") from None
    except ValueError:
        raise UnreadableChange("a bookmark key that this table never writes") from None
    if parsed is None:
        return None
    owner, bookmark_id = parsed
    if not owner or not is_bookmark_id(bookmark_id):
        raise UnreadableChange("a bookmark key that this table never writes")
    reason = (new_image or {}).get(layout.DECISION_REASON)  # written by the publishing workflow
    submitted = [(image or {}).get(layout.SUBMITTED_AT) for image in (old_image, new_image)]
    return BookmarkChange(
        owner=owner,
        bookmark_id=bookmark_id,
        previous_status=contest_status(old_image),
        contest_status=contest_status(new_image if new_image is not None else old_image),
        contest_reason=reason.get("S") if isinstance(reason, Mapping) else None,
        new_submission=new_image is not None and old_image is not None and submitted[0] != submitted[1],
    )
