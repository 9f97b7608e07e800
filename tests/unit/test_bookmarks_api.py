"""The bookmarks API through its handlers, as API Gateway calls them: every route, owner isolation,
validation, paging and idempotency."""

import base64
import json
from typing import Any

import boto3
import pytest

from bookmarks.models import MAX_BODY_BYTES
from bookmarks.urls import url_key
from tests.api_client import ApiClient, claims_for
from tests.harness import LambdaContext, find_route, handler, invoke, proxy_event

MISSING_ID = "01KB2Z3Y4X5W6V7T8S9R0QPNMK"


def stored_items(table: str) -> list[dict[str, Any]]:
    # A test may scan: it checks what the whole table holds after a request.
    return boto3.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]


def test_created_bookmark_is_returned_with_its_location(alice: ApiClient) -> None:
    reply = alice.request(
        "POST", "/bookmarks", {"url": "https://example.com/x", "name": "X", "description": "d"}
    )

    assert reply.status == 201
    assert reply.headers["Location"] == f"/bookmarks/{reply.body['id']}"
    assert reply.body | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "url": "https://example.com/x",
        "name": "X",
        "description": "d",
        "shared": False,
        "contest_status": "none",
        "decision_reason": None,
        "created_at": None,
        "updated_at": None,
    }
    assert reply.body["created_at"] == reply.body["updated_at"]


def test_created_bookmark_can_be_read_back(alice: ApiClient) -> None:
    created = alice.create(url="https://example.com/read")

    reply = alice.request("GET", f"/bookmarks/{created['id']}")

    assert reply.status == 200
    assert reply.body == created


def test_update_changes_only_the_given_fields(alice: ApiClient) -> None:
    created = alice.create(description="old")

    reply = alice.request("PUT", f"/bookmarks/{created['id']}", {"name": "Renamed"})

    assert reply.status == 200
    assert reply.body["name"] == "Renamed"
    assert reply.body["description"] == "old"
    assert reply.body["updated_at"] >= created["updated_at"]
    assert alice.request("GET", f"/bookmarks/{created['id']}").body == reply.body


def test_null_description_clears_it(alice: ApiClient) -> None:
    created = alice.create(description="old")

    reply = alice.request("PUT", f"/bookmarks/{created['id']}", {"description": None})

    assert reply.status == 200
    assert reply.body["description"] is None


def test_deleted_bookmark_is_gone(alice: ApiClient) -> None:
    created = alice.create()

    assert alice.request("DELETE", f"/bookmarks/{created['id']}").status == 204
    assert alice.request("GET", f"/bookmarks/{created['id']}").status == 404
    assert alice.request("DELETE", f"/bookmarks/{created['id']}").status == 404


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PUT", {"name": "Mine now"}), ("PUT", {"shared": True}), ("DELETE", None)],
)
def test_other_users_bookmark_is_not_found_and_unchanged(
    alice: ApiClient, bob: ApiClient, bookmarks_table: str, method: str, body: Any
) -> None:
    created = alice.create()
    before = stored_items(bookmarks_table)

    reply = bob.request(method, f"/bookmarks/{created['id']}", body)

    assert reply.status == 404
    assert reply.body == {"message": "No bookmark with that id.", "errors": None}
    assert stored_items(bookmarks_table) == before


@pytest.mark.parametrize("bookmark_id", [MISSING_ID, "not-an-id", "..%2F..%2Fetc"])
def test_unknown_or_malformed_ids_are_not_found(alice: ApiClient, bookmark_id: str) -> None:
    for method, body in [("GET", None), ("PUT", {"name": "x"}), ("DELETE", None)]:
        assert alice.request(method, f"/bookmarks/{bookmark_id}", body).status == 404


