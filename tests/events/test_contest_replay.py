"""`make replay` and the contest: a contest function that lost BookmarkShared events gets them again
from the bus's archive, and a stream batch given up on is published from its failure record; run
twice, each shared bookmark is still one entry."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bookmarks import bus as bus_module
from bookmarks import contest
from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.events.test_bookmark_events import RefusingBus
from tests.harness import StreamReader
from tools.replay import replay_archive, replay_parked

EnterContest = Callable[[dict[str, Any]], dict[str, Any]]


def shared(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["detail-type"] == "BookmarkShared"]


def test_events_a_consumer_lost_are_replayed_from_the_archive_and_counted_once(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: EnterContest,
    archive: str,
) -> None:
    bookmarks = [alice.create(shared=True)["id"] for _ in range(3)]
    since = datetime.now(UTC) - timedelta(minutes=1)
    publish(stream.new_records())
    first, *lost = shared(bus.received())
    enter_contest(first)  # the contest function saw one event; its rule lost the others

    replays = []
    for _ in range(2):  # replayed twice: the second finds nothing left to do
        replays.append(
            replay_archive(boto3.client("events"), archive, since, datetime.now(UTC), wait=lambda _: None)
        )
        again = shared(bus.received())
        assert {event["detail"]["change_id"] for event in again} >= {
            event["detail"]["change_id"] for event in lost
        }
        for event in again:
            enter_contest(event)

    assert [replay["State"] for replay in replays] == ["COMPLETED", "COMPLETED"]
    assert contest.entries(alice.user) == 3
    assert {alice.request("GET", f"/bookmarks/{b}").body["contest_status"] for b in bookmarks} == {"entered"}


def test_a_batch_the_stream_gave_up_on_is_published_from_its_failure_record_once(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: EnterContest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bookmarks = [alice.create(shared=True)["id"], alice.create()["id"]]
    batch = stream.new_records()
    refusing = RefusingBus(set(bookmarks))
    monkeypatch.setattr(bus_module, "events_client", lambda: refusing)
    answer = publish(batch)  # every retry fails alike; Lambda then sends where the batch was
    monkeypatch.undo()
    sqs, streams = boto3.client("sqs"), boto3.client("dynamodbstreams")
    queue = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    (shard,) = streams.describe_stream(StreamArn=stream.stream_arn)["StreamDescription"]["Shards"]
    failure_record = {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 6},
        "DDBStreamBatchInfo": {
            "shardId": shard["ShardId"],
            "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(batch),
            "streamArn": stream.stream_arn,
        },
    }

    replayed = []
    for _ in range(2):  # the failure record delivered twice, or the command run twice
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(failure_record))
        replayed.append(replay_parked(sqs, streams, queue))
        for event in shared(bus.received()):
            enter_contest(event)

    assert answer["batchItemFailures"] == [{"itemIdentifier": batch[0]["dynamodb"]["SequenceNumber"]}]
    assert [(r.batches, r.left) for r in replayed] == [(1, []), (1, [])]
    assert replayed[0].events == 3  # created and shared, created
    assert (
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
        == "0"
    )
    assert contest.entries(alice.user) == 1
    assert alice.request("GET", f"/bookmarks/{bookmarks[0]}").body["contest_status"] == "entered"
