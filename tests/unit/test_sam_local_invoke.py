"""`sam local invoke` against the local stack: SAM gives a container only the variables the template
declares, so LocalEndpointUrl declares AWS_ENDPOINT_URL for every function. These tests ask SAM CLI itself
what a container would get (no Docker needed for that), and check that the deployed template stays on AWS."""

import shlex
import tomllib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from bookmarks import aws
from tests.harness import ROOT, functions, template, translated
from tests.names import resolved
from tests.sam_local import sam_local_environment

CONTAINER_URL = "http://host.docker.internal:5000"


def deployed_endpoints(**parameters: str) -> dict[str, Any]:
    """Each Lambda function of the translated template (Globals merged in) and its AWS_ENDPOINT_URL as
    CloudFormation would resolve it (None if it had none)."""
    return {
        logical_id: resolved(
            resource["Properties"].get("Environment", {}).get("Variables", {}).get("AWS_ENDPOINT_URL"),
            **parameters,
        )
        for logical_id, resource in translated()["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def test_deployed_with_the_default_parameters_no_function_has_an_endpoint() -> None:
    endpoints = deployed_endpoints()

    assert set(endpoints) == set(functions())
    assert endpoints == dict.fromkeys(endpoints, "")  # declared, empty: botocore reads it as unset


def test_with_a_local_endpoint_every_function_gets_it() -> None:
    endpoints = deployed_endpoints(LocalEndpointUrl=CONTAINER_URL)

    assert set(endpoints) == set(functions())
    assert set(endpoints.values()) == {CONTAINER_URL}


def test_no_deploy_environment_sets_the_local_endpoint_and_cloudformation_refuses_it() -> None:
    samconfig = tomllib.loads((ROOT / "samconfig.toml").read_text())
    overrides = [
        shlex.split(tables["deploy"]["parameters"]["parameter_overrides"])
        for tables in samconfig.values()
        if isinstance(tables, dict) and "deploy" in tables
    ]
    [rule] = template()["Rules"]["NoLocalEndpointWhenDeployed"]["Assertions"]

    assert len(overrides) == 3
    assert not [item for items in overrides for item in items if item.startswith("LocalEndpointUrl=")]
    assert resolved(rule["Assert"]) is True
    assert resolved(rule["Assert"], LocalEndpointUrl=CONTAINER_URL) is False


def test_sam_local_invoke_gives_the_container_the_endpoint_and_env_json_the_local_names() -> None:
    env_json = {"GetBookmarksFunction": {"BOOKMARKS_TABLE_NAME": "bookmarks-local-BookmarksTable-1"}}

    plain = sam_local_environment("GetBookmarksFunction", {})
    pointed = sam_local_environment("GetBookmarksFunction", {"LocalEndpointUrl": CONTAINER_URL}, env_json)

    # Without the parameter SAM passes the declared variable empty, and the table as its logical id.
    assert (plain["AWS_ENDPOINT_URL"], plain["BOOKMARKS_TABLE_NAME"]) == ("", "BookmarksTable")
    assert pointed["AWS_ENDPOINT_URL"] == CONTAINER_URL
    assert pointed["BOOKMARKS_TABLE_NAME"] == "bookmarks-local-BookmarksTable-1"


@pytest.fixture
def no_client_cached() -> Iterator[None]:
    cached = [f for f in vars(aws).values() if callable(getattr(f, "cache_clear", None))]
    for factory in cached:
        factory.cache_clear()
    yield
    for factory in cached:
        factory.cache_clear()


def test_an_empty_endpoint_leaves_boto3_on_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "")

    assert boto3.client("dynamodb", region_name="us-east-1").meta.endpoint_url == (
        "https://dynamodb.us-east-1.amazonaws.com"
    )


def test_every_client_the_app_makes_honours_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, no_client_cached: None
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", CONTAINER_URL)
    # Every cached factory but the botocore session they share makes a client.
    factories = [
        factory
        for factory in vars(aws).values()
        if callable(getattr(factory, "cache_clear", None)) and factory is not aws.session
    ]

    assert len(factories) >= 3
    assert {factory().meta.endpoint_url for factory in factories} == {CONTAINER_URL}
