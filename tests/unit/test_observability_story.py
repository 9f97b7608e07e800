"""A whole story on the embedded stack, in this process: sign in, create, share, decide, delete, over HTTP
with real Cognito tokens, through the stream, the contest function and the workflow (each part of the
story that a feature owns goes with it: tools/features.toml). Everything the app
tells operators is captured and searched for secrets and personal data.

Captured: every record of the app's Powertools logger (at the functions' level, INFO) formatted as
Lambda would print it; every line the handlers print (EMF); every trace annotation (Tracer.put_annotation
is spied on, as tracing itself is disabled); the traces and metrics the local stack collected. Not captured:
the X-Ray SDK's own subsegments (tracing is disabled here; tests/e2e/test_observability.py checks them),
the state machine's execution log (moto writes none) and the local runner's own console."""

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Tracer

from bookmarks.aws import dynamodb, events, stepfunctions
from bookmarks.settings import settings
from tests.e2e.conftest import wait_for
from tests.e2e.http import Api
from tests.harness import Stack, config, functions, handler_module, start
from tests.names import service as service_name
from tests.observed import metrics

SECRET_URL = "https://docs.example.org/runbook?session=s3cr3t-session-value"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@dataclass
class Observed:
    """What the app told operators during the story."""

    logs: list[str] = field(default_factory=list)
    annotations: list[tuple[str, Any]] = field(default_factory=list)
    printed: str = ""


class _Lines(logging.Handler):
    def __init__(self, into: list[str], formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.into = into
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(self.format(record))


def _clear_cached_clients() -> None:
    for cached in (dynamodb, events, stepfunctions, settings):
        cached.cache_clear()


@pytest.fixture
def stack() -> Iterator[Stack]:
    """The local stack on free ports; the process's environment is put back afterwards."""
    saved = dict(os.environ)
    _clear_cached_clients()
    running = start(aws_port=0, api_port=0, web_port=None, log=lambda _: None)
    try:
        yield running
    finally:
        running.stop()
        os.environ.clear()
        os.environ.update(saved)
        _clear_cached_clients()


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Observed]:
    seen = Observed()
    for logical_id in functions():
        handler_module(logical_id)  # the Powertools logger exists once a handler module is loaded
    app_logger = logging.getLogger(os.environ["POWERTOOLS_SERVICE_NAME"])
    formatter = app_logger.handlers[0].formatter if app_logger.handlers else None
    capture = _Lines(seen.logs, formatter)
    app_logger.addHandler(capture)
    original = Tracer.put_annotation

    def spy(self: Tracer, key: str, value: Any) -> None:
        seen.annotations.append((key, value))
        original(self, key=key, value=value)

    monkeypatch.setattr(Tracer, "put_annotation", spy)
    try:
        yield seen
    finally:
        app_logger.removeHandler(capture)


