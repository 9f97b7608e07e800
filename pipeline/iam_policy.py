"""A small IAM policy evaluator, so that the deploy-role test asks "would IAM allow this request?" instead of
comparing strings: explicit Deny wins, then any Allow, else the implicit deny; `Action`/`NotAction` and
`Resource`/`NotResource` match with IAM's `*` and `?` wildcards (actions case-insensitively, ARNs
case-sensitively); a permissions boundary caps what the identity policies allow. Condition operators are
the few the pipeline's policies use; any other is refused rather than guessed.

Sources: IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements: Condition operators"
(docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
reference_policies_elements_condition_operators.html).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Context = Mapping[str, str | Sequence[str]]


class UnsupportedPolicy(ValueError):
    """The policy uses an element or operator this evaluator does not model."""


@cache
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: `*` any run of characters (none too), `?` exactly one."""
    return bool(_pattern(glob, ignore_case).match(value))


def _listed(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _string_values(context: Context, key: str) -> list[str] | None:
    found = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    return None if found is None else _listed(found)


def _operator_holds(operator: str, wanted: list[str], present: list[str] | None) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    negated = base.startswith(("StringNot", "ArnNot"))
    compare: dict[str, Any] = {
        "StringEquals": lambda w, p: w == p,
        "StringNotEquals": lambda w, p: w == p,
        "StringEqualsIgnoreCase": lambda w, p: w.lower() == p.lower(),
        "StringLike": lambda w, p: matches(w, p),
        "StringNotLike": lambda w, p: matches(w, p),
        "ArnEquals": lambda w, p: w == p,
        "ArnLike": lambda w, p: matches(w, p),
        "ArnNotEquals": lambda w, p: w == p,
        "ArnNotLike": lambda w, p: matches(w, p),
        "Bool": lambda w, p: w.lower() == p.lower(),
    }
    if base not in compare:
        raise UnsupportedPolicy(f"condition operator {operator} is not modelled")
    if present is None:
        return if_exists or negated
    # Single-valued keys: the request's value must match one of the policy's values.
    hit = any(compare[base](w, p) for p in present for w in wanted)
    return not hit if negated else hit


def conditions_hold(block: Mapping[str, Mapping[str, Any]], context: Context) -> bool:
    """Every operator of the Condition block holds (AND), each of its keys (AND), any value of a key (OR)."""
    for operator, keys in block.items():
        if operator.startswith(("ForAnyValue:", "ForAllValues:")):
            raise UnsupportedPolicy(f"set operator {operator} is not modelled")
        for key, value in keys.items():
            if not _operator_holds(operator, [str(v) for v in _listed(value)], _string_values(context, key)):
                return False
    return True


@dataclass(frozen=True)
class Request:
    """One API call as IAM sees it: the action, the resource ARN it acts on, the request's context keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = field(default=())

    @property
    def context_map(self) -> dict[str, str]:
        return dict(self.context)


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    unknown = set(statement) - {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
    if unknown or "Principal" in statement:
        raise UnsupportedPolicy(f"identity-policy statement with {sorted(unknown)}")
    if "Action" in statement:
        action_ok = any(matches(a, request.action, ignore_case=True) for a in _listed(statement["Action"]))
    else:
        action_ok = not any(
            matches(a, request.action, ignore_case=True) for a in _listed(statement["NotAction"])
        )
    if not action_ok:
        return False
    if "Resource" in statement:
        resource_ok = any(matches(r, request.resource) for r in _listed(statement["Resource"]))
    else:
        resource_ok = not any(matches(r, request.resource) for r in _listed(statement["NotResource"]))
    return resource_ok and conditions_hold(statement.get("Condition", {}), request.context_map)


def _statements(policies: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [s for policy in policies for s in _listed_statements(policy["Statement"])]


def _listed_statements(statements: Any) -> list[Mapping[str, Any]]:
    return [statements] if isinstance(statements, Mapping) else list(statements)


def decision(policies: Iterable[Mapping[str, Any]], request: Request) -> str:
    """ "Deny" (explicit), "Allow", or "ImplicitDeny" for one set of policies."""
    applying = [s for s in _statements(policies) if statement_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        return "Deny"
    return "Allow" if any(s["Effect"] == "Allow" for s in applying) else "ImplicitDeny"


def allowed(
    identity: Iterable[Mapping[str, Any]],
    request: Request,
    boundary: Iterable[Mapping[str, Any]] | None = None,
) -> bool:
    """Whether a principal with these identity policies (and this permissions boundary, if any) may make the
    request: both must allow it and neither may deny it (same account, no SCP or session policy)."""
    if decision(identity, request) != "Allow":
        return False
    return boundary is None or decision(boundary, request) == "Allow"
