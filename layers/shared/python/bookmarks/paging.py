"""Pagination cursors: opaque to clients, and unable to reach outside the caller's own listing.

A cursor carries only the last id the caller saw; the persistence module rebuilds the start key inside
the caller's partition, so a cursor copied from another user's listing reads nothing of theirs.
"""

import base64
import binascii
import json
import re

from bookmarks.errors import InvalidInput, Problem
from bookmarks.ids import is_bookmark_id

_CURSOR_VERSION = 1


def encode_cursor(last_id: str) -> str:
    payload = json.dumps({"v": _CURSOR_VERSION, "after": last_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The id to continue after; raises InvalidInput for anything this module did not write."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        last_id = payload["after"]
        valid = payload["v"] == _CURSOR_VERSION and isinstance(last_id, str) and is_bookmark_id(last_id)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
        valid = False
    if not valid:
        raise InvalidInput("The cursor is not one this API gave out.", [Problem("cursor", "is not valid")])
    return str(last_id)


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


# A team-list position: when the bookmark was published (as Step Functions writes its clock), then its id.
_TEAM_POSITION = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)#[0-9A-Z]{26}$")


def encode_team_cursor(position: str) -> str:
    """A cursor into the team list: the position of the last bookmark seen, nothing of its owner."""
    payload = json.dumps({"v": _CURSOR_VERSION, "team_after": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_team_cursor(cursor: str) -> str:
    """The team-list position to continue after; raises InvalidInput for what this module did not write."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = payload["team_after"]
        valid = (
            payload["v"] == _CURSOR_VERSION
            and isinstance(position, str)
            and bool(_TEAM_POSITION.fullmatch(position))
            and is_bookmark_id(position.rsplit("#", 1)[1])
        )
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
        valid = False
    if not valid:
        raise InvalidInput("The cursor is not one this API gave out.", [Problem("cursor", "is not valid")])
    return str(position)
