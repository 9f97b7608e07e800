"""bookmarks.events on real stream records: the contest's later transitions, items that are not
bookmarks, and records that cannot become events."""

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from bookmarks import events
from bookmarks.errors import UnreadableChange
from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader


# feature: workflow
def test_the_workflows_decision_publishes_contest_entry_decided_with_outcome_and_reason(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: Callable[[dict[str, Any]], dict[str, Any]],
    bookmarks_table: str,
) -> None:
    bookmark = alice.create(shared=True)["id"]
    publish(stream.new_records())
    (shared,) = [e for e in bus.received() if e["detail-type"] == "BookmarkShared"]
    enter_contest(shared)
    # What the publishing workflow writes when it decides (issue 4): the outcome and why.
    boto3.client("dynamodb").update_item(
        TableName=bookmarks_table,
        Key={"pk": {"S": f"OWNER#{alice.user}"}, "sk": {"S": f"BOOKMARK#{bookmark}"}},
        UpdateExpression="SET contest_status = :outcome, decision_reason = :reason",
        ExpressionAttributeValues={":outcome": {"S": "duplicate"}, ":reason": {"S": "submitted before"}},
    )

    publish(stream.new_records())

    decided = [e["detail"] for e in bus.received() if e["detail-type"] == "ContestEntryDecided"]
    assert [(d["previous_status"], d["contest_status"], d["outcome"], d["reason"]) for d in decided] == [
        ("entered", "duplicate", "duplicate", "submitted before")
    ]


# end feature: workflow


def test_items_that_are_not_bookmarks_make_no_events(alice: ApiClient, stream: StreamReader) -> None:
    body = {"url": "https://example.com/a", "name": "A"}
    alice.request("POST", "/bookmarks", body, headers={"Idempotency-Key": "k"})
    records = stream.new_records()
    (claim,) = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"].startswith("IDEMPOTENCY#")]

    assert events.for_change(claim) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: r["dynamodb"]["Keys"].update(pk={"S": "SOMEONE"}),
        lambda r: r["dynamodb"]["Keys"].update(sk={"S": "BOOKMARK#not-an-id"}),
        lambda r: r["dynamodb"]["NewImage"].update(contest_status={"N": "1"}),
        lambda r: r.update(eventName="TRUNCATE"),
        lambda r: r.pop("dynamodb"),
    ],
    ids=["foreign-owner-key", "bad-id", "status-not-a-string", "unknown-event-name", "no-dynamodb"],
)
def test_a_record_the_table_could_not_have_written_is_unreadable(
    alice: ApiClient, stream: StreamReader, spoil: Callable[[dict[str, Any]], object]
) -> None:
    alice.create(url="https://example.com/private?token=secret")
    (record,) = stream.new_records()
    spoil(record)

    with pytest.raises(UnreadableChange) as raised:
        events.for_change(record)
    assert "example.com" not in str(raised.value)
