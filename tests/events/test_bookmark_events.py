"""BookmarkEventsFunction on records of the real table's stream (moto), written by the API handlers:
which domain events each change makes, and how failures stop a batch without publishing twice."""

from collections import Counter
from typing import Any, cast

import boto3
import pytest

from bookmarks import bus as bus_module
from bookmarks.settings import settings
from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader, redelivered, resource
from tests.names import event_source

MAX_RETRIES = resource("BookmarkEventsMapping")["Properties"]["MaximumRetryAttempts"]


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["detail-type"], event["detail"]["bookmark_id"]) for event in events]


# feature: contest
def test_each_change_of_a_bookmark_publishes_its_domain_events_in_order(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke
) -> None:
    bookmark = alice.create(url="https://example.com/private?token=secret", name="Secret name")["id"]
    alice.request("PUT", f"/bookmarks/{bookmark}", {"name": "Renamed"})
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": True})
    alice.request("DELETE", f"/bookmarks/{bookmark}")
    records = stream.new_records()

    answer = publish(records)

    published = bus.received()
    assert answer == {"batchItemFailures": []}
    assert [event["detail-type"] for event in published] == [
        "BookmarkCreated",
        "BookmarkUpdated",
        "BookmarkUpdated",
        "BookmarkShared",
        "BookmarkDeleted",
    ]
    assert [event["detail"]["change_id"] for event in published] == [
        records[0]["eventID"],
        records[1]["eventID"],
        records[2]["eventID"],
        records[2]["eventID"],
        records[3]["eventID"],
    ]
    assert {event["source"] for event in published} == {event_source()}
    assert published[3]["detail"] | {"occurred_at": "", "change_id": ""} == {
        "bookmark_id": bookmark,
        "owner": alice.user,
        "contest_status": "entering",
        "previous_status": "none",
        "occurred_at": "",
        "change_id": "",
    }
    assert all("example.com" not in str(event) and "Secret" not in str(event) for event in published)


def test_creating_a_shared_bookmark_publishes_created_then_shared(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke
) -> None:
    bookmark = alice.create(shared=True)["id"]

    publish(stream.new_records())

    assert kinds(bus.received()) == [("BookmarkCreated", bookmark), ("BookmarkShared", bookmark)]


def test_sharing_again_after_unsharing_does_not_enter_the_contest_twice(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke
) -> None:
    bookmark = alice.create(shared=True)["id"]
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": False})
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": True})

    publish(stream.new_records())

    assert Counter(event["detail-type"] for event in bus.received())["BookmarkShared"] == 1


# end feature: contest


def test_without_the_contest_sharing_leaves_the_status_none_and_publishes_no_contest_event(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The store function as deployed from a template without the contest: no BOOKMARKS_CONTEST.
    monkeypatch.delenv("BOOKMARKS_CONTEST", raising=False)
    settings.cache_clear()
    created = alice.create(shared=True)
    later = alice.create()["id"]
    shared = alice.request("PUT", f"/bookmarks/{later}", {"shared": True}).body
    unshared = alice.request("PUT", f"/bookmarks/{later}", {"shared": False}).body
    listed = alice.request("GET", "/bookmarks").body["items"]

    answer = publish(stream.new_records())

    published = bus.received()
    assert (created["shared"], created["contest_status"]) == (True, "none")
    assert (shared["shared"], shared["contest_status"]) == (True, "none")
    assert (unshared["shared"], unshared["contest_status"]) == (False, "none")
    assert {(item["id"], item["contest_status"]) for item in listed} == {
        (created["id"], "none"),
        (later, "none"),
    }
    assert answer == {"batchItemFailures": []}
    assert kinds(published) == [
        ("BookmarkCreated", created["id"]),
        ("BookmarkCreated", later),
        ("BookmarkUpdated", later),
        ("BookmarkUpdated", later),
    ]
    assert {(e["detail"]["previous_status"], e["detail"]["contest_status"]) for e in published} == {
        ("none", "none")
    }


def test_idempotency_claims_are_filtered_out_by_the_mapping(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke
) -> None:
    reply = alice.request(
        "POST", "/bookmarks", {"url": "https://example.com/a", "name": "A"}, headers={"Idempotency-Key": "k1"}
    )
    records = stream.new_records()

    publish(records)

    assert {record["dynamodb"]["Keys"]["sk"]["S"].split("#")[0] for record in records} == {
        "IDEMPOTENCY",
        "BOOKMARK",
    }
    assert kinds(bus.received()) == [("BookmarkCreated", reply.body["id"])]


def test_a_poison_record_fails_alone_and_every_other_event_is_published_once(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke, bookmarks_table: str
) -> None:
    first = alice.create()["id"]
    # A bookmark item the app could not have written: a contest status that does not exist.
    boto3.client("dynamodb").put_item(
        TableName=bookmarks_table,
        Item={
            "pk": {"S": f"OWNER#{alice.user}"},
            "sk": {"S": "BOOKMARK#01KB2Z3Y4X5W6V7T8S9R0QPNMK"},
            "contest_status": {"S": "winner"},
        },
    )
    last = alice.create()["id"]
    batch = stream.new_records()
    poison = batch[1]["dynamodb"]["SequenceNumber"]

    answer = publish(batch)
    retries = [answer]
    for _ in range(MAX_RETRIES):  # Lambda re-delivers from the checkpoint until its retries run out...
        retries.append(publish(redelivered(batch, retries[-1])))
    publish(redelivered(batch, retries[-1])[1:])  # ...then sends the poison to the failure queue.

    assert answer == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert all(retry == answer for retry in retries)
    assert kinds(bus.received()) == [("BookmarkCreated", first), ("BookmarkCreated", last)]


class RefusingBus:
    """The real (moto) EventBridge client, except that PutEvents refuses the entries of some bookmarks,
    as EventBridge does for an entry too large or when throttled, answering FailedEntryCount."""

    def __init__(self, refused: set[str]) -> None:
        self.client = boto3.client("events")
        self.refused = refused

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's name)
        if not any(bookmark in entry["Detail"] for entry in Entries for bookmark in self.refused):
            return dict(self.client.put_events(Entries=cast(Any, Entries)))
        return {
            "FailedEntryCount": len(Entries),
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "refused"} for _ in Entries],
        }


def test_entries_the_bus_refuses_fail_exactly_their_record(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, refused, last = (alice.create()["id"] for _ in range(3))
    batch = stream.new_records()
    refusing = RefusingBus({refused})
    monkeypatch.setattr(bus_module, "events_client", lambda: refusing)

    answer = publish(batch)
    published_before_retry = kinds(bus.received())
    refusing.refused.clear()
    retry = publish(redelivered(batch, answer))

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch[1]["dynamodb"]["SequenceNumber"]}]}
    assert published_before_retry == [("BookmarkCreated", first)]
    assert retry == {"batchItemFailures": []}
    assert kinds(bus.received()) == [("BookmarkCreated", refused), ("BookmarkCreated", last)]


def test_the_stream_function_needs_only_the_bus_name(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice.create()
    monkeypatch.delenv("BOOKMARKS_TABLE_NAME")
    monkeypatch.delenv("ALLOWED_ORIGIN")
    settings.cache_clear()

    assert publish(stream.new_records()) == {"batchItemFailures": []}
    assert len(bus.received()) == 1
