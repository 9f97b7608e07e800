"""ContestEntryFunction: records a shared bookmark's contest entry, once however often the event comes.

Only the BookmarkShared rule on the app's bus may invoke it; its role may only update the table. A
malformed event raises, so EventBridge's retries and then the dead-letter queue keep it.
"""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import contest, events

logger = Logger()
tracer = Tracer(patch_modules=["botocore"])  # all we call out with; patching every library costs init
metrics = Metrics()


@logger.inject_lambda_context(correlation_id_path="id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    shared = events.parse(event.get("detail-type", ""), event.get("detail") or {}, events.BookmarkShared)
    tracer.put_annotation(key="bookmark_id", value=shared.bookmark_id)
    recorded = contest.record_entry(shared)
    if recorded:
        metrics.add_metric(name="ContestEntryRecorded", unit=MetricUnit.Count, value=1)
    logger.info(
        "Contest entry recorded" if recorded else "Contest entry was already recorded",
        extra={"bookmark_id": shared.bookmark_id, "change_id": shared.change_id},
    )
    return {"bookmark_id": shared.bookmark_id, "recorded": recorded}
