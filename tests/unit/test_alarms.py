"""Every alarm of template.yaml, evaluated by the local stack's alarm clock (local/alarms.py) on datapoints
of its own metric as the service would publish them: each one reaches ALARM, those that wait for M of N
minutes not on one bad minute alone, and each feature's page (a composite alarm) alarms when any alarm
it combines does. (tests/e2e/test_observability.py drives one alarm from a real cause end to end.)"""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from local.alarms import AlarmClock, composite_state, local_period, next_state
from local.metrics import CloudWatch
from tests.harness import template

ACCOUNT, REGION = "123456789012", "us-east-1"


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in template()["Resources"].items() if v["Type"] == kind}


METRIC_ALARMS = of_type("AWS::CloudWatch::Alarm")
COMPOSITE_ALARMS = of_type("AWS::CloudWatch::CompositeAlarm")


def local_alarm(properties: dict[str, Any]) -> dict[str, Any]:
    """The alarm as the local CloudWatch holds it, each dimension's value standing for itself."""
    dimensions = [{"Name": d["Name"], "Value": json.dumps(d["Value"])} for d in properties["Dimensions"]]
    return {**properties, "Dimensions": dimensions}


def put_minutes(cloudwatch: CloudWatch, alarm: dict[str, Any], values: list[float], now: datetime) -> None:
    """One datapoint in each of the alarm's last len(values) periods, oldest first, on the local clock."""
    period = timedelta(seconds=local_period(int(alarm["Period"])))
    for back, value in enumerate(reversed(values)):
        cloudwatch.put(
            alarm["Namespace"],
            [
                {
                    "MetricName": alarm["MetricName"],
                    "Dimensions": alarm["Dimensions"],
                    "Value": value,
                    "Timestamp": now - period * back - period / 2,
                }
            ],
        )


def breaching(alarm: dict[str, Any]) -> float:
    return float(alarm["Threshold"]) + 1


def evaluate(alarm: dict[str, Any], values: list[float]) -> str:
    cloudwatch = CloudWatch(ACCOUNT, REGION)
    now = datetime.now(UTC).replace(tzinfo=None)
    put_minutes(cloudwatch, alarm, values, now)
    clock = AlarmClock(cast(Any, None), cloudwatch, {}, [])
    state, _ = next_state(clock.datapoints(alarm, now.replace(tzinfo=UTC)), alarm, "OK")
    return state


@pytest.mark.parametrize("logical_id", sorted(METRIC_ALARMS))
def test_every_alarm_reaches_alarm_on_breaching_datapoints_of_its_metric(aws: None, logical_id: str) -> None:
    alarm = local_alarm(METRIC_ALARMS[logical_id])
    needed = int(alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"])

    assert evaluate(alarm, [breaching(alarm)] * needed) == "ALARM"


@pytest.mark.parametrize(
    "logical_id",
    sorted(k for k, v in METRIC_ALARMS.items() if int(v.get("DatapointsToAlarm") or 1) > 1),
)
def test_an_alarm_that_waits_for_m_of_n_minutes_stays_ok_on_one_bad_minute(
    aws: None, logical_id: str
) -> None:
    alarm = local_alarm(METRIC_ALARMS[logical_id])
    quiet = [0.0] * (int(alarm["EvaluationPeriods"]) - 1)

    assert evaluate(alarm, [*quiet, breaching(alarm)]) == "OK"


def test_a_p99_alarm_reads_the_slowest_percent_not_the_average(aws: None) -> None:
    (alarm,) = [local_alarm(a) for a in METRIC_ALARMS.values() if a.get("ExtendedStatistic") == "p99"]
    cloudwatch = CloudWatch(ACCOUNT, REGION)
    now = datetime.now(UTC).replace(tzinfo=None)
    # Each minute: 98 fast requests and 2 slow ones: the average is fast, the 99th percentile is not.
    for _ in range(98):
        put_minutes(cloudwatch, alarm, [50.0] * 3, now)
    for _ in range(2):
        put_minutes(cloudwatch, alarm, [breaching(alarm)] * 3, now)
    clock = AlarmClock(cast(Any, None), cloudwatch, {}, [])

    state, _ = next_state(clock.datapoints(alarm, now.replace(tzinfo=UTC)), alarm, "OK")

    assert state == "ALARM"


def children(rule: dict[str, Any]) -> list[str]:
    return re.findall(r'ALARM\("\$\{(\w+)\}"\)', rule["Fn::Sub"])


def local_rule(rule: dict[str, Any]) -> str:
    return re.sub(r"\$\{(\w+)\}", r"\1", rule["Fn::Sub"])


@pytest.mark.parametrize("logical_id", sorted(COMPOSITE_ALARMS))
def test_each_page_alarms_when_any_alarm_it_combines_does_and_not_otherwise(logical_id: str) -> None:
    rule = COMPOSITE_ALARMS[logical_id]["AlarmRule"]
    names = children(rule)
    quiet = dict.fromkeys(names, "OK")

    assert names
    assert set(names) <= set(METRIC_ALARMS)
    assert composite_state(local_rule(rule), quiet) == "OK"
    for name in names:
        assert composite_state(local_rule(rule), {**quiet, name: "ALARM"}) == "ALARM", name


def test_a_composite_rule_reads_and_or_not_and_parentheses() -> None:
    rule = 'ALARM("a") AND (OK("b") OR NOT ALARM("c"))'

    assert composite_state(rule, {"a": "ALARM", "b": "ALARM", "c": "OK"}) == "ALARM"
    assert composite_state(rule, {"a": "ALARM", "b": "ALARM", "c": "ALARM"}) == "OK"
    assert composite_state(rule, {"a": "OK", "b": "OK", "c": "OK"}) == "OK"
    with pytest.raises(KeyError):
        composite_state('ALARM("missing")', {})


def test_every_alarm_the_app_pages_for_is_in_one_page() -> None:
    paged = {name for rule in COMPOSITE_ALARMS.values() for name in children(rule["AlarmRule"])}
    pages = {properties["AlarmName"]["Fn::Sub"] for properties in COMPOSITE_ALARMS.values()}

    assert all(page.startswith("${AWS::StackName}-page-") for page in pages)
    assert "ApiServerErrorsAlarm" in paged
    assert {"BookmarkEventsFailureQueueAlarm", "BookmarkEventsIteratorAgeAlarm"} <= paged
