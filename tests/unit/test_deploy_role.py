"""The pipeline's roles (pipeline/github-oidc.yaml) against what a deploy of template.yaml needs, worked out
from AWS's own data: pipeline/deploy_permissions.toml, each entry checked against the resource-provider
schemas cfn-lint ships, applied to every resource of the translated template under every combination of
its conditions and after each feature removal, and evaluated as IAM evaluates a policy
(pipeline/iam_policy.py). Least both ways: nothing a deploy needs is missing, nothing it does not need is
allowed; one deploy role and one execution role per environment, each confined to its own stack; every role
the app stack creates carries that environment's permissions boundary, which allows what those roles need
and nothing else.
"""

import json
import re
import tomllib
from collections import defaultdict
from functools import cache
from importlib.resources import files
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from pipeline import deploy_role
from pipeline.deploy_role import ACCOUNT, REGION, Need, Stack
from pipeline.iam_policy import Request, allowed
from tests.harness import TEMPLATE_PATH, translate
from tools.features import cut, manifest
from tools.remove_feature import without_dashboard_lines

ENVIRONMENTS = ("staging", "prod")


def removal_order() -> list[str]:
    """The features still in the tree, each after those it must follow (tools/features.toml)."""
    features = manifest().features
    order: list[str] = []
    while len(order) < len(features):
        ready = [
            n for n, f in features.items() if n not in order and set(f.after) & set(features) <= set(order)
        ]
        assert ready, f"features.toml's `after` makes a cycle among {sorted(set(features) - set(order))}"
        order += ready
    return order


# The tree as it is, and what each further `make remove-feature` leaves, in the order the manifest allows.
VARIANTS = {
    "as-is" if not removed else "without-" + "-".join(removed): tuple(removed)
    for removed in (removal_order()[:n] for n in range(len(removal_order()) + 1))
}
EXECUTION_ROLE = "CloudFormationExecutionRole"
DEPLOY_ROLE = "GitHubDeployRole"
BOUNDARY = "AppRolesBoundary"


@cache
def variant_texts(variant: str) -> tuple[str, str]:
    """template.yaml and pipeline/github-oidc.yaml as `make remove-feature` leaves them for this variant."""
    app, pipeline = TEMPLATE_PATH.read_text(), deploy_role.PIPELINE_TEMPLATE.read_text()
    features = manifest().features
    for name in VARIANTS[variant]:
        app = without_dashboard_lines(cut(app, name, "template.yaml"), features[name].dashboard)
        pipeline = cut(pipeline, name, "pipeline/github-oidc.yaml")
    return app, pipeline


@cache
def translated_variant(variant: str) -> dict[str, Any]:
    """The SAM transform's output, once per variant: it keeps each Condition and Fn::If for us to resolve."""
    return translate(yaml_parse(variant_texts(variant)[0]))


@cache
def pipeline_stack(variant: str, environment: str) -> Stack:
    return deploy_role.pipeline_stack(environment, variant_texts(variant)[1])


def resource_forms(variant: str, environment: str) -> list[tuple[Stack, str]]:
    """Each form each resource of this environment's app stack takes under the template's conditions."""
    document = translated_variant(variant)
    source = yaml_parse(variant_texts(variant)[0])
    parameters = {name: str(p.get("Default", "")) for name, p in source["Parameters"].items()}
    bucket = pipeline_stack(variant, environment).parameters["__artifacts_bucket"]
    parameters |= {"Stage": environment, "__artifacts_bucket": bucket}
    # The pipeline's environments always name the boundary (samconfig.toml, checked below); the execution
    # role refuses a role without it.
    combos = [c for c in deploy_role.combinations(source) if c["UsesPermissionsBoundary"]]
    return list(
        deploy_role.resource_forms(f"{parameters['AppName']}-{environment}", document, combos, parameters)
    )


