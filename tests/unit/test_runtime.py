"""The local Lambda runtime: invocations run at once, each in an execution environment of its function
and with that function's environment variables, as separate Lambda environments would."""

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local.provision import LocalFunction
from local.runtime import PerThread, Runtime, ThreadEnvironment, metrics_per_invocation

WAIT = 10.0  # the bound of every wait: a runtime that serialises invocations breaks the barrier


@pytest.fixture(autouse=True)
def _process_environment() -> Iterator[None]:
    """A Runtime writes its functions' variables and its endpoint into the process environment (what
    `python -m local` wants) and installs its per-thread view as os.environ: each test here puts both back,
    so the tests after it (in this process) never call the endpoint of a runtime that is gone."""
    environ = os.environ
    saved = dict(environ)
    yield
    os.environ = environ  # noqa: B003 (the object this test started with)
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


def _function(logical_id: str, **environment: str) -> LocalFunction:
    return LocalFunction(logical_id, f"local-{logical_id}", f"arn:aws:lambda:::{logical_id}", environment)


def _in_threads(*calls: Callable[[], Any]) -> list[Any]:
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            answers[index] = calls[index]()
        except Exception as error:  # reported as the answer, so the test shows it
            answers[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    return answers


def test_invocations_of_two_functions_run_at_once_each_seeing_its_own_variables() -> None:
    meet = threading.Barrier(2, timeout=WAIT)

    def load(logical_id: str, first: bool) -> Any:
        def run(event: Any, context: Any) -> Any:
            meet.wait()  # both invocations are under way here at the same moment
            return os.environ["GREETING"], os.getenv("GREETING")

        return run

    functions = {"A": _function("A", GREETING="from a"), "B": _function("B", GREETING="from b")}
    runtime = Runtime(functions, "http://aws.invalid", load=load)

    answers = _in_threads(lambda: runtime.invoke("A", {}), lambda: runtime.invoke("B", {}))

    assert answers == [("from a", "from a"), ("from b", "from b")]


def test_concurrent_invocations_of_one_function_get_an_environment_each_and_reuse_idle_ones() -> None:
    meet = threading.Barrier(2, timeout=WAIT)
    started: list[bool] = []

    def load(logical_id: str, first: bool) -> Any:
        started.append(first)
        busy = threading.Lock()

        def run(event: Any, context: Any) -> Any:
            assert busy.acquire(blocking=False), "an environment served two invocations at once"
            try:
                if event.get("meet"):
                    meet.wait()
                return id(busy)
            finally:
                busy.release()

        return run

    runtime = Runtime({"A": _function("A")}, "http://aws.invalid", load=load)

    first, second = _in_threads(*(lambda: runtime.invoke("A", {"meet": True}) for _ in "12"))
    later = [runtime.invoke("A", {}) for _ in "123"]

    assert first != second
    assert started == [True, False]  # the first is the module tests reach; the second imported anew
    assert set(later) <= {first, second}
    assert runtime.environments("A") == 2


def test_what_a_handler_writes_to_os_environ_stays_in_its_invocation() -> None:
    def load(logical_id: str, first: bool) -> Any:
        def run(event: Any, context: Any) -> Any:
            os.environ["WRITTEN_BY_HANDLER"] = "yes"
            del os.environ["GREETING"]
            return dict(os.environ).get("WRITTEN_BY_HANDLER"), "GREETING" in os.environ

        return run

    runtime = Runtime({"A": _function("A", GREETING="hello")}, "http://aws.invalid", load=load)

    assert runtime.invoke("A", {}) == ("yes", False)
    assert "WRITTEN_BY_HANDLER" not in os.environ
    assert os.environ["GREETING"] == "hello"  # the process keeps the union of the functions' variables
    del os.environ["GREETING"]


def test_outside_an_invocation_the_view_reads_and_writes_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = ThreadEnvironment.installed()
    monkeypatch.setenv("VIEW_CHECK", "process")

    with view.of({"VIEW_CHECK": "invocation"}):
        inside = os.environ["VIEW_CHECK"]
        seen_elsewhere = _in_threads(lambda: os.environ["VIEW_CHECK"])

    assert (inside, seen_elsewhere, os.environ["VIEW_CHECK"]) == ("invocation", ["process"], "process")
    assert view.process["VIEW_CHECK"] == "process"
    assert ThreadEnvironment.installed() is view


def test_powertools_metrics_of_concurrent_invocations_do_not_mix() -> None:
    from aws_lambda_powertools import Metrics

    metrics_per_invocation()
    added = threading.Event()
    flushed = threading.Event()

    def first() -> dict[str, Any]:
        metrics = Metrics(namespace="check", service="first")
        metrics.add_metric(name="FirstCounted", unit="Count", value=1)
        added.set()
        assert flushed.wait(WAIT)
        return dict(metrics.metric_set)

    def second() -> dict[str, Any]:
        metrics = Metrics(namespace="check", service="second")
        assert added.wait(WAIT)
        seen = dict(metrics.metric_set)
        metrics.clear_metrics()  # what flushing at the end of an invocation does
        flushed.set()
        return seen

    mine, theirs = _in_threads(first, second)

    assert list(mine) == ["FirstCounted"]
    assert theirs == {}
    assert isinstance(Metrics._metrics, PerThread)


class _Reloader:
    """Code that changes when a test says so (``changed``) and is reloaded once."""

    def __init__(self) -> None:
        self.changed, self.reloads = False, 0

    def pending(self) -> bool:
        return self.changed

    def reload_if_changed(self) -> list[Path]:
        if not self.changed:
            return []
        self.changed, self.reloads = False, self.reloads + 1
        return [Path("app.py")]


def test_a_hot_reload_waits_for_the_invocations_under_way_and_starts_environments_anew() -> None:
    reloader = _Reloader()
    running, release = threading.Event(), threading.Event()
    loaded: list[int] = []

    def load(logical_id: str, first: bool) -> Any:
        generation = reloader.reloads
        loaded.append(generation)

        def run(event: Any, context: Any) -> Any:
            if event.get("hold"):
                running.set()
                assert release.wait(WAIT)
            return generation

        return run

    runtime = Runtime({"A": _function("A")}, "http://aws.invalid", reloader=reloader, load=load)  # type: ignore[arg-type]
    held = threading.Thread(target=runtime.invoke, args=("A", {"hold": True}))
    held.start()
    assert running.wait(WAIT)
    reloader.changed = True  # an edit while an invocation is under way
    after: list[int] = []
    waiting = threading.Thread(target=lambda: after.append(runtime.invoke("A", {})))
    waiting.start()

    waiting.join(0.2)  # the bound of a wait that must not end: the new invocation waits for the old
    assert after == []
    release.set()
    held.join(WAIT)
    waiting.join(WAIT)

    assert after == [1]  # ran on the reloaded code, in a new environment
    assert loaded == [0, 1]
    assert reloader.reloads == 1


def test_a_handler_that_fails_to_import_starts_no_environment_and_the_next_try_is_a_first_again() -> None:
    tries: list[bool] = []

    def load(logical_id: str, first: bool) -> Any:
        tries.append(first)
        if len(tries) == 1:
            raise SyntaxError("an edit half made")
        return lambda event, context: "imported"

    runtime = Runtime({"A": _function("A")}, "http://aws.invalid", load=load)

    with pytest.raises(SyntaxError):
        runtime.invoke("A", {})
    answer = runtime.invoke("A", {})

    assert (answer, tries, runtime.environments("A")) == ("imported", [True, True], 1)
