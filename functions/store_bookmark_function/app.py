"""StoreBookmarkFunction: the API's POST, PUT and DELETE routes. Its role may only write the table."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, library, snapstart
from bookmarks.api import (
    current_identity,
    current_user,
    json_response,
    new_resolver,
    not_an_api_event,
    request_body,
)
from bookmarks.models import Bookmark, BookmarkPatch, ErrorBody, NewBookmark, parse_request
from bookmarks.observability import Tracer, annotate, count, resolve

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
metrics = Metrics()
app = new_resolver()
snapstart.warm_before_snapshot(
    clients=[aws.dynamodb], models=[NewBookmark, BookmarkPatch, Bookmark, ErrorBody]
)


@app.post("/bookmarks")
def create_bookmark() -> Response[str]:
    owner = current_user(app)  # a missing identity is reported before anything about the body
    new = parse_request(NewBookmark, request_body(app))
    created = library.create(
        owner,
        new,
        idempotency_key=app.current_event.headers.get("Idempotency-Key"),
        caller=current_identity(app),
    )
    annotate(tracer, contest_status=created.contest_status)
    count(metrics, "BookmarkCreated")
    return json_response(201, created, headers={"Location": f"/bookmarks/{created.id}"})


@app.put("/bookmarks/<bookmark_id>")
def update_bookmark(bookmark_id: str) -> Response[str]:
    owner = current_user(app)
    patch = parse_request(BookmarkPatch, request_body(app))
    updated = library.update(owner, bookmark_id, patch, caller=current_identity(app))
    annotate(tracer, contest_status=updated.contest_status)
    count(metrics, "BookmarkUpdated")
    return json_response(200, updated)


@app.delete("/bookmarks/<bookmark_id>")
def delete_bookmark(bookmark_id: str) -> Response[str]:
    library.delete(current_user(app), bookmark_id)
    count(metrics, "BookmarkDeleted")
    return json_response(204, None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return not_an_api_event(event) or resolve(app, tracer, event, context)
