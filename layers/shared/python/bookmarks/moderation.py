"""The moderators' use cases: see what waits for review, and approve or reject it.

Callers must be moderators (the API checks the verified token's groups first). Decisions resume the
publishing workflow, which records the outcome; nothing here writes a bookmark.
"""

from bookmarks import reviews_table, workflow
from bookmarks.clock import now_iso
from bookmarks.errors import AlreadyDecided, BookmarkNotFound
from bookmarks.ids import is_bookmark_id
from bookmarks.models import MAX_PENDING_REVIEWS, Bookmark, ContestStatus, ReviewDecision, ReviewList


def pending() -> ReviewList:
    """The shared bookmarks waiting for a moderator, oldest first."""
    return ReviewList(items=reviews_table.pending(MAX_PENDING_REVIEWS))


def decide(moderator: str, bookmark_id: str, decision: ReviewDecision) -> Bookmark:
    """Approve or reject a pending review, once: the first moderator claims it, the workflow records the
    outcome. Returns the bookmark with the status being recorded. Raises BookmarkNotFound (no review for
    that id) or AlreadyDecided (decided, or timed out)."""
    if not is_bookmark_id(bookmark_id):
        raise BookmarkNotFound(bookmark_id)
    request = reviews_table.claim(bookmark_id, moderator, now=now_iso())
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
