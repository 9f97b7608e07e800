"""What template.yaml promises, read from its SAM translation: roles, protection, tracing, logs."""

import copy
from typing import Any

import pytest

from tests.harness import resource, table_environment, table_variables, template, translated
from tests.roles import LOG_DELIVERY, actions, statements

TABLE_ARN = {"Fn::GetAtt": ["BookmarksTable", "Arn"]}


def grants(role: str) -> list[tuple[frozenset[str], Any]]:
    """The role's inline statements as (actions, resource) pairs; every one must be an Allow."""
    allowed = statements(role)
    assert {statement["Effect"] for statement in allowed} == {"Allow"}
    return [(frozenset(actions(statement)), statement["Resource"]) for statement in allowed]


def index_arn(table: str, index: str) -> dict[str, str]:
    return {"Fn::Sub": f"${{{table}.Arn}}/index/{index}"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "GetBookmarksFunctionRole",
            [
                (frozenset({"dynamodb:GetItem", "dynamodb:Query"}), TABLE_ARN),
                (frozenset({"dynamodb:Query"}), index_arn("BookmarksTable", "OwnerUrlIndex")),
                # feature: workflow
                (frozenset({"dynamodb:Query"}), index_arn("BookmarksTable", "TeamIndex")),
                (frozenset({"dynamodb:Query"}), index_arn("BookmarksTable", "SharedUrlIndex")),
                # end feature: workflow
            ],
        ),
        (
            "StoreBookmarkFunctionRole",
            [(frozenset({"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}), TABLE_ARN)],
        ),
    ],
)
def test_api_function_role_allows_exactly_its_actions_on_the_table(
    role: str, expected: list[tuple[frozenset[str], Any]]
) -> None:
    assert grants(role) == expected


# Actions AWS defines only on "*": X-Ray tracing, CloudWatch metrics and the log-delivery set-up
# Step Functions needs for execution logs have no resource to name.
WILDCARD_ONLY_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    *LOG_DELIVERY,
}
# Managed policies the app's roles may carry: logging and tracing, nothing that reaches data.
ALLOWED_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}


def test_no_role_statement_grants_a_wildcard_resource() -> None:
    resources = translated()["Resources"]
    for role_id in (k for k, v in resources.items() if v["Type"] == "AWS::IAM::Role"):
        for statement in statements(role_id):
            if statement["Resource"] == "*":
                assert set(actions(statement)) <= WILDCARD_ONLY_ACTIONS, role_id
            assert not any(action.endswith("*") for action in actions(statement)), (role_id, statement)


def test_function_roles_carry_only_logging_and_tracing_managed_policies() -> None:
    resources = translated()["Resources"]
    functions = (v for v in resources.values() if v["Type"] == "AWS::Lambda::Function")
    for function in functions:
        role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        assert set(role["Properties"].get("ManagedPolicyArns", [])) <= ALLOWED_MANAGED_POLICIES


