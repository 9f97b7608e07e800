"""A small HTTP client for the API (urllib: no extra dependency) and a bounded poll."""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class Api:
    """Calls the API as a browser or CLI would: JSON, the raw ID token in Authorization."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> Answer:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = self.token
        request = urllib.request.Request(  # noqa: S310 (the API under test)
            self.base_url + path,
            method=method,
            data=data.encode() if data is not None else None,
            headers=sent,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                status, received, text = answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            status, received, text = error.code, dict(error.headers), error.read().decode()
        return Answer(status, received, json.loads(text) if text else None)

    def create(self, **fields: Any) -> dict[str, Any]:
        answer = self.request(
            "POST", "/bookmarks", {"url": "https://example.com/e2e", "name": "E2E", **fields}
        )
        assert answer.status == 201, answer.body
        created: dict[str, Any] = answer.body
        return created


def eventually(condition: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.2) -> T | None:
    """``condition()`` once truthy, polled every ``interval`` seconds for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result or None
        time.sleep(interval)
