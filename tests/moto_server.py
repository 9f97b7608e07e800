"""A moto server in this process, for tests of the local stack's pieces that talk to AWS over HTTP."""

import os
import urllib.request
from collections.abc import Iterator

import pytest
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from bookmarks.aws import dynamodb, stepfunctions
from bookmarks.settings import settings
from tests.harness import Aws


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One server for the session on a free port; the execute flag is set before any state machine."""
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # Step Functions' service integrations call moto back over HTTP, at 127.0.0.1:$MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def embedded_aws(moto_server: str) -> Aws:
    """Clients of a freshly reset moto server."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    return Aws(moto_server, "us-east-1")


@pytest.fixture
def aws_server(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The moto server, emptied after the test; every client made during the test talks to it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    for cached in (dynamodb, stepfunctions, settings):
        cached.cache_clear()
    yield moto_server
    for cached in (dynamodb, stepfunctions, settings):
        cached.cache_clear()
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310
