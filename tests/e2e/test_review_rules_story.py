"""The review rules as users meet them over HTTP, with real tokens of the stack's user pool: an invited
user's first sign-in and their display name, only a verified email shares, four eyes, deletion ends the
review, and a queue that pages."""

import json
import uuid
from typing import Any

from tests.e2e.conftest import wait_for
from tests.e2e.http import Api, eventually
from tests.local_stack import PASSWORD, Target

MODERATORS = ("moderators",)


def _unique_url() -> str:
    return f"https://e2e-{uuid.uuid4().hex[:10]}.example.com/page"


def _invite(target: Target, *, verified: bool = True, groups: tuple[str, ...] = ()) -> tuple[str, str]:
    """An invited user, as an administrator creates one: a temporary password only. Returns the email and
    the temporary password."""
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
    temporary = "Tmp-" + uuid.uuid4().hex[:12] + "!A1"
    cognito = target.cognito()
    cognito.admin_create_user(
        UserPoolId=target.user_pool_id,
        Username=email,
        TemporaryPassword=temporary,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": str(verified).lower()},
        ],
        MessageAction="SUPPRESS",
    )
    target.created_users.append(email)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=target.user_pool_id, Username=email, GroupName=group)
    return email, temporary


def _first_sign_in(target: Target, email: str, temporary: str) -> dict[str, Any]:
    """What the web client does on an invited user's first sign-in: the new-password challenge."""
    cognito = target.cognito()
    challenge = cognito.initiate_auth(
        ClientId=target.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": temporary},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = cognito.respond_to_auth_challenge(
        ClientId=target.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": PASSWORD},
    )
    return dict(answer["AuthenticationResult"])


def _named(target: Target, display_name: str, groups: tuple[str, ...] = ()) -> Api:
    """A signed-in user who chose ``display_name`` as the web client sets it: UpdateUserAttributes with
    their own access token, then a fresh ID token that carries it."""
    email, temporary = _invite(target, groups=groups)
    tokens = _first_sign_in(target, email, temporary)
    target.cognito().update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": display_name}]
    )
    return target.api(target.id_token(email))


