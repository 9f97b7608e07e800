"""The shapes of the bookmarks API: the one source of truth for requests, responses and stored bookmarks.

The gateway's request models in template.yaml are checked against these by tests/unit/test_contract.py.
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bookmarks.errors import InvalidInput, Problem, RequestTooLarge
from bookmarks.urls import web_url_problem

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
# The largest valid body, every field at its limit and every character escaped, stays well below this.
MAX_BODY_BYTES = 32 * 1024
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# feature: workflow
MAX_REASON_LENGTH = 500
MAX_PENDING_REVIEWS = 100
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
# Allowed inside text but not visible on their own: spaces, zero-width characters, joiners and marks,
# fillers (Hangul, Braille blank) that show as nothing. A name needs at least one character besides these.
_INVISIBLE = (
    r"\x20\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180e\u2000-\u200f\u202f\u205f-\u2064"
    r"\u2800\u3000\u3164\uffa0"
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


WebUrl = Annotated[
    str,
    Field(min_length=1, max_length=MAX_URL_LENGTH, pattern=URL_PATTERN),
    AfterValidator(_require_web_url),
]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION_LENGTH, pattern=DESCRIPTION_PATTERN)]
# feature: workflow
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON_LENGTH, pattern=NAME_PATTERN)]
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
class TeamBookmark(Bookmark):
    """A published bookmark on the team list: who shared it and when it was published."""

    shared_by: str = Field(description="The submitter's email, from their verified token at share time.")
    published_at: str = Field(description="When a moderator's approval published it (ISO 8601, UTC).")


class TeamPage(Model):
    """One page of the team list, newest first; pass ``next_cursor`` back to read the next."""

    items: list[TeamBookmark]
    next_cursor: str | None


class ReviewDecision(_Request):
    """A moderator's verdict on a shared bookmark; a rejection may say why (the submitter is told)."""

    decision: Literal["approve", "reject"]
    reason: Reason | None = None


class ReviewItem(Model):
    """A shared bookmark waiting for a moderator, as submitted."""

    bookmark: Bookmark
    submitted_at: str


class ReviewList(Model):
    """The pending reviews, oldest first (at most MAX_PENDING_REVIEWS)."""

    items: list[ReviewItem]


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


def parse_request(model: type[RequestT], body: str | None) -> RequestT:
    """The request body as ``model``; raises InvalidInput naming each bad field (never a 5xx), or
    RequestTooLarge before parsing a body no valid request could fill."""
    if body is not None and len(body.encode()) > MAX_BODY_BYTES:
        raise RequestTooLarge(f"The body is over {MAX_BODY_BYTES} bytes.")
    try:
        return model.model_validate_json(body or "")
    except ValidationError as error:
        problems = [
            Problem(field=".".join(str(part) for part in issue["loc"]) or "body", problem=_problem(issue))
            for issue in error.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(problem.field for problem in problems)
        raise InvalidInput(f"The request body is invalid: check {fields}.", problems) from None


def _problem(issue: "ErrorDetails") -> str:
    if issue["type"] == "extra_forbidden":
        return "is not a field of this request"
    if issue["type"] == "json_invalid":
        return "is not valid JSON"
    return str(issue["msg"]).removeprefix("Value error, ")
