"""Runtime settings, read from the environment on first use (never at import time).

Each setting is read only when asked for, so a function needs only the variables it uses: the stream
function has the bus and no table, the contest function the table and no CORS origin.
"""

import os
from functools import cache, cached_property


class Settings:
    """The function's settings; a missing variable fails its first use loudly, not with a None later."""

    @cached_property
    def bookmarks_table_name(self) -> str:
        return os.environ["BOOKMARKS_TABLE_NAME"]

    @cached_property
    def idempotency_ttl_seconds(self) -> int:
        return int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", "86400"))

    @cached_property
    def allowed_origin(self) -> str:
        return os.environ["ALLOWED_ORIGIN"]

    @cached_property
    def bookmarks_bus_name(self) -> str:
        return os.environ["BOOKMARKS_BUS_NAME"]

    @cached_property
    def bookmarks_event_source(self) -> str:
        """The domain events' source: the template's AppName, which the rules' patterns match too."""
        return os.environ["BOOKMARKS_EVENT_SOURCE"]

    @cached_property
    def contest_runs(self) -> bool:
        """Whether sharing enters the contest: the template sets BOOKMARKS_CONTEST=enabled on the store
        function while it has the contest's function, and without it a shared bookmark stays at ``none``.
        Any other value is a typo, not a choice."""
        value = os.environ.get("BOOKMARKS_CONTEST")
        if value not in (None, "enabled"):
            raise ValueError(f"BOOKMARKS_CONTEST is {value!r}: set it to enabled, or leave it out")
        return value == "enabled"

    # feature: workflow
    @cached_property
    def reviews_table_name(self) -> str:
        """Only the review function reads the reviews table."""
        return os.environ["REVIEWS_TABLE_NAME"]

    # end feature: workflow


@cache
def settings() -> Settings:
    return Settings()
