"""What template.yaml promises for the event pipeline, read from its SAM translation: least-privilege
roles, the stream mapping's failure handling, who may invoke the contest, and encryption at rest."""

import json
from typing import Any

from tests.harness import translated
from tests.roles import actions, statements

STREAM_ARN = {"Fn::GetAtt": ["BookmarksTable", "StreamArn"]}
TABLE_ARN = {"Fn::GetAtt": ["BookmarksTable", "Arn"]}
BASIC_MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
]


def resources() -> dict[str, Any]:
    found: dict[str, Any] = translated()["Resources"]
    return found


def grants(role: str) -> list[tuple[list[str], str]]:
    """Each Allow of the role's inline policies as (sorted actions, resource as JSON), sorted."""
    allowed = []
    for statement in statements(role):
        assert statement["Effect"] == "Allow"
        allowed.append((sorted(actions(statement)), json.dumps(statement["Resource"], sort_keys=True)))
    return sorted(allowed)


def sub(pattern: str, **values: Any) -> str:
    return json.dumps({"Fn::Sub": [pattern, values]}, sort_keys=True)


def test_stream_function_may_read_the_table_stream_and_put_events_on_the_bus_only() -> None:
    role = resources()["BookmarkEventsFunctionRole"]["Properties"]
    table = {"Ref": "BookmarksTable"}
    stream_label = {"Fn::Select": [3, {"Fn::Split": ["/", STREAM_ARN]}]}
    prefix = "arn:${AWS::Partition}:"
    table_arn = prefix + "dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}"

    assert role["ManagedPolicyArns"] == BASIC_MANAGED_POLICIES  # no AWSLambdaDynamoDBExecutionRole
    assert grants("BookmarkEventsFunctionRole") == sorted(
        [
            (
                ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                sub(table_arn + "/stream/${streamName}", streamName=stream_label, tableName=table),
            ),
            (
                ["dynamodb:ListStreams"],
                sub(table_arn + "/stream/*", tableName=table),
            ),
            (
                ["events:PutEvents"],
                sub(
                    prefix + "events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}",
                    eventBusName={"Ref": "BookmarksBus"},
                ),
            ),
            (  # what Lambda needs to put the mapping's on-failure records in the failure queue
                ["sqs:SendMessage"],
                json.dumps({"Fn::GetAtt": ["BookmarkEventsFailureQueue", "Arn"]}),
            ),
        ]
    )


def test_every_rule_target_retries_a_bounded_time_then_dead_letters() -> None:
    for r in (r for r in resources().values() if r["Type"] == "AWS::Events::Rule"):
        for target in r["Properties"]["Targets"]:
            assert target["DeadLetterConfig"]["Arn"]
            assert 0 < target["RetryPolicy"]["MaximumRetryAttempts"] <= 185
            assert 60 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86400
    # feature: contest
    dead_letters = {"Arn": {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}}
    targets = resources()["ContestEntryFunctionBookmarkSharedRule"]["Properties"]["Targets"]
    assert [target["DeadLetterConfig"] for target in targets] == [dead_letters]
    # end feature: contest


