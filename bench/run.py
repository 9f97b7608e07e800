"""`make bench`: runs every measurement, prints the table and writes bench/results.md.

Usage: python -m bench.run --python <interpreter for cold starts> [--runs 7] [--sizes 1000,10000,100000]
[--only coldstart,warm,artifacts,data] (a subset while working on one budget; results.md is written only
for a full run)."""

import argparse
import os
import platform
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from bench import artifacts, coldstart, layout, warm
from bookmarks.aws import dynamodb
from bookmarks.items import stored_form
from local.provision import create_table
from local.template import template
from tests import data_access
from tests.budgets import LAYER_BUDGET_BYTES
from tests.data_access import seeded_table

RESULTS = Path(__file__).with_name("results.md")
# Every function's cold start in CPU time, as a multiple of the floor's; the aim is 1.1.
COLD_START_BUDGET = 1.25
SECTIONS = ("coldstart", "warm", "artifacts", "data")
SDK = ("boto3", "botocore")  # the Lambda runtime has them: no artifact may bundle them again


def cold_start_section(python: str, runs: int) -> list[str]:
    workspace = layout.workspace()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        layout.sam_build(workspace / "build", for_host=True)
        layouts = {
            variant: layout.deployed(workspace / "build", workspace / str(number), variant, python)
            for number, variant in enumerate(layout.VARIANTS)
        }
        client = boto3.client("dynamodb", endpoint_url=endpoint)
        for logical_id, table_resource in template()["Resources"].items():
            if table_resource["Type"] == "AWS::DynamoDB::Table":  # named by logical id, as the env says
                create_table(client, logical_id, table_resource["Properties"])
        shipped = layouts[layout.SHIPPED]
        floor_name, *other_baselines = coldstart.BASELINES
        measured = {(layout.SHIPPED, floor_name): coldstart.baselines(endpoint, shipped)[floor_name]}
        for variant, deployed in layouts.items():
            everyone = coldstart.baselines(endpoint, deployed) | coldstart.candidates(endpoint, deployed)
            measured |= {
                (variant, name): everyone[name]
                for name in [*other_baselines, *everyone]
                if name != floor_name
            }
        timings = coldstart.cold_starts(python, measured, runs)
        profiles = {
            name: coldstart.import_profile(python, candidate)
            for (variant, name), candidate in measured.items()
            if variant == layout.SHIPPED
        }
    finally:
        server.stop()
        shutil.rmtree(workspace, ignore_errors=True)
    floor = timings[(layout.SHIPPED, floor_name)]
    floor_cpu, floor_wall = coldstart.median_ms(floor.cpu), coldstart.median_ms(floor.wall)

    def cpu_ratio(variant: str, name: str) -> str:
        samples = timings.get((variant, name))
        return "" if samples is None else f"{coldstart.median_ms(samples.cpu) / floor_cpu:.2f}"

    names = [
        floor_name,
        *(name for variant, name in measured if variant == layout.SHIPPED and name != floor_name),
    ]
    lines = [
        f"## Cold start as Lambda runs it: init + first invocation, median of {runs}",
        "",
        f"Interpreter: {coldstart.describe(python)}, Lambda's environment set. The code is the `sam build` "
        "output (wheels for this machine's CPU), zipped as `sam deploy` zips it and unzipped into an /opt "
        "and a /var/task where Python writes no bytecode. The floor imports only boto3 (precompiled, as the "
        "runtime's is), makes its client and one DynamoDB call. Budget: every function's CPU time ≤ "
        f"{COLD_START_BUDGET}x the floor's (aim 1.1x). CPU time is the headline: this machine is shared "
        "with other engineers' builds and tests, which inflate wall time far more; medians of one run.",
        "",
        "| handler | CPU x floor, "
        + " | CPU x floor, ".join(layout.VARIANTS)
        + " | CPU ms | wall ms | wall x floor | within budget |",
        "|---|" + "---:|" * (len(layout.VARIANTS) + 3) + "---|",
    ]
    for name in names:
        samples = timings[(layout.SHIPPED, name)]
        cpu, wall = coldstart.median_ms(samples.cpu), coldstart.median_ms(samples.wall)
        ratios = " | ".join(cpu_ratio(variant, name) for variant in layout.VARIANTS)
        within = (
            "baseline"
            if name in coldstart.BASELINES
            else ("yes" if cpu / floor_cpu <= COLD_START_BUDGET else "no")
        )
        lines.append(f"| {name} | {ratios} | {cpu:.0f} | {wall:.0f} | {wall / floor_wall:.2f} | {within} |")
    lines += [
        "",
        "Import-time profile of each cold start as shipped (`-X importtime`): modules imported, then the "
        "largest top-level imports in cumulative ms.",
        "",
        "| handler | modules | largest imports (ms) |",
        "|---|---:|---|",
    ]
    for name, (modules, rows) in profiles.items():
        lines.append(
            f"| {name} | {modules} | " + ", ".join(f"{module} {ms:.0f}" for ms, module in rows) + " |"
        )
    return lines


