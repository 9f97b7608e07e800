"""The local triggers deliver the way Lambda and EventBridge do: batches, partial failures, retries, DLQs,
at least once when asked, and never stall without saying so."""

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from local.health import HEALTH_PATH, Health, with_health_check
from local.provision import Aws, LocalFunction, Provisioned, StreamMapping
from local.runtime import Runtime
from local.triggers import (
    AtLeastOnce,
    NotificationPrinter,
    QueuePoller,
    RulePoller,
    StreamPoller,
    apply_input_path,
    deliver_batch,
    functions_invoked_in_process,
    matches_filters,
    out_of_order,
    side_by_side,
    twice,
)
from tests.unit.test_provision import provisioned_from, sam_template


def records(*sequence_numbers: int) -> list[dict[str, Any]]:
    return [
        {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(n), "Keys": {"pk": {"S": f"k{n}"}}}}
        for n in sequence_numbers
    ]


def numbers(batch: list[dict[str, Any]]) -> list[int]:
    return [int(record["dynamodb"]["SequenceNumber"]) for record in batch]


class Recorder:
    """A function that fails on chosen sequence numbers, reporting them or raising."""

    def __init__(self, failing: set[int], *, raises: bool = False) -> None:
        self.failing, self.raises = failing, raises
        self.batches: list[list[int]] = []

    def __call__(self, event: dict[str, Any]) -> Any:
        batch = numbers(event["Records"])
        self.batches.append(batch)
        failed = [n for n in batch if n in self.failing]
        if failed and self.raises:
            raise RuntimeError("boom")
        return {"batchItemFailures": [{"itemIdentifier": str(n)} for n in failed]}


def deliver(
    mapping: StreamMapping, function: Recorder, batch: list[dict[str, Any]]
) -> list[tuple[list[int], int]]:
    gave_up: list[tuple[list[int], int]] = []
    deliver_batch(
        batch,
        mapping,
        function,
        lambda failed, tries: gave_up.append((numbers(failed), tries)),
        log=lambda _: None,
    )
    return gave_up


MAPPING = StreamMapping("M", "F", "arn:stream", report_batch_item_failures=True, maximum_retry_attempts=2)


def test_a_partial_failure_is_retried_from_the_lowest_failed_record() -> None:
    function = Recorder({3})

    gave_up = deliver(MAPPING, function, records(1, 2, 3, 4))

    assert function.batches == [[1, 2, 3, 4], [3, 4], [3, 4]]
    assert gave_up == [([3, 4], 3)]


def test_without_report_batch_item_failures_a_reported_failure_counts_as_success() -> None:
    function = Recorder({3})
    mapping = StreamMapping("M", "F", "arn:stream", report_batch_item_failures=False)

    assert deliver(mapping, function, records(1, 2, 3)) == []
    assert function.batches == [[1, 2, 3]]


def test_a_function_error_bisects_the_batch_until_the_poison_record_is_alone() -> None:
    function = Recorder({2}, raises=True)
    mapping = StreamMapping("M", "F", "arn:stream", bisect_on_error=True, maximum_retry_attempts=1)

    gave_up = deliver(mapping, function, records(1, 2, 3, 4))

    assert function.batches == [[1, 2, 3, 4], [1, 2], [1], [2], [2], [3, 4]]
    assert gave_up == [([2], 2)]


def test_an_unknown_item_identifier_fails_the_whole_batch() -> None:
    mapping = StreamMapping("M", "F", "arn:stream", report_batch_item_failures=True, maximum_retry_attempts=0)

    gave_up = deliver(mapping, lambda event: {"batchItemFailures": [{"itemIdentifier": None}]}, records(1, 2))  # type: ignore[arg-type]

    assert gave_up == [([1, 2], 1)]


def test_filter_criteria_use_eventbridge_patterns() -> None:
    pattern = '{"eventName": ["MODIFY"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "k"}]}}}}'
    insert, modify = records(1)[0], {**records(2)[0], "eventName": "MODIFY"}

    assert [matches_filters(record, (pattern,)) for record in (insert, modify)] == [False, True]
    assert matches_filters(insert, ())


def test_input_path_selects_what_the_target_receives() -> None:
    event = {"id": "event-1", "detail": {"bookmark_id": "b-1", "owner": "o"}}

    assert apply_input_path(event, "$.detail") == {"bookmark_id": "b-1", "owner": "o"}
    assert apply_input_path(event, "$.detail.owner") == "o"
    assert apply_input_path(event, None) is event


