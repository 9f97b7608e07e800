"""A cancelled transaction on the embedded DynamoDB undoes nothing but itself, as on AWS."""

import threading
from collections.abc import Iterator

import pytest

from local.moto_patches import dynamodb_one_call_at_a_time
from local.provision import Aws


@pytest.fixture
def table(embedded_aws: Aws) -> Iterator[str]:
    embedded_aws.dynamodb().create_table(
        TableName="isolation",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with dynamodb_one_call_at_a_time():
        yield "isolation"


def test_writes_made_while_a_transaction_is_cancelled_are_kept(embedded_aws: Aws, table: str) -> None:
    dynamodb = embedded_aws.dynamodb()
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "taken"}})
    done = threading.Event()

    def cancel_transactions() -> None:
        while not done.is_set():
            with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
                dynamodb.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"pk": {"S": "taken"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        }
                    ]
                )

    canceller = threading.Thread(target=cancel_transactions)
    canceller.start()
    try:
        written = [f"item-{n}" for n in range(150)]
        for key in written:
            embedded_aws.dynamodb().put_item(TableName=table, Item={"pk": {"S": key}})
    finally:
        done.set()
        canceller.join(timeout=10)

    kept = {item["pk"]["S"] for item in dynamodb.scan(TableName=table)["Items"]}
    assert set(written) <= kept
