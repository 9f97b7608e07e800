"""Replays what the app lost into it again, idempotently: a window of the bus's archive (events a
consumer missed), or the stream batches the stream function gave up on (its failure queue).

    make replay STACK=<stack> FROM=archive SINCE=2026-12-07T00:00 [UNTIL=...] [RULE=<rule name>]
    make replay STACK=<stack> FROM=parked

Both are safe to run twice: every event carries its stream record's ``change_id`` and every consumer
records what it did under it (a contest entry counts once, a workflow claim once, a notification once),
so a replay changes only what was missed. The failure queue holds where a batch was in the stream, not
the batch: its records are read from the stream again, which keeps them 24 hours (the mapping gives up
after 6), so parked batches are to be replayed within the day their alarm fires.
"""

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bookmarks import bus

# How long to wait for EventBridge to finish a replay; a replay of a day takes minutes.
REPLAY_WAIT_SECONDS = 900
_PAGES_WITHOUT_RECORDS = 5  # an open shard answers empty pages; past the batch's end nothing is needed


def replay_archive(
    events: Any,
    archive_arn: str,
    since: datetime,
    until: datetime,
    rules: Sequence[str] = (),
    wait: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Replay the archive's events of [since, until) into the bus it archives (only into ``rules``, when
    named); returns the finished replay's description."""
    archive = events.describe_archive(ArchiveName=archive_arn.split("/")[-1])
    destination: dict[str, Any] = {"Arn": archive["EventSourceArn"]}
    if rules:
        destination["FilterArns"] = list(rules)
    name = f"replay-{since:%Y%m%dT%H%M}-{uuid.uuid4().hex[:8]}"
    events.start_replay(
        ReplayName=name,
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=since,
        EventEndTime=until,
        Destination=destination,
    )
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        replay: dict[str, Any] = events.describe_replay(ReplayName=name)
        if replay["State"] in ("COMPLETED", "FAILED", "CANCELLED") or time.monotonic() > deadline:
            return replay
        wait(5)


@dataclass
class Parked:
    """What a replay of the failure queue did: batches replayed, records and events, and those left."""

    batches: int = 0
    records: int = 0
    events: int = 0
    left: list[str] = field(default_factory=list)  # why each batch still in the queue is there


def replay_parked(
    sqs: Any,
    streams: Any,
    queue_url: str,
    publish: Callable[[Sequence[dict[str, Any]]], bus.Published] = bus.publish_changes,
) -> Parked:
    """Read each parked batch's records from the stream again and publish their events; a batch leaves
    the queue only once all of it is on the bus."""
    parked = Parked()
    seen: set[str] = set()
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        )
        fresh = [message for message in messages if message["MessageId"] not in seen]
        if not fresh:
            return parked
        for message in fresh:
            seen.add(message["MessageId"])
            problem = _replay_batch(streams, json.loads(message["Body"]), publish, parked)
            if problem is None:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                parked.batches += 1
            else:
                parked.left.append(f"{message['MessageId']}: {problem}")


def _replay_batch(
    streams: Any,
    body: dict[str, Any],
    publish: Callable[[Sequence[dict[str, Any]]], bus.Published],
    parked: Parked,
) -> str | None:
    info = body.get("DDBStreamBatchInfo")
    if not isinstance(info, dict):
        return "not a stream batch's failure record (no DDBStreamBatchInfo)"
    try:
        records = _batch_records(streams, info)
    except streams.exceptions.TrimmedDataAccessException:
        return "the stream no longer has these records (older than 24 hours)"
    published = publish(records)
    parked.records += len(records)
    parked.events += len(published.events)
    if published.failed is not None:
        return f"stopped at {published.failed.sequence_number}: {published.failed.reason}"
    return None


def _batch_records(streams: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """The records from the batch's first sequence number to its last, as Lambda delivers them."""
    start, end = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    empty = 0
    while iterator and empty < _PAGES_WITHOUT_RECORDS:
        page = streams.get_records(ShardIterator=iterator)
        iterator = page.get("NextShardIterator")
        empty = 0 if page["Records"] else empty + 1
        for record in page["Records"]:
            number = int(record["dynamodb"]["SequenceNumber"])
            if number > end:
                return records
            if number >= start:
                records.append(_as_delivered(record, info["streamArn"]))
        if records and int(records[-1]["dynamodb"]["SequenceNumber"]) == end:
            return records
    return records


def _as_delivered(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """GetRecords' record in the shape of a Lambda event's (its creation time in epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


def _stack(cloudformation: Any, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The stack's outputs and parameters."""
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", "")) for p in stack["Parameters"]
    }
    return outputs, parameters


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    import os

    import boto3

    parser = argparse.ArgumentParser(prog="make replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the deployed stack's name")
    parser.add_argument("source", choices=("archive", "parked"))
    parser.add_argument("--since", type=_time, help="archive: the window's start (ISO 8601, UTC if no zone)")
    parser.add_argument(
        "--until", type=_time, default=datetime.now(UTC), help="archive: its end (default now)"
    )
    parser.add_argument(
        "--rule", action="append", default=[], help="archive: replay into this rule only (ARN)"
    )
    arguments = parser.parse_args(argv)
    outputs, parameters = _stack(boto3.client("cloudformation"), arguments.stack)
    if arguments.source == "archive":
        if arguments.since is None:
            parser.error("archive needs --since")
        replay = replay_archive(
            boto3.client("events"),
            outputs["BookmarksArchiveArn"],
            arguments.since,
            arguments.until,
            arguments.rule,
        )
        print(f"replay {replay['ReplayName']}: {replay['State']} {replay.get('StateReason', '')}".rstrip())
        return 0 if replay["State"] == "COMPLETED" else 1
    # The stream function's settings, for bookmarks.bus to publish as the function does.
    os.environ.setdefault("BOOKMARKS_BUS_NAME", outputs["BookmarksBusName"])
    os.environ.setdefault("BOOKMARKS_EVENT_SOURCE", parameters["AppName"])
    parked = replay_parked(
        boto3.client("sqs"), boto3.client("dynamodbstreams"), outputs["BookmarkEventsFailureQueueUrl"]
    )
    print(f"replayed {parked.batches} batches: {parked.records} records, {parked.events} events")
    for reason in parked.left:
        print(f"left in the queue: {reason}")
    return 1 if parked.left else 0


if __name__ == "__main__":
    sys.exit(main())
