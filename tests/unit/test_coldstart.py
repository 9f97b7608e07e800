"""What a cold start may count on: every function behind a published alias (SnapStart's unit, off unless
asked for), hooks that warm clients and validators before a snapshot without capturing anything unique,
and handlers that import only what they use. `make bench` times it; nothing here is timed."""

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest
import snapshot_restore_py
from pydantic import BaseModel, ConfigDict

from bookmarks import aws, snapstart
from tests.harness import ROOT, functions, template, translated


@pytest.fixture
def fresh_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every AWS endpoint unreachable (a refused port, one attempt), and no cached client."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    factories = (aws.dynamodb, aws.events, aws.stepfunctions)
    for factory in factories:
        factory.cache_clear()
    yield
    for factory in factories:
        factory.cache_clear()


def load_handler_file(logical_id: str) -> ModuleType:
    """The function's handler module imported afresh, as a new execution environment imports it."""
    properties = functions()[logical_id]["Properties"]
    module_name, _ = properties["Handler"].rsplit(".", 1)
    path = ROOT / properties["CodeUri"] / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"fresh_{logical_id}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_function_is_invoked_through_its_live_alias_with_snapstart_off_by_default() -> None:
    resources = translated()["Resources"]
    lambda_functions = [name for name, res in resources.items() if res["Type"] == "AWS::Lambda::Function"]
    aliases = {
        res["Properties"]["FunctionName"]["Ref"]: res
        for res in resources.values()
        if res["Type"] == "AWS::Lambda::Alias"
    }
    mapping = resources["BookmarkEventsMapping"]["Properties"]["FunctionName"]

    assert sorted(aliases) == sorted(lambda_functions) == sorted(functions())
    assert {alias["Properties"]["Name"] for alias in aliases.values()} == {"live"}
    assert mapping == {"Ref": "BookmarkEventsFunctionAliaslive"}
    assert template()["Parameters"]["EnableSnapStart"]["Default"] == "false"
    for name in lambda_functions:
        assert resources[name]["Properties"]["SnapStart"] == {
            "Fn::If": ["UsesSnapStart", {"ApplyOn": "PublishedVersions"}, {"Ref": "AWS::NoValue"}]
        }


@pytest.mark.parametrize("logical_id", sorted(functions()))
def test_each_function_warms_its_clients_before_a_snapshot_without_calling_aws(
    logical_id: str, fresh_clients: None
) -> None:
    registered = len(snapshot_restore_py.get_before_snapshot())
    load_handler_file(logical_id)
    hooks = snapshot_restore_py.get_before_snapshot()[registered:]

    assert [hook for hook, _, _ in hooks] == [snapstart.warm]
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)  # as Lambda runs it; an AWS call would be refused here
    clients, models = hooks[0][1]
    assert clients
    assert all(client.cache_info().currsize == 1 for client in clients)
    assert models
    assert all(model.__pydantic_complete__ for model in models)


def test_warming_builds_a_deferred_validator() -> None:
    class Deferred(BaseModel):
        model_config = ConfigDict(defer_build=True)
        name: str

    assert not Deferred.__pydantic_complete__
    snapstart.warm(clients=[], models=[Deferred])
    assert Deferred.__pydantic_complete__


# A fresh interpreter: imports the handler from its folder and the layers' sources, lists what it loaded.
IMPORTS_OF_HANDLER = """
import sys
sys.path[:0] = sys.argv[1:]
import app
print(sorted(name for name in sys.modules if name.startswith("aws_lambda_powertools.event_handler")))
"""


def _loaded(logical_id: str, program: str) -> str:
    """What ``program`` prints in a fresh interpreter that sees the function's folder and the layers."""
    folder = str(ROOT / functions()[logical_id]["Properties"]["CodeUri"])
    layers = [
        str(ROOT / res["Properties"]["ContentUri"])
        for res in template()["Resources"].values()
        if res["Type"] == "AWS::Serverless::LayerVersion"
    ]
    env = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "test",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-c", program, folder, *layers]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


# The functions an event (not an API request) invokes.
EVENT_FUNCTIONS = [
    "BookmarkEventsFunction",
    # feature: contest
    "ContestEntryFunction",
    # end feature: contest
]


@pytest.mark.parametrize("logical_id", EVENT_FUNCTIONS)
def test_an_event_function_loads_no_rest_event_handler(logical_id: str) -> None:
    assert _loaded(logical_id, IMPORTS_OF_HANDLER) == "[]"


# Which of the heavier packages a fresh interpreter loaded by importing the handler.
HEAVY_IMPORTS_OF_HANDLER = """
import sys
sys.path[:0] = sys.argv[1:]
import app
print(sorted({name for name in sys.modules if name in ("boto3", "bookmarks.events")}))
"""


@pytest.mark.parametrize("logical_id", sorted(functions()))
def test_no_function_imports_boto3_and_only_event_functions_load_event_models(logical_id: str) -> None:
    # botocore makes the same clients; boto3's import and default session cost about a tenth of the floor.
    expected = "['bookmarks.events']" if logical_id in EVENT_FUNCTIONS else "[]"
    assert _loaded(logical_id, HEAVY_IMPORTS_OF_HANDLER) == expected
