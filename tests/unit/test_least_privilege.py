"""Each function's role lets it do its job and nothing more, shown by running the handlers with
credentials that hold exactly their role's statements under moto's IAM enforcement.

moto enforces IAM per action only (it matches DynamoDB calls against resource "*"), so the statements
are installed with their resources widened to "*"; tests/unit/test_template.py checks the resources.
AWS authorizes each item of a TransactWriteItems call by that item's own action (dynamodb:PutItem for a
Put); moto asks for one dynamodb:TransactWriteItems instead, so that name stands in for the item actions."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import set_initial_no_auth_action_count

from bookmarks.aws import dynamodb, session
from tests.api_client import ApiClient
from tests.roles import actions, statements


def role_actions(role: str) -> list[str]:
    allowed = (statement for statement in statements(role) if statement["Effect"] == "Allow")
    return sorted(action for statement in allowed for action in actions(statement))


@pytest.fixture
def credentials_of(monkeypatch: pytest.MonkeyPatch, bookmarks_table: str) -> Callable[[str], None]:
    """Switch the process's AWS credentials to a user holding only ``role``'s statements."""

    def switch(role: str) -> None:
        iam = boto3.client("iam")
        iam.create_user(UserName=role)
        actions = role_actions(role)
        if {"dynamodb:PutItem", "dynamodb:UpdateItem"} & set(actions):
            actions.append("dynamodb:TransactWriteItems")
        statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
        iam.put_user_policy(
            UserName=role,
            PolicyName="role-statements",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        key = iam.create_access_key(UserName=role)["AccessKey"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
        session.cache_clear()  # it caches the credentials it first read
        dynamodb.cache_clear()

    return switch


@pytest.fixture
def enforced() -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """Run a callable with IAM enforced from its first AWS call on."""
    yield lambda body: set_initial_no_auth_action_count(0)(body)()
    dynamodb.cache_clear()


def denied(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return False


def test_get_function_reads_and_cannot_write(
    alice: ApiClient, bookmarks_table: str, credentials_of: Callable[[str], None], enforced: Any
) -> None:
    created = alice.create()
    credentials_of("GetBookmarksFunctionRole")

    def job() -> None:
        assert alice.request("GET", "/bookmarks").status == 200
        assert alice.request("GET", f"/bookmarks/{created['id']}").status == 200
        item = {"pk": {"S": "OWNER#x"}, "sk": {"S": "BOOKMARK#x"}}
        assert denied(lambda: dynamodb().put_item(TableName=bookmarks_table, Item=item))
        assert denied(lambda: dynamodb().scan(TableName=bookmarks_table))

    enforced(job)


def test_store_function_writes_and_cannot_read(
    alice: ApiClient, bookmarks_table: str, credentials_of: Callable[[str], None], enforced: Any
) -> None:
    credentials_of("StoreBookmarkFunctionRole")

    def job() -> None:
        headers = {"Idempotency-Key": "least-privilege"}
        new = {"url": "https://a.example", "name": "A"}
        created = alice.request("POST", "/bookmarks", new, headers=headers)
        replayed = alice.request("POST", "/bookmarks", new, headers=headers)
        assert (created.status, replayed.status) == (201, 201)
        assert replayed.body == created.body
        assert alice.request("PUT", f"/bookmarks/{created.body['id']}", {"shared": True}).status == 200
        assert alice.request("DELETE", f"/bookmarks/{created.body['id']}").status == 204
        key = {"pk": {"S": "OWNER#x"}, "sk": {"S": "BOOKMARK#x"}}
        assert denied(lambda: dynamodb().get_item(TableName=bookmarks_table, Key=key))
        assert denied(
            lambda: dynamodb().query(
                TableName=bookmarks_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": "OWNER#x"}},
            )
        )

    enforced(job)