@cache
def needs(variant: str, environment: str) -> dict[Request, list[Need]]:
    """Every request the execution role must be allowed, over all condition combinations, deduplicated."""
    found: dict[Request, list[Need]] = defaultdict(list)
    for stack, logical_id in resource_forms(variant, environment):
        for need in deploy_role.resource_needs(stack, logical_id):
            found[need.request].append(need)
    return dict(found)


def policies(variant: str, environment: str, role: str) -> list[dict[str, Any]]:
    return deploy_role.role_policies(pipeline_stack(variant, environment), role)


def allow_statements(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for d in documents for s in d["Statement"] if s["Effect"] == "Allow"]


def listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


CASES = [(v, e) for v in VARIANTS for e in ENVIRONMENTS]


# --- the table is AWS's data ---------------------------------------------------------------------------


@cache
def schema_permissions(resource_type: str) -> set[str]:
    schemas = files("cfnlint") / "data" / "schemas"
    provider = json.loads((schemas / "providers" / f"{REGION}.json").read_text())
    schema = json.loads((schemas / "resources" / f"{provider[resource_type]}.json").read_text())
    return {p for handler in schema.get("handlers", {}).values() for p in handler.get("permissions", [])}


@pytest.mark.parametrize("resource_type", sorted(deploy_role.table()["grant"]))
def test_given_the_table_when_read_then_every_action_is_in_its_types_schema(resource_type: str) -> None:
    listed_actions = {a for grant in deploy_role.table()["grant"][resource_type] for a in grant["actions"]}

    assert listed_actions - schema_permissions(resource_type) == set()


@cache
def iam_reference() -> dict[str, Any]:
    """The Service Authorization Reference as cfn-lint ships it: each service's actions, the resource types
    each action is authorised on, and those types' ARN formats."""
    loaded: dict[str, Any] = json.loads(
        (files("cfnlint") / "data" / "AdditionalSpecs" / "Policies.json").read_text()
    )
    return loaded


def arn_formats(action: str) -> list[str] | None:
    """The ARN patterns IAM authorises the action on ([] if it takes none), or None if no such action."""
    service, name = action.split(":", 1)
    entry = iam_reference().get(service, {}).get("Actions", {}).get(name.lower())
    if entry is None:
        return None
    types = {name.lower(): t for name, t in iam_reference()[service].get("Resources", {}).items()}
    return [f for t in entry.get("Resources", []) for f in types.get(t.lower(), {}).get("ARNFormats", [])]


@pytest.mark.parametrize(("variant", "environment"), CASES)
def test_given_each_request_when_read_against_iams_reference_then_its_action_and_resource_are_real(
    variant: str, environment: str
) -> None:
    wrong = set()
    for request in needs(variant, environment):
        formats = arn_formats(request.action)
        if formats is None:
            wrong.add(f"{request.action}: not an IAM action")
        elif request.resource == "*" and formats:
            wrong.add(f"{request.action}: takes a resource ARN, the table gives *")
        elif request.resource != "*" and not formats:
            wrong.add(f"{request.action}: takes no resource ARN, the table gives {request.resource}")
        elif formats and not any(re.fullmatch(_regex(f), request.resource) for f in formats):
            wrong.add(f"{request.action}: {request.resource} is none of {formats}")

    assert sorted(wrong) == []


def _regex(arn_format: str) -> str:
    """An ARN format of the reference (`arn:${Partition}:logs:${Region}:...:log-group:.*`) as a regex."""
    return re.sub(r"\\\$\\\{[A-Za-z]+\\\}", "[^:]*", re.escape(arn_format).replace(r"\.\*", ".*"))


def test_given_the_translated_template_when_every_variant_is_read_then_every_type_has_grants() -> None:
    types = {r["Type"] for v in VARIANTS for r in translated_variant(v)["Resources"].values()}

    assert types - set(deploy_role.table()["grant"]) == {"AWS::CloudFormation::WaitConditionHandle"}


