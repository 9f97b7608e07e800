"""ContestEntryFunction: records a shared bookmark's contest entry, once however often the event comes.

Only the BookmarkShared rule on the app's bus may invoke it; its role may only update the table. A
malformed event raises, so EventBridge's retries and then the dead-letter queue keep it.
"""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, contest, events, snapstart
from bookmarks.observability import Tracer, annotate, count

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
metrics = Metrics()
snapstart.warm_before_snapshot(clients=[aws.dynamodb], models=[events.BookmarkShared])


@logger.inject_lambda_context(correlation_id_path="id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    shared = events.parse(event.get("detail-type", ""), event.get("detail") or {}, events.BookmarkShared)
    recorded = contest.record_entry(shared)
    annotate(
        tracer,
        operation="record_entry",
        outcome="recorded" if recorded else "already_recorded",
        contest_status=shared.contest_status,
        bookmark_id=shared.bookmark_id,
    )
    count(metrics, "ContestEntryRecorded", int(recorded))
    logger.info(
        "Contest entry recorded" if recorded else "Contest entry was already recorded",
        extra={"bookmark_id": shared.bookmark_id, "change_id": shared.change_id},
    )
    return {"bookmark_id": shared.bookmark_id, "recorded": recorded}
