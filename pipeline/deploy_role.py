"""What a deploy asks of the roles in pipeline/github-oidc.yaml, worked out from the app's translated template
and pipeline/deploy_permissions.toml: for one condition combination of template.yaml, the IAM requests
CloudFormation's execution role makes (action, the ARN it acts on, the context keys IAM's conditions
read), and the policies that pipeline stack gives its roles, resolved for one environment. The test
(tests/unit/test_deploy_role.py) evaluates the one against the other with pipeline/iam_policy.py.
"""

import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from pipeline.iam_policy import Request

PIPELINE = Path(__file__).resolve().parent
TABLE = PIPELINE / "deploy_permissions.toml"
PIPELINE_TEMPLATE = PIPELINE / "github-oidc.yaml"
REGION = "us-east-1"
ACCOUNT = "111122223333"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
RANDOM = "1A2B3C4D5E6F"
# What CloudFormation returns for Ref on types whose Ref is an id chosen by the service.
SERVICE_IDS = {
    "AWS::ApiGateway::RestApi": "a1b2c3d4e5",
    "AWS::ApiGateway::Stage": None,  # its StageName
    "AWS::Cognito::UserPool": f"{REGION}_AbCdEf123",
    "AWS::KMS::Key": "1234abcd-12ab-34cd-56ef-1234567890ab",
}
NO_VALUE = object()


@cache
def table() -> dict[str, Any]:
    loaded: dict[str, Any] = tomllib.loads(TABLE.read_text())
    return loaded


@dataclass(frozen=True)
class Need:
    """One request the execution role must be allowed, and where it comes from (for failure messages)."""

    request: Request
    resource_type: str
    logical_id: str
    why: str = ""


# --- conditions ----------------------------------------------------------------------------------------


