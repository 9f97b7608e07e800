"""Bookmark ids: unguessable (80 random bits) yet sortable by creation time (48-bit millisecond prefix).

Sorting by id is sorting by age, so a user's partition, keyed by id, lists newest first in one Query.
"""

import re
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
# Matched whole (fullmatch): a `$` would also take the id with a newline after it.
_ID_PATTERN = re.compile(f"[{_ALPHABET}]{{26}}")


def new_bookmark_id(now_ms: int | None = None) -> str:
    """A 26-character id: 10 characters of timestamp, then 16 of randomness."""
    timestamp = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (timestamp << 80) | secrets.randbits(80)
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_bookmark_id(candidate: object) -> bool:
    """Whether ``candidate`` is a string in the one spelling this module writes (upper case, 26 long)."""
    return isinstance(candidate, str) and bool(_ID_PATTERN.fullmatch(candidate))
