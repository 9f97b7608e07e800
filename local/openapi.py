"""The API's OpenAPI 3.1 document, generated from the pydantic models and the routes of template.yaml.

It documents the API for clients and drives the fuzz tests (tests/fuzz). `make openapi` writes it to
docs/openapi.json; tests/unit/test_contract.py fails when the committed file is out of date. It is a
development tool: nothing here ships to Lambda.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bookmarks.api import ERROR_STATUS
from bookmarks.errors import (
    AlreadyDecided,
    BookmarkNotFound,
    BookmarksError,
    IdempotencyKeyReused,
    InvalidInput,
    NotAModerator,
    NotJson,
    RequestTooLarge,
    SubmittedUrlLocked,
    Unauthenticated,
)
from bookmarks.library import IDEMPOTENCY_KEY
from bookmarks.models import (
    MAX_PAGE_SIZE,
    Bookmark,
    BookmarkPage,
    BookmarkPatch,
    ErrorBody,
    NewBookmark,
    ReviewDecision,
    ReviewList,
    TeamPage,
)
from local.functions import ROOT, Route, api_routes
from local.template import resource

OPENAPI_PATH = ROOT / "docs" / "openapi.json"
REQUEST_MODELS: tuple[type[BaseModel], ...] = (NewBookmark, BookmarkPatch, ReviewDecision)
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (Bookmark, BookmarkPage, TeamPage, ReviewList, ErrorBody)


@dataclass(frozen=True)
class Operation:
    """What the template cannot say about a route: its answer on success and the domain errors it raises."""

    summary: str
    status: int
    answer: type[BaseModel] | None
    errors: tuple[type[BookmarksError], ...] = ()
    paged: bool = False


# Keyed by (method, path) of the template's routes; a route missing here fails generation.
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/bookmarks"): Operation(
        "List the caller's bookmarks, newest first", 200, BookmarkPage, (InvalidInput,), paged=True
    ),
    ("POST", "/bookmarks"): Operation(
        "Save a bookmark (shared: true enters it in the contest)",
        201,
        Bookmark,
        (InvalidInput, NotJson, RequestTooLarge, IdempotencyKeyReused),
    ),
    ("GET", "/bookmarks/{id}"): Operation(
        "Read one of the caller's bookmarks", 200, Bookmark, (BookmarkNotFound,)
    ),
    ("PUT", "/bookmarks/{id}"): Operation(
        "Change some fields of one of the caller's bookmarks",
        200,
        Bookmark,
        (InvalidInput, NotJson, RequestTooLarge, BookmarkNotFound, SubmittedUrlLocked),
    ),
    ("DELETE", "/bookmarks/{id}"): Operation(
        "Delete one of the caller's bookmarks", 204, None, (BookmarkNotFound,)
    ),
    ("GET", "/team/bookmarks"): Operation(
        "List the team's published bookmarks, newest first", 200, TeamPage, (InvalidInput,), paged=True
    ),
    ("GET", "/reviews"): Operation(
        "List shared bookmarks waiting for a moderator", 200, ReviewList, (NotAModerator,)
    ),
    ("POST", "/reviews/{id}"): Operation(
        "Approve or reject a shared bookmark (moderators)",
        200,
        Bookmark,
        (InvalidInput, NotJson, RequestTooLarge, NotAModerator, BookmarkNotFound, AlreadyDecided),
    ),
}

# Answers the gateway gives before any function runs (the template's GatewayResponses shape them).
_GATEWAY_ANSWERS = {
    400: "The body does not fit the route's model (checked by the gateway, then by the function).",
    401: "No token, or not a valid ID token of the user pool.",
    429: "Over the stage's throttle (or the WAF's per-IP rate); retry later.",
}
_ERRORS_REF = {"$ref": "#/components/schemas/ErrorBody"}
# What bookmarks/paging.py writes: unpadded URL-safe base64. Anything else, the empty string included, is
# refused with 400, so the document says so too (tests/unit/test_contract.py checks both agree).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$(?!\n)"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _error_status(error: type[BookmarksError]) -> tuple[int, str]:
    if error is InvalidInput:
        return 400, "A field, parameter or header is wrong; `errors` names each one."
    return ERROR_STATUS[error]


def _parameters(route: Route, operation: Operation) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    if "{id}" in route.path:
        parameters.append(
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "A bookmark id; any id the caller does not own answers 404.",
                "schema": {"type": "string"},
            }
        )
    if operation.paged:
        parameters += [
            {
                "name": "limit",
                "in": "query",
                "description": "Bookmarks per page.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": "cursor",
                "in": "query",
                "description": "The next_cursor of the previous page.",
                "schema": {"type": "string", "minLength": 1, "pattern": CURSOR_PATTERN},
            },
        ]
    if IdempotencyKeyReused in operation.errors:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "description": "A repeat with the same key returns the first answer and saves nothing.",
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
            }
        )
    return parameters


def _responses(route: Route, operation: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": operation.summary}
    if operation.answer is not None:
        success["content"] = {"application/json": {"schema": _ref(operation.answer)}}
    if operation.status == 201:
        success["headers"] = {
            "Location": {"description": "The new bookmark's path.", "schema": {"type": "string"}}
        }
        # What a client (and the stateful fuzzer) does next with the new bookmark's id.
        success["links"] = {
            f"{other.function}.{other.method.lower()}": {
                "operationId": _operation_id(other),
                "parameters": {"id": "$response.body#/id"},
            }
            for other in sorted(api_routes(), key=lambda r: (r.path, r.method))
            if "{id}" in other.path
        }
    reasons: dict[int, list[str]] = {429: [_GATEWAY_ANSWERS[429]]}
    if route.authorizer != "NONE":
        reasons[401] = [_GATEWAY_ANSWERS[401], ERROR_STATUS[Unauthenticated][1]]
    if route.request_model:
        reasons.setdefault(400, []).append(_GATEWAY_ANSWERS[400])
    for error in operation.errors:
        status, message = _error_status(error)
        reasons.setdefault(status, []).append(message)
    responses = {str(operation.status): success}
    for status in sorted(reasons):
        responses[str(status)] = {
            "description": " ".join(dict.fromkeys(reasons[status])),
            "content": {"application/json": {"schema": _ERRORS_REF}},
        }
    return responses


def _operation_id(route: Route) -> str:
    return f"{route.function}.{route.method.lower()}{route.path}"


def _operation(route: Route) -> dict[str, Any]:
    operation = OPERATIONS[(route.method, route.path)]
    document: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": operation.summary,
        "tags": [route.function],
    }
    parameters = _parameters(route, operation)
    if parameters:
        document["parameters"] = parameters
    if route.request_model:
        model = next(m for m in REQUEST_MODELS if m.__name__ == route.request_model)
        document["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(model)}}}
    document["responses"] = _responses(route, operation)
    if route.authorizer == "NONE":
        document["security"] = []
    return document


def _schemas() -> dict[str, Any]:
    """Request models as the function validates them, answers as it writes them; shared parts by $ref."""
    _, schema = models_json_schema(
        [(model, "validation") for model in REQUEST_MODELS]
        + [(model, "serialization") for model in RESPONSE_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = schema["$defs"]
    return dict(sorted(schemas.items()))


def document() -> dict[str, Any]:
    """The OpenAPI document of the API that template.yaml declares."""
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(api_routes(), key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    authorizer = resource("BookmarksApi")["Properties"]["Auth"]["DefaultAuthorizer"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Bookmarks API",
            "version": "1.0.0",
            "description": (
                "A team knowledge base of links. Every answer is JSON and carries the CORS headers of the "
                "allowed origin; errors are an ErrorBody. Generated from the pydantic models and "
                "template.yaml by `make openapi`: do not edit by hand."
            ),
        },
        "servers": [
            {
                "url": "https://{apiId}.execute-api.{region}.amazonaws.com/{stage}",
                "description": "A deployed stack (its ApiUrl output).",
                "variables": {
                    "apiId": {"default": "example"},
                    "region": {"default": "us-east-1"},
                    "stage": {"default": "dev", "enum": ["dev", "staging", "prod"]},
                },
            },
            {"url": "http://127.0.0.1:3000", "description": "`make local`"},
        ],
        "security": [{authorizer: []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                authorizer: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "A Cognito ID token of the app's user pool, as is (no Bearer prefix).",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                }
            },
        },
    }


def rendered() -> str:
    return json.dumps(document(), indent=2) + "\n"


def main(path: Path = OPENAPI_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rendered())
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
