"""The rules of who may do what, each once, as a named guard: every path (API, workflow, queue view) goes
through these, and each raises a domain error that the API maps to a status in its one place."""

from dataclasses import dataclass
from typing import Any

from bookmarks.errors import EmailNotVerified, OwnSubmission

# feature: workflow
# What a moderator reviews: an edit of any of these in review or on the team list is a new version.
REVIEWED_FIELDS = ("url", "name", "description")
# end feature: workflow


@dataclass(frozen=True)
class Identity:
    """Who a verified token says the caller is: their id (``sub``), whether the pool verified their email,
    and the display name they chose (``name``, shown to others as chosen, never as proof of who they are)."""

    user_id: str
    email_verified: bool
    display_name: str | None = None


def only_a_verified_email_shares(caller: Identity) -> None:
    """Sharing puts a link before the whole team: raises EmailNotVerified unless the pool verified the
    caller's email (with self sign-up open, anyone can create an account; only a confirmed one shares)."""
    if not caller.email_verified:
        raise EmailNotVerified(caller.user_id)


# feature: workflow
def only_a_verified_email_moderates(caller: Identity) -> None:
    """Moderating decides what the team sees: raises EmailNotVerified unless the pool verified the
    caller's email (group membership is an administrator's act, the email check covers a changed address)."""
    if not caller.email_verified:
        raise EmailNotVerified(caller.user_id)


def only_the_approved_version_is_listed(values: dict[str, Any], approved: object) -> dict[str, Any]:
    """What the team list shows of a published bookmark: the fields of the version a moderator approved
    (``approved``, the item as the workflow showed it), never the live ones an edit may have changed
    since; an item approved before versions were kept shows its own."""
    if not isinstance(approved, dict):
        return values
    return values | {field: approved.get(field) for field in REVIEWED_FIELDS} | {"contest_status": "approved"}


def may_decide(moderator: str, submitter: str) -> bool:
    """Whether ``moderator`` may decide a submission of ``submitter``: four eyes, never their own."""
    return moderator != submitter


def a_moderator_never_decides_their_own(moderator: str, submitter: str, bookmark_id: str) -> None:
    """Four eyes: raises OwnSubmission when the moderator shared the bookmark themselves. With a single
    moderator their own submission waits for another one until the review timeout rejects it (the
    submitter is told why)."""
    if not may_decide(moderator, submitter):
        raise OwnSubmission(bookmark_id)


# end feature: workflow
