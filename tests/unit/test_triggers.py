"""The local triggers deliver the way Lambda and EventBridge do: batches, partial failures, retries, DLQs."""

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from local.provision import Aws, LocalFunction, Provisioned, StreamMapping
from local.runtime import Runtime
from local.triggers import (
    NotificationPrinter,
    QueuePoller,
    RulePoller,
    StreamPoller,
    apply_input_path,
    deliver_batch,
    execution_name,
    functions_invoked_in_process,
    matches_filters,
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


def test_input_path_and_execution_name_follow_the_event_contract() -> None:
    event = {"id": "event-1", "detail": {"bookmark_id": "b-1", "owner": "o"}}

    assert apply_input_path(event, "$.detail") == {"bookmark_id": "b-1", "owner": "o"}
    assert apply_input_path(event, None) is event
    assert execution_name() != execution_name()


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
                "EventBusName": "bookmarks-dev",
                "Source": "bookmarks",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )


def test_a_rule_target_function_that_keeps_failing_sends_the_event_to_the_rule_dlq(embedded_aws: Aws) -> None:
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.function == "ContestFunction")
    runtime = FakeRuntime(out.functions, _raise)
    poller = RulePoller(delivery, embedded_aws, runtime, threading.Event(), log=lambda _: None)
    _put(embedded_aws, "BookmarkShared", {"bookmark_id": "b-1"})

    poll_until(poller.poll_once, lambda: len(runtime.events) >= 2)

    assert len(runtime.events) == 2  # one try and MaximumRetryAttempts: 1
    dlq = out.resolver.get_att("ContestFunctionSharedQueue", "QueueUrl")
    message = embedded_aws.sqs().receive_message(QueueUrl=dlq, MessageAttributeNames=["All"])["Messages"][0]
    assert json.loads(message["Body"])["detail"] == {"bookmark_id": "b-1"}
    assert message["MessageAttributes"]["RULE_ARN"]["StringValue"].endswith(delivery.rule_arn.split("/")[-1])


def test_a_rule_starts_an_execution_per_delivery_under_a_fresh_name_with_the_detail_as_input(
    embedded_aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_PORT", embedded_aws.endpoint_url.rsplit(":", 1)[1])
    out: Provisioned = provisioned_from(embedded_aws, sam_template())
    delivery = next(d for d in out.rule_deliveries if d.state_machine_arn)
    poller = RulePoller(
        delivery, embedded_aws, FakeRuntime(out.functions, _raise), threading.Event(), log=lambda _: None
    )
    sfn = embedded_aws.stepfunctions()
    _put(embedded_aws, "ContestEntryRecorded", {"bookmark_id": "b-7", "owner": "o"})
    _put(embedded_aws, "ContestEntryRecorded", {"bookmark_id": "b-7", "owner": "o"})  # a redelivery

    def executions() -> list[Any]:
        return sfn.list_executions(stateMachineArn=out.physical["PublishStateMachine"])["executions"]

    # As on AWS, the redelivery starts a second execution: the workflow itself must make it harmless.
    poll_until(lambda: poller.poll_once(0), lambda: len(executions()) == 2 and poller.poll_once(0) == 0)
    described = [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions()]
    poll_until(
        lambda: None,
        lambda: all(
            sfn.describe_execution(executionArn=e["executionArn"])["status"] != "RUNNING" for e in described
        ),
    )

    assert len({execution["name"] for execution in described}) == 2
    assert "b-7" not in {execution["name"] for execution in described}
    assert [json.loads(e["input"]) for e in described] == [{"bookmark_id": "b-7", "owner": "o"}] * 2
    inbox = embedded_aws.sqs().receive_message(QueueUrl=out.topic_inboxes["Topic"])["Messages"]
    assert json.loads(inbox[0]["Body"])["Message"] == "b-7"


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
