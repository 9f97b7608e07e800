"""The one module that puts events on the app's bus: table changes become domain events, in order.

Lambda checkpoints a stream batch at the lowest sequence number reported failed and delivers everything
after it again. So records are published one at a time, in order, and publishing stops at the first
record that fails: no record after it has been published, so none is published twice. (Only the failed
record's own events may repeat, when one of its two was accepted; ``change_id`` lets consumers tell.)
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from bookmarks.aws import events as events_client
from bookmarks.errors import UnreadableChange
from bookmarks.events import BookmarkEvent, for_change
from bookmarks.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef


@dataclass(frozen=True)
class FailedRecord:
    """The record a batch stopped at: Lambda resumes from its sequence number. ``reason`` has no item data."""

    sequence_number: str
    reason: str


@dataclass
class Published:
    """What one batch put on the bus, and the record it stopped at, if any."""

    events: list[BookmarkEvent] = field(default_factory=list)
    failed: FailedRecord | None = None


def publish_changes(records: Sequence[Mapping[str, Any]]) -> Published:
    """Put each record's domain events on the bus, in order, until the first record that cannot be read
    or whose events the bus does not all accept; that record is returned as failed."""
    published = Published()
    for record in records:
        sequence_number = str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
        try:
            record_events = for_change(record)
        except UnreadableChange as error:
            published.failed = FailedRecord(sequence_number, f"unreadable: {error}")
            return published
        problem = _put(record_events) if record_events else None
        if problem is not None:
            published.failed = FailedRecord(sequence_number, problem)
            return published
        published.events.extend(record_events)
    return published


def _put(record_events: list[BookmarkEvent]) -> str | None:
    """Put one record's events (at most two, so one call); the first problem, or None if all were taken."""
    entries: list[PutEventsRequestEntryTypeDef] = [
        {
            "Source": settings().bookmarks_event_source,
            "DetailType": event.detail_type(),
            "Detail": event.model_dump_json(),
            "EventBusName": settings().bookmarks_bus_name,
        }
        for event in record_events
    ]
    try:
        answer = events_client().put_events(Entries=entries)
    except (ClientError, BotoCoreError) as error:
        return f"PutEvents failed: {type(error).__name__}"
    if not answer.get("FailedEntryCount"):
        return None
    failed = next(entry for entry in answer["Entries"] if entry.get("ErrorCode"))
    return f"PutEvents refused an entry: {failed.get('ErrorCode')}"
