"""The app's domain events: their shapes (the catalogue in events/catalogue.json is generated from them)
and how one change of the table becomes them.

Every event carries ids and statuses only: no URL, name or email, because events end up in logs and
metrics. ``change_id`` is the stream record's eventID, for consumers to de-duplicate redeliveries.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import ConfigDict, Field, ValidationError

from bookmarks.errors import UnreadableChange
from bookmarks.items import bookmark_change
from bookmarks.models import IN_REVIEW, OUTCOMES, ContestStatus, Model


class BookmarkEvent(Model):
    """The detail every domain event carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    emitted_when: ClassVar[str]

    bookmark_id: str = Field(description="The bookmark's id.")
    owner: str = Field(description="The owner's Cognito sub: opaque, not an email.")
    contest_status: ContestStatus = Field(description="The contest status after the change.")
    previous_status: ContestStatus = Field(description="The contest status before the change.")
    occurred_at: str = Field(description="When the table changed (ISO 8601, UTC).")
    change_id: str = Field(description="The stream record's eventID; the same for a redelivered event.")

    @classmethod
    def detail_type(cls) -> str:
        return cls.__name__


class BookmarkCreated(BookmarkEvent):
    """A user saved a new bookmark."""

    emitted_when: ClassVar[str] = "a bookmark item is inserted"


class BookmarkUpdated(BookmarkEvent):
    """A bookmark changed: its fields, sharing, or its contest status."""

    emitted_when: ClassVar[str] = "a bookmark item is modified"


class BookmarkDeleted(BookmarkEvent):
    """A user deleted a bookmark; ``contest_status`` is the one it had."""

    emitted_when: ClassVar[str] = "a bookmark item is removed"


# feature: contest
class BookmarkShared(BookmarkEvent):
    """A bookmark was shared for the first time: it enters the contest (the contest function counts it).
    Only while the contest runs: without it a shared bookmark keeps status none, and its sharing is a
    BookmarkCreated or BookmarkUpdated alone. Anything else under this name is malformed: the contest
    function fails it into its dead-letter queue."""

    emitted_when: ClassVar[str] = "contest_status goes from none to entering (after Created or Updated)"

    contest_status: Literal[ContestStatus.ENTERING] = Field(description="Always entering.")
    previous_status: Literal[ContestStatus.NONE] = Field(description="Always none.")


class ContestEntryRecorded(BookmarkEvent):
    """The contest counted the entry: the publishing workflow starts, and notifies the organisers once."""

    emitted_when: ClassVar[str] = "contest_status goes from entering to entered"


# end feature: contest


# feature: workflow
class BookmarkResubmitted(BookmarkEvent):
    """The owner shared the bookmark again after an outcome or a withdrawal, or edited its name or
    description in review or on the team list (a new version): the publishing workflow checks and
    moderates it again. Its contest entry is not counted again."""

    emitted_when: ClassVar[str] = (
        "contest_status goes to resubmitted (shared again after an outcome or a withdrawal, or edited in "
        "review or published), or a resubmitted bookmark is edited (a newer submitted_at)"
    )


class ContestEntryWithdrawn(BookmarkEvent):
    """The owner unshared a bookmark in review or published: it left the review queue or the team list,
    and the publishing workflow stops waiting for a moderator. Its contest entry stays counted."""

    emitted_when: ClassVar[str] = "contest_status goes from entered, resubmitted or approved to withdrawn"


class ContestEntryDecided(BookmarkEvent):
    """The publishing workflow decided the entry; ``outcome`` says how, ``reason`` why."""

    emitted_when: ClassVar[str] = (
        "contest_status goes from entered or resubmitted to duplicate, invalid, approved or rejected"
    )

    outcome: Literal["duplicate", "invalid", "approved", "rejected"] = Field(
        description="The decision: equal to contest_status."
    )
    reason: str | None = Field(
        description="Why, in a sentence without personal data: the Bookmark's decision_reason; null if none."
    )


# end feature: workflow


EVENT_TYPES: tuple[type[BookmarkEvent], ...] = (
    BookmarkCreated,
    BookmarkUpdated,
    BookmarkDeleted,
    # feature: contest
    BookmarkShared,
    ContestEntryRecorded,
    # end feature: contest
    # feature: workflow
    BookmarkResubmitted,
    ContestEntryWithdrawn,
    ContestEntryDecided,
    # end feature: workflow
)


