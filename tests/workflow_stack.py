"""The publishing workflow on the moto server, provisioned from template.yaml, with what the rest of the
app does around it: the table's real stream turned into domain events as the stream function does, the
contest function's entered write, and the rule that starts an execution for each delivery."""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID

from bookmarks import contest, layout
from bookmarks.events import BookmarkShared, for_change
from bookmarks.settings import settings
from tests.harness import (
    Aws,
    Resolver,
    StreamReader,
    apply_input_path,
    matches,
    provision,
    resource,
    sent_notifications,
    table_variables,
    translated,
)
from tests.names import event_source, resolved

T = TypeVar("T")
# Every rule that starts the workflow (its first entries and withdrawals, and deletions in review).
RULES = list(resource("PublishBookmarkStateMachine")["Properties"]["Events"].values())


def eventually(probe: Callable[[], T | None], seconds: float = 20.0) -> T:
    """Poll ``probe`` until it answers something (bounded): executions run in moto's own threads."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"nothing after {seconds}s")


def matching_rule(event: dict[str, Any]) -> dict[str, Any] | None:
    """The workflow's rule that takes ``event`` (its patterns do not overlap), decided by moto's EventBridge
    pattern matcher; None if none does."""
    return next((rule for rule in RULES if matches(resolved(rule["Properties"]["Pattern"]), event)), None)


def rule_matches(event: dict[str, Any]) -> bool:
    """Whether one of the workflow's rules takes ``event``."""
    return matching_rule(event) is not None


def domain_event(
    detail_type: str, bookmark_id: str, owner: str, status: str, previous: str
) -> dict[str, Any]:
    """An event of the catalogue as the stream function puts it on the bus (and EventBridge delivers it)."""
    return {
        "id": str(uuid.uuid4()),
        "source": event_source(),
        "detail-type": detail_type,
        "detail": {
            "bookmark_id": bookmark_id,
            "owner": owner,
            "contest_status": status,
            "previous_status": previous,
            "occurred_at": datetime.now(UTC).isoformat(),
            "change_id": str(uuid.uuid4()),
        },
    }


