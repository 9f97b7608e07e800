"""Lambda's runtime, in-process: runs template functions' handlers concurrently, each invocation in an
execution environment of its function and with that function's environment variables."""

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from local.functions import functions, handler, handler_module, use_layers
from local.gateway import LambdaContext
from local.provision import LocalFunction

if TYPE_CHECKING:
    from local.observer import Observer
    from local.reload import CodeReloader

Handler = Callable[[Any, LambdaContext], Any]
# How long an invocation waits for the others to end before a pending hot reload (a handler that
# waits on another's answer would otherwise wait on itself); after that it runs the code it has.
RELOAD_WAIT_SECONDS = 10.0


class ThreadEnvironment(MutableMapping[str, str]):
    """``os.environ`` as each thread sees it: the process's variables, under those of the invocation the
    thread runs (if any). Installed as ``os.environ`` (``os.getenv`` reads it too), it gives every
    concurrent invocation its own function's environment, as each Lambda environment is its own process.
    A handler's own writes stay in its invocation; outside one, reads and writes are the process's."""

    def __init__(self, process: MutableMapping[str, str]) -> None:
        self.process = process
        self._thread = threading.local()

    @classmethod
    def installed(cls) -> "ThreadEnvironment":
        """The view installed as ``os.environ`` (installing it the first time)."""
        current: MutableMapping[str, str] = os.environ
        if not isinstance(current, ThreadEnvironment):
            current = cls(current)
            os.environ = current  # type: ignore[assignment]  # noqa: B003 (a view: nothing is cleared)
        return current

    def _overlay(self) -> dict[str, str | None] | None:
        stack: list[dict[str, str | None]] = getattr(self._thread, "stack", [])
        return stack[-1] if stack else None

    @contextmanager
    def of(self, variables: Mapping[str, str]) -> Iterator[None]:
        """While the block runs, this thread sees ``variables`` over the process's (None: unset)."""
        stack: list[dict[str, str | None]] = self._thread.__dict__.setdefault("stack", [])
        stack.append(dict(variables))
        try:
            yield
        finally:
            stack.pop()

    def __getitem__(self, name: str) -> str:
        overlay = self._overlay()
        if overlay is not None and name in overlay:
            value = overlay[name]
            if value is None:
                raise KeyError(name)
            return value
        return self.process[name]

    def __setitem__(self, name: str, value: str) -> None:
        if not isinstance(value, str):  # as os.environ refuses it
            raise TypeError(f"str expected, not {type(value).__name__}")
        overlay = self._overlay()
        if overlay is None:
            self.process[name] = value
        else:
            overlay[name] = value

    def __delitem__(self, name: str) -> None:
        overlay = self._overlay()
        if overlay is None:
            del self.process[name]
            return
        if name not in self:
            raise KeyError(name)
        overlay[name] = None

    def __iter__(self) -> Iterator[str]:
        overlay = self._overlay() or {}
        unset = {name for name, value in overlay.items() if value is None}
        yield from (name for name in self.process if name not in overlay)
        yield from (name for name in overlay if name not in unset)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)


class PerThread(MutableMapping[str, Any]):
    """A dict each thread has its own of: for a library's process-wide state that Lambda keeps per
    execution environment, since each environment is its own process."""

    def __init__(self) -> None:
        self._thread = threading.local()

    def _own(self) -> dict[str, Any]:
        own: dict[str, Any] = self._thread.__dict__.setdefault("own", {})
        return own

    def __getitem__(self, name: str) -> Any:
        return self._own()[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._own()[name] = value

    def __delitem__(self, name: str) -> None:
        del self._own()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._own()))

    def __len__(self) -> int:
        return len(self._own())


def metrics_per_invocation() -> None:
    """Corrects: Powertools' Metrics keeps the metrics, dimensions and metadata of every instance in class
    attributes, one set per process; in-process, one invocation's flush would take another's metrics (or
    find its own gone). Each thread gets its own sets (an invocation runs, and flushes, in one thread),
    for every Metrics made after this; a no-op where Powertools is not installed."""
    try:
        from aws_lambda_powertools.metrics.metrics import Metrics
    except ImportError:
        return
    for name in ("_metrics", "_dimensions", "_metadata"):
        if not isinstance(getattr(Metrics, name), PerThread):
            setattr(Metrics, name, PerThread())


def new_environment(logical_id: str, first: bool) -> Handler:
    """The handler of a new execution environment of the function: its module imported anew, except for
    the ``first``, which is the one tests and tools reach through ``local.functions.handler_module``."""
    if first:
        return handler(logical_id)  # type: ignore[no-any-return]
    _, name = functions()[logical_id]["Properties"]["Handler"].rsplit(".", 1)
    run: Handler = getattr(handler_module.__wrapped__(logical_id), name)
    return run


