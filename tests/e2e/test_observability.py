"""What `make local` lets an operator see (local only: a deployed stack has X-Ray and CloudWatch): a
poison stream record followed to its alarm's notification; with the publishing workflow, one shared
bookmark followed by its traces to the notification it ends in, and nothing sensitive in any of them,
whichever provider the functions trace through (the X-Ray SDK, or OpenTelemetry on a second stack)."""

import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import wait_for
from tests.harness import ROOT
from tests.local_stack import Target, local_target, running_stack

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _console_of(stack: dict[str, Any]) -> dict[str, Any]:
    state = Path(stack["state_dir"])
    return {
        "web_url": json.loads((state / "web.json").read_text())["web_url"],
        **json.loads((state / "resources.json").read_text()),
    }


@pytest.fixture
def local(target: Target, local_stack: dict[str, Any]) -> dict[str, Any]:
    if not target.local:
        pytest.skip("the observability console is part of the local stack only")
    return _console_of(local_stack)


@pytest.fixture(scope="module")
def opentelemetry_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A second local stack whose functions trace with OpenTelemetry: only the trace story runs on it."""
    with running_stack(
        ROOT, tmp_path_factory.mktemp("otel-stack"), "--parameter", "TracingProvider=opentelemetry"
    ) as stack:
        yield stack


@pytest.fixture(params=["xray-sdk", "opentelemetry"])
def traced(request: pytest.FixtureRequest, target: Target) -> tuple[str, Target, dict[str, Any]]:
    """A tracing provider with its stack and console (the suite's own stack traces with the default)."""
    if not target.local:
        pytest.skip("the observability console is part of the local stack only")
    if request.param == "xray-sdk":
        return request.param, target, _console_of(request.getfixturevalue("local_stack"))
    stack = request.getfixturevalue("opentelemetry_stack")
    return request.param, local_target(stack), _console_of(stack)


def _console(local: dict[str, Any], path: str) -> Any:
    with urllib.request.urlopen(f"{local['web_url']}/observability/{path}", timeout=10) as answer:  # noqa: S310
        return json.load(answer)


def _trace(local: dict[str, Any], trace_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _console(local, f"traces/{trace_id}.json")["timeline"]
    return rows


def _notified(target: Target, inbox: str, *needles: str) -> list[str]:
    """Messages in a topic's local inbox that contain every needle (left there for other readers)."""
    answer = target.client("sqs").receive_message(
        QueueUrl=inbox, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1
    )
    messages = [json.loads(m["Body"])["Message"] for m in answer.get("Messages", [])]
    return [m for m in messages if all(needle in m for needle in needles)]


# feature: workflow
def _executions_of(target: Target, local: dict[str, Any], bookmark_id: str) -> set[str]:
    """The publishing workflow's executions whose input names the bookmark."""
    sfn = target.client("stepfunctions")
    machine = local["physical"]["PublishBookmarkStateMachine"]
    return {
        execution["executionArn"]
        for execution in sfn.list_executions(stateMachineArn=machine)["executions"]
        if bookmark_id in sfn.describe_execution(executionArn=execution["executionArn"])["input"]
    }


def test_a_shared_bookmark_is_followed_by_its_traces_from_the_api_to_the_moderators_notification(
    traced: tuple[str, Target, dict[str, Any]],
) -> None:
    provider, target, local = traced
    alice = target.signed_in()
    answer = alice.request(
        "POST",
        "/bookmarks",
        {
            "url": f"https://e2e-{uuid.uuid4().hex[:8]}.example.com/?token=s3cr3t",
            "name": "Traced",
            "shared": True,
        },
    )
    bookmark_id = answer.body["id"]
    api_trace = answer.headers["X-Amzn-Trace-Id"].removeprefix("Root=")

    # The function's subsegments arrive over UDP, after or before Lambda's own segments and in any order
    # among themselves (the annotated handler's after its DynamoDB call's): wait for all.
    api_rows = wait_for(
        lambda: (
            (rows := _trace(local, api_trace))
            and any(row["name"].lower() == "dynamodb" for row in rows)
            and any(row["annotations"].get("operation") for row in rows)
            and rows
        )
    )
    entry = wait_for(
        lambda: next(
            (
                t
                for t in _console(local, "traces.json")["traces"]
                if t["annotations"].get("bookmark_id") == bookmark_id
            ),
            None,
        )
    )
    # Executions have generated names, as EventBridge gives them: find this bookmark's by their input.
    executions = wait_for(lambda: _executions_of(target, local, bookmark_id), timeout=60)
    workflow = wait_for(
        lambda: next(
            (
                t
                for t in _console(local, "traces.json")["traces"]
                for row in _console(local, f"traces/{t['id']}.json")["raw"]
                if row.get("aws", {}).get("stepfunctions", {}).get("execution_arn") in executions
            ),
            None,
        ),
        timeout=60,
    )
    notified = wait_for(
        lambda: _notified(target, local["topic_inboxes"]["ModerationTopic"], bookmark_id), timeout=60
    )

    names = [(row["origin"], row["name"]) for row in api_rows]
    assert names[0][0] == "AWS::ApiGateway::Stage"
    assert ("AWS::Lambda::Function", local["functions"]["StoreBookmarkFunction"]["name"]) in names
    assert any(row["origin"] == "aws" and row["name"].lower() == "dynamodb" for row in api_rows)
    assert any(row["annotations"].get("operation") == "POST /bookmarks" for row in api_rows)
    # The trace is the provider's own: OpenTelemetry's spans carry its semantic conventions, the SDK's not.
    raw = json.dumps(_console(local, f"traces/{api_trace}.json")["raw"])
    assert ('"rpc.system": "aws-api"' in raw) == (provider == "opentelemetry")
    assert local["functions"]["ContestEntryFunction"]["name"] in entry["services"]
    assert local["functions"]["BookmarkEventsFunction"]["name"] in workflow["services"]
    assert notified
    everything = json.dumps([_console(local, "traces.json"), _console(local, "metrics.json")])
    everything += json.dumps(
        [_console(local, f"traces/{t['id']}.json") for t in _console(local, "traces.json")["traces"]]
    )
    assert str(alice.token) not in everything
    assert not JWT.search(everything)
    assert not EMAIL.search(everything)
    assert "s3cr3t" not in everything


# end feature: workflow


def test_a_poison_stream_record_drives_the_failure_queue_alarm_and_notifies_the_alarm_topic(
    target: Target, local: dict[str, Any]
) -> None:
    # A bookmark item the app could not have written: a contest status that does not exist.
    target.client("dynamodb").put_item(
        TableName=local["physical"]["BookmarksTable"],
        Item={
            "pk": {"S": f"OWNER#{uuid.uuid4()}"},
            "sk": {"S": "BOOKMARK#01KB2Z3Y4X5W6V7T8S9R0QPNMK"},
            "contest_status": {"S": "winner"},
        },
    )
    alarm = local["physical"]["BookmarkEventsFailureQueueAlarm"]

    alarmed = wait_for(
        lambda: (
            target.client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"]
            == "ALARM"
        ),
        timeout=60,
    )
    notified = wait_for(
        lambda: _notified(target, local["topic_inboxes"]["AlarmTopic"], alarm, '"NewStateValue": "ALARM"'),
        timeout=30,
    )

    assert alarmed
    assert json.loads(notified[0])["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
