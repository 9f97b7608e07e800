"""The HTTP edge shared by the API functions: who is calling, JSON answers, CORS, and the one place
where domain errors become status codes."""

import re

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from pydantic import BaseModel

from bookmarks.errors import (
    AlreadyDecided,
    BookmarkNotFound,
    BookmarksError,
    IdempotencyKeyReused,
    InvalidInput,
    NotAModerator,
    RequestTooLarge,
    SubmittedUrlLocked,
)
from bookmarks.models import ErrorBody, FieldProblem
from bookmarks.settings import settings


class Unauthenticated(BookmarksError):
    """The request reached the function without verified Cognito claims (a misconfigured route)."""


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


def json_response(
    status_code: int, body: BaseModel | None, headers: dict[str, str] | None = None
) -> Response[str]:
    """A JSON answer. The gateway answers CORS preflight; actual answers need the allowed origin too."""
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json() if body is not None else None,
        headers={
            "Access-Control-Allow-Origin": settings().allowed_origin,
            "Vary": "Origin",
            **(headers or {}),
        },
    )


def _error(status_code: int, message: str, problems: list[FieldProblem] | None = None) -> Response[str]:
    return json_response(status_code, ErrorBody(message=message, errors=problems))


ERROR_STATUS: dict[type[BookmarksError], tuple[int, str]] = {
    Unauthenticated: (401, "Sign in first: the request carried no verified identity."),
    BookmarkNotFound: (404, "No bookmark with that id."),
    IdempotencyKeyReused: (409, "This Idempotency-Key was already used with a different request body."),
    SubmittedUrlLocked: (409, "This bookmark was shared to the contest; its URL can no longer change."),
    RequestTooLarge: (413, "The request body is larger than any valid request; nothing was saved."),
    NotAModerator: (403, "Only moderators may review shared bookmarks."),
    AlreadyDecided: (409, "This review was already decided."),
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

    app.exception_handler(InvalidInput)(_invalid_input)
    app.exception_handler(list(ERROR_STATUS))(_mapped)
    return app
