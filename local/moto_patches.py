"""Every change the local stack makes to moto's own code, and every read of moto's internal state.

moto's server runs in this process, so patching its classes reaches its request handlers. Each patch
says the moto behaviour (moto 5.2.5) it corrects; tests/unit/test_moto_patches.py checks that moto still
behaves so and still has the shape each patch relies on, so an upgrade that changes either fails there
first, naming the patch to revisit.
"""

import functools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

# DynamoDB calls that read or write items or stream records; a transaction's partial state is never seen.
DYNAMODB_DATA_PLANE = (
    "put_item",
    "get_item",
    "query",
    "scan",
    "update_item",
    "delete_item",
    "transact_write_items",
    "transact_get_items",
    "batch_get_item",
    "batch_write_item",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)


@contextmanager
def _replaced(owner: type, name: str, replacement: Callable[..., Any]) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _serialised(method: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return call


@contextmanager
def dynamodb_one_call_at_a_time() -> Iterator[None]:
    """Corrects: moto's server runs each request in its own thread, but its DynamoDB guards no state: a
    conditional write checks its condition, then writes (``update_item``), so two racing writes could
    both pass where DynamoDB lets only one; and a cancelled transaction puts back a deep copy of every
    table taken when it began (``DynamoDBBackend.tables``), undoing the writes other threads made
    meanwhile and the stream records they were read with. While active, the DynamoDB and DynamoDB
    Streams backends take one lock (reentrant: a transaction calls put_item itself) for each call: every
    request is atomic, as DynamoDB makes each item write and each transaction, and nothing more. The
    lock is never held from one call to the next, so invocations' read-then-write sequences interleave
    and race as on AWS. Narrower locks (per table, or readers beside readers) would buy nothing under
    the GIL, moto's calls being pure Python, and a transaction needs every table it names anyway."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    lock = threading.RLock()
    patched: list[tuple[type, str]] = [(DynamoDBBackend, name) for name in DYNAMODB_DATA_PLANE]
    patched.append((DynamoDBStreamsBackend, "get_records"))
    with ExitStack() as patches:
        for owner, name in patched:
            patches.enter_context(_replaced(owner, name, _serialised(getattr(owner, name), lock)))
        yield


# What a Lambda Invoke of a function runs: its JSON answer, or raises for a function error.
InProcessInvoke = Callable[[str, Any], Any]


@contextmanager
def lambda_invokes_in_process(run: Callable[[str], InProcessInvoke | None]) -> Iterator[None]:
    """Corrects: moto's Lambda runs a function's code only in Docker, and its Invoke is also what moto's
    Step Functions and SNS call for a function. While active, a function for which ``run(name)`` gives a
    callable is invoked through it in-process; others go to moto as before."""
    from moto.awslambda.models import LambdaBackend

    original = LambdaBackend.invoke

    def invoke(
        backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        handler = run(function_name)
        if handler is None:
            return original(backend, function_name, qualifier, body, headers, response_headers)
        try:
            answer = handler(function_name, json.loads(body) if body else {})
        except Exception as error:  # Lambda reports a function error in the answer, not as an HTTP error
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorMessage": str(error), "errorType": type(error).__name__})
        return json.dumps(answer)

    with _replaced(LambdaBackend, "invoke", invoke):
        yield


@contextmanager
def trace_headers_passed_on(
    events_put: Callable[[list[str], str | None], None],
    execution_started: Callable[[str, str, str | None], None],
) -> Iterator[None]:
    """Corrects: moto's EventBridge drops a PutEvents call's X-Amzn-Trace-Id, and its Step Functions
    keeps no ``traceHeader`` of StartExecution (DescribeExecution has none). While active, each accepted
    event's id is told to ``events_put`` with the call's trace header, and each started execution to
    ``execution_started`` (execution ARN, state machine ARN, trace header), so the caller keeps them."""
    from moto.events.responses import EventsHandler
    from moto.stepfunctions.responses import StepFunctionResponse

    put_events, start_execution = EventsHandler.put_events, StepFunctionResponse.start_execution

    def traced_put_events(handler: Any) -> str:
        answer: str = put_events(handler)
        ids = [entry["EventId"] for entry in json.loads(answer)["Entries"] if "EventId" in entry]
        events_put(ids, handler.headers.get("X-Amzn-Trace-Id"))
        return answer

    def traced_start_execution(handler: Any) -> Any:
        answer = start_execution(handler)
        arn = handler._get_param("stateMachineArn")
        execution_arn = arn.replace(":stateMachine:", ":execution:") + ":" + handler._get_param("name")
        execution_started(execution_arn, arn, handler._get_param("traceHeader"))
        return answer

    with ExitStack() as patches:
        patches.enter_context(_replaced(EventsHandler, "put_events", traced_put_events))
        patches.enter_context(_replaced(StepFunctionResponse, "start_execution", traced_start_execution))
        yield


def sent_notifications(
    account_id: str, region: str, topic_arn: str
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(message, subject, message attributes) of everything published to a topic, oldest first. Not a
    patch but a read of moto's internals: SNS has no API that lists what a topic was sent."""
    from moto.sns.models import sns_backends

    sent = sns_backends[account_id][region].topics[topic_arn].sent_notifications
    return [(message, subject, attributes or {}) for _, message, subject, attributes, _ in sent]
