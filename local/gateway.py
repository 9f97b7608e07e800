"""API Gateway's REST proxy integration, in-process: a request becomes the event a function receives,
and the function's answer becomes the HTTP response; and how the gateway reads a body to check it against
a request model, never more kindly than API Gateway may."""

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft4Validator, ValidationError, validators

from local.functions import Route, api_routes, handler


def _utf16_max_length(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """maxLength in UTF-16 code units: JSON Schema counts code points, but no AWS document says which one
    API Gateway's validator counts, and a character beyond the BMP (most emoji) is two units in Java and
    JavaScript strings. Counting the larger number, the local gateway is never kinder than AWS's."""
    if validator.is_type(instance, "string") and len(instance.encode("utf-16-le")) // 2 > limit:
        yield ValidationError(f"is longer than {limit} characters (UTF-16 code units)")


# The gateway's model validator: JSON Schema draft 4, as API Gateway's, with the stricter length count.
GatewayValidator = validators.extend(Draft4Validator, {"maxLength": _utf16_max_length})


def body_readings(text: str) -> list[Any]:
    """Every way a JSON parser may read ``text``: one, unless an object has a key twice, when the first
    and the last value may each be the one kept (AWS does not say which its validator keeps). The gateway
    checks each reading, and a body passes only if all do; the function refuses the repeated key itself,
    naming it. Raises ValueError for what is not JSON."""
    repeated: list[bool] = []

    def keep(winner: str) -> Any:
        def pairs(members: list[tuple[str, Any]]) -> dict[str, Any]:
            if len({key for key, _ in members}) < len(members):
                repeated.append(True)
            if winner == "first":
                return dict(reversed(members))
            return dict(members)

        return pairs

    last = json.loads(text, object_pairs_hook=keep("last"))
    if not repeated:
        return [last]
    return [json.loads(text, object_pairs_hook=keep("first")), last]


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
