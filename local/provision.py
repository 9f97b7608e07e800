"""Creates the template's resources through the AWS APIs of the embedded AWS (moto), by resource type.

moto's own CloudFormation is not the provisioner: it rejects Cognito and API Gateway and drops
substitutions. Each supported type has a small function here; the types the local stack does not need
are on SKIPPED with the reason; any other type fails loudly, so nothing in the template is silently lost.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING, Any

import boto3

from local.resolve import Resolver, references

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient

# Properties that exist in CloudFormation but not in CreateTable, or that moto cannot carry.
_NOT_CREATE_TABLE = {
    "PointInTimeRecoverySpecification",
    "SSESpecification",
    "TimeToLiveSpecification",
    "DeletionProtectionEnabled",
    "TableName",
    "Tags",
    "ContributorInsightsSpecification",
    "KinesisStreamSpecification",
    "ResourcePolicy",
}

# Types the local stack does not create, and why. A prefix ending in "::" covers a whole service.
SKIPPED: dict[str, str] = {
    "AWS::IAM::": "moto enforces no IAM here; roles and policies are tested on their documents",
    "AWS::Logs::": "functions log to the console of `make local`",
    # Alarms and dashboards are provisioned (below) and alarms evaluated by local/alarms.py.
    "AWS::CloudWatch::": "only metric alarms and dashboards are emulated locally",
    "AWS::ApiGateway::": "local/api.py serves the API from the template's routes, models and settings",
    "AWS::WAFv2::": "no web ACL in front of the local API",
    "AWS::CodeDeploy::": "no traffic shifting locally: the one local version of each function serves",
    "AWS::XRay::": "tracing is disabled locally",
    "AWS::Lambda::Permission": "the local triggers call handlers in-process; no resource policy is consulted",
    "AWS::Lambda::LayerVersion": "layers are on the local PYTHONPATH",
    "AWS::SQS::QueuePolicy": "moto does not enforce queue policies",
    "AWS::SQS::QueueInlinePolicy": "moto does not enforce queue policies",
    "AWS::SNS::TopicPolicy": "moto does not enforce topic policies",
    "AWS::SNS::TopicInlinePolicy": "moto does not enforce topic policies",
    "AWS::Events::EventBusPolicy": "moto does not enforce bus policies",
    "AWS::KMS::Alias": "moto encrypts nothing; keys are referenced by id",
    "AWS::S3::": "local/web.py serves web/ itself; no bucket is needed",
    "AWS::CloudFront::": "local/web.py serves web/ with the distribution's security headers",
    "AWS::CloudFormation::WaitConditionHandle": "orders a real deploy only; nothing waits locally",
}


class UnsupportedResource(Exception):
    """A resource type the local stack neither emulates nor knowingly skips."""


def skip_reason(resource_type: str) -> str | None:
    for prefix, reason in SKIPPED.items():
        if resource_type == prefix or (prefix.endswith("::") and resource_type.startswith(prefix)):
            return reason
    return None


class Aws:
    """Clients of the embedded AWS, one per service, all pointing at the moto server."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's dummy credentials)
            region_name=region,
        )

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def cognito(self) -> "CognitoIdentityProviderClient":
        client: CognitoIdentityProviderClient = self.client("cognito-idp")
        return client

    def dynamodb(self) -> "DynamoDBClient":
        client: DynamoDBClient = self.client("dynamodb")
        return client

    def events(self) -> "EventBridgeClient":
        client: EventBridgeClient = self.client("events")
        return client

    def sns(self) -> "SNSClient":
        client: SNSClient = self.client("sns")
        return client

    def sqs(self) -> "SQSClient":
        client: SQSClient = self.client("sqs")
        return client

    def stepfunctions(self) -> "SFNClient":
        client: SFNClient = self.client("stepfunctions")
        return client


@dataclass(frozen=True)
class LocalFunction:
    """A Lambda function that runs in-process: its template id, deployed-style name and ARN, environment."""

    logical_id: str
    name: str
    arn: str
    environment: dict[str, str]


@dataclass(frozen=True)
class StreamMapping:
    """An event source mapping from a DynamoDB stream to a function, with Lambda's batch settings."""

    logical_id: str
    function: str
    stream_arn: str
    batch_size: int = 100
    filters: tuple[str, ...] = ()
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1
    on_failure_arn: str | None = None
    starting_position: str = "TRIM_HORIZON"


