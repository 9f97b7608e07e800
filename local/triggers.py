"""The triggers moto cannot run without Docker, run in-process with Lambda's and EventBridge's semantics:
DynamoDB stream mappings, rules whose targets are functions or state machines, topic notifications, and
state-machine tasks (or SNS subscriptions) that invoke a function. Optionally at least once, as AWS
delivers: every delivery twice, rule deliveries sometimes out of order (AtLeastOnce)."""

import functools
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from moto.events.models import EventPattern, EventPatternParser

from local.health import Health
from local.moto_patches import InProcessInvoke, lambda_invokes_in_process, sent_notifications
from local.observer import event_trace, trace_header_parameter
from local.provision import (
    AsyncInvocation,
    Aws,
    Provisioned,
    QueueMapping,
    RuleDelivery,
    StreamMapping,
    UnsupportedResource,
)
from local.runtime import Runtime

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

Invoke = Callable[[dict[str, Any]], Any]
Log = Callable[[str], None]
Pattern = str | Mapping[str, Any]
T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def queue_url(aws: Aws, arn: str) -> str:
    """The URL of the queue an ARN names (destinations and DLQs are given as ARNs)."""
    return aws.sqs().get_queue_url(QueueName=arn.split(":")[-1])["QueueUrl"]


def matches(pattern: Pattern, event: Mapping[str, Any]) -> bool:
    """Whether ``event`` matches an EventBridge pattern (JSON or dict), decided by moto's own matcher: the
    one place that answers for rules, Lambda's FilterCriteria and the tests alike."""
    raw = pattern if isinstance(pattern, str) else json.dumps(pattern)
    matcher = EventPattern(raw, EventPatternParser(raw).parse())
    return bool(matcher.matches_event(event))  # type: ignore[arg-type]  # moto types it as its TypedDict


def matches_filters(record: Mapping[str, Any], filters: Sequence[Pattern]) -> bool:
    """Lambda's FilterCriteria: a record is delivered if there is no filter or any pattern matches."""
    return not filters or any(matches(pattern, record) for pattern in filters)


def keep_polling(
    poll_once: Callable[[], int],
    stop: threading.Event,
    log: Log,
    name: str,
    idle: float = 0.0,
    health: Health | None = None,
) -> None:
    """A trigger's loop until ``stop``: poll, rest ``idle`` seconds when nothing came, and on an error report
    the trigger as failing (logged, and the health check fails until a poll succeeds) and poll on, since a
    transient error must not end the trigger and a lasting one must not be silent."""
    health = health or Health(log)
    while not stop.is_set():
        try:
            read = poll_once()
        except Exception as error:  # keep polling, whatever failed: the health check says it is failing
            if stop.is_set():
                return
            health.failing(name, repr(error))
            stop.wait(0.5)
            continue
        health.ok(name)
        if read == 0 and idle:
            stop.wait(idle)


def side_by_side(calls: Sequence[Callable[[], object]]) -> None:
    """Run ``calls`` at the same time, each in a thread of its own (one inline), and return once all
    ended; then raise the first error, if any: no call is cut short by another's failure."""
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as error:  # handed to the caller once all have ended
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls[1:]]
    for thread in threads:
        thread.start()
    if calls:
        run(calls[0])
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# ---- At-least-once delivery (make local REDELIVER=1) ------------------------------------------------


@dataclass(frozen=True)
class AtLeastOnce:
    """AWS delivers rule targets, stream batches and SQS messages at least once, and EventBridge in no
    particular order; moto delivers each exactly once, in order. This mode delivers everything twice and
    holds some rule redeliveries back behind later events, from ``seed`` so that a failure can be replayed."""

    seed: int
    hold_back: float = 0.5  # the chance that a copy, or a copy already held back, waits for a later poll

    @staticmethod
    def new_seed() -> int:
        return random.SystemRandom().randrange(2**32)

    def random_for(self, trigger: str) -> random.Random:
        # One generator per trigger: its choices replay for a seed, whatever the threads interleave.
        return random.Random(f"{self.seed}:{trigger}")  # noqa: S311 (a replayable schedule, not a secret)


