"""The app's operational settings, read from template.yaml and samconfig.toml: the bus's archive, the
stream's fan-out and the clients' bounds, each stage's logging, tags, WAF and sign-in protection, and
(with the workflow) the execution timeout its alarm depends on."""

import shlex
import tomllib
from typing import Any

from bookmarks import aws
from tests.harness import ROOT, resource, template

YEAR_SECONDS = 365 * 24 * 3600  # a Standard workflow's longest execution (Step Functions quotas)


def test_the_bus_archives_every_domain_event_longer_than_any_dead_letter_queue_keeps_one() -> None:
    archive = resource("BookmarksArchive")["Properties"]
    queues = [
        body["Properties"].get("MessageRetentionPeriod", 345600)
        for body in template()["Resources"].values()
        if body["Type"] == "AWS::SQS::Queue"
    ]

    assert archive["SourceArn"] == {"Fn::GetAtt": ["BookmarksBus", "Arn"]}
    assert archive["EventPattern"] == {"source": [{"Ref": "AppName"}]}
    assert archive["RetentionDays"] * 86400 > max(queues)


def test_the_stream_function_outlasts_its_slowest_call_and_keeps_each_items_order() -> None:
    function = resource("BookmarkEventsFunction")["Properties"]
    mapping = resource("BookmarkEventsMapping")["Properties"]

    assert function["Timeout"] > aws.WORST_CALL_SECONDS
    # Lambda keeps records of one item in order across a shard's concurrent batches; 10 is its maximum.
    assert 1 < mapping["ParallelizationFactor"] <= 10


def overrides(environment: str) -> dict[str, str]:
    config: dict[str, Any] = tomllib.loads((ROOT / "samconfig.toml").read_text())
    pairs = shlex.split(config[environment]["deploy"]["parameters"]["parameter_overrides"])
    return dict(pair.split("=", 1) for pair in pairs)


def stack_tags(environment: str) -> dict[str, str]:
    config: dict[str, Any] = tomllib.loads((ROOT / "samconfig.toml").read_text())
    return dict(
        pair.split("=", 1) for pair in shlex.split(config[environment]["deploy"]["parameters"]["tags"])
    )


def test_each_stage_sets_its_log_level_and_samples_debug_logs_where_info_is_the_level() -> None:
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    stages = {env: overrides(env) for env in ("default", "staging", "prod")}

    assert variables["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert variables["POWERTOOLS_LOGGER_SAMPLE_RATE"] == {"Ref": "DebugLogSampleRate"}
    assert stages["default"]["LogLevel"] == "DEBUG"
    for stage in ("staging", "prod"):
        assert stages[stage]["LogLevel"] == "INFO"
        assert 0 < float(stages[stage]["DebugLogSampleRate"]) <= 0.1


def test_every_stack_and_function_carries_its_cost_allocation_tags() -> None:
    tags = template()["Globals"]["Function"]["Tags"]

    assert tags == {"app": {"Ref": "AppName"}, "stage": {"Ref": "Stage"}}
    for environment in ("default", "staging", "prod"):
        assert stack_tags(environment) == {"stage": overrides(environment)["Stage"]}


def test_the_web_firewall_and_sign_in_threat_protection_are_on_where_traffic_is_real() -> None:
    parameters = template()["Parameters"]
    pool = resource("UserPool")["Properties"]

    # A new account deploys with neither: no Plus plan to pay for, no SES identity to verify first.
    assert (parameters["EnableWaf"]["Default"], parameters["ThreatProtection"]["Default"]) == ("false", "OFF")
    assert parameters["SesEmailIdentityArn"]["Default"] == ""
    assert pool["UserPoolTier"] == {"Fn::If": ["ProtectsSignIn", "PLUS", {"Ref": "AWS::NoValue"}]}
    assert pool["EmailConfiguration"]["Fn::If"][1]["EmailSendingAccount"] == "DEVELOPER"
    for stage in ("staging", "prod"):
        # Audit first: the risk of each sign-in is logged and nothing is blocked until ENFORCED is chosen.
        assert (overrides(stage)["EnableWaf"], overrides(stage)["ThreatProtection"]) == ("true", "AUDIT")


# feature: workflow
def test_an_execution_times_out_after_the_longest_review_can_wait_so_its_alarm_can_fire() -> None:
    import json  # here, so that the rest of the file stays whole without the workflow

    from tests.harness import TEMPLATE_PATH

    definition = json.loads((TEMPLATE_PATH.parent / "statemachine" / "publish_bookmark.asl.json").read_text())
    longest_review = template()["Parameters"]["ReviewTimeoutSeconds"]["MaxValue"]
    alarm = resource("PublishBookmarkTimedOutAlarm")["Properties"]

    assert longest_review < definition["TimeoutSeconds"] <= YEAR_SECONDS
    assert alarm["MetricName"] == "ExecutionsTimedOut"


# end feature: workflow