class WorkflowStack:
    """The whole template provisioned on the moto server (as `make local` does), driven around the
    workflow: the contest's write, the rule's delivery, the moderators' reviews."""

    def __init__(self, endpoint_url: str, review_timeout_seconds: int) -> None:
        overrides = {"ReviewTimeoutSeconds": str(review_timeout_seconds)}
        resolver = Resolver(translated(), parameter_overrides=overrides)
        self.refs = provision(translated(), Aws(endpoint_url, resolver.region), resolver).physical
        self.table = str(self.refs["BookmarksTable"])
        self.reviews_table = str(self.refs["ReviewsTable"])
        self.sfn = boto3.client("stepfunctions")
        self.dynamodb = boto3.client("dynamodb")
        stream_arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        self.stream = StreamReader(boto3.client("dynamodbstreams"), stream_arn)

    def pump(self) -> list[str]:
        """Everything the table's changes set off until nothing new happens: each stream record becomes
        the domain events the stream function publishes; a BookmarkShared has the contest record its entry;
        every event the workflow's rule takes starts an execution. Returns the executions started.
        (The contest's transaction succeeds here: moto streams a cancelled one wrongly, see issue 13.)"""
        started: list[str] = []
        while records := self.stream.new_records():
            for record in records:
                for event in for_change(record):
                    if isinstance(event, BookmarkShared):
                        contest.record_entry(event)  # what ContestEntryFunction does with it
                    delivered = {
                        "id": str(uuid.uuid4()),
                        "source": event_source(),
                        "detail-type": event.detail_type(),
                        "detail": event.model_dump(mode="json"),
                    }
                    execution = self.deliver(delivered)
                    if execution is not None:
                        started.append(execution)
        return started

    def settle(self, executions: list[str]) -> None:
        """Wait until each execution has ended, or waits for a moderator (the one wait that may last)."""

        def quiet() -> bool | None:
            for arn in executions:
                if self.sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                    continue
                events = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
                events.sort(key=lambda event: event["id"])
                entered = [e["stateEnteredEventDetails"] for e in events if "stateEnteredEventDetails" in e]
                waiting = entered and entered[-1]["name"] == "AwaitReview"
                if not waiting or events[-1]["type"] != "TaskSubmitted":
                    return None
            return True

        eventually(quiet, seconds=60)

    def deliver(self, event: dict[str, Any]) -> str | None:
        """What the rule does with ``event``: the execution it starts. Its input is the whole event, and
        its name is fresh for every delivery, as EventBridge's are: a redelivery starts a second one."""
        rule = matching_rule(event)
        if rule is None:
            return None
        started = self.sfn.start_execution(
            stateMachineArn=self.refs["PublishBookmarkStateMachine"],
            name=str(uuid.uuid4()),
            input=json.dumps(apply_input_path(event, rule["Properties"].get("InputPath"))),
        )
        return started["executionArn"]

    def enter(self, owner: str, bookmark_id: str) -> str:
        """The contest function's part: entering -> entered, then ContestEntryRecorded on the bus."""
        self.record_entry(owner, bookmark_id)
        execution = self.deliver(
            domain_event("ContestEntryRecorded", bookmark_id, owner, "entered", "entering")
        )
        assert execution is not None
        return execution

    def record_entry(self, owner: str, bookmark_id: str) -> None:
        """The contest function's write alone: entering -> entered, no event delivered yet."""
        self.dynamodb.update_item(
            TableName=self.table,
            Key=layout.bookmark_key(owner, bookmark_id),
            UpdateExpression="SET contest_status = :entered",
            ConditionExpression="contest_status = :entering",
            ExpressionAttributeValues={":entered": {"S": "entered"}, ":entering": {"S": "entering"}},
        )

    def finished(self, execution_arn: str) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            return dict(described) if described["status"] != "RUNNING" else None

        return eventually(done)

    def review_request(self, bookmark_id: str) -> dict[str, Any] | None:
        return self.dynamodb.get_item(
            TableName=self.reviews_table, Key={"bookmark_id": {"S": bookmark_id}}, ConsistentRead=True
        ).get("Item")

    def awaiting_review(self, bookmark_id: str) -> dict[str, Any]:
        """The review request once the workflow waits on it (it holds the task token)."""

        def waiting() -> dict[str, Any] | None:
            request = self.review_request(bookmark_id)
            return request if request is not None and "task_token" in request else None

        return eventually(waiting)

    def stored(self, owner: str, bookmark_id: str) -> dict[str, Any]:
        return self.dynamodb.get_item(
            TableName=self.table, Key={"pk": {"S": f"OWNER#{owner}"}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}}
        )["Item"]

    def notifications(self, topic: str) -> list[tuple[str, dict[str, str]]]:
        """(message, {attribute: value}) of every message published to ``topic``, in order."""
        sent = sent_notifications(DEFAULT_ACCOUNT_ID, "us-east-1", self.refs[topic])
        return [
            (message, {name: value["Value"] for name, value in attributes.items()})
            for message, _, attributes in sent
        ]

    def running(self) -> list[str]:
        """The executions still running (waiting for a moderator, once settled)."""
        arn = self.refs["PublishBookmarkStateMachine"]
        listed = self.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
        return [execution["executionArn"] for execution in listed]

    def stop_running(self) -> None:
        """Stop what still waits, so no execution thread outlives its test."""
        for execution in self.running():
            self.sfn.stop_execution(executionArn=execution)


@pytest.fixture
def make_stack(aws_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., WorkflowStack]]:
    made: list[WorkflowStack] = []

    def make(review_timeout_seconds: int = 60) -> WorkflowStack:
        made.append(WorkflowStack(aws_server, review_timeout_seconds))
        # The handlers under test find the provisioned tables as Lambda would: in their environment.
        for table, variable in table_variables().items():
            monkeypatch.setenv(variable, str(made[-1].refs[table]))
        settings.cache_clear()
        return made[-1]

    yield make
    for stack in made:
        stack.stop_running()


@pytest.fixture
def stack(make_stack: Callable[..., WorkflowStack]) -> WorkflowStack:
    return make_stack()
