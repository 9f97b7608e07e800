"""The template's alarms, evaluated on the embedded CloudWatch's data on a short clock, with their actions
published as CloudWatch publishes them; and the AWS-owned metrics that SQS and Step Functions would
publish about the app's queues and executions, sampled on the same clock.

Percentile statistics (ExtendedStatistic pNN) are computed from the datapoints' values, nearest rank.
Composite alarms (which moto cannot create) are evaluated by ``composite_state`` from their children's
states: their rules combine ALARM/OK/INSUFFICIENT_DATA("name") with AND, OR, NOT and parentheses.

The clock: one local second stands for one AWS minute (TIME_SCALE), so an alarm with a 5-minute period
and one evaluation period alarms within about 5 seconds of its first breaching datapoint. Thresholds are
not scaled: an IteratorAge of 300000 ms still means a record five real minutes old.
"""

import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from local.metrics import CloudWatch
from local.provision import Aws

TIME_SCALE = 60  # AWS seconds per local second
TICK_SECONDS = 1.0
# How much metric history `make local` keeps (the console sums the last 3 hours).
RETENTION = timedelta(hours=3)
_STATISTICS: dict[str, Callable[[list[float]], float]] = {
    "Sum": sum,
    "Maximum": max,
    "Minimum": min,
    "SampleCount": len,
    "Average": lambda values: sum(values) / len(values),
}

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


def percentile(values: list[float], rank: float) -> float:
    """The nearest-rank percentile of the values (CloudWatch's pNN of raw datapoints)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


def statistic_of(alarm: dict[str, Any]) -> Callable[[list[float]], float]:
    """The alarm's statistic as a function of one period's values: Statistic, or ExtendedStatistic pNN."""
    extended = alarm.get("ExtendedStatistic")
    if extended:
        rank = float(str(extended).removeprefix("p"))
        return lambda values: percentile(values, rank)
    return _STATISTICS[alarm["Statistic"]]


_RULE_TOKEN = re.compile(r'\s*(?:(AND|OR|NOT)\b|(\()|(\))|(ALARM|OK|INSUFFICIENT_DATA)\(\s*"([^"]+)"\s*\))')


def composite_state(rule: str, states: dict[str, str]) -> str:
    """A composite alarm's state from its rule and its children's states (by alarm name): ALARM when the
    rule holds, else OK. A rule naming an alarm that does not exist raises KeyError, as CloudWatch refuses
    such a rule."""
    tokens: list[tuple[str, ...]] = []
    position = 0
    while position < len(rule.rstrip()):
        found = _RULE_TOKEN.match(rule, position)
        if found is None:
            raise ValueError(f"cannot read the alarm rule at {rule[position:]!r}")
        operator, opening, closing, state, name = found.groups()
        tokens.append(
            (operator,) if operator else ("(",) if opening else (")",) if closing else ("is", state, name)
        )
        position = found.end()

    def expression(at: int) -> tuple[bool, int]:
        value, at = term(at)
        while at < len(tokens) and tokens[at][0] == "OR":
            right, at = term(at + 1)
            value = value or right
        return value, at

    def term(at: int) -> tuple[bool, int]:
        value, at = factor(at)
        while at < len(tokens) and tokens[at][0] == "AND":
            right, at = factor(at + 1)
            value = value and right
        return value, at

    def factor(at: int) -> tuple[bool, int]:
        token = tokens[at]
        if token[0] == "NOT":
            value, at = factor(at + 1)
            return not value, at
        if token[0] == "(":
            value, at = expression(at + 1)
            return value, at + 1
        return states[token[2]] == token[1], at + 1

    holds, _ = expression(0)
    return "ALARM" if holds else "OK"


def local_period(period: int) -> int:
    """An alarm's period on the local clock, in whole seconds (get_metric_data takes no less)."""
    return max(1, round(period / TIME_SCALE))


def next_state(values: list[float], alarm: dict[str, Any], current: str) -> tuple[str, str]:
    """CloudWatch's decision for the datapoints of the last EvaluationPeriods periods (missing ones
    absent): the new state and the reason it gives."""
    periods = int(alarm["EvaluationPeriods"])
    needed = int(alarm.get("DatapointsToAlarm") or periods)
    threshold, compare = float(alarm["Threshold"]), _COMPARISONS[alarm["ComparisonOperator"]]
    missing = max(0, periods - len(values))
    treat = alarm.get("TreatMissingData", "missing")
    breaching = sum(compare(value, threshold) for value in values)
    if treat == "breaching":
        breaching += missing
    if not values and treat in ("missing", "ignore"):
        return ("INSUFFICIENT_DATA" if treat == "missing" else current), "no datapoints"
    state = "ALARM" if breaching >= needed else "OK"
    shown = ", ".join(f"{value:g}" for value in values) or "none"
    verb = "was" if state == "ALARM" else "was not"
    return state, (
        f"Threshold Crossed: {breaching} out of the last {periods} datapoints [{shown}] {verb} "
        f"{alarm['ComparisonOperator']} the threshold ({threshold:g}) (minimum {needed} needed)."
    )


