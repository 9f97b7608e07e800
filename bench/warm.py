"""Time per warm invocation of the get function's handler next to a hand-written minimal handler that
does the same work (read one item, answer JSON), both against an in-process moto."""

import json
import time
from collections.abc import Callable
from typing import Any

from bookmarks.aws import dynamodb
from bookmarks.settings import settings
from local.functions import ROOT, handler
from local.gateway import LambdaContext

EVENT = json.loads((ROOT / "events" / "get_bookmarks_function" / "get.json").read_text())


def minimal_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """What the get route must do at the least: who is asking, one GetItem, a JSON answer."""
    owner = event["requestContext"]["authorizer"]["claims"]["sub"]
    bookmark_id = event["pathParameters"]["id"]
    key = {"pk": {"S": f"OWNER#{owner}"}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}}
    found = dynamodb().get_item(TableName=settings().bookmarks_table_name, Key=key)
    if "Item" not in found:
        return {"statusCode": 404, "body": json.dumps({"message": "No bookmark with that id."})}
    item = {name: next(iter(value.values())) for name, value in found["Item"].items()}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(item)}


def per_invocation_ms(call: Callable[[], Any], invocations: int) -> float:
    call()  # the first call is the cold one; warm time starts after it
    started = time.perf_counter()
    for _ in range(invocations):
        call()
    return (time.perf_counter() - started) * 1000 / invocations


def warm_overhead(seed: Callable[[str, str], None], invocations: int = 200) -> tuple[float, float]:
    """(app ms, minimal ms) per invocation; ``seed(owner, id)`` stores the bookmark the event asks for."""
    owner = EVENT["requestContext"]["authorizer"]["claims"]["sub"]
    seed(owner, EVENT["pathParameters"]["id"])
    app = handler("GetBookmarksFunction")
    app_ms = per_invocation_ms(lambda: app(EVENT, LambdaContext()), invocations)
    minimal_ms = per_invocation_ms(lambda: minimal_handler(EVENT, LambdaContext()), invocations)
    assert (
        app(EVENT, LambdaContext())["statusCode"]
        == minimal_handler(EVENT, LambdaContext())["statusCode"]
        == 200
    )
    return app_ms, minimal_ms
