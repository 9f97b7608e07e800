"""The item layout of the app's tables, defined once: key shapes, attribute names, index names and
filters. The table modules build their requests from it (and the publishing workflow from its
DefinitionSubstitutions, below), so a change here reaches every reader together.

Bookmarks table (one table, keys generic so later access patterns fit without a migration):
  bookmark            pk=OWNER#<sub>  sk=BOOKMARK#<id>      a user's bookmarks, newest first by id
  idempotency claim   pk=OWNER#<sub>  sk=IDEMPOTENCY#<key>  the answer to replay, expires by TTL
A contest status of ``none`` is stored as no attribute, so sharing can set ``entering`` exactly once
with ``if_not_exists`` and no read before the write. The features' own items and indexes are described
with their names below.

Key shapes are ``str.format`` templates with ``{}`` holes, the one syntax Python and Step Functions'
``States.Format`` share.
"""

from typing import Any

from bookmarks.models import ContestStatus

# Key attributes and key shapes of the bookmarks table.
PARTITION_KEY = "pk"
SORT_KEY = "sk"
OWNER_KEY = "OWNER#{}"
BOOKMARK_KEY = "BOOKMARK#{}"
IDEMPOTENCY_KEY = "IDEMPOTENCY#{}"
# feature: contest
# A contest entrant, pk=CONTEST sk=ENTRANT#<sub>: ``entries``, how many entries a user has.
CONTEST_PARTITION = "CONTEST"
ENTRANT_KEY = "ENTRANT#{}"
# end feature: contest
# feature: workflow
# The contest notice, pk=CONTEST sk=NOTICE#<id>: the workflow's claim, so organisers hear once.
NOTICE_KEY = "NOTICE#{}"
# end feature: workflow

# Attributes of a bookmark item beyond its model's fields.
CONTEST_STATUS = "contest_status"
DECISION_REASON = "decision_reason"
SUBMITTED_AT = "submitted_at"
PUBLISHED_AT = "published_at"
SHARED = "shared"
# The digest of the canonical URL (bookmarks.urls.url_key): what the duplicate check and the indexes compare.
URL_KEY = "url_key"
URL_TLD = "url_tld"
# OwnerUrlIndex: an owner's bookmarks by URL key (pk, url_key: the digest bookmarks.urls.url_key
# writes), so one read says whether they saved a link before.
OWNER_URL_INDEX = "OwnerUrlIndex"

# feature: workflow
DECIDED_AT = "decided_at"
# The display name the submitter chose, as the team list shows it. Older items kept the submitter's email
# in ``shared_by``: it is never read, and the next share removes it (emails are personal data).
SHARED_BY_NAME = "shared_by_name"
LEGACY_SHARED_BY = "shared_by"
# SharedUrlIndex: the normalised URL, only while shared: who else submitted this URL.
SHARED_URL_INDEX = "SharedUrlIndex"
SHARED_URL_KEY = "shared_url_key"
# TeamIndex: one partition for the team list, sorted by position (published_at#id), set by the workflow on
# approval and removed on unsharing: the team list, newest first.
TEAM_INDEX = "TeamIndex"
TEAM_PARTITION = "team_partition"
TEAM_SORT = "team_sort"
TEAM = "TEAM"
TEAM_POSITION = "{}#{}"
# The version a moderator approved (the bookmark item as the workflow loaded and showed it), set on
# approval: the team list shows it, so an edit reaches the team only once its own version is approved.
APPROVED_VERSION = "approved_version"

# Reviews table (the workflow writes it): one review request per bookmark id, for its latest submission
# (``submitted_at``): the workflow's claim on it, the bookmark as submitted, the task token while a
# moderator is awaited, and review_queue="PENDING" for the sparse PendingReviewIndex (no token projected).
REVIEW_KEY = "bookmark_id"
REVIEW_STATE = "review_state"
REVIEW_QUEUE = "review_queue"
PENDING_REVIEW_INDEX = "PendingReviewIndex"
PENDING = "PENDING"
# An attribute's name, not a token: ruff and bandit would take it for a hard-coded secret.
TASK_TOKEN = "task_token"  # noqa: S105  # nosec B105
REVIEWED_BOOKMARK = "bookmark"
# In the reviewed snapshot: whose submission it is (four eyes). A review that ended without a decision (the
# bookmark was unshared or deleted) has this state.
OWNER = "owner"
WITHDRAWN = "withdrawn"