def test_listing_returns_only_the_callers_bookmarks_newest_first_across_pages(
    alice: ApiClient, bob: ApiClient
) -> None:
    mine = [alice.create(name=f"mine {n}")["id"] for n in range(25)]
    bob.create(name="not alice's")

    seen: list[str] = []
    cursor = None
    for _ in range(10):  # bounded: 25 items in pages of 10 take 3 pages
        query = {"limit": "10"} | ({"cursor": cursor} if cursor else {})
        reply = alice.request("GET", "/bookmarks", query=query)
        assert reply.status == 200
        assert len(reply.body["items"]) <= 10
        seen += [item["id"] for item in reply.body["items"]]
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(mine, reverse=True)
    assert sorted(seen) == sorted(mine)


def test_listing_defaults_to_twenty_and_ends_without_a_cursor(alice: ApiClient) -> None:
    for _ in range(21):
        alice.create()

    first = alice.request("GET", "/bookmarks").body
    second = alice.request("GET", "/bookmarks", query={"cursor": first["next_cursor"]}).body

    assert len(first["items"]) == 20
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_another_users_cursor_reads_only_the_callers_own_bookmarks(alice: ApiClient, bob: ApiClient) -> None:
    for _ in range(3):
        alice.create()
    bobs = [bob.create()["id"] for _ in range(3)]
    alices_cursor = alice.request("GET", "/bookmarks", query={"limit": "1"}).body["next_cursor"]

    reply = bob.request("GET", "/bookmarks", query={"cursor": alices_cursor})

    assert reply.status == 200
    assert {item["id"] for item in reply.body["items"]} <= set(bobs)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJ2IjoxLCJhZnRlciI6IngifQ",
        "eyJhZnRlciI6IjAxS0IyWjNZNFg1VzZWN1Q4UzlSMFFQTk1LIn0",
        "%%%",
        "0",
        # The cursor paging writes, spelt another way: `true` for the version, a space, padding.
        "eyJ2Ijp0cnVlLCJhZnRlciI6IjAxS0IyWjNZNFg1VzZWN1Q4UzlSMFFQTk1LIn0",
        "eyJ2IjogMSwiYWZ0ZXIiOiIwMUtCMlozWTRYNVc2VjdUOFM5UjBRUE5NSyJ9",
        "eyJ2IjoxLCJhZnRlciI6IjAxS0IyWjNZNFg1VzZWN1Q4UzlSMFFQTk1LIn0=",
    ],
)
def test_tampered_cursor_is_a_bad_request(alice: ApiClient, cursor: str) -> None:
    reply = alice.request("GET", "/bookmarks", query={"cursor": cursor})

    assert reply.status == 400
    assert reply.body["errors"] == [{"field": "cursor", "problem": "is not valid"}]


def test_an_empty_cursor_reads_the_first_page(alice: ApiClient) -> None:
    first = alice.create()

    reply = alice.request("GET", "/bookmarks", query={"cursor": ""})

    assert reply.status == 200
    assert reply.body["items"][0]["id"] == first["id"]


# "²" and "٣" are digits to str.isdigit: the first made int() fail (a 502), the second read as 3.
@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", "²", "٣"])
def test_limit_out_of_range_is_a_bad_request(alice: ApiClient, limit: str) -> None:
    reply = alice.request("GET", "/bookmarks", query={"limit": limit})

    assert reply.status == 400
    assert reply.body["errors"][0]["field"] == "limit"


