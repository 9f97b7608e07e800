"""Writes the names that live outside template.yaml but must follow its AppName Default: each samconfig.toml
environment's stack_name (<AppName>-<Stage>, SAM CLI substitutes nothing there) and the pipeline role's
stack-name prefix in pipeline/github-oidc.yaml."""

import json
import shlex
import sys
import tomllib
from collections.abc import Callable

from local.template import template
from tools.generated import REPO, Block

SAMCONFIG = REPO / "samconfig.toml"
STACK_NAMES = Block(SAMCONFIG, "stack names")
OIDC_PREFIX = Block(REPO / "pipeline" / "github-oidc.yaml", "app name")


def app_name() -> str:
    return str(template()["Parameters"]["AppName"]["Default"])


def stages() -> dict[str, str]:
    """Each samconfig.toml environment (with deploy parameters) and the Stage it deploys."""
    found = {}
    for environment, tables in tomllib.loads(SAMCONFIG.read_text()).items():
        if isinstance(tables, dict) and "deploy" in tables:
            overrides = shlex.split(tables["deploy"]["parameters"]["parameter_overrides"])
            found[environment] = dict(item.split("=", 1) for item in overrides)["Stage"]
    return found


def stack_names() -> dict[str, str]:
    """Each environment's stack name: <AppName>-<Stage>."""
    return {environment: f"{app_name()}-{stage}" for environment, stage in stages().items()}


def rendered_stack_names() -> str:
    tables = (
        f"[{environment}.global.parameters]\nstack_name = {json.dumps(name)}\n"
        for environment, name in stack_names().items()
    )
    return "\n".join(tables)


def rendered_oidc_prefix() -> str:
    return f"Default: {app_name()}\n"


BLOCKS: tuple[tuple[Block, Callable[[], str]], ...] = (
    (STACK_NAMES, rendered_stack_names),
    (OIDC_PREFIX, rendered_oidc_prefix),
)


if __name__ == "__main__":
    # `python -m tools.stack_names staging`: that environment's stack name, for make e2e ENV=staging.
    print(stack_names()[sys.argv[1]])
