"""The contest's counters in the bookmarks table: one entrant item per user, counting their entries, moved
in the same transaction as the bookmark that enters (the layout is bookmarks/layout.py's)."""

from botocore.exceptions import ClientError

from bookmarks import layout
from bookmarks.aws import dynamodb
from bookmarks.models import ContestStatus
from bookmarks.settings import settings


def record_entry(owner: str, bookmark_id: str) -> bool:
    """Move the bookmark from ``entering`` to ``entered`` and add one to the owner's entries, in one
    transaction: True when recorded now, False when it was not entering (already entered, or gone)."""
    try:
        dynamodb().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": settings().bookmarks_table_name,
                        "Key": layout.bookmark_key(owner, bookmark_id),
                        "UpdateExpression": "SET #contest_status = :entered",
                        "ConditionExpression": "#contest_status = :entering",
                        "ExpressionAttributeNames": {"#contest_status": layout.CONTEST_STATUS},
                        "ExpressionAttributeValues": {
                            ":entering": {"S": ContestStatus.ENTERING.value},
                            ":entered": {"S": ContestStatus.ENTERED.value},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": settings().bookmarks_table_name,
                        "Key": layout.entrant_key(owner),
                        "UpdateExpression": "SET #owner = :owner ADD entries :one",
                        "ExpressionAttributeNames": {"#owner": "owner"},
                        "ExpressionAttributeValues": {":owner": {"S": owner}, ":one": {"N": "1"}},
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        if error.response["Error"]["Code"] != "TransactionCanceledException" or not reasons:
            raise
        if reasons[0].get("Code") != "ConditionalCheckFailed":
            raise
        return False
    return True


def entries(owner: str) -> int:
    """How many contest entries the owner has (0 before the first)."""
    answer = dynamodb().get_item(
        TableName=settings().bookmarks_table_name, Key=layout.entrant_key(owner), ConsistentRead=True
    )
    return int(answer.get("Item", {}).get("entries", {}).get("N", "0"))
