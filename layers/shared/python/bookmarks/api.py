"""The HTTP edge shared by the API functions: who is calling, JSON answers, CORS, and the one place
where domain errors become status codes."""

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from pydantic import BaseModel

from bookmarks.errors import (
    AlreadyDecided,
    BookmarkNotFound,
    BookmarksError,
    Contended,
    IdempotencyKeyReused,
    InvalidInput,
    NotAModerator,
    NotJson,
    Problem,
    RequestTooLarge,
    SubmittedUrlLocked,
    Unauthenticated,
)
from bookmarks.models import ErrorBody, FieldProblem
from bookmarks.settings import settings


def current_user(app: APIGatewayRestResolver) -> str:
    """The caller's id: the ``sub`` of the token the gateway's Cognito authorizer verified, never the body."""
    claims = app.current_event.request_context.authorizer.claims or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("no verified identity")
    return subject


def current_email(app: APIGatewayRestResolver) -> str:
    """The caller's email from the same verified token: what the team list shows as who shared a link.
    The user pool makes the email the username, so every ID token it issues carries one."""
    claims = app.current_event.request_context.authorizer.claims or {}
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise Unauthenticated("no verified email")
    return email


# feature: workflow
MODERATORS_GROUP = "moderators"


def require_moderator(app: APIGatewayRestResolver) -> str:
    """The caller's id if the verified token puts them in the moderators group; raises NotAModerator.

    A REST API's Cognito authorizer flattens ``cognito:groups`` to a string ("moderators", or
    "[moderators editors]" for several); a list arrives from other callers. All of them are read here."""
    caller = current_user(app)
    claims = app.current_event.request_context.authorizer.claims or {}
    raw = claims.get("cognito:groups") or []
    groups = raw if isinstance(raw, list) else re.split(r"[\s,]+", str(raw).strip("[]"))
    if MODERATORS_GROUP not in groups:
        raise NotAModerator(caller)
    return caller


# end feature: workflow


def request_body(app: APIGatewayRestResolver) -> str | None:
    """The request's body as text. Raises NotJson for a Content-Type other than JSON (the gateway checks a
    body against its model only when it says JSON, or says nothing), and InvalidInput for a base64 body
    (a direct invoke, a binary media type) that is not base64 of UTF-8."""
    event = app.current_event
    content_type = next(
        (str(value) for name, value in (event.headers or {}).items() if name.lower() == "content-type"), ""
    )
    media_type = content_type.split(";", 1)[0].strip().lower()
    if event.body is not None and media_type not in ("", "application/json"):
        raise NotJson(media_type)
    if event.body is None or not event.is_base64_encoded:
        return event.body
    try:
        return base64.b64decode(event.body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "The request body is invalid: check body.", [Problem("body", "is not UTF-8 text")]
        ) from None


def not_an_api_event(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """None for an API Gateway REST proxy event; else the 400 answer for what a direct invoke sent
    (`sam local invoke -e` with another trigger's event), instead of a KeyError deep in routing."""
    if isinstance(event, Mapping) and all(isinstance(event.get(key), str) for key in ("httpMethod", "path")):
        return None
    body = ErrorBody(message="This function answers API Gateway REST proxy events (httpMethod, path).")
    return {
        "statusCode": 400,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, **_cors_headers()},
        "body": body.model_dump_json(),
        "isBase64Encoded": False,
    }


def json_response(
    status_code: int, body: BaseModel | None, headers: dict[str, str] | None = None
) -> Response[str]:
    """A JSON answer. The gateway answers CORS preflight; actual answers need the allowed origin too."""
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json() if body is not None else None,
        headers={**_cors_headers(), **(headers or {})},
    )


def _cors_headers() -> dict[str, str]:
    return {"Access-Control-Allow-Origin": settings().allowed_origin, "Vary": "Origin"}


def _error(status_code: int, message: str, problems: list[FieldProblem] | None = None) -> Response[str]:
    return json_response(status_code, ErrorBody(message=message, errors=problems))


# What a request that lost a race is told to wait before sending itself again.
CONTENDED_RETRY_AFTER_SECONDS = "1"

ERROR_STATUS: dict[type[BookmarksError], tuple[int, str]] = {
    Unauthenticated: (401, "Sign in first: the request carried no verified identity."),
    BookmarkNotFound: (404, "No bookmark with that id."),
    IdempotencyKeyReused: (409, "This Idempotency-Key was already used with a different request body."),
    SubmittedUrlLocked: (409, "This bookmark was shared to the contest; its URL can no longer change."),
    RequestTooLarge: (413, "The request body is larger than any valid request; nothing was saved."),
    NotJson: (415, "Send the body as JSON, with Content-Type: application/json."),
    # feature: workflow
    NotAModerator: (403, "Only moderators may review shared bookmarks."),
    AlreadyDecided: (409, "This review was already decided."),
    # end feature: workflow
}


def new_resolver() -> APIGatewayRestResolver:
    """A REST-proxy resolver whose domain errors become status codes."""
    app = APIGatewayRestResolver()

    def _invalid_input(error: InvalidInput) -> Response[str]:
        return _error(
            400, error.message, [FieldProblem(field=p.field, problem=p.problem) for p in error.problems]
        )

    def _mapped(error: BookmarksError) -> Response[str]:
        status_code, message = ERROR_STATUS[type(error)]
        return _error(status_code, message)

    def _contended(_: Contended) -> Response[str]:
        # Contention is no fault of the server's: the client tries again after Retry-After seconds.
        return json_response(
            503,
            ErrorBody(
                message="Others changed this bookmark at the same moment; nothing was saved, try again."
            ),
            headers={"Retry-After": CONTENDED_RETRY_AFTER_SECONDS},
        )

    def _no_route(_: Exception) -> Response[str]:
        # The gateway matched a route, but its path parameter holds what no bookmark id has ("#", "?").
        if "{id}" in (app.current_event.resource or ""):
            return _mapped(BookmarkNotFound())
        return _error(404, "No such route.")

    app.exception_handler(InvalidInput)(_invalid_input)
    app.exception_handler(Contended)(_contended)
    app.exception_handler(list(ERROR_STATUS))(_mapped)
    app.not_found(_no_route)
    return app