VALID = {"url": "https://example.com/page", "name": "A page"}


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"name": "No URL"}, "url", "Field required"),
        ({"url": "https://example.com"}, "name", "Field required"),
        (VALID | {"url": "https://example.com/" + "a" * 2048}, "url", "at most 2048"),
        (VALID | {"name": "n" * 201}, "name", "at most 200"),
        (VALID | {"name": ""}, "name", "at least 1"),
        (VALID | {"name": "   "}, "name", "match pattern"),
        (VALID | {"description": "d" * 2001}, "description", "at most 2000"),
        (VALID | {"shared": "yes"}, "shared", "valid boolean"),
        (VALID | {"name": 42}, "name", "valid string"),
        (VALID | {"url": "javascript:alert(1)"}, "url", "match pattern"),
        (VALID | {"url": "ftp://example.com/file"}, "url", "match pattern"),
        (VALID | {"url": "https://"}, "url", "match pattern"),
        (VALID | {"url": "https://exa mple.com"}, "url", "match pattern"),
        (VALID | {"url": "https://example.com:99999/"}, "url", "not a well-formed URL"),
        (VALID | {"colour": "red"}, "colour", "is not a field of this request"),
        (VALID | {"owner": "someone-else"}, "owner", "is not a field of this request"),
        (VALID | {"id": "01KB2Z3Y4X5W6V7T8S9R0QPNMK"}, "id", "is not a field of this request"),
    ],
)
def test_invalid_new_bookmark_is_rejected_naming_the_field(
    alice: ApiClient, bookmarks_table: str, body: dict[str, Any], field: str, problem: str
) -> None:
    reply = alice.request("POST", "/bookmarks", body)

    assert reply.status == 400
    assert reply.body["message"].startswith("The request body is invalid")
    assert [error["field"] for error in reply.body["errors"]] == [field]
    assert problem in reply.body["errors"][0]["problem"]
    assert stored_items(bookmarks_table) == []


@pytest.mark.parametrize("raw_body", [None, "", "not json", "[1, 2]", '{"url": ', "null"])
def test_body_that_is_not_a_json_object_is_rejected(alice: ApiClient, raw_body: str | None) -> None:
    reply = alice.request("POST", "/bookmarks", raw_body=raw_body)

    assert reply.status == 400
    assert reply.body["errors"]


def test_body_larger_than_any_valid_request_is_refused_unread(alice: ApiClient, bookmarks_table: str) -> None:
    body = json.dumps(VALID)
    reply = alice.request("POST", "/bookmarks", raw_body=body + " " * (MAX_BODY_BYTES + 1 - len(body)))

    assert reply.status == 413
    assert f"over {MAX_BODY_BYTES} bytes" in reply.body["message"]
    assert stored_items(bookmarks_table) == []


# Every field at its limit in characters beyond the BMP, which a client escaping non-ASCII (Python's
# json.dumps by default) sends as two \uXXXX escapes each, pretty-printed with every key escaped too.
def test_largest_valid_body_spelt_the_longest_way_is_accepted(alice: ApiClient) -> None:
    widest = {
        "url": "https://example.com/" + "\U0001f600" * 1014,
        "name": "\U0001f600" * 100,
        "description": "\u2603" * 2000,
        "shared": False,
    }
    body = json.dumps(widest, indent=8)
    for key in widest:
        body = body.replace(f'"{key}"', '"' + "".join(f"\\u{ord(char):04x}" for char in key) + '"')

    assert len(body.encode()) <= MAX_BODY_BYTES
    assert alice.request("POST", "/bookmarks", raw_body=body).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"name": None}, "name"),
        ({"url": None}, "url"),
        ({"owner": "x"}, "owner"),
        ({"shared": 1}, "shared"),
    ],
)
def test_invalid_patch_is_rejected_and_changes_nothing(
    alice: ApiClient, bookmarks_table: str, body: dict[str, Any], field: str
) -> None:
    created = alice.create()
    before = stored_items(bookmarks_table)

    reply = alice.request("PUT", f"/bookmarks/{created['id']}", body)

    assert reply.status == 400
    assert [error["field"] for error in reply.body["errors"]] == [field]
    assert stored_items(bookmarks_table) == before


def test_same_idempotency_key_twice_creates_one_bookmark_with_the_same_answer(
    alice: ApiClient, bookmarks_table: str
) -> None:
    headers = {"Idempotency-Key": "retry-me-1"}
    first = alice.request("POST", "/bookmarks", VALID, headers=headers)
    second = alice.request("POST", "/bookmarks", VALID, headers=headers)

    assert first.status == second.status == 201
    assert second.body == first.body
    assert second.headers["Location"] == first.headers["Location"]
    assert len(alice.request("GET", "/bookmarks").body["items"]) == 1