class FakeRuntime(Runtime):
    """Records invocations instead of running handlers from template.yaml."""

    def __init__(self, functions: dict[str, LocalFunction], answer: Callable[[Any], Any]) -> None:
        self.functions, self.answer = functions, answer
        self.events: list[tuple[str, Any]] = []

    def invoke(self, logical_id: str, event: Any) -> Any:
        self.events.append((logical_id, event))
        return self.answer(event)


def _raise(event: Any) -> Any:
    raise RuntimeError("the function failed")


def poll_until(poll: Callable[[], Any], done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not delivered in time"
        poll()
        time.sleep(0.02)  # the poll interval of a bounded wait


def test_the_stream_poller_hands_matching_changes_to_the_function(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    runtime = FakeRuntime(out.functions, lambda event: None)
    poller = StreamPoller(
        out.stream_mappings[0], embedded_aws, runtime, threading.Event(), log=lambda _: None
    )
    table = out.physical["Table"]
    embedded_aws.dynamodb().put_item(TableName=table, Item={"pk": {"S": "a"}})
    embedded_aws.dynamodb().delete_item(TableName=table, Key={"pk": {"S": "a"}})
    embedded_aws.dynamodb().put_item(TableName=table, Item={"pk": {"S": "b"}})

    poll_until(poller.poll_once, lambda: sum(len(e["Records"]) for _, e in runtime.events) >= 2)

    delivered = [record for _, event in runtime.events for record in event["Records"]]
    assert [r["eventName"] for r in delivered] == ["INSERT", "INSERT"]  # the filter drops REMOVE
    assert {r["eventSourceARN"] for r in delivered} == {out.stream_mappings[0].stream_arn}
    assert isinstance(delivered[0]["dynamodb"]["ApproximateCreationDateTime"], int)


def test_a_stream_batch_that_keeps_failing_lands_in_the_on_failure_queue(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    mapping = out.stream_mappings[0]
    runtime = FakeRuntime(out.functions, _raise)
    stop = threading.Event()
    poller = StreamPoller(mapping, embedded_aws, runtime, stop, log=lambda _: None)
    embedded_aws.dynamodb().put_item(TableName=out.physical["Table"], Item={"pk": {"S": "poison"}})

    poll_until(poller.poll_once, lambda: len(runtime.events) >= 3)

    message = embedded_aws.sqs().receive_message(QueueUrl=out.physical["StreamFailuresQueue"])["Messages"][0]
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["DDBStreamBatchInfo"]["streamArn"] == mapping.stream_arn
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1


def _put(aws: Aws, detail_type: str, detail: dict[str, Any]) -> None:
    aws.events().put_events(
        Entries=[
            {
                "EventBusName": "example-dev",
                "Source": "example",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )


def test_a_rule_target_function_that_keeps_failing_lands_in_its_async_on_failure_destination(
    embedded_aws: Aws,
) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.function == "ContestFunction")
    runtime = FakeRuntime(out.functions, _raise)
    poller = RulePoller(
        delivery,
        embedded_aws,
        runtime,
        threading.Event(),
        log=lambda _: None,
        asynchronous=out.async_invocations["ContestFunction"],
    )
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-1"})

    poll_until(poller.poll_once, lambda: _peek(embedded_aws, out.physical["StreamFailuresQueue"]) != {})

    assert len(runtime.events) == 2  # one try and the EventInvokeConfig's MaximumRetryAttempts: 1
    (message,) = embedded_aws.sqs().receive_message(QueueUrl=out.physical["StreamFailuresQueue"])["Messages"]
    record = json.loads(message["Body"])
    assert record["requestPayload"]["detail"] == {"bookmark_id": "b-1"}
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"] == {"errorMessage": "the function failed", "errorType": "RuntimeError"}
    # Lambda took the event, so the delivery succeeded: nothing in the rule's own DLQ.
    dlq = out.resolver.get_att("ContestFunctionSharedQueue", "QueueUrl")
    assert _peek(embedded_aws, dlq) == {}


def test_each_delivery_of_a_rule_starts_its_own_execution_with_a_generated_name(
    embedded_aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_PORT", embedded_aws.endpoint_url.rsplit(":", 1)[1])
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.state_machine_arn)
    poller = RulePoller(
        delivery, embedded_aws, FakeRuntime(out.functions, _raise), threading.Event(), log=lambda _: None
    )
    sfn = embedded_aws.stepfunctions()
    # An id of this test's own: a delivery another test left running may still start an execution of the
    # same-named machine on the reset server, and only this test's executions are counted.
    bookmark_id = f"b-{uuid.uuid4().hex[:8]}"
    _put(embedded_aws, "ContestEntryRecorded", {"bookmark_id": bookmark_id, "owner": "o"})
    _put(embedded_aws, "ContestEntryRecorded", {"bookmark_id": bookmark_id, "owner": "o"})  # a redelivery

    def executions() -> list[Any]:
        listed = sfn.list_executions(stateMachineArn=out.physical["PublishStateMachine"])["executions"]
        return [
            e
            for e in listed
            if json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])["bookmark_id"]
            == bookmark_id
        ]

    poll_until(lambda: poller.poll_once(0), lambda: len(executions()) == 2)

    def settled() -> bool:
        return all(
            sfn.describe_execution(executionArn=e["executionArn"])["status"] != "RUNNING"
            for e in executions()
        )

    poll_until(lambda: None, settled)

    described = [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions()]
    # As Step Functions names them for an EventBridge target: fresh ids, never the bookmark's.
    assert all(len(e["name"]) == 36 and bookmark_id not in e["name"] for e in described)
    assert described[0]["name"] != described[1]["name"]
    assert [json.loads(e["input"]) for e in described] == [{"bookmark_id": bookmark_id, "owner": "o"}] * 2
    assert {e["status"] for e in described} == {"SUCCEEDED"}
    inbox = embedded_aws.sqs().receive_message(QueueUrl=out.topic_inboxes["Topic"], MaxNumberOfMessages=10)[
        "Messages"
    ]
    assert bookmark_id in [json.loads(message["Body"])["Message"] for message in inbox]


def test_a_state_machine_lambda_task_runs_the_handler_in_process(
    embedded_aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_PORT", embedded_aws.endpoint_url.rsplit(":", 1)[1])
    template = sam_template()
    template["Resources"]["PublishStateMachine"]["Properties"]["DefinitionString"] = json.dumps(
        {
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "${Function}", "Payload.$": "$"},
                    "OutputPath": "$.Payload",
                    "End": True,
                }
            },
        }
    )
    template["Resources"]["PublishStateMachine"]["Properties"]["DefinitionSubstitutions"] = {
        "Function": {"Fn::GetAtt": ["ContestFunction", "Arn"]}
    }
    out: Provisioned = provisioned_from(embedded_aws, template)
    runtime = FakeRuntime(out.functions, lambda event: {"checked": event["bookmark_id"]})
    sfn = embedded_aws.stepfunctions()

    with functions_invoked_in_process(out, runtime):
        arn = sfn.start_execution(
            stateMachineArn=out.physical["PublishStateMachine"], name="x", input='{"bookmark_id": "b-9"}'
        )["executionArn"]
        poll_until(lambda: None, lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")

    assert runtime.events == [("ContestFunction", {"bookmark_id": "b-9"})]
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"checked": "b-9"}


