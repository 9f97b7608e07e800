"""Lambda's runtime, in-process: runs a template function's handler with that function's environment."""

import os
import threading
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from local.functions import handler, use_layers
from local.gateway import LambdaContext
from local.provision import LocalFunction

if TYPE_CHECKING:
    from local.observer import Observer
    from local.reload import CodeReloader


class Runtime:
    """Runs handlers one invocation at a time (like a function with reserved concurrency 1).

    Handlers read os.environ, which is shared by the whole process: serialising invocations lets each one
    see its own function's environment, the way each Lambda function has its own. With a ``reloader``, an
    invocation that no other one encloses (a handler may invoke another in-process) first reloads the
    app's code if it changed: between invocations, never in the middle of one.
    """

    observer: "Observer | None" = None  # what Lambda records about each invocation (local/observer.py)

    def __init__(
        self,
        functions: dict[str, LocalFunction],
        endpoint_url: str,
        observer: "Observer | None" = None,
        reloader: "CodeReloader | None" = None,
    ) -> None:
        self.functions, self.observer, self.reloader = functions, observer, reloader
        # In-process, every client calls the embedded AWS, whatever endpoint a function's template
        # environment names (e.g. a LocalEndpointUrl-style variable, empty by default).
        self.endpoint = {"AWS_ENDPOINT_URL": endpoint_url}
        self._lock = threading.RLock()
        self._depth = 0  # invocations under way in this thread's lock: nested ones never reload
        use_layers()
        # The union first: a cached setting read by one function then used by another finds its value.
        for function in functions.values():
            os.environ.update(function.environment)
        os.environ.update(self.endpoint)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run the function's handler on ``event`` and return its answer (exceptions propagate)."""
        function = self.functions[logical_id]
        with self._lock:
            if self.reloader is not None and self._depth == 0:
                self.reloader.reload_if_changed()
            self._depth += 1
            try:
                return self._invoke(function, logical_id, event)
            finally:
                self._depth -= 1

    def _invoke(self, function: LocalFunction, logical_id: str, event: Any) -> Any:
        with self._observed(function, event) as traced:
            environment = {**function.environment, **traced, **self.endpoint}
            saved = {name: os.environ.get(name) for name in environment}
            os.environ.update(environment)
            try:
                return handler(logical_id)(event, LambdaContext(function.name, function.arn))
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value

    def _observed(self, function: LocalFunction, event: Any) -> AbstractContextManager[dict[str, str]]:
        """What Lambda records about the invocation (traces, metrics; local/observer.py), if observed."""
        if self.observer is None:
            return nullcontext({})
        return self.observer.invocation(function.name, event)
