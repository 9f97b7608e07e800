"""Cached AWS clients: created on first use so that importing a handler never opens a connection, and
bounded so that no call outlives the function that makes it.

They come from botocore, not boto3: the clients are the same, but importing boto3 and making its default
session costs a cold start about a tenth of a bare boto3 function's CPU (bench/results.md), for resources
and helpers the app never uses.

The bounds: botocore's defaults are 60 s to connect, 60 s per read and the legacy retry mode (up to ten
attempts for DynamoDB), inside a 10 s function. Here an attempt waits at most 1 s to connect and 3 s for
each read (the app's calls answer in milliseconds; 3 s leaves room for a loaded local stack), and the
standard retry mode makes at most 2 attempts, with its jittered backoff of at most 1 s between them: a
call gives up within WORST_CALL_SECONDS (9 s), under the functions' 10 s timeout (tests/unit/test_clients.py
checks it). One retry covers a dropped connection or a throttled request; a third attempt would not fit.
Past that the caller retries: Lambda for the stream and the rule targets, the client for the API.
"""

from functools import cache
from typing import TYPE_CHECKING, cast

from botocore.config import Config
from botocore.session import Session, get_session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_stepfunctions import SFNClient

CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 3
MAX_ATTEMPTS = 2
# Standard mode's backoff before retry n (1-based) is random up to 2 ** (n - 1) seconds.
_MAX_BACKOFF_SECONDS = sum(2 ** (retry - 1) for retry in range(1, MAX_ATTEMPTS))
WORST_CALL_SECONDS = MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + _MAX_BACKOFF_SECONDS

BOUNDED = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},  # the first attempt included
)


@cache
def session() -> Session:
    """One session for all clients, as boto3's default session is: its region, credentials and service
    data are read once. Tests that change credentials clear this cache too."""
    return get_session()


@cache
def dynamodb() -> "DynamoDBClient":
    return cast("DynamoDBClient", session().create_client("dynamodb", config=BOUNDED))


@cache
def stepfunctions() -> "SFNClient":
    return cast("SFNClient", session().create_client("stepfunctions", config=BOUNDED))


@cache
def events() -> "EventBridgeClient":
    return cast("EventBridgeClient", session().create_client("events", config=BOUNDED))
