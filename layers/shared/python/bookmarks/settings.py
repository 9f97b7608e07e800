"""Runtime settings, read from the environment once, on first use (never at import time)."""

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    bookmarks_table_name: str
    idempotency_ttl_seconds: int
    allowed_origin: str
    # Only the review function reads the reviews table; the others leave it empty.
    reviews_table_name: str = ""


@cache
def settings() -> Settings:
    """The function's settings; a missing variable fails the first call loudly, not with a None later."""
    return Settings(
        bookmarks_table_name=os.environ["BOOKMARKS_TABLE_NAME"],
        idempotency_ttl_seconds=int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", "86400")),
        allowed_origin=os.environ["ALLOWED_ORIGIN"],
        reviews_table_name=os.environ.get("REVIEWS_TABLE_NAME", ""),
    )