def test_given_the_conditions_when_combined_then_each_one_is_seen_both_ways() -> None:
    combos = deploy_role.combinations(yaml_parse(variant_texts("as-is")[0]))

    assert len(combos) >= 2**6
    for name in combos[0]:
        assert {c[name] for c in combos} == {True, False}, name


# --- the execution role: everything needed, nothing more ---------------------------------------------


@pytest.mark.parametrize(("variant", "environment"), CASES)
def test_given_a_deploy_when_each_resource_is_created_updated_deleted_then_the_execution_role_allows_it(
    variant: str, environment: str
) -> None:
    role = policies(variant, environment, EXECUTION_ROLE)
    denied = sorted(
        f"{need[0].logical_id}: {request.action} on {request.resource} {dict(request.context)}"
        for request, need in needs(variant, environment).items()
        if not allowed(role, request)
    )

    assert denied == [], f"{len(denied)} requests denied, e.g.:\n" + "\n".join(denied[:40])


@pytest.mark.parametrize(("variant", "environment"), CASES)
def test_given_the_execution_role_when_read_then_every_action_it_allows_is_one_a_deploy_needs(
    variant: str, environment: str
) -> None:
    needed = {r.action.lower() for r in needs(variant, environment)}
    unscoped = {r.action.lower() for r in needs(variant, environment) if r.resource == "*"}
    excess, too_wide = [], []
    for statement in allow_statements(policies(variant, environment, EXECUTION_ROLE)):
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        for action in listed(statement["Action"]):
            if "*" in action or "?" in action or action.lower() not in needed:
                excess.append(action)
            elif "*" in listed(statement["Resource"]) and action.lower() not in unscoped:
                too_wide.append(action)

    assert excess == [], f"allowed but no resource of the {variant} template needs it"
    assert too_wide == [], "allowed on every resource, but each use names its resource"


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_two_environments_when_staging_deploys_then_it_cannot_touch_prods_resources(
    variant: str,
) -> None:
    staging = policies(variant, "staging", EXECUTION_ROLE)
    prods_own = [
        r for r in needs(variant, "prod") if "bookmarks-prod" in r.resource or "-prod-" in r.resource
    ]

    assert prods_own
    assert [r for r in prods_own if allowed(staging, r)] == []


# --- the deploy role GitHub assumes --------------------------------------------------------------------


def deploy_needs(variant: str, environment: str) -> list[Request]:
    stack = pipeline_stack(variant, environment)
    app_stack = f"{stack.parameters['StackNamePrefix']}-{environment}"
    app = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{app_stack}/0a1b2c3d-0000-1111-2222-333344445555"
    bucket = stack.parameters["__artifacts_bucket"]
    execution_role = stack.arn(EXECUTION_ROLE)
    table = deploy_role.table()["deploy"]
    requests = [Request(a, app) for a in table["stack"]]
    requests += [
        Request(a, f"arn:aws:cloudformation:{REGION}:aws:transform/Serverless-2016-10-31")
        for a in table["transform"]
    ]
    requests += [
        Request(a, f"arn:aws:s3:::{bucket}/0123456789abcdef0123456789abcdef") for a in table["artifacts"]
    ]
    requests += [Request(a, f"arn:aws:s3:::{bucket}") for a in table["bucket"]]
    requests += [
        Request("iam:PassRole", execution_role, (("iam:PassedToService", "cloudformation.amazonaws.com"),))
    ]
    userpool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbCdEf123"
    requests += [Request(a, userpool) for a in table["e2e_users"]]
    return requests


@pytest.mark.parametrize(("variant", "environment"), CASES)
def test_given_the_pipeline_when_it_deploys_then_the_deploy_role_allows_exactly_that(
    variant: str, environment: str
) -> None:
    role = policies(variant, environment, DEPLOY_ROLE)
    requests = deploy_needs(variant, environment)
    needed = {r.action.lower() for r in requests}
    actions = {a for s in allow_statements(role) for a in listed(s["Action"])}

    assert [r for r in requests if not allowed(role, r)] == []
    assert {a for a in actions if a.lower() not in needed or "*" in a} == set()


