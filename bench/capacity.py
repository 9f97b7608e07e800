"""`make capacity`: for load profiles of 1k, 10k and 100k active users, the peak rate on every limited
resource the app's requests pass through, from the same measured counts as `make cost`
(bench/measured.json), against each limit (bench/quotas.toml, or the template's own settings) and the
headroom; the first limit each profile hits. Prints it and rewrites README.md's "How far it scales" block."""

import argparse
import math
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bench import load, units
from bench.cost import (
    README,
    REGION,
    Deployment,
    _indexes,
    _sizes,
    _table_logical_id,
    environments,
    measured,
    read_units_of,
    readme_block,
    stories,
)

QUOTAS = Path(__file__).resolve().parent / "quotas.toml"
# Local timings leave out the network round trips AWS adds: an invocation is counted at least this long,
# and a PutEvents call (the stream function makes one per record) at least this (in-region, typical).
MIN_INVOCATION_MS = 100
MIN_PUT_EVENTS_MS = 25
# A change is sized to leave this much headroom at the profile that needs it.
TARGET_HEADROOM = 2.0


@cache
def quotas(region: str = REGION) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = tomllib.loads(QUOTAS.read_text())["regions"][region]["quotas"]
    return loaded


@dataclass(frozen=True)
class Check:
    resource: str
    peak: float
    limit: float
    unit: str
    source: str

    @property
    def headroom(self) -> float:
        return units.headroom(self.peak, self.limit)


def story_rates(users: int, deployment: Deployment) -> dict[str, float]:
    """Each measured story's peak rate per second for ``users`` active users (sign-ins apart: Cognito)."""
    rates = load.per_day(users, stories(deployment))
    rates.pop("sign_in", None)
    return {name: load.peak_per_second(rate) for name, rate in rates.items()}


def _quota(name: str) -> tuple[float, str, str]:
    row = quotas()[name]
    return float(row["value"]), str(row["unit"]), str(row["page"])


def partition_loads(rates: dict[str, float], deployment: Deployment) -> dict[tuple[str, str, str], float]:
    """Request units per second on each (table or index, key pattern, "read"/"write") at these rates."""
    loads: dict[tuple[str, str, str], float] = defaultdict(float)
    for name, rate in rates.items():
        story = measured()["stories"][name]
        for write in story["writes"]:
            table = _table_logical_id(write["table"], deployment)
            if table is None or write["failed"]:
                continue
            shape = write["after"] or write["before"] or {}
            before, after = _sizes(write["before"]), _sizes(write["after"])
            hash_key = _hash_key(deployment.resources[table]["Properties"]["KeySchema"])
            pattern = shape.get("@partition", {}).get(hash_key, "*")
            units_written = units.write_units(
                sum(before.values()) if before else None,
                sum(after.values()) if after else None,
                transaction=write["transaction"],
            )
            loads[(table, f"{hash_key}={pattern}", "write")] += rate * units_written
            for index in _indexes(deployment, table):
                keys = tuple(k["AttributeName"] for k in index["KeySchema"])
                index_units = units.index_write_units(before, after, keys)
                if index_units:
                    key = _hash_key(index["KeySchema"])
                    patterns = {
                        (s or {}).get("@partition", {}).get(key) for s in (write["before"], write["after"])
                    } - {None}
                    for index_pattern in patterns:
                        loads[(f"{table}/{index['IndexName']}", f"{key}={index_pattern}", "write")] += (
                            rate * index_units / len(patterns)
                        )
        for read in story["reads"]:
            table = _table_logical_id(read["table"], deployment)
            if table is None:
                continue
            schema = deployment.resources[table]["Properties"]["KeySchema"]
            where = table
            if read["index"]:
                index = next(i for i in _indexes(deployment, table) if i["IndexName"] == read["index"])
                schema, where = index["KeySchema"], f"{table}/{read['index']}"
            key = _hash_key(schema)
            read_patterns = [item.get("@partition", {}).get(key, "*") for item in read["items"]] or ["*"]
            units_read = float(read_units_of(read, deployment))
            loads[(where, f"{key}={read_patterns[0]}", "read")] += rate * units_read
    return dict(loads)


