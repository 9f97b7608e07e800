"""The HTTP edge shared by the API functions: who is calling, JSON answers, CORS, and the one place
where domain errors become status codes."""

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from pydantic import BaseModel

from bookmarks import rules
from bookmarks.errors import (
    AlreadyDecided,
    BookmarkNotFound,
    BookmarksError,
    Contended,
    EmailNotVerified,
    IdempotencyKeyReused,
    InvalidInput,
    NotAModerator,
    NotJson,
    OwnSubmission,
    Problem,
    RequestTooLarge,
    ReviewEnded,
    SubmittedUrlLocked,
    Unauthenticated,
    VersionChanged,
)
from bookmarks.models import MAX_BODY_BYTES, MAX_DISPLAY_NAME_LENGTH, NAME_PATTERN, ErrorBody, FieldProblem
from bookmarks.rules import Identity
from bookmarks.settings import settings
from bookmarks.text import has_visible_character


def current_user(app: APIGatewayRestResolver) -> str:
    """The caller's id: the ``sub`` of the token the gateway's Cognito authorizer verified, never the body."""
    claims = app.current_event.request_context.authorizer.claims or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("no verified identity")
    return subject


def current_identity(app: APIGatewayRestResolver) -> Identity:
    """Who the verified token says the caller is: ``sub``, whether the pool verified their email, and their
    chosen display name (``name``). A REST API's authorizer passes claims as strings: ``email_verified``
    arrives as "true"; other callers may send a boolean. Raises InvalidInput for a display name the team
    list could not show (too long, control characters)."""
    claims = app.current_event.request_context.authorizer.claims or {}
    verified = claims.get("email_verified")
    raw_name = claims.get("name")
    display_name = str(raw_name).strip() if raw_name is not None else ""
    if display_name and (
        len(display_name) > MAX_DISPLAY_NAME_LENGTH
        or not re.fullmatch(NAME_PATTERN, display_name)
        or not has_visible_character(display_name)
    ):
        raise InvalidInput(
            "Your display name cannot be shown to the team: choose one of at most "
            f"{MAX_DISPLAY_NAME_LENGTH} visible characters, then sign in again.",
            [Problem("name", f"must be 1 to {MAX_DISPLAY_NAME_LENGTH} visible characters")],
        )
    return Identity(
        user_id=current_user(app),
        email_verified=verified is True or str(verified).lower() == "true",
        display_name=display_name or None,
    )


# feature: workflow
MODERATORS_GROUP = "moderators"


def require_moderator(app: APIGatewayRestResolver) -> str:
    """The caller's id if the verified token puts them in the moderators group and their email is verified;
    raises NotAModerator or EmailNotVerified.

    A REST API's Cognito authorizer flattens ``cognito:groups`` to a string ("moderators", or
    "[moderators editors]" for several); a list arrives from other callers. All of them are read here."""
    caller = current_user(app)
    claims = app.current_event.request_context.authorizer.claims or {}
    raw = claims.get("cognito:groups") or []
    groups = raw if isinstance(raw, list) else re.split(r"[\s,]+", str(raw).strip("[]"))
    if MODERATORS_GROUP not in groups:
        raise NotAModerator(caller)
    rules.only_a_verified_email_moderates(current_identity(app))
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


ERROR_STATUS: dict[type[BookmarksError], tuple[int, str]] = {
    Unauthenticated: (401, "Sign in first: the request carried no verified identity."),
    BookmarkNotFound: (404, "No bookmark with that id."),
    IdempotencyKeyReused: (409, "This Idempotency-Key was already used with a different request body."),
    SubmittedUrlLocked: (409, "This bookmark was shared to the contest; its URL can no longer change."),
    RequestTooLarge: (
        413,
        f"The request body is over {MAX_BODY_BYTES} bytes, more than any valid request; nothing was saved.",
    ),
    NotJson: (415, "Send the body as JSON, with Content-Type: application/json."),
    EmailNotVerified: (403, "Verify your email first: only a verified email may share or review links."),
    # Contention is no fault of the caller's and passes: 503 with Retry-After (its own handler), never 500.
    Contended: (503, "Others were changing this bookmark at the same moment; nothing was saved: try again."),
    # feature: workflow
    NotAModerator: (403, "Only moderators may review shared bookmarks."),
    OwnSubmission: (403, "You shared this bookmark yourself: another moderator must decide it (four eyes)."),
    AlreadyDecided: (409, "This review was already decided."),
    ReviewEnded: (
        409,
        "This bookmark was deleted or unshared while in review: its review ended and nothing was decided.",
    ),
    VersionChanged: (
        409,
        "Its owner edited this bookmark since you saw it: nothing was decided; review the new version.",
    ),
    # end feature: workflow
}
# What a request that lost a race is told to wait before sending itself again.
RETRY_AFTER_SECONDS = 1


class _WholePathResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, with routes that match the whole path: its own pattern ends in ``$``,
    which also matches before a final newline, so ``/bookmarks/<id>%0A`` reached the route as ``<id>``."""

    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "") -> re.Pattern[str]:
        compiled: re.Pattern[str] = ApiGatewayResolver._compile_regex(rule, r"^{}/*\Z")
        return compiled


def new_resolver() -> APIGatewayRestResolver:
    """A REST-proxy resolver whose domain errors become status codes."""
    app = _WholePathResolver()

    def _invalid_input(error: InvalidInput) -> Response[str]:
        return _error(
            400, error.message, [FieldProblem(field=p.field, problem=p.problem) for p in error.problems]
        )

    def _mapped(error: BookmarksError) -> Response[str]:
        status_code, message = ERROR_STATUS[type(error)]
        return _error(status_code, message)

    def _no_route(_: Exception) -> Response[str]:
        # The gateway matched a route, but its path parameter holds what no bookmark id has ("#", "?").
        if "{id}" in (app.current_event.resource or ""):
            return _mapped(BookmarkNotFound())
        return _error(404, "No such route.")

    def _contended(_: Contended) -> Response[str]:
        body = ErrorBody(message=ERROR_STATUS[Contended][1])
        return json_response(503, body, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    app.exception_handler(InvalidInput)(_invalid_input)
    app.exception_handler(list(ERROR_STATUS))(_mapped)
    app.exception_handler(Contended)(_contended)  # after the list: this one adds Retry-After
    app.not_found(_no_route)
    return app