def twice(invoke: Invoke) -> Invoke:
    """Lambda retrying a batch whose answer it lost (a timeout, a throttled answer): the function runs on the
    same batch twice and the second answer is the one that counts. A first failure raises, as before."""

    def again(event: Any) -> Any:
        invoke(event)
        return invoke(event)

    return again


def out_of_order(
    new: list[T], held: list[T], rng: random.Random, hold_back: float
) -> tuple[list[T], list[T]]:
    """One poll of an at-least-once delivery: (what to deliver now, in order; what to hold for later).
    Every new item is delivered now and its copy now or later; a held copy is released with the chance
    ``1 - hold_back``, and all of them when nothing new came, so none waits longer than an idle poll."""
    now, later = list(new), list[T]()
    for item in new:
        (later if rng.random() < hold_back else now).append(item)
    for item in held:
        (later if new and rng.random() < hold_back else now).append(item)
    rng.shuffle(now)
    return now, later


# ---- DynamoDB stream event source mappings ---------------------------------------------------------


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda hands it to a function: with its eventSourceARN, times in epoch seconds."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "eventVersion": "1.1", "dynamodb": dynamodb, "eventSourceARN": stream_arn}


def redelivered(records: list[dict[str, Any]], answer: Any) -> list[dict[str, Any]]:
    """What Lambda delivers again after a batch answered ``answer`` (ReportBatchItemFailures): the batch
    from its checkpoint, the lowest failed record, on; nothing if none failed."""
    failures = (answer.get("batchItemFailures") if isinstance(answer, dict) else None) or []
    if not failures:
        return []
    sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
    identifiers = [failure.get("itemIdentifier") for failure in failures]
    if any(identifier not in sequence_numbers for identifier in identifiers):
        return records  # Lambda treats an unknown or empty identifier as a failure of the whole batch
    return records[min(sequence_numbers.index(identifier) for identifier in identifiers) :]


def still_failing(
    records: list[dict[str, Any]], mapping: StreamMapping, invoke: Invoke, log: Log
) -> list[dict[str, Any]]:
    """Invoke once; the part of the batch that must be delivered again (empty if it all succeeded)."""
    try:
        answer = invoke({"Records": records})
    except Exception as error:  # a function error fails the whole batch, whatever it is
        log(f"[stream] {mapping.function} failed on {len(records)} record(s): {error!r}")
        return records
    return redelivered(records, answer) if mapping.report_batch_item_failures else []


def deliver_batch(
    records: list[dict[str, Any]],
    mapping: StreamMapping,
    invoke: Invoke,
    on_failure: Callable[[list[dict[str, Any]], int], None],
    *,
    log: Log = print,
    pause: Callable[[], object] = lambda: None,
    retries_used: int = 0,
) -> None:
    """Deliver one batch as Lambda does: checkpoint before the lowest failed record, bisect on errors (which
    costs no retry), retry up to MaximumRetryAttempts (-1: forever), then hand what still fails to
    ``on_failure`` with the number of invocations it took."""
    pending = records
    while pending:
        pending = still_failing(pending, mapping, invoke, log)
        if not pending:
            return
        if mapping.bisect_on_error and len(pending) > 1:
            half = len(pending) // 2
            for part in (pending[:half], pending[half:]):
                deliver_batch(
                    part, mapping, invoke, on_failure, log=log, pause=pause, retries_used=retries_used
                )
            return
        retries_used += 1
        if 0 <= mapping.maximum_retry_attempts < retries_used:
            on_failure(pending, retries_used)
            return
        pause()


def on_failure_record(
    records: list[dict[str, Any]], mapping: StreamMapping, function_arn: str, shard_id: str, invocations: int
) -> dict[str, Any]:
    """What Lambda sends to a stream mapping's on-failure destination: where the batch is, not the batch."""
    first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invocations,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": _now(),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
            "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
            "batchSize": len(records),
            "streamArn": mapping.stream_arn,
        },
    }


@dataclass(frozen=True)
class Checkpoint:
    """The last record of a shard that was handed on: where reading resumes, and how to recognise it."""

    sequence_number: str
    event_id: str


class StreamReplaced(Exception):
    """The stream a mapping reads no longer belongs to its table (deleted, recreated or restored under the
    same name): on AWS the mapping would read no new record ever again, so the reader stops, loudly."""


