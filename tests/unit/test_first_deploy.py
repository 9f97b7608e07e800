"""What a first deploy on a new account needs from the template, samconfig.toml and `make deploy`: the
stage waits for the account's logging role, one long-lived stack owns that role, the web client can be
left out, and every environment has a bucket for the packaged template."""

import shutil
import subprocess
import tomllib
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.harness import ROOT, template, translated

# CloudFormation takes a template body inline only up to this size; larger ones must come from S3.
INLINE_TEMPLATE_LIMIT = 51_200
ENVIRONMENTS = ("default", "staging", "prod")


def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text())


def overrides(environment: str) -> dict[str, str]:
    raw = samconfig()[environment]["deploy"]["parameters"]["parameter_overrides"]
    return dict(pair.split("=", 1) for pair in raw.split())


def make_deploy(**variables: str) -> str:
    """The commands `make deploy` would run (make -n runs nothing)."""
    assignments = [f"{name}={value}" for name, value in variables.items()]
    make = shutil.which("make") or "make"
    result = subprocess.run(  # noqa: S603 (make with our own Makefile, printing only)
        [make, "-n", "deploy", *assignments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    commands = result.stdout.replace("\\\n", " ").splitlines()
    return next(command for command in commands if " deploy --config-env " in command)


def test_the_api_is_created_only_after_the_accounts_logging_role_is_set() -> None:
    resources = translated()["Resources"]
    handle = template()["Resources"]["ApiGatewayAccountReady"]

    assert "ApiGatewayAccountReady" in resources["BookmarksApi"]["DependsOn"]
    assert handle["Metadata"]["ApiGatewayAccount"] == {
        "Fn::If": ["ManagesApiGatewayAccount", {"Ref": "ApiGatewayAccount"}, "none"]
    }
    # The stage follows its deployment, which follows the API: none can start before the account.
    stage = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage")
    deployment = resources[stage["Properties"]["DeploymentId"]["Ref"]]
    assert deployment["Properties"]["RestApiId"] == {"Ref": "BookmarksApi"}


def test_one_stack_per_account_owns_the_api_gateway_logging_role() -> None:
    # The pipeline stack outlives the app stacks it deploys to staging and prod, so it owns the role there.
    pipeline = yaml_parse((ROOT / "pipeline" / "github-oidc.yaml").read_text())
    owners = [env for env in ENVIRONMENTS if overrides(env)["ManageApiGatewayAccount"] == "true"]

    assert pipeline["Resources"]["ApiGatewayAccount"]["Condition"] == "ManagesApiGatewayAccount"
    assert pipeline["Parameters"]["ManageApiGatewayAccount"]["Default"] == "true"
    assert owners == ["default"]


@pytest.mark.parametrize("kind", ["AWS::CloudFront::", "AWS::S3::"])
def test_the_web_client_can_be_left_out_where_cloudfront_is_not_yet_allowed(kind: str) -> None:
    web = {name: r for name, r in template()["Resources"].items() if r["Type"].startswith(kind)}
    outputs = template()["Outputs"]

    assert web
    assert {r.get("Condition") for r in web.values()} == {"HostsWeb"}
    assert {outputs[name].get("Condition") for name in ("WebUrl", "WebBucketName", "WebDistributionId")} == {
        "HostsWeb"
    }


def test_the_packaged_template_is_too_large_to_deploy_inline() -> None:
    # Why every environment needs an artifacts bucket: if this ever fails, buckets become optional.
    assert len((ROOT / "template.yaml").read_bytes()) > INLINE_TEMPLATE_LIMIT


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_deploys_through_a_bucket(environment: str) -> None:
    config = samconfig()[environment]["deploy"]["parameters"]
    by_hand = make_deploy(ENV=environment)
    by_pipeline = make_deploy(ENV=environment, ARTIFACTS_BUCKET="artifacts-123")

    assert "resolve_s3" not in config  # it would clash with the pipeline's --s3-bucket
    assert "--resolve-s3" in by_hand
    assert "--s3-bucket artifacts-123" in by_pipeline
    assert "--resolve-s3" not in by_pipeline
