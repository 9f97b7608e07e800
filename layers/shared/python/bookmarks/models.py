"""The shapes of the bookmarks API: the one source of truth for requests, responses and stored bookmarks.

The gateway's request models in template.yaml are checked against these by tests/unit/test_contract.py.
"""

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from bookmarks.errors import InvalidInput, Problem, RequestTooLarge
from bookmarks.text import has_visible_character
from bookmarks.urls import ascii_host, web_url_problem

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A display name (the user's Cognito ``name``), as others see it next to what they shared.
MAX_DISPLAY_NAME_LENGTH = 64
# feature: workflow
MAX_REASON_LENGTH = 500
# end feature: workflow


# Text rules, as regex character classes written with explicit escapes only: JSON Schema (the gateway,
# schemathesis) reads a pattern as ECMA-262, the function as Python's `re`, and the two disagree on \s, \S,
# \w and \d (\x1c-\x1f and \x85 are whitespace to Python only, \ufeff to ECMA-262 only). Every class stays
# in the Basic Multilingual Plane, so ECMA-262's UTF-16 code units and Python's code points agree.
# Never in any text: C0 and C1 controls (NUL, ANSI escapes, \x85...) and DEL, line and paragraph separators,
# bidirectional embeddings, overrides and isolates (they reorder what a reader sees), the byte-order mark,
# and U+FFFD, which a gateway puts where a body's bytes were not UTF-8 (text it did not get intact).
_HIDDEN_FORMAT = r"\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffd"
_NEVER = rf"\x00-\x1f\x7f-\x9f{_HIDDEN_FORMAT}"
# Allowed inside text but not visible on their own: spaces, the default-ignorable and format characters of
# the Basic Multilingual Plane (zero-width characters, joiners, Mongolian free variation selectors,
# deprecated format characters, variation selectors, Arabic number signs), fillers (Hangul, Braille blank)
# that show as nothing. A name needs at least one character besides these.
# Beyond the BMP (tag characters, musical formatting, the variation selectors supplement) a pattern cannot
# say it soundly: ECMA-262 without the `u` flag reads such a character as two UTF-16 code units, Python as
# one code point, so a class of astral ranges means different things to the two. The patterns therefore
# treat every astral character as visible (each code unit of a surrogate pair, or the code point, is
# outside every class here) and the models' validators (bookmarks/text.py) refuse the invisible ones, with
# combining marks that have nothing to combine with: the gateway is never stricter than the function.
_INVISIBLE = (
    r"\x20\xa0\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u1680\u17b4\u17b5"
    r"\u180b-\u180f\u2000-\u200f\u202f\u205f-\u2065\u206a-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\uffa0"
    r"\ufff0-\ufff8"
)
# Python's `$` also matches before a final newline; ECMA-262's does not. `(?!\n)` makes them agree, and the
# request models validate with Python's `re` (pydantic's Rust engine has no look-ahead).
_END = r"$(?!\n)"
# A visible name: any invisible characters, one visible one, then anything but the never-allowed.
NAME_PATTERN = rf"^[{_INVISIBLE}]*[^{_NEVER}{_INVISIBLE}][^{_NEVER}]*{_END}"
# A description may also hold tabs and line breaks.
DESCRIPTION_PATTERN = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN_FORMAT}]*{_END}"
# http(s), then no character that is invisible, never allowed, or a backslash (browsers read it as "/",
# Python's urlsplit does not). The structure (a host, a port, no credentials) is bookmarks/urls.py's: its
# answers name the rule broken, where a gateway's 400 cannot say which field failed.
URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[^\\{_NEVER}{_INVISIBLE}]+{_END}"


def _require_web_url(url: str) -> str:
    problem = web_url_problem(url)
    if problem:
        raise ValueError(problem)
    return url


def utf16_length(text: str) -> int:
    """How long ``text`` is in UTF-16 code units: a character beyond the BMP (most emoji) counts two."""
    return len(text.encode("utf-16-le")) // 2


def _at_most(limit: int) -> AfterValidator:
    """A length limit in UTF-16 code units. JSON Schema's maxLength counts characters, but AWS does not say
    which its gateway's validator counts (Java and JavaScript strings count code units), so the function
    counts the larger, and a limit means the same on AWS, on the local stack and here."""

    def check(text: str) -> str:
        if utf16_length(text) > limit:
            raise ValueError(
                f"must be at most {limit} characters long, an emoji or other character beyond "
                "the Basic Multilingual Plane counting as two"
            )
        return text

    return AfterValidator(check)