def _hash_key(schema: Iterable[dict[str, str]]) -> str:
    return next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")


def checks(users: int, deployment: Deployment) -> list[Check]:
    rates = story_rates(users, deployment)
    table = measured()["stories"]
    out: list[Check] = []
    api = sum(rate * table[name]["api_requests"] for name, rate in rates.items())
    stage = float(deployment.parameter("ThrottlingRateLimit"))
    out.append(
        Check(
            "API stage throttle (steady rate)", api, stage, "requests/s", "template.yaml ThrottlingRateLimit"
        )
    )
    limit, _, page = _quota("api_account_rate")
    out.append(Check("API Gateway account throttle", api, limit, "requests/s", page))

    concurrency: dict[str, float] = defaultdict(float)
    for name, rate in rates.items():
        for function, invocation in table[name]["invocations"].items():
            if function in deployment.functions():
                seconds = max(invocation["min_ms"], MIN_INVOCATION_MS) / 1000
                concurrency[function] += rate * invocation["count"] * seconds
    limit, _, page = _quota("lambda_concurrency")
    out.append(
        Check("Lambda concurrency (all functions)", sum(concurrency.values()), limit, "executions", page)
    )
    if concurrency:
        busiest = max(concurrency, key=lambda f: concurrency[f])
        limit, _, page = _quota("lambda_scaling")
        out.append(
            Check(
                f"Lambda scaling ({busiest}, from cold in 10 s)",
                concurrency[busiest],
                limit,
                "environments",
                page,
            )
        )

    read_limit, _, read_page = _quota("dynamodb_partition_read")
    write_limit, _, write_page = _quota("dynamodb_partition_write")
    for (where, pattern, kind), used in sorted(partition_loads(rates, deployment).items()):
        if pattern.endswith("=*"):
            continue  # spread over a key value per item or per user: no one partition takes it
        limit_used, page_used = (read_limit, read_page) if kind == "read" else (write_limit, write_page)
        label = pattern.split("=", 1)[1]
        partitioned = "one partition per user" if label.endswith("#*") else "one partition"
        per_partition = used / users if label.endswith("#*") else used
        out.append(
            Check(
                f"DynamoDB {where} {pattern} {kind}s ({partitioned})",
                per_partition,
                limit_used,
                f"{kind} units/s",
                page_used,
            )
        )

    mappings = deployment.of_type("AWS::Lambda::EventSourceMapping")
    for mapping in mappings.values():
        factor = float(mapping["Properties"].get("ParallelizationFactor", 1))
        stream_function = next(
            (f for f in deployment.functions() if f in str(mapping["Properties"]["FunctionName"])), None
        )
        if stream_function is None:
            continue
        records = sum(
            rate * table[name]["invocations"].get(stream_function, {}).get("count", 0)
            for name, rate in rates.items()
        )
        per_record = [
            table[name]["invocations"][stream_function]["min_ms"]
            for name in rates
            if stream_function in table[name]["invocations"]
        ]
        if per_record:
            per_shard = 1000 / max(max(per_record), MIN_PUT_EVENTS_MS) * factor
            out.append(
                Check(
                    f"Stream processing, one shard (parallelization {factor:g}, one PutEvents per record)",
                    records,
                    per_shard,
                    "records/s",
                    "template.yaml BookmarkEventsMapping; measured duration per record",
                )
            )

    calls = {
        key: sum(rate * table[n]["calls"].get(key, 0) for n, rate in rates.items())
        for key in _call_keys(rates)
    }
    limit, _, page = _quota("eventbridge_put_events")
    out.append(Check("EventBridge PutEvents", calls.get("events:PutEvents", 0), limit, "requests/s", page))
    limit, _, page = _quota("eventbridge_invocations")
    out.append(
        Check(
            "EventBridge target invocations (at most one per event)",
            calls.get("events:entries", 0),
            limit,
            "invocations/s",
            page,
        )
    )
    if deployment.of_type("AWS::StepFunctions::StateMachine"):
        limit, _, page = _quota("stepfunctions_start_refill")
        out.append(
            Check(
                "Step Functions StartExecution",
                calls.get("stepfunctions:executions", 0),
                limit,
                "executions/s",
                page,
            )
        )
        limit, _, page = _quota("stepfunctions_transitions_refill")
        out.append(
            Check(
                "Step Functions state transitions",
                calls.get("stepfunctions:transitions", 0),
                limit,
                "transitions/s",
                page,
            )
        )
    limit, _, page = _quota("sns_publish")
    out.append(
        Check(
            "SNS Publish",
            calls.get("sns:publish", 0) + calls.get("sns:Publish", 0),
            limit,
            "requests/s",
            page,
        )
    )
    limit, _, page = _quota("cognito_user_authentication")
    auth = load.peak_per_second(
        users * (load.SIGN_INS_PER_USER_PER_DAY + load.TOKEN_REFRESHES_PER_USER_PER_DAY)
    )
    out.append(
        Check("Cognito UserAuthentication (sign-ins and token refreshes)", auth, limit, "requests/s", page)
    )
    limit, _unit, page = _quota("cognito_default_email")
    out.append(
        Check(
            f"Cognito default email (invitations over {load.ONBOARDING_DAYS} days)",
            users / load.ONBOARDING_DAYS,
            limit,
            "emails/day",
            page,
        )
    )
    return out


