"""The local provisioner creates what a SAM template declares, by resource type, through moto's APIs."""

import copy
import json
from functools import cache
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from local.provision import Aws, UnsupportedResource, provision
from local.resolve import Resolver
from local.template import translate

# The shapes issues 3 and 4 add to template.yaml, in miniature: a stream function, a rule-invoked
# function with retry policy and DLQ, a queue-fed function, a rule to a topic, and a state machine
# started by a rule.
SAM_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function: {Runtime: python3.13, Handler: app.handler, CodeUri: functions/example/}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: !Sub "example-${Stage}"}
  StreamFailuresQueue:
    Type: AWS::SQS::Queue
    Properties: {SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600}
  ProdOnlyQueue:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Topic:
    Type: AWS::SNS::Topic
  StreamFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables: {BUS_NAME: !Ref Bus, TABLE_NAME: !Ref Table}
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            FilterCriteria:
              Filters: [{Pattern: '{"eventName": ["INSERT", "MODIFY"]}'}]
            FunctionResponseTypes: [ReportBatchItemFailures]
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 2
            DestinationConfig:
              OnFailure: {Type: SQS, Destination: !GetAtt StreamFailuresQueue.Arn}
  ContestFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Shared:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern: {source: [example], detail-type: [BookmarkShared]}
            RetryPolicy: {MaximumRetryAttempts: 1}
            DeadLetterConfig: {Type: SQS}
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        DestinationConfig:
          OnFailure: {Type: SQS, Destination: !GetAtt StreamFailuresQueue.Arn}
  NotifyQueue:
    Type: AWS::SQS::Queue
  NotifierFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Requests:
          Type: SQS
          Properties:
            Queue: !GetAtt NotifyQueue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
  DecidedRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [example], detail-type: [ContestEntryDecided]}
      Targets:
        - {Id: Topic, Arn: !Ref Topic, InputPath: $.detail}
  PublishStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Notify
        States:
          Notify:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters: {TopicArn: "${TopicArn}", "Message.$": "$.bookmark_id"}
            End: true
      DefinitionSubstitutions:
        TopicArn: !Ref Topic
      Policies: [{SNSPublishMessagePolicy: {TopicName: !GetAtt Topic.TopicName}}]
      Events:
        Recorded:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern: {source: [example], detail-type: [ContestEntryRecorded]}
            InputPath: $.detail
"""


@cache
def _translated() -> dict[str, Any]:
    return translate(yaml_parse(SAM_TEMPLATE))


def sam_template() -> dict[str, Any]:
    """The miniature template after the SAM transform (translated once; each test gets its own copy)."""
    return copy.deepcopy(_translated())


def provisioned_from(aws: Aws, template: dict[str, Any]) -> Any:
    return provision(template, aws, Resolver(template, stack_name="t"))


def test_every_resource_of_a_sam_template_is_created_with_its_settings(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())

    assert embedded_aws.dynamodb().describe_table(TableName=out.physical["Table"])["Table"][
        "StreamSpecification"
    ]
    assert embedded_aws.events().describe_event_bus(Name="example-dev")["Name"] == "example-dev"
    queue = embedded_aws.sqs().get_queue_attributes(
        QueueUrl=out.physical["StreamFailuresQueue"], AttributeNames=["MessageRetentionPeriod"]
    )
    assert queue["Attributes"]["MessageRetentionPeriod"] == "1209600"
    assert "ProdOnlyQueue" not in out.physical
    assert out.functions["StreamFunction"].environment == {
        "BUS_NAME": "example-dev",
        "TABLE_NAME": "t-Table",
    }


def test_a_state_machine_gets_its_definition_substitutions_resolved(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())

    machine = embedded_aws.stepfunctions().describe_state_machine(
        stateMachineArn=out.physical["PublishStateMachine"]
    )
    definition = json.loads(machine["definition"])

    assert definition["States"]["Notify"]["Parameters"]["TopicArn"] == out.physical["Topic"]


def test_a_stream_mapping_keeps_lambdas_batch_settings(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())

    (mapping,) = out.stream_mappings
    assert mapping.function == "StreamFunction"
    assert mapping.stream_arn == out.resolver.get_att("Table", "StreamArn")
    assert (mapping.batch_size, mapping.maximum_retry_attempts) == (10, 2)
    assert mapping.report_batch_item_failures
    assert mapping.bisect_on_error
    assert mapping.filters == ('{"eventName": ["INSERT", "MODIFY"]}',)
    assert mapping.on_failure_arn == out.resolver.get_att("StreamFailuresQueue", "Arn")


def test_rules_targeting_functions_and_state_machines_deliver_to_local_queues(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())
    deliveries = {delivery.rule: delivery for delivery in out.rule_deliveries}
    contest, publish = deliveries["ContestFunctionShared"], deliveries["PublishStateMachineRecorded"]

    embedded_aws.events().put_events(
        Entries=[
            {"EventBusName": "example-dev", "Source": "example", "DetailType": kind, "Detail": "{}"}
            for kind in ("BookmarkShared", "ContestEntryRecorded")
        ]
    )

    assert contest.function == "ContestFunction"
    assert (contest.maximum_retry_attempts, contest.dead_letter_arn) == (
        1,
        out.resolver.get_att("ContestFunctionSharedQueue", "Arn"),
    )
    assert publish.state_machine_arn == out.physical["PublishStateMachine"]
    assert publish.input_path == "$.detail"
    for delivery, kind in ((contest, "BookmarkShared"), (publish, "ContestEntryRecorded")):
        messages = embedded_aws.sqs().receive_message(QueueUrl=delivery.queue_url)["Messages"]
        assert json.loads(messages[0]["Body"])["detail-type"] == kind


def test_a_topic_gets_a_local_inbox_that_keeps_what_is_published(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())

    embedded_aws.sns().publish(TopicArn=out.physical["Topic"], Message="hello", Subject="s")

    messages = embedded_aws.sqs().receive_message(QueueUrl=out.topic_inboxes["Topic"])["Messages"]
    assert json.loads(messages[0]["Body"])["Message"] == "hello"
    # Named once for the stack (which says it is local), not "<stack>-local-...".
    assert out.topic_inboxes["Topic"].endswith("/t-Topic-inbox")


def test_resources_not_emulated_are_skipped_with_well_formed_placeholders(embedded_aws: Aws) -> None:
    out = provisioned_from(embedded_aws, sam_template())

    assert out.skipped["StreamFunctionRole"] == "AWS::IAM::Role"
    assert (
        out.resolver.get_att("StreamFunctionRole", "Arn")
        == "arn:aws:iam::123456789012:role/t-StreamFunctionRole"
    )


def test_an_unknown_resource_type_fails_loudly_before_anything_is_created(embedded_aws: Aws) -> None:
    template = sam_template()
    template["Resources"]["Schedule"] = {"Type": "AWS::Scheduler::Schedule", "Properties": {}}

    with pytest.raises(UnsupportedResource, match=r"Schedule \(AWS::Scheduler::Schedule\)"):
        provisioned_from(embedded_aws, template)
    assert embedded_aws.dynamodb().list_tables()["TableNames"] == []