def test_idempotency_key_reused_with_another_body_conflicts_and_writes_nothing(
    alice: ApiClient, bookmarks_table: str
) -> None:
    headers = {"Idempotency-Key": "retry-me-2"}
    alice.request("POST", "/bookmarks", VALID, headers=headers)
    before = stored_items(bookmarks_table)

    reply = alice.request("POST", "/bookmarks", VALID | {"name": "Another"}, headers=headers)

    assert reply.status == 409
    assert "Idempotency-Key" in reply.body["message"]
    assert stored_items(bookmarks_table) == before


def test_idempotency_keys_are_per_user(alice: ApiClient, bob: ApiClient) -> None:
    headers = {"Idempotency-Key": "same-key"}
    alices = alice.request("POST", "/bookmarks", VALID, headers=headers).body
    bobs = bob.request("POST", "/bookmarks", VALID, headers=headers).body

    assert bobs["id"] != alices["id"]
    assert bob.request("GET", f"/bookmarks/{alices['id']}").status == 404


def test_malformed_idempotency_key_is_a_bad_request(alice: ApiClient, bookmarks_table: str) -> None:
    reply = alice.request("POST", "/bookmarks", VALID, headers={"Idempotency-Key": "x" * 129})

    assert reply.status == 400
    assert reply.body["errors"][0]["field"] == "Idempotency-Key"
    assert stored_items(bookmarks_table) == []


# feature: contest
def test_sharing_enters_the_contest_once(alice: ApiClient) -> None:
    created = alice.create()
    assert created["contest_status"] == "none"

    shared = alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": True}).body
    unshared = alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": False}).body
    shared_again = alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": True}).body

    assert (shared["shared"], shared["contest_status"]) == (True, "entering")
    assert (unshared["shared"], unshared["contest_status"]) == (False, "entering")
    assert shared_again["contest_status"] == "entering"


# end feature: contest


# feature: contest
def test_bookmark_created_shared_is_entering_the_contest(alice: ApiClient) -> None:
    assert alice.create(shared=True)["contest_status"] == "entering"


def test_shared_bookmark_keeps_its_submitted_url(alice: ApiClient) -> None:
    created = alice.create(shared=True)

    reply = alice.request("PUT", f"/bookmarks/{created['id']}", {"url": "https://example.com/swapped"})

    assert reply.status == 409
    assert alice.request("GET", f"/bookmarks/{created['id']}").body["url"] == created["url"]


# end feature: contest


# feature: workflow
def test_url_and_share_in_one_update_submit_the_new_url(alice: ApiClient, bookmarks_table: str) -> None:
    created = alice.create()

    reply = alice.request(
        "PUT", f"/bookmarks/{created['id']}", {"url": "HTTPS://Example.com/New/", "shared": True}
    )

    assert reply.status == 200
    item = next(item for item in stored_items(bookmarks_table) if item["sk"]["S"].endswith(created["id"]))
    assert item["shared_url_key"]["S"] == url_key("https://example.com/New")


# end feature: workflow


def test_every_answer_carries_the_allowed_origin(alice: ApiClient) -> None:
    for reply in [
        alice.request("POST", "/bookmarks", VALID),
        alice.request("GET", "/bookmarks"),
        alice.request("GET", f"/bookmarks/{MISSING_ID}"),
        alice.request("POST", "/bookmarks", {}),
    ]:
        assert reply.headers["Access-Control-Allow-Origin"] == "https://bookmarks.example.com"


def test_request_without_verified_claims_is_unauthenticated(bookmarks_table: str) -> None:
    reply = ApiClient("").request("GET", "/bookmarks")

    assert reply.status == 401


