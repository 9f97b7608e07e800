"""The event pipeline keeps delivering whatever the writes before: a cancelled transaction (a repeated
Idempotency-Key) once stopped the local stream for good, silently; it must not, and on the local stack
the health check must say every trigger is making progress."""

import json
import urllib.error
import urllib.request
import uuid

from tests.e2e.conftest import wait_for
from tests.e2e.http import Api
from tests.local_stack import Target


def _entered(api: Api, bookmark_id: str) -> bool:
    answer = api.request("GET", f"/bookmarks/{bookmark_id}")
    return answer.status == 200 and answer.body.get("contest_status") not in ("none", "entering")


def _unique_url() -> str:
    return f"https://e2e-{uuid.uuid4().hex[:10]}.example.com/page"


def _health(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the local stack's own check)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_repeated_idempotency_key_does_not_stop_later_shares_from_being_entered(target: Target) -> None:
    alice = target.signed_in()
    first = alice.create(url=_unique_url(), name="Before", shared=True)
    wait_for(lambda: _entered(alice, first["id"]), timeout=60)
    key, body = uuid.uuid4().hex, {"url": _unique_url(), "name": "Retried", "shared": False}

    answers = [alice.request("POST", "/bookmarks", body, headers={"Idempotency-Key": key}) for _ in "12"]
    later = alice.create(url=_unique_url(), name="After", shared=True)

    assert [answer.status for answer in answers] == [201, 201]
    assert answers[0].body["id"] == answers[1].body["id"]
    assert wait_for(lambda: _entered(alice, later["id"]), timeout=60)
    if target.health_url:  # only the local stack has one; on AWS, the stream's iterator-age alarm
        status, report = _health(target.health_url)
        assert (status, report["healthy"]) == (200, True), report
