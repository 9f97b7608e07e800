"""ContestEntryFunction on the BookmarkShared events the stream function really publishes: one entry per
shared bookmark, however often the event arrives."""

from collections.abc import Callable
from typing import Any

import pytest

from bookmarks import contest
from bookmarks.errors import UnreadableChange
from bookmarks.settings import settings
from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader
from tests.names import event_source

EnterContest = Callable[[dict[str, Any]], dict[str, Any]]


def shared_events(stream: StreamReader, bus: RecordingBus, publish: Invoke) -> list[dict[str, Any]]:
    publish(stream.new_records())
    return [event for event in bus.received() if event["detail-type"] == "BookmarkShared"]


def test_the_same_shared_event_delivered_twice_makes_one_entry_and_one_count(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke, enter_contest: EnterContest
) -> None:
    bookmark = alice.create(shared=True)["id"]
    (shared,) = shared_events(stream, bus, publish)

    first = enter_contest(shared)
    again = enter_contest(shared)

    assert first == {"bookmark_id": bookmark, "recorded": True}
    assert again == {"bookmark_id": bookmark, "recorded": False}
    assert contest.entries(alice.user) == 1
    assert alice.request("GET", f"/bookmarks/{bookmark}").body["contest_status"] == "entered"


def test_each_shared_bookmark_is_one_more_entry_of_its_owner(
    alice: ApiClient,
    bob: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: EnterContest,
) -> None:
    alice.create(shared=True)
    alice.create(shared=True)
    bob.create(shared=True)
    alice.create(shared=False)

    for event in shared_events(stream, bus, publish):
        enter_contest(event)

    assert (contest.entries(alice.user), contest.entries(bob.user)) == (2, 1)


def test_a_recorded_entry_publishes_contest_entry_recorded_and_later_changes_do_not(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke, enter_contest: EnterContest
) -> None:
    # One delivery only: moto 5.2.5 streams a cancelled transaction's writes and then loses the next
    # record, so the stream after a refused repeat is not what DynamoDB would deliver.
    bookmark = alice.create(shared=True)["id"]
    (shared,) = shared_events(stream, bus, publish)
    enter_contest(shared)
    # A later change (sharing again what is entered; with the workflow a rename would be a new version).
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": True})

    publish(stream.new_records())

    published = [(event["detail-type"], event["detail"]["contest_status"]) for event in bus.received()]
    assert published == [
        ("BookmarkUpdated", "entered"),
        ("ContestEntryRecorded", "entered"),
        ("BookmarkUpdated", "entered"),
    ]


def test_a_deleted_bookmark_is_not_entered(
    alice: ApiClient, stream: StreamReader, bus: RecordingBus, publish: Invoke, enter_contest: EnterContest
) -> None:
    bookmark = alice.create(shared=True)["id"]
    (shared,) = shared_events(stream, bus, publish)
    alice.request("DELETE", f"/bookmarks/{bookmark}")

    assert enter_contest(shared)["recorded"] is False
    assert contest.entries(alice.user) == 0


@pytest.mark.parametrize(
    ("detail_type", "detail"),
    [
        ("BookmarkCreated", {"bookmark_id": "x"}),
        ("BookmarkShared", {"bookmark_id": "x", "owner": "y"}),
        # Every field, but not the transition BookmarkShared stands for: the rule takes it, this refuses it.
        (
            "BookmarkShared",
            {
                "bookmark_id": "01KB2Z3Y4X5W6V7T8S9R0QPNMK",
                "owner": "y",
                "contest_status": "entered",
                "previous_status": "entering",
                "occurred_at": "2026-11-27T13:00:00Z",
                "change_id": "c",
            },
        ),
    ],
)
def test_an_event_that_is_not_a_shared_bookmark_raises_for_the_dead_letter_queue(
    bookmarks_table: str, enter_contest: EnterContest, detail_type: str, detail: dict[str, Any]
) -> None:
    with pytest.raises(UnreadableChange):
        enter_contest({"id": "1", "detail-type": detail_type, "source": event_source(), "detail": detail})


def test_the_contest_function_needs_only_the_table_name(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: EnterContest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice.create(shared=True)
    (shared,) = shared_events(stream, bus, publish)
    monkeypatch.delenv("BOOKMARKS_BUS_NAME")
    monkeypatch.delenv("ALLOWED_ORIGIN")
    settings.cache_clear()

    assert enter_contest(shared)["recorded"] is True
