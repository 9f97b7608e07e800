"""Counts DynamoDB items read by the calls a client makes: what DynamoDB bills reads by."""

from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

# Items an answer shows were read: Query and Scan report ScannedCount (before filters); GetItem reads one
# item; a conditional write reads no item a caller pays reads for (it is billed as a write).
_READ_OPERATIONS = {"Query", "Scan", "GetItem", "BatchGetItem", "TransactGetItems"}


@dataclass
class ItemsRead:
    total: int = 0
    calls: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.total = 0
        self.calls.clear()


def count_reads(client: BaseClient) -> ItemsRead:
    """Attach a counter to ``client``; every later call adds the items it read."""
    counter = ItemsRead()

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        counter.calls.append(operation)
        if operation not in _READ_OPERATIONS:
            return
        if "ScannedCount" in parsed:
            counter.total += int(parsed["ScannedCount"])
        elif operation == "GetItem":
            counter.total += 1 if "Item" in parsed else 0
        else:
            counter.total += sum(len(items) for items in parsed.get("Responses", {}).values())

    client.meta.events.register("after-call.dynamodb.*", after_call)
    return counter
