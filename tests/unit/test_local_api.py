"""The local API answers as API Gateway would, from what the template declares."""

import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.test import Client

from local.api import ApiSettings, LocalApi, Throttle, TokenBucket, api_settings
from local.authorizer import CognitoAuthorizer, claim_strings
from local.functions import Route
from local.gateway import find_route
from local.resolve import Resolver
from local.template import template

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
ROUTES = (
    Route("GET", "/items", "ItemsFunction", None),
    Route("POST", "/items", "ItemsFunction", "NewItem"),
    Route("GET", "/health", "ItemsFunction", None, authorizer="NONE"),
)
MODELS = {"NewItem": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}


def token(key: RSAKey = KEY, **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": "u-1", "aud": "client", "iss": ISSUER, "token_use": "id", "exp": now + 60, "iat": now}
    payload["cognito:groups"] = ["moderators", "editors"]
    return jwt.encode({"alg": "RS256", "kid": "k1"}, {**payload, **claims}, key)


def authorizer() -> CognitoAuthorizer:
    jwks: dict[str, Any] = dict(KeySet([KEY]).as_dict(private=False))
    return CognitoAuthorizer("jwks-url", ISSUER, frozenset({"client"}), fetch=lambda url: jwks)


class Function:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "headers": {"X-Seen": "yes"}, "body": '{"ok": true}'}


def client(settings: ApiSettings, function: Function | None = None, clock: Any = time.monotonic) -> Client:
    settings_with_auth = ApiSettings(
        **{**settings.__dict__, "default_authorizer": "Cognito", "models": MODELS}
    )
    api = LocalApi(
        settings_with_auth, function or Function(), {"Cognito": authorizer()}, routes=ROUTES, clock=clock
    )
    return Client(api)


GATEWAY_RESPONSES = {
    "DEFAULT_4XX": {
        "ResponseParameters": {"Headers": {"Access-Control-Allow-Origin": "'https://app.example.com'"}},
        "ResponseTemplates": {"application/json": '{"message": $context.error.messageString}'},
    },
    "BAD_REQUEST_BODY": {
        "StatusCode": "400",
        "ResponseTemplates": {
            "application/json": '{"message": "invalid: $context.error.validationErrorString"}'
        },
    },
}


def test_a_verified_token_reaches_the_function_with_its_claims_as_strings() -> None:
    function = Function()

    answer = client(ApiSettings(), function).get("/items?limit=2", headers={"Authorization": token()})

    assert answer.status_code == 200
    assert answer.headers["X-Seen"] == "yes"
    (event,) = function.events
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["sub"] == "u-1"
    assert claims["cognito:groups"] == "moderators,editors"
    assert claims["exp"].endswith(time.strftime("%Y"))
    assert event["queryStringParameters"] == {"limit": "2"}
    assert event["resource"] == "/items"


@pytest.mark.parametrize(
    "bad_token",
    [
        None,
        token(exp=int(time.time()) - 1),
        token(aud="another-client"),
        token(iss="https://cognito-idp.us-east-1.amazonaws.com/another-pool"),
        token(token_use="access"),
        token(key=RSAKey.generate_key(2048, parameters={"kid": "k1"})),
        "not-a-jwt",
    ],
    ids=["missing", "expired", "audience", "issuer", "access-token", "other-key", "garbage"],
)
def test_a_token_the_pool_did_not_issue_for_this_client_is_refused_with_the_gateway_response(
    bad_token: str | None,
) -> None:
    headers = {"Authorization": bad_token} if bad_token else {}

    answer = client(ApiSettings(gateway_responses=GATEWAY_RESPONSES)).get("/items", headers=headers)

    assert answer.status_code == 401
    assert answer.json == {"message": "Unauthorized"}
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_a_route_without_an_authorizer_needs_no_token() -> None:
    assert client(ApiSettings()).get("/health").status_code == 200


