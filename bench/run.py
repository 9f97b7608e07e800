"""`make bench`: runs every measurement, prints the table and writes bench/results.md.

Usage: python -m bench.run --python <interpreter for cold starts> [--runs 7] [--sizes 1000,10000,100000]
[--only coldstart,warm,artifacts,data] (a subset while working on one budget; results.md is written only
for a full run)."""

import argparse
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from bench import coldstart, data_access, warm
from bench.data_access import seeded_table
from bookmarks import table
from bookmarks.aws import dynamodb
from local.functions import ROOT
from local.provision import create_table
from local.template import template

RESULTS = Path(__file__).with_name("results.md")
COLD_START_BUDGET = 1.3
LAYER_BUDGET_BYTES = 12_000_000
SECTIONS = ("coldstart", "warm", "artifacts", "data")


def cold_start_section(python: str, runs: int) -> list[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        client = boto3.client("dynamodb", endpoint_url=endpoint)
        for logical_id, table_resource in template()["Resources"].items():
            if table_resource["Type"] == "AWS::DynamoDB::Table":  # named by logical id, as the env says
                create_table(client, logical_id, table_resource["Properties"])
        timings = coldstart.cold_starts(python, endpoint, runs)
        profile = coldstart.import_profile(python, "GetBookmarksFunction", endpoint)
    finally:
        server.stop()
    floor = timings["floor: boto3 only"]
    lines = [
        f"## Cold start: fresh interpreter, import + first invocation (median of {runs})",
        "",
        f"Interpreter: {coldstart.describe(python)}; Lambda's environment set; budget: every function ≤ "
        f"{COLD_START_BUDGET}x the floor, in wall time. The process's CPU time is shown too: on a busy "
        "machine it is the steadier of the two.",
        "",
        "| handler | wall ms | x floor | CPU ms | CPU x floor | within budget |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, samples in timings.items():
        wall, cpu = coldstart.median_ms(samples.wall), coldstart.median_ms(samples.cpu)
        ratio, cpu_ratio = wall / coldstart.median_ms(floor.wall), cpu / coldstart.median_ms(floor.cpu)
        verdict = (
            "baseline" if name in coldstart.BASELINES else ("yes" if ratio <= COLD_START_BUDGET else "no")
        )
        lines.append(f"| {name} | {wall:.0f} | {ratio:.2f} | {cpu:.0f} | {cpu_ratio:.2f} | {verdict} |")
    lines += ["", "Largest top-level imports of GetBookmarksFunction's cold start (`-X importtime`, ms):", ""]
    lines += [f"- {module}: {ms:.0f}" for ms, module in profile]
    return lines


def warm_section() -> list[str]:
    def seed(owner: str, bookmark_id: str) -> None:
        bookmark = data_access._bookmark(0).model_copy(update={"id": bookmark_id})
        dynamodb().put_item(TableName="bench-bookmarks", Item=table.stored_form(owner, bookmark))

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
    sam = str(Path(sys.executable).with_name("sam"))
    subprocess.run([sam, "build"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603 - our own venv's sam
    built = ROOT / ".aws-sam" / "build"
    lines = ["## Artifacts after `sam build` (unzipped)", ""]
    lines += ["| artifact | bytes | boto3/botocore inside |", "|---|---:|---|"]
    for artifact in sorted(path for path in built.iterdir() if path.is_dir()):
        files = [path for path in artifact.rglob("*") if path.is_file()]
        size = sum(path.stat().st_size for path in files)
        tops = {part for path in files for part in path.relative_to(artifact).parts[:2]}
        bundled_sdk = "YES" if tops & {"boto3", "botocore"} else "no"
        if artifact.name == "DependenciesLayer":
            verdict = "met" if size <= LAYER_BUDGET_BYTES else "MISSED"
            lines.append(
                f"| {artifact.name} | {size:,} (budget {LAYER_BUDGET_BYTES:,}: {verdict}) | {bundled_sdk} |"
            )
        else:
            lines.append(f"| {artifact.name} | {size:,} | {bundled_sdk} |")
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
