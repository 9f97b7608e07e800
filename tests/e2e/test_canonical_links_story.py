"""Canonical links through the publishing workflow over HTTP (issue 26): the duplicate check compares
canonical forms, and a moderator sees the ASCII form of a host written in other characters."""

import uuid
from typing import Any

from tests.e2e.conftest import wait_for
from tests.e2e.http import Api
from tests.local_stack import Target


def _unique_host() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def _status(api: Api, bookmark_id: str) -> str | None:
    answer = api.request("GET", f"/bookmarks/{bookmark_id}")
    return answer.body.get("contest_status") if answer.status == 200 else None


def test_the_same_link_in_unicode_and_punycode_with_and_without_escapes_is_a_duplicate(
    target: Target,
) -> None:
    alice, bob = target.signed_in(), target.signed_in()
    host = _unique_host()
    first = alice.create(url=f"https://{host}.bücher.example.com/page", name="First", shared=True)
    wait_for(lambda: _status(alice, first["id"]) not in (None, "none", "entering"), timeout=60)

    # The host in punycode and upper case, the default port, "p" percent-encoded, a fragment.
    spelt_otherwise = f"https://{host.upper()}.xn--bcher-kva.EXAMPLE.com:443/%70age#top"
    second = bob.create(url=spelt_otherwise, name="Second", shared=True)

    assert wait_for(
        lambda: _status(bob, second["id"]) in {"duplicate", "invalid", "approved", "rejected"}, 60
    )
    assert _status(bob, second["id"]) == "duplicate"


def test_a_moderator_sees_the_ascii_form_of_a_look_alike_host(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=("moderators",))
    host = _unique_host()
    shared = alice.create(url=f"https://{host}.ex\u0430mple.com/", name="Look-alike", shared=True)

    def queued() -> dict[str, Any] | None:
        items = moderator.request("GET", "/reviews").body["items"]
        return next((item for item in items if item["bookmark"]["id"] == shared["id"]), None)

    item = wait_for(queued, timeout=60)
    assert item["bookmark"]["url"] == shared["url"]
    assert item["ascii_host"] == f"{host}.xn--exmple-4nf.com"