def test_a_rule_targeting_a_topic_publishes_the_events_detail_there(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.topic_arn)
    poller = RulePoller(
        delivery, embedded_aws, FakeRuntime(out.functions, _raise), threading.Event(), log=print
    )
    _put(embedded_aws, "ContestEntryDecided", {"bookmark_id": "b-3", "outcome": "approved"})

    poll_until(
        lambda: poller.poll_once(0), lambda: "Messages" in _peek(embedded_aws, out.topic_inboxes["Topic"])
    )

    (message,) = embedded_aws.sqs().receive_message(QueueUrl=out.topic_inboxes["Topic"])["Messages"]
    assert json.loads(json.loads(message["Body"])["Message"]) == {"bookmark_id": "b-3", "outcome": "approved"}


def _peek(aws: Aws, url: str) -> dict[str, Any]:
    attributes = aws.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return {"Messages": True} if int(attributes["Attributes"]["ApproximateNumberOfMessages"]) else {}


def test_the_queue_poller_deletes_what_succeeded_and_leaves_reported_failures(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    (mapping,) = out.queue_mappings

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        bad = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in bad]}

    runtime = FakeRuntime(out.functions, answer)
    poller = QueuePoller(mapping, embedded_aws, runtime, threading.Event(), log=print)
    for body in ("good", "bad", "fine"):
        embedded_aws.sqs().send_message(QueueUrl=out.physical["NotifyQueue"], MessageBody=body)

    poll_until(lambda: poller.poll_once(0), lambda: sum(len(e["Records"]) for _, e in runtime.events) >= 3)

    records = [record for _, event in runtime.events for record in event["Records"]]
    assert {record["eventSource"] for record in records} == {"aws:sqs"}
    assert mapping.function == "NotifierFunction"
    counts = embedded_aws.sqs().get_queue_attributes(
        QueueUrl=out.physical["NotifyQueue"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "1",
    )


def test_notifications_are_printed_once_each_as_they_are_published(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    printed: list[str] = []
    printer = NotificationPrinter(out, threading.Event(), log=printed.append)
    embedded_aws.sns().publish(TopicArn=out.physical["Topic"], Message="moderate b-1", Subject="Review")

    printer.print_new()
    printer.print_new()

    assert printed == ["[sns] Topic: Review moderate b-1"]


# ---- The stream reader after its table is replaced, and when it cannot proceed ----------------------


def _delivered_keys(runtime: FakeRuntime) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for _, event in runtime.events for r in event["Records"]]


def test_the_stream_reader_goes_on_after_a_cancelled_transaction_replaces_the_table(
    embedded_aws: Aws,
) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    runtime = FakeRuntime(out.functions, lambda event: None)
    poller = StreamPoller(
        out.stream_mappings[0], embedded_aws, runtime, threading.Event(), log=lambda _: None
    )
    table, dynamodb = out.physical["Table"], embedded_aws.dynamodb()
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "first"}})
    poll_until(poller.poll_once, lambda: _delivered_keys(runtime) == ["first"])

    # What a repeated Idempotency-Key does: moto restores a copy of the table when the transaction fails.
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "first"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "second"}})

    poll_until(poller.poll_once, lambda: len(_delivered_keys(runtime)) >= 2)
    poller.poll_once()

    assert _delivered_keys(runtime) == ["first", "second"]  # nothing lost, nothing twice


