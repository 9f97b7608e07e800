"""Fixtures shared by every test: an offline AWS (moto) and the app's resources made from template.yaml."""

import os

# Set before any handler module is imported: Powertools reads these when a handler's module loads.
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    POWERTOOLS_TRACE_DISABLED="1",
    POWERTOOLS_SERVICE_NAME="bookmarks",
    POWERTOOLS_METRICS_NAMESPACE="Bookmarks",
    BOOKMARKS_TABLE_NAME="bookmarks-test",
    REVIEWS_TABLE_NAME="reviews-test",
    ALLOWED_ORIGIN="https://bookmarks.example.com",
)

import socket
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from bookmarks.aws import dynamodb, stepfunctions
from bookmarks.settings import settings
from local.provision import create_table
from local.template import resource
from tests.api_client import ApiClient


@pytest.fixture
def aws() -> Iterator[None]:
    """An empty, in-memory AWS for one test; the app's cached clients are made inside it."""
    with mock_aws():
        dynamodb.cache_clear()
        settings.cache_clear()
        yield
        dynamodb.cache_clear()
        settings.cache_clear()


@pytest.fixture
def bookmarks_table(aws: None) -> str:
    """The BookmarksTable as template.yaml declares it (keys, indexes, stream, TTL); returns its name.
    The ReviewsTable comes with it, so that every API route has its table."""
    name = os.environ["BOOKMARKS_TABLE_NAME"]
    create_table(boto3.client("dynamodb"), name, resource("BookmarksTable")["Properties"])
    reviews = os.environ["REVIEWS_TABLE_NAME"]
    create_table(boto3.client("dynamodb"), reviews, resource("ReviewsTable")["Properties"])
    return name


@pytest.fixture
def alice(bookmarks_table: str) -> "ApiClient":
    return ApiClient("0a11ce00-0000-4000-8000-000000000001")


@pytest.fixture
def bob(bookmarks_table: str) -> "ApiClient":
    return ApiClient("0b0b0000-0000-4000-8000-000000000002")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server for the session, in this process: Step Functions' service integrations call AWS
    over HTTP (at 127.0.0.1:$MOTO_PORT), which the in-memory mock_aws cannot answer."""
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["MOTO_PORT"] = str(port)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_server(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The moto server, emptied after the test; every client made during the test talks to it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    for cached in (dynamodb, stepfunctions, settings):
        cached.cache_clear()
    yield moto_server
    for cached in (dynamodb, stepfunctions, settings):
        cached.cache_clear()
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))  # noqa: S310