def warm_section() -> list[str]:
    def seed(owner: str, bookmark_id: str) -> None:
        bookmark = data_access._bookmark(0).model_copy(update={"id": bookmark_id})
        dynamodb().put_item(TableName="bench-bookmarks", Item=stored_form(owner, bookmark))

    with seeded_table(data_access.MEASURED_USERS_BOOKMARKS):
        app_ms, minimal_ms = warm.warm_overhead(seed)
    return [
        "## Warm invocation (GET /bookmarks/{id}, in-process moto, 200 calls)",
        "",
        "| handler | ms per invocation | x minimal |",
        "|---|---:|---:|",
        f"| GetBookmarksFunction | {app_ms:.2f} | {app_ms / minimal_ms:.2f} |",
        f"| hand-written minimal handler | {minimal_ms:.2f} | 1.00 |",
    ]


def artifacts_section() -> list[str]:
    workspace = layout.workspace()
    try:
        layout.sam_build(workspace, for_host=False)
        weights = {path.name: artifacts.weigh(path) for path in sorted(workspace.iterdir()) if path.is_dir()}
        zipped = {name: artifacts.zipped_size(workspace / name) for name in weights}
        # A layer's packages sit in python/, a function's at its root.
        bundles_sdk = {
            name: any((workspace / name / where / sdk).exists() for where in ("", "python") for sdk in SDK)
            for name in weights
        }
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    budget = LAYER_BUDGET_BYTES
    lines = [
        "## Artifacts of `sam build` (arm64), in bytes",
        "",
        f"Budget: DependenciesLayer ≤ {budget:,} unzipped, as shipped (sources and bytecode). Sourceless "
        "(bytecode only) is shown for comparison; it is not shipped, so tracebacks keep their source lines.",
        "",
        "| artifact | shipped, unzipped | zipped | sources only | bytecode only | boto3/botocore inside |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, weight in weights.items():
        shipped = f"{weight.shipped:,}"
        if name == "DependenciesLayer":
            shipped += f" (budget {budget:,}: {'met' if weight.shipped <= budget else 'MISSED'})"
        lines.append(
            f"| {name} | {shipped} | {zipped[name]:,} | {weight.sources_only:,} | {weight.bytecode_only:,} | "
            f"{'YES' if bundles_sdk[name] else 'no'} |"
        )
    return lines


def data_access_section(sizes: list[int]) -> list[str]:
    per_size = {size: data_access.items_read_per_request(size) for size in sizes}
    names = list(next(iter(per_size.values())))
    header = " | ".join(f"{size:,} items" for size in sizes)
    lines = [
        "## DynamoDB items read per request as the table grows",
        "",
        f"{data_access.USERS:,} users; the measured user keeps "
        f"{data_access.MEASURED_USERS_BOOKMARKS} bookmarks. Budget: every request reads O(page size),"
        " flat from the smallest table to the largest.",
        "",
        f"| request | {header} | flat |",
        "|---|" + "---:|" * len(sizes) + "---|",
    ]
    for name in names:
        counts = [per_size[size][name] for size in sizes]
        flat = "yes" if len(set(counts)) == 1 else "no"
        lines.append(f"| {name} | {' | '.join(str(count) for count in counts)} | {flat} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    arguments = parser.parse_args()
    only = arguments.only.split(",")
    # Everything runs against moto: dummy credentials, and no metric lines in the printout.
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_TRACE_DISABLED="true",
    )
    measured: dict[str, Callable[[], list[str]]] = {
        "coldstart": lambda: cold_start_section(arguments.python, arguments.runs),
        "warm": warm_section,
        "artifacts": artifacts_section,
        "data": lambda: data_access_section([int(size) for size in arguments.sizes.split(",")]),
    }
    sections = [
        [
            "# Benchmarks",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()} host.",
        ],
        *(measured[name]() for name in SECTIONS if name in only),
    ]
    text = "\n\n".join("\n".join(section) for section in sections) + "\n"
    if set(only) >= set(SECTIONS):
        RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