class StreamReader:
    """Reads every shard of a stream with get_records as Lambda's poller does: from a starting position,
    on from the last record handed on, picking up shards that appear later.

    Each read asks for a fresh iterator at the checkpoint instead of following NextShardIterator: moto
    replaces a table object when a transaction is cancelled, and an iterator of the old object would never
    see another record. A record moves the checkpoint only once the consumer asks for the next shard's
    batch, so a batch whose delivery raised is read again (at least once, as Lambda retries it).
    """

    def __init__(
        self,
        client: "DynamoDBStreamsClient",
        stream_arn: str,
        starting_position: str = "TRIM_HORIZON",
        log: Log = print,
    ) -> None:
        self.client, self.stream_arn, self.starting_position = client, stream_arn, starting_position
        self.log = log
        self.checkpoints: dict[str, Checkpoint | None] = {}
        self.closed: set[str] = set()

    def _shards(self) -> list[str]:
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        label = self.stream_arn.rsplit("/", 1)[-1]
        if description.get("StreamLabel") != label:
            raise StreamReplaced(
                f"{self.stream_arn} is no longer the table's stream (now {description.get('StreamLabel')}): "
                "the table was deleted, recreated or restored; restart the local stack to map the new one"
            )
        return [shard["ShardId"] for shard in description["Shards"]]

    def _records(self, shard_id: str, checkpoint: Checkpoint | None, limit: int) -> dict[str, Any]:
        position: dict[str, Any] = (
            {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": checkpoint.sequence_number}
            if checkpoint
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self.client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)
        # One more than asked for: the record at the checkpoint comes back first and is dropped.
        answer = self.client.get_records(ShardIterator=iterator["ShardIterator"], Limit=min(limit + 1, 1000))
        return dict(answer)

    def _start(self, shard_id: str) -> Checkpoint | None:
        """Where a newly found shard is read from: its start, or for LATEST after what it holds now."""
        if self.starting_position != "LATEST":
            return None
        checkpoint = None
        while records := self._unseen(shard_id, checkpoint, self._records(shard_id, checkpoint, 999)):
            checkpoint = Checkpoint(records[-1]["dynamodb"]["SequenceNumber"], records[-1]["eventID"])
        return checkpoint

    def _unseen(self, shard_id: str, checkpoint: Checkpoint | None, answer: dict[str, Any]) -> list[Any]:
        records = list(answer["Records"])
        if checkpoint is None or not records:
            return records
        if records[0]["eventID"] == checkpoint.event_id:
            return records[1:]
        # Only moto does this: a record read while a transaction was applied, then rolled back.
        self.log(
            f"[stream] {shard_id}: record {checkpoint.sequence_number} was rolled back after it was read; "
            "reading on from the record now in its place"
        )
        return records

    def batches(self, limit: int = 1000) -> list[tuple[str, list[dict[str, Any]]]]:
        """One get_records per open shard: its id and up to ``limit`` new records, as Lambda records. The
        checkpoints stay where they are until ``commit`` moves them past a batch handed on."""
        found = []
        for shard_id in self._shards():
            if shard_id in self.closed:
                continue
            if shard_id not in self.checkpoints:
                self.checkpoints[shard_id] = self._start(shard_id)
            checkpoint = self.checkpoints[shard_id]
            answer = self._records(shard_id, checkpoint, limit)
            records = self._unseen(shard_id, checkpoint, answer)[:limit]
            if not records and not answer.get("NextShardIterator"):
                self.closed.add(shard_id)  # a closed shard read to its end
            found.append((shard_id, [lambda_record(dict(record), self.stream_arn) for record in records]))
        return found

    def commit(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Reading the shard resumes after ``records`` (the last batch ``batches`` gave of it)."""
        if records:
            last = records[-1]
            self.checkpoints[shard_id] = Checkpoint(last["dynamodb"]["SequenceNumber"], last["eventID"])

    def read(self, limit: int = 1000) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Each shard's batch in turn; a shard's checkpoint moves once the next shard's batch is asked for."""
        for shard_id, records in self.batches(limit):
            yield shard_id, records
            self.commit(shard_id, records)

    def new_records(self) -> list[dict[str, Any]]:
        """Every record written since the last read, in order."""
        return [record for _, records in self.read() for record in records]


class StreamPoller:
    """Delivers one mapping's stream: each shard batch by batch, in order (twice each, at least once;
    never reordered, since Lambda keeps a shard's order), the shards at the same time."""

    def __init__(
        self,
        mapping: StreamMapping,
        aws: Aws,
        runtime: Runtime,
        stop: threading.Event,
        log: Log,
        *,
        health: Health | None = None,
        redelivery: AtLeastOnce | None = None,
    ) -> None:
        self.mapping, self.aws, self.runtime, self.stop, self.log = mapping, aws, runtime, stop, log
        self.health = health or Health(log)
        self.reader = StreamReader(
            aws.client("dynamodbstreams"), mapping.stream_arn, mapping.starting_position, log
        )
        invoke: Invoke = functools.partial(self.runtime.invoke, self.mapping.function)
        self.invoke = twice(invoke) if redelivery else invoke

    def poll_once(self) -> int:
        """Read one batch per shard and deliver them side by side (Lambda polls each shard on its own, one
        batch in flight per shard, so a shard keeps its order); returns how many records were read. A
        shard whose delivery raised is read again from the same place."""
        batches = self.reader.batches(self.mapping.batch_size)

        def deliver(shard_id: str, records: list[dict[str, Any]]) -> None:
            batch = [record for record in records if matches_filters(record, self.mapping.filters)]
            if batch:
                deliver_batch(
                    batch,
                    self.mapping,
                    self.invoke,
                    functools.partial(self._send_failure, shard_id=shard_id),
                    log=self.log,
                    pause=lambda: self.stop.wait(0.2),
                )
            self.reader.commit(shard_id, records)

        side_by_side([functools.partial(deliver, shard, records) for shard, records in batches if records])
        return sum(len(records) for _, records in batches)

    def _send_failure(self, records: list[dict[str, Any]], invocations: int, *, shard_id: str) -> None:
        function = self.runtime.functions[self.mapping.function]
        self.log(
            f"[stream] {self.mapping.function}: {len(records)} record(s) gave up after {invocations} tries"
        )
        if self.mapping.on_failure_arn:
            body = on_failure_record(records, self.mapping, function.arn, shard_id, invocations)
            self.aws.sqs().send_message(
                QueueUrl=queue_url(self.aws, self.mapping.on_failure_arn),
                MessageBody=json.dumps(body, default=str),
            )

    def run(self) -> None:
        keep_polling(
            self.poll_once, self.stop, self.log, f"[stream] {self.mapping.logical_id}", 0.1, self.health
        )


# ---- EventBridge rules whose targets are functions or state machines -------------------------------


def apply_input_path(event: Any, input_path: str | None) -> Any:
    """EventBridge's InputPath for the simple paths templates use ($, $.detail, $.detail.x)."""
    if not input_path or input_path == "$":
        return event
    value = event
    for part in input_path.removeprefix("$.").split("."):
        value = value[part]
    return value


def async_failure_record(
    function_arn: str, payload: Any, error: Exception | None, invocations: int
) -> dict[str, Any]:
    """What Lambda sends to an asynchronous invocation's on-failure destination: the event and the error."""
    return {
        "version": "1.0",
        "timestamp": _now(),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": invocations,
        },
        "requestPayload": payload,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__},
    }


