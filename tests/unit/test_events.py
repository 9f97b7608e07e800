"""The sample events in events/ are what `sam local invoke -e` feeds the functions: each must be a valid
REST proxy event for a route of the template, and do what its name says."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ROOT, find_route, functions, invoke

EVENTS = sorted((ROOT / "events").glob("*/*.json"))
EXPECTED_STATUS = {
    "get_bookmarks_function/list.json": 200,
    "get_bookmarks_function/get.json": 404,  # its id names no stored bookmark
    "store_bookmark_function/create.json": 201,
    "store_bookmark_function/create_shared.json": 201,
    "store_bookmark_function/create_invalid.json": 400,
    "store_bookmark_function/update.json": 404,
    "store_bookmark_function/share.json": 404,
    "store_bookmark_function/delete.json": 404,
    # feature: workflow
    "get_bookmarks_function/team.json": 200,
    "review_bookmark_function/list.json": 200,
    "review_bookmark_function/list_not_moderator.json": 403,
    "review_bookmark_function/approve.json": 404,  # no review waits for its id
    "review_bookmark_function/reject.json": 404,
    # end feature: workflow
}


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text())
    return event


def test_every_api_event_has_an_expectation() -> None:
    api_events = {str(path.relative_to(ROOT / "events")) for path in EVENTS if "httpMethod" in load(path)}

    assert api_events == set(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_sample_event_reaches_its_function_and_answers(bookmarks_table: str, name: str) -> None:
    event = load(ROOT / "events" / name)
    found = find_route(event["httpMethod"], event["path"])
    assert found is not None
    route, path_parameters = found

    reply = invoke(route, event)

    assert route.resource_folder() == name.split("/")[0]
    assert path_parameters == (event["pathParameters"] or {})
    assert event["requestContext"]["authorizer"]["claims"]["sub"]
    assert reply.status == EXPECTED_STATUS[name], reply.body


def test_every_function_folder_is_its_logical_id_in_snake_case() -> None:
    for logical_id, function in functions().items():
        folder = Path(function["Properties"]["CodeUri"]).name
        assert folder == "".join(f"_{c.lower()}" if c.isupper() else c for c in logical_id).lstrip("_")
