"""The inline policy statements of the template's roles, read from its SAM translation: the one reader
the least-privilege tests share."""

from typing import Any

from tests.harness import translated

# The log-delivery set-up Step Functions needs for execution logs: AWS defines these actions on "*" only.
LOG_DELIVERY = frozenset(
    {
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    }
)


def statements(role: str) -> list[dict[str, Any]]:
    """Every statement of the role's inline policies, in order."""
    policies = translated()["Resources"][role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def actions(statement: dict[str, Any]) -> list[str]:
    """A statement's actions as a list (IAM also takes a single action as a plain string)."""
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)
