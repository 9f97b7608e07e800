"""GetBookmarksFunction: the API's GET routes over the caller's own bookmarks (and the team list's).
Its role may only read."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, library, snapstart
from bookmarks.api import current_user, json_response, new_resolver, not_an_api_event
from bookmarks.models import Bookmark, BookmarkPage, ErrorBody, LinkCheck, TeamPage
from bookmarks.observability import Tracer, resolve

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
app = new_resolver()
snapstart.warm_before_snapshot(
    clients=[aws.dynamodb],
    models=[
        Bookmark,
        BookmarkPage,
        ErrorBody,
        LinkCheck,
        # feature: workflow
        TeamPage,
        # end feature: workflow
    ],
)


@app.get("/bookmarks")
def list_bookmarks() -> Response[str]:
    page = library.list_for_owner(
        current_user(app),
        limit=app.current_event.get_query_string_value("limit"),
        cursor=app.current_event.get_query_string_value("cursor"),
    )
    return json_response(200, page)


# Before /bookmarks/<bookmark_id>: the resolver tries routes in order, as the gateway prefers a literal.
@app.get("/bookmarks/check")
def check_link() -> Response[str]:
    url = app.current_event.get_query_string_value("url")
    return json_response(200, library.check_link(current_user(app), url))


@app.get("/bookmarks/<bookmark_id>")
def get_bookmark(bookmark_id: str) -> Response[str]:
    return json_response(200, library.get(current_user(app), bookmark_id))


# feature: workflow
@app.get("/team/bookmarks")
def list_team_bookmarks() -> Response[str]:
    current_user(app)  # any signed-in user, but only a signed-in one
    page = library.list_team(
        limit=app.current_event.get_query_string_value("limit"),
        cursor=app.current_event.get_query_string_value("cursor"),
    )
    return json_response(200, page)


# end feature: workflow


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return not_an_api_event(event) or resolve(app, tracer, event, context)
