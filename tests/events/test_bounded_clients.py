"""The app's AWS clients against an endpoint that accepts connections and never answers: each call gives
up after its stated attempts, within the function's timeout, and the stream function checkpoints the
batch where it stopped so that a redelivery publishes every change."""

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from bookmarks import aws
from bookmarks import bus as bus_module
from tests.api_client import ApiClient
from tests.events.conftest import Invoke
from tests.events.recording_bus import RecordingBus
from tests.harness import StreamReader, redelivered, template

# The test waits this long per read instead of the app's 3 s: what it checks is the attempts and the
# outcome, which do not depend on the length of the wait.
SHORT_READ_SECONDS = 0.2


class HangingEndpoint:
    """A local socket that accepts every connection, reads the request and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()


@pytest.fixture
def hanging() -> Iterator[HangingEndpoint]:
    endpoint = HangingEndpoint()
    yield endpoint
    endpoint.close()


def hanging_client(service: str, endpoint: HangingEndpoint) -> Any:
    """The app's client configuration, with a short read, pointed at the hanging endpoint."""
    config = aws.BOUNDED.merge(Config(read_timeout=SHORT_READ_SECONDS))
    return aws.session().create_client(service, config=config, endpoint_url=endpoint.url)


def test_every_client_is_bounded_under_the_functions_timeout() -> None:
    document = template()
    default = document["Globals"]["Function"]["Timeout"]
    function_timeouts = {
        name: body["Properties"].get("Timeout", default)
        for name, body in document["Resources"].items()
        if body["Type"] == "AWS::Serverless::Function"
    }
    clients = (aws.dynamodb(), aws.stepfunctions(), aws.events())

    for client in clients:
        config: Any = client.meta.config  # botocore's stubs leave Config's options out
        assert (config.connect_timeout, config.read_timeout) == (1, 3)
        assert config.retries == {"mode": "standard", "total_max_attempts": aws.MAX_ATTEMPTS}
    assert aws.WORST_CALL_SECONDS == 2 * (1 + 3) + 1
    assert min(function_timeouts.values()) > aws.WORST_CALL_SECONDS, function_timeouts


def test_a_call_to_an_endpoint_that_never_answers_gives_up_after_its_attempts(
    hanging: HangingEndpoint,
) -> None:
    client = hanging_client("dynamodb", hanging)

    with pytest.raises(ReadTimeoutError):
        client.describe_table(TableName="anything")

    assert len(hanging.connections) == aws.MAX_ATTEMPTS


def test_a_bus_that_hangs_stops_the_batch_at_its_first_record_and_redelivery_publishes_it(
    alice: ApiClient,
    stream: StreamReader,
    bus: RecordingBus,
    publish: Invoke,
    hanging: HangingEndpoint,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bookmarks = [alice.create()["id"] for _ in range(3)]
    batch = stream.new_records()
    stuck = hanging_client("events", hanging)
    monkeypatch.setattr(bus_module, "events_client", lambda: stuck)

    answer = publish(batch)
    monkeypatch.undo()
    retry = publish(redelivered(batch, answer))

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch[0]["dynamodb"]["SequenceNumber"]}]}
    assert len(hanging.connections) == aws.MAX_ATTEMPTS
    assert retry == {"batchItemFailures": []}
    assert [event["detail"]["bookmark_id"] for event in bus.received()] == bookmarks
