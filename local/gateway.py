"""API Gateway's REST proxy integration, in-process: a request becomes the event a function receives,
and the function's answer becomes the HTTP response."""

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from local.functions import Route, api_routes, handler


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any = field(default=None)


class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_version = "$LATEST"
    memory_limit_in_mb = 512

    def __init__(
        self,
        function_name: str = "local",
        invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local",
    ) -> None:
        self.function_name = function_name
        self.invoked_function_arn = invoked_function_arn
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def find_route(
    method: str, path: str, routes: tuple[Route, ...] | None = None
) -> tuple[Route, dict[str, str]] | None:
    """The route (of the template, unless ``routes`` is given) and path parameters a request falls on.
    Where several match, the one with the fewest path parameters wins: API Gateway prefers a literal
    segment to a variable (``/bookmarks/export`` over ``/bookmarks/{id}``), whatever the template's order."""
    matching = [
        (route, parameters)
        for route in (api_routes() if routes is None else routes)
        if (parameters := route.match(method, path)) is not None
    ]
    return min(matching, key=lambda found: len(found[1]), default=None)


def proxy_event(
    route: Route,
    path: str,
    path_parameters: dict[str, str],
    *,
    claims: dict[str, str],
    stage: str = "dev",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    multi_value_headers: dict[str, list[str]] | None = None,
    multi_value_query: dict[str, list[str]] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """The REST proxy event for a request the Cognito authorizer let through with ``claims``.

    Single-valued ``headers``/``query`` suffice for tests; an HTTP server passes every value in the
    ``multi_value_*`` forms, and the single-valued maps keep the last one, as API Gateway does."""
    multi_headers = multi_value_headers or {name: [value] for name, value in (headers or {}).items()}
    multi_query = multi_value_query or {name: [value] for name, value in (query or {}).items()}
    request_id = str(uuid.uuid4())
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} if multi_query else None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": route.method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "identity": {"sourceIp": source_ip},
            "authorizer": {"claims": claims},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def proxy_response(answer: dict[str, Any]) -> tuple[int, dict[str, str], str | None]:
    """Status, headers and raw body of a function's proxy answer (multi-value headers joined)."""
    headers = {name: str(value) for name, value in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(str(value) for value in values)
    body = answer.get("body")
    if body is not None and answer.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return int(answer["statusCode"]), headers, body


def invoke(route: Route, event: dict[str, Any]) -> Reply:
    """Run the route's handler on ``event`` and read its proxy response."""
    status, headers, raw = proxy_response(handler(route.function)(event, LambdaContext()))
    return Reply(status=status, headers=headers, body=json.loads(raw) if raw else None)
