"""What the template promises about the publishing workflow, read from its SAM translation and from the
definition file: least privilege, tracing, logs without execution data, delivery, and no Lambda task."""

import json
import re
from typing import Any

import pytest

from tests.harness import TEMPLATE_PATH, Resolver, resource, state_machine_definition, translated
from tests.roles import LOG_DELIVERY, actions, statements

DEFINITION = TEMPLATE_PATH.parent / "statemachine" / "publish_bookmark.asl.json"
BOOKMARKS_TABLE = {"Fn::GetAtt": ["BookmarksTable", "Arn"]}
REVIEWS_TABLE = {"Fn::GetAtt": ["ReviewsTable", "Arn"]}


def grants(role: str) -> dict[str, list[Any]]:
    """Each action the role allows, with the resources it is allowed on."""
    allowed: dict[str, list[Any]] = {}
    for statement in statements(role):
        assert statement["Effect"] == "Allow"
        for action in actions(statement):
            allowed.setdefault(action, []).append(statement["Resource"])
    return allowed


def topic_arn(topic: str) -> dict[str, Any]:
    return {
        "Fn::Sub": [
            "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${topicName}",
            {"topicName": {"Fn::GetAtt": [topic, "TopicName"]}},
        ]
    }


def test_workflow_role_allows_its_steps_and_nothing_more() -> None:
    allowed = grants("PublishBookmarkStateMachineRole")

    assert {action: resources for action, resources in allowed.items() if action not in LOG_DELIVERY} == {
        "dynamodb:GetItem": [BOOKMARKS_TABLE],
        "dynamodb:UpdateItem": [BOOKMARKS_TABLE, REVIEWS_TABLE],
        "dynamodb:Query": [{"Fn::Sub": "${BookmarksTable.Arn}/index/SharedUrlIndex"}],
        "dynamodb:PutItem": [REVIEWS_TABLE],
        "sns:Publish": [
            topic_arn("ModerationTopic"),
            topic_arn("NotificationsTopic"),
            topic_arn("ContestNotificationsTopic"),
        ],
    }
    # CloudWatch Logs delivery APIs take no resource; they are the only unscoped grant.
    assert all(allowed[action] == ["*"] for action in LOG_DELIVERY)
    role = translated()["Resources"]["PublishBookmarkStateMachineRole"]["Properties"]
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]


def test_every_action_the_definition_calls_is_granted() -> None:
    allowed = grants("PublishBookmarkStateMachineRole")
    definition = json.loads(DEFINITION.read_text())
    called = set()
    for state in definition["States"].values():
        found = re.fullmatch(
            r"arn:aws:states:::(?:aws-sdk:)?(\w+):(\w+)(?:\.waitForTaskToken)?", state.get("Resource", "")
        )
        if found:
            service, api = found.groups()
            called.add(f"{service}:{api[0].upper()}{api[1:]}")

    assert called == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "sns:Publish",
    }
    assert called <= set(allowed)


def test_review_function_may_claim_reviews_and_resume_only_this_workflow() -> None:
    assert grants("ReviewBookmarkFunctionRole") == {
        "dynamodb:UpdateItem": [REVIEWS_TABLE],
        "dynamodb:Query": [{"Fn::Sub": "${ReviewsTable.Arn}/index/PendingReviewIndex"}],
        "states:SendTaskSuccess": [{"Ref": "PublishBookmarkStateMachine"}],
    }


@pytest.mark.parametrize(
    "role", ["GetBookmarksFunctionRole", "StoreBookmarkFunctionRole", "PublishBookmarkStateMachineRole"]
)
def test_no_other_role_can_read_the_task_tokens_or_resume_the_workflow(role: str) -> None:
    allowed = grants(role)

    assert not any(action.startswith("states:") for action in allowed)
    reads = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"}
    assert all(REVIEWS_TABLE not in allowed.get(action, []) for action in reads)


