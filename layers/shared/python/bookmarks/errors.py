"""Domain errors: each names an outcome. They know nothing of HTTP; each trigger maps them in one place."""

from dataclasses import dataclass


class BookmarksError(Exception):
    """Base of every error the domain raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a dotted field path) and what."""

    field: str
    problem: str


class InvalidInput(BookmarksError):
    """The caller sent something malformed; ``problems`` says which field and why."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class NotJson(BookmarksError):
    """The request says its body is something other than JSON (a form, plain text): it is never read."""


class RequestTooLarge(BookmarksError):
    """The body is larger than any valid request could be; it is refused before it is parsed."""


class BookmarkNotFound(BookmarksError):
    """The owner has no bookmark with that id (also what another user's bookmark looks like)."""


class IdempotencyKeyReused(BookmarksError):
    """An Idempotency-Key came back with a different request than the one it first created."""


class SubmittedUrlLocked(BookmarksError):
    """A bookmark entered in the contest keeps the URL it was submitted with."""


class Contended(BookmarksError):
    """Other writers kept changing the item faster than this request could apply its change; nothing was
    written, and the same request may simply be sent again a moment later."""


class Unauthenticated(BookmarksError):
    """The request reached the function without verified claims (a misconfigured route)."""


class EmailNotVerified(BookmarksError):
    """Sharing (and reviewing others' links) needs a verified email: the pool has not confirmed this
    caller's address."""


# feature: workflow
class NotAModerator(BookmarksError):
    """Only members of the moderators group may see or decide reviews."""


class AlreadyDecided(BookmarksError):
    """The review was decided already (by a moderator, or by its timeout)."""


class OwnSubmission(BookmarksError):
    """A moderator tried to decide a bookmark they shared themselves: another moderator must."""


class VersionChanged(BookmarksError):
    """The owner edited the bookmark since the moderator saw it: the decision was on a version that is no
    longer current, and the new version waits for its own review."""


class ReviewEnded(BookmarksError):
    """The bookmark under review was deleted or unshared: its review ended, there is nothing to decide."""


# end feature: workflow


class UnreadableChange(BookmarksError):
    """A table change that cannot become a domain event (a malformed record or bookmark item)."""