# Hostile input (issue 15): each of these was accepted, or answered outside the error shape.
@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        (VALID | {"url": "https://user:secret@example.com/"}, "url", "user name or password"),
        (VALID | {"url": "https://example.com/@user"}, "", ""),
        (VALID | {"url": "https://example.com\u0000.evil.com/"}, "url", "match pattern"),
        (VALID | {"url": "https://example.com\\@evil.com/"}, "url", "match pattern"),
        (VALID | {"url": "https://example.com/a\u202eb"}, "url", "match pattern"),
        (VALID | {"url": "https://example.com/\n"}, "url", "match pattern"),
        (VALID | {"name": "\u200b\u200c\u200d"}, "name", "match pattern"),
        (VALID | {"name": "\u3164\u2800\u00a0"}, "name", "match pattern"),
        (VALID | {"name": "nul\u0000name"}, "name", "match pattern"),
        (VALID | {"name": "\u001b[31mred\u001b[0m"}, "name", "match pattern"),
        (VALID | {"name": "a name\n"}, "name", "match pattern"),
        (VALID | {"description": "bell\u0007"}, "description", "match pattern"),
        (VALID | {"description": "next line\u0085"}, "description", "match pattern"),
    ],
    ids=[
        "credentials",
        "at-in-path-is-fine",
        "nul-in-host",
        "backslash",
        "bidi-override",
        "trailing-newline",
        "zero-width-name",
        "filler-name",
        "nul-name",
        "ansi-name",
        "newline-name",
        "bell-description",
        "nel-description",
    ],
)
def test_hostile_text_is_refused_naming_the_field(
    alice: ApiClient, bookmarks_table: str, body: dict[str, Any], field: str, problem: str
) -> None:
    reply = alice.request("POST", "/bookmarks", body)

    if not field:
        assert reply.status == 201, reply.body
        return
    assert reply.status == 400
    assert [error["field"] for error in reply.body["errors"]] == [field]
    assert problem in reply.body["errors"][0]["problem"]
    assert stored_items(bookmarks_table) == []


def test_text_with_line_breaks_joiners_and_other_scripts_is_kept(alice: ApiClient) -> None:
    body = {
        "url": "https://例え.jp/パス?q=ü#frag",
        # An emoji family (zero-width joiners) and Persian "I want" (a zero-width non-joiner).
        "name": "\u00a0Family \U0001f468\u200d\U0001f469\u200d\U0001f467 "
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        "description": "line one\r\n\tline two\n",
    }

    reply = alice.request("POST", "/bookmarks", body)

    assert reply.status == 201, reply.body
    assert {key: reply.body[key] for key in body} == body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/json"])
def test_a_body_that_is_not_sent_as_json_is_unsupported(
    alice: ApiClient, bookmarks_table: str, content_type: str
) -> None:
    reply = alice.request("POST", "/bookmarks", VALID, headers={"Content-Type": content_type})

    assert reply.status == 415
    assert reply.body["message"].startswith("Send the body as JSON")
    assert reply.headers["Access-Control-Allow-Origin"] == "https://bookmarks.example.com"
    assert stored_items(bookmarks_table) == []


def test_json_with_a_charset_is_json(alice: ApiClient) -> None:
    reply = alice.request(
        "POST", "/bookmarks", VALID, headers={"content-type": "Application/JSON; charset=utf-8"}
    )

    assert reply.status == 201


def base64_event(body: bytes, user: str = "alice") -> dict[str, Any]:
    found = find_route("POST", "/bookmarks")
    assert found is not None
    event = proxy_event(
        found[0],
        "/bookmarks",
        {},
        claims=claims_for(user),
        body=base64.b64encode(body).decode(),
        headers={"Content-Type": "application/json"},
    )
    return {**event, "isBase64Encoded": True}


def test_a_base64_encoded_json_body_is_read_as_json(bookmarks_table: str) -> None:
    route, _ = find_route("POST", "/bookmarks") or (None, None)
    assert route is not None

    reply = invoke(route, base64_event(json.dumps(VALID).encode()))

    assert reply.status == 201, reply.body
    assert reply.body["url"] == VALID["url"]


