"""DynamoDB items read per request as the table grows: the app's access patterns next to the Scan-based
listing of the course lab. One user's bookmarks stay the same; everyone else's grow."""

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws

from bookmarks import contest, layout
from bookmarks.aws import dynamodb
from bookmarks.clock import now_iso
from bookmarks.events import BookmarkShared
from bookmarks.ids import new_bookmark_id
from bookmarks.items import stored_form
from bookmarks.models import Bookmark, ContestStatus
from bookmarks.settings import settings
from tests.api_client import ApiClient
from tests.harness import ROOT, create_table, resource
from tests.names import contest_environment
from tests.reads import ItemsRead, count_reads

MEASURED_USER = "0a11ce00-0000-4000-8000-0000000000aa"
MEASURED_USERS_BOOKMARKS = 50
USERS = 1000
# feature: workflow
WORKFLOW = ROOT / "statemachine" / "publish_bookmark.asl.json"
# end feature: workflow


@contextmanager
def seeded_table(total_items: int) -> Iterator[str]:
    """A moto table holding ``total_items`` bookmarks over USERS users, the measured user's fixed."""
    name = "bench-bookmarks"
    environment = {"BOOKMARKS_TABLE_NAME": name, "ALLOWED_ORIGIN": "*", **contest_environment()}
    with mock.patch.dict(os.environ, environment), mock_aws():
        dynamodb.cache_clear()
        settings.cache_clear()
        create_table(boto3.client("dynamodb"), name, resource("BookmarksTable")["Properties"])
        owners = [MEASURED_USER] * MEASURED_USERS_BOOKMARKS + [
            f"user-{n % (USERS - 1):04d}" for n in range(total_items - MEASURED_USERS_BOOKMARKS)
        ]
        items = [stored_form(owner, _bookmark(index)) for index, owner in enumerate(owners)]
        for start in range(0, len(items), 25):  # BatchWriteItem's most
            batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            boto3.client("dynamodb").batch_write_item(RequestItems={name: batch})  # type: ignore[dict-item]  # items are plain dicts of attribute values
        yield name
        dynamodb.cache_clear()
        settings.cache_clear()


def _bookmark(index: int) -> Bookmark:
    now = now_iso()
    return Bookmark(
        id=new_bookmark_id(),
        url=f"https://example.com/page/{index}",
        name=f"Page {index}",
        description=None,
        shared=False,
        contest_status=ContestStatus.NONE,
        created_at=now,
        updated_at=now,
    )


def lab_style_list(table_name: str, owner: str) -> None:
    """How the course lab lists a user's bookmarks: Scan the table, filter by owner."""
    for _ in (
        dynamodb()
        .get_paginator("scan")
        .paginate(
            TableName=table_name,
            FilterExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": {"S": owner}},
        )
    ):
        pass


# feature: workflow
def duplicate_check(table_name: str, owner: str, loaded: dict[str, Any]) -> None:
    """The publishing workflow's duplicate check, its Query read from the state machine's definition and its
    substitutions (the first page, as its FindDuplicates step asks for it); ``loaded`` is the item the
    workflow loaded."""
    step = json.loads(WORKFLOW.read_text())["States"]["FindDuplicates"]
    parameters = json.dumps(step["Parameters"])
    for name, value in {"BookmarksTableName": table_name, **layout.workflow_substitutions()}.items():
        parameters = parameters.replace(f"${{{name}}}", value)
    request = json.loads(parameters)

    def value_at(path: str) -> str:
        if path == "$.owner":
            return owner
        attribute = path.removeprefix("$.loaded.Item.").removesuffix(".S")
        return str(loaded[attribute]["S"])

    request["ExpressionAttributeValues"] = {
        name: {"S": value_at(value["S.$"])} if "S.$" in value else value
        for name, value in request["ExpressionAttributeValues"].items()
    }
    dynamodb().query(**request)


# end feature: workflow


# feature: contest
def contest_entry(owner: str, bookmark_id: str) -> None:
    """What the contest function does with a BookmarkShared event."""
    shared = BookmarkShared(
        bookmark_id=bookmark_id,
        owner=owner,
        contest_status=ContestStatus.ENTERING,
        previous_status=ContestStatus.NONE,
        occurred_at="2026-01-01T00:00:00Z",
        change_id="bench",
    )
    if not contest.record_entry(shared):
        raise AssertionError("the shared bookmark was not entering the contest")


# end feature: contest


def requests(client: ApiClient, table_name: str) -> dict[str, Callable[[], Any]]:
    """The requests measured: each name to a call that makes it once."""
    listed = client.request("GET", "/bookmarks").body
    made: dict[str, str] = {}
    shared = client.request(
        "POST", "/bookmarks", {"url": "https://shared.example/", "shared": True, "name": "S"}
    )
    # feature: workflow
    # What the workflow's first step loads: the stored form of the shared bookmark.
    loaded = stored_form(MEASURED_USER, Bookmark.model_validate(shared.body))
    # end feature: workflow

    def create() -> None:
        made["id"] = client.request("POST", "/bookmarks", {"url": "https://a.example", "name": "A"}).body[
            "id"
        ]

    return {
        "list (first page of 20)": lambda: client.request("GET", "/bookmarks"),
        "list (next page)": lambda: client.request(
            "GET", "/bookmarks", query={"cursor": listed["next_cursor"]}
        ),
        "get": lambda: client.request("GET", f"/bookmarks/{shared.body['id']}"),
        "create": create,
        "update": lambda: client.request("PUT", f"/bookmarks/{made['id']}", {"name": "B"}),
        "delete": lambda: client.request("DELETE", f"/bookmarks/{made['id']}"),
        # feature: workflow
        "duplicate check (workflow)": lambda: duplicate_check(table_name, MEASURED_USER, loaded),
        # end feature: workflow
        # feature: contest
        "contest entry": lambda: contest_entry(MEASURED_USER, shared.body["id"]),
        # end feature: contest
        "lab: Scan-based list": lambda: lab_style_list(table_name, MEASURED_USER),
    }


def items_read_per_request(total_items: int) -> dict[str, int]:
    with seeded_table(total_items) as table_name:
        client = ApiClient(MEASURED_USER)
        measured = requests(client, table_name)
        counter: ItemsRead = count_reads(dynamodb())
        results = {}
        for name, call in measured.items():
            counter.reset()
            call()
            results[name] = counter.total
        return results


if __name__ == "__main__":
    print(json.dumps(items_read_per_request(2000), indent=2))