def test_a_body_that_breaks_the_model_gets_the_bad_request_body_response() -> None:
    function = Function()

    answer = client(ApiSettings(gateway_responses=GATEWAY_RESPONSES), function).post(
        "/items", json={"name": 3}, headers={"Authorization": token()}
    )

    assert answer.status_code == 400
    assert answer.json is not None
    assert answer.json["message"].startswith("invalid: [name: 3 is not of type 'string'")
    assert function.events == []


def test_preflight_is_answered_from_the_cors_settings_without_a_token() -> None:
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET,POST,OPTIONS"}

    answer = client(ApiSettings(cors=cors)).options("/items")

    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"


def test_an_unknown_route_is_a_missing_authentication_token() -> None:
    answer = client(ApiSettings()).get("/nowhere")

    assert answer.status_code == 403
    assert answer.json == {"message": "Missing Authentication Token"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_stage_throttling_answers_429_once_the_burst_is_spent_and_refills_at_the_rate() -> None:
    clock = Clock()
    api = client(ApiSettings(throttles=(Throttle("/*", "*", rate=1, burst=2),)), clock=clock)

    statuses = [api.get("/health").status_code for _ in range(3)]
    clock.now += 1.0
    after_a_second = api.get("/health").status_code

    assert statuses == [200, 200, 429]
    assert after_a_second == 200


def test_a_method_throttle_applies_to_its_method_only() -> None:
    api = client(ApiSettings(throttles=(Throttle("/~1items", "POST", rate=0, burst=0),)), clock=Clock())

    assert api.post("/items", json={"name": "x"}, headers={"Authorization": token()}).status_code == 429
    assert api.get("/items", headers={"Authorization": token()}).status_code == 200


def test_a_token_bucket_never_holds_more_than_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=1, clock=clock)
    clock.now = 100.0

    assert [bucket.take(), bucket.take()] == [True, False]


def test_a_function_error_is_a_502_from_the_gateway() -> None:
    def failing(logical_id: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("boom")

    api = LocalApi(ApiSettings(), failing, {}, routes=ROUTES, log=lambda _: None)

    answer = Client(api).get("/health")

    assert answer.status_code == 502
    assert answer.json == {"message": "Internal server error"}


def test_the_templates_api_settings_resolve_cors_gateway_responses_and_models() -> None:
    resolver = Resolver(template())
    resolver.attributes[("UserPool", "Arn")] = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/p"

    settings = api_settings(template(), resolver)

    assert settings.stage == "dev"
    assert settings.cors is not None
    assert settings.cors["Access-Control-Allow-Origin"] == "*"
    assert "Idempotency-Key" in settings.cors["Access-Control-Allow-Headers"]
    assert settings.default_authorizer == "CognitoAuthorizer"
    assert settings.authorizer_pool_arns["CognitoAuthorizer"].endswith("userpool/p")
    assert set(settings.models) >= {"NewBookmark", "BookmarkPatch"}
    assert [(t.resource_path, t.http_method, t.rate, t.burst) for t in settings.throttles] == [
        ("/*", "*", 50.0, 100)  # the ThrottlingRateLimit and ThrottlingBurstLimit defaults
    ]


def test_claims_become_strings_the_way_the_rest_api_passes_them() -> None:
    rendered = claim_strings({"exp": 0, "email_verified": True, "cognito:groups": ["a", "b"], "n": 1})

    assert rendered == {
        "exp": "Thu Jan 01 00:00:00 UTC 1970",
        "email_verified": "true",
        "cognito:groups": "a,b",
        "n": "1",
    }


# Hostile requests (issue 15), against the template's own gateway settings.
ORIGIN = "*"  # the AllowedOrigin default of template.yaml


def template_api(function: Function | None = None) -> Client:
    resolver = Resolver(template())
    resolver.attributes[("UserPool", "Arn")] = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/p"
    settings = api_settings(template(), resolver)
    api = LocalApi(settings, function or Function(), {"CognitoAuthorizer": authorizer()}, log=lambda _: None)
    return Client(api)


VALID_BOOKMARK = {"url": "https://example.com/", "name": "A page"}
HUGE = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status"),
    [
        ("POST", "/bookmarks", b"[" * 10_000 + b"]" * 10_000, "application/json", 400),
        (
            "POST",
            "/bookmarks",
            json.dumps(VALID_BOOKMARK | {"description": "d" * (HUGE - 100)}).encode(),
            "application/json",
            400,
        ),
        (
            "POST",
            "/bookmarks",
            json.dumps(VALID_BOOKMARK | {"description": "d" * 1_000_000}).encode(),
            None,
            400,
        ),
        (
            "POST",
            "/bookmarks",
            b'{"url": "https://example.com/", "name": "\xff\xfe"}',
            "application/json",
            400,
        ),
        ("POST", "/bookmarks", b"x" * (HUGE + 1), "application/json", 413),
        ("GET", "/nowhere", b"", None, 403),
        ("DELETE", "/team/bookmarks", b"", None, 403),
        ("GET", "/bookmarks/a/b", b"", None, 403),
    ],
    ids=[
        "deep-nesting",
        "10mb-field",
        "1mb-field-no-type",
        "invalid-utf8",
        "over-10mb",
        "unknown-route",
        "unknown-method",
        "too-deep-path",
    ],
)
def test_a_hostile_request_gets_a_small_gateway_answer_in_the_error_shape_with_cors(
    method: str, path: str, body: bytes, content_type: str | None, status: int
) -> None:
    function = Function()
    headers = {"Authorization": token()} | ({"Content-Type": content_type} if content_type else {})

    answer = template_api(function).open(path, method=method, data=body, headers=headers)

    assert answer.status_code == status
    assert len(answer.get_data()) < 1024
    assert set(answer.json or {}) == {"message", "errors"}, answer.get_data()
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert function.events == []