# What counts as submitted before, for the duplicate check: in flight, in review or published.
SUBMITTED = (ContestStatus.ENTERING, ContestStatus.ENTERED, ContestStatus.RESUBMITTED, ContestStatus.APPROVED)
# Any bookmark with the same normalised URL submitted before this one, the owner's own included; a tie on
# submitted_at is broken by sort key, so two near-simultaneous submissions cannot mark each other
# duplicate. Each status is a placeholder named for its value (``:entering``); ``:submitted`` and ``:sk``
# are the submission's own.
DUPLICATE_FILTER = (
    f"{CONTEST_STATUS} IN ({', '.join(f':{status.value}' for status in SUBMITTED)}) AND "
    f"({SUBMITTED_AT} < :submitted OR ({SUBMITTED_AT} = :submitted AND {SORT_KEY} < :sk))"
)
# end feature: workflow


def owner_key(owner: str) -> str:
    return OWNER_KEY.format(owner)


def bookmark_key(owner: str, bookmark_id: str) -> dict[str, Any]:
    """The primary key of a bookmark item, in DynamoDB's attribute-value form."""
    return {PARTITION_KEY: {"S": owner_key(owner)}, SORT_KEY: {"S": BOOKMARK_KEY.format(bookmark_id)}}


# feature: contest
def entrant_key(owner: str) -> dict[str, Any]:
    # One partition for every entrant: an operator draws a winner with one Query (see README).
    return {PARTITION_KEY: {"S": CONTEST_PARTITION}, SORT_KEY: {"S": ENTRANT_KEY.format(owner)}}


# end feature: contest


def parse_bookmark_key(pk: str, sk: str) -> tuple[str, str] | None:
    """The owner and bookmark id a key holds; None when the sort key is not a bookmark's (an idempotency
    claim, a contest item). Raises ValueError for a bookmark sort key under a partition no owner has."""
    bookmark_prefix, owner_prefix = BOOKMARK_KEY.removesuffix("{}"), OWNER_KEY.removesuffix("{}")
    if not sk.startswith(bookmark_prefix):
        return None
    if not pk.startswith(owner_prefix):
        raise ValueError("a bookmark sort key outside an owner's partition")
    return pk.removeprefix(owner_prefix), sk.removeprefix(bookmark_prefix)


# feature: workflow
def review_key(bookmark_id: str) -> dict[str, Any]:
    return {REVIEW_KEY: {"S": bookmark_id}}


def workflow_substitutions() -> dict[str, str]:
    """What the publishing workflow needs of this layout, as DefinitionSubstitutions: each name is a
    ``${Name}`` placeholder in statemachine/publish_bookmark.asl.json."""
    return {
        "PartitionKey": PARTITION_KEY,
        "SortKey": SORT_KEY,
        "OwnerKey": OWNER_KEY,
        "BookmarkKey": BOOKMARK_KEY,
        "ContestPartition": CONTEST_PARTITION,
        "NoticeKey": NOTICE_KEY,
        "ContestStatus": CONTEST_STATUS,
        "DecisionReason": DECISION_REASON,
        "SubmittedAt": SUBMITTED_AT,
        "DecidedAt": DECIDED_AT,
        "PublishedAt": PUBLISHED_AT,
        "Shared": SHARED,
        "UrlKey": URL_KEY,
        "UrlTld": URL_TLD,
        "SharedUrlIndex": SHARED_URL_INDEX,
        "SharedUrlKey": SHARED_URL_KEY,
        "TeamPartition": TEAM_PARTITION,
        "TeamSort": TEAM_SORT,
        "Team": TEAM,
        "TeamPosition": TEAM_POSITION,
        "ApprovedVersion": APPROVED_VERSION,
        "ReviewKey": REVIEW_KEY,
        "ReviewState": REVIEW_STATE,
        "ReviewQueue": REVIEW_QUEUE,
        "Pending": PENDING,
        "TaskToken": TASK_TOKEN,
        "ReviewedBookmark": REVIEWED_BOOKMARK,
        "DuplicateFilter": DUPLICATE_FILTER,
    }


# end feature: workflow
