"""The bookmarks story over HTTP: sign in, keep bookmarks; what the gateway refuses before code runs."""

import base64
import copy
import gzip
import json
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

import boto3
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.e2e.http import Api
from tests.harness import template, user_pool_groups
from tests.local_stack import Target, local_target, running_stack
from tests.repo_copy import copy_repo


def _decode(part: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def _claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return _decode(header), _decode(payload)


def _signature_altered(token: str) -> str:
    head, payload, signature = token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def _signed_with_another_key(token: str) -> str:
    header, claims = _claims(token)
    return jwt.encode({"alg": "RS256", "kid": header["kid"]}, claims, RSAKey.generate_key(2048))


def _expired_signed_by_moto(token: str) -> str:
    """moto signs every pool's tokens with one published key: locally, a test can mint an expired token."""
    private = json.loads(
        gzip.decompress((files("moto.cognitoidp") / "resources" / "jwks-private.json.gz").read_bytes())
    )
    header, claims = _claims(token)
    past = int(time.time()) - 3600
    return jwt.encode(header, {**claims, "iat": past - 3600, "exp": past}, RSAKey.import_key(private))


def test_a_signed_in_user_creates_lists_pages_updates_and_deletes_bookmarks(target: Target) -> None:
    me = target.signed_in()
    created = [me.create(url=f"https://example.com/story/{n}", name=f"Story {n}") for n in range(3)]

    first = me.request("GET", "/bookmarks?limit=2")
    second = me.request("GET", f"/bookmarks?limit=2&cursor={first.body['next_cursor']}")
    updated = me.request("PUT", f"/bookmarks/{created[0]['id']}", {"name": "Renamed"})
    deleted = me.request("DELETE", f"/bookmarks/{created[1]['id']}")
    after = me.request("GET", f"/bookmarks/{created[1]['id']}")

    assert first.status == second.status == 200
    newest_first = [bookmark["id"] for bookmark in reversed(created)]
    assert [b["id"] for b in first.body["items"] + second.body["items"]] == newest_first
    assert second.body["next_cursor"] is None
    assert updated.status == 200
    assert updated.body["name"] == "Renamed"
    assert me.request("GET", f"/bookmarks/{created[0]['id']}").body["name"] == "Renamed"
    assert deleted.status == 204
    assert after.status == 404


def test_another_users_bookmark_is_not_found(alice: Api, bob: Api) -> None:
    mine = alice.create(name="Alice's")

    answers = [
        bob.request("GET", f"/bookmarks/{mine['id']}"),
        bob.request("PUT", f"/bookmarks/{mine['id']}", {"name": "Bob's now"}),
        bob.request("DELETE", f"/bookmarks/{mine['id']}"),
    ]

    assert [answer.status for answer in answers] == [404, 404, 404]
    assert alice.request("GET", f"/bookmarks/{mine['id']}").body["name"] == "Alice's"


@pytest.mark.parametrize(
    ("forge", "local_only"),
    [
        pytest.param(lambda token: None, False, id="no-token"),
        pytest.param(_signature_altered, False, id="signature-altered"),
        pytest.param(_signed_with_another_key, False, id="another-key"),
        pytest.param(_expired_signed_by_moto, True, id="expired"),
    ],
)
def test_a_request_without_a_valid_token_is_unauthorized_with_cors_headers(
    target: Target, alice: Api, forge: Any, local_only: bool
) -> None:
    if local_only and not target.local:
        pytest.skip(
            "only the local stack's signing key is public, so only there can a test mint an expired token"
        )
    caller = target.api(forge(alice.token))

    answer = caller.request("GET", "/bookmarks")

    assert answer.status == 401
    assert answer.body == {"message": "Unauthorized", "errors": None}
    assert "Access-Control-Allow-Origin" in answer.headers


def test_cors_preflight_is_answered_without_a_token(target: Target) -> None:
    answer = target.api(None).request(
        "OPTIONS",
        "/bookmarks/some-id",
        headers={"Origin": "https://bookmarks.example.com", "Access-Control-Request-Method": "PUT"},
    )

    assert answer.status in (200, 204)
    assert "PUT" in answer.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]
    assert answer.headers["Access-Control-Allow-Origin"]


def test_an_invalid_body_is_refused_by_the_gateway_with_a_400(alice: Api) -> None:
    answer = alice.request("POST", "/bookmarks", {"url": "ftp://example.com/file", "name": "FTP"})

    assert answer.status == 400
    assert answer.body["message"].startswith("The request body is invalid:")
    # The gateway names no field: its validation messages would quote the input (see template.yaml).
    assert answer.body["errors"] == [{"field": "body", "problem": "does not fit the request model"}]
    assert "Access-Control-Allow-Origin" in answer.headers


