"""The app's event bus on moto for the tests, with a catch-all rule whose queue records everything
published (moto delivers rule targets to SQS only)."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient


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
