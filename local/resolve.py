"""CloudFormation's intrinsic functions, evaluated locally: the small resolver that turns a template's
Ref/GetAtt/Sub/If/... into the names and ARNs of what the local stack provisioned."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Fn::If's AWS::NoValue removes the property or list item that holds it, as CloudFormation does.
NO_VALUE: Any = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Unresolvable(Exception):
    """The template uses something the resolver cannot answer (an unknown function, a missing resource)."""


@dataclass
class Resolver:
    """Resolves intrinsics of one template against the parameters, pseudo-parameters and what is provisioned.

    ``refs`` (logical id -> what Ref returns) and ``attributes`` ((logical id, attribute) -> value) fill up as
    the provisioner creates resources in dependency order.
    """

    template: dict[str, Any]
    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "local"
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Any] = field(default_factory=dict)
    placeholders: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._conditions: dict[str, bool] = {}

    @property
    def pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }

    def parameter(self, name: str) -> Any:
        """A parameter's value: the override if given, else its Default (CommaDelimitedList as a list)."""
        declared = self.template.get("Parameters", {}).get(name)
        if declared is None:
            raise Unresolvable(f"no parameter {name}")
        value = self.parameter_overrides.get(name, declared.get("Default"))
        if value is None:
            raise Unresolvable(f"parameter {name} has no Default and no override")
        if declared.get("Type", "String").startswith(("List<", "CommaDelimitedList")):
            return [item.strip() for item in value.split(",")] if isinstance(value, str) else list(value)
        return str(value) if not isinstance(value, list) else value

    def condition(self, name: str) -> bool:
        """The value of one of the template's Conditions."""
        if name not in self._conditions:
            declared = self.template.get("Conditions", {}).get(name)
            if declared is None:
                raise Unresolvable(f"no condition {name}")
            self._conditions[name] = bool(self.resolve(declared))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        pseudo = self.pseudo_parameters
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name in self.refs:
            return self.refs[name]
        raise Unresolvable(f"Ref {name}: not provisioned (yet)")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if (logical_id, attribute) in self.attributes:
            return self.attributes[(logical_id, attribute)]
        if logical_id in self.placeholders:
            return self._placeholder_attribute(logical_id, attribute)
        raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute}: not provisioned (yet)")

    def _placeholder_attribute(self, logical_id: str, attribute: str) -> str:
        """A well-formed stand-in for an attribute of a resource the local stack skips (e.g. a role ARN)."""
        name = f"{self.stack_name}-{logical_id}"
        if not attribute.endswith("Arn"):
            return name
        service = self.template["Resources"][logical_id]["Type"].split("::")[1].lower()
        if service == "iam":
            return f"arn:aws:iam::{self.account_id}:role/{name}"
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{name}"

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its result."""
        if isinstance(value, list):
            items = (self.resolve(item) for item in value)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::GetAtt":
            logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            return self.get_att(logical_id, self.resolve(attribute))
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Fn::Join":
            delimiter, items = argument
            return str(delimiter).join(str(item) for item in self.resolve(items))
        if name == "Fn::Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if name == "Fn::Split":
            delimiter, text = self.resolve(argument)
            return str(text).split(delimiter)
        if name == "Fn::Equals":
            left, right = self.resolve(argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            return not self.resolve(argument[0])
        if name == "Fn::And":
            return all(self.resolve(item) for item in argument)
        if name == "Fn::Or":
            return any(self.resolve(item) for item in argument)
        if name == "Fn::FindInMap":
            mapping, top, second = self.resolve(argument)
            return self.template["Mappings"][mapping][top][second]
        if name == "Fn::GetAZs":
            return [f"{self.region}{zone}" for zone in "abc"]
        raise Unresolvable(f"{name} is not supported by the local resolver")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self.resolve(value) for name, value in variables.items()}

        def substitute(found: re.Match[str]) -> str:
            name = found.group(1).strip()
            if name in values:
                return str(values[name])
            if "." in name and name.split(".", 1)[0] not in self.pseudo_parameters:
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")


def references(value: Any) -> Iterator[str]:
    """The logical ids (and parameter names) ``value`` refers to through Ref, Fn::GetAtt and Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                yield argument
            elif key == "Fn::GetAtt":
                yield argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
            elif key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                for name in _SUB_VARIABLE.findall(text):
                    if name not in variables:
                        yield name.split(".", 1)[0].strip()
                yield from references(variables)
            else:
                yield from references(argument)
