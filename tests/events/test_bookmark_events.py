"""BookmarkEventsFunction on records of the real table's stream (moto), written by the API handlers:
which domain events each change makes, how a batch goes out ten entries a call, and how failures stop
it at exactly the record that failed."""

from collections import Counter
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError

from bookmarks import aws
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
    as EventBridge does for an entry when throttled, answering FailedEntryCount and the entry's ErrorCode
    in the place of the request's entry; or fails whole calls. It keeps every call's entries."""

    def __init__(self, refused: set[str] | None = None, failing_calls: int = 0) -> None:
        self.client = boto3.client("events")
        self.refused = refused or set()
        self.failing_calls = failing_calls
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's name)
        self.calls.append(Entries)
        if self.failing_calls:
            self.failing_calls -= 1
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents")
        results: list[dict[str, Any]] = []
        for entry in Entries:
            if any(bookmark in entry["Detail"] for bookmark in self.refused):
                results.append({"ErrorCode": "ThrottlingException", "ErrorMessage": "refused"})
            else:
                results.extend(cast(Any, self.client.put_events(Entries=cast(Any, [entry]))["Entries"]))
        return {"FailedEntryCount": sum("ErrorCode" in result for result in results), "Entries": results}


def sequence_number(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def test_a_batch_goes_out_ten_entries_a_call_in_record_order(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created = [alice.create()["id"] for _ in range(12)]
    counting = RefusingBus()
    monkeypatch.setattr(bus_module, "events_client", lambda: counting)

    answer = publish(stream.new_records())

    assert answer == {"batchItemFailures": []}
    assert [len(call) for call in counting.calls] == [10, 2]
    assert kinds(bus.received()) == [("BookmarkCreated", bookmark) for bookmark in created]


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

    # One call for all three; the refused entry's record is the checkpoint, so the first record is not
    # delivered again and the last, accepted in the same call, is (its change_id tells consumers).
    assert len(refusing.calls) == 2
    assert answer == {"batchItemFailures": [{"itemIdentifier": sequence_number(batch[1])}]}
    assert published_before_retry == [("BookmarkCreated", first), ("BookmarkCreated", last)]
    assert retry == {"batchItemFailures": []}
    assert kinds(bus.received()) == [("BookmarkCreated", refused), ("BookmarkCreated", last)]


def test_under_redelivery_every_change_reaches_the_bus_and_none_is_lost(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bookmarks = [alice.create()["id"] for _ in range(14)]
    batch = stream.new_records()
    refusing = RefusingBus()
    monkeypatch.setattr(bus_module, "events_client", lambda: refusing)
    # Each delivery's trouble: an entry refused in the first call, a whole call failing, an entry refused
    # in the second call, then none.
    troubles = [({bookmarks[3]}, 0), (set(), 1), ({bookmarks[13]}, 0), (set(), 0)]
    published: list[dict[str, Any]] = []
    delivery, answers = batch, []
    for refused, failing_calls in troubles:
        refusing.refused, refusing.failing_calls = refused, failing_calls
        answers.append(publish(delivery))
        published += bus.received()
        delivery = redelivered(delivery, answers[-1])

    change_ids = [event["detail"]["change_id"] for event in published]
    assert [answer["batchItemFailures"] for answer in answers] == [
        [{"itemIdentifier": sequence_number(batch[3])}],
        [{"itemIdentifier": sequence_number(batch[3])}],
        [{"itemIdentifier": sequence_number(batch[13])}],
        [],
    ]
    assert len(answers) <= MAX_RETRIES + 1
    assert set(change_ids) == {record["eventID"] for record in batch}
    # Nothing before a checkpoint went out twice: only the records after the refused entry, in its call.
    assert Counter(change_ids) == Counter(
        [record["eventID"] for record in batch] + [record["eventID"] for record in batch[4:10]]
    )


def test_with_too_little_time_left_the_batch_stops_before_a_call_and_resumes_there(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    bookmarks = [alice.create()["id"] for _ in range(12)]
    batch = stream.new_records()
    counting = RefusingBus()
    monkeypatch.setattr(bus_module, "events_client", lambda: counting)
    # Enough time for one call, and then the clock says there is not enough for another.
    left = iter([30.0, aws.WORST_CALL_SECONDS])

    stopped = bus_module.publish_changes(batch, lambda: next(left))
    resumed = bus_module.publish_changes(batch[10:])

    assert stopped.failed is not None
    assert stopped.failed.sequence_number == sequence_number(batch[10])
    assert stopped.failed.reason == "too little time left for a call"
    assert [len(call) for call in counting.calls] == [10, 2]
    assert resumed.failed is None
    assert kinds(bus.received()) == [("BookmarkCreated", bookmark) for bookmark in bookmarks]


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