def test_a_stream_reader_whose_stream_was_replaced_fails_the_health_check(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    logged: list[str] = []
    health, stop = Health(logged.append), threading.Event()
    poller = StreamPoller(
        out.stream_mappings[0],
        embedded_aws,
        FakeRuntime(out.functions, lambda e: None),
        stop,
        logged.append,
        health=health,
    )
    table, dynamodb = out.physical["Table"], embedded_aws.dynamodb()
    description = dynamodb.describe_table(TableName=table)["Table"]
    # A table deleted and made again under its name (as a restore to the same name would): a new stream.
    dynamodb.delete_table(TableName=table)
    dynamodb.create_table(
        TableName=table,
        KeySchema=description["KeySchema"],
        AttributeDefinitions=description["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    api = Client(with_health_check(lambda environ, start: Response("api")(environ, start), health))
    thread = threading.Thread(target=poller.run)
    thread.start()
    try:
        poll_until(lambda: None, lambda: not health.healthy)
        answer = api.get(HEALTH_PATH)
    finally:
        stop.set()
        thread.join(timeout=5)

    assert answer.status_code == 503
    (reason,) = json.loads(answer.get_data())["triggers"].values()
    assert "StreamReplaced" in reason
    assert [line for line in logged if line.startswith("ERROR")] == [
        f"ERROR [stream] {out.stream_mappings[0].logical_id} cannot proceed: {reason}"
    ]  # once, not once per poll
    assert api.get("/bookmarks").get_data(as_text=True) == "api"


def test_the_health_check_recovers_when_the_trigger_does() -> None:
    health = Health(log=lambda _: None)
    health.failing("[rule] R", "ConnectionError()")
    health.ok("[rule] R")
    health.ok("[stream] S")

    assert health.report() == {"healthy": True, "triggers": {"[rule] R": "ok", "[stream] S": "ok"}}


# ---- At-least-once delivery -------------------------------------------------------------------------


def _schedule(seed: int, polls: list[list[str]]) -> list[str]:
    """What a rule delivers over ``polls`` (then idle polls until nothing is held), for a seed."""
    rng, held, delivered = AtLeastOnce(seed).random_for("rule"), list[str](), []
    for new in [*polls, []]:
        now, held = out_of_order(new, held, rng, hold_back=0.5)
        delivered += now
    assert held == []  # an idle poll releases every copy
    return delivered


def test_at_least_once_delivers_every_event_exactly_twice() -> None:
    delivered = _schedule(7, [["a", "b"], ["c"], [], ["d"]])

    assert sorted(delivered) == ["a", "a", "b", "b", "c", "c", "d", "d"]


def test_at_least_once_sometimes_delivers_a_copy_after_a_later_event() -> None:
    schedules = [_schedule(seed, [["a"], ["b"], ["c"]]) for seed in range(20)]

    def reordered(delivered: list[str]) -> bool:
        return any(
            delivered.index(later) < len(delivered) - 1 - delivered[::-1].index(earlier)
            for earlier, later in (("a", "b"), ("a", "c"), ("b", "c"))
        )

    assert any(reordered(delivered) for delivered in schedules)
    assert not all(reordered(delivered) for delivered in schedules)


def test_the_same_seed_replays_the_same_deliveries_and_another_seed_does_not() -> None:
    polls = [["a", "b", "c"], ["d"], ["e", "f"]]

    assert _schedule(42, polls) == _schedule(42, polls)
    assert any(_schedule(seed, polls) != _schedule(42, polls) for seed in range(5))
    assert AtLeastOnce(1).random_for("x").random() != AtLeastOnce(1).random_for("y").random()


def test_a_batch_delivered_twice_runs_the_function_twice_and_the_second_answer_counts() -> None:
    answers = iter([{"batchItemFailures": [{"itemIdentifier": "1"}]}, {"batchItemFailures": []}])
    calls: list[Any] = []

    def function(event: Any) -> Any:
        calls.append(event)
        return next(answers)

    assert twice(function)({"Records": []}) == {"batchItemFailures": []}
    assert calls == [{"Records": []}] * 2


def test_at_least_once_a_rule_target_function_gets_each_event_twice(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.function == "ContestFunction")
    runtime = FakeRuntime(out.functions, lambda event: None)
    poller = RulePoller(
        delivery, embedded_aws, runtime, threading.Event(), log=print, redelivery=AtLeastOnce(seed=3)
    )
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-1"})
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-2"})

    poll_until(lambda: poller.poll_once(0), lambda: len(runtime.events) >= 4 and not poller.held)

    ids = sorted(event["detail"]["bookmark_id"] for _, event in runtime.events)
    assert ids == ["b-1", "b-1", "b-2", "b-2"]


def test_the_events_of_one_poll_of_a_rule_are_delivered_side_by_side(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.function == "ContestFunction")
    meet = threading.Barrier(2, timeout=10)  # broken, and the deliveries failed, if they ran one by one
    runtime = FakeRuntime(out.functions, lambda event: meet.wait())
    poller = RulePoller(delivery, embedded_aws, runtime, threading.Event(), log=print)
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-1"})
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-2"})

    assert poller.poll_once(0) == 2

    assert sorted(event["detail"]["bookmark_id"] for _, event in runtime.events) == ["b-1", "b-2"]
    assert not meet.broken


def test_side_by_side_runs_every_call_and_raises_the_first_error_once_all_ended() -> None:
    ended: list[str] = []

    def fails() -> None:
        raise ValueError("first")

    with pytest.raises(ValueError, match="first"):
        side_by_side([fails, lambda: ended.append("a"), lambda: ended.append("b")])

    assert sorted(ended) == ["a", "b"]


def test_at_least_once_a_stream_batch_is_delivered_twice_in_order(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    runtime = FakeRuntime(out.functions, lambda event: None)
    poller = StreamPoller(
        out.stream_mappings[0],
        embedded_aws,
        runtime,
        threading.Event(),
        log=print,
        redelivery=AtLeastOnce(seed=11),
    )
    for key in ("a", "b"):
        embedded_aws.dynamodb().put_item(TableName=out.physical["Table"], Item={"pk": {"S": key}})

    poll_until(poller.poll_once, lambda: len(_delivered_keys(runtime)) >= 4)

    assert _delivered_keys(runtime) == ["a", "b", "a", "b"]
