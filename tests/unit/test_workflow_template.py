"""What the template promises about the publishing workflow, read from its SAM translation and from the
definition file: least privilege, tracing, logs without execution data, delivery, and no Lambda task."""

import json
import re
from typing import Any

import pytest

from bookmarks import layout
from bookmarks.models import ContestStatus
from tests.harness import TEMPLATE_PATH, Resolver, resource, state_machine_definition, translated
from tests.roles import LOG_DELIVERY, actions, statements
from tools import workflow_substitutions

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
        "source": [{"Ref": "AppName"}],
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
            "aws:SourceArn": [
                {"Fn::GetAtt": [f"PublishBookmarkStateMachine{name}", "Arn"]} for name in WORKFLOW_RULES
            ]
        }
    }


WORKFLOW_RULES = ("ContestEntryRecordedRule", "ReviewedBookmarkDeletedRule")


def test_a_deletion_in_review_starts_the_workflow_like_the_first_rule() -> None:
    first = translated()["Resources"]["PublishBookmarkStateMachineContestEntryRecordedRule"]["Properties"]
    rule = translated()["Resources"]["PublishBookmarkStateMachineReviewedBookmarkDeletedRule"]["Properties"]
    [target], [first_target] = rule["Targets"], first["Targets"]

    # Only deletions of what is in review: a private or decided bookmark's deletion starts nothing.
    assert rule["EventPattern"] == {
        "source": [{"Ref": "AppName"}],
        "detail-type": ["BookmarkDeleted"],
        "detail": {"contest_status": ["entered", "resubmitted"]},
    }
    assert rule["EventBusName"] == first["EventBusName"]
    for key in ("Arn", "DeadLetterConfig", "RetryPolicy"):
        assert target[key] == first_target[key]
    assert "InputPath" not in target


@pytest.mark.parametrize("name", WORKFLOW_RULES)
def test_rule_role_may_only_start_this_workflow(name: str) -> None:
    assert grants(f"PublishBookmarkStateMachine{name}Role") == {
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


def test_committed_workflow_layout_is_the_generated_one() -> None:
    assert workflow_substitutions.BLOCK.committed() == workflow_substitutions.rendered(), (
        "template.yaml's workflow layout is stale: run make generate"
    )
    substitutions = resource("PublishBookmarkStateMachine")["Properties"]["DefinitionSubstitutions"]
    assert {name: substitutions[name] for name in layout.workflow_substitutions()} == (
        layout.workflow_substitutions()
    )


# Where the definition names the table layout: keys of the items it reads and writes, DynamoDB
# expressions, index names, and the paths into an item it loaded.
_LAYOUT_FIELDS = {"UpdateExpression", "ConditionExpression", "KeyConditionExpression", "FilterExpression"}
# Attributes only the workflow writes and nothing in Python reads (the notice item, the claim's owner).
_WORKFLOW_ONLY = {"bookmark_id", "noticed_at", "claimed_by"}


def _layout_uses(node: Any, field: str | None = None) -> list[tuple[str, str]]:
    """(field, text) of every place in ``node`` that names an item's keys, attributes or an index."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if field in {"Key", "Item"}:
                found.append((f"{field} attribute", key))
            found.extend(_layout_uses(value, key))
    elif isinstance(node, list):
        for item in node:
            found.extend(_layout_uses(item, field))
    elif isinstance(node, str):
        if field in _LAYOUT_FIELDS or field == "IndexName" or field in {"S", "#shared"}:
            found.append((field, node))
        found.extend(("path", path) for path in re.findall(r"\.Item\.[^.\s,)]+", node))
        if field == "S.$":
            found.extend(("key shape", shape) for shape in re.findall(r"States\.Format\('[^']*'", node))
    return found


def test_definition_names_the_table_layout_only_through_substitutions() -> None:
    definition = json.loads(DEFINITION.read_text())
    layout_words = {
        value for value in layout.workflow_substitutions().values() if re.fullmatch(r"\w+", value)
    }

    for field, text in _layout_uses(definition["States"]):
        # What is left after the placeholders and the expressions' own :value and #name placeholders.
        words = set(re.findall(r"(?<![:#\w$])[A-Za-z_]\w*", re.sub(r"\$\{\w+\}", "", text)))
        assert not words & (layout_words - _WORKFLOW_ONLY), (field, text)
        assert "#" not in re.sub(r"#\w+|\$\{\w+\}", "", text), (field, text)


def test_both_duplicate_queries_use_the_one_filter_with_its_statuses() -> None:
    states = json.loads(DEFINITION.read_text())["States"]
    statuses = set(re.findall(r":(\w+)", layout.DUPLICATE_FILTER)) - {"submitted", "sk"}

    assert statuses == {status.value for status in layout.SUBMITTED}
    for name in ("FindDuplicates", "FindMoreDuplicates"):
        parameters = states[name]["Parameters"]
        assert parameters["FilterExpression"] == "${DuplicateFilter}"
        values = parameters["ExpressionAttributeValues"]
        assert all(values[f":{status}"] == {"S": status} for status in statuses), name


def test_every_contest_status_the_definition_writes_or_tests_is_the_domains() -> None:
    states = json.loads(DEFINITION.read_text())["States"]
    known = {status.value for status in ContestStatus}
    named: set[str] = set()
    for state in states.values():
        if state["Type"] == "Pass" and "status" in state.get("Parameters", {}):
            named.add(state["Parameters"]["status"])
        for choice in state.get("Choices", []):
            for rule in [choice, *choice.get("And", []), *choice.get("Or", [])]:
                rule = rule.get("Not", rule)
                if rule.get("Variable") == "$.loaded.Item.${ContestStatus}.S" and "StringEquals" in rule:
                    named.add(rule["StringEquals"])
        values = state.get("Parameters", {}).get("ExpressionAttributeValues", {})
        expressions = " ".join(str(state.get("Parameters", {}).get(field, "")) for field in _LAYOUT_FIELDS)
        for placeholder, value in values.items():
            if "${ContestStatus}" in expressions and placeholder.lstrip(":") in known:
                named.add(value["S"])

    assert named, "the definition names no contest status"
    assert named <= known


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


def test_the_tables_keys_and_indexes_are_the_layouts() -> None:
    def keys(schema: list[dict[str, str]]) -> list[str]:
        return [key["AttributeName"] for key in sorted(schema, key=lambda key: key["KeyType"])]

    bookmarks = resource("BookmarksTable")["Properties"]
    reviews = resource("ReviewsTable")["Properties"]
    indexes = {
        index["IndexName"]: keys(index["KeySchema"])
        for table in (bookmarks, reviews)
        for index in table["GlobalSecondaryIndexes"]
    }

    assert keys(bookmarks["KeySchema"]) == [layout.PARTITION_KEY, layout.SORT_KEY]
    assert keys(reviews["KeySchema"]) == [layout.REVIEW_KEY]
    assert indexes == {
        layout.OWNER_URL_INDEX: [layout.PARTITION_KEY, layout.URL_KEY],
        layout.SHARED_URL_INDEX: [layout.SHARED_URL_KEY, layout.SORT_KEY],
        layout.TEAM_INDEX: [layout.TEAM_PARTITION, layout.TEAM_SORT],
        layout.PENDING_REVIEW_INDEX: [layout.REVIEW_QUEUE, layout.SUBMITTED_AT],
    }