def test_a_body_not_sent_as_json_passes_the_model_unchecked_as_on_aws() -> None:
    function = Function()

    answer = template_api(function).post(
        "/bookmarks", data="not json", headers={"Authorization": token(), "Content-Type": "text/plain"}
    )

    assert answer.status_code == 200  # the function refuses it (415): tests/unit/test_bookmarks_api.py
    assert [event["body"] for event in function.events] == ["not json"]


class BrokenApi(LocalApi):
    def handle(self, request: Any) -> Any:
        raise RecursionError("a request this emulation cannot take")


def test_a_failure_of_the_gateway_itself_is_a_502_not_an_html_page() -> None:
    api = BrokenApi(ApiSettings(), Function(), {}, routes=ROUTES, log=lambda _: None)

    answer = Client(api).get("/health")

    assert answer.status_code == 502
    assert answer.json == {"message": "Internal server error"}


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": ["client"]},
        {"aud": {"client": True}},
        {"nbf": int(time.time()) + 600},
        {"iat": int(time.time()) + 600},
        {"iat": None},
        {"exp": True},
        {"nbf": "now"},
    ],
    ids=["aud-list", "aud-object", "not-yet-valid", "issued-in-future", "no-iat", "exp-bool", "nbf-string"],
)
def test_a_token_with_malformed_or_future_times_or_audience_is_unauthorized(claims: dict[str, Any]) -> None:
    answer = template_api().get("/bookmarks", headers={"Authorization": token(**claims)})

    assert answer.status_code == 401
    assert answer.json == {"message": "Unauthorized", "errors": None}
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_literal_segment_wins_over_a_path_parameter_whatever_the_order() -> None:
    variable = Route("GET", "/bookmarks/{id}", "GetBookmarksFunction", None)
    literal = Route("GET", "/bookmarks/export", "ExportFunction", None)

    assert find_route("GET", "/bookmarks/export", (variable, literal)) == (literal, {})
    assert find_route("GET", "/bookmarks/b1", (variable, literal)) == (variable, {"id": "b1"})
    assert find_route("POST", "/bookmarks/export", (variable, literal)) is None
