"""Lambda's runtime, in-process: runs a template function's handler with that function's environment."""

import os
import threading
from typing import Any

from local.functions import handler, use_layers
from local.gateway import LambdaContext
from local.provision import LocalFunction


class Runtime:
    """Runs handlers one invocation at a time (like a function with reserved concurrency 1).

    Handlers read os.environ, which is shared by the whole process: serialising invocations lets each one
    see its own function's environment, the way each Lambda function has its own.
    """

    def __init__(self, functions: dict[str, LocalFunction], endpoint_url: str) -> None:
        self.functions = functions
        self._lock = threading.RLock()
        use_layers()
        # The union first: a cached setting read by one function then used by another finds its value.
        for function in functions.values():
            os.environ.update(function.environment)
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run the function's handler on ``event`` and return its answer (exceptions propagate)."""
        function = self.functions[logical_id]
        with self._lock:
            saved = {name: os.environ.get(name) for name in function.environment}
            os.environ.update(function.environment)
            try:
                return handler(logical_id)(event, LambdaContext(function.name, function.arn))
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
