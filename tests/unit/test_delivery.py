"""Safe delivery: API functions shift traffic through a `live` alias guarded by alarms, and the pipeline
tests, deploys by OIDC and checks the deployed stack with the end-to-end suite."""

import re
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from samtranslator.yaml_helper import yaml_parse

from tests.harness import ROOT, api_routes, resource, template, translated
from tests.names import app_name
from tools import stack_names
from tools.generated import Block

API_FUNCTIONS = sorted({route.function for route in api_routes()})
WORKFLOW = ROOT / ".github" / "workflows" / "pipeline.yml"


def pipeline() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def test_there_are_api_functions_to_check() -> None:
    assert {"GetBookmarksFunction", "StoreBookmarkFunction"} <= set(API_FUNCTIONS)


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_function_publishes_live_alias_on_every_change(function: str) -> None:
    properties = resource(function)["Properties"]
    alias = properties.get("AutoPublishAlias", template()["Globals"]["Function"]["AutoPublishAlias"])

    assert alias == "live"
    assert properties["AutoPublishAliasAllProperties"] is True


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_function_shifts_traffic_rolled_back_by_its_new_versions_errors(function: str) -> None:
    resources = translated()["Resources"]
    group = resources[f"{function}DeploymentGroup"]["Properties"]
    alarm_id = group["AlarmConfiguration"]["Alarms"][0]["Name"]["Ref"]
    alarm = resources[alarm_id]["Properties"]
    dimensions = {dimension["Name"]: dimension["Value"] for dimension in alarm["Dimensions"]}

    assert group["AlarmConfiguration"]["Enabled"] is True
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    assert resource(function)["Properties"]["DeploymentPreference"]["Type"] == {"Ref": "DeploymentStrategy"}
    assert (alarm["MetricName"], alarm["Threshold"]) == ("Errors", 0)
    assert dimensions["Resource"] == {"Fn::Sub": f"${{{function}}}:live"}
    version = dimensions["ExecutedVersion"]["Fn::GetAtt"]
    assert resources[version[0]]["Type"] == "AWS::Lambda::Version"


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_invokes_the_alias_not_the_latest_version(function: str) -> None:
    paths = translated()["Resources"]["BookmarksApi"]["Properties"]["Body"]["paths"]
    uris = [
        str(operation["x-amazon-apigateway-integration"].get("uri"))
        for operations in paths.values()
        for operation in operations.values()
        if f"${{{function}" in str(operation.get("x-amazon-apigateway-integration", {}).get("uri"))
    ]

    assert uris
    assert all(f"${{{function}Aliaslive}}" in uri for uri in uris)


def test_pull_requests_run_the_readme_test_command_and_build() -> None:
    readme_test_command = re.search(r"^(make test)\s", (ROOT / "README.md").read_text(), re.MULTILINE)
    steps = [step.get("run") for step in pipeline()["jobs"]["test"]["steps"]]

    assert readme_test_command is not None
    assert readme_test_command[1] in steps
    assert "make build" in steps
    assert "pull_request" in pipeline()[True]  # YAML 1.1 reads the key `on` as True


def test_staging_is_tested_end_to_end_after_deploy_and_prod_waits_for_it() -> None:
    jobs = pipeline()["jobs"]
    staging_runs = [step.get("run", "") for step in jobs["deploy-staging"]["steps"]]

    assert staging_runs.index("make deploy ENV=staging") < staging_runs.index("make e2e ENV=staging")
    assert jobs["deploy-prod"]["needs"] == ["deploy-staging"]
    assert jobs["deploy-prod"]["environment"] == "production"
    assert "make deploy ENV=prod" in [step.get("run") for step in jobs["deploy-prod"]["steps"]]


def test_only_deploy_jobs_may_ask_for_an_oidc_token_and_no_keys_are_stored() -> None:
    workflow = pipeline()

    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"].get("id-token") == ("write" if name.startswith("deploy") else None)
    assert "AWS_SECRET_ACCESS_KEY" not in WORKFLOW.read_text()
    assert "secrets." not in WORKFLOW.read_text()


def test_every_action_is_pinned_to_a_commit() -> None:
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text())

    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action) for action in uses)


def test_samconfig_environments_are_the_pipeline_stages() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    environments = ("default", "staging", "prod")
    stacks = {env: config[env]["global"]["parameters"]["stack_name"] for env in environments}

    assert stacks == {
        env: f"{app_name()}-{stage}"
        for env, stage in zip(environments, ("dev", "staging", "prod"), strict=True)
    }
    assert "DeploymentStrategy=AllAtOnce" in config["default"]["deploy"]["parameters"]["parameter_overrides"]
    for env in ("staging", "prod"):
        assert "DeploymentStrategy=Canary" in config[env]["deploy"]["parameters"]["parameter_overrides"]


@pytest.mark.parametrize(("block", "render"), stack_names.BLOCKS, ids=lambda b: getattr(b, "name", ""))
def test_names_outside_the_template_are_the_ones_its_app_name_gives(
    block: Block, render: Callable[[], str]
) -> None:
    assert block.committed() == render(), f"{block.path.name}'s {block.name} is stale: run make generate"


def test_the_pipeline_role_may_deploy_every_stack_of_samconfig() -> None:
    oidc = yaml_parse((ROOT / "pipeline" / "github-oidc.yaml").read_text())
    prefix = oidc["Parameters"]["StackNamePrefix"]["Default"]

    assert prefix == app_name()
    assert all(name.startswith(f"{prefix}-") for name in stack_names.stack_names().values())


def test_oidc_role_trusts_only_this_repositorys_deploy_environment() -> None:
    # One pipeline stack per environment: its deploy role trusts that GitHub environment's jobs only
    # (tests/unit/test_deploy_role.py resolves it for each).
    oidc = yaml_parse((ROOT / "pipeline" / "github-oidc.yaml").read_text())
    trust = oidc["Resources"]["GitHubDeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    claims = trust["Condition"]["StringEquals"]
    condition, prod, staging = claims["token.actions.githubusercontent.com:sub"]["Fn::If"]

    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert claims["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert condition == "DeploysProd"
    assert [prod["Fn::Sub"].rsplit(":", 1)[-1], staging["Fn::Sub"].rsplit(":", 1)[-1]] == [
        "production",
        "staging",
    ]


def test_every_stack_the_readme_names_in_a_command_is_one_samconfig_or_the_pipeline_defines() -> None:
    readme = (ROOT / "README.md").read_text()
    stacks = set(re.findall(r"(?:--stack-name |STACK=|AWS_SAM_STACK_NAME=)([^\s`\\)]+)", readme))
    environments = set(re.findall(r"(?:--config-env |ENV=)([^\s`\\)]+)", readme))
    defined = set(stack_names.stack_names().values()) | set(stack_names.pipeline_stack_names().values())

    assert stacks
    assert {s for s in stacks if not s.startswith(("<", "$"))} <= defined
    assert {e for e in environments if not e.startswith(("<", "$"))} <= set(stack_names.stages())
