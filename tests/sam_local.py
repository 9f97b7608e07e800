"""What `sam local invoke` gives a function's container, asked of SAM CLI's own providers: the part of
`sam local invoke` that needs no Docker."""

import os
from typing import Any
from unittest import mock

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

from tests.harness import ROOT, TEMPLATE_PATH


def sam_local_environment(
    function: str,
    parameters: dict[str, str],
    env_vars: dict[str, Any] | None = None,
    region: str = "us-east-1",
) -> dict[str, str]:
    """The environment `sam local invoke <function> --parameter-overrides ... --env-vars ...` gives the
    container, from SAM CLI's own providers. The shell's values of declared variables would win over the
    template's, as SAM reads os.environ: the tests' own settings are taken out, as a user's shell has none."""
    stacks, _ = SamLocalStackProvider.get_stacks(str(TEMPLATE_PATH), parameter_overrides=parameters)
    provider = SamFunctionProvider(stacks)
    runner = LocalLambdaRunner(
        local_runtime=None,  # what would start the container; never asked here
        function_provider=provider,
        cwd=str(ROOT),
        real_path=str(ROOT),
        aws_region=region,
        env_vars_values=env_vars or {},
    )
    found = provider.get(function)
    assert found is not None
    declared = found.environment["Variables"]
    with mock.patch.dict(os.environ):
        for name in declared:
            os.environ.pop(name, None)
        resolved_environment: dict[str, str] = runner.get_invoke_config(found).env_vars.resolve()
    return resolved_environment
