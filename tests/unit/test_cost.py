"""The cost and capacity model (bench/units.py, bench/cost.py, bench/capacity.py): its arithmetic against
hand-worked examples, the prices file against what the template deploys and calls, and the README's
generated blocks against the model's output. No test asserts a price."""

import json
import math
import re
import tomllib
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bench import capacity, cost, measure, units
from bench.measure import _emf_shape, _pattern

PRICE_FILE = tomllib.loads(cost.PRICES.read_text())


def test_an_item_is_the_bytes_of_its_names_and_values() -> None:
    item: dict[str, dict[str, Any]] = {
        "pk": {"S": "OWNER#abc"},
        "n": {"N": "123"},
        "ok": {"BOOL": True},
        "tags": {"L": [{"S": "ab"}]},
    }

    # pk: 2 + 9; n: 1 + (2 digits pairs + 1) = 4; ok: 2 + 1; tags: 4 + 3 + (1 + 2)
    assert units.item_size(item) == 11 + 4 + 3 + 10


def test_a_write_is_billed_per_started_kilobyte_of_the_larger_image() -> None:
    assert units.write_units(None, 1024) == 1
    assert units.write_units(1025, 200) == 2
    assert units.write_units(None, None) == 1  # a failed conditional write still costs one
    assert units.write_units(1500, None, transaction=True) == 4


def test_a_query_rounds_its_total_and_an_eventual_read_costs_half() -> None:
    assert units.read_units([4096]) == Decimal("0.5")
    assert units.read_units([4097], consistent=True) == 2
    assert units.read_units([350] * 21) == 1  # 7,350 bytes: two 4 KB units, halved
    assert units.read_units([]) == Decimal("0.5")  # an empty answer costs the minimum


def test_an_index_write_follows_the_item_in_and_out_of_the_index() -> None:
    keys = ("team_partition", "team_sort")
    inside = {"team_partition": 4, "team_sort": 30, "name": 200}

    assert units.index_write_units(None, {"name": 10}, keys) == 0  # sparse: never in the index
    assert units.index_write_units({"name": 10}, inside, keys) == 1  # published: enters
    assert units.index_write_units(inside, {"name": 200}, keys) == 1  # unshared: leaves
    assert units.index_write_units(inside, {**inside, "team_sort": 31}, keys) == 2  # key moves: delete + put
    assert units.index_write_units(inside, dict(inside), keys) == 0  # nothing it holds changed
    assert units.index_write_units(inside, {**inside, "name": 180}, keys, {"team_partition": 0}) == 0


def test_custom_metrics_are_distinct_names_with_their_dimension_values() -> None:
    shapes = ["ns/A[service=x];ns/B[service=x]", "ns/A[service=x]", "ns/C[outcome=ok,service=x]"]

    assert units.custom_metrics(shapes) == 3


def test_an_emf_line_gives_each_metric_with_its_dimension_values() -> None:
    line = json.dumps(
        {
            "_aws": {
                "CloudWatchMetrics": [
                    {
                        "Namespace": "app",
                        "Dimensions": [["outcome", "service"]],
                        "Metrics": [{"Name": "Decided"}],
                    }
                ]
            },
            "outcome": "approved",
            "service": "app",
            "Decided": [1.0],
        }
    )

    assert _emf_shape(line) == "app/Decided[outcome=approved,service=app]"


def test_a_key_value_becomes_a_pattern_without_its_data() -> None:
    assert _pattern("TEAM") == "TEAM"
    assert _pattern("OWNER#1f2e3d") == "OWNER#*"
    assert _pattern("01M99K8AHJZ9VQY4MBTHSRQJJ9") == "*"


def test_default_sampling_keeps_the_reservoir_and_a_twentieth_of_the_rest() -> None:
    assert units.sampled_traces(10, 100) == pytest.approx((1 + 9 * 0.05) * 100)
    assert units.sampled_traces(0.5, 100) == pytest.approx(50)


def test_headroom_is_how_many_times_the_peak_fits_the_limit() -> None:
    assert units.headroom(50, 100) == 2
    assert units.headroom(226, 50) < 1
    assert math.isinf(units.headroom(0, 10))


def test_log_bytes_are_the_functions_lines_lambdas_own_and_the_access_line() -> None:
    story = {"invocations": {"F": {"count": 2, "log_bytes": 100}}}
    platform = sum(len(line) + 1 for line in cost.PLATFORM_LINES)

    assert cost.log_bytes(story, api_requests=1) == 100 + 2 * platform + cost.access_log_line_bytes()


def test_the_access_log_line_is_the_templates_format_filled_in() -> None:
    fields = json.loads(re.sub(r"\s+", "", _access_line()))

    assert "$context" not in _access_line()
    assert fields["method"] == "GET"
    assert len(fields) == 10


def _access_line() -> str:
    fmt = cost.template()["Resources"]["BookmarksApi"]["Properties"]["AccessLogSetting"]["Format"]
    return re.sub(r"\$context\.([\w.]+)", lambda m: cost.ACCESS_LOG_SAMPLE.get(m[1], "-"), fmt)


def _every_region() -> dict[str, Any]:
    regions: dict[str, Any] = PRICE_FILE["regions"]
    return regions


def _priced(table: str, name: str) -> bool:
    rows = PRICE_FILE["priced"][table].get(name)
    return rows is not None and all(row in r["prices"] for r in _every_region().values() for row in rows)


