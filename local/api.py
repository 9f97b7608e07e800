"""The local API: a WSGI app with API Gateway's REST semantics, configured from the template's Api resource.

A request goes through what the gateway does before any function runs, in the gateway's order: payload
limit (413), route (Missing Authentication Token), CORS preflight, stage throttling (429), Cognito
authorizer (401), body validation against the route's model when the body says it is JSON (400); then
the REST proxy event (local/gateway.py) goes to the function and its answer comes back as HTTP. Errors
the gateway answers itself use GatewayResponses.
"""

import json
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from local.authorizer import CognitoAuthorizer
from local.functions import Route, api_routes
from local.gateway import GatewayValidator, body_readings, find_route, proxy_event, proxy_response
from local.resolve import Resolver

if TYPE_CHECKING:
    from local.observer import Observer

# Default status and message of the gateway responses the local API can produce.
GATEWAY_RESPONSES: dict[str, tuple[int, str]] = {
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "BAD_REQUEST_BODY": (400, "Invalid request body"),
    "THROTTLED": (429, "Too Many Requests"),
    "DEFAULT_5XX": (502, "Internal server error"),
}

Invoke = Callable[[str, dict[str, Any]], Any]
# API Gateway's payload limit: a larger request never reaches the authorizer or a function.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


def _unquote(value: Any) -> str:
    """SAM writes header values as quoted literals ("'*'"), the way API Gateway mappings want them."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


@dataclass(frozen=True)
class Throttle:
    """One MethodSettings entry that throttles: its path and method ("/*" and "*" for the whole stage)."""

    resource_path: str
    http_method: str
    rate: float
    burst: int

    def applies_to(self, route: Route) -> bool:
        # CloudFormation encodes the path's slashes as ~1 after a leading slash: /~1items~1{id}.
        path = self.resource_path
        if path.startswith("/~1"):
            path = path[1:].replace("~1", "/")
        return path in ("/*", route.path) and self.http_method in ("*", route.method)


@dataclass
class TokenBucket:
    """API Gateway's throttle: ``burst`` tokens at most, refilled at ``rate`` a second; a request uses one."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _last: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens, self._last = float(self.burst), self.clock()

    def take(self) -> bool:
        with self._lock:
            now = self.clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


@dataclass(frozen=True)
class ApiSettings:
    """What the template's AWS::Serverless::Api declares that the gateway enforces before a function runs."""

    stage: str = "dev"
    cors: dict[str, str] | None = None
    default_authorizer: str | None = None
    authorizer_pool_arns: dict[str, str] = field(default_factory=dict)
    gateway_responses: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    throttles: tuple[Throttle, ...] = ()


def api_settings(template: dict[str, Any], resolver: Resolver) -> ApiSettings:
    """The settings of the template's (first) AWS::Serverless::Api, intrinsics resolved."""
    apis = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api"]
    if not apis:
        return ApiSettings(stage="Prod")
    properties = apis[0]["Properties"]

    def resolved(name: str, default: Any) -> Any:
        return resolver.resolve(properties.get(name, default))

    cors = resolved("Cors", None)
    if isinstance(cors, str):
        cors = {"AllowOrigin": cors}
    auth = resolved("Auth", {})
    authorizers = auth.get("Authorizers", {})
    unsupported = [name for name, spec in authorizers.items() if "UserPoolArn" not in spec]
    if unsupported:
        raise ValueError(f"the local API emulates Cognito authorizers only, not {unsupported}")
    return ApiSettings(
        stage=str(resolved("StageName", "Prod")),
        cors=(
            {
                f"Access-Control-{header}": _unquote(cors[key])
                for key, header in (
                    ("AllowOrigin", "Allow-Origin"),
                    ("AllowHeaders", "Allow-Headers"),
                    ("AllowMethods", "Allow-Methods"),
                    ("MaxAge", "Max-Age"),
                    ("AllowCredentials", "Allow-Credentials"),
                )
                if key in cors
            }
            if cors
            else None
        ),
        default_authorizer=auth.get("DefaultAuthorizer"),
        authorizer_pool_arns={name: str(spec["UserPoolArn"]) for name, spec in authorizers.items()},
        gateway_responses=resolved("GatewayResponses", {}),
        models=resolved("Models", {}),
        throttles=tuple(
            Throttle(
                resource_path=setting.get("ResourcePath", "/*"),
                http_method=setting.get("HttpMethod", "*"),
                rate=float(setting.get("ThrottlingRateLimit", 10_000)),
                burst=int(setting.get("ThrottlingBurstLimit", 5_000)),
            )
            for setting in resolved("MethodSettings", [])
            if "ThrottlingRateLimit" in setting or "ThrottlingBurstLimit" in setting
        ),
    )


def model_applies(content_type: str | None) -> bool:
    """Whether the gateway checks the body against the route's model: SAM declares it for application/json,
    and a request without a Content-Type counts as JSON. Any other type passes unchecked, on AWS too, so
    the function must refuse it itself."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type in ("", "application/json")


def validation_errors(schema: dict[str, Any], raw: bytes) -> str | None:
    """None if the body fits the model; else the gateway's validationErrorString, e.g. "[... ]". Like
    API Gateway's, its messages quote the input: a gateway response must not include it (see template)."""
    try:
        readings = body_readings(raw.decode("utf-8") if raw else "")
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested deeper than a parser goes
        return "[Invalid JSON in request body]"
    errors = sorted(
        (error for body in readings for error in GatewayValidator(schema).iter_errors(body)),
        key=lambda error: list(error.path),
    )
    if not errors:
        return None
    return "[" + ", ".join(_describe(error) for error in errors) + "]"


