"""Creates the template's resources through the AWS APIs of the embedded AWS (moto)."""

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import boto3

from local.template import TEMPLATE_PATH, resource, template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_stepfunctions import SFNClient

# moto's default account: ARNs the local stack builds itself must name the one moto answers for.
ACCOUNT_ID = "123456789012"

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


def parameters(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The template's parameters at their defaults (lists split as CloudFormation splits them), overridden."""
    values: dict[str, Any] = {}
    for name, declared in template().get("Parameters", {}).items():
        if "Default" not in declared:
            continue
        default = declared["Default"]
        values[name] = default.split(",") if declared["Type"] == "CommaDelimitedList" else default
    return values | dict(overrides or {})


_NO_VALUE = object()


def resolve(node: Any, refs: Mapping[str, Any]) -> Any:
    """Evaluate the intrinsic functions the workflow's properties use (Ref, Fn::GetAtt, Fn::Join, Fn::Sub
    with plain names, Fn::If on the template's Conditions) against ``refs``: a logical id or parameter
    name -> its Ref value, "Id.Attr" -> that attribute. Anything unknown raises KeyError, so a new
    reference cannot be silently left unresolved."""
    resolved = _resolve(node, refs)
    return None if resolved is _NO_VALUE else resolved


def _resolve(node: Any, refs: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [item for item in (_resolve(item, refs) for item in node) if item is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return _NO_VALUE if node["Ref"] == "AWS::NoValue" else refs[node["Ref"]]
    if set(node) == {"Fn::GetAtt"}:
        target = node["Fn::GetAtt"]
        return refs[".".join(target) if isinstance(target, list) else target]
    if set(node) == {"Fn::Join"}:
        separator, items = node["Fn::Join"]
        return separator.join(str(item) for item in _resolve(items, refs))
    if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
        return re.sub(r"\$\{([\w:.]+)\}", lambda found: str(refs[found.group(1)]), node["Fn::Sub"])
    if set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        return _resolve(when_true if _condition(condition, refs) else when_false, refs)
    resolved = {key: _resolve(value, refs) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not _NO_VALUE}


def _condition(name: str, refs: Mapping[str, Any]) -> bool:
    """The value of one of the template's Conditions, with parameters taken from ``refs``."""

    def evaluate(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Fn::Equals":
                left, right = (evaluate(item) for item in argument)
                return str(left) == str(right)
            if function == "Fn::Not":
                return not evaluate(argument[0])
            if function == "Fn::And":
                return all(evaluate(item) for item in argument)
            if function == "Fn::Or":
                return any(evaluate(item) for item in argument)
            if function == "Condition":
                return _condition(argument, refs)
        return _resolve(node, refs)

    return bool(evaluate(template()["Conditions"][name]))


def state_machine_definition(logical_id: str, refs: Mapping[str, Any]) -> str:
    """The state machine's definition file with its DefinitionSubstitutions resolved against ``refs``."""
    properties = resource(logical_id)["Properties"]
    definition: str = (TEMPLATE_PATH.parent / properties["DefinitionUri"]).read_text()
    for name, value in properties.get("DefinitionSubstitutions", {}).items():
        definition = definition.replace(f"${{{name}}}", str(resolve(value, refs)))
    left = re.findall(r"\$\{(\w+)\}", definition)
    if left:
        raise KeyError(f"{logical_id}: no DefinitionSubstitutions for {sorted(set(left))}")
    return definition


def create_state_machine(
    stepfunctions: "SFNClient", name: str, logical_id: str, refs: Mapping[str, Any], role_arn: str
) -> str:
    """Create an AWS::Serverless::StateMachine from its definition file; returns its ARN.

    Executions run on moto only when ``execute_state_machine`` was on before this call."""
    properties = resource(logical_id)["Properties"]
    created = stepfunctions.create_state_machine(
        name=name,
        definition=state_machine_definition(logical_id, refs),
        roleArn=role_arn,
        type=properties.get("Type", "STANDARD"),
    )
    return created["stateMachineArn"]


def provision_workflow(refs: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Create the publishing workflow's resources (reviews table, topics, state machine) with the default
    boto3 clients, next to the BookmarksTable ``refs`` names; returns ``refs`` with theirs added.

    ``overrides`` set template parameters, e.g. a ReviewTimeoutSeconds of a few seconds for tests."""
    resolved = parameters(overrides) | {"AWS::Region": "us-east-1", "AWS::AccountId": ACCOUNT_ID} | dict(refs)
    resolved.setdefault("ReviewsTable", "reviews")
    create_table(boto3.client("dynamodb"), resolved["ReviewsTable"], resource("ReviewsTable")["Properties"])
    sns = boto3.client("sns")
    for topic in ("ModerationTopic", "NotificationsTopic"):
        attributes = {"KmsMasterKeyId": resolve(resource(topic)["Properties"]["KmsMasterKeyId"], resolved)}
        resolved[topic] = sns.create_topic(Name=topic, Attributes=attributes)["TopicArn"]
        resolved[f"{topic}.TopicName"] = topic
    resolved["PublishBookmarkStateMachine"] = create_state_machine(
        boto3.client("stepfunctions"),
        "PublishBookmarkStateMachine",
        "PublishBookmarkStateMachine",
        resolved,
        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/PublishBookmarkStateMachineRole",
    )
    return resolved
