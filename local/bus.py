"""The app's event bus on the embedded AWS: the bus, the template's rules and their patterns, and a
catch-all queue that records everything published (moto delivers rule targets to SQS only)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from moto.events.models import EventPattern, EventPatternParser

from local.template import translated

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient


def rules() -> dict[str, dict[str, Any]]:
    """Every AWS::Events::Rule of the translated template (SAM's EventBridgeRule events included)."""
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in translated()["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule"
    }


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether EventBridge would route ``event`` to a rule with ``pattern``, by moto's matcher."""
    raw = json.dumps(pattern)
    return bool(EventPattern(raw, EventPatternParser(raw).parse()).matches_event(cast(Any, event)))


@dataclass
class RecordingBus:
    """A bus with one catch-all rule whose target queue keeps every event put on it."""

    events: "EventBridgeClient"
    sqs: "SQSClient"
    name: str
    queue_url: str

    @classmethod
    def create(cls, events: "EventBridgeClient", sqs: "SQSClient", name: str) -> "RecordingBus":
        events.create_event_bus(Name=name)
        queue_url = sqs.create_queue(QueueName=f"{name}-everything")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        events.put_rule(
            Name="everything", EventBusName=name, EventPattern=json.dumps({"source": [{"prefix": ""}]})
        )
        events.put_targets(
            Rule="everything",
            EventBusName=name,
            Targets=[{"Id": "queue", "Arn": queue_arn["Attributes"]["QueueArn"]}],
        )
        return cls(events, sqs, name, queue_url)

    def received(self, at_most: int = 100) -> list[dict[str, Any]]:
        """The events delivered since the last call, in order (reads until the queue is empty)."""
        delivered: list[dict[str, Any]] = []
        while len(delivered) < at_most:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                break
            for message in messages:
                delivered.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return delivered