class Runtime:
    """Runs handlers as Lambda does, many invocations at once: each takes an idle execution environment of
    its function or, if none is idle, starts a new one (a cold start: the handler module imported anew, so
    its module-level state, the Powertools resolver's current event among it, is its own). An environment
    serves one invocation at a time. The app's shared layer is imported once for all of them (Lambda
    mounts it in each): its cached settings and thread-safe botocore clients are the same for every
    function, since the process environment holds every function's variables (the union, set first).

    Each invocation sees its own function's variables through ``ThreadEnvironment``. With a ``reloader``,
    an invocation that no other one encloses (a handler may invoke another in-process) first reloads the
    app's code if it changed: once no invocation is under way, never in the middle of one, and every
    environment then starts anew.
    """

    observer: "Observer | None" = None  # what Lambda records about each invocation (local/observer.py)

    def __init__(
        self,
        functions: dict[str, LocalFunction],
        endpoint_url: str,
        observer: "Observer | None" = None,
        reloader: "CodeReloader | None" = None,
        load: Callable[[str, bool], Handler] | None = None,
    ) -> None:
        self.functions, self.observer, self.reloader = functions, observer, reloader
        self.load = load or new_environment
        # In-process, every client calls the embedded AWS, whatever endpoint a function's template
        # environment names (e.g. a LocalEndpointUrl-style variable, empty by default).
        self.endpoint = {"AWS_ENDPOINT_URL": endpoint_url}
        self.environ = ThreadEnvironment.installed()
        self._state = threading.Condition()
        self._running = 0  # outermost invocations under way, in every thread
        self._generation = 0  # counts hot reloads: an environment of older code is not reused
        self._idle: dict[str, list[Handler]] = {}
        self._started: dict[str, int] = {}  # environments started per function, this generation
        self._thread = threading.local()
        metrics_per_invocation()
        use_layers()
        # The union first: a cached setting read by one function then used by another finds its value.
        for function in functions.values():
            self.environ.update(function.environment)
        self.environ.update(self.endpoint)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run the function's handler on ``event`` and return its answer (exceptions propagate)."""
        function = self.functions[logical_id]
        outermost = getattr(self._thread, "depth", 0) == 0
        if outermost:
            self._begin()
        self._thread.depth = getattr(self._thread, "depth", 0) + 1
        try:
            return self._invoke(function, logical_id, event)
        finally:
            self._thread.depth -= 1
            if outermost:
                with self._state:
                    self._running -= 1
                    self._state.notify_all()

    def environments(self, logical_id: str) -> int:
        """How many execution environments of the function were started since the last reload."""
        with self._state:
            return self._started.get(logical_id, 0)

    def _begin(self) -> None:
        """Count an outermost invocation in; first reload the code if it changed, once none runs."""
        with self._state:
            if self.reloader is not None and (self._running == 0 or self.reloader.pending()):
                deadline = time.monotonic() + RELOAD_WAIT_SECONDS
                while self._running and self._state.wait(max(0.0, deadline - time.monotonic())):
                    pass
                if self._running == 0 and self.reloader.reload_if_changed():
                    self._generation += 1
                    self._idle.clear()
                    self._started.clear()
            self._running += 1

    def _invoke(self, function: LocalFunction, logical_id: str, event: Any) -> Any:
        with (
            self._observed(function, event) as traced,
            self.environ.of({**function.environment, **traced, **self.endpoint}),
        ):
            generation, run = self._take(logical_id)
            try:
                return run(event, LambdaContext(function.name, function.arn))
            finally:
                with self._state:
                    if generation == self._generation:
                        self._idle.setdefault(logical_id, []).append(run)

    def _take(self, logical_id: str) -> tuple[int, Handler]:
        """An idle environment of the function, or a new one (imported in the invocation's environment)."""
        with self._state:
            generation = self._generation
            if idle := self._idle.get(logical_id):
                return generation, idle.pop()
            first = self._started.get(logical_id, 0) == 0
            self._started[logical_id] = self._started.get(logical_id, 0) + 1
        try:
            return generation, self.load(logical_id, first)
        except BaseException:  # a module that does not import starts no environment (Lambda's init error)
            with self._state:
                if generation == self._generation:
                    self._started[logical_id] -= 1
            raise

    def _observed(self, function: LocalFunction, event: Any) -> AbstractContextManager[dict[str, str]]:
        """What Lambda records about the invocation (traces, metrics; local/observer.py), if observed."""
        if self.observer is None:
            return nullcontext({})
        return self.observer.invocation(function.name, event)
