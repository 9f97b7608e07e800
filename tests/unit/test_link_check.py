"""GET /bookmarks/check: the warning the web client shows before a link is saved twice, answered from the
owner's URL index (and, with the workflow, whether the team list holds it)."""

from tests.api_client import ApiClient

# feature: workflow
from tests.unit.test_team_and_moderators import publish

# end feature: workflow


def test_a_link_the_owner_saved_is_found_in_its_normalised_form(alice: ApiClient) -> None:
    saved = alice.create(url="https://Example.com/guide/", name="The guide")

    reply = alice.request("GET", "/bookmarks/check", query={"url": "https://example.com:443/guide#intro"})

    assert reply.status == 200
    assert reply.body["url"] == "https://example.com/guide"
    assert reply.body["mine"] == [{"id": saved["id"], "name": "The guide"}]
    assert reply.body["on_team_list"] is False


def test_another_users_link_is_not_reported_as_mine(alice: ApiClient, bob: ApiClient) -> None:
    bob.create(url="https://example.com/bobs-own", name="Bob's")

    reply = alice.request("GET", "/bookmarks/check", query={"url": "https://example.com/bobs-own"})

    assert reply.status == 200
    assert reply.body["mine"] == []


def test_a_missing_or_non_web_url_is_a_400_naming_the_url(alice: ApiClient) -> None:
    for query in ({}, {"url": ""}, {"url": "ftp://example.com/"}, {"url": "https://"}):
        reply = alice.request("GET", "/bookmarks/check", query=query)

        assert reply.status == 400, query
        assert [problem["field"] for problem in reply.body["errors"]] == ["url"], query


# feature: workflow
def test_a_link_published_by_someone_else_is_on_the_team_list(
    bookmarks_table: str, alice: ApiClient, bob: ApiClient
) -> None:
    shared = bob.create(url="https://example.com/team-pick", shared=True)
    asked = {"url": "https://EXAMPLE.com/team-pick/"}
    assert alice.request("GET", "/bookmarks/check", query=asked).body["on_team_list"] is False

    publish(bookmarks_table, bob, shared["id"], "2026-01-01T00:00:00.000Z")

    reply = alice.request("GET", "/bookmarks/check", query=asked)
    assert reply.body == {"url": "https://example.com/team-pick", "mine": [], "on_team_list": True}


# end feature: workflow
