"""The e2e target: the local stack this session starts (tests/local_stack.py), or, when
AWS_SAM_STACK_NAME is set, that deployed stack too. Users come from the target's Cognito admin API."""

import os
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.caller_environment import CALLER_AWS_ENVIRONMENT
from tests.e2e.http import Api, eventually
from tests.local_stack import Target, local_target


def _caller_session() -> boto3.Session:
    """The caller's credentials (keys from CI's environment, else a profile), not the dummies of the tests."""
    caller = CALLER_AWS_ENVIRONMENT
    region = caller.get("AWS_REGION") or caller.get("AWS_DEFAULT_REGION")
    if "AWS_ACCESS_KEY_ID" in caller:
        return boto3.Session(
            aws_access_key_id=caller["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=caller.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=caller.get("AWS_SESSION_TOKEN"),
            region_name=region,
        )
    # An explicit profile makes botocore ignore the dummy keys tests/conftest.py put in the environment.
    return boto3.Session(profile_name=caller.get("AWS_PROFILE", "default"), region_name=region)


def _deployed_outputs(session: boto3.Session, stack_name: str) -> dict[str, str]:
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


@pytest.fixture(scope="session", params=["local", "deployed"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Each e2e test runs on the local stack, and on the deployed one when AWS_SAM_STACK_NAME names it."""
    if request.param == "local":
        found = local_target(request.getfixturevalue("local_stack"))
    else:
        stack_name = os.environ.get("AWS_SAM_STACK_NAME")
        if not stack_name:
            pytest.skip(
                "set AWS_SAM_STACK_NAME (and AWS credentials or AWS_PROFILE) to run e2e on a deployed stack"
            )
        session = _caller_session()
        outputs = _deployed_outputs(session, stack_name)
        found = Target(
            "deployed", outputs["ApiUrl"], outputs["UserPoolId"], outputs["UserPoolClientId"], session
        )
    try:
        yield found
    finally:
        found.remove_users()


def wait_for(condition: Any, timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    started = time.monotonic()
    result = eventually(condition, timeout=timeout)
    assert result, f"condition not met within {time.monotonic() - started:.0f} s"
    return result


@pytest.fixture(scope="session")
def alice(target: Target) -> Api:
    return target.signed_in()


@pytest.fixture(scope="session")
def bob(target: Target) -> Api:
    return target.signed_in()
