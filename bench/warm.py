"""Time per warm invocation of the get function's handler next to a hand-written minimal handler that
does the same work (read one item, answer JSON), both against an in-process moto; and the handler's again
with tracing on through each provider, each in a fresh interpreter (`python -m bench.warm <provider>`):
a process traces through one provider, as a function does."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bookmarks.aws import dynamodb
from bookmarks.items import stored_form
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


# Tracing off, then TracingProvider's values, as the tables name them.
PROVIDERS = {"off": "tracing off", "xray-sdk": "X-Ray SDK", "opentelemetry": "OpenTelemetry"}


def seed(owner: str, bookmark_id: str) -> None:
    """Store the bookmark the event asks for in the bench's table."""
    from tests import data_access

    bookmark = data_access._bookmark(0).model_copy(update={"id": bookmark_id})
    dynamodb().put_item(TableName="bench-bookmarks", Item=stored_form(owner, bookmark))


def traced_cpu_ms(provider: str) -> float:
    """CPU ms per warm invocation of the get function tracing through ``provider`` (or ``off``), in a fresh
    interpreter: that process's CPU time, every thread's, which the machine's other load inflates far
    less than wall time. Its segments or spans go to an X-Ray daemon and an OTLP endpoint in this process,
    as Lambda's go out of the function; a run whose tracing was not as asked is refused (nothing recorded
    with a provider, anything recorded with tracing off)."""
    from local.xray import Daemon, OtlpReceiver, TraceStore

    store = TraceStore()
    daemon, receiver = Daemon(store).start(), OtlpReceiver(store).start()
    tracing = {
        "TRACING_PROVIDER": "xray-sdk" if provider == "off" else provider,
        "POWERTOOLS_TRACE_DISABLED": str(provider == "off").lower(),
        "LAMBDA_TASK_ROOT": str(ROOT),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": daemon.address,
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.endpoint,
    }
    try:
        answer = subprocess.run(
            [sys.executable, "-m", "bench.warm"],
            env={**os.environ, **tracing},
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        daemon.stop()
        receiver.stop()
    if bool(store.trace_ids()) != (provider != "off"):
        raise RuntimeError(f"{provider}: {len(store.trace_ids())} traces recorded, not what was measured")
    return float(answer.stdout.split()[-1])


def _warm_cpu_ms(invocations: int = 200) -> float:
    """CPU ms per warm invocation of the get function, tracing as this process's environment says."""
    from tests import data_access

    with data_access.seeded_table(data_access.MEASURED_USERS_BOOKMARKS):
        seed(EVENT["requestContext"]["authorizer"]["claims"]["sub"], EVENT["pathParameters"]["id"])
        app = handler("GetBookmarksFunction")
        app(EVENT, LambdaContext())  # the cold one
        started = time.process_time()
        for _ in range(invocations):
            app(EVENT, LambdaContext())
        cpu_ms = (time.process_time() - started) * 1000 / invocations
        assert app(EVENT, LambdaContext())["statusCode"] == 200
    return cpu_ms


if __name__ == "__main__":
    print(f"{_warm_cpu_ms():.4f}")