def notification(alarm: dict[str, Any], old: str, new: str, reason: str, account: str, region: str) -> str:
    """The JSON message CloudWatch publishes to an alarm's actions' topics."""
    return json.dumps(
        {
            "AlarmName": alarm["AlarmName"],
            "AlarmDescription": alarm.get("AlarmDescription"),
            "AWSAccountId": account,
            "AlarmConfigurationUpdatedTimestamp": str(alarm.get("AlarmConfigurationUpdatedTimestamp", "")),
            "NewStateValue": new,
            "NewStateReason": reason,
            "StateChangeTime": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "Region": region,
            "AlarmArn": alarm["AlarmArn"],
            "OldStateValue": old,
            "Trigger": {
                "MetricName": alarm["MetricName"],
                "Namespace": alarm["Namespace"],
                "StatisticType": "ExtendedStatistic" if alarm.get("ExtendedStatistic") else "Statistic",
                "Statistic": str(alarm.get("ExtendedStatistic") or alarm["Statistic"]).upper(),
                "Unit": None,
                "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])],
                "Period": alarm["Period"],
                "EvaluationPeriods": alarm["EvaluationPeriods"],
                "ComparisonOperator": alarm["ComparisonOperator"],
                "Threshold": alarm["Threshold"],
                "TreatMissingData": alarm.get("TreatMissingData", "missing"),
            },
        }
    )


@dataclass
class AlarmClock:
    """Every TICK_SECONDS: sample the queues' and executions' metrics, evaluate every alarm of the
    embedded CloudWatch, and publish each state change to the alarm's actions."""

    aws: Aws
    cloudwatch: CloudWatch
    queues: dict[str, str]  # queue name -> URL
    state_machines: list[str]
    on_execution_ended: Callable[[str, str, float], None] = lambda arn, status, ended: None
    log: Callable[[str], None] = print
    _seen_executions: set[str] = field(default_factory=set)
    _ticks: int = 0

    def sample(self) -> None:
        """SQS's and Step Functions' own metrics, once a (local) minute as those services publish them."""
        sqs = self.aws.sqs()
        for name, url in self.queues.items():
            attributes = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            self.cloudwatch.put(
                "AWS/SQS",
                [
                    {
                        "MetricName": "ApproximateNumberOfMessagesVisible",
                        "Dimensions": [{"Name": "QueueName", "Value": name}],
                        "Unit": "Count",
                        "Value": float(attributes.get("ApproximateNumberOfMessages", 0)),
                    }
                ],
            )
        sfn = self.aws.stepfunctions()
        for arn in self.state_machines:
            for execution in sfn.list_executions(stateMachineArn=arn, maxResults=100)["executions"]:
                status, key = execution["status"], execution["executionArn"]
                if status == "RUNNING" or key in self._seen_executions:
                    continue
                self._seen_executions.add(key)
                ended = execution.get("stopDate") or datetime.now(UTC)
                self.on_execution_ended(key, status, ended.timestamp())
                metric = {"SUCCEEDED": "ExecutionsSucceeded", "FAILED": "ExecutionsFailed"}.get(
                    status, f"Executions{status.title().replace('_', '')}"
                )
                self.cloudwatch.put(
                    "AWS/States",
                    [
                        {
                            "MetricName": metric,
                            "Dimensions": [{"Name": "StateMachineArn", "Value": arn}],
                            "Unit": "Count",
                            "Value": 1.0,
                        }
                    ],
                )

    def datapoints(self, alarm: dict[str, Any], now: datetime) -> list[float]:
        """The alarm's statistic for each of its last EvaluationPeriods local periods that has data."""
        period = timedelta(seconds=local_period(int(alarm["Period"])))
        end = now.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC
        start = end - period * int(alarm["EvaluationPeriods"])
        found = self.cloudwatch.values_since(
            start, alarm["Namespace"], alarm["MetricName"], alarm.get("Dimensions", [])
        )
        periods: dict[int, list[float]] = {}
        for timestamp, value in found:
            periods.setdefault(int((timestamp - start) / period), []).append(value)
        statistic = statistic_of(alarm)
        return [float(statistic(values)) for _, values in sorted(periods.items())]

    def evaluate(self, now: datetime | None = None) -> list[tuple[str, str, str]]:
        """Evaluate every metric alarm once; returns the (name, old, new) state changes."""
        cloudwatch = self.aws.client("cloudwatch")
        sns = self.aws.sns()
        changes = []
        for alarm in cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm"])["MetricAlarms"]:
            if "MetricName" not in alarm:
                continue  # metric-math alarms are not evaluated locally
            old = alarm["StateValue"]
            new, reason = next_state(self.datapoints(alarm, now or datetime.now(UTC)), alarm, old)
            if new == old:
                continue
            cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue=new, StateReason=reason)
            changes.append((alarm["AlarmName"], old, new))
            actions = {"ALARM": "AlarmActions", "OK": "OKActions"}.get(new, "InsufficientDataActions")
            if alarm.get("ActionsEnabled", True):
                message = notification(alarm, old, new, reason, *self._account_region(alarm))
                for topic in alarm.get(actions, []):
                    if ":sns:" in topic:
                        subject = f'{new}: "{alarm["AlarmName"]}" in {self.aws.region}'
                        sns.publish(TopicArn=topic, Subject=subject[:100], Message=message)
        return changes

    @staticmethod
    def _account_region(alarm: dict[str, Any]) -> tuple[str, str]:
        _, _, _, region, account, *_ = alarm["AlarmArn"].split(":")
        return account, region

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(TICK_SECONDS):
            try:
                self._ticks += 1
                if self._ticks % 60 == 0:
                    self.cloudwatch.forget_before(datetime.now(UTC).replace(tzinfo=None) - RETENTION)
                self.sample()
                for name, old, new in self.evaluate():
                    self.log(f"[alarm] {name}: {old} -> {new}")
            except Exception as error:  # a failed tick must not stop the clock
                if not stop.is_set():
                    self.log(f"[alarm] {error!r}")
