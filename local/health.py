"""Whether the local stack's triggers are making progress: each trigger reports here after every poll, and
`GET /__local/health` on the API port answers 200 while all are healthy, 503 naming the ones that are not.

A trigger that cannot proceed (a stream that no longer exists, a queue it cannot read) must never be
silent: AWS would show it as a growing iterator age or a failing mapping, and the user would see it on an
alarm. Locally, this check and the log line are what the user and the tests look at.
"""

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

HEALTH_PATH = "/__local/health"

Log = Callable[[str], None]


class Health:
    """The last state each trigger reported: healthy, or the reason it cannot proceed."""

    def __init__(self, log: Log = print) -> None:
        self.log = log
        self._problems: dict[str, str] = {}
        self._triggers: set[str] = set()
        self._lock = threading.Lock()

    def ok(self, trigger: str) -> None:
        """``trigger`` just made progress (or had nothing to do)."""
        with self._lock:
            self._triggers.add(trigger)
            recovered = self._problems.pop(trigger, None)
        if recovered is not None:
            self.log(f"{trigger}: recovered after: {recovered}")

    def failing(self, trigger: str, reason: str) -> None:
        """``trigger`` cannot proceed; logged as an error once per distinct reason, not once per poll."""
        with self._lock:
            self._triggers.add(trigger)
            known = self._problems.get(trigger)
            self._problems[trigger] = reason
        if known != reason:
            self.log(f"ERROR {trigger} cannot proceed: {reason}")

    @property
    def healthy(self) -> bool:
        with self._lock:
            return not self._problems

    def report(self) -> dict[str, Any]:
        """The body of the health check: every trigger that reported, and the reasons of failing ones."""
        with self._lock:
            return {
                "healthy": not self._problems,
                "triggers": {name: self._problems.get(name, "ok") for name in sorted(self._triggers)},
            }


def with_health_check(app: Callable[..., Iterable[bytes]], health: Health) -> Callable[..., Iterable[bytes]]:
    """``app`` (the local API) plus `GET /__local/health`; API Gateway has no such path, so it cannot hide a
    route of the template."""

    def serve(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH or environ.get("REQUEST_METHOD") != "GET":
            return app(environ, start_response)
        report = health.report()
        body = json.dumps(report, indent=2).encode() + b"\n"
        status = "200 OK" if report["healthy"] else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return serve