@pytest.mark.parametrize("raw", [b'{"url": "https://example.com/", "name": "\xff\xfe"}', b"not base64 \xff"])
def test_a_base64_body_that_is_not_utf8_json_is_a_bad_request(bookmarks_table: str, raw: bytes) -> None:
    route, _ = find_route("POST", "/bookmarks") or (None, None)
    assert route is not None
    event = base64_event(raw)
    if raw.startswith(b"not"):
        event["body"] = "%%% not base64 %%%"

    reply = invoke(route, event)

    assert reply.status == 400
    assert reply.body["errors"] == [{"field": "body", "problem": "is not UTF-8 text"}]
    assert stored_items(bookmarks_table) == []


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_missing_identity_is_reported_before_a_bad_body(bookmarks_table: str, method: str) -> None:
    path = "/bookmarks" if method == "POST" else f"/bookmarks/{MISSING_ID}"

    reply = ApiClient("").request(method, path, raw_body="not json")

    assert reply.status == 401


@pytest.mark.parametrize("path", ["/bookmarks/#", "/bookmarks/a?b", "/bookmarks/a b"])
def test_an_id_no_route_can_hold_is_not_found_in_the_error_shape(alice: ApiClient, path: str) -> None:
    for method in ("GET", "PUT", "DELETE"):
        reply = alice.request(method, path, {"name": "x"} if method == "PUT" else None)

        assert reply.status == 404, (method, reply.body)
        assert reply.body == {"message": "No bookmark with that id.", "errors": None}
        assert reply.headers["Access-Control-Allow-Origin"] == "https://bookmarks.example.com"


@pytest.mark.parametrize(
    "function",
    [
        "GetBookmarksFunction",
        "StoreBookmarkFunction",
        # feature: workflow
        "ReviewBookmarkFunction",
        # end feature: workflow
    ],
)
@pytest.mark.parametrize(
    "event",
    [{}, {"Records": []}, {"detail-type": "BookmarkCreated", "detail": {}}, {"httpMethod": 1, "path": None}],
    ids=["empty", "stream", "eventbridge", "wrong-types"],
)
def test_an_api_function_given_another_trigger_s_event_answers_400(
    bookmarks_table: str, function: str, event: dict[str, Any]
) -> None:
    answer = handler(function)(event, LambdaContext(function))

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["message"].startswith("This function answers API Gateway REST proxy")
    assert answer["headers"]["Access-Control-Allow-Origin"] == "https://bookmarks.example.com"


# feature: contest
def test_a_share_that_keeps_losing_the_race_answers_503_with_retry_after_and_writes_nothing(
    alice: ApiClient, bookmarks_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given another writer that moves the contest status before every conditional write of a share,
    when the owner shares, then the answer is 503 with Retry-After (never a server error) and the
    share changed nothing of the bookmark but what the other writer did."""
    from bookmarks import bookmarks_table as table_access
    from bookmarks import layout

    created = alice.create()
    original = table_access._update_once
    statuses = iter(["entering", "entered", "withdrawn", "entering"])
    dynamodb = boto3.client("dynamodb")

    def racing(*args: Any, **kwargs: Any) -> Any:
        dynamodb.update_item(
            TableName=bookmarks_table,
            Key=layout.bookmark_key(alice.user, created["id"]),
            UpdateExpression="SET contest_status = :status",
            ExpressionAttributeValues={":status": {"S": next(statuses)}},
        )
        return original(*args, **kwargs)

    monkeypatch.setattr(table_access, "_update_once", racing)

    reply = alice.request("PUT", f"/bookmarks/{created['id']}", {"shared": True})

    assert reply.status == 503, reply.body
    assert int(reply.headers["Retry-After"]) >= 1
    assert "try again" in reply.body["message"]
    after = alice.request("GET", f"/bookmarks/{created['id']}").body
    assert after["shared"] is False
    assert after["contest_status"] == "withdrawn"  # the other writer's last move, and nothing of ours


# end feature: contest
