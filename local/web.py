"""The web client's side of the local stack: a small static server for its folder (local.toml's [web]) that
answers config.json from memory and the same security headers CloudFront adds when deployed."""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from local.console import Console


def content_security_policy(connect_sources: Iterable[str]) -> str:
    """The client's CSP: its own files only, and fetch to itself, the API and Cognito. template.yaml's
    WebResponseHeadersPolicy says the same (tests/unit/test_web.py keeps them equal)."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src " + " ".join(["'self'", *connect_sources]),
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class WebClient:
    """WSGI app: web/'s files, config.json from memory, and the deployed security headers (minus HSTS,
    which a plain-HTTP origin cannot set)."""

    def __init__(self, config: dict[str, Any], root: Path, console: "Console | None" = None) -> None:
        self.config, self.root, self.console = config, root, console
        self.headers = {
            "Content-Security-Policy": content_security_policy(
                [config["api_url"], config["cognito_endpoint"].rstrip("/")]
            ),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cache-Control": "no-cache",
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answer: Iterable[bytes] = self.handle(Request(environ))(environ, start_response)
        return answer

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            response = Response("Method not allowed\n", status=405, headers={"Allow": "GET, HEAD"})
        elif request.path == "/config.json":
            # The app links to the observability view only where one is served (make local, never AWS).
            config = {**self.config, "observability_url": "/observability"} if self.console else self.config
            response = Response(json.dumps(config, indent=2), content_type="application/json")
        elif self.console is not None and request.path.startswith("/observability"):
            response = self.observability(request)
        else:
            path = request.path.lstrip("/") or "index.html"
            try:
                response = send_from_directory(self.root, path, request.environ)
            except NotFound:
                response = Response("Not found\n", status=404, content_type="text/plain")
        response.headers.update(self.headers)
        return response

    def observability(self, request: Request) -> Response:
        """The local stack's read-only observability console (local/console.py); never deployed."""
        from local.console import STYLESHEET

        assert self.console is not None
        if request.path == "/observability":
            page = self.console.page(request.args.get("trace"))
            return Response(page, content_type="text/html; charset=utf-8")
        if request.path == "/observability.css":
            return Response(STYLESHEET, content_type="text/css")
        document = self.console.document(request.path.removeprefix("/observability/"))
        if document is None:
            return Response("Not found\n", status=404, content_type="text/plain")
        return Response(json.dumps(document, default=str), content_type="application/json")