def _call_keys(rates: dict[str, float]) -> set[str]:
    return {key for name in rates for key in measured()["stories"][name]["calls"]}


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3f}"


def profile_table(users: int, deployment: Deployment) -> list[str]:
    found = sorted(checks(users, deployment), key=lambda c: c.headroom)
    broken = [c for c in found if c.headroom < 1]
    if broken:
        verdict = "first limit hit: " + "; then ".join(
            f"{c.resource} ({_number(c.peak)} against {_number(c.limit)} {c.unit})" for c in broken
        )
    else:
        verdict = f"no limit hit; the nearest is {found[0].resource} (headroom {found[0].headroom:.1f}x)"
    out = [
        f"**{users:,} active users**: {verdict}.",
        "",
        "| resource | peak | limit | headroom | limit's source |",
        "|---|---:|---:|---:|---|",
    ]
    for check in sorted(found, key=lambda c: c.headroom):
        headroom = "∞" if math.isinf(check.headroom) else f"{check.headroom:,.1f}x"
        out.append(
            f"| {check.resource} | {_number(check.peak)} | {_number(check.limit)} {check.unit} | {headroom} "
            f"| {check.source} |"
        )
    return out


def remedy(check: Check) -> str:
    """What would let ``check``'s peak through with TARGET_HEADROOM, in the template's or AWS's terms."""
    needed = check.peak * TARGET_HEADROOM
    if check.resource.startswith("API stage throttle"):
        rate = math.ceil(needed / 100) * 100
        return (
            f"raise prod's `ThrottlingRateLimit` to {rate:,} (and `ThrottlingBurstLimit` to {2 * rate:,}) "
            "in samconfig.toml"
        )
    if check.resource.startswith("Stream processing"):
        factor = math.ceil(needed / check.limit)
        return (
            f"publish up to 10 events per PutEvents call (issue 32's batched fan-out), or set the mapping's "
            f"`ParallelizationFactor` to {min(factor, 10)}"
        )
    if check.resource.startswith("Cognito default email"):
        return (
            "send the pool's email through Amazon SES (its own quota, raised on request): "
            "a production account needs it"
        )
    if check.resource.startswith("Cognito UserAuthentication"):
        return (
            "request a higher UserAuthentication quota (Service Quotas), or lengthen the ID token's validity"
        )
    if check.resource.startswith("DynamoDB") and "one partition" in check.resource:
        return "spread the constant key over N suffixes (write to one, read all) or cache the page"
    return "request a higher quota (Service Quotas)"


