"""The one module that puts events on the app's bus: table changes become domain events, in batches.

Lambda checkpoints a stream batch at the lowest sequence number reported failed and delivers everything
after it again. So a batch's events go out in record order, up to ten entries (and 256 KB) a PutEvents
call; the answer's per-entry ErrorCode is mapped back to the record each entry came from, and the first
record with a refused entry is the one reported, so the checkpoint is exact: nothing before it is
delivered again, nothing from it on is lost. No call is made after one that refused an entry, after a
record that cannot be read, or when too little of the invocation is left for a call to finish. Entries
accepted in the same call after a refused one are published again on redelivery: consumers de-duplicate
by ``change_id``, as they must for EventBridge's own at-least-once delivery.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from bookmarks.aws import WORST_CALL_SECONDS
from bookmarks.aws import events as events_client
from bookmarks.errors import UnreadableChange
from bookmarks.events import BookmarkEvent, for_change
from bookmarks.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

# EventBridge quotas (PutEvents): at most 10 entries a call, and their entries' sizes summed under 256 KB,
# each the UTF-8 bytes of its Source, DetailType, Detail and Resources (plus 14 for a Time).
MAX_ENTRIES_PER_CALL = 10
MAX_CALL_BYTES = 256 * 1024
# What a handler needs after its last call to answer Lambda: the reply is a list of ids.
ANSWER_SECONDS = 0.5


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
    calls: int = 0


@dataclass(frozen=True)
class _Entry:
    record: int  # index of the record in the batch
    event: BookmarkEvent
    request: "PutEventsRequestEntryTypeDef"

    def size(self) -> int:
        parts = (self.request["Source"], self.request["DetailType"], self.request["Detail"])
        return sum(len(part.encode()) for part in parts)


def publish_changes(
    records: Sequence[Mapping[str, Any]], seconds_left: Callable[[], float] = lambda: float("inf")
) -> Published:
    """Put the records' domain events on the bus in record order, ten entries a call, until a record that
    cannot be read, a call the bus refuses an entry of (or fails), or ``seconds_left()`` too short for
    another call; the record it stopped at is returned as failed."""
    sequence_numbers = [str((record.get("dynamodb") or {}).get("SequenceNumber", "")) for record in records]
    entries, unreadable = _entries(records)
    published = Published()
    for call in _calls(entries):
        first = call[0].record
        if seconds_left() < WORST_CALL_SECONDS + ANSWER_SECONDS:
            published.failed = FailedRecord(sequence_numbers[first], "too little time left for a call")
            return published
        published.calls += 1
        refused = _put(call)
        refused_records = sorted({call[index].record for index in refused})
        published.events.extend(entry.event for index, entry in enumerate(call) if index not in refused)
        if refused_records:
            reason = refused[min(i for i in refused if call[i].record == refused_records[0])]
            published.failed = FailedRecord(sequence_numbers[refused_records[0]], reason)
            return published
    if unreadable is not None:
        index, reason = unreadable
        published.failed = FailedRecord(sequence_numbers[index], reason)
    return published


def _entries(records: Sequence[Mapping[str, Any]]) -> tuple[list[_Entry], tuple[int, str] | None]:
    """The entries of every record before the first unreadable one, and that one (index, reason)."""
    entries: list[_Entry] = []
    for index, record in enumerate(records):
        try:
            record_events = for_change(record)
        except UnreadableChange as error:
            return entries, (index, f"unreadable: {error}")
        entries.extend(_Entry(index, event, _request(event)) for event in record_events)
    return entries, None


def _request(event: BookmarkEvent) -> "PutEventsRequestEntryTypeDef":
    return {
        "Source": settings().bookmarks_event_source,
        "DetailType": event.detail_type(),
        "Detail": event.model_dump_json(),
        "EventBusName": settings().bookmarks_bus_name,
    }


def _calls(entries: list[_Entry]) -> list[list[_Entry]]:
    """The entries in order, cut into calls of at most ten entries and 256 KB."""
    calls: list[list[_Entry]] = []
    size = 0
    for entry in entries:
        if not calls or len(calls[-1]) == MAX_ENTRIES_PER_CALL or size + entry.size() > MAX_CALL_BYTES:
            calls.append([])
            size = 0
        calls[-1].append(entry)
        size += entry.size()
    return calls


def _put(call: list[_Entry]) -> dict[int, str]:
    """Put one call's entries; the refused ones by index, with the reason (no item data)."""
    try:
        answer = events_client().put_events(Entries=[entry.request for entry in call])
    except (ClientError, BotoCoreError) as error:
        return dict.fromkeys(range(len(call)), f"PutEvents failed: {type(error).__name__}")
    if not answer.get("FailedEntryCount"):
        return {}
    # The answer's Entries are the request's, in the same order (EventBridge's PutEvents guide).
    return {
        index: f"PutEvents refused an entry: {result.get('ErrorCode')}"
        for index, result in enumerate(answer["Entries"])
        if result.get("ErrorCode")
    }
