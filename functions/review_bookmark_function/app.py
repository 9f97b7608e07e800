"""ReviewBookmarkFunction: the moderators' routes. Lists pending reviews and resumes the publishing
workflow with a decision; its role reads review requests and may only report a task's success."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, moderation, snapstart
from bookmarks.api import json_response, new_resolver, not_an_api_event, request_body, require_moderator
from bookmarks.models import ErrorBody, ReviewDecision, ReviewList, parse_request
from bookmarks.observability import Tracer, annotate, count, resolve

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
metrics = Metrics()
app = new_resolver()
snapstart.warm_before_snapshot(
    clients=[aws.dynamodb, aws.stepfunctions], models=[ReviewDecision, ReviewList, ErrorBody]
)


@app.get("/reviews")
def list_reviews() -> Response[str]:
    page = moderation.pending(
        require_moderator(app),
        limit=app.current_event.get_query_string_value("limit"),
        cursor=app.current_event.get_query_string_value("cursor"),
    )
    return json_response(200, page)


@app.post("/reviews/<bookmark_id>")
def decide_review(bookmark_id: str) -> Response[str]:
    moderator = require_moderator(app)
    decision = parse_request(ReviewDecision, request_body(app))
    decided = moderation.decide(moderator, bookmark_id, decision)
    # Approvals and rejections are counted once, when the workflow records them (ContestEntryDecided);
    # this counts moderators' decisions, so that (rejections - moderators' rejections) are timeouts.
    annotate(tracer, bookmark_id=bookmark_id, decision=decision.decision)
    count(metrics, "ReviewDecided")
    return json_response(200, decided)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return not_an_api_event(event) or resolve(app, tracer, event, context)