def _require_visible(text: str) -> str:
    if not has_visible_character(text):
        raise ValueError("must have a visible character (not only spaces, marks or invisible characters)")
    return text


def _require_visible_or_empty(text: str) -> str:
    return _require_visible(text) if text else text


WebUrl = Annotated[
    str,
    Field(min_length=1, max_length=MAX_URL_LENGTH, pattern=URL_PATTERN),
    _at_most(MAX_URL_LENGTH),
    AfterValidator(_require_web_url),
]
Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN),
    _at_most(MAX_NAME_LENGTH),
    AfterValidator(_require_visible),
]
Description = Annotated[
    str,
    Field(max_length=MAX_DESCRIPTION_LENGTH, pattern=DESCRIPTION_PATTERN),
    _at_most(MAX_DESCRIPTION_LENGTH),
    AfterValidator(_require_visible_or_empty),
]
# feature: workflow
Reason = Annotated[
    str,
    Field(min_length=1, max_length=MAX_REASON_LENGTH, pattern=NAME_PATTERN),
    _at_most(MAX_REASON_LENGTH),
    AfterValidator(_require_visible),
]
# A version of a submission is when it was submitted, as the API writes times (ASCII digits only: \d is
# wider in Python than in ECMA-262).
VERSION_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|\+00:00)$(?!\n)"
Version = Annotated[str, Field(min_length=1, max_length=40, pattern=VERSION_PATTERN)]
# end feature: workflow


class ContestStatus(StrEnum):
    """Where a bookmark stands in the contest and the publishing workflow (the lifecycle is drawn in the
    README). Its entry is counted once, when it goes from entering to entered; resubmitting never counts
    it again."""

    NONE = "none"
    ENTERING = "entering"
    ENTERED = "entered"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RESUBMITTED = "resubmitted"


# feature: workflow
# In the workflow: checked, waiting for a moderator, or being published.
IN_REVIEW = frozenset({ContestStatus.ENTERED, ContestStatus.RESUBMITTED})
# What the workflow decides; each says why in decision_reason.
OUTCOMES = frozenset(
    {ContestStatus.DUPLICATE, ContestStatus.INVALID, ContestStatus.APPROVED, ContestStatus.REJECTED}
)
# Sharing again from these submits the bookmark again (duplicate check, URL check, moderation).
RESUBMITTABLE = frozenset(
    {ContestStatus.DUPLICATE, ContestStatus.INVALID, ContestStatus.REJECTED, ContestStatus.WITHDRAWN}
)
# Unsharing from these takes the bookmark off the review queue or the team list.
WITHDRAWABLE = frozenset({*IN_REVIEW, ContestStatus.APPROVED})
# An edit of a reviewed field (name, description) in these makes a new version, reviewed again.
REVIEWED_AGAIN = WITHDRAWABLE
# end feature: workflow


def after_sharing(status: ContestStatus, shared: bool, *, contest: bool) -> ContestStatus:
    """The contest status a bookmark moves to when its owner sets ``shared``: the first share enters the
    contest, sharing after an outcome or a withdrawal resubmits, unsharing what is in review or
    published withdraws it; everything else keeps its status. Without the ``contest`` nothing moves:
    sharing is only ``shared``."""
    if not contest:
        return status
    if shared and status is ContestStatus.NONE:
        return ContestStatus.ENTERING
    # feature: workflow
    if shared and status in RESUBMITTABLE:
        return ContestStatus.RESUBMITTED
    if not shared and status in WITHDRAWABLE:
        return ContestStatus.WITHDRAWN
    # end feature: workflow
    return status


def after_editing(status: ContestStatus) -> ContestStatus:
    """The contest status a bookmark moves to when its owner edits a reviewed field (name, description):
    in review or published, the edit is a new version that goes through the workflow again (its entry is
    not counted again); anything else keeps its status."""
    # feature: workflow
    if status in REVIEWED_AGAIN:
        return ContestStatus.RESUBMITTED
    # end feature: workflow
    return status


