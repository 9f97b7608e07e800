"""What template.yaml promises, read from its SAM translation: roles, protection, tracing, logs."""

from typing import Any

import pytest

from local.template import resource, template, translated

TABLE_ARN = {"Fn::GetAtt": ["BookmarksTable", "Arn"]}


def inline_statements(role: str) -> list[dict[str, Any]]:
    policies = translated()["Resources"][role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def grants(role: str) -> list[tuple[frozenset[str], Any]]:
    """The role's inline statements as (actions, resource) pairs; every one must be an Allow."""
    statements = inline_statements(role)
    assert {statement["Effect"] for statement in statements} == {"Allow"}
    return [
        (frozenset([s["Action"]] if isinstance(s["Action"], str) else s["Action"]), s["Resource"])
        for s in statements
    ]


def index_arn(table: str, index: str) -> dict[str, str]:
    return {"Fn::Sub": f"${{{table}.Arn}}/index/{index}"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "GetBookmarksFunctionRole",
            [
                (frozenset({"dynamodb:GetItem", "dynamodb:Query"}), TABLE_ARN),
                (frozenset({"dynamodb:Query"}), index_arn("BookmarksTable", "TeamIndex")),
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


def test_every_function_has_a_role_of_its_own() -> None:
    functions = {k: v for k, v in translated()["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]

    assert len(set(roles)) == len(functions) >= 2


def test_every_function_is_traced_and_logs_json_to_a_retained_log_group() -> None:
    resources = translated()["Resources"]
    for function in (v for v in resources.values() if v["Type"] == "AWS::Lambda::Function"):
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Architectures"] == ["arm64"]
        assert properties["Runtime"] == "python3.13"
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"
        log_group = resources[properties["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


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
    assert "validationErrorString" in responses["BAD_REQUEST_BODY"]["ResponseTemplates"]["application/json"]


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
