"""One cold start: a fresh interpreter imports a handler module and serves its first invocation.

Run by bench/coldstart.py as `python probe.py [--preimport=<module>,...] [--until=start|import] <task folder>
<module> <event file> [<layer dir> ...]`, with the environment Lambda sets; it prints nothing, the parent
times or counts the whole process. It imports the handler by name from the front of sys.path, as Lambda's
runtime does. The options serve the attribution (bench/instructions.py): import some modules first, or stop
before the handler is imported (``start``) or before it is invoked (``import``)."""

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
    arguments = sys.argv[1:]
    options = dict(
        argument.removeprefix("--").split("=", 1) for argument in arguments if argument.startswith("--")
    )
    folder, module_name, event_file, *layers = (
        argument for argument in arguments if not argument.startswith("--")
    )
    sys.path[:0] = [folder, *layers]
    for name in filter(None, options.get("preimport", "").split(",")):
        try:
            importlib.import_module(name)
        except ImportError:  # an import that failed and was caught in the cold start too (six.moves.winreg)
            continue
    if options.get("until") != "start":
        module = importlib.import_module(module_name)
        if options.get("until") != "import":
            module.lambda_handler(json.loads(Path(event_file).read_text()), Context())
    # Lambda keeps the process for the next invocation: tearing the interpreter down (which costs more
    # the more modules there are) is no part of a cold start, so the probe ends here.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
