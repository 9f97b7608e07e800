"""`make replay` on moto: events a consumer lost come back from the bus's archive with their change ids,
and a failure record whose batch cannot be read again stays in the queue with the reason. (What the
replays change, exactly once, is in test_contest_replay.py: the contest is the bus's consumer.)"""

import json
from datetime import UTC, datetime, timedelta

import boto3

from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader
from tools.replay import replay_archive, replay_parked


def test_a_replay_of_the_archive_puts_the_lost_events_on_the_bus_again_with_their_change_ids(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke, archive: str
) -> None:
    bookmarks = [alice.create()["id"] for _ in range(3)]
    since = datetime.now(UTC) - timedelta(minutes=1)
    publish(stream.new_records())
    lost = bus.received()

    replay = replay_archive(boto3.client("events"), archive, since, datetime.now(UTC), wait=lambda _: None)
    again = bus.received()

    assert replay["State"] == "COMPLETED"
    assert [event["detail"]["bookmark_id"] for event in lost] == bookmarks
    assert [(event["detail-type"], event["detail"]) for event in again] == [
        (event["detail-type"], event["detail"]) for event in lost
    ]
    assert {event.get("replay-name") for event in again} == {replay["ReplayName"]}


def test_a_failure_record_whose_records_are_gone_stays_in_the_queue_with_the_reason(
    bus: RecordingBus,
) -> None:
    sqs, streams = boto3.client("sqs"), boto3.client("dynamodbstreams")
    queue = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"requestContext": {}}))

    replayed = replay_parked(sqs, streams, queue)

    assert replayed.batches == 0
    assert len(replayed.left) == 1
    assert replayed.left[0].endswith("not a stream batch's failure record (no DDBStreamBatchInfo)")
