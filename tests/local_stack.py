"""The local stack for the suites that call the API over HTTP (tests/e2e, tests/fuzz): `python -m local`
on free ports, started once a session (at least once, as AWS delivers), and the Target those suites sign
users in to."""

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.http import Api, eventually
from tests.harness import ROOT, AtLeastOnce

PASSWORD = "E2e-passw0rd-" + uuid.uuid4().hex[:8]

# The suites' stack delivers every event twice, sometimes out of order, as AWS may: a story that passes
# only when each event arrives once would fail on AWS. REDELIVER_SEED=<n> replays a failed session's
# choices (its seed is printed in the session header and written in the stack's log).
E2E_REDELIVERS = True


@dataclass
class Target:
    """Where the suite runs: the API's URL and the user pool that signs its callers in."""

    name: str
    api_url: str
    user_pool_id: str
    client_id: str
    session: boto3.Session
    endpoint_url: str | None = None
    health_url: str | None = None  # the local stack's trigger health check (none on AWS)
    created_users: list[str] = field(default_factory=list)

    @property
    def local(self) -> bool:
        return self.name == "local"

    def cognito(self) -> Any:
        return self.session.client("cognito-idp", endpoint_url=self.endpoint_url)

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def new_user(self, groups: tuple[str, ...] = ()) -> str:
        """A confirmed user with PASSWORD, removed again when the session ends."""
        email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
        cognito = self.cognito()
        cognito.admin_create_user(
            UserPoolId=self.user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        self.created_users.append(email)
        cognito.admin_set_user_password(
            UserPoolId=self.user_pool_id, Username=email, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=email, GroupName=group)
        return email

    def id_token(self, email: str, password: str = PASSWORD) -> str:
        answer = self.cognito().initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        return str(answer["AuthenticationResult"]["IdToken"])

    def api(self, token: str | None) -> Api:
        return Api(self.api_url, token)

    def signed_in(self, groups: tuple[str, ...] = ()) -> Api:
        return self.api(self.id_token(self.new_user(groups)))

    def remove_users(self) -> None:
        for email in self.created_users:
            self.cognito().admin_delete_user(UserPoolId=self.user_pool_id, Username=email)


def _free_of_test_settings() -> dict[str, str]:
    """The environment minus what tests/conftest.py sets for in-process handlers (the stack sets its own),
    and minus PYTHONPATH: the stack's checkout imports its own code."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BOOKMARKS_", "ALLOWED_", "POWERTOOLS_", "AWS_")) and name != "PYTHONPATH"
    }


def pytest_configure(config: pytest.Config) -> None:
    """One seed for the whole session: chosen before pytest-xdist starts its workers, which inherit it,
    so every worker's stack (and a replay) makes the same choices."""
    if E2E_REDELIVERS and not hasattr(config, "workerinput") and not os.environ.get("REDELIVER_SEED"):
        os.environ["REDELIVER_SEED"] = str(AtLeastOnce.new_seed())


def pytest_report_header(config: pytest.Config) -> str | None:
    """The seed in the session's header (workers print nothing of their own), to replay a failure."""
    if not E2E_REDELIVERS:
        return None
    return f"local stack: at-least-once delivery, REDELIVER_SEED={os.environ['REDELIVER_SEED']}"


def _redelivery_arguments() -> list[str]:
    """--redeliver-seed with the session's REDELIVER_SEED (pytest_configure chose it, or the caller did)."""
    if not E2E_REDELIVERS:
        return []
    return ["--redeliver-seed", os.environ["REDELIVER_SEED"]]


# Fixtures that reach the session's stack: `target` asks for it at run time, so pytest cannot see it there.
_STACK_FIXTURES = frozenset({"local_stack", "target"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`), every test of the session's stack runs on one worker, so one stack
    starts, not one per worker; the other tests spread over the remaining cores."""
    for item in items:
        if _STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("local-stack"))


@contextmanager
def running_stack(root: Path, state: Path, *arguments: str) -> Iterator[dict[str, Any]]:
    """`python -m local` of the checkout at ``root`` on free ports in a child process, logging to
    ``state``/stack.log; yields its stack.json (with ``state_dir``) once it is ready, stops it after."""
    log = (state / "stack.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            *(sys.executable, "-m", "local", "--state-dir", str(state)),
            *("--aws-port", "0", "--api-port", "0", "--web-port", "0"),
            *arguments,
        ],
        cwd=root,
        env=_free_of_test_settings(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = eventually(lambda: (state / "stack.json").exists() or process.poll() is not None, timeout=90)
        if not ready or process.poll() is not None:
            pytest.fail(f"the local stack did not start:\n{(state / 'stack.log').read_text()}")
        yield {**json.loads((state / "stack.json").read_text()), "state_dir": state}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """This checkout's local stack, until the session ends; yields its stack.json."""
    with running_stack(
        ROOT,
        tmp_path_factory.mktemp("local-stack"),
        # The e2e, fuzz and browser suites share this stack, and the fuzzer alone sends faster than
        # the stage's default rate; throttling has its own tests (tests/unit/test_local_api.py).
        *("--parameter", "ThrottlingRateLimit=100000", "--parameter", "ThrottlingBurstLimit=100000"),
        *_redelivery_arguments(),
    ) as stack:
        yield stack


def local_target(stack: dict[str, Any]) -> Target:
    """The Target of a local stack's stack.json; its AWS is moto, which takes any keys."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=stack["region"]
    )
    return Target(
        "local",
        stack["api_url"],
        stack["user_pool_id"],
        stack["user_pool_client_id"],
        session,
        stack["aws_endpoint_url"],
        stack["health_url"],
    )