def _condition_parameters(node: Any) -> set[str]:
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return {node["Ref"]}
        return set().union(*(_condition_parameters(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_condition_parameters(v) for v in node)) if node else set()
    return set()


def _sample_values(parameter: Mapping[str, Any]) -> list[str]:
    """Every value a condition can tell apart: each allowed value, else the default and one other."""
    if "AllowedValues" in parameter:
        return [str(v) for v in parameter["AllowedValues"]]
    default = str(parameter.get("Default", ""))
    other = {"": "someone@example.com", "0": "5"}.get(default, f"{default}-other")
    return [default, other]


def evaluate_condition(node: Any, parameters: Mapping[str, str], conditions: Mapping[str, Any]) -> Any:
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if key == "Fn::Equals":
            left, right = (evaluate_condition(v, parameters, conditions) for v in value)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not evaluate_condition(value[0], parameters, conditions)
        if key == "Fn::And":
            return all(evaluate_condition(v, parameters, conditions) for v in value)
        if key == "Fn::Or":
            return any(evaluate_condition(v, parameters, conditions) for v in value)
        if key == "Condition":
            return evaluate_condition(conditions[value], parameters, conditions)
        if key == "Ref":
            return parameters.get(value, PSEUDO.get(value))
    return node


def combinations(document: Mapping[str, Any]) -> list[dict[str, bool]]:
    """Every distinct assignment of the template's conditions that its parameters can produce."""
    conditions = document.get("Conditions", {})
    referenced = sorted(_condition_parameters(conditions) & set(document.get("Parameters", {})))
    parameters = document["Parameters"]
    defaults = {name: str(p.get("Default", "")) for name, p in parameters.items()}
    seen: dict[tuple[bool, ...], dict[str, bool]] = {}
    for values in itertools.product(*(_sample_values(parameters[name]) for name in referenced)):
        chosen = {**defaults, **dict(zip(referenced, values, strict=True))}
        assignment = {name: bool(evaluate_condition(c, chosen, conditions)) for name, c in conditions.items()}
        seen.setdefault(tuple(assignment[name] for name in sorted(assignment)), assignment)
    return list(seen.values())


def _resolve_ifs(node: Any, conditions: Mapping[str, bool]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, yes, no = node["Fn::If"]
            return _resolve_ifs(yes if conditions[name] else no, conditions)
        if node == {"Ref": "AWS::NoValue"}:
            return NO_VALUE
        resolved = {k: _resolve_ifs(v, conditions) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}
    if isinstance(node, list):
        return [v for v in (_resolve_ifs(v, conditions) for v in node) if v is not NO_VALUE]
    return node


def resolved_resources(
    document: Mapping[str, Any], conditions: Mapping[str, bool]
) -> dict[str, dict[str, Any]]:
    """The resources one condition assignment deploys, with every Fn::If taken and AWS::NoValue dropped."""
    return {
        logical_id: _resolve_ifs(resource, conditions)
        for logical_id, resource in document["Resources"].items()
        if conditions.get(resource.get("Condition", ""), True)
    }


# --- names and ARNs ------------------------------------------------------------------------------------


class Stack:
    """One deployed app stack: names and ARNs of its resources as CloudFormation would give them."""

    def __init__(self, name: str, resources: Mapping[str, dict[str, Any]], parameters: Mapping[str, str]):
        self.name = name
        self.resources = resources
        self.parameters = parameters

    def physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        prop = table()["names"].get(resource["Type"])
        given = resource.get("Properties", {}).get(prop) if prop else None
        if given is not None:
            return self.render(given)
        # "<stack>-<LogicalId>-<random>", the stack and logical id parts cut to fit 64 characters.
        return f"{self.name}-{logical_id}"[: 64 - len(RANDOM) - 1] + f"-{RANDOM}"

    def ref(self, name: str) -> str:
        """What !Ref gives inside a string: a parameter's value, or the resource's id as its type gives it."""
        if name in PSEUDO:
            return PSEUDO[name]
        if name == "AWS::StackName":
            return self.name
        if name in self.parameters:
            return self.parameters[name]
        resource_type = self.resources[name]["Type"]
        if resource_type == "AWS::ApiGateway::Stage":
            return str(self.resources[name]["Properties"]["StageName"])
        if SERVICE_IDS.get(resource_type):
            return str(SERVICE_IDS[resource_type])
        if resource_type in table()["ref_is_arn"]:
            return self.arn(name)
        return self.physical_name(name)

    def arn(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        resource_type = resource["Type"]
        properties = resource.get("Properties", {})
        if resource_type == "AWS::Lambda::Alias":
            return f"{self.ref_arn(properties['FunctionName'])[0]}:{properties['Name']}"
        if resource_type == "AWS::Lambda::Version":
            return f"{self.ref_arn(properties['FunctionName'])[0]}:1"
        template = table()["arns"].get(resource_type)
        if template is None:
            raise KeyError(
                f"{resource_type} ({logical_id}): deploy_permissions.toml [arns] has no ARN for it"
            )
        return self.format(template, logical_id)

    def format(self, template: str, logical_id: str) -> str:
        properties = self.resources[logical_id].get("Properties", {})
        name = self.physical_name(logical_id)

        def field(found: re.Match[str]) -> str:
            key = found[1]
            fixed = {
                "region": REGION,
                "account": ACCOUNT,
                "name": name,
                "lowername": name.lower(),
                "stack": self.name,
                "id": logical_id,
            }
            if key in fixed:
                return fixed[key]
            if key == "artifacts_bucket":
                return self.parameters["__artifacts_bucket"]
            return self.render(properties[key])

        return re.sub(r"\{([A-Za-z_]+)\}", field, template)

    def render(self, value: Any) -> str:
        """A string property with its Ref/Sub/GetAtt resolved as CloudFormation would at deploy time."""
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "Ref" in value:
            return self.ref(value["Ref"])
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return self.arn(value["Fn::GetAtt"][0])
        if isinstance(value, dict) and "Fn::Sub" in value:
            body, variables = (
                (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
            )

            def substitute(found: re.Match[str]) -> str:
                key = found[1]
                if key in variables:
                    return self.render(variables[key])
                if "." in key and key.split(".", 1)[0] in self.resources:
                    return self.arn(key.split(".", 1)[0])
                return self.ref(key)

            return re.sub(r"\$\{([^}!]+)\}", substitute, body)
        if isinstance(value, dict) and "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(self.render(part) for part in parts)
        return str(value)

    def ref_arn(self, value: Any) -> list[str]:
        """The ARNs of what a property points at (a Ref, GetAtt or Sub, or a list of them)."""
        if isinstance(value, list):
            return [arn for item in value for arn in self.ref_arn(item)]
        if isinstance(value, dict) and "Ref" in value and value["Ref"] in self.resources:
            return [self.arn(value["Ref"])]
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return [self.arn(value["Fn::GetAtt"][0])]
        rendered = self.render(value)
        return [rendered] if rendered.startswith("arn:") else []


def _at(node: Any, path: str) -> list[Any]:
    """The values at a dotted path, lists traversed: Targets.RoleArn gives every target's RoleArn."""
    found = [node]
    for part in path.split("."):
        step: list[Any] = []
        for item in found:
            for each in item if isinstance(item, list) else [item]:
                if isinstance(each, dict) and part in each:
                    step.append(each[part])
        found = step
    return found


def needs(stack: Stack) -> Iterator[Need]:
    """Every request CloudFormation's execution role makes to deploy, update and delete this stack."""
    for logical_id in stack.resources:
        yield from resource_needs(stack, logical_id)


def resource_needs(stack: Stack, logical_id: str) -> Iterator[Need]:
    """The requests one resource of the stack makes: its type's grants whose `when` its properties meet."""
    grants = table()["grant"]
    resource = stack.resources[logical_id]
    resource_type = resource["Type"]
    if resource_type == "AWS::CloudFormation::WaitConditionHandle":
        return  # CloudFormation's own, no IAM call
    if resource_type not in grants:
        raise KeyError(f"{resource_type} ({logical_id}) has no grants in deploy_permissions.toml")
    scope = {**resource.get("Properties", {}), "UpdatePolicy": resource.get("UpdatePolicy")}
    for grant in grants[resource_type]:
        if "when" in grant and not any(v not in (None, [], {}) for v in _at(scope, grant["when"])):
            continue
        yield from _grant_needs(stack, logical_id, resource_type, grant, scope)


def _conditions_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["Fn::If"][0]} if "Fn::If" in node else set()
        if isinstance(node.get("Condition"), str):
            found.add(node["Condition"])
        return found.union(*(_conditions_in(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_conditions_in(v) for v in node))
    return set()


def resource_forms(
    name: str, document: Mapping[str, Any], combos: list[dict[str, bool]], parameters: Mapping[str, str]
) -> Iterator[tuple[Stack, str]]:
    """Each distinct form a resource takes over the condition combinations, in a stack to name it by.

    The same as resolving the whole stack once per combination (a resource's form depends only on the
    conditions it names; other resources are read for their names and ARNs, which no condition changes),
    at the cost of one resolution per resource form instead of one per combination."""
    base = {logical_id: _resolve_ifs(r, combos[0]) for logical_id, r in document["Resources"].items()}
    for logical_id, resource in document["Resources"].items():
        names = sorted(_conditions_in(resource))
        seen: set[tuple[bool, ...]] = set()
        for conditions in combos:
            key = tuple(conditions[n] for n in names)
            if not conditions.get(resource.get("Condition", ""), True) or key in seen:
                continue
            seen.add(key)
            yield (
                Stack(name, {**base, logical_id: _resolve_ifs(resource, conditions)}, parameters),
                logical_id,
            )


def _grant_needs(
    stack: Stack, logical_id: str, resource_type: str, grant: Mapping[str, Any], scope: Mapping[str, Any]
) -> Iterator[Need]:
    on = grant["on"]
    if on == "*":
        arns = ["*"]
    elif on == "self":
        arns = [stack.arn(logical_id)]
    elif on in table()["scopes"]:
        arns = [stack.format(template, logical_id) for template in table()["scopes"][on]]
    else:
        arns = [arn for value in _at(scope, on) for arn in stack.ref_arn(value)]
        if not arns:
            raise ValueError(f"{logical_id}: grant on {on} found no ARN in the resource")
    contexts: list[dict[str, str]] = [{}]
    if grant.get("passed_to"):
        contexts = [{"iam:PassedToService": grant["passed_to"]}]
    if grant.get("boundary"):
        boundary = scope.get("PermissionsBoundary")
        contexts = [
            {**c, **({"iam:PermissionsBoundary": stack.render(boundary)} if boundary else {})}
            for c in contexts
        ]
    if grant.get("each"):
        contexts = [
            {**c, "iam:PolicyARN": stack.render(p)} for c in contexts for p in scope.get(grant["each"], [])
        ]
    for action in grant["actions"]:
        for arn in arns:
            for context in contexts:
                yield Need(
                    Request(action, arn, tuple(sorted(context.items()))),
                    resource_type,
                    logical_id,
                    grant.get("why", ""),
                )


# --- the pipeline stack --------------------------------------------------------------------------------


def pipeline_template(text: str | None = None) -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(text if text is not None else PIPELINE_TEMPLATE.read_text())
    return parsed


def pipeline_stack(environment: str, text: str | None = None) -> Stack:
    """pipeline/github-oidc.yaml deployed for one environment, its parameters at their defaults."""
    document = pipeline_template(text)
    parameters = {name: str(p.get("Default", "")) for name, p in document["Parameters"].items()}
    parameters |= {"Environment": environment, "GitHubOrg": "example-org", "GitHubRepo": "bookmarks"}
    conditions = {
        name: bool(evaluate_condition(c, parameters, document.get("Conditions", {})))
        for name, c in document.get("Conditions", {}).items()
    }
    name = f"{parameters['StackNamePrefix']}-pipeline-{environment}"
    stack = Stack(name, resolved_resources(document, conditions), parameters)
    stack.parameters = {**parameters, "__artifacts_bucket": stack.physical_name("ArtifactsBucket").lower()}
    return stack


def _resolved(stack: Stack, node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) & {"Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join"} and len(node) == 1:
            return stack.render(node)
        return {k: _resolved(stack, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(stack, v) for v in node]
    return node


def role_policies(stack: Stack, logical_id: str) -> list[dict[str, Any]]:
    """The identity policies of one role of the pipeline stack (inline, and its stack's managed policies)."""
    properties = stack.resources[logical_id]["Properties"]
    policies = [_resolved(stack, p["PolicyDocument"]) for p in properties.get("Policies", [])]
    for arn in properties.get("ManagedPolicyArns", []):
        target = str(arn.get("Ref")) if isinstance(arn, dict) else ""
        if target not in stack.resources:
            raise ValueError(f"{logical_id}: managed policy {arn} is not one this test can read")
        policies.append(_resolved(stack, stack.resources[target]["Properties"]["PolicyDocument"]))
    return policies


def managed_policy(stack: Stack, logical_id: str) -> dict[str, Any]:
    resolved: dict[str, Any] = _resolved(stack, stack.resources[logical_id]["Properties"]["PolicyDocument"])
    return resolved


def managed_policy_arn(stack: Stack, logical_id: str) -> str:
    return stack.arn(logical_id)
