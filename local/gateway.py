"""API Gateway's REST proxy integration, in-process: a request becomes the event a function receives,
and the function's answer becomes the HTTP response."""

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

    function_name = "local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:local"
    memory_limit_in_mb = 512

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in api_routes():
        parameters = route.match(method, path)
        if parameters is not None:
            return route, parameters
    return None


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
) -> dict[str, Any]:
    """The REST proxy event for a request the Cognito authorizer let through with ``claims``."""
    headers = dict(headers or {})
    request_id = str(uuid.uuid4())
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": route.method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def invoke(route: Route, event: dict[str, Any]) -> Reply:
    """Run the route's handler on ``event`` and read its proxy response."""
    answer = handler(route.function)(event, LambdaContext())
    headers = {name: str(value) for name, value in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(str(value) for value in values)
    raw = answer.get("body")
    return Reply(status=int(answer["statusCode"]), headers=headers, body=json.loads(raw) if raw else None)