def test_every_function_has_a_role_of_its_own() -> None:
    functions = {k: v for k, v in translated()["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]

    assert len(set(roles)) == len(functions) >= 2


def test_every_function_is_traced_on_arm64_python_and_logs_json() -> None:
    resources = translated()["Resources"]
    for function in (v for v in resources.values() if v["Type"] == "AWS::Lambda::Function"):
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Architectures"] == ["arm64"]
        assert properties["Runtime"] == "python3.13"
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"


def test_every_function_logs_to_a_declared_group_with_retention() -> None:
    resources = template()["Resources"]
    retained = {
        group["Properties"]["LogGroupName"]["Fn::Sub"]
        for group in resources.values()
        if group["Type"] == "AWS::Logs::LogGroup"
        and group["Properties"].get("RetentionInDays") == {"Ref": "LogRetentionDays"}
        and "LogGroupName" in group["Properties"]
    }
    for logical_id, function in resources.items():
        if function["Type"] == "AWS::Serverless::Function":
            assert f"/aws/lambda/${{{logical_id}}}" in retained


def test_api_defaults_to_the_cognito_authorizer_but_not_for_preflight() -> None:
    auth = resource("BookmarksApi")["Properties"]["Auth"]
    methods = translated()["Resources"]["BookmarksApi"]["Properties"]["Body"]["paths"]

    assert auth["DefaultAuthorizer"] == "CognitoAuthorizer"
    for path, operations in methods.items():
        for method, operation in operations.items():
            expected: list[dict[str, list[str]]] = [] if method == "options" else [{"CognitoAuthorizer": []}]
            assert operation.get("security", []) == expected, (path, method)


def test_gateway_errors_carry_cors_headers() -> None:
    responses = resource("BookmarksApi")["Properties"]["GatewayResponses"]

    for name in ("DEFAULT_4XX", "DEFAULT_5XX", "BAD_REQUEST_BODY"):
        assert "Access-Control-Allow-Origin" in responses[name]["ResponseParameters"]["Headers"]
    # API Gateway's validationErrorString quotes the input, however large; no answer may include it.
    for response in responses.values():
        assert "validationErrorString" not in response["ResponseTemplates"]["application/json"]


def test_table_is_recoverable_encrypted_protected_and_streams_both_images() -> None:
    properties = resource("BookmarksTable")["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["DeletionProtectionEnabled"] == {"Fn::If": ["ProtectData", True, False]}


def test_wildcard_origin_is_refused_outside_dev() -> None:
    rule = template()["Rules"]["NoWildcardOriginOutsideDev"]

    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "dev"]}]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AllowedOrigin"}, "*"]}]}


# The actions a TLS-only statement must deny: all of a queue's; publishing, for a topic (its policy
# can only name SNS's resource actions, and publishing is how data reaches it).
_TLS_ONLY_ACTIONS = {
    "AWS::SQS::Queue": ("AWS::SQS::QueuePolicy", "Queues", "sqs:*"),
    "AWS::SNS::Topic": ("AWS::SNS::TopicPolicy", "Topics", "sns:Publish"),
}


def _denies_plain_http(statement: dict[str, Any], action: str, target: Any) -> bool:
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return (
        statement["Effect"] == "Deny"
        and statement["Principal"] == "*"
        and statement["Action"] == action
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": False}}
        and target in resources
    )


@pytest.mark.parametrize("kind", sorted(_TLS_ONLY_ACTIONS))
def test_every_queue_and_topic_refuses_connections_without_tls(kind: str) -> None:
    policy_type, attached_to, action = _TLS_ONLY_ACTIONS[kind]
    resources = translated()["Resources"]
    policies = [r["Properties"] for r in resources.values() if r["Type"] == policy_type]

    for logical_id in (name for name, r in resources.items() if r["Type"] == kind):
        target = {"Fn::GetAtt": [logical_id, "Arn"]} if kind == "AWS::SQS::Queue" else {"Ref": logical_id}
        assert any(
            {"Ref": logical_id} in policy[attached_to]
            and any(_denies_plain_http(s, action, target) for s in policy["PolicyDocument"]["Statement"])
            for policy in policies
        ), f"{logical_id} accepts connections without TLS"


def test_every_table_is_known_by_the_variable_its_functions_read() -> None:
    tables = {
        logical_id for logical_id, r in template()["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"
    }

    assert set(table_variables()) == tables
    assert table_variables()["BookmarksTable"] == "BOOKMARKS_TABLE_NAME"
    assert table_environment()["BOOKMARKS_TABLE_NAME"] == "bookmarks-test"


def test_a_table_the_template_loses_is_no_longer_one_the_fixtures_make() -> None:
    document = copy.deepcopy(template())
    others = {
        logical_id
        for logical_id, r in document["Resources"].items()
        if r["Type"] == "AWS::DynamoDB::Table" and logical_id != "BookmarksTable"
    }
    for logical_id in others:
        del document["Resources"][logical_id]

    assert table_variables(document) == {"BookmarksTable": "BOOKMARKS_TABLE_NAME"}


def test_the_store_function_knows_the_contest_runs_exactly_while_the_template_has_the_contest() -> None:
    variables = resource("StoreBookmarkFunction")["Properties"]["Environment"]["Variables"]
    contest = "ContestEntryFunction" in template()["Resources"]

    # Deleting the Contest section and this variable together is the seam (README, "Make it yours").
    assert variables.get("BOOKMARKS_CONTEST") == ("enabled" if contest else None)
