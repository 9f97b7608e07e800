"""Pagination cursors: opaque to clients, and unable to reach outside the caller's own listing.

A cursor carries only the last id the caller saw; the persistence module rebuilds the start key inside
the caller's partition, so a cursor copied from another user's listing reads nothing of theirs. Each
position has one spelling: a cursor is read only if writing its position again gives the very same text
(no second base64 spelling, no extra key, no `true` for the version), and the empty cursor, which clients
send for "no cursor yet", means the first page.
"""

import base64
import binascii
import json
import re
from collections.abc import Callable

from bookmarks.errors import InvalidInput, Problem
from bookmarks.ids import is_bookmark_id

_CURSOR_VERSION = 1


def _encode(field: str, value: str) -> str:
    payload = json.dumps({"v": _CURSOR_VERSION, field: value}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str, field: str, is_valid: Callable[[str], bool]) -> str | None:
    """The value a cursor of this module carries in ``field`` (None for the empty cursor: the first page);
    raises InvalidInput for anything this module would not have written."""
    if cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        value = payload[field]
        valid = isinstance(value, str) and is_valid(value) and _encode(field, value) == cursor
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError, RecursionError):
        valid = False
    if not valid:
        raise InvalidInput("The cursor is not one this API gave out.", [Problem("cursor", "is not valid")])
    return str(value)


def encode_cursor(last_id: str) -> str:
    return _encode("after", last_id)


def decode_cursor(cursor: str) -> str | None:
    """The id to continue after (None for the empty cursor); raises InvalidInput for anything this module
    did not write."""
    return _decode(cursor, "after", is_bookmark_id)


# What a cursor looks like, for the OpenAPI document: unpadded URL-safe base64, at most this long.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$(?!\n)"
MAX_CURSOR_LENGTH = len(encode_cursor("0" * 26))


def page_size(raw: str | None, default: int, maximum: int) -> int:
    """The ``limit`` query parameter as a number in 1..maximum; raises InvalidInput otherwise."""
    if raw is None:
        return default
    # ASCII only: str.isdigit also accepts "²" (which int() refuses) and other scripts' digits.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise InvalidInput(
            f"limit must be a whole number from 1 to {maximum}.", [Problem("limit", f"must be 1..{maximum}")]
        )
    return int(raw)


# feature: workflow
# A team-list position: when the bookmark was published (as Step Functions writes its clock), then its id.
# ASCII digits only: Python's \d also matches other scripts' digits (Arabic-Indic, Devanagari...).
_TEAM_POSITION = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|\+00:00)#[0-9A-Z]{26}"
)
# The longest position: nanoseconds and a "+00:00" offset.
MAX_TEAM_CURSOR_LENGTH = len(_encode("team_after", f"2026-01-01T00:00:00.000000000+00:00#{'0' * 26}"))


def encode_team_cursor(position: str) -> str:
    """A cursor into the team list: the position of the last bookmark seen, nothing of its owner."""
    return _encode("team_after", position)


def decode_team_cursor(cursor: str) -> str | None:
    """The team-list position to continue after (None for the empty cursor); raises InvalidInput for
    what this module did not write."""
    return _decode(cursor, "team_after", _is_team_position)


def _is_team_position(position: str) -> bool:
    return bool(_TEAM_POSITION.fullmatch(position)) and is_bookmark_id(position.rsplit("#", 1)[1])


def encode_review_cursor(submitted_at: str, bookmark_id: str) -> str:
    """A cursor into the review queue: when the last review seen was submitted, and its bookmark's id."""
    return _encode("review_after", f"{submitted_at}#{bookmark_id}")


# The longest cursor encode_review_cursor writes (docs/openapi.json gives it as the cursor's maxLength).
MAX_REVIEW_CURSOR_LENGTH = len(encode_review_cursor("2026-01-01T00:00:00.000000000+00:00", "0" * 26))


def decode_review_cursor(cursor: str) -> tuple[str, str] | None:
    """The submission time and bookmark id to continue after (None for the empty cursor); raises
    InvalidInput for what this module did not write. A queue position has the team list's shape: a time,
    then an id."""
    position = _decode(cursor, "review_after", _is_team_position)
    if position is None:
        return None
    submitted_at, bookmark_id = position.rsplit("#", 1)
    return submitted_at, bookmark_id


# end feature: workflow
