"""One cold start: a fresh interpreter imports a handler module and serves its first invocation.

Run by bench/coldstart.py as `python probe.py <task folder> <module> <event file> [<layer dir> ...]`, with
the environment Lambda sets; it prints nothing, the parent times the whole process. It imports the handler
by name from the front of sys.path, as Lambda's runtime does."""

import importlib
import json
import os
import sys
import uuid
from pathlib import Path


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 512
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main() -> None:
    folder, module_name, event_file, *layers = sys.argv[1:]
    sys.path[:0] = [folder, *layers]
    module = importlib.import_module(module_name)
    module.lambda_handler(json.loads(Path(event_file).read_text()), Context())
    # Lambda keeps the process for the next invocation: tearing the interpreter down (which costs more
    # the more modules there are) is no part of a cold start, so the probe ends here.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
