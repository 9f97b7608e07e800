"""The team list (published bookmarks of everyone, paged by an owner-free cursor) and who counts as a
moderator, through the handlers on the in-memory AWS."""

import base64
import json

import boto3
import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from bookmarks.api import require_moderator
from bookmarks.errors import NotAModerator
from tests.api_client import ApiClient, claims_for


def publish(table: str, user: ApiClient, bookmark_id: str, at: str) -> None:
    """What the workflow's Publish step writes on approval."""
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"OWNER#{user.user}"}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}},
        UpdateExpression="SET contest_status = :approved, published_at = :at, team_partition = :team, "
        "team_sort = :position",
        ExpressionAttributeValues={
            ":approved": {"S": "approved"},
            ":at": {"S": at},
            ":team": {"S": "TEAM"},
            ":position": {"S": f"{at}#{bookmark_id}"},
        },
    )


def test_team_list_pages_newest_first_with_an_owner_free_cursor(
    bookmarks_table: str, alice: ApiClient, bob: ApiClient
) -> None:
    alice.name = "Alice from support"
    ids = []
    for n, user in enumerate([alice, bob, alice]):
        created = user.create(url=f"https://example.com/{n}", shared=True)
        publish(bookmarks_table, user, created["id"], f"2026-01-0{n + 1}T00:00:00.000Z")
        ids.append(created["id"])
    alice.create(url="https://example.com/private")

    first = bob.request("GET", "/team/bookmarks", query={"limit": "2"})
    second = bob.request("GET", "/team/bookmarks", query={"limit": "2", "cursor": first.body["next_cursor"]})

    assert [item["id"] for item in first.body["items"]] == [ids[2], ids[1]]
    assert [item["id"] for item in second.body["items"]] == [ids[0]]
    assert second.body["next_cursor"] is None
    cursor = first.body["next_cursor"]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert alice.user not in decoded
    assert bob.user not in decoded
    assert all(item["contest_status"] == "approved" for item in first.body["items"])
    # The display name each chose (bob chose none), never an email.
    assert [(item["shared_by"], item["published_at"]) for item in first.body["items"]] == [
        ("Alice from support", "2026-01-03T00:00:00.000Z"),
        (None, "2026-01-02T00:00:00.000Z"),
    ]
    assert "@" not in json.dumps(first.body) + json.dumps(second.body)


@pytest.mark.parametrize("cursor", ["nonsense", "eyJ2IjoxLCJ0ZWFtX2FmdGVyIjoiYSJ9"])
def test_team_list_refuses_a_cursor_it_did_not_give_out(
    bookmarks_table: str, bob: ApiClient, cursor: str
) -> None:
    reply = bob.request("GET", "/team/bookmarks", query={"cursor": cursor})

    assert reply.status == 400
    assert reply.body["errors"] == [{"field": "cursor", "problem": "is not valid"}]


def test_an_owners_listing_cursor_does_not_page_the_team_list(bookmarks_table: str, alice: ApiClient) -> None:
    for n in range(2):
        alice.create(url=f"https://example.com/{n}")
    own_cursor = alice.request("GET", "/bookmarks", query={"limit": "1"}).body["next_cursor"]

    reply = alice.request("GET", "/team/bookmarks", query={"cursor": own_cursor})

    assert reply.status == 400


def test_unsharing_takes_a_bookmark_off_the_team_list(
    bookmarks_table: str, alice: ApiClient, bob: ApiClient
) -> None:
    created = alice.create(shared=True)
    publish(bookmarks_table, alice, created["id"], "2026-01-01T00:00:00.000Z")
    assert [item["id"] for item in bob.request("GET", "/team/bookmarks").body["items"]] == [created["id"]]

    alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": False})

    assert bob.request("GET", "/team/bookmarks").body["items"] == []


def resolver_for(claims: dict[str, object]) -> APIGatewayRestResolver:
    """A resolver in the middle of a request whose verified token carried ``claims``."""
    app = APIGatewayRestResolver()
    app.current_event = APIGatewayProxyEvent({"requestContext": {"authorizer": {"claims": claims}}})
    return app


@pytest.mark.parametrize(
    "groups", ["moderators", "[moderators]", "[editors moderators]", "editors,moderators", ["moderators"]]
)
def test_moderators_are_recognised_however_the_authorizer_flattens_groups(groups: object) -> None:
    app = resolver_for({**claims_for("m"), "cognito:groups": groups})

    assert require_moderator(app) == "m"


@pytest.mark.parametrize("groups", [None, "", "[]", "[moderatorsx]", "not-moderators", ["editors"]])
def test_everyone_else_is_not_a_moderator(groups: object) -> None:
    claims: dict[str, object] = dict(claims_for("u"))
    if groups is not None:
        claims["cognito:groups"] = groups

    with pytest.raises(NotAModerator):
        require_moderator(resolver_for(claims))


def test_review_decision_body_is_checked_by_the_function_too(bookmarks_table: str) -> None:
    moderator = ApiClient("m", groups="[moderators]")

    reply = moderator.request(
        "POST", "/reviews/01KB2Z3Y4X5W6V7T8S9R0QPNMK", raw_body=json.dumps({"decision": "maybe"})
    )

    assert reply.status == 400
    assert [problem["field"] for problem in reply.body["errors"]] == ["decision"]
