"""Each patch of local/moto_patches.py still corrects what moto does, and moto still has the shape the patch
relies on: when a moto upgrade fails here, revisit that patch (drop it if moto now behaves as AWS)."""

import inspect
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.utilities.docker_utilities import DockerModel

from local.moto_patches import (
    DYNAMODB_DATA_PLANE,
    dynamodb_one_call_at_a_time,
    sent_notifications,
    trace_headers_passed_on,
)

REGION = "us-east-1"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


def test_moto_still_puts_back_a_copy_of_the_table_when_a_transaction_is_cancelled(moto: None) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "taken"}})
    table_before = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"]

    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "t",
                        "Item": {"pk": {"S": "taken"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )

    # Another thread's write to the table it held is lost: why dynamodb_one_call_at_a_time exists.
    assert dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"] is not table_before


def test_every_serialised_dynamodb_call_is_a_method_of_moto_s_backend() -> None:
    missing = [name for name in DYNAMODB_DATA_PLANE if not callable(getattr(DynamoDBBackend, name, None))]
    assert missing == []
    with dynamodb_one_call_at_a_time():
        assert all(hasattr(getattr(DynamoDBBackend, name), "__wrapped__") for name in DYNAMODB_DATA_PLANE)
    assert not any(hasattr(getattr(DynamoDBBackend, name), "__wrapped__") for name in DYNAMODB_DATA_PLANE)


def test_moto_still_runs_function_code_only_in_docker_through_the_invoke_the_patch_replaces() -> None:
    assert issubclass(LambdaFunction, DockerModel)
    assert list(inspect.signature(LambdaBackend.invoke).parameters) == [
        "self",
        "function_name",
        "qualifier",
        "body",
        "headers",
        "response_headers",
    ]


def _with_trace_header(client: Any) -> None:
    def add(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = TRACE

    client.meta.events.register("before-send.*", add)


def test_put_events_tells_each_event_id_with_the_call_s_trace_header(moto: None) -> None:
    events = boto3.client("events", region_name=REGION)
    _with_trace_header(events)
    told: list[tuple[list[str], str | None]] = []

    with trace_headers_passed_on(lambda ids, header: told.append((ids, header)), lambda *_: None):
        answer = events.put_events(
            Entries=[{"Source": "test", "DetailType": "Tested", "Detail": "{}", "EventBusName": "default"}]
        )

    assert told == [([answer["Entries"][0]["EventId"]], TRACE)]


def test_moto_still_keeps_no_trace_header_of_an_execution_and_the_patch_tells_it(moto: None) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(
        name="m", definition=json.dumps(definition), roleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/r"
    )["stateMachineArn"]
    told: list[tuple[str, str, str | None]] = []

    with trace_headers_passed_on(lambda *_: None, lambda *started: told.append(started)):
        execution = sfn.start_execution(stateMachineArn=machine, name="x", traceHeader=TRACE)["executionArn"]

    assert told == [(execution, machine, TRACE)]
    assert "traceHeader" not in sfn.describe_execution(executionArn=execution)


def test_sent_notifications_reads_what_a_topic_was_sent(moto: None) -> None:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.publish(
        TopicArn=topic,
        Message="hello",
        Subject="greeting",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )

    assert sent_notifications(DEFAULT_ACCOUNT_ID, REGION, topic) == [
        ("hello", "greeting", {"kind": {"Type": "String", "Value": "test"}})
    ]