@dataclass(frozen=True)
class RuleDelivery:
    """A rule target moto cannot deliver to (function, state machine, topic), rerouted to a local queue."""

    rule: str
    rule_arn: str
    target_arn: str
    queue_url: str
    function: str | None = None
    state_machine_arn: str | None = None
    topic_arn: str | None = None
    input_path: str | None = None
    maximum_retry_attempts: int = 2
    dead_letter_arn: str | None = None


@dataclass(frozen=True)
class QueueMapping:
    """An event source mapping from an SQS queue to a function, with Lambda's batch settings."""

    logical_id: str
    function: str
    queue_arn: str
    batch_size: int = 10
    filters: tuple[str, ...] = ()
    report_batch_item_failures: bool = False


@dataclass(frozen=True)
class AsyncInvocation:
    """How Lambda retries an asynchronous invocation (EventBridge's) that fails, and where it then goes:
    its function's EventInvokeConfig, or Lambda's defaults (two retries, then dropped)."""

    maximum_retry_attempts: int = 2
    on_failure_arn: str | None = None


@dataclass
class Provisioned:
    """What the local stack made of the template: physical names, in-process functions and triggers."""

    resolver: Resolver
    physical: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    stream_mappings: list[StreamMapping] = field(default_factory=list)
    queue_mappings: list[QueueMapping] = field(default_factory=list)
    rule_deliveries: list[RuleDelivery] = field(default_factory=list)
    topic_inboxes: dict[str, str] = field(default_factory=dict)
    async_invocations: dict[str, AsyncInvocation] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def function_for(self, name_or_arn: str) -> str:
        """The logical id of the function a name, ARN, version or alias ARN designates."""
        for function in self.functions.values():
            if name_or_arn in (function.name, function.arn) or name_or_arn.startswith(f"{function.arn}:"):
                return function.logical_id
        raise UnsupportedResource(f"{name_or_arn} is no function of the template")


def _name(resolver: Resolver, logical_id: str) -> str:
    return f"{resolver.stack_name}-{logical_id}"


