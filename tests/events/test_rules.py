"""The rules on the app's bus, judged by moto's own event-pattern matcher: what each lets through and
what it must not (an unshared bookmark, one already entered, other sources, other detail-types)."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader, matches, translated
from tests.names import event_source, resolved

# feature: contest
SHARED_RULE = "ContestEntryFunctionBookmarkSharedRule"
# end feature: contest
# feature: workflow
WORKFLOW_RULE = "PublishBookmarkStateMachineContestEntryRecordedRule"  # SAM prefixes the state machine's name
DELETED_IN_REVIEW_RULE = "PublishBookmarkStateMachineReviewedBookmarkDeletedRule"
# end feature: workflow


def rules() -> dict[str, dict[str, Any]]:
    """Every AWS::Events::Rule of the translated template (SAM's EventBridgeRule events included), its
    pattern resolved (the source is the template's AppName)."""
    return {
        logical_id: resource["Properties"]
        | {"EventPattern": resolved(resource["Properties"]["EventPattern"])}
        for logical_id, resource in translated()["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule"
    }


def event(detail_type: str, status: str, previous: str = "none", source: str = "") -> dict[str, Any]:
    """A domain event as EventBridge delivers it, from the app's own source unless ``source`` is given."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": source or event_source(),
        "account": "123456789012",
        "time": "2026-11-27T13:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "bookmark_id": "01KB2Z3Y4X5W6V7T8S9R0QPNMK",
            "owner": "1f2e3d4c-0000-4000-8000-00000000a11c",
            "contest_status": status,
            "previous_status": previous,
            "occurred_at": "2026-11-27T13:00:00Z",
            "change_id": "4b2f0c3a9d8e4f6b8a1c2d3e4f5a6b7c",
        },
    }


EXPECTATIONS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    # feature: contest
    SHARED_RULE: (
        [
            event("BookmarkShared", "entering"),
            # Malformed, but taken: the function fails it into the dead-letter queue, never drops it.
            event("BookmarkShared", "entered", "entering"),
        ],
        [
            event("BookmarkCreated", "none"),  # an unshared bookmark
            event("BookmarkUpdated", "entered", "entering"),
            event("ContestEntryRecorded", "entered", "entering"),
            event("BookmarkShared", "entering", source=f"{event_source()}.elsewhere"),
            event("BookmarkShared", "entering", source="aws.events"),
        ],
    ),
    # end feature: contest
    # feature: workflow
    WORKFLOW_RULE: (
        [
            event("ContestEntryRecorded", "entered", "entering"),
            event("BookmarkResubmitted", "resubmitted", "rejected"),
            event("ContestEntryWithdrawn", "withdrawn", "approved"),
        ],
        [
            event("BookmarkShared", "entering"),
            event("BookmarkUpdated", "entered", "entering"),
            event("ContestEntryDecided", "approved", "entered"),
            event("ContestEntryRecorded", "entered", "entering", source="somebody.else"),
        ],
    ),
    DELETED_IN_REVIEW_RULE: (
        [
            event("BookmarkDeleted", "entered", "entered"),
            event("BookmarkDeleted", "resubmitted", "resubmitted"),
        ],
        [
            event("BookmarkDeleted", "none", "none"),  # private: no review to end
            event("BookmarkDeleted", "approved", "approved"),
            event("BookmarkDeleted", "withdrawn", "withdrawn"),
            event("BookmarkUpdated", "entered", "entered"),
            event("BookmarkDeleted", "entered", "entered", source="somebody.else"),
        ],
    ),
    # end feature: workflow
}


def test_every_rule_of_the_template_has_expectations_and_listens_to_the_apps_bus_only() -> None:
    assert set(rules()) == set(EXPECTATIONS)
    for properties in rules().values():
        assert properties["EventBusName"] == {"Ref": "BookmarksBus"}
        assert properties["EventPattern"]["source"] == [event_source()]


@pytest.mark.parametrize("rule", sorted(rules()))
def test_rule_matches_what_it_should_and_nothing_else(rule: str) -> None:
    pattern = rules()[rule]["EventPattern"]
    should, should_not = EXPECTATIONS[rule]

    assert [matches(pattern, candidate) for candidate in should] == [True] * len(should)
    assert [matches(pattern, candidate) for candidate in should_not] == [False] * len(should_not)


# feature: workflow
def test_a_bookmarks_whole_life_enters_the_contest_once_and_starts_the_workflow_for_each_submission(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    enter_contest: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    bookmark = alice.create()["id"]
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": True})
    publish(stream.new_records())
    published = bus.received()
    for shared in (e for e in published if matches(rules()[SHARED_RULE]["EventPattern"], e)):
        enter_contest(shared)
    alice.request("PUT", f"/bookmarks/{bookmark}", {"name": "Renamed"})
    alice.request("PUT", f"/bookmarks/{bookmark}", {"shared": False})
    alice.request("DELETE", f"/bookmarks/{bookmark}")
    publish(stream.new_records())
    published += bus.received()

    routed = {
        rule: [e["detail-type"] for e in published if matches(properties["EventPattern"], e)]
        for rule, properties in rules().items()
    }

    # The rename in review is a new version (BookmarkResubmitted): reviewed again, never counted again.
    assert len(published) == 10
    assert routed == {
        SHARED_RULE: ["BookmarkShared"],
        WORKFLOW_RULE: ["ContestEntryRecorded", "BookmarkResubmitted", "ContestEntryWithdrawn"],
        DELETED_IN_REVIEW_RULE: [],  # deleted once withdrawn: its review had ended already
    }


# end feature: workflow