def test_every_resource_type_the_template_deploys_has_a_price_or_a_reason_it_is_free() -> None:
    types = {
        r["Type"] for r in cost.translated(cost.REGION)["Resources"].values()
    }  # every condition's resources

    unpriced = {
        t for t in types if not _priced("resource_types", t) and t not in PRICE_FILE["free"]["resource_types"]
    }

    assert unpriced == set()


def _actions(value: Any, under_action: bool = False) -> set[str]:
    """Every IAM action named under an Action key, however deep (statements, Fn::If)."""
    if isinstance(value, str):
        return {value} if under_action and re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", value) else set()
    if isinstance(value, list):
        return set().union(*(_actions(v, under_action) for v in value)) if value else set()
    if isinstance(value, dict):
        return (
            set().union(*(_actions(v, under_action or k == "Action") for k, v in value.items()))
            if value
            else set()
        )
    return set()


def _called() -> set[str]:
    """What the app's roles may call, and what its state machines' tasks call (as IAM actions)."""
    resources = cost.translated(cost.REGION)["Resources"].values()
    called = _actions(
        [r["Properties"].get("Policies", []) for r in resources if r["Type"] == "AWS::IAM::Role"]
    )
    machines = [
        r for r in cost.template()["Resources"].values() if r["Type"] == "AWS::Serverless::StateMachine"
    ]
    for machine in machines:
        definition = (cost.ROOT / machine["Properties"]["DefinitionUri"]).read_text()
        for resource in re.findall(r'"Resource": "arn:aws:states:::([^"]+)"', definition):
            service, action = resource.removeprefix("aws-sdk:").split(".")[0].split(":")
            called.add(f"{service}:{action[0].upper()}{action[1:]}")
    return called


def _covered(action: str, table: dict[str, Any]) -> bool:
    service = action.split(":")[0]
    return action in table or f"{service}:*" in table


def test_every_call_the_app_may_make_has_a_price_or_a_reason_it_is_free() -> None:
    priced, free = PRICE_FILE["priced"]["calls"], PRICE_FILE["free"]["calls"]

    unpriced = {a for a in _called() if not _covered(a, priced) and not _covered(a, free)}

    assert "dynamodb:PutItem" in _called()
    assert unpriced == set()


def test_every_managed_policy_the_roles_get_has_a_price_or_a_reason() -> None:
    resources = cost.translated(cost.REGION)["Resources"].values()
    arns = json.dumps(
        [r["Properties"].get("ManagedPolicyArns", []) for r in resources if r["Type"] == "AWS::IAM::Role"]
    )
    names = set(re.findall(r"policy/(?:service-role/)?([A-Za-z]+)", arns))

    unpriced = {
        n
        for n in names
        if not _priced("managed_policies", n) and n not in PRICE_FILE["free"]["managed_policies"]
    }

    assert unpriced == set()


def test_every_price_names_its_unit_its_page_and_when_it_was_read() -> None:
    for region in _every_region().values():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", region["read"])
        for row in region["prices"].values():
            assert row["unit"]
            assert row["per"] >= 1
            assert row["page"].startswith("https://aws.amazon.com/")


def test_every_quota_names_its_page() -> None:
    for row in capacity.quotas().values():
        assert row["value"] > 0
        assert row["unit"]
        assert row["page"].startswith("https://docs.aws.amazon.com/")


def test_the_readme_cost_block_and_cost_md_are_make_costs_output() -> None:
    readme = cost.README.read_text()

    assert cost.readme_block(readme, cost.BEGIN, cost.END, cost.report()) == readme, "stale: run make cost"
    assert cost.COST_MD.read_text() == cost.document(), "bench/cost.md is stale: run make cost"


def test_the_readme_scale_block_is_make_capacitys_output() -> None:
    readme = cost.README.read_text()

    assert cost.readme_block(readme, capacity.BEGIN, capacity.END, capacity.report()) == readme, (
        "stale: run make capacity"
    )


def test_a_story_whose_routes_the_template_lacks_is_left_out() -> None:
    dev = cost.Deployment(cost.environments()["dev"])
    kept = cost.stories(dev)
    routes = {f"{r.method} {r.path}" for r in cost.api_routes()}

    assert kept
    assert all(set(cost.measured()["stories"][name]["routes"]) <= routes for name in kept)


def test_the_meter_records_each_write_before_and_after_and_only_the_reads_a_caller_asked_for() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="metered",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        measure._install_dynamodb_meter()
        try:
            measure.METER.take()
            client.put_item(TableName="metered", Item={"pk": {"S": "A"}, "v": {"S": "x" * 10}})
            client.update_item(
                TableName="metered",
                Key={"pk": {"S": "A"}},
                UpdateExpression="SET v = :v",
                ExpressionAttributeValues={":v": {"S": "y" * 20}},
                ReturnValues="ALL_OLD",
            )
            client.get_item(TableName="metered", Key={"pk": {"S": "A"}})
            taken = measure.METER.take()
        finally:
            measure.uninstall()

    writes = taken["writes"]
    assert [w["operation"] for w in writes] == ["put_item", "update_item"]
    assert writes[0]["before"] is None
    assert units.item_size(writes[0]["after"]) == 2 + 1 + 1 + 10
    assert units.item_size(writes[1]["before"]) == 14
    assert units.item_size(writes[1]["after"]) == 24
    # The update's own look at the old item (its return values) is part of the write, not a read.
    assert [r["operation"] for r in taken["reads"]] == ["get_item"]
