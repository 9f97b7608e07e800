"""`sam local invoke` against the session's local stack, without Docker: SAM CLI says what environment the
container would get (the README's command: .local/env.json and LocalEndpointUrl), and the handler runs in a
fresh process with exactly that environment, as it would in the container. What it writes and reads is the
local stack's own table."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.harness import ROOT, functions
from tests.sam_local import sam_local_environment

# A fresh interpreter with the function's environment only, as Lambda's runtime loads a handler: its
# folder first on the path, the module imported, the function called with the event and a context.
RUN_HANDLER = """
import importlib, json, sys, types
code_uri, handler, event_file, name = sys.argv[1:]
sys.path.insert(0, code_uri)
module, function = handler.rsplit(".", 1)
arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name
context = types.SimpleNamespace(function_name=name, function_version="$LATEST", memory_limit_in_mb=512,
    invoked_function_arn=arn, aws_request_id="sam-local-invoke", get_remaining_time_in_millis=lambda: 10000)
answer = getattr(importlib.import_module(module), function)(json.loads(open(event_file).read()), context)
print(json.dumps(answer))
"""


def sam_local_invoke(local_stack: dict[str, Any], function: str, event: str) -> dict[str, Any]:
    """What `sam local invoke <function> -e <event> --env-vars .local/env.json --parameter-overrides
    LocalEndpointUrl=<the stack's endpoint>` answers, the container being this machine."""
    env_json = json.loads((Path(local_stack["state_dir"]) / "env.json").read_text())
    environment = sam_local_environment(
        function, {"LocalEndpointUrl": local_stack["aws_endpoint_url"]}, env_json, local_stack["region"]
    )
    # Lambda puts the layers on the path (/opt/python); PATH only to find nothing else.
    environment |= {"PYTHONPATH": f"{ROOT / 'layers/shared/python'}:{ROOT}", "PATH": os.environ["PATH"]}
    properties = functions()[function]["Properties"]
    code = (str(ROOT / properties["CodeUri"]), properties["Handler"], str(ROOT / event), function)
    finished = subprocess.run(  # noqa: S603 (our own interpreter and handler)
        [sys.executable, "-c", RUN_HANDLER, *code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    answer: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return answer


def test_sam_local_invoke_with_the_local_endpoint_writes_and_reads_the_local_stacks_table(
    local_stack: dict[str, Any],
) -> None:
    created = sam_local_invoke(
        local_stack, "StoreBookmarkFunction", "events/store_bookmark_function/create.json"
    )
    listed = sam_local_invoke(local_stack, "GetBookmarksFunction", "events/get_bookmarks_function/list.json")

    assert created["statusCode"] == 201, created
    assert listed["statusCode"] == 200, listed
    assert json.loads(created["body"])["id"] in {item["id"] for item in json.loads(listed["body"])["items"]}
