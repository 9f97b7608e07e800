"""The contest story over HTTP: share, entry, publishing workflow, moderation, team list."""

import uuid
from typing import Any

from tests.e2e.conftest import wait_for
from tests.e2e.http import Api
from tests.local_stack import Target

SETTLED = {"duplicate", "invalid", "approved", "rejected"}


def _status(api: Api, bookmark_id: str) -> str | None:
    answer = api.request("GET", f"/bookmarks/{bookmark_id}")
    return answer.body.get("contest_status") if answer.status == 200 else None


def _unique_url(tld: str = "com") -> str:
    return f"https://e2e-{uuid.uuid4().hex[:10]}.example.{tld}/page"


def test_a_shared_bookmark_is_entered_reviewed_by_a_moderator_and_listed_for_the_team(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=("moderators",))
    shared = alice.create(url=_unique_url(), name="Worth sharing", shared=True)

    wait_for(lambda: _status(alice, shared["id"]) not in (None, "none", "entering"))
    review = wait_for(
        lambda: (
            (answer := moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"})).status
            < 300
            and answer
        ),
        timeout=60,
    )
    approved = wait_for(lambda: _status(alice, shared["id"]) == "approved", timeout=60)
    team = wait_for(
        lambda: shared["id"] in str(alice.request("GET", "/team/bookmarks").body),
        timeout=30,
    )

    assert review
    assert approved
    assert team


def test_a_url_another_user_already_submitted_is_marked_duplicate(target: Target) -> None:
    alice, bob = target.signed_in(), target.signed_in()
    url = _unique_url()
    first = alice.create(url=url, name="First", shared=True)
    wait_for(lambda: _status(alice, first["id"]) not in (None, "none", "entering"), timeout=60)

    second = bob.create(url=url, name="Second", shared=True)

    assert wait_for(lambda: _status(bob, second["id"]) in SETTLED, timeout=60)
    assert _status(bob, second["id"]) == "duplicate"


def test_a_url_outside_the_allowed_top_level_domains_is_marked_invalid(target: Target) -> None:
    alice = target.signed_in()

    shared = alice.create(url=_unique_url(tld="notatld"), name="Odd host", shared=True)

    assert wait_for(lambda: _status(alice, shared["id"]) in SETTLED, timeout=60)
    assert _status(alice, shared["id"]) == "invalid"


def test_an_unshared_bookmark_starts_nothing(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=("moderators",))
    private = alice.create(url=_unique_url(), name="Just for me")
    # Changes are processed in order: once a later shared bookmark is entered, the private one has been
    # seen by the stream function too, and was not entered.
    shared = alice.create(url=_unique_url(), name="For the team", shared=True)
    wait_for(lambda: _status(alice, shared["id"]) not in (None, "none", "entering"), timeout=60)

    assert _status(alice, private["id"]) == "none"
    reviews = wait_for(lambda: (answer := moderator.request("GET", "/reviews")).status == 200 and answer)
    assert private["id"] not in str(reviews.body)


def _team_item(api: Api, bookmark_id: str) -> dict[str, Any] | None:
    # Newest first: a bookmark published moments ago is on the first page.
    items = api.request("GET", "/team/bookmarks?limit=100").body.get("items", [])
    return next((item for item in items if item["id"] == bookmark_id), None)


def _in_review_queue(moderator: Api, bookmark_id: str) -> bool:
    return bookmark_id in str(moderator.request("GET", "/reviews").body)


def test_an_unshared_published_bookmark_is_withdrawn_and_sharing_it_again_resubmits_it(
    target: Target,
) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=("moderators",))
    alice_email = target.created_users[-2]
    shared = alice.create(url=_unique_url(), name="Back and forth", shared=True)
    wait_for(lambda: _in_review_queue(moderator, shared["id"]), timeout=60)
    moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"})
    published = wait_for(lambda: _team_item(alice, shared["id"]), timeout=60)

    alice.request("PUT", f"/bookmarks/{shared['id']}", {"shared": False})
    withdrawn = alice.request("GET", f"/bookmarks/{shared['id']}").body
    alice.request("PUT", f"/bookmarks/{shared['id']}", {"shared": True})
    requeued = wait_for(lambda: _in_review_queue(moderator, shared["id"]), timeout=60)

    # No display name chosen: the team list names nobody, and never shows the email.
    assert (published["shared_by"], published["published_at"][:2]) == (None, "20")
    assert alice_email not in str(published)
    assert withdrawn["contest_status"] == "withdrawn"
    assert withdrawn["decision_reason"] == "its owner unshared it"
    assert _team_item(alice, shared["id"]) is None
    assert requeued
    assert _status(alice, shared["id"]) == "resubmitted"


def test_a_rejected_bookmark_says_why_to_its_owner(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=("moderators",))
    shared = alice.create(url=_unique_url(), name="Off topic", shared=True)
    wait_for(lambda: _in_review_queue(moderator, shared["id"]), timeout=60)

    rejection = {"decision": "reject", "reason": "not about support"}
    moderator.request("POST", f"/reviews/{shared['id']}", rejection)

    wait_for(lambda: _status(alice, shared["id"]) == "rejected", timeout=60)
    assert alice.request("GET", f"/bookmarks/{shared['id']}").body["decision_reason"] == "not about support"