def _describe(error: Any) -> str:
    where = "/".join(str(part) for part in error.path)
    return f"{where}: {error.message}" if where else str(error.message)


class LocalApi:
    """The WSGI app; ``invoke(function_logical_id, event)`` runs a function and returns its proxy answer."""

    def __init__(
        self,
        settings: ApiSettings,
        invoke: Invoke,
        authorizers: dict[str, CognitoAuthorizer],
        *,
        routes: Iterable[Route] | None = None,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = print,
        observer: "Observer | None" = None,
        api_name: str = "",
    ) -> None:
        self.settings, self.invoke, self.authorizers, self.log = settings, invoke, authorizers, log
        self.observer, self.api_name = observer, api_name
        self.routes = tuple(routes) if routes is not None else api_routes()
        self.buckets = {
            throttle: TokenBucket(throttle.rate, throttle.burst, clock) for throttle in settings.throttles
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            response = self._observed(environ)
        except Exception:  # a request this emulation cannot take: a gateway answer, never an HTML page
            self.log(f"[api] the local gateway failed:\n{traceback.format_exc()}")
            response = self.gateway_response("DEFAULT_5XX")
        answer: Iterable[bytes] = response(environ, start_response)
        return answer

    def _observed(self, environ: dict[str, Any]) -> Response:
        """The gateway's answer, inside API Gateway's own trace segment when traces are collected: its
        trace header replaces the caller's on the way in, and the caller gets its root back."""
        if self.observer is None:
            return self.handle(Request(environ))
        with self.observer.api_request(
            self.api_name,
            self.settings.stage,
            environ.get("REQUEST_METHOD", ""),
            environ.get("PATH_INFO", ""),
            environ.get("HTTP_X_AMZN_TRACE_ID"),
        ) as segment:
            environ["HTTP_X_AMZN_TRACE_ID"] = segment["trace_header"]
            response = self.handle(Request(environ))
            segment["status"] = response.status_code
        response.headers["X-Amzn-Trace-Id"] = f"Root={segment['trace_id']}"
        return response

    def gateway_response(self, kind: str, **context: str) -> Response:
        """An answer the gateway gives itself, shaped by the GatewayResponses of the template (with CORS)."""
        status, message = GATEWAY_RESPONSES[kind]
        family = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        declared = (
            self.settings.gateway_responses.get(kind) or self.settings.gateway_responses.get(family) or {}
        )
        status = int(declared.get("StatusCode", status))
        headers = {
            name: _unquote(value)
            for name, value in declared.get("ResponseParameters", {}).get("Headers", {}).items()
        }
        template = declared.get("ResponseTemplates", {}).get("application/json")
        if template is None:
            body = json.dumps({"message": message})
        else:
            # messageString is the quoted message (API Gateway's own definition); the others are raw.
            body = (
                template.replace("$context.error.messageString", json.dumps(message))
                .replace("$context.error.message", message)
                .replace("$context.error.responseType", kind)
                .replace(
                    "$context.error.validationErrorString",
                    json.dumps(context.get("validation", ""))[1:-1],
                )
            )
        return Response(body, status=status, headers=headers, content_type="application/json")

    def _preflight(self, path: str) -> Response | None:
        if self.settings.cors is None or not any(
            route.match(route.method, path) is not None for route in self.routes
        ):
            return None
        return Response(status=200, headers=self.settings.cors, content_type="application/json")

    def _authorizer(self, route: Route) -> CognitoAuthorizer | None:
        name = route.authorizer or self.settings.default_authorizer
        return None if name in (None, "NONE") else self.authorizers[str(name)]

    def handle(self, request: Request) -> Response:
        raw = request.stream.read(MAX_PAYLOAD_BYTES + 1)
        if len(raw) > MAX_PAYLOAD_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE")
        if request.method == "OPTIONS":
            preflight = self._preflight(request.path)
            if preflight is not None:
                return preflight
        found = find_route(request.method, request.path, self.routes)
        if found is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
        route, parameters = found
        if any(not bucket.take() for throttle, bucket in self.buckets.items() if throttle.applies_to(route)):
            return self.gateway_response("THROTTLED")
        claims: dict[str, str] = {}
        authorizer = self._authorizer(route)
        if authorizer is not None:
            verified = authorizer.claims(request.headers.get("Authorization"))
            if verified is None:
                return self.gateway_response("UNAUTHORIZED")
            claims = verified
        if route.request_model and model_applies(request.headers.get("Content-Type")):
            problems = validation_errors(self.settings.models[route.request_model], raw)
            if problems is not None:
                return self.gateway_response("BAD_REQUEST_BODY", validation=problems)
        # A text body that is not UTF-8 reaches a function with replacement characters, which the models
        # should refuse; binary media types, which would arrive base64-encoded, are not set.
        body = raw.decode("utf-8", errors="replace") or None
        event = proxy_event(
            route,
            request.path,
            parameters,
            claims=claims,
            stage=self.settings.stage,
            body=body,
            multi_value_headers={name: request.headers.getlist(name) for name, _ in request.headers},
            multi_value_query={name: request.args.getlist(name) for name in request.args},
            source_ip=request.remote_addr or "127.0.0.1",
        )
        try:
            status, headers, answer = proxy_response(self.invoke(route.function, event))
        except Exception:  # a function error or a malformed answer: API Gateway answers 502
            self.log(f"[api] {route.function} failed:\n{traceback.format_exc()}")
            return self.gateway_response("DEFAULT_5XX")
        return Response(answer, status=status, headers=Headers(list(headers.items())))
