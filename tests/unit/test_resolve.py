"""The local resolver evaluates a template's intrinsics the way CloudFormation would."""

from typing import Any

import pytest

from local.resolve import Resolver, Unresolvable, references

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "dev"},
        "Tlds": {"Type": "CommaDelimitedList", "Default": "com, org"},
        "Protect": {"Type": "String", "Default": "true"},
    },
    "Conditions": {
        "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
        "Protects": {"Fn::Equals": [{"Ref": "Protect"}, "true"]},
        "DevAndUnprotected": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Not": [{"Condition": "Protects"}]}]},
    },
    "Resources": {},
}


@pytest.fixture
def resolver() -> Resolver:
    resolver = Resolver(TEMPLATE, region="eu-west-1", account_id="111122223333", stack_name="s")
    resolver.refs["Table"] = "s-Table"
    resolver.attributes[("Table", "Arn")] = "arn:aws:dynamodb:eu-west-1:111122223333:table/s-Table"
    return resolver


def test_ref_answers_parameters_pseudo_parameters_and_provisioned_resources(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert resolver.resolve({"Ref": "Table"}) == "s-Table"
    assert resolver.resolve({"Ref": "Tlds"}) == ["com", "org"]


def test_parameter_overrides_win_over_defaults() -> None:
    resolver = Resolver(TEMPLATE, parameter_overrides={"Stage": "prod"})

    assert resolver.resolve({"Ref": "Stage"}) == "prod"
    assert resolver.condition("IsDev") is False


def test_getatt_accepts_both_spellings(resolver: Resolver) -> None:
    arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/s-Table"

    assert resolver.resolve({"Fn::GetAtt": "Table.Arn"}) == arn
    assert resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == arn


def test_sub_replaces_refs_attributes_variables_and_keeps_escaped_literals(resolver: Resolver) -> None:
    text = "${Table}|${Table.Arn}|${AWS::AccountId}|${X}|${!Literal}"

    assert resolver.resolve({"Fn::Sub": [text, {"X": {"Ref": "Stage"}}]}) == (
        "s-Table|arn:aws:dynamodb:eu-west-1:111122223333:table/s-Table|111122223333|dev|${Literal}"
    )


def test_if_follows_the_condition_and_no_value_removes_the_property(resolver: Resolver) -> None:
    value = {
        "A": {"Fn::If": ["IsDev", "yes", "no"]},
        "B": {"Fn::If": ["DevAndUnprotected", "x", {"Ref": "AWS::NoValue"}]},
        "C": [1, {"Fn::If": ["Protects", {"Ref": "AWS::NoValue"}, 2]}],
    }

    assert resolver.resolve(value) == {"A": "yes", "C": [1]}


def test_join_select_and_split_compose(resolver: Resolver) -> None:
    value = {"Fn::Join": ["-", [{"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}, {"Ref": "Stage"}]]}

    assert resolver.resolve(value) == "b-dev"


def test_a_reference_to_something_not_provisioned_fails_loudly(resolver: Resolver) -> None:
    with pytest.raises(Unresolvable):
        resolver.resolve({"Ref": "Queue"})
    with pytest.raises(Unresolvable):
        resolver.resolve({"Fn::Base64": "x"})


def test_references_lists_every_resource_a_value_depends_on() -> None:
    value = {
        "A": {"Ref": "Table"},
        "B": {"Fn::GetAtt": ["Queue", "Arn"]},
        "C": {"Fn::Sub": ["${Topic}/${Bus.Arn}/${V}", {"V": {"Ref": "Machine"}}]},
    }

    assert set(references(value)) == {"Table", "Queue", "Topic", "Bus", "Machine"}