def test_given_each_environments_deploy_role_when_it_reaches_for_the_other_then_it_is_denied() -> None:
    staging, prod = (policies("as-is", e, DEPLOY_ROLE) for e in ENVIRONMENTS)
    # The transform is AWS's, one for all; a user pool's id is Cognito's choice (README, "Deploying").
    prods = [r for r in deploy_needs("as-is", "prod") if "prod" in r.resource]

    assert [r for r in prods if allowed(staging, r)] == []
    assert all(allowed(prod, r) for r in prods)


def test_given_each_environment_when_github_asks_then_only_that_environments_jobs_get_its_role() -> None:
    subjects = {}
    for environment in ENVIRONMENTS:
        trust = pipeline_stack("as-is", environment).resources[DEPLOY_ROLE]["Properties"][
            "AssumeRolePolicyDocument"
        ]
        statement = deploy_role._resolved(pipeline_stack("as-is", environment), trust)["Statement"][0]
        subjects[environment] = statement["Condition"]["StringEquals"][
            "token.actions.githubusercontent.com:sub"
        ]

    assert subjects == {
        "staging": "repo:example-org/bookmarks:environment:staging",
        "prod": "repo:example-org/bookmarks:environment:production",
    }


# --- the permissions boundary --------------------------------------------------------------------------


def role_requests(stack: Stack, resource: dict[str, Any]) -> list[Request]:
    """What the role's own policies allow, as requests (its AWS managed policies from the table)."""
    properties = resource["Properties"]
    requests = []
    for policy in properties.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            for action in listed(statement["Action"]):
                for resource_arn in listed(statement.get("Resource", "*")):
                    requests.append(Request(action, stack.render(resource_arn)))
    managed = deploy_role.table()["managed_policies"]
    for arn in properties.get("ManagedPolicyArns", []):
        name = stack.render(arn).rsplit("/", 1)[-1]
        requests += [Request(a, "*") for a in managed[name]["actions"]]
    return requests


@pytest.mark.parametrize(("variant", "environment"), CASES)
def test_given_the_boundary_when_any_app_role_acts_then_the_boundary_allows_what_its_policies_grant(
    variant: str, environment: str
) -> None:
    pipeline = pipeline_stack(variant, environment)
    boundary_arn = deploy_role.managed_policy_arn(pipeline, BOUNDARY)
    boundary = [deploy_role.managed_policy(pipeline, BOUNDARY)]
    missing, unbounded, used = [], [], set()
    for stack, logical_id in resource_forms(variant, environment):
        resource = stack.resources[logical_id]
        if resource["Type"] != "AWS::IAM::Role":
            continue
        if stack.render(resource["Properties"].get("PermissionsBoundary", "")) != boundary_arn:
            unbounded.append(logical_id)
        for request in role_requests(stack, resource):
            used.add(request.action.lower())
            if not allowed(boundary, request):
                missing.append(f"{logical_id}: {request.action} on {request.resource}")
    allowed_actions = {a for s in allow_statements(boundary) for a in listed(s["Action"])}

    assert sorted(set(unbounded)) == []
    assert sorted(set(missing)) == []
    assert {a for a in allowed_actions if a.lower() not in used} == set(), (
        "the boundary allows what no role uses"
    )


def test_given_the_pipeline_environments_when_deployed_then_they_use_the_boundary() -> None:
    config = tomllib.loads((TEMPLATE_PATH.parent / "samconfig.toml").read_text())
    for environment in ENVIRONMENTS:
        overrides = dict(
            p.split("=", 1)
            for p in config[environment]["deploy"]["parameters"]["parameter_overrides"].split()
        )
        assert overrides["UsePermissionsBoundary"] == "true"
