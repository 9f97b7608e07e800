"""Fixtures of the event pipeline: the table's real stream, the app's bus on moto, and the functions
invoked the way their triggers invoke them."""

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from bookmarks.aws import events
from bookmarks.settings import settings
from tests.events.recording_bus import RecordingBus
from tests.harness import LambdaContext, StreamReader, filter_patterns, handler, matches_filters, resource
from tests.names import event_source

BUS_NAME = "bookmarks-test-bus"
Invoke = Callable[[list[dict[str, Any]]], dict[str, Any]]


@pytest.fixture
def bus(aws: None) -> Iterator[RecordingBus]:
    """The app's bus (BOOKMARKS_BUS_NAME), recording every event published on it."""
    os.environ["BOOKMARKS_BUS_NAME"] = BUS_NAME
    events.cache_clear()
    settings.cache_clear()
    yield RecordingBus.create(boto3.client("events"), boto3.client("sqs"), BUS_NAME)
    events.cache_clear()
    del os.environ["BOOKMARKS_BUS_NAME"]


@pytest.fixture
def stream(bookmarks_table: str) -> StreamReader:
    """The BookmarksTable's stream, read from its start as the Lambda poller reads it."""
    arn = boto3.client("dynamodb").describe_table(TableName=bookmarks_table)["Table"]["LatestStreamArn"]
    return StreamReader(boto3.client("dynamodbstreams"), arn)


@pytest.fixture
def publish(bus: RecordingBus) -> Invoke:
    """Invokes BookmarkEventsFunction with a batch, after the mapping's filter, as Lambda does."""
    patterns = filter_patterns(resource("BookmarkEventsMapping")["Properties"])

    def invoke(records: list[dict[str, Any]]) -> dict[str, Any]:
        batch = [record for record in records if matches_filters(record, patterns)]
        answer: dict[str, Any] = handler("BookmarkEventsFunction")({"Records": batch}, LambdaContext())
        return answer

    return invoke


@pytest.fixture
def archive(bus: RecordingBus) -> str:
    """The bus's archive as the template declares it (its pattern, its retention); returns its ARN."""
    properties = resource("BookmarksArchive")["Properties"]
    assert properties["EventPattern"] == {"source": [{"Ref": "AppName"}]}
    events = boto3.client("events")
    bus_arn = events.describe_event_bus(Name=bus.name)["Arn"]
    answer = events.create_archive(
        ArchiveName="bookmarks-test-archive",
        EventSourceArn=bus_arn,
        EventPattern=json.dumps({"source": [event_source()]}),
        RetentionDays=properties["RetentionDays"],
    )
    return str(answer["ArchiveArn"])


# feature: contest
@pytest.fixture
def enter_contest(bookmarks_table: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Invokes ContestEntryFunction with one EventBridge event, as the BookmarkShared rule does."""

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = handler("ContestEntryFunction")(event, LambdaContext())
        return answer

    return invoke


# end feature: contest