def test_workflow_is_traced_and_logs_errors_without_execution_data() -> None:
    machine = translated()["Resources"]["PublishBookmarkStateMachine"]["Properties"]
    log_group = resource("PublishBookmarkStateMachineLogGroup")["Properties"]

    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert machine["LoggingConfiguration"]["Level"] == "ERROR"
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_rule_starts_the_workflow_with_the_whole_event_and_a_dead_letter_queue() -> None:
    rule = translated()["Resources"]["PublishBookmarkStateMachineContestEntryRecordedRule"]["Properties"]
    [target] = rule["Targets"]
    queue = resource("PublishBookmarkDeadLetterQueue")["Properties"]
    queue_policy = resource("PublishBookmarkDeadLetterQueuePolicy")["Properties"]["PolicyDocument"]

    assert rule["EventBusName"] == {"Ref": "BookmarksBus"}
    assert rule["EventPattern"] == {
        "source": ["bookmarks"],
        "detail-type": ["ContestEntryRecorded", "BookmarkResubmitted", "ContestEntryWithdrawn"],
    }
    assert target["Arn"] == {"Ref": "PublishBookmarkStateMachine"}
    # The whole event, so that a failed execution's input shows the event's id and change_id.
    assert "InputPath" not in target
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["PublishBookmarkDeadLetterQueue", "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    no_value = {"Ref": "AWS::NoValue"}
    assert queue["SqsManagedSseEnabled"] == {"Fn::If": ["UsesCustomerManagedKey", no_value, True]}
    assert queue["KmsMasterKeyId"] == {"Fn::If": ["UsesCustomerManagedKey", {"Ref": "DataKey"}, no_value]}
    [statement] = [s for s in queue_policy["Statement"] if s["Effect"] == "Allow"]
    assert statement["Condition"] == {
        "ArnEquals": {
            "aws:SourceArn": {"Fn::GetAtt": ["PublishBookmarkStateMachineContestEntryRecordedRule", "Arn"]}
        }
    }


def test_rule_role_may_only_start_this_workflow() -> None:
    assert grants("PublishBookmarkStateMachineContestEntryRecordedRuleRole") == {
        "states:StartExecution": [{"Ref": "PublishBookmarkStateMachine"}]
    }


def test_definition_uses_no_lambda_and_names_no_resource_itself() -> None:
    text = DEFINITION.read_text()

    assert "lambda" not in text.lower()
    assert not re.search(r"arn:aws:(?!states:::)", text)
    placeholders = set(re.findall(r"\$\{(\w+)\}", text))
    assert placeholders == set(
        resource("PublishBookmarkStateMachine")["Properties"]["DefinitionSubstitutions"]
    )


def test_definition_resolves_against_local_resources() -> None:
    overrides = {"AllowedTopLevelDomains": "com,org", "ReviewTimeoutSeconds": "5"}
    resolver = Resolver(translated(), parameter_overrides=overrides)
    resolver.refs.update(
        BookmarksTable="b",
        ReviewsTable="r",
        ModerationTopic="arn:aws:sns:us-east-1:123456789012:m",
        NotificationsTopic="arn:aws:sns:us-east-1:123456789012:n",
        ContestNotificationsTopic="arn:aws:sns:us-east-1:123456789012:c",
    )
    properties = translated()["Resources"]["PublishBookmarkStateMachine"]["Properties"]
    definition = {key: properties[key] for key in ("DefinitionString", "DefinitionSubstitutions")}

    resolved = json.loads(state_machine_definition(resolver.resolve(definition)))

    configure = resolved["States"]["Configure"]["Parameters"]["config"]
    assert configure["allowed_tlds.$"] == "States.StringSplit('com,org', ',')"
    assert configure["review_timeout_seconds.$"] == "States.StringToJson('5')"


def test_topics_are_encrypted_and_the_reviews_table_protected_without_a_stream() -> None:
    reviews = resource("ReviewsTable")["Properties"]

    for topic in ("ModerationTopic", "NotificationsTopic", "ContestNotificationsTopic"):
        assert resource(topic)["Properties"]["KmsMasterKeyId"] == {
            "Fn::If": ["UsesCustomerManagedKey", {"Ref": "DataKey"}, "alias/aws/sns"]
        }
    assert "StreamSpecification" not in reviews
    assert reviews["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert reviews["SSESpecification"]["SSEEnabled"] is True
    assert reviews["DeletionProtectionEnabled"] == {"Fn::If": ["ProtectData", True, False]}


def test_indexes_project_no_owner_to_the_team_and_no_token_to_the_review_list() -> None:
    team = {i["IndexName"]: i for i in resource("BookmarksTable")["Properties"]["GlobalSecondaryIndexes"]}
    reviews = {i["IndexName"]: i for i in resource("ReviewsTable")["Properties"]["GlobalSecondaryIndexes"]}

    assert "owner" not in team["TeamIndex"]["Projection"]["NonKeyAttributes"]
    assert reviews["PendingReviewIndex"]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["bookmark"],
    }
