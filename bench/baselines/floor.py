"""The floor: a handler that imports only boto3 and makes one DynamoDB call, with its client made on the
first invocation as the app's are."""

import os

import boto3

_client = None  # made on the first call, as the app makes its clients


def lambda_handler(event: dict[str, object], context: object) -> dict[str, object]:
    global _client  # the simplest cache there is: the point of a floor
    if _client is None:
        _client = boto3.client("dynamodb")
    key = {"pk": {"S": "OWNER#floor"}, "sk": {"S": "BOOKMARK#floor"}}
    found = _client.get_item(TableName=os.environ["BOOKMARKS_TABLE_NAME"], Key=key)
    return {"statusCode": 200 if "Item" in found else 404, "body": ""}
