"""Cached AWS clients: created on first use so that importing a handler never opens a connection."""

from functools import cache
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_stepfunctions import SFNClient


@cache
def dynamodb() -> "DynamoDBClient":
    return boto3.client("dynamodb")


@cache
def stepfunctions() -> "SFNClient":
    return boto3.client("stepfunctions")


@cache
def events() -> "EventBridgeClient":
    return boto3.client("events")
