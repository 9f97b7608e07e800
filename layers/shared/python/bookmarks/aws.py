"""Cached AWS clients: created on first use so that importing a handler never opens a connection.

They come from botocore, not boto3: the clients are the same, but importing boto3 and making its default
session costs a cold start about a tenth of a bare boto3 function's CPU (bench/results.md), for resources
and helpers the app never uses."""

from functools import cache
from typing import TYPE_CHECKING, cast

from botocore.session import Session, get_session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_stepfunctions import SFNClient


@cache
def session() -> Session:
    """One session for all clients, as boto3's default session is: its region, credentials and service
    data are read once. Tests that change credentials clear this cache too."""
    return get_session()


@cache
def dynamodb() -> "DynamoDBClient":
    return cast("DynamoDBClient", session().create_client("dynamodb"))


@cache
def stepfunctions() -> "SFNClient":
    return cast("SFNClient", session().create_client("stepfunctions"))


@cache
def events() -> "EventBridgeClient":
    return cast("EventBridgeClient", session().create_client("events"))
