"""BookmarkEventsFunction: turns the table's stream of bookmark changes into domain events on the bus.

Its role may read the stream and put events on the bus, nothing more. It reports partial batch failures:
the first record it cannot publish (or has no time left to), so Lambda resumes there and re-delivers
only what is not yet out.
"""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, bus, snapstart
from bookmarks.events import EVENT_TYPES
from bookmarks.observability import Tracer, annotate, count, count_published

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
metrics = Metrics()
snapstart.warm_before_snapshot(clients=[aws.events], models=EVENT_TYPES)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    published = bus.publish_changes(records, lambda: context.get_remaining_time_in_millis() / 1000)
    count_published(metrics, published.events)
    outcome = "published" if published.failed is None else "stopped"
    annotate(tracer, operation="publish_changes", outcome=outcome)
    if published.failed is None:
        logger.info(
            "Published the batch",
            extra={"records": len(records), "events": len(published.events), "calls": published.calls},
        )
        return {"batchItemFailures": []}
    count(metrics, "StreamRecordsFailed")
    logger.warning(
        "Stopped at a record that could not be published; Lambda retries from it",
        extra={"sequence_number": published.failed.sequence_number, "reason": published.failed.reason},
    )
    return {"batchItemFailures": [{"itemIdentifier": published.failed.sequence_number}]}
