"""The moderators' use cases: see what waits for review, a page at a time, and approve or reject it.

Callers must be moderators with a verified email (the API checks the verified token first). Decisions
resume the publishing workflow, which records the outcome; nothing here writes a bookmark. A moderator
never decides their own submission (bookmarks/rules.py).
"""

from bookmarks import paging, reviews_table, rules, workflow
from bookmarks.clock import now_iso
from bookmarks.errors import AlreadyDecided, BookmarkNotFound, ReviewEnded, VersionChanged
from bookmarks.ids import is_bookmark_id
from bookmarks.layout import WITHDRAWN
from bookmarks.models import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Bookmark,
    ContestStatus,
    ReviewDecision,
    ReviewItem,
    ReviewList,
)


def pending(moderator: str, limit: str | None = None, cursor: str | None = None) -> ReviewList:
    """A page of the shared bookmarks waiting for a moderator, oldest first, each saying whether it is the
    caller's own (theirs to see, another moderator's to decide); raises InvalidInput for a bad limit or
    cursor."""
    size = paging.page_size(limit, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    after = paging.decode_review_cursor(cursor) if cursor is not None else None
    queued, more = reviews_table.pending(size, after)
    items = [
        ReviewItem(
            bookmark=review.bookmark,
            submitted_at=review.submitted_at,
            yours=not rules.may_decide(moderator, review.submitter),
        )
        for review in queued
    ]
    cursor_out = None
    if more and queued:
        cursor_out = paging.encode_review_cursor(queued[-1].submitted_at, queued[-1].bookmark.id)
    return ReviewList(items=items, next_cursor=cursor_out)


def decide(moderator: str, bookmark_id: str, decision: ReviewDecision) -> Bookmark:
    """Approve or reject a pending review, once: the first moderator claims it, the workflow records the
    outcome. Returns the bookmark with the status being recorded. Raises BookmarkNotFound (no review for
    that id), OwnSubmission (the moderator shared it), ReviewEnded (deleted or unshared meanwhile),
    VersionChanged (edited since: the decision's ``version`` is not the current one, or a newer version is
    being checked) or AlreadyDecided (decided, or timed out)."""
    if not is_bookmark_id(bookmark_id):
        raise BookmarkNotFound(bookmark_id)
    try:
        request = reviews_table.claim(bookmark_id, moderator, now=now_iso(), version=decision.version)
    except reviews_table.ClaimRefused as refused:
        if refused.state is None:
            raise BookmarkNotFound(bookmark_id) from None
        if refused.state == "pending" and refused.submitter is not None:
            rules.a_moderator_never_decides_their_own(moderator, refused.submitter, bookmark_id)
        if refused.state == WITHDRAWN:
            raise ReviewEnded(bookmark_id) from None
        edited = decision.version is not None and refused.version != decision.version
        if edited or refused.state == "claimed":  # claimed: a newer version is being checked
            raise VersionChanged(bookmark_id) from None
        raise AlreadyDecided(bookmark_id) from None
    try:
        workflow.resume(request.task_token, bookmark_id, decision)
    except AlreadyDecided:
        raise
    except Exception:
        # The workflow still waits: put the review back so that a moderator can try again.
        reviews_table.release(bookmark_id)
        raise
    status = ContestStatus.APPROVED if decision.decision == "approve" else ContestStatus.REJECTED
    return request.bookmark.model_copy(update={"contest_status": status})