class RulePoller:
    """Hands each event a rule delivered to its local queue to the function or state machine it targets."""

    def __init__(
        self,
        delivery: RuleDelivery,
        aws: Aws,
        runtime: Runtime,
        stop: threading.Event,
        log: Log,
        *,
        health: Health | None = None,
        redelivery: AtLeastOnce | None = None,
        asynchronous: AsyncInvocation | None = None,
    ) -> None:
        self.delivery, self.aws, self.runtime, self.stop, self.log = delivery, aws, runtime, stop, log
        self.health = health or Health(log)
        self.asynchronous = asynchronous or AsyncInvocation()
        self.redelivery = redelivery
        self.random = redelivery.random_for(delivery.rule) if redelivery else None
        self.held: list[str] = []  # copies of events an at-least-once delivery will deliver again later
        self.sqs = aws.sqs()

    def deliver(self, event: Any) -> None:
        """One delivery attempt; raises if the target failed."""
        # X-Ray: EventBridge passes the trace of the PutEvents call on to the target (local/observer.py).
        with event_trace(self.runtime.observer, event):
            self._deliver(event)

    def _deliver(self, event: Any) -> None:
        payload = apply_input_path(event, self.delivery.input_path)
        if self.delivery.function is not None:
            self.invoke_asynchronously(self.delivery.function, payload)
            return
        if self.delivery.topic_arn is not None:
            message = payload if isinstance(payload, str) else json.dumps(payload)
            self.aws.sns().publish(TopicArn=self.delivery.topic_arn, Message=message)
            return
        # A rule's state-machine target sets no name, so Step Functions makes a fresh one for every delivery:
        # a redelivered event starts a second execution. moto needs a name; it gets one the same way.
        self.aws.stepfunctions().start_execution(
            stateMachineArn=str(self.delivery.state_machine_arn),
            name=str(uuid.uuid4()),
            input=json.dumps(payload),
            **trace_header_parameter(),
        )

    def invoke_asynchronously(self, function: str, payload: Any) -> None:
        """EventBridge invokes a function asynchronously: the delivery succeeds once Lambda takes the event,
        so a function error is retried by Lambda (the function's EventInvokeConfig), not by the rule, and
        what still fails goes to the function's on-failure destination, not to the rule's DLQ."""
        error: Exception | None = None
        attempts = 1 + max(self.asynchronous.maximum_retry_attempts, 0)
        for attempt in range(attempts):
            try:
                self.runtime.invoke(function, payload)
                return
            except Exception as failed:  # a function error, whatever it is, is retried by Lambda
                error = failed
                self.log(f"[rule] {self.delivery.rule} -> {function} (async) #{attempt + 1}: {failed!r}")
                self.stop.wait(0.05 * (attempt + 1))
        destination = self.asynchronous.on_failure_arn
        if destination is None:
            self.log(
                f"[rule] {self.delivery.rule} -> {function}: dropped after {attempts} tries, as Lambda does"
            )
            return
        record = json.dumps(
            async_failure_record(self.runtime.functions[function].arn, payload, error, attempts), default=str
        )
        if destination.split(":")[2] == "sns":
            self.aws.sns().publish(TopicArn=destination, Message=record)
        else:
            self.sqs.send_message(QueueUrl=queue_url(self.aws, destination), MessageBody=record)

    def handle(self, body: str) -> None:
        """Deliver with the target's RetryPolicy; what still fails goes to its DeadLetterConfig queue."""
        try:
            event = json.loads(body)
        except ValueError:
            event = body  # an InputTransformer's output may be plain text
        error: Exception | None = None
        for attempt in range(1 + max(self.delivery.maximum_retry_attempts, 0)):
            try:
                self.deliver(event)
                return
            except Exception as failed:  # any target failure is retried, as EventBridge does
                error = failed
                self.log(
                    f"[rule] {self.delivery.rule} -> {self.delivery.target_arn} #{attempt + 1}: {failed!r}"
                )
                self.stop.wait(0.05 * (attempt + 1))
        if self.delivery.dead_letter_arn:
            self.sqs.send_message(
                QueueUrl=queue_url(self.aws, self.delivery.dead_letter_arn),
                MessageBody=body,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in {
                        "RULE_ARN": self.delivery.rule_arn,
                        "TARGET_ARN": self.delivery.target_arn,
                        "ERROR_CODE": "TARGET_FAILED",
                        "ERROR_MESSAGE": repr(error)[:256],
                    }.items()
                },
            )

    def poll_once(self, wait_seconds: int = 1) -> int:
        """Deliver what the rule's local queue holds (waiting up to ``wait_seconds``); returns how many."""
        messages = self.sqs.receive_message(
            QueueUrl=self.delivery.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        bodies = [message["Body"] for message in messages]
        if self.redelivery and self.random:
            bodies, self.held = out_of_order(bodies, self.held, self.random, self.redelivery.hold_back)
        # EventBridge keeps no order and delivers events side by side, a redelivered copy beside its first.
        side_by_side([functools.partial(self.handle, body) for body in bodies])
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.delivery.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def run(self) -> None:
        keep_polling(self.poll_once, self.stop, self.log, f"[rule] {self.delivery.rule}", health=self.health)


# ---- SQS event source mappings --------------------------------------------------------------------


def sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS message as Lambda hands it to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueuePoller:
    """Lambda's SQS poller: delete what succeeded; failures become visible again (the queue's redrive
    policy then moves them to its DLQ); with ReportBatchItemFailures only the reported ones stay."""

    def __init__(
        self,
        mapping: QueueMapping,
        aws: Aws,
        runtime: Runtime,
        stop: threading.Event,
        log: Log,
        *,
        health: Health | None = None,
        redelivery: AtLeastOnce | None = None,
    ) -> None:
        self.mapping, self.aws, self.runtime, self.stop, self.log = mapping, aws, runtime, stop, log
        self.health = health or Health(log)
        invoke: Invoke = functools.partial(self.runtime.invoke, self.mapping.function)
        self.invoke = twice(invoke) if redelivery else invoke
        self.sqs = aws.sqs()
        self.url = queue_url(aws, mapping.queue_arn)

    def poll_once(self, wait_seconds: int = 1) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=min(self.mapping.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        records = [sqs_record(message, self.mapping.queue_arn, self.aws.region) for message in messages]
        unmatched = [r for r in records if not matches_filters(r, self.mapping.filters)]
        batch = [r for r in records if matches_filters(r, self.mapping.filters)]
        failed: set[str] = set()
        if batch:
            try:
                answer = self.invoke({"Records": batch})
                if self.mapping.report_batch_item_failures and isinstance(answer, dict):
                    failed = {f.get("itemIdentifier") for f in answer.get("batchItemFailures") or []}
            except Exception as error:  # the whole batch returns to the queue
                self.log(f"[queue] {self.mapping.function} failed on {len(batch)} message(s): {error!r}")
                failed = {record["messageId"] for record in batch}
        for record in unmatched + batch:  # Lambda deletes filtered-out messages too
            if record["messageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=record["receiptHandle"])
        return len(messages)

    def run(self) -> None:
        keep_polling(
            self.poll_once, self.stop, self.log, f"[queue] {self.mapping.logical_id}", health=self.health
        )


# ---- SNS notifications, printed as they are published ----------------------------------------------


class NotificationPrinter:
    """Prints every message published to the app's topics (moto keeps them; the inbox queues keep a copy)."""

    def __init__(
        self, provisioned: Provisioned, stop: threading.Event, log: Log, health: Health | None = None
    ) -> None:
        self.health = health or Health(log)
        self.topics = {
            logical_id: provisioned.physical[logical_id] for logical_id in provisioned.topic_inboxes
        }
        self.region, self.account = provisioned.resolver.region, provisioned.resolver.account_id
        self.stop, self.log = stop, log
        self.seen: dict[str, int] = {}

    def print_new(self) -> None:
        for logical_id, arn in self.topics.items():
            sent = sent_notifications(self.account, self.region, arn)
            for message, subject, _ in sent[self.seen.get(arn, 0) :]:
                self.log(f"[sns] {logical_id}: {subject or ''} {message}".replace("  ", " "))
            self.seen[arn] = len(sent)

    def run(self) -> None:
        while not self.stop.wait(0.2):
            try:
                self.print_new()
            except Exception as error:  # printing must never stop the stack, nor fail unseen
                self.health.failing("[sns]", repr(error))
            else:
                self.health.ok("[sns]")


# ---- Function invocations that moto itself makes (state-machine tasks, SNS lambda subscriptions) ---


@contextmanager
def functions_invoked_in_process(provisioned: Provisioned, runtime: Runtime) -> Iterator[None]:
    """While active, moto's Lambda Invoke of a template function runs its handler in-process (no Docker)."""

    def run(function_name: str) -> InProcessInvoke | None:
        try:
            logical_id = provisioned.function_for(function_name)
        except UnsupportedResource:
            return None
        return lambda _, event: runtime.invoke(logical_id, event)

    with lambda_invokes_in_process(run):
        yield
