"""`make invoke FUNCTION=<logical id> EVENT=events/...`: one handler, in-process, against the running
local stack (the Docker-free `sam local invoke`). Reads .local/stack.json (where the embedded AWS is) and
.local/env.json (each function's environment)."""

import argparse
import json
import os
import sys
from pathlib import Path

from local.functions import handler, use_layers
from local.gateway import LambdaContext


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.invoke", description=__doc__)
    parser.add_argument("function", help="the function's logical id in template.yaml")
    parser.add_argument(
        "event", type=Path, help="an event file, e.g. events/get_bookmarks_function/list.json"
    )
    parser.add_argument("--state-dir", type=Path, default=Path(".local"))
    arguments = parser.parse_args()

    stack_file = arguments.state_dir / "stack.json"
    if not stack_file.exists():
        sys.exit(f"{stack_file} not found: start the local stack first (make local)")
    stack = json.loads(stack_file.read_text())
    environments = json.loads((arguments.state_dir / "env.json").read_text())
    if arguments.function not in environments:
        sys.exit(f"{arguments.function} is not a function of template.yaml: {sorted(environments)}")
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (moto's dummy credentials)
        AWS_DEFAULT_REGION=stack["region"],
        AWS_REGION=stack["region"],
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        POWERTOOLS_TRACE_DISABLED="1",
        **environments[arguments.function],
        AWS_ENDPOINT_URL=stack["aws_endpoint_url"],
    )
    use_layers()
    answer = handler(arguments.function)(
        json.loads(arguments.event.read_text()), LambdaContext(arguments.function)
    )
    print(json.dumps(answer, indent=2, default=str))


if __name__ == "__main__":
    main()