class Model(BaseModel):
    """The base of every model of the app. Pydantic builds a model's validator and serializer on its first
    use rather than at import: a function pays only for the models it uses (part of the cold-start budget,
    see bench/results.md)."""

    model_config = ConfigDict(defer_build=True)


class _Request(Model):
    """Requests reject fields they do not know: an `owner` in the body is an error, never an identity."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")


RequestT = TypeVar("RequestT", bound=_Request)


class NewBookmark(_Request):
    url: WebUrl
    name: Name
    description: Description | None = None
    shared: bool = False


def _patch_schema(schema: dict[str, Any]) -> None:
    """What BookmarkPatch's validators say, in its JSON schema too (the gateway validates with it): at
    least one field, and only description may be null."""
    schema["minProperties"] = 1
    for name in _LEAVE_OUT_BUT_NOT_NULL:
        field = schema["properties"][name]
        field.pop("default", None)
        field.update(next(option for option in field.pop("anyOf") if option.get("type") != "null"))


_LEAVE_OUT_BUT_NOT_NULL = ("url", "name", "shared")


class BookmarkPatch(_Request):
    """Any of the fields of a bookmark; at least one. A null description clears it."""

    model_config = ConfigDict(json_schema_extra=_patch_schema)

    url: WebUrl | None = None
    name: Name | None = None
    description: Description | None = None
    shared: bool | None = None

    @field_validator(*_LEAVE_OUT_BUT_NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> "BookmarkPatch":
        if not self.model_fields_set:
            raise ValueError("name at least one of url, name, description, shared")
        return self


class Bookmark(Model):
    """A bookmark as its owner sees it."""

    id: str
    url: str
    name: str
    description: str | None
    shared: bool
    contest_status: ContestStatus
    decision_reason: str | None = Field(
        default=None,
        description="Why it is duplicate, invalid, rejected, withdrawn or timed out; null otherwise.",
    )
    created_at: str
    updated_at: str


class BookmarkPage(Model):
    """One page of a listing, newest first; pass ``next_cursor`` back to read the next."""

    items: list[Bookmark]
    next_cursor: str | None


# feature: workflow
# What a moderator and the team see beside a host written in other characters: the name DNS resolves,
# so that a look-alike in another script (a Cyrillic "a", U+0430, in "example.com") shows for what it is.
_ASCII_HOST = "The URL's host in ASCII (punycode, xn--) when it is not ASCII as written; null otherwise."


class TeamBookmark(Bookmark):
    """A published bookmark on the team list: who shared it (the display name they chose, never their
    email) and when it was published."""

    shared_by: str | None = Field(
        default=None,
        description="The display name the submitter chose (their `name` attribute) when they shared it; "
        "null if they chose none. Never an email.",
    )
    published_at: str = Field(description="When a moderator's approval published it (ISO 8601, UTC).")

    @computed_field(description=_ASCII_HOST)  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def ascii_host(self) -> str | None:
        return ascii_host(self.url)


class TeamPage(Model):
    """One page of the team list, newest first; pass ``next_cursor`` back to read the next."""

    items: list[TeamBookmark]
    next_cursor: str | None


class ReviewDecision(_Request):
    """A moderator's verdict on a shared bookmark; a rejection may say why (the submitter is told). With
    ``version`` (the review's ``submitted_at``) the verdict is on that version only: if the owner edited
    the bookmark since, it is refused with 409 and changes nothing."""

    decision: Literal["approve", "reject"]
    reason: Reason | None = None
    version: Version | None = None


class ReviewItem(Model):
    """A shared bookmark waiting for a moderator, as submitted."""

    bookmark: Bookmark
    submitted_at: str
    yours: bool = Field(
        default=False,
        description="True when the caller shared it: a moderator never decides their own submission, "
        "another moderator must.",
    )

    @computed_field(description=_ASCII_HOST)  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def ascii_host(self) -> str | None:
        return ascii_host(self.bookmark.url)


class ReviewList(Model):
    """One page of the pending reviews, oldest first; pass ``next_cursor`` back to read the next."""

    items: list[ReviewItem]
    next_cursor: str | None = None


# end feature: workflow


class SavedLink(Model):
    """One of the caller's bookmarks, named."""

    id: str
    name: str


class LinkCheck(Model):
    """What is known of a URL before it is saved: the caller's bookmarks of the same (normalised) URL,
    and whether the team list already holds it."""

    url: str = Field(description="The URL asked about, normalised as duplicates are compared.")
    mine: list[SavedLink]
    on_team_list: bool


class FieldProblem(Model):
    field: str
    problem: str


class ErrorBody(Model):
    """Every error answer: a sentence, and for malformed input which fields are wrong."""

    message: str
    errors: list[FieldProblem] | None = None


# How long a JSON encoder may spell a request at worst: every character of a string escaped as \uXXXX, 6
# bytes a UTF-16 code unit (the unit the limits count: one beyond the BMP is two escapes, 12 bytes, and two
# units), every key escaped too, and a pretty-printer's line break, indent and spaces around each member.
_WORST_BYTES_PER_CHARACTER = 6
_WORST_BYTES_PER_KEY_CHARACTER = 6
_LAYOUT_BYTES_PER_MEMBER = 32


def largest_body_bytes(model: type[BaseModel]) -> int:
    """The most bytes a valid body of ``model`` can take, every field at its limit and spelt the longest
    way JSON allows: the body limit is derived from this, so no valid request is ever refused as too large."""
    total = 2 + 1  # the braces, and a final line break
    for name, field in model.model_fields.items():
        longest = max(_longest_strings((field.annotation, *field.metadata)), default=0)
        value = max(2 + _WORST_BYTES_PER_CHARACTER * longest, len("false"), len("null"))
        total += 2 + _WORST_BYTES_PER_KEY_CHARACTER * len(name) + 1 + value + _LAYOUT_BYTES_PER_MEMBER
    return total


def _longest_strings(nodes: tuple[Any, ...]) -> list[int]:
    """Every length limit (max_length) and literal string in a field's type and constraints, however nested
    (``Annotated`` inside ``Optional``, a FieldInfo's metadata)."""
    found: list[int] = []
    for node in nodes:
        if isinstance(node, str):
            found.append(len(node))
            continue
        if isinstance(getattr(node, "max_length", None), int):
            found.append(node.max_length)
        children = (*getattr(node, "metadata", ()), *getattr(node, "__metadata__", ()), *get_args(node))
        found += _longest_strings(children)
    return found


# The body limit: the largest valid request of any route (NewBookmark's; a patch has the same fields and a
# review decision is smaller), spelt the longest way. A larger body is refused before it is parsed.
MAX_BODY_BYTES = max(largest_body_bytes(model) for model in (NewBookmark, BookmarkPatch))


def parse_request(model: type[RequestT], body: str | None) -> RequestT:
    """The request body as ``model``; raises InvalidInput naming each bad field (never a 5xx), a key that
    appears twice included, or RequestTooLarge before parsing a body no valid request could fill."""
    if body is not None and len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise RequestTooLarge(f"The body is over {MAX_BODY_BYTES} bytes.")
    _refuse_duplicate_keys(model, body or "")
    try:
        return model.model_validate_json(body or "")
    except ValidationError as error:
        problems = [
            Problem(field=".".join(str(part) for part in issue["loc"]) or "body", problem=_problem(issue))
            for issue in error.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(problem.field for problem in problems)
        raise InvalidInput(f"The request body is invalid: check {fields}.", problems) from None


def _refuse_duplicate_keys(model: type[BaseModel], body: str) -> None:
    """Raises InvalidInput if an object of ``body`` has a key twice. Parsers disagree on which one wins
    (the last, for pydantic and Python; either, for others), so a gateway could check one value and the
    function store the other. A field is named; another key is not quoted (answers never echo input)."""

    def pairs(members: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in members]
        repeated = next((key for index, key in enumerate(keys) if key in keys[:index]), None)
        if repeated is not None:
            field = repeated if repeated in model.model_fields else "body"
            problem = "appears more than once" if field != "body" else "has a key more than once"
            raise InvalidInput(
                f"The request body is invalid: check {field}.", [Problem(field=field, problem=problem)]
            )
        return dict(members)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return  # not JSON: pydantic's parser says so, in the one answer for malformed bodies


def _problem(issue: "ErrorDetails") -> str:
    if issue["type"] == "extra_forbidden":
        return "is not a field of this request"
    if issue["type"] == "json_invalid":
        return "is not valid JSON"
    return str(issue["msg"]).removeprefix("Value error, ")
