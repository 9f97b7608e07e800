"""DynamoDB transactions as isolated as AWS makes them, on moto: its server runs each request in its own
thread, and a cancelled transaction restores a copy of the table taken when it began, undoing every write
other threads made meanwhile (and the stream records they were read with). While active, the embedded
DynamoDB runs one data-plane call at a time."""

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Every call that reads or writes items or stream records; a transaction's partial state is never seen.
DATA_PLANE = (
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


def _serialised(method: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return call


@contextmanager
def dynamodb_transactions_isolated() -> Iterator[None]:
    """While active, moto's DynamoDB and DynamoDB Streams backends take one lock for each data-plane call
    (reentrant: a transaction calls put_item and update_item itself)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    lock = threading.RLock()
    patched = [(DynamoDBBackend, name) for name in DATA_PLANE] + [(DynamoDBStreamsBackend, "get_records")]
    originals = [(owner, name, getattr(owner, name)) for owner, name in patched]
    # Patching moto's classes on purpose: its server runs in this process, so the patch reaches its handlers.
    for owner, name, method in originals:
        setattr(owner, name, _serialised(method, lock))
    try:
        yield
    finally:
        for owner, name, method in originals:
            setattr(owner, name, method)