def _arn(resolver: Resolver, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{resolver.region}:{resolver.account_id}:{resource}"


def _set(out: Provisioned, logical_id: str, ref: Any, **attributes: Any) -> None:
    out.resolver.refs[logical_id] = ref
    out.physical[logical_id] = ref
    for attribute, value in attributes.items():
        out.resolver.attributes[(logical_id, attribute)] = value


def _attributes_as_strings(properties: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """SQS and SNS take their settings as a map of strings; JSON documents are serialised."""
    attributes = {}
    for name in names:
        if name in properties:
            value = properties[name]
            if isinstance(value, bool):
                value = "true" if value else "false"
            attributes[name] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    return attributes


def _api_input(client: Any, operation: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The properties that are parameters of the API operation (CloudFormation reuses the API's names)."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {key: value for key, value in properties.items() if key in members}


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


def _table(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    name = properties.get("TableName") or _name(out.resolver, logical_id)
    stream_arn = create_table(aws.dynamodb(), name, properties)
    arn = _arn(out.resolver, "dynamodb", f"table/{name}")
    _set(out, logical_id, name, Arn=arn, StreamArn=stream_arn)


def _user_pool(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    cognito = aws.cognito()
    request = _api_input(cognito, "CreateUserPool", properties)
    request["PoolName"] = properties.get("UserPoolName") or _name(out.resolver, logical_id)
    pool = cognito.create_user_pool(**request)["UserPool"]
    provider = f"cognito-idp.{out.resolver.region}.amazonaws.com/{pool['Id']}"
    _set(
        out,
        logical_id,
        pool["Id"],
        Arn=pool["Arn"],
        UserPoolId=pool["Id"],
        ProviderName=provider,
        ProviderURL=f"https://{provider}",
    )


def _user_pool_client(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    cognito = aws.cognito()
    request = _api_input(cognito, "CreateUserPoolClient", properties)
    request["ClientName"] = properties.get("ClientName") or _name(out.resolver, logical_id)
    created = cognito.create_user_pool_client(**request)["UserPoolClient"]
    _set(out, logical_id, created["ClientId"], ClientId=created["ClientId"], Name=created["ClientName"])


def _user_pool_group(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    cognito = aws.cognito()
    request = _api_input(cognito, "CreateGroup", properties)
    request["GroupName"] = properties.get("GroupName") or _name(out.resolver, logical_id)
    cognito.create_group(**request)
    _set(out, logical_id, request["GroupName"])


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def create_queue(aws: Aws, out: Provisioned, name: str, properties: dict[str, Any]) -> tuple[str, str]:
    """Create a queue; returns its URL and ARN."""
    attributes: Any = _attributes_as_strings(properties, _QUEUE_ATTRIBUTES)
    url = aws.sqs().create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, _arn(out.resolver, "sqs", name)


def _queue(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    suffix = ".fifo" if properties.get("FifoQueue") else ""
    name = properties.get("QueueName") or f"{_name(out.resolver, logical_id)}{suffix}"
    url, arn = create_queue(aws, out, name, properties)
    _set(out, logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)


def _topic(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """A topic, plus an inbox queue subscribed to it so that tests and the console can read it (local only:
    the template declares no such queue; the local stack's name already says it is local)."""
    sns = aws.sns()
    suffix = ".fifo" if properties.get("FifoTopic") else ""
    name = properties.get("TopicName") or f"{_name(out.resolver, logical_id)}{suffix}"
    attributes = _attributes_as_strings(
        properties, ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication")
    )
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in properties.get("Subscription", []):
        sns.subscribe(TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"])
    inbox_name = f"{out.resolver.stack_name}-{logical_id}-inbox{suffix}"
    inbox_url, inbox_arn = create_queue(aws, out, inbox_name, {"FifoQueue": True} if suffix else {})
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=inbox_arn)
    out.topic_inboxes[logical_id] = inbox_url
    _set(out, logical_id, arn, TopicArn=arn, TopicName=name)


def _subscription(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    sns = aws.sns()
    attributes = _attributes_as_strings(
        properties, ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy")
    )
    created = sns.subscribe(
        TopicArn=properties["TopicArn"],
        Protocol=properties["Protocol"],
        Endpoint=properties["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )
    _set(out, logical_id, created["SubscriptionArn"], Arn=created["SubscriptionArn"])


def _event_bus(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    bus = aws.events().create_event_bus(Name=properties["Name"])
    _set(out, logical_id, properties["Name"], Arn=bus["EventBusArn"], Name=properties["Name"])


def _archive(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """An archive of a bus: moto keeps what its pattern matches and replays it into the bus's rules."""
    name = properties.get("ArchiveName") or _name(out.resolver, logical_id)[:48]
    request: dict[str, Any] = {"ArchiveName": name, "EventSourceArn": properties["SourceArn"]}
    if "EventPattern" in properties:
        pattern = properties["EventPattern"]
        request["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    for key in ("Description", "RetentionDays"):
        if key in properties:
            request[key] = properties[key]
    archive = aws.events().create_archive(**request)
    _set(out, logical_id, name, Arn=archive["ArchiveArn"])


def _rule(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """A rule; its function and state-machine targets become local queues that the rule poller reads."""
    events = aws.events()
    name = properties.get("Name") or _name(out.resolver, logical_id)
    bus = str(properties.get("EventBusName", "default")).split("/")[-1]
    request: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": properties.get("State", "ENABLED")}
    if "EventPattern" in properties:
        pattern = properties["EventPattern"]
        request["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    if "ScheduleExpression" in properties:
        request["ScheduleExpression"] = properties["ScheduleExpression"]
    arn = events.put_rule(**request)["RuleArn"]
    targets: list[Any] = []
    for target in properties.get("Targets", []):
        service = target["Arn"].split(":")[2]
        kept = {key: target[key] for key in ("Id", "Input", "InputTransformer") if key in target}
        if service not in ("lambda", "states", "sns"):
            targets.append({**kept, "Arn": target["Arn"], **_sqs_target_options(target)})
            continue
        queue_url, queue_arn = create_queue(
            aws, out, f"{out.resolver.stack_name}-local-{logical_id}-{target['Id']}"[:80], {}
        )
        targets.append({**kept, "Arn": queue_arn})
        out.rule_deliveries.append(
            RuleDelivery(
                rule=logical_id,
                rule_arn=arn,
                target_arn=target["Arn"],
                queue_url=queue_url,
                function=out.function_for(target["Arn"]) if service == "lambda" else None,
                state_machine_arn=target["Arn"] if service == "states" else None,
                topic_arn=target["Arn"] if service == "sns" else None,
                input_path=target.get("InputPath"),
                maximum_retry_attempts=int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 2)),
                dead_letter_arn=target.get("DeadLetterConfig", {}).get("Arn"),
            )
        )
    if targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    _set(out, logical_id, name, Arn=arn)


def _sqs_target_options(target: dict[str, Any]) -> dict[str, Any]:
    return {key: target[key] for key in ("SqsParameters", "RetryPolicy", "DeadLetterConfig") if key in target}


def state_machine_definition(properties: dict[str, Any]) -> str:
    """A state machine's definition with its (resolved) DefinitionSubstitutions applied, as CloudFormation
    does; a placeholder left without a substitution is an error, not a silent literal."""
    definition = properties.get("DefinitionString") or json.dumps(properties["Definition"])
    for key, value in properties.get("DefinitionSubstitutions", {}).items():
        definition = definition.replace(f"${{{key}}}", str(value))
    left = sorted(set(re.findall(r"\$\{(\w+)\}", definition)))
    if left:
        raise UnsupportedResource(f"no DefinitionSubstitutions for {left}")
    return definition


def _state_machine(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """A state machine, its DefinitionSubstitutions applied to the definition as CloudFormation does."""
    definition = state_machine_definition(properties)
    name = properties.get("StateMachineName") or _name(out.resolver, logical_id)
    request: dict[str, Any] = {
        "name": name,
        "definition": definition,
        "roleArn": properties.get("RoleArn") or f"arn:aws:iam::{out.resolver.account_id}:role/{name}",
        "type": properties.get("StateMachineType", "STANDARD"),
    }
    arn = aws.stepfunctions().create_state_machine(**request)["stateMachineArn"]
    _set(out, logical_id, arn, Arn=arn, Name=name, StateMachineRevisionId="1")


def _kms_key(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    key = aws.client("kms").create_key(Description=properties.get("Description", logical_id))["KeyMetadata"]
    _set(out, logical_id, key["KeyId"], Arn=key["Arn"], KeyId=key["KeyId"])


def _function(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """No moto function: the handler runs in-process. Its name, ARN and environment are kept."""
    name = properties.get("FunctionName") or _name(out.resolver, logical_id)
    arn = _arn(out.resolver, "lambda", f"function:{name}")
    variables = properties.get("Environment", {}).get("Variables", {})
    environment = {key: str(value) for key, value in variables.items()}
    out.functions[logical_id] = LocalFunction(logical_id, name, arn, environment)
    _set(out, logical_id, name, Arn=arn)


def _event_invoke_config(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """Kept for the rule poller, which invokes rule-target functions asynchronously as EventBridge does."""
    on_failure = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    if on_failure is not None and on_failure.split(":")[2] not in ("sqs", "sns"):
        raise UnsupportedResource(f"{logical_id}: on-failure destinations are SQS or SNS locally")
    out.async_invocations[out.function_for(str(properties["FunctionName"]))] = AsyncInvocation(
        int(properties.get("MaximumRetryAttempts", 2)), on_failure
    )
    _set(out, logical_id, logical_id)


def _function_version(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    function = out.functions[out.function_for(properties["FunctionName"])]
    _set(out, logical_id, f"{function.arn}:1", Version="1", FunctionArn=function.arn)


def _function_alias(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    function = out.functions[out.function_for(properties["FunctionName"])]
    _set(
        out,
        logical_id,
        f"{function.arn}:{properties['Name']}",
        AliasArn=f"{function.arn}:{properties['Name']}",
    )


def filter_patterns(properties: dict[str, Any]) -> tuple[str, ...]:
    """The FilterCriteria patterns of an event source mapping, as the JSON strings the template holds."""
    return tuple(f["Pattern"] for f in properties.get("FilterCriteria", {}).get("Filters", []))


def _event_source_mapping(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    source = str(properties.get("EventSourceArn", ""))
    filters = filter_patterns(properties)
    reports_failures = "ReportBatchItemFailures" in properties.get("FunctionResponseTypes", [])
    if source.startswith("arn:aws:sqs:"):
        out.queue_mappings.append(
            QueueMapping(
                logical_id=logical_id,
                function=out.function_for(properties["FunctionName"]),
                queue_arn=source,
                batch_size=int(properties.get("BatchSize", 10)),
                filters=filters,
                report_batch_item_failures=reports_failures,
            )
        )
        _set(out, logical_id, f"local-{logical_id}")
        return
    if ":dynamodb:" not in source:
        raise UnsupportedResource(
            f"{logical_id}: the local stack polls DynamoDB streams and SQS, not {source}"
        )
    destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    out.stream_mappings.append(
        StreamMapping(
            logical_id=logical_id,
            function=out.function_for(properties["FunctionName"]),
            stream_arn=source,
            batch_size=int(properties.get("BatchSize", 100)),
            filters=filters,
            report_batch_item_failures=reports_failures,
            bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
            maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
            on_failure_arn=destination,
            starting_position=str(properties.get("StartingPosition", "TRIM_HORIZON")),
        )
    )
    _set(out, logical_id, f"local-{logical_id}")


def _alarm(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    """A metric alarm in the embedded CloudWatch; local/alarms.py evaluates it (moto does not)."""
    cloudwatch = aws.client("cloudwatch")
    request = _api_input(cloudwatch, "PutMetricAlarm", properties)
    request["AlarmName"] = properties.get("AlarmName") or _name(out.resolver, logical_id)
    cloudwatch.put_metric_alarm(**request)
    arn = _arn(out.resolver, "cloudwatch", f"alarm:{request['AlarmName']}")
    _set(out, logical_id, request["AlarmName"], Arn=arn)


def _dashboard(aws: Aws, out: Provisioned, logical_id: str, properties: dict[str, Any]) -> None:
    name = properties.get("DashboardName") or _name(out.resolver, logical_id)
    aws.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=properties["DashboardBody"])
    _set(out, logical_id, name)


Provisioner = Callable[[Aws, Provisioned, str, dict[str, Any]], None]

PROVISIONERS: dict[str, Provisioner] = {
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::Events::EventBus": _event_bus,
    "AWS::Events::Rule": _rule,
    "AWS::Events::Archive": _archive,
    "AWS::StepFunctions::StateMachine": _state_machine,
    "AWS::KMS::Key": _kms_key,
    "AWS::Lambda::Function": _function,
    "AWS::Lambda::Version": _function_version,
    "AWS::Lambda::Alias": _function_alias,
    "AWS::Lambda::EventInvokeConfig": _event_invoke_config,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::CloudWatch::Dashboard": _dashboard,
}


def creation_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids so that every resource comes after those it refers to or DependsOn."""
    graph: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        needed = set(references(resource.get("Properties", {})))
        needed |= {depends_on} if isinstance(depends_on, str) else set(depends_on)
        graph[logical_id] = {name for name in needed if name in resources and name != logical_id}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise UnsupportedResource(f"circular references between resources: {error.args[1]}") from error


def provision(template: dict[str, Any], aws: Aws, resolver: Resolver) -> Provisioned:
    """Create every resource of the (SAM-translated) template on the embedded AWS."""
    resources: dict[str, Any] = template["Resources"]
    unknown = sorted(
        f"{logical_id} ({resource['Type']})"
        for logical_id, resource in resources.items()
        if resource["Type"] not in PROVISIONERS and skip_reason(resource["Type"]) is None
    )
    if unknown:
        raise UnsupportedResource(
            "the local stack neither emulates nor skips: " + ", ".join(unknown) + " (see local/provision.py)"
        )
    out = Provisioned(resolver)
    for logical_id in creation_order(resources):
        resource = resources[logical_id]
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        resource_type = resource["Type"]
        if resource_type in PROVISIONERS:
            properties = resolver.resolve(resource.get("Properties", {}))
            PROVISIONERS[resource_type](aws, out, logical_id, properties)
        else:
            out.skipped[logical_id] = resource_type
            resolver.placeholders.add(logical_id)
            _set(out, logical_id, _name(resolver, logical_id))
    return out
