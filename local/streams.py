"""DynamoDB streams as Lambda sees them: records read from the embedded AWS's stream, filtered by the
template's event source mapping, shaped as Lambda delivers them, and re-delivered from the checkpoint.

moto's records lack what Lambda adds (eventSourceARN, epoch-second timestamps); this module adds it.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from local.bus import matches
from local.template import resource

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

Record = dict[str, Any]


def lambda_record(raw: Mapping[str, Any], stream_arn: str) -> Record:
    """A record of get_records as the Lambda poller hands it to the function."""
    record: Record = json.loads(json.dumps(raw, default=str))
    created = raw["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    record["eventSourceARN"] = stream_arn
    return record


class StreamReader:
    """Reads every shard of a stream from its start, remembering where it stopped, as the poller does."""

    def __init__(self, client: "DynamoDBStreamsClient", stream_arn: str) -> None:
        self.client = client
        self.stream_arn = stream_arn
        shards = client.describe_stream(StreamArn=stream_arn)["StreamDescription"].get("Shards", [])
        self.iterators = [
            client.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for shard in shards
        ]

    def new_records(self) -> list[Record]:
        """The records written since the last call, in order, as Lambda records."""
        records: list[Record] = []
        for index, iterator in enumerate(self.iterators):
            answer = self.client.get_records(ShardIterator=iterator)
            records.extend(lambda_record(raw, self.stream_arn) for raw in answer["Records"])
            self.iterators[index] = answer.get("NextShardIterator", iterator)
        return records


def mapping_filters(mapping: str = "BookmarkEventsMapping") -> list[dict[str, Any]]:
    """The FilterCriteria patterns of an event source mapping of template.yaml."""
    filters = resource(mapping)["Properties"].get("FilterCriteria", {}).get("Filters", [])
    return [json.loads(entry["Pattern"]) for entry in filters]


def passes_filters(record: Mapping[str, Any], patterns: Sequence[Mapping[str, Any]]) -> bool:
    """Whether Lambda would invoke for ``record``: no filter, or any filter matches (moto's matcher)."""
    if not patterns:
        return True
    return any(matches(pattern, record) for pattern in patterns)


def after_checkpoint(batch: Sequence[Record], answer: Mapping[str, Any] | None) -> list[Record]:
    """What Lambda delivers again after a partial batch failure: the batch from the lowest sequence number
    reported failed on (nothing if none failed)."""
    failed = {item["itemIdentifier"] for item in (answer or {}).get("batchItemFailures", [])}
    if not failed:
        return []
    lowest = min(failed, key=int)
    numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
    return list(batch[numbers.index(lowest) :])
