"""A moto server in this process, for tests of the local stack's pieces that talk to AWS over HTTP."""

import urllib.request
from collections.abc import Iterator

import pytest
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from local.provision import Aws


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One server for the session on a free port; the execute flag is set before any state machine."""
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def embedded_aws(moto_server: str) -> Aws:
    """Clients of a freshly reset moto server."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    return Aws(moto_server, "us-east-1")
