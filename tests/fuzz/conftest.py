"""The fuzz suite's callers: users of the local stack's Cognito (the stack is tests/local_stack.py's)."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.http import Api
from tests.harness import user_pool_groups
from tests.local_stack import Target, local_target


@pytest.fixture(scope="session")
def fuzz_target(local_stack: dict[str, Any]) -> Iterator[Target]:
    target = local_target(local_stack)
    try:
        yield target
    finally:
        target.remove_users()


@pytest.fixture(scope="session")
def member(fuzz_target: Target) -> Api:
    """A member of every group the template creates reaches every route's own logic, the routes that
    check a group included."""
    return fuzz_target.signed_in(user_pool_groups())


@pytest.fixture(scope="session")
def alice(fuzz_target: Target) -> Api:
    return fuzz_target.signed_in()


@pytest.fixture(scope="session")
def bob_api(fuzz_target: Target) -> Api:
    """A second user, whose bookmarks alice must never see."""
    return fuzz_target.signed_in()


@pytest.fixture(scope="session")
def bobs_bookmark(bob_api: Api) -> tuple[Api, dict[str, Any]]:
    """A private bookmark of another user, Bob, and Bob's own client to check it stays as it was."""
    return bob_api, bob_api.create(name="Bob's private link", description="Only Bob may read this.")
