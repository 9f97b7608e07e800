"""The app's clock: how it writes the current time into items and answers."""

from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time as the API writes it: ISO 8601 with milliseconds and a Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
