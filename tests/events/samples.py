"""Writes the event functions' sample events and the event catalogue from the real thing: the API
handlers write the table (from template.yaml) on moto, its stream gives the records, the stream function
publishes them on a moto bus, and the contest function records the entry.

Run `make samples` after changing the table layout or the events; tests/events/test_samples.py fails
while the committed files differ from what this produces. Only values that change on every run (ids,
clocks, sequence numbers, sizes) are replaced, by fixed ones, so that the output is the same on every run.
"""

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws

from bookmarks import library
from bookmarks.aws import dynamodb, events
from bookmarks.events import catalogue
from bookmarks.settings import settings
from tests.events.recording_bus import RecordingBus
from tests.harness import (
    ROOT,
    LambdaContext,
    StreamReader,
    create_table,
    filter_patterns,
    handler,
    matches_filters,
    resource,
)
from tests.names import contest_environment, event_source, powertools_environment

EVENTS_DIR = ROOT / "events"
OWNER = "1f2e3d4c-0000-4000-8000-00000000a11c"  # the sub of the API samples' caller
BOOKMARK_ID = "01KB2Z3Y4X5W6V7T8S9R0QPNMK"  # the id the API samples name
NOW = "2026-11-27T13:00:00.000Z"
EPOCH = 1795784400  # NOW in seconds
ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/bookmarks-BookmarksTable-EXAMPLE"
STREAM_ARN = f"{TABLE_ARN}/stream/2026-11-27T12:00:00.000"
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "1",
    **powertools_environment(),
    **contest_environment(),
    "BOOKMARKS_TABLE_NAME": "bookmarks-samples",
    "BOOKMARKS_BUS_NAME": "bookmarks-samples",
    "ALLOWED_ORIGIN": "https://bookmarks.example.com",
}


@contextmanager
def _embedded_aws() -> Iterator[None]:
    with mock.patch.dict(os.environ, ENVIRONMENT), mock_aws():
        for cached in (dynamodb, events, settings):
            cached.cache_clear()
        try:
            yield
        finally:
            for cached in (dynamodb, events, settings):
                cached.cache_clear()


def _fixed(record: dict[str, Any], scenario: str, position: int) -> dict[str, Any]:
    """The record with fixed values where moto's change on every run."""
    record["eventID"] = hashlib.sha256(scenario.encode()).hexdigest()[:32]
    record["eventSourceARN"] = STREAM_ARN
    record["dynamodb"]["SequenceNumber"] = str(4_421_584_500_000_000_017_450_439_091 + position)
    record["dynamodb"]["ApproximateCreationDateTime"] = EPOCH + position
    images = {part: record["dynamodb"].get(part) for part in ("Keys", "NewImage", "OldImage")}
    record["dynamodb"]["SizeBytes"] = len(json.dumps(images, separators=(",", ":")))
    return record


def generate() -> dict[str, Any]:
    """Every sample, by its path under events/, and events/catalogue.json."""
    from tests.api_client import ApiClient  # the API as API Gateway calls it

    samples: dict[str, Any] = {"catalogue.json": catalogue(event_source())}
    patterns = filter_patterns(resource("BookmarkEventsMapping")["Properties"])
    with (
        _embedded_aws(),
        mock.patch.object(library, "new_bookmark_id", return_value=BOOKMARK_ID),
        mock.patch.object(library, "now_iso", return_value=NOW),
    ):
        table = os.environ["BOOKMARKS_TABLE_NAME"]
        stream_arn = create_table(boto3.client("dynamodb"), table, resource("BookmarksTable")["Properties"])
        stream = StreamReader(boto3.client("dynamodbstreams"), stream_arn)
        bus_name = os.environ["BOOKMARKS_BUS_NAME"]
        bus = RecordingBus.create(boto3.client("events"), boto3.client("sqs"), bus_name)
        alice = ApiClient(OWNER)
        position = 0

        def stream_sample(scenario: str) -> dict[str, Any]:
            nonlocal position
            (record,) = [r for r in stream.new_records() if matches_filters(r, patterns)]
            position += 1
            sample = {"Records": [_fixed(record, scenario, position)]}
            handler("BookmarkEventsFunction")(sample, LambdaContext())
            samples[f"bookmark_events_function/{scenario}.json"] = sample
            return sample

        alice.create(url="https://docs.python.org/3/", name="Python docs")
        stream_sample("create")
        alice.request("PUT", f"/bookmarks/{BOOKMARK_ID}", {"description": "The language reference."})
        stream_sample("update")
        alice.request("PUT", f"/bookmarks/{BOOKMARK_ID}", {"shared": True})
        stream_sample("share")
        # feature: contest
        (shared,) = [e for e in bus.received() if e["detail-type"] == "BookmarkShared"]
        samples["contest_entry_function/bookmark_shared.json"] = shared = {
            "version": "0",
            "id": "0d4ab1a4-7c0e-4b8a-9f3e-5c6d7e8f9a0b",
            "detail-type": shared["detail-type"],
            "source": shared["source"],
            "account": ACCOUNT,
            "time": NOW[:19] + "Z",
            "region": shared["region"],
            "resources": shared["resources"],
            "detail": shared["detail"],
        }
        handler("ContestEntryFunction")(shared, LambdaContext())
        stream_sample("contest_entry_recorded")
        # end feature: contest
        alice.request("DELETE", f"/bookmarks/{BOOKMARK_ID}")
        stream_sample("delete")
        # A generator whose stream function published nothing would write samples of nothing.
        assert bus.received(), "the stream function put no event on the bus"
    return samples


def write(samples: dict[str, Any], into: Path = EVENTS_DIR) -> None:
    for name, content in samples.items():
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, sort_keys=False) + "\n")


if __name__ == "__main__":
    write(generate())