def _signed_in(stack: Stack, email: str, password: str) -> tuple[Api, str]:
    client = boto3.client("cognito-idp", endpoint_url=stack.aws_url, region_name=stack.region)
    answer = client.initiate_auth(
        ClientId=stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    token = str(answer["AuthenticationResult"]["IdToken"])
    return Api(stack.api_url, token), token


def _printed_until(capsys: pytest.CaptureFixture[str], expected: set[str]) -> str:
    """What was printed, read until every metric name of ``expected`` shows: the stream function counts
    events after the table changed, in its own thread."""
    printed: list[str] = []

    def seen() -> bool:
        printed.append(capsys.readouterr().out)
        return all(f'"{name}"' in "".join(printed) for name in expected)

    wait_for(seen)
    return "".join(printed)


def _status(api: Api, bookmark_id: str) -> str | None:
    answer = api.request("GET", f"/bookmarks/{bookmark_id}")
    return answer.body.get("contest_status") if answer.status == 200 else None


def test_a_whole_story_leaves_no_token_email_or_url_in_logs_annotations_or_metrics(
    stack: Stack, observed: Observed, capsys: pytest.CaptureFixture[str]
) -> None:
    user = config().users[0]
    alice, alice_token = _signed_in(stack, user.email, user.password)
    secrets = [alice_token, user.email, SECRET_URL]
    service = ("service", service_name())
    expected: set[tuple[str, tuple[tuple[str, str], ...]]] = {
        ("BookmarkCreated", (service,)),
        ("BookmarkUpdated", (service,)),
        ("BookmarkDeleted", (service,)),
    }
    created = alice.create(url=SECRET_URL, name="Runbook")
    assert alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": True}).status == 200
    # feature: contest
    wait_for(lambda: _status(alice, created["id"]) != "entering", timeout=60)
    expected |= {("BookmarkShared", (service,)), ("ContestEntryRecorded", (service,))}
    # end feature: contest
    # feature: workflow
    moderator_user = config().users[1]
    moderator, moderator_token = _signed_in(stack, moderator_user.email, moderator_user.password)
    wait_for(lambda: created["id"] in str(moderator.request("GET", "/reviews").body), timeout=60)
    reviews = stack.provisioned.physical["ReviewsTable"]
    task_token = wait_for(lambda: _task_token(stack, str(reviews), created["id"]), timeout=30)
    decided = moderator.request("POST", f"/reviews/{created['id']}", {"decision": "approve"})
    wait_for(lambda: _status(alice, created["id"]) == "approved", timeout=60)
    assert decided.status == 200
    secrets += [moderator_token, task_token, moderator_user.email]
    expected |= {("ReviewDecided", (service,)), ("ContestEntryDecided", (("outcome", "approved"), service))}
    # end feature: workflow
    assert alice.request("DELETE", f"/bookmarks/{created['id']}").status == 204
    observed.printed = _printed_until(capsys, {name for name, _ in expected})

    told = "\n".join(
        [*observed.logs, observed.printed, *(f"{k}={v}" for k, v in observed.annotations), _collected(stack)]
    )
    assert observed.annotations
    assert [secret for secret in secrets if secret in told] == []
    assert not JWT.search(told)
    assert not EMAIL.search(told)
    assert "docs.example.org" not in told
    assert "s3cr3t-session-value" not in told
    assert all(isinstance(json.loads(line), dict) for line in observed.logs)  # every log line is JSON
    annotations = set(observed.annotations)
    assert {("operation", "PUT /bookmarks/{id}"), ("outcome", "success")} <= annotations
    # feature: contest
    # The contest function logs (the API functions log only failures); its lines carry the EventBridge
    # event's id as correlation id.
    assert observed.logs
    lines = [json.loads(line) for line in observed.logs]
    contest_lines = [line for line in lines if line["function_name"].endswith("ContestEntryFunction")]
    assert contest_lines
    assert all(line["correlation_id"] for line in contest_lines)
    assert {("operation", "record_entry"), ("contest_status", "entering")} <= annotations
    # end feature: contest
    names = {(m.name, tuple(sorted(m.dimensions.items()))) for m in metrics(observed.printed)}
    assert expected <= names


def _task_token(stack: Stack, table: str, bookmark_id: str) -> str | None:
    """The workflow's task token, read where it waits, to look for it in what the app told."""
    client = boto3.client("dynamodb", endpoint_url=stack.aws_url, region_name=stack.region)
    item = client.get_item(TableName=table, Key={"bookmark_id": {"S": bookmark_id}}).get("Item") or {}
    token = item.get("task_token", {}).get("S")
    return str(token) if token else None


def _collected(stack: Stack) -> str:
    """Every trace the local stack collected and every metric (with dimensions) in its CloudWatch."""
    assert stack.observability is not None
    traces = stack.observability.traces
    cloudwatch = boto3.client("cloudwatch", endpoint_url=stack.aws_url, region_name=stack.region)
    collected = (
        [traces.trace(trace_id) for trace_id in traces.trace_ids()],
        cloudwatch.list_metrics()["Metrics"],
    )
    assert collected[0], "no trace was collected"
    assert collected[1], "no metric was collected"
    return json.dumps(collected, default=str)
