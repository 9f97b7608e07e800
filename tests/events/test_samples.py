"""The event functions' samples in events/ (what `sam local invoke -e` feeds them) and the event
catalogue: still what the real table, stream and bus produce, and each drives its function."""

import json
from typing import Any
from unittest import mock

import pytest

from bookmarks import contest, library
from bookmarks.events import catalogue
from tests.api_client import ApiClient
from tests.events import samples
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import ROOT
from tests.names import event_source

STREAM_SAMPLES = {
    "bookmark_events_function/create.json": ["BookmarkCreated"],
    "bookmark_events_function/update.json": ["BookmarkUpdated"],
    "bookmark_events_function/share.json": ["BookmarkUpdated"],
    "bookmark_events_function/delete.json": ["BookmarkDeleted"],
}
BUS_SAMPLES: set[str] = set()
# The event functions' folders under events/, whose samples the generator writes.
SAMPLE_FOLDERS = ["bookmark_events_function"]
# feature: contest
STREAM_SAMPLES["bookmark_events_function/share.json"].append("BookmarkShared")
STREAM_SAMPLES["bookmark_events_function/contest_entry_recorded.json"] = [
    "BookmarkUpdated",
    "ContestEntryRecorded",
]
BUS_SAMPLES.add("contest_entry_function/bookmark_shared.json")
SAMPLE_FOLDERS.append("contest_entry_function")
# end feature: contest
COMMON_DETAIL = ("bookmark_id", "owner", "contest_status", "previous_status", "occurred_at", "change_id")


def load(name: str) -> Any:
    return json.loads((ROOT / "events" / name).read_text())


def test_committed_samples_and_catalogue_are_what_the_generator_gives() -> None:
    committed = {
        str(path.relative_to(ROOT / "events"))
        for folder in SAMPLE_FOLDERS
        for path in (ROOT / "events" / folder).glob("*.json")
    }

    generated = samples.generate()

    expected = set(STREAM_SAMPLES) | BUS_SAMPLES
    assert committed == expected
    assert set(generated) == expected | {"catalogue.json"}
    for name, content in generated.items():
        assert load(name) == content, f"events/{name} is stale: run `make samples`"


def test_catalogue_names_every_detail_type_with_a_schema() -> None:
    entries = load("catalogue.json")["events"]

    assert load("catalogue.json") == catalogue(event_source())
    assert [entry["detail-type"] for entry in entries] == [
        "BookmarkCreated",
        "BookmarkUpdated",
        "BookmarkDeleted",
        # feature: contest
        "BookmarkShared",
        "ContestEntryRecorded",
        # end feature: contest
        # feature: workflow
        "BookmarkResubmitted",
        "ContestEntryWithdrawn",
        "ContestEntryDecided",
        # end feature: workflow
    ]
    for entry in entries:
        properties = entry["detail-schema"]["properties"]
        assert set(COMMON_DETAIL) <= set(properties)
        assert not {"url", "name", "email", "description"} & set(properties)


@pytest.mark.parametrize("name", sorted(STREAM_SAMPLES))
def test_stream_sample_publishes_its_events(name: str, bus: RecordingBus, publish: Invoke) -> None:
    answer = publish(load(name)["Records"])

    assert answer == {"batchItemFailures": []}
    assert [event["detail-type"] for event in bus.received()] == STREAM_SAMPLES[name]


# feature: contest
def test_bookmark_shared_sample_records_a_contest_entry(bookmarks_table: str, enter_contest: Invoke) -> None:
    event = load("contest_entry_function/bookmark_shared.json")
    owner = ApiClient(event["detail"]["owner"])
    with mock.patch.object(library, "new_bookmark_id", return_value=event["detail"]["bookmark_id"]):
        owner.create(shared=True)

    answer = enter_contest(event)

    assert answer == {"bookmark_id": event["detail"]["bookmark_id"], "recorded": True}
    assert contest.entries(owner.user) == 1


# end feature: contest
