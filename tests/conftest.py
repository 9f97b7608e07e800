"""Fixtures shared by every test: an offline AWS (moto) and the app's resources made from template.yaml."""

import os

import tests.caller_environment  # noqa: F401 (keeps the caller's AWS settings before the dummies below)
from tests.harness import table_environment
from tests.names import contest_environment, powertools_environment

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
    **powertools_environment(),
    **contest_environment(),
    **table_environment(),  # BOOKMARKS_TABLE_NAME="bookmarks-test" and one such for every table
    ALLOWED_ORIGIN="https://bookmarks.example.com",
)

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from bookmarks.aws import dynamodb
from bookmarks.settings import settings
from tests.api_client import ApiClient
from tests.harness import create_table, resource, table_variables

# The moto-server fixtures (moto_server, embedded_aws, aws_server) live beside the local stack's tests;
# the whole local stack (local_stack), for the suites that call it over HTTP, in tests/local_stack.py.
pytest_plugins = ["tests.moto_server", "tests.local_stack"]
# feature: workflow
# The workflow on moto (make_stack, stack) in tests/workflow_stack.py.
pytest_plugins.append("tests.workflow_stack")
# end feature: workflow


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
def tables(aws: None) -> dict[str, str]:
    """Every table of template.yaml as it declares it (keys, indexes, stream, TTL), named as its functions'
    variable says, so that every route finds its table; returns logical id -> name."""
    made = {table: os.environ[variable] for table, variable in table_variables().items()}
    for table, name in made.items():
        create_table(boto3.client("dynamodb"), name, resource(table)["Properties"])
    return made


@pytest.fixture
def bookmarks_table(tables: dict[str, str]) -> str:
    """The BookmarksTable's name (the other tables are there too)."""
    return tables["BookmarksTable"]


@pytest.fixture
def alice(bookmarks_table: str) -> "ApiClient":
    return ApiClient("0a11ce00-0000-4000-8000-000000000001")


@pytest.fixture
def bob(bookmarks_table: str) -> "ApiClient":
    return ApiClient("0b0b0000-0000-4000-8000-000000000002")