# feature: contest
def test_contest_function_may_only_update_the_table() -> None:
    role = resources()["ContestEntryFunctionRole"]["Properties"]

    assert role["ManagedPolicyArns"] == BASIC_MANAGED_POLICIES
    assert grants("ContestEntryFunctionRole") == sorted(
        [
            (["dynamodb:UpdateItem"], json.dumps(TABLE_ARN)),
            # Lambda sends failed asynchronous invocations to the dead-letter queue with this role.
            (["sqs:SendMessage"], json.dumps({"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]})),
        ]
    )


# The rule invokes the function's published `live` alias (SnapStart runs only published versions).
CONTEST_ALIAS = {"Ref": "ContestEntryFunctionAliaslive"}


def test_only_the_bookmark_shared_rule_may_invoke_the_contest_function() -> None:
    permissions = [
        r["Properties"]
        for r in resources().values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["FunctionName"] == CONTEST_ALIAS
    ]
    targets = [
        (logical_id, target)
        for logical_id, r in resources().items()
        if r["Type"] == "AWS::Events::Rule"
        for target in r["Properties"]["Targets"]
        if target["Arn"] in (CONTEST_ALIAS, {"Fn::GetAtt": ["ContestEntryFunction", "Arn"]})
    ]

    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": CONTEST_ALIAS,
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": ["ContestEntryFunctionBookmarkSharedRule", "Arn"]},
        }
    ]
    assert [logical_id for logical_id, _ in targets] == ["ContestEntryFunctionBookmarkSharedRule"]


def test_contest_function_failures_after_lambdas_retries_are_kept() -> None:
    config = resources()["ContestEntryFunctionEventInvokeConfig"]["Properties"]

    assert config["MaximumRetryAttempts"] == 2
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]
    }


# end feature: contest


def test_stream_mapping_reports_partial_failures_bisects_retries_boundedly_and_keeps_what_fails() -> None:
    mapping = resources()["BookmarkEventsMapping"]["Properties"]

    assert mapping["EventSourceArn"] == STREAM_ARN
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] < 24 * 3600  # within the stream's retention
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["BookmarkEventsFailureQueue", "Arn"]
    }
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [
        {"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "BOOKMARK#"}]}}}}
    ]


def test_queues_are_encrypted_and_only_the_contests_rule_may_write_dead_letters() -> None:
    r = resources()
    cmk, no_value = "UsesCustomerManagedKey", {"Ref": "AWS::NoValue"}
    queues = ["BookmarkEventsFailureQueue"]
    # feature: contest
    queues.append("EventsDeadLetterQueue")
    # end feature: contest

    for queue in queues:
        assert r[queue]["Properties"]["SqsManagedSseEnabled"] == {"Fn::If": [cmk, no_value, True]}
        assert r[queue]["Properties"]["KmsMasterKeyId"] == {"Fn::If": [cmk, {"Ref": "DataKey"}, no_value]}
    # feature: contest
    queue_policy = r["EventsDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert queue_policy[0]["Condition"]["ArnEquals"]["aws:SourceArn"] == {
        "Fn::GetAtt": ["ContestEntryFunctionBookmarkSharedRule", "Arn"]
    }
    assert queue_policy[1]["Effect"] == "Deny"
    assert queue_policy[1]["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    # end feature: contest


# feature: workflow
def test_the_workflows_topics_are_encrypted_and_refuse_unencrypted_publishing() -> None:
    r = resources()
    topic_policy = r["WorkflowTopicsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    cmk = "UsesCustomerManagedKey"

    # The workflow publishes the organisers' notice with its role, so the AWS managed key serves.
    assert r["ContestNotificationsTopic"]["Properties"]["KmsMasterKeyId"] == {
        "Fn::If": [cmk, {"Ref": "DataKey"}, "alias/aws/sns"]
    }
    assert {"Ref": "ContestNotificationsTopic"} in r["WorkflowTopicsPolicy"]["Properties"]["Topics"]
    assert [s["Effect"] for s in topic_policy] == ["Deny"]
    assert topic_policy[0]["Condition"] == {"Bool": {"aws:SecureTransport": False}}


# end feature: workflow


def test_each_event_function_gets_only_the_environment_it_uses() -> None:
    stream = resources()["BookmarkEventsFunction"]["Properties"]["Environment"]["Variables"]

    assert stream["BOOKMARKS_BUS_NAME"] == {"Ref": "BookmarksBus"}
    assert "BOOKMARKS_TABLE_NAME" not in stream
    # feature: contest
    contest = resources()["ContestEntryFunction"]["Properties"]["Environment"]["Variables"]
    assert contest["BOOKMARKS_TABLE_NAME"] == {"Ref": "BookmarksTable"}
    assert "BOOKMARKS_BUS_NAME" not in contest
    # end feature: contest
