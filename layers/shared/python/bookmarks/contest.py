"""The contest: each shared bookmark is one entry of its owner in the prize draw, counted exactly once."""

from bookmarks import contest_counters
from bookmarks.events import BookmarkShared


def record_entry(shared: BookmarkShared) -> bool:
    """Count the shared bookmark as one entry of its owner, however often the event arrives: True when
    recorded by this call, False when it already was (or the bookmark is no longer entering)."""
    return contest_counters.record_entry(shared.owner, shared.bookmark_id)


def entries(owner: str) -> int:
    """How many entries the owner has in the draw."""
    return contest_counters.entries(owner)
