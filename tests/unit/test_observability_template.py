"""What template.yaml promises operators: everything traced and logged with retention, an alarm on every
function and queue, every alarm on the one encrypted topic, and a dashboard of the business metrics."""

import json
import re
from typing import Any

from tests.harness import resource, template, translated
from tests.names import metrics_namespace, resolved, service

ALARM_TOPIC = {"Ref": "AlarmTopic"}
# The README's metric table: every business metric the handlers print (tests/events/test_business_metrics.py).
BUSINESS_METRICS = {
    "BookmarkCreated",
    "BookmarkUpdated",
    "BookmarkDeleted",
    # feature: contest
    "BookmarkShared",
    "ContestEntryRecorded",
    # end feature: contest
    # feature: workflow
    "ContestEntryDecided",
    "ReviewDecided",
    # end feature: workflow
    "DomainEventsPublished",
    "StreamRecordsFailed",
}


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template()["Resources"].items() if v["Type"] == kind}


def alarms() -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in of_type("AWS::CloudWatch::Alarm").items()}


def alarms_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in alarms().values() if a["Namespace"] == namespace and a["MetricName"] == metric]


def dimensions(alarm: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in alarm["Dimensions"]}


def fires_on_the_first(alarm: dict[str, Any]) -> bool:
    return bool(alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold")


def test_every_alarm_notifies_the_alarm_topic() -> None:
    for logical_id, alarm in alarms().items():
        assert ALARM_TOPIC in alarm.get("AlarmActions", []), logical_id
        assert alarm.get("TreatMissingData") == "notBreaching", logical_id


def test_every_function_has_an_errors_alarm_over_all_its_versions() -> None:
    covered = {
        dimensions(a)["FunctionName"]["Ref"]
        for a in alarms_on("AWS/Lambda", "Errors")
        if set(dimensions(a)) == {"FunctionName"} and fires_on_the_first(a)
    }
    assert covered == set(of_type("AWS::Serverless::Function"))


def test_every_queue_alarms_as_soon_as_a_message_waits_in_it() -> None:
    covered = {
        dimensions(a)["QueueName"]["Fn::GetAtt"][0]
        for a in alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        if fires_on_the_first(a)
    }
    assert covered == set(of_type("AWS::SQS::Queue"))


def test_the_stream_and_the_api_have_their_alarms() -> None:
    (age,) = alarms_on("AWS/Lambda", "IteratorAge")
    (server_errors,) = alarms_on("AWS/ApiGateway", "5XXError")
    (latency,) = alarms_on("AWS/ApiGateway", "Latency")
    api_title = translated()["Resources"]["BookmarksApi"]["Properties"]["Body"]["info"]["title"]

    assert dimensions(age) == {"FunctionName": {"Ref": "BookmarkEventsFunction"}}
    assert age["Statistic"] == "Maximum"
    # Well under the mapping's maximum record age: someone is told long before records are given up.
    max_age_ms = resource("BookmarkEventsMapping")["Properties"]["MaximumRecordAgeInSeconds"] * 1000
    assert age["Threshold"] * 10 < max_age_ms
    # A REST API's ApiName is its name, which SAM takes from the definition's title.
    stage = {"ApiName": api_title, "Stage": {"Ref": "Stage"}}
    assert dimensions(server_errors) == dimensions(latency) == stage
    # A share of requests (5XXError's Average), so one failed request among many does not page.
    assert (server_errors["Statistic"], server_errors["Threshold"]) == ("Average", 0.01)
    assert latency["ExtendedStatistic"] == "p99"


# feature: workflow
def test_the_workflow_alarms_on_every_failed_or_timed_out_execution() -> None:
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        (alarm,) = alarms_on("AWS/States", metric)
        assert dimensions(alarm) == {"StateMachineArn": {"Ref": "PublishBookmarkStateMachine"}}
        assert fires_on_the_first(alarm)


# end feature: workflow


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use() -> None:
    topic = resource("AlarmTopic")["Properties"]
    subscription = resource("AlarmEmailSubscription")

    # CloudWatch cannot publish to a topic under the AWS managed key aws/sns: both keys must let it.
    assert topic["KmsMasterKeyId"] == {
        "Fn::If": ["UsesCustomerManagedKey", {"Ref": "DataKey"}, {"Ref": "AlarmKey"}]
    }
    for key in ("AlarmKey", "DataKey"):
        statements = resource(key)["Properties"]["KeyPolicy"]["Statement"]
        services = [s["Principal"].get("Service", []) for s in statements]
        assert any("cloudwatch.amazonaws.com" in s for s in services), key
    assert subscription["Condition"] == "SubscribesAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def retained_log_groups() -> set[str]:
    return {
        logical_id
        for logical_id, group in of_type("AWS::Logs::LogGroup").items()
        if group["Properties"].get("RetentionInDays") == {"Ref": "LogRetentionDays"}
    }


def test_the_api_stage_is_traced_and_logs_to_a_retained_group() -> None:
    api = resource("BookmarksApi")["Properties"]

    assert api["TracingEnabled"] is True
    assert api["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0] in retained_log_groups()


# feature: workflow
def test_the_workflow_is_traced_and_logs_to_a_retained_group() -> None:
    machine = resource("PublishBookmarkStateMachine")["Properties"]

    assert machine["Tracing"] == {"Enabled": True}
    (destination,) = machine["Logging"]["Destinations"]
    assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0] in retained_log_groups()
    assert machine["Logging"]["IncludeExecutionData"] is False  # task parameters hold the task token


# end feature: workflow


def test_tracer_keeps_answers_out_of_traces() -> None:
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"


def dashboard() -> dict[str, Any]:
    """The dashboard's body: parameters (AppName, Stage...) at their defaults, every other ${...}
    substitution replaced by its name."""
    body = resource("OperationsDashboard")["Properties"]["DashboardBody"]["Fn::Sub"]
    parameters = template()["Parameters"]

    def substitute(found: re.Match[str]) -> str:
        name = found.group(1)
        return str(resolved({"Ref": name})) if name in parameters else name

    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{([^}]+)\}", substitute, body))
    return parsed


def test_the_dashboard_shows_every_business_metric_by_the_names_the_functions_use() -> None:
    lines = [line for w in dashboard()["widgets"] for line in w["properties"]["metrics"]]
    business = [line for line in lines if line[0] == metrics_namespace()]

    assert {line[1] for line in business} == BUSINESS_METRICS
    for line in business:
        names = [item for item in line[2:] if isinstance(item, str)]
        assert dict(zip(names[::2], names[1::2], strict=True))["service"] == service()
    # feature: workflow
    outcomes = {line[3] for line in business if line[1] == "ContestEntryDecided"}
    assert outcomes == {"approved", "rejected", "duplicate", "invalid"}
    # end feature: workflow


def test_the_dashboard_watches_latency_concurrency_and_throttles_of_every_function() -> None:
    lines = [line for w in dashboard()["widgets"] for line in w["properties"]["metrics"]]
    functions = set(of_type("AWS::Serverless::Function"))

    for metric in ("Duration", "ConcurrentExecutions", "Throttles"):
        shown = {line[3] for line in lines if line[:2] == ["AWS/Lambda", metric]}
        assert shown == functions, metric
    percentiles = {line[-1]["stat"] for line in lines if line[:2] == ["AWS/ApiGateway", "Latency"]}
    assert {"p50", "p99"} <= percentiles