def _queue(moderator: Api, limit: int = 100) -> list[dict[str, Any]]:
    """Every review on the queue, oldest first, page by page (bounded)."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        path = f"/reviews?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = moderator.request("GET", path)
        assert answer.status == 200, answer.body
        items += answer.body["items"]
        cursor = answer.body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the review queue never ended")


def _queue_ids(moderator: Api, limit: int = 100) -> list[str]:
    return [item["bookmark"]["id"] for item in _queue(moderator, limit)]


def _queued(moderator: Api, bookmark_id: str) -> dict[str, Any] | None:
    return next((item for item in _queue(moderator) if item["bookmark"]["id"] == bookmark_id), None)


def test_an_invited_user_sets_a_password_then_a_display_name_that_the_team_list_shows_not_the_email(
    target: Target,
) -> None:
    email, temporary = _invite(target)
    tokens = _first_sign_in(target, email, temporary)
    target.cognito().update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": "Ana from support"}]
    )
    ana = target.api(target.id_token(email))
    moderator = target.signed_in(groups=MODERATORS)

    shared = ana.create(url=_unique_url(), name="Runbook", shared=True)
    wait_for(lambda: _queued(moderator, shared["id"]), timeout=120)
    assert moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"}).status == 200
    team = wait_for(
        lambda: next(
            (
                i
                for i in ana.request("GET", "/team/bookmarks?limit=100").body["items"]
                if i["id"] == shared["id"]
            ),
            None,
        ),
        timeout=120,
    )

    assert target.api(tokens["IdToken"]).request("GET", "/bookmarks").status == 200
    assert team["shared_by"] == "Ana from support"
    assert email not in json.dumps(team)


def test_an_unverified_email_may_keep_bookmarks_but_not_share_or_moderate(target: Target) -> None:
    email, temporary = _invite(target, verified=False, groups=MODERATORS)
    unverified = target.api(_first_sign_in(target, email, temporary)["IdToken"])

    shared = unverified.request("POST", "/bookmarks", {"url": _unique_url(), "name": "Mine", "shared": True})
    private = unverified.request("POST", "/bookmarks", {"url": _unique_url(), "name": "Mine"})
    reviews = unverified.request("GET", "/reviews")

    assert shared.status == 403
    assert "verified email" in shared.body["message"]
    assert private.status == 201
    assert reviews.status == 403


def test_a_moderator_sees_their_own_submission_but_only_another_moderator_decides_it(target: Target) -> None:
    sharing_moderator = _named(target, "Mo", groups=MODERATORS)
    other = target.signed_in(groups=MODERATORS)
    shared = sharing_moderator.create(url=_unique_url(), name="My own find", shared=True)

    own_view = wait_for(lambda: _queued(sharing_moderator, shared["id"]), timeout=120)
    refused = sharing_moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"})
    others_view = _queued(other, shared["id"])
    decided = other.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"})

    assert own_view["yours"] is True
    assert refused.status == 403
    assert "another moderator" in refused.body["message"]
    assert others_view is not None
    assert others_view["yours"] is False
    assert decided.status == 200


def test_deleting_a_bookmark_in_review_takes_it_off_the_queue_and_a_decision_gets_409(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=MODERATORS)
    shared = alice.create(url=_unique_url(), name="Soon gone", shared=True)
    wait_for(lambda: _queued(moderator, shared["id"]), timeout=120)

    assert alice.request("DELETE", f"/bookmarks/{shared['id']}").status == 204
    wait_for(lambda: _queued(moderator, shared["id"]) is None, timeout=120)
    decision = moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"})

    assert decision.status == 409
    assert "deleted or unshared" in decision.body["message"]


def test_the_review_queue_pages_with_a_cursor_and_misses_nobody(target: Target) -> None:
    users = [target.signed_in() for _ in range(2)]
    moderator = target.signed_in(groups=MODERATORS)
    shared = [
        user.create(url=_unique_url(), name=f"Link {n}", shared=True)["id"]
        for n, user in enumerate(users * 2)
    ]

    def all_queued() -> bool:
        return set(shared) <= set(_queue_ids(moderator))

    if not wait_for_or_none(all_queued, timeout=120):
        statuses = [users[n % 2].request("GET", f"/bookmarks/{i}").body for n, i in enumerate(shared)]
        raise AssertionError(f"not all queued: {[b.get('contest_status') for b in statuses]}")
    paged = _queue(moderator, limit=1)

    assert set(shared) <= {item["bookmark"]["id"] for item in paged}
    assert len(paged) == len({item["bookmark"]["id"] for item in paged})
    assert [item["submitted_at"] for item in paged] == sorted(item["submitted_at"] for item in paged)


def test_an_edit_in_review_is_a_new_version_and_a_decision_on_the_old_one_gets_409(target: Target) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=MODERATORS)
    shared = alice.create(url=_unique_url(), name="First words", shared=True)
    old = wait_for(lambda: _queued(moderator, shared["id"]), timeout=120)

    alice.request("PUT", f"/bookmarks/{shared['id']}", {"name": "Second words"})
    new = wait_for(
        lambda: (
            (found := _queued(moderator, shared["id"]))
            and found["submitted_at"] != old["submitted_at"]
            and found
        ),
        timeout=120,
    )
    stale = moderator.request(
        "POST", f"/reviews/{shared['id']}", {"decision": "approve", "version": old["submitted_at"]}
    )
    current = moderator.request(
        "POST", f"/reviews/{shared['id']}", {"decision": "approve", "version": new["submitted_at"]}
    )
    listed = wait_for(lambda: _team_item(alice, shared["id"]), timeout=120)

    assert new["bookmark"]["name"] == "Second words"
    assert stale.status == 409
    assert current.status == 200
    assert listed["name"] == "Second words"


def test_an_edit_of_a_published_bookmark_leaves_the_approved_version_on_the_team_list_until_approved(
    target: Target,
) -> None:
    alice, moderator = target.signed_in(), target.signed_in(groups=MODERATORS)
    shared = alice.create(url=_unique_url(), name="Approved words", shared=True)
    wait_for(lambda: _queued(moderator, shared["id"]), timeout=120)
    assert moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"}).status == 200
    wait_for(lambda: _team_item(alice, shared["id"]), timeout=120)

    alice.request("PUT", f"/bookmarks/{shared['id']}", {"name": "Unreviewed words"})
    new = wait_for(lambda: _queued(moderator, shared["id"]), timeout=120)
    meanwhile = _team_item(alice, shared["id"])
    moderator.request(
        "POST", f"/reviews/{shared['id']}", {"decision": "approve", "version": new["submitted_at"]}
    )
    listed = wait_for(
        lambda: (item := _team_item(alice, shared["id"])) and item["name"] == "Unreviewed words" and item,
        timeout=120,
    )

    assert meanwhile is not None
    assert meanwhile["name"] == "Approved words"
    assert listed["contest_status"] == "approved"


def _team_item(api: Api, bookmark_id: str) -> dict[str, Any] | None:
    items = api.request("GET", "/team/bookmarks?limit=100").body["items"]
    return next((item for item in items if item["id"] == bookmark_id), None)


def wait_for_or_none(condition: Any, timeout: float) -> Any:
    """``condition``'s first truthy answer within ``timeout`` seconds, or None (the caller says why)."""
    return eventually(condition, timeout=timeout)