def test_a_route_the_api_does_not_have_is_refused_in_the_error_shape(alice: Api) -> None:
    answer = alice.request("GET", "/no-such-route")

    assert answer.status == 403
    assert answer.body == {
        "message": "No such route or method: docs/openapi.json lists them.",
        "errors": None,
    }
    assert "Access-Control-Allow-Origin" in answer.headers


def test_the_local_stack_describes_itself_in_stack_json_and_its_demo_users_sign_in(
    local_stack: dict[str, Any],
) -> None:
    described = {key: value for key, value in local_stack.items() if key != "state_dir"}
    keys = {"api_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id", "users"}
    keys |= {"health_url", "redelivery_seed"}  # the trigger health check, the at-least-once mode's seed
    # The demo user in the most groups signs in with them (with none, where the template creates none).
    member = max(described["users"], key=lambda user: len(user["groups"]))
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    cognito = session.client("cognito-idp", endpoint_url=described["aws_endpoint_url"])

    signed_in = cognito.initiate_auth(
        ClientId=described["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": member["email"], "PASSWORD": member["password"]},
    )

    assert set(described) == keys
    assert "demo@example.com" in {user["email"] for user in described["users"]}
    # feature: workflow
    assert {user["email"] for user in described["users"]} == {"demo@example.com", "moderator@example.com"}
    # end feature: workflow
    assert set(member["groups"]) <= set(user_pool_groups())
    assert (
        _claims(signed_in["AuthenticationResult"]["IdToken"])[1].get("cognito:groups", []) == member["groups"]
    )
    assert (local_stack["state_dir"] / "env.json").exists()


# feature: workflow
def test_a_template_without_the_demo_users_groups_still_starts_with_those_users(tmp_path: Path) -> None:
    app = copy_repo(tmp_path / "app")
    # As a user removing a feature would leave it: its group gone, local.toml untouched. (Written back as
    # JSON, which is YAML too: no comment or short form of the template matters to the local stack.)
    document = copy.deepcopy(template())
    groups = [k for k, r in document["Resources"].items() if r["Type"] == "AWS::Cognito::UserPoolGroup"]
    for logical_id in groups:
        del document["Resources"][logical_id]
    (app / "template.yaml").write_text(json.dumps(document, indent=1))
    state = tmp_path / "state"
    state.mkdir()

    with running_stack(app, state) as stack:
        signed_in = [local_target(stack).id_token(user["email"], user["password"]) for user in stack["users"]]
    log = (state / "stack.log").read_text()

    assert groups
    assert {user["email"] for user in stack["users"]} == {"demo@example.com", "moderator@example.com"}
    assert all(user["groups"] == [] for user in stack["users"])
    assert len(signed_in) == len(stack["users"])
    assert "user moderator@example.com: the template creates no group moderators; made without it" in log


# end feature: workflow


@pytest.mark.parametrize(
    ("method", "path", "raw", "content_type", "status"),
    [
        ("POST", "/bookmarks", "[" * 10_000 + "]" * 10_000, "application/json", 400),
        (
            "POST",
            "/bookmarks",
            '{"url": "https://e.com/", "name": "n", "description": "' + "d" * 1_000_000 + '"}',
            "application/json",
            400,
        ),
        ("POST", "/bookmarks", '{"url": "https://e.com/", "name": "n"}', "text/plain", 415),
        ("GET", "/bookmarks/%23", None, "application/json", 404),
        ("GET", "/bookmarks/a%3Fb", None, "application/json", 404),
        # (An empty cursor is the first page: tests/e2e/test_canonical_input.py.)
        ("GET", "/bookmarks?cursor=%21%21", None, "application/json", 400),
    ],
    ids=["deep-nesting", "1mb-field", "text-plain", "hash-id", "question-mark-id", "malformed-cursor"],
)
def test_a_hostile_request_gets_a_small_answer_in_the_error_shape_with_cors(
    alice: Api, method: str, path: str, raw: str | None, content_type: str, status: int
) -> None:
    answer = alice.request(method, path, raw=raw, headers={"Content-Type": content_type})

    assert answer.status == status, answer.body
    assert set(answer.body) == {"message", "errors"}
    assert len(json.dumps(answer.body)) < 1024
    assert "Access-Control-Allow-Origin" in answer.headers