def catalogue(source: str) -> dict[str, Any]:
    """Every domain event on the bus: its detail-type, when it is emitted, and its detail's JSON schema;
    ``source`` is the events' source, the template's AppName (BOOKMARKS_EVENT_SOURCE at run time)."""
    return {
        "bus": "BookmarksBus (environment variable BOOKMARKS_BUS_NAME)",
        "source": source,
        "events": [
            {
                "detail-type": event_type.detail_type(),
                "description": (event_type.__doc__ or "").strip(),
                "emitted-when": event_type.emitted_when,
                "detail-schema": event_type.model_json_schema(),
            }
            for event_type in EVENT_TYPES
        ],
    }


EventT = TypeVar("EventT", bound=BookmarkEvent)


def parse(detail_type: str, detail: Mapping[str, Any], expected: type[EventT]) -> EventT:
    """An event's detail as ``expected``; raises UnreadableChange for another type or a malformed detail."""
    if detail_type != expected.detail_type():
        raise UnreadableChange(f"expected {expected.detail_type()}, got {detail_type!r}")
    try:
        return expected.model_validate(detail)
    except ValidationError as error:
        raise UnreadableChange(_problems(error)) from None


class _StreamImage(Model):
    Keys: dict[str, Any]
    NewImage: dict[str, Any] | None = None
    OldImage: dict[str, Any] | None = None
    SequenceNumber: str
    ApproximateCreationDateTime: float


class _StreamRecord(Model):
    """The parts of a Lambda DynamoDB stream record that events are made of."""

    event_id: str = Field(alias="eventID")
    event_name: Literal["INSERT", "MODIFY", "REMOVE"] = Field(alias="eventName")
    dynamodb: _StreamImage


_CHANGE_KINDS: dict[str, type[BookmarkEvent]] = {
    "INSERT": BookmarkCreated,
    "MODIFY": BookmarkUpdated,
    "REMOVE": BookmarkDeleted,
}


def for_change(record: Mapping[str, Any]) -> list[BookmarkEvent]:
    """The domain events of one stream record, in the order to publish them; none for items that are not
    bookmarks. Raises UnreadableChange when the record or its bookmark item is malformed."""
    try:
        parsed = _StreamRecord.model_validate(record)
    except ValidationError as error:
        raise UnreadableChange(_problems(error)) from None
    change = bookmark_change(parsed.dynamodb.Keys, parsed.dynamodb.OldImage, parsed.dynamodb.NewImage)
    if change is None:
        return []
    detail: dict[str, Any] = {
        "bookmark_id": change.bookmark_id,
        "owner": change.owner,
        "contest_status": change.contest_status,
        "previous_status": change.previous_status,
        "occurred_at": _iso(parsed.dynamodb.ApproximateCreationDateTime),
        "change_id": parsed.event_id,
    }
    changed: list[BookmarkEvent] = [_CHANGE_KINDS[parsed.event_name].model_validate(detail)]
    if parsed.event_name == "REMOVE":
        return changed
    # feature: contest
    moved = (change.previous_status, change.contest_status)
    if moved == (ContestStatus.NONE, ContestStatus.ENTERING):
        return [*changed, BookmarkShared.model_validate(detail)]
    if moved == (ContestStatus.ENTERING, ContestStatus.ENTERED):
        return [*changed, ContestEntryRecorded.model_validate(detail)]
    # end feature: contest
    # feature: workflow
    moved_to = change.contest_status if change.previous_status is not change.contest_status else None
    if change.contest_status is ContestStatus.RESUBMITTED and change.new_submission:
        # Edited while resubmitted: the newer version is reviewed instead.
        moved_to = ContestStatus.RESUBMITTED
    if moved_to is ContestStatus.RESUBMITTED:
        return [*changed, BookmarkResubmitted.model_validate(detail)]
    if moved_to is ContestStatus.WITHDRAWN:
        return [*changed, ContestEntryWithdrawn.model_validate(detail)]
    if change.previous_status in IN_REVIEW and change.contest_status in OUTCOMES:
        decision = {"outcome": change.contest_status.value, "reason": change.contest_reason}
        return [*changed, ContestEntryDecided.model_validate(detail | decision)]
    # end feature: workflow
    return changed


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _problems(error: ValidationError) -> str:
    # Locations and error types only: the input may hold a URL or a name, which must not reach the logs.
    return "; ".join(
        f"{'.'.join(str(part) for part in issue['loc'])}: {issue['type']}"
        for issue in error.errors(include_url=False, include_input=False)
    )
