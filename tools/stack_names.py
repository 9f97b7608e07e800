"""Writes the names that live outside template.yaml but must follow its AppName Default: each samconfig.toml
environment's stack_name (<AppName>-<Stage>, SAM CLI substitutes nothing there), the pipeline role's
stack-name prefix in pipeline/github-oidc.yaml, and the README's first-deploy commands, which name the
pipeline stacks (<AppName>-pipeline-<environment>)."""

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
DEPLOY_COMMANDS = Block(REPO / "README.md", "pipeline stacks")
# The environments the pipeline deploys, each from its own pipeline stack; the first one in an account
# creates what an account has one of (GitHub's OIDC provider, API Gateway's logging role).
PIPELINE_ENVIRONMENTS = ("staging", "prod")


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


def pipeline_stack_names() -> dict[str, str]:
    """Each pipeline environment's pipeline stack: <AppName>-pipeline-<environment>, a name that the app
    stack's prefix (<AppName>-<Stage>-) never matches, so its execution role cannot touch its own roles."""
    return {environment: f"{app_name()}-pipeline-{environment}" for environment in PIPELINE_ENVIRONMENTS}


def rendered_deploy_commands() -> str:
    lines = []
    for number, (environment, stack) in enumerate(pipeline_stack_names().items()):
        account_wide = " \\\n    CreateOidcProvider=false ManageApiGatewayAccount=false" if number else ""
        lines += [
            f"aws cloudformation deploy --template-file pipeline/github-oidc.yaml --stack-name {stack} \\",
            "  --capabilities CAPABILITY_NAMED_IAM \\",
            f"  --parameter-overrides Environment={environment} GitHubOrg=<owner> GitHubRepo=<repo>"
            + account_wide,
            f"aws cloudformation describe-stacks --stack-name {stack} --query 'Stacks[0].Outputs'",
        ]
    return "\n".join(lines) + "\n"


BLOCKS: tuple[tuple[Block, Callable[[], str]], ...] = (
    (STACK_NAMES, rendered_stack_names),
    (OIDC_PREFIX, rendered_oidc_prefix),
    (DEPLOY_COMMANDS, rendered_deploy_commands),
)


if __name__ == "__main__":
    # `python -m tools.stack_names staging`: that environment's stack name, for make e2e ENV=staging.
    print(stack_names()[sys.argv[1]])
