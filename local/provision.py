"""Creates the template's resources through the AWS APIs of the embedded AWS (moto)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Properties that exist in CloudFormation but not in CreateTable, or that moto cannot carry.
_NOT_CREATE_TABLE = {
    "PointInTimeRecoverySpecification",
    "SSESpecification",
    "TimeToLiveSpecification",
    "DeletionProtectionEnabled",
}


def create_table(dynamodb: "DynamoDBClient", name: str, properties: dict[str, Any]) -> str:
    """Create a table from its AWS::DynamoDB::Table properties; returns its stream ARN."""
    request = {key: value for key, value in properties.items() if key not in _NOT_CREATE_TABLE}
    if "StreamSpecification" in request:
        request["StreamSpecification"] = {"StreamEnabled": True, **request["StreamSpecification"]}
    table = dynamodb.create_table(TableName=name, **request)["TableDescription"]
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return str(table.get("LatestStreamArn", ""))
