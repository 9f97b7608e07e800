"""The policy evaluator the deploy-role test relies on decides as IAM does: wildcards, NotAction and
NotResource, explicit deny over allow, the implicit deny, conditions (missing keys, negated operators) and
a permissions boundary capping an allow."""

import pytest

from pipeline.iam_policy import Request, UnsupportedPolicy, allowed, decision, matches


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:bookmarks-staging-Get-1A2B"


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("lambda:Get*", "lambda:GetFunction", True),
        ("lambda:Get*", "lambda:UpdateFunction", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GGetObject", False),
        ("arn:aws:s3:::bookmarks-*", "arn:aws:s3:::bookmarks-staging-web", True),
        ("arn:aws:s3:::bookmarks-*", "arn:aws:s3:::other", False),
        ("a.b", "aXb", False),
    ],
)
def test_given_a_wildcard_when_matched_then_star_is_any_run_and_question_mark_one_character(
    pattern: str, value: str, expected: bool
) -> None:
    assert matches(pattern, value) is expected


def test_given_an_action_in_another_case_when_evaluated_then_actions_match_case_insensitively() -> None:
    role = [policy({"Effect": "Allow", "Action": "LAMBDA:getfunction", "Resource": "*"})]

    assert allowed(role, Request("lambda:GetFunction", FUNCTION))


def test_given_a_resource_in_another_case_when_evaluated_then_arns_match_case_sensitively() -> None:
    role = [policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::Bucket/*"})]

    assert not allowed(role, Request("s3:GetObject", "arn:aws:s3:::bucket/key"))


def test_given_no_statement_applies_when_evaluated_then_the_request_is_implicitly_denied() -> None:
    role = [policy({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"})]

    assert decision(role, Request("sqs:DeleteQueue", "*")) == "ImplicitDeny"


def test_given_an_allow_and_a_deny_when_both_apply_then_the_deny_wins() -> None:
    role = [
        policy({"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}),
        policy({"Effect": "Deny", "Action": "lambda:DeleteFunction", "Resource": FUNCTION}),
    ]

    assert decision(role, Request("lambda:DeleteFunction", FUNCTION)) == "Deny"
    assert allowed(role, Request("lambda:GetFunction", FUNCTION))


def test_given_not_action_when_evaluated_then_everything_but_the_listed_actions_is_allowed() -> None:
    role = [policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]

    assert allowed(role, Request("lambda:GetFunction", FUNCTION))
    assert not allowed(role, Request("iam:CreateRole", "*"))


def test_given_not_resource_when_evaluated_then_the_listed_resources_are_excluded() -> None:
    role = [policy({"Effect": "Allow", "Action": "lambda:GetFunction", "NotResource": FUNCTION})]

    assert not allowed(role, Request("lambda:GetFunction", FUNCTION))
    assert allowed(role, Request("lambda:GetFunction", FUNCTION + "-other"))


def test_given_a_condition_when_its_key_is_missing_or_differs_then_the_statement_does_not_apply() -> None:
    boundary = "arn:aws:iam::111122223333:policy/bookmarks-staging-boundary"
    role = [
        policy(
            {
                "Effect": "Allow",
                "Action": "iam:CreateRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}},
            }
        )
    ]

    assert allowed(role, Request("iam:CreateRole", "r", (("iam:PermissionsBoundary", boundary),)))
    assert not allowed(role, Request("iam:CreateRole", "r"))
    assert not allowed(role, Request("iam:CreateRole", "r", (("iam:PermissionsBoundary", boundary + "x"),)))


def test_given_a_negated_operator_when_the_key_is_missing_then_it_holds() -> None:
    role = [
        policy(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
            }
        )
    ]

    assert allowed(role, Request("iam:PassRole", "r"))
    assert not allowed(role, Request("iam:PassRole", "r", (("iam:PassedToService", "ec2.amazonaws.com"),)))


def test_given_two_condition_operators_when_one_fails_then_the_statement_does_not_apply() -> None:
    role = [
        policy(
            {
                "Effect": "Allow",
                "Action": "iam:AttachRolePolicy",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"iam:PermissionsBoundary": "b"},
                    "ArnEquals": {
                        "iam:PolicyARN": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"]
                    },
                },
            }
        )
    ]
    context = (("iam:PermissionsBoundary", "b"),)

    assert allowed(
        role, Request("iam:AttachRolePolicy", "r", (*context, ("iam:PolicyARN", "arn:aws:iam::aws:policy/B")))
    )
    assert not allowed(
        role,
        Request("iam:AttachRolePolicy", "r", (*context, ("iam:PolicyARN", "arn:aws:iam::aws:policy/Admin"))),
    )


def test_given_a_boundary_when_the_identity_allows_more_then_only_what_both_allow_is_allowed() -> None:
    role = [policy({"Effect": "Allow", "Action": ["sqs:SendMessage", "iam:CreateUser"], "Resource": "*"})]
    boundary = [policy({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"})]

    assert allowed(role, Request("sqs:SendMessage", "q"), boundary)
    assert not allowed(role, Request("iam:CreateUser", "u"), boundary)
    assert not allowed([], Request("sqs:SendMessage", "q"), boundary)


def test_given_an_operator_it_does_not_model_when_evaluated_then_it_refuses_rather_than_guesses() -> None:
    role = [
        policy(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:max-keys": "10"}},
            }
        )
    ]

    with pytest.raises(UnsupportedPolicy):
        allowed(role, Request("s3:GetObject", "o"))
