"""The business metrics each handler prints in CloudWatch embedded metric format (never PutMetricData):
namespace, name, unit, low-cardinality dimensions and value, read from the handler's stdout."""

from typing import Any

import boto3
import pytest

from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.events.test_contest_entry import EnterContest, shared_events
from tests.harness import StreamReader
from tests.names import metrics_namespace, service
from tests.observed import Metric, metrics


def counted(name: str, value: float = 1, **dimensions: str) -> Metric:
    return Metric(metrics_namespace(), name, "Count", {"service": service()} | dimensions, value)


# feature: workflow
def settle(table: str, owner: str, bookmark_id: str, outcome: str) -> None:
    """What the contest function and the publishing workflow write: entering -> entered -> ``outcome``."""
    key = {"pk": {"S": f"OWNER#{owner}"}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}}
    dynamodb = boto3.client("dynamodb")
    for status in ("entered", outcome):
        dynamodb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET contest_status = :status, decision_reason = :reason",
            ExpressionAttributeValues={":status": {"S": status}, ":reason": {"S": "Checked by the test."}},
        )


# end feature: workflow


def test_the_store_function_counts_bookmarks_created_updated_and_deleted(
    alice: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    bookmark = alice.create()["id"]
    alice.request("PUT", f"/bookmarks/{bookmark}", {"name": "Renamed"})
    alice.request("DELETE", f"/bookmarks/{bookmark}")

    assert metrics(capsys.readouterr().out) == [
        counted("BookmarkCreated"),
        counted("BookmarkUpdated"),
        counted("BookmarkDeleted"),
    ]


def test_a_refused_request_counts_nothing(alice: ApiClient, capsys: pytest.CaptureFixture[str]) -> None:
    alice.request("DELETE", "/bookmarks/no-such-bookmark")

    assert metrics(capsys.readouterr().out) == []


# feature: workflow
def test_the_stream_function_counts_shares_and_each_decision_with_its_outcome_as_dimension(
    alice: ApiClient,
    bookmarks_table: str,
    stream: StreamReader,
    publish: Invoke,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcomes = ["approved", "rejected", "rejected", "duplicate", "invalid"]
    for outcome in outcomes:
        settle(bookmarks_table, alice.user, alice.create(shared=True)["id"], outcome)
    capsys.readouterr()

    publish(stream.new_records())

    printed = metrics(capsys.readouterr().out)
    # Per bookmark: Created+Shared, Updated+ContestEntryRecorded, Updated+ContestEntryDecided.
    assert counted("DomainEventsPublished", 6 * len(outcomes)) in printed
    assert counted("BookmarkShared", len(outcomes)) in printed
    decided = [metric for metric in printed if metric.name == "ContestEntryDecided"]
    assert decided == [
        counted("ContestEntryDecided", 1, outcome="approved"),
        counted("ContestEntryDecided", 1, outcome="duplicate"),
        counted("ContestEntryDecided", 1, outcome="invalid"),
        counted("ContestEntryDecided", 2, outcome="rejected"),
    ]


# end feature: workflow


def test_the_stream_function_counts_the_record_it_stopped_at(
    publish: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    unreadable: dict[str, Any] = {
        "eventID": "1",
        "eventName": "INSERT",
        "dynamodb": {"Keys": {"sk": {"S": "BOOKMARK#x"}}, "SequenceNumber": "100"},
    }

    publish([unreadable])

    assert metrics(capsys.readouterr().out) == [counted("StreamRecordsFailed")]


# feature: contest
def test_the_contest_function_counts_an_entry_once_however_often_it_arrives(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: EnterContest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice.create(shared=True)
    (shared,) = shared_events(stream, bus, publish)
    capsys.readouterr()

    enter_contest(shared)
    enter_contest(shared)

    assert metrics(capsys.readouterr().out) == [counted("ContestEntryRecorded")]


# end feature: contest