def changes() -> list[str]:
    """Each limit some profile breaks, first at which profile, and the change it needs."""
    prod = Deployment(environments()["prod"])
    seen: dict[str, tuple[int, Check]] = {}
    for users in load.PROFILES:
        for check in checks(users, prod):
            if check.headroom < 1 and check.resource not in seen:
                seen[check.resource] = (users, check)
    if not seen:
        return ["Nothing breaks before the largest profile."]
    out = [
        "What breaks, from which profile, and the change that lets it through with "
        f"{TARGET_HEADROOM:g}x headroom at the largest profile:",
        "",
    ]
    at_largest = checks(load.PROFILES[-1], prod)
    for resource, (users, _) in seen.items():
        largest = next(c for c in at_largest if c.resource == resource)
        out.append(f"- **{resource}**, from {users:,} users: {remedy(largest)}.")
    shared = [c for c in at_largest if "(one partition)" in c.resource and c.headroom >= 1]
    if shared:
        out.append(
            f"- **Can wait:** the partitions everyone shares, at {load.PROFILES[-1]:,} users: "
            + ", ".join(
                f"{c.resource.removeprefix('DynamoDB ').removesuffix(' (one partition)')} {c.headroom:,.0f}x"
                for c in shared
            )
            + ". A constant key with a time-ordered sort key cannot be split for heat, so each is one "
            "partition's "
            "throughput for good; when one nears its limit, spread it over suffixes or cache its first page."
        )
    return out


def report() -> list[str]:
    prod = Deployment(environments()["prod"])
    kept = stories(prod)
    stated = ", ".join(
        f"{measured()['stories'][name]['title']} {rate:g}"
        for name, rate in load.PER_USER_PER_DAY.items()
        if name in kept
    )
    out = [
        f"Load per active user and working day (stated in `bench/load.py`): {stated}"
        + (f", {load.SHARE_RATE:.0%} of new bookmarks shared" if "share" in kept else "")
        + f"; {load.SIGN_INS_PER_USER_PER_DAY:g} sign-in and {load.TOKEN_REFRESHES_PER_USER_PER_DAY:g} token "
        f"refreshes. Peak: the busiest hour holds {load.PEAK_HOUR_SHARE:.0%} of a day, its busiest second "
        f"{load.BURST:g}x the hour's mean. Each invocation is counted at least {MIN_INVOCATION_MS} ms and "
        f"each PutEvents {MIN_PUT_EVENTS_MS} ms (local timings lack AWS's round trips); a stream is taken to "
        "have one shard, as a small table's has. Settings: prod's in `samconfig.toml` (stage throttle from "
        "the template's default). Key patterns: "
        "`*` is a value per item (spread); `OWNER#*` one partition per user; a constant (`TEAM`, `CONTEST`, "
        "`PENDING`) is one partition for everyone.",
        "",
    ]
    out += [*changes(), ""]
    for users in load.PROFILES:
        out += [*profile_table(users, prod), ""]
    return out[:-1]


BEGIN, END = (
    "<!-- BEGIN generated: capacity (make capacity; do not edit) -->",
    "<!-- END generated: capacity -->",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md's block is stale")
    arguments = parser.parse_args()
    body = report()
    readme = README.read_text()
    updated = readme_block(readme, BEGIN, END, body)
    if arguments.check:
        raise SystemExit("stale: README.md (make capacity)" if updated != readme else 0)
    print("\n".join(body))
    README.write_text(updated)


if __name__ == "__main__":
    main()
