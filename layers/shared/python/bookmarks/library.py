"""The use cases of a user's own bookmarks (create, list, read, change, delete), and the team list's.

Every function takes the owner (the verified token's ``sub``) first: no call can reach past it.
"""

import hashlib
import re

from bookmarks import bookmarks_table, rules
from bookmarks.clock import now_iso
from bookmarks.errors import BookmarkNotFound, IdempotencyKeyReused, InvalidInput, Problem
from bookmarks.ids import is_bookmark_id, new_bookmark_id
from bookmarks.models import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_URL_LENGTH,
    Bookmark,
    BookmarkPage,
    BookmarkPatch,
    ContestStatus,
    LinkCheck,
    NewBookmark,
    TeamPage,
    after_sharing,
)
from bookmarks.paging import decode_cursor, decode_team_cursor, encode_cursor, encode_team_cursor, page_size
from bookmarks.rules import Identity
from bookmarks.settings import settings
from bookmarks.urls import normalise, url_key, web_url_problem

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create(
    owner: str, new: NewBookmark, idempotency_key: str | None = None, caller: Identity | None = None
) -> Bookmark:
    """Save a new bookmark (sharing it enters the contest, while the contest runs; the ``caller``'s chosen
    display name is shown on the team list once it is published). Sharing needs a verified email
    (EmailNotVerified). With an Idempotency-Key, a repeat of the same request returns the first answer and
    writes nothing; raises IdempotencyKeyReused for another body."""
    if new.shared:
        rules.only_a_verified_email_shares(caller or Identity(owner, email_verified=False))
    now = now_iso()
    bookmark = Bookmark(
        id=new_bookmark_id(),
        url=new.url,
        name=new.name,
        description=new.description,
        shared=new.shared,
        contest_status=after_sharing(ContestStatus.NONE, new.shared, contest=settings().contest_runs),
        created_at=now,
        updated_at=now,
    )
    claim = None
    if idempotency_key is not None:
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise InvalidInput(
                "The Idempotency-Key header must be 1 to 128 letters, digits or . _ : -",
                [Problem("Idempotency-Key", "must match [A-Za-z0-9._:-]{1,128}")],
            )
        request_hash = hashlib.sha256(new.model_dump_json().encode()).hexdigest()
        claim = bookmarks_table.IdempotencyClaim(key=idempotency_key, request_hash=request_hash)
    shared_by = caller.display_name if caller is not None and new.shared else None
    earlier = bookmarks_table.put_new(owner, bookmark, claim, shared_by=shared_by)
    if earlier is None:
        return bookmark
    if claim is not None and earlier.request_hash != claim.request_hash:
        raise IdempotencyKeyReused(idempotency_key)
    return earlier.bookmark


def list_for_owner(owner: str, limit: str | None = None, cursor: str | None = None) -> BookmarkPage:
    """A page of the owner's bookmarks, newest first; raises InvalidInput for a bad limit or cursor."""
    size = page_size(limit, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    after_id = decode_cursor(cursor) if cursor is not None else None
    items, more = bookmarks_table.list_page(owner, size, after_id)
    return BookmarkPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


# feature: workflow
def list_team(limit: str | None = None, cursor: str | None = None) -> TeamPage:
    """A page of the team list (approved bookmarks of everyone), newest first; raises InvalidInput for a
    bad limit or cursor. Anyone signed in may read it: it names no owner."""
    size = page_size(limit, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    after = decode_team_cursor(cursor) if cursor is not None else None
    page, more = bookmarks_table.team_page(size, after)
    return TeamPage(
        items=[bookmark for bookmark, _ in page],
        next_cursor=encode_team_cursor(page[-1][1]) if more else None,
    )


# end feature: workflow


def get(owner: str, bookmark_id: str) -> Bookmark:
    """The owner's bookmark; raises BookmarkNotFound (for another user's id too)."""
    return bookmarks_table.get(owner, _known_id(bookmark_id))


def update(owner: str, bookmark_id: str, patch: BookmarkPatch, caller: Identity | None = None) -> Bookmark:
    """Change some fields. Sharing (only with a verified email) enters the contest once (while the contest
    runs), and after an outcome or a withdrawal submits the bookmark again; unsharing withdraws it from
    review or the team list (``after_sharing``). Raises BookmarkNotFound, SubmittedUrlLocked,
    EmailNotVerified, or Contended when other writers keep changing it."""
    bookmark_id = _known_id(bookmark_id)
    if patch.shared:
        rules.only_a_verified_email_shares(caller or Identity(owner, email_verified=False))
    return bookmarks_table.update(
        owner,
        bookmark_id,
        patch,
        now=now_iso(),
        shared_by=caller.display_name if caller is not None and patch.shared else None,
        contest=settings().contest_runs,
    )


def delete(owner: str, bookmark_id: str) -> None:
    """Delete the owner's bookmark; raises BookmarkNotFound."""
    bookmarks_table.delete(owner, _known_id(bookmark_id))


def check_link(owner: str, url: str | None) -> LinkCheck:
    """Whether the owner already saved ``url`` (compared normalised), and whether the team list holds
    it: asked before saving, so the reader is warned. Raises InvalidInput for a missing or non-web URL."""
    if not url:
        raise InvalidInput("The url parameter is required.", [Problem("url", "is required")])
    problem = (
        f"must be at most {MAX_URL_LENGTH} characters" if len(url) > MAX_URL_LENGTH else web_url_problem(url)
    )
    if problem is not None:
        raise InvalidInput(f"The url {problem}.", [Problem("url", problem)])
    key = url_key(url)
    on_team_list = False
    # feature: workflow
    on_team_list = bookmarks_table.team_list_holds(key)
    # end feature: workflow
    return LinkCheck(
        url=normalise(url), mine=bookmarks_table.owners_bookmarks_of(owner, key), on_team_list=on_team_list
    )


def _known_id(bookmark_id: str) -> str:
    # Ids are opaque to callers: one that could never exist is simply not found.
    if not is_bookmark_id(bookmark_id):
        raise BookmarkNotFound(bookmark_id)
    return bookmark_id
