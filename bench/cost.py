"""`make cost`: what the app costs, from the translated template, samconfig.toml's environments, the counts
bench/measured.json holds (`make measure`) and the prices in bench/prices.toml. Prints and writes
bench/cost.md: idle per month per environment, per story per million, and each option's effect; and
rewrites README.md's "What it costs" block. Offline, no AWS, a second or two."""

import argparse
import json
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from bench import load, units
from local.functions import api_routes as api_routes  # re-exported: tests read the template through bench
from local.resolve import Resolver
from local.template import template as template  # re-exported, as above
from local.template import translated as translated

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRICES = BENCH / "prices.toml"
MEASURED = BENCH / "measured.json"
COST_MD = BENCH / "cost.md"
README = ROOT / "README.md"
SAMCONFIG = ROOT / "samconfig.toml"
REGION = "us-east-1"
MILLION = 1_000_000
SECONDS_PER_MONTH = 30 * 24 * 3600
# CloudWatch Logs bills stored logs compressed; JSON lines like these compress to about a sixth (an
# assumption, stated in the README: check the log group's storedBytes on a deployed stack).
LOG_COMPRESSION = 0.15
# X-Ray's default rule past its reservoir of one request a second (README: the reservoir's own share).
SAMPLING_RATE = 0.05
# What Lambda itself writes per invocation with LoggingConfig JSON: a platform.start and a platform.report
# line, as AWS documents their fields (sizes of representative lines, measured with len()).
PLATFORM_LINES = (
    '{"time":"2026-12-08T01:00:00.000Z","type":"platform.start","record":{"requestId":'
    '"6f7f0961-7e29-4a5a-8c2e-0c1b4c7f7a2d","version":"12"}}',
    '{"time":"2026-12-08T01:00:00.031Z","type":"platform.report","record":{"requestId":'
    '"6f7f0961-7e29-4a5a-8c2e-0c1b4c7f7a2d","metrics":{"durationMs":21.94,"billedDurationMs":22,'
    '"memorySizeMB":512,"maxMemoryUsedMB":98},"tracing":{"spanId":"3a0d1b2c4e5f6a7b","type":'
    '"X-Amzn-Trace-Id","value":"Root=1-6b175916-7c2156d03e41b524b4ffe805;Parent=3a0d1b2c4e5f6a7b;'
    'Sampled=1"},"status":"success"}}',
)
# API Gateway's access log line with the template's format, for a typical request (rendered below).
ACCESS_LOG_SAMPLE = {
    "requestId": "c3a4b6e1-8f20-4d1b-9a77-2b1e0c9d4f55",
    "identity.sourceIp": "203.0.113.10",
    "requestTime": "08/Dec/2026:01:00:00 +0000",
    "httpMethod": "GET",
    "resourcePath": "/bookmarks/{id}",
    "status": "200",
    "responseLatency": "38",
    "integration.error": "-",
    "authorizer.error": "-",
    "xrayTraceId": "Root=1-6b175916-7c2156d03e41b524b4ffe805",
}


@dataclass(frozen=True)
class Price:
    name: str
    usd: Decimal
    per: int
    unit: str
    free_tier: Decimal
    page: str

    def of(self, quantity: Decimal | float | int) -> Decimal:
        return Decimal(str(quantity)) * self.usd / self.per


@cache
def price_file() -> dict[str, Any]:
    return tomllib.loads(PRICES.read_text())


def prices(region: str = REGION) -> dict[str, Price]:
    regional = price_file()["regions"][region]
    return {
        name: Price(
            name,
            Decimal(str(row["usd"])),
            row["per"],
            row["unit"],
            Decimal(str(row["free_tier"])),
            row["page"],
        )
        for name, row in regional["prices"].items()
    }


@cache
def measured() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(MEASURED.read_text())
    return loaded


def environments() -> dict[str, dict[str, str]]:
    """samconfig.toml's environments and each one's parameter overrides."""
    config = tomllib.loads(SAMCONFIG.read_text())
    found = {}
    for name, table in config.items():
        if not isinstance(table, dict):
            continue
        overrides = table.get("deploy", {}).get("parameters", {}).get("parameter_overrides")
        if isinstance(overrides, str):
            found["dev" if name == "default" else name] = dict(
                pair.split("=", 1) for pair in overrides.split()
            )
    return found


@dataclass
class Deployment:
    """The translated template as one environment (parameter overrides) deploys it."""

    parameters: dict[str, str]
    resolver: Resolver = field(init=False)
    resources: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        translation = translated(REGION)
        self.resolver = Resolver(
            translation, region=REGION, stack_name="bookmarks", parameter_overrides=self.parameters
        )
        self.resources = {
            logical_id: resource
            for logical_id, resource in translation["Resources"].items()
            if "Condition" not in resource or self.resolver.condition(resource["Condition"])
        }

    def parameter(self, name: str) -> str:
        return str(self.resolver.parameter(name))

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.resources.items() if r["Type"] == resource_type}

    def functions(self) -> dict[str, dict[str, Any]]:
        return self.of_type("AWS::Lambda::Function")

    def memory_gb(self, function: str) -> Decimal:
        return (
            Decimal(self.resolver.resolve(self.resources[function]["Properties"].get("MemorySize", 128)))
            / 1024
        )

    def user_pool_tier(self) -> str:
        """The user pool's feature plan: UserPoolTier, whose default for a new pool is Essentials."""
        pools = self.of_type("AWS::Cognito::UserPool").values()
        tiers = [str(self.resolver.resolve(p["Properties"].get("UserPoolTier", "ESSENTIALS"))) for p in pools]
        return tiers[0] if tiers else "ESSENTIALS"

    def snapstart(self) -> bool:
        settings = [
            self.resolver.resolve(f["Properties"].get("SnapStart", {})) for f in self.functions().values()
        ]
        return any(isinstance(s, dict) and s.get("ApplyOn") == "PublishedVersions" for s in settings)


# --- per story ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One metered item of a story: its quantity per story and its price per million stories."""

    item: str
    quantity: Decimal
    unit: str
    usd_per_million: Decimal


def _table_logical_id(physical: str, deployment: Deployment) -> str | None:
    """The template table a measured physical name (``<stack>-<LogicalId>``) is."""
    for logical_id in deployment.of_type("AWS::DynamoDB::Table"):
        if physical.endswith(f"-{logical_id}"):
            return logical_id
    return None


def _indexes(deployment: Deployment, table: str) -> list[dict[str, Any]]:
    return list(deployment.resources[table]["Properties"].get("GlobalSecondaryIndexes", []))


def _index_projection(index: dict[str, Any], table_keys: list[str]) -> set[str] | None:
    """The attributes a global secondary index holds (None: all of them)."""
    projection = index.get("Projection", {})
    kind = projection.get("ProjectionType", "ALL")
    if kind == "ALL":
        return None
    keys = {k["AttributeName"] for k in index["KeySchema"]} | set(table_keys)
    return keys | set(projection.get("NonKeyAttributes", [])) if kind == "INCLUDE" else keys


def _sizes(shape: dict[str, Any] | None) -> dict[str, int] | None:
    return None if shape is None else {k: v for k, v in shape.items() if not k.startswith("@")}


def write_units_of(write: dict[str, Any], deployment: Deployment) -> tuple[int, int]:
    """(table units, index units) one measured write takes."""
    table = _table_logical_id(write["table"], deployment)
    before, after = _sizes(write["before"]), _sizes(write["after"])
    base = units.write_units(
        sum(before.values()) if before else None,
        sum(after.values()) if after else None,
        transaction=write["transaction"],
    )
    if table is None or write["failed"]:
        return base, 0
    table_keys = [k["AttributeName"] for k in deployment.resources[table]["Properties"]["KeySchema"]]
    index_units = 0
    for index in _indexes(deployment, table):
        keys = tuple(k["AttributeName"] for k in index["KeySchema"])
        projection = _index_projection(index, table_keys)
        projected = None if projection is None else dict.fromkeys(projection, 0)
        index_units += units.index_write_units(before, after, keys, projected)
    return base, index_units


# A list answers a page of 20 and reads one more to know whether another page follows.
PAGE_READ = 21


def read_units_of(read: dict[str, Any], deployment: Deployment) -> Decimal:
    """Read units of one measured GetItem or Query, the index's projection applied to what it returned.
    A Query of a partition everyone shares (a constant key: the team list, the review queue) is counted
    as a full page of items of the measured size: the local stack's lists are short, a team's are not."""
    items = [_sizes(item) or {} for item in read["items"]]
    shared_partition = [
        p
        for item in read["items"]
        for p in item.get("@partition", {}).values()
        if re.fullmatch(r"[A-Z][A-Z_]*", p)
    ]
    if read["operation"] == "query" and read["index"] and shared_partition and items:
        items = [items[i % len(items)] for i in range(PAGE_READ)]
        read = {**read, "scanned": PAGE_READ}
    table = _table_logical_id(read["table"], deployment)
    if read["index"] and table is not None:
        table_keys = [k["AttributeName"] for k in deployment.resources[table]["Properties"]["KeySchema"]]
        index = next(i for i in _indexes(deployment, table) if i["IndexName"] == read["index"])
        projection = _index_projection(index, table_keys)
        items = [{k: v for k, v in item.items() if projection is None or k in projection} for item in items]
    sizes = [sum(item.values()) for item in items]
    # A filter drops items after they are read: those are billed at the size of the ones kept.
    unseen = max(0, read["scanned"] - len(sizes))
    sizes += [int(sum(sizes) / len(sizes)) if sizes else 0] * unseen
    return units.read_units(sizes, consistent=read["consistent"], one_item=read["operation"] == "get_item")


def log_bytes(story: dict[str, Any], api_requests: int) -> int:
    """Bytes CloudWatch Logs ingests for one story: what the functions wrote, Lambda's platform lines per
    invocation, and one access log line per API request."""
    invocations = sum(i["count"] for i in story["invocations"].values())
    functions = sum(i["log_bytes"] for i in story["invocations"].values())
    platform = sum(len(line.encode()) + 1 for line in PLATFORM_LINES)
    return int(functions + invocations * platform + api_requests * access_log_line_bytes())


@cache
def access_log_line_bytes() -> int:
    """The size of one access log line in the template's format, for a typical request."""
    fmt = template()["Resources"]["BookmarksApi"]["Properties"]["AccessLogSetting"]["Format"]
    line = re.sub(r"\$context\.([\w.]+)", lambda m: ACCESS_LOG_SAMPLE.get(m[1], "-"), fmt)
    return len(line.encode()) + 1


@dataclass
class Options:
    """What the README's options change, against the template as each environment deploys it."""

    waf: bool | None = None  # None: as the environment's EnableWaf says
    sampling: float = SAMPLING_RATE
    function_log_lines: bool = True  # False: a log level that keeps only metrics (WARNING and up, no errors)
    retention_days: int | None = None


def story_lines(name: str, deployment: Deployment, options: Options | None = None) -> list[Line]:
    """What one story of measured.json costs per million, line by line."""
    options = options or Options()
    story = measured()["stories"][name]
    price = prices()
    functions = deployment.functions()
    present = {f: i for f, i in story["invocations"].items() if f in functions}
    api = story["api_requests"]
    lines: list[Line] = []

    def add(
        item: str, quantity: Decimal | int | float, unit: str, priced: str, per_unit: Decimal = Decimal(1)
    ) -> None:
        """``per_unit``: how many of the price's units one of ``unit`` is (bytes of a GB price)."""
        amount = Decimal(str(quantity))
        lines.append(Line(item, amount, unit, price[priced].of(amount * per_unit * MILLION)))

    if not api and not story["invocations"]:
        # Cognito bills a user once a month, however often they sign in: the month table prices it.
        lines.append(
            Line(
                "Cognito sign-in (billed per monthly active user, not per request)",
                Decimal(1),
                "sign-ins",
                Decimal(0),
            )
        )
    if api:
        add("API Gateway REST requests", api, "requests", "api_rest_requests")
    waf = options.waf if options.waf is not None else deployment.parameter("EnableWaf") == "true"
    if waf and api:
        add("WAF requests inspected", api, "requests", "waf_requests")
    invocations = sum(Decimal(str(i["count"])) for i in present.values())
    if invocations:
        add("Lambda requests", invocations, "invocations", "lambda_requests")
        gb_seconds = sum(
            Decimal(str(i["count"])) * Decimal(math.ceil(i["min_ms"])) / 1000 * deployment.memory_gb(f)
            for f, i in present.items()
        )
        add(
            "Lambda duration (arm64, local timing: an estimate)",
            gb_seconds,
            "GB-seconds",
            "lambda_arm_gb_seconds",
        )
    table_units = index_units = 0
    for write in story["writes"]:
        if _table_logical_id(write["table"], deployment) is not None:
            base, index = write_units_of(write, deployment)
            table_units, index_units = table_units + base, index_units + index
    if table_units:
        add("DynamoDB writes (tables)", table_units, "write request units", "dynamodb_write_request_units")
    if index_units:
        add(
            "DynamoDB writes (global secondary indexes)",
            index_units,
            "write request units",
            "dynamodb_write_request_units",
        )
    reads = sum(
        (read_units_of(r, deployment) for r in story["reads"] if _table_logical_id(r["table"], deployment)),
        Decimal(0),
    )
    if reads:
        add("DynamoDB reads", reads, "read request units", "dynamodb_read_request_units")
    calls = story["calls"]
    if calls.get("events:entries"):
        add("EventBridge custom events", calls["events:entries"], "events", "eventbridge_custom_events")
    if calls.get("stepfunctions:transitions") and deployment.of_type("AWS::StepFunctions::StateMachine"):
        add(
            "Step Functions transitions (Standard)",
            calls["stepfunctions:transitions"],
            "transitions",
            "stepfunctions_standard_transitions",
        )
    sns = calls.get("sns:Publish", 0) + calls.get("sns:publish", 0)
    if sns:
        add("SNS publishes", sns, "requests", "sns_publish_requests")
        # Each publish to a topic encrypted with a KMS key asks KMS for a data key: an upper bound, as SNS
        # may reuse one (KMS pricing: requests to AWS managed keys are billed).
        add("KMS requests (encrypted topics, upper bound)", sns, "requests", "kms_requests")
    if calls.get("sqs:SendMessage"):
        add("SQS requests", calls["sqs:SendMessage"], "requests", "sqs_requests")
    ingested = Decimal(log_bytes({"invocations": present}, api))
    if not options.function_log_lines:
        ingested -= sum(Decimal(str(i["log_bytes"])) for i in present.values()) - Decimal(
            str(story.get("emf_bytes", 0))
        )
    if ingested:
        gb = Decimal(1) / 1024**3
        add("CloudWatch Logs ingested", ingested, "bytes", "logs_ingested_gb", gb)
        retention = options.retention_days or int(deployment.parameter("LogRetentionDays"))
        stored = ingested * Decimal(str(LOG_COMPRESSION)) * Decimal(retention) / 30
        add(
            f"CloudWatch Logs stored ({retention} days, steady state)",
            stored,
            "byte-months",
            "logs_stored_gb_month",
            gb,
        )
    traces = api + sum(
        Decimal(str(i["count"])) for f, i in present.items() if _stream_triggered(f, deployment)
    )
    if traces and options.sampling:
        add(
            f"X-Ray traces recorded ({options.sampling:.0%} sampled)",
            traces * Decimal(str(options.sampling)),
            "traces",
            "xray_traces_recorded",
        )
    return lines


def _stream_triggered(function: str, deployment: Deployment) -> bool:
    """Whether a stream mapping invokes ``function``: each of its batches starts a trace of its own (a
    DynamoDB stream record carries no trace header)."""
    for mapping in deployment.of_type("AWS::Lambda::EventSourceMapping").values():
        if function in json.dumps(mapping["Properties"].get("FunctionName")):
            return True
    return False


def total(lines: Iterable[Line]) -> Decimal:
    return sum((line.usd_per_million for line in lines), Decimal(0))


def stories(deployment: Deployment) -> list[str]:
    """The measured stories whose routes the template still has (a removed feature's story goes with it)."""
    routes = {f"{r.method} {r.path}" for r in api_routes()}
    kept = []
    found = measured()["stories"]
    for name in sorted(found, key=lambda n: (load.ORDER.index(n) if n in load.ORDER else len(load.ORDER), n)):
        story = found[name]
        if all(route in routes for route in story["routes"]) and all(
            f in deployment.functions() for f in story["invocations"]
        ):
            kept.append(name)
    return kept


# --- idle -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    item: str
    quantity: Decimal
    unit: str
    usd: Decimal
    free_tier_usd: Decimal  # what the always-free tier takes off, for an account running nothing else


def idle_lines(deployment: Deployment) -> list[Standing]:
    """Every standing charge of one environment: what it costs a month with no traffic at all."""
    price = prices()
    lines = []

    def add(item: str, quantity: Decimal | int, unit: str, priced: str) -> None:
        amount = Decimal(quantity)
        row = price[priced]
        free = min(amount, row.free_tier)
        lines.append(Standing(item, amount, unit, row.of(amount), row.of(free)))

    alarms = deployment.of_type("AWS::CloudWatch::Alarm").values()
    standard = sum(_alarm_metrics(a) for a in alarms if not _high_resolution(a))
    high = sum(_alarm_metrics(a) for a in alarms if _high_resolution(a))
    if standard:
        add(
            "CloudWatch alarms (standard resolution, per metric)",
            standard,
            "alarm metrics",
            "cloudwatch_standard_alarms",
        )
    if high:
        add(
            "CloudWatch alarms (high resolution, per metric)",
            high,
            "alarm metrics",
            "cloudwatch_high_resolution_alarms",
        )
    composite = deployment.of_type("AWS::CloudWatch::CompositeAlarm")
    if composite:
        add("CloudWatch composite alarms", len(composite), "alarms", "cloudwatch_composite_alarms")
    dashboards = deployment.of_type("AWS::CloudWatch::Dashboard")
    if dashboards:
        add("CloudWatch dashboard", len(dashboards), "dashboards", "cloudwatch_dashboards")
    keys = deployment.of_type("AWS::KMS::Key")
    if keys:
        add("KMS customer managed keys", len(keys), "keys", "kms_customer_managed_keys")
    acls = deployment.of_type("AWS::WAFv2::WebACL")
    if acls:
        add("WAF web ACL", len(acls), "web ACLs", "waf_web_acls")
        rules = sum(len(a["Properties"].get("Rules", [])) for a in acls.values())
        add("WAF rules (managed rule groups count one each)", rules, "rules", "waf_rules")
    if deployment.snapstart():
        cached = sum(deployment.memory_gb(f) for f in deployment.functions()) * SECONDS_PER_MONTH
        add(
            "SnapStart cache (the live version of each function)",
            cached,
            "GB-seconds",
            "lambda_snapstart_cache_gb_seconds",
        )
    return lines


def _alarm_metrics(alarm: dict[str, Any]) -> int:
    """Metrics an alarm is billed for: one, or each metric its metric math reads."""
    queries = alarm["Properties"].get("Metrics")
    return sum(1 for q in queries if "MetricStat" in q) if queries else 1


def _high_resolution(alarm: dict[str, Any]) -> bool:
    properties = alarm["Properties"]
    periods = [properties.get("Period", 60)] + [
        q["MetricStat"].get("Period", 60) for q in properties.get("Metrics", []) if "MetricStat" in q
    ]
    return any(isinstance(p, int) and p < 60 for p in periods)


def metric_shapes(deployment: Deployment) -> set[str]:
    """Every custom metric the measured stories the template still has made (names x dimension values)."""
    shapes = set(measured().get("setup_emf", []))
    for name in stories(deployment):
        shapes |= set(measured()["stories"][name]["emf"])
    return shapes


def detailed_api_metrics(deployment: Deployment) -> int:
    apis = deployment.of_type("AWS::ApiGateway::Stage")
    detailed = any(
        any(setting.get("MetricsEnabled") for setting in s["Properties"].get("MethodSettings", []))
        for s in apis.values()
    )
    if not detailed:
        return 0
    routes = api_routes()
    methods = len(routes) + len({r.path for r in routes})  # each resource's OPTIONS (CORS) too
    # Count, 4XXError, 5XXError, Latency, IntegrationLatency per method and resource (the cache's two
    # more only with a cache, which is off).
    return 5 * methods


def used_lines(deployment: Deployment) -> list[Standing]:
    """Charges that start with the first request of a month and do not grow with traffic: each custom
    metric that receives a datapoint is billed for the month."""
    price = prices()["cloudwatch_custom_metrics"]
    app = units.custom_metrics(metric_shapes(deployment))
    api = detailed_api_metrics(deployment)
    lines = [
        Standing(
            "custom metrics of the app (EMF)", Decimal(app), "metrics", price.of(app), price.of(min(app, 10))
        )
    ]
    if api:
        lines.append(
            Standing(
                "API Gateway detailed metrics (MetricsEnabled)",
                Decimal(api),
                "metrics",
                price.of(api),
                Decimal(0),
            )
        )
    return lines


# --- rendering ------------------------------------------------------------------------------------------


def usd(amount: Decimal) -> str:
    if amount == 0:
        return "$0"
    if amount < Decimal("0.01"):
        return f"${amount:.4f}"
    return f"${amount:,.2f}"


def quantity(amount: Decimal) -> str:
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    if amount < Decimal("0.001"):
        return f"{amount:.2e}"
    return f"{amount:.3f}".rstrip("0")


def idle_table() -> list[str]:
    envs = environments()
    deployments = {name: Deployment(parameters) for name, parameters in envs.items()}
    rows: dict[str, dict[str, Standing]] = {}
    for name, deployment in deployments.items():
        for line in idle_lines(deployment) + used_lines(deployment):
            rows.setdefault(line.item, {})[name] = line
    out = [
        "| per month | " + " | ".join(deployments) + " |",
        "|---|" + "---:|" * len(deployments),
    ]
    idle_items = {line.item for d in deployments.values() for line in idle_lines(d)}
    for group, title in (
        (True, "idle: no request at all"),
        (False, "once it serves any request (per month, flat)"),
    ):
        out.append(f"| *{title}* |" + " |" * len(deployments))
        for item, per_env in rows.items():
            if (item in idle_items) == group:
                cells = [
                    f"{usd(per_env[e].usd)} ({quantity(per_env[e].quantity)})" if e in per_env else "—"
                    for e in deployments
                ]
                out.append(f"| {item} | " + " | ".join(cells) + " |")
    for title, pick in (("total, list price", "usd"), ("total, less the always-free tier", "net")):
        cells = []
        for deployment in deployments.values():
            lines = idle_lines(deployment) + used_lines(deployment)
            amount = sum(
                (line.usd - (line.free_tier_usd if pick == "net" else 0) for line in lines), Decimal(0)
            )
            cells.append(f"**{usd(amount)}**")
        out.append(f"| {title} | " + " | ".join(cells) + " |")
    out.append("| *grows with what is kept (per GB, not in the totals)* |" + " |" * len(deployments))
    for item, cells_by_env in stored_rows(deployments).items():
        out.append(f"| {item} | " + " | ".join(cells_by_env[e] for e in deployments) + " |")
    return out


def stored_rows(deployments: dict[str, Deployment]) -> dict[str, dict[str, str]]:
    """What a GB kept costs a month in each environment: tables (storage, point-in-time recovery) and logs
    (each GB ingested a month, stored compressed for the environment's retention)."""
    price = prices()
    rows: dict[str, dict[str, str]] = {}
    for name, deployment in deployments.items():
        tables = deployment.of_type("AWS::DynamoDB::Table").values()
        pitr = [
            t
            for t in tables
            if deployment.resolver.resolve(t["Properties"])
            .get("PointInTimeRecoverySpecification", {})
            .get("PointInTimeRecoveryEnabled")
        ]
        per_gb = price["dynamodb_storage_gb_month"].usd + (price["dynamodb_pitr_gb_month"].usd if pitr else 0)
        rows.setdefault("DynamoDB: a GB stored, with point-in-time recovery (25 GB free)", {})[name] = usd(
            per_gb
        )
        retention = int(deployment.parameter("LogRetentionDays"))
        stored = Decimal(str(LOG_COMPRESSION)) * min(Decimal(retention) / 30, Decimal(retention))
        rows.setdefault("CloudWatch Logs: each GB ingested a month, kept for the retention", {})[name] = (
            f"{usd(price['logs_stored_gb_month'].of(stored))} ({retention} days)"
        )
    return rows


def story_table(deployment: Deployment, options: Options | None = None) -> list[str]:
    names = stories(deployment)
    per = {name: {line.item: line for line in story_lines(name, deployment, options)} for name in names}
    items: list[str] = []
    for lines in per.values():
        items += [item for item in lines if item not in items]
    titles = [measured()["stories"][n]["title"] for n in names]
    out = ["| per million | " + " | ".join(titles) + " |", "|---|" + "---:|" * len(names)]
    for item in items:
        out.append(
            f"| {item} | "
            + " | ".join(usd(per[n][item].usd_per_million) if item in per[n] else "—" for n in names)
            + " |"
        )
    out.append("| **total** | " + " | ".join(f"**{usd(total(per[n].values()))}**" for n in names) + " |")
    return out


def counts_table(deployment: Deployment) -> list[str]:
    """The measured counts behind the story table, per story (what one story does)."""
    names = stories(deployment)
    per = {name: {line.item: line for line in story_lines(name, deployment)} for name in names}
    items: list[str] = []
    for lines in per.values():
        items += [item for item in lines if item not in items]
    titles = [measured()["stories"][n]["title"] for n in names]
    out = ["| per story | " + " | ".join(titles) + " |", "|---|" + "---:|" * len(names)]
    for item in items:
        unit = next(per[n][item].unit for n in names if item in per[n])
        out.append(
            f"| {item} ({unit}) | "
            + " | ".join(quantity(per[n][item].quantity) if item in per[n] else "—" for n in names)
            + " |"
        )
    return out


def dominant(deployment: Deployment, users: int, count: int = 3) -> list[tuple[str, Decimal]]:
    """The lines that weigh most in a month of ``users`` (bench/load.py's mix of stories)."""
    weights: dict[str, Decimal] = {}
    for name, rate in load.per_day(users, stories(deployment)).items():
        for line in story_lines(name, deployment):
            monthly_usd = line.usd_per_million * Decimal(str(rate)) * load.WORKING_DAYS_PER_MONTH / MILLION
            weights[line.item] = weights.get(line.item, Decimal(0)) + monthly_usd
    return sorted(weights.items(), key=lambda kv: kv[1], reverse=True)[:count]


def monthly(users: int, deployment: Deployment) -> dict[str, Decimal]:
    """A month of ``users`` active users (bench/load.py's profile) at list prices, by part."""
    per_day = load.per_day(users, stories(deployment))
    requests = sum(
        (
            Decimal(str(rate)) * load.WORKING_DAYS_PER_MONTH * total(story_lines(name, deployment)) / MILLION
            for name, rate in per_day.items()
        ),
        Decimal(0),
    )
    tier = deployment.user_pool_tier()
    mau = prices()[f"cognito_{tier.lower()}_mau"]
    standing = sum((line.usd for line in idle_lines(deployment) + used_lines(deployment)), Decimal(0))
    return {
        "the stories' requests": requests,
        f"Cognito monthly active users ({tier.title()})": mau.of(max(Decimal(0), users - mau.free_tier)),
        "standing charges": standing,
    }


def monthly_table(deployment: Deployment) -> list[str]:
    months = {users: monthly(users, deployment) for users in load.PROFILES}
    out = [
        "| per month | " + " | ".join(f"{u:,} users" for u in months) + " |",
        "|---|" + "---:|" * len(months),
    ]
    for part in next(iter(months.values())):
        out.append(f"| {part} | " + " | ".join(usd(m[part]) for m in months.values()) + " |")
    out.append(
        "| **total** | "
        + " | ".join(f"**{usd(sum(m.values(), Decimal(0)))}**" for m in months.values())
        + " |"
    )
    return out


def option_rows(deployment: Deployment) -> list[str]:
    """Each option's effect, computed by the same model: on the story where it matters, or on the month."""
    names = stories(deployment)
    rows = ["| option | effect |", "|---|---|"]

    def story_delta(options: Options) -> str:
        parts = []
        for name in names:
            before, after = (
                total(story_lines(name, deployment)),
                total(story_lines(name, deployment, options)),
            )
            if before != after:
                parts.append(f"{measured()['stories'][name]['title']} {usd(before)} → {usd(after)}")
        return "; ".join(parts) + " per million" if parts else "none measured"

    rows.append(
        "| log level WARNING (no INFO lines; metrics stay) "
        f"| {story_delta(Options(function_log_lines=False))} |"
    )
    rows.append(
        f"| log retention 365 days instead of {deployment.parameter('LogRetentionDays')} "
        f"| {story_delta(Options(retention_days=365))} |"
    )
    rows.append(f"| X-Ray sampling 100% instead of 5% | {story_delta(Options(sampling=1.0))} |")
    rows.append(f"| X-Ray off (no active tracing) | {story_delta(Options(sampling=0.0))} |")
    rows.append(
        f"| WAF on (`EnableWaf=true`) | {usd(_waf_month())} a month standing, and "
        f"{story_delta(Options(waf=True))} |"
    )
    detailed = detailed_api_metrics(deployment)
    if detailed:
        metric = prices()["cloudwatch_custom_metrics"]
        rows.append(
            "| API Gateway detailed metrics off (`MetricsEnabled: false`) "
            f"| {usd(metric.of(detailed))} a month less per environment; the stage's own metrics (count, "
            "errors, latency of the whole API) stay free |"
        )
    alarm = prices()["cloudwatch_standard_alarms"]
    alarms = sum(_alarm_metrics(a) for a in deployment.of_type("AWS::CloudWatch::Alarm").values())
    managed = Deployment({**deployment.parameters, "EncryptionKey": "customer-managed"})
    keys_now = sum((line.usd for line in idle_lines(deployment) if line.item.startswith("KMS")), Decimal(0))
    keys_then = sum((line.usd for line in idle_lines(managed) if line.item.startswith("KMS")), Decimal(0))
    rows.append(
        "| one customer managed key (`EncryptionKey=customer-managed`) "
        f"| {usd(keys_now)} → {usd(keys_then)} a month in keys (each yearly rotation adds a dollar, up to "
        "two), and the tables', queues' and logs' "
        "KMS requests become billable requests to it |"
    )
    rows.append(
        f"| each alarm metric more or less | {usd(alarm.of(1))} a month standard resolution, "
        f"{usd(prices()['cloudwatch_high_resolution_alarms'].of(1))} high resolution, "
        f"{usd(prices()['cloudwatch_composite_alarms'].of(1))} a composite alarm "
        f"({alarms} alarm metrics now: {usd(alarm.of(alarms))}) |"
    )
    snap = Deployment({**deployment.parameters, "EnableSnapStart": "true"})
    cache_line = [line for line in idle_lines(snap) if line.item.startswith("SnapStart")]
    restore = prices()["lambda_snapstart_restore_gb"].of(Decimal("0.5") * MILLION)
    if cache_line:
        rows.append(
            f"| SnapStart on (`EnableSnapStart=true`) | {usd(cache_line[0].usd)} a month for the live "
            "versions' cache (older versions kept active add as much each), plus "
            f"{usd(restore)} per million restores at 512 MB |"
        )
    machines = deployment.of_type("AWS::StepFunctions::StateMachine")
    if machines and "share" in names:
        rows.append(f"| Express instead of Standard workflows | {_express_note(deployment)} |")
    return rows


def _waf_month() -> Decimal:
    waf = Deployment({"EnableWaf": "true"})
    return sum((line.usd for line in idle_lines(waf) if line.item.startswith("WAF")), Decimal(0))


def _express_note(deployment: Deployment) -> str:
    story = measured()["stories"]["share"]
    transitions = Decimal(str(story["calls"].get("stepfunctions:transitions", 0)))
    standard = prices()["stepfunctions_standard_transitions"].of(transitions * MILLION)
    # An Express execution's request, and 64 MB for a second of work (the wait is what it cannot do).
    express = prices()["stepfunctions_express_requests"].of(MILLION) + prices()[
        "stepfunctions_express_gb_seconds"
    ].of(Decimal("0.0625") * MILLION)
    return (
        f"{usd(standard)} → about {usd(express)} per million shares, but not possible: the review waits on a "
        "task token (`.waitForTaskToken`), which Express workflows do not support, for up to "
        "`ReviewTimeoutSeconds` (7 days), past Express's 5-minute limit"
    )


def report() -> list[str]:
    dev = Deployment(environments()["dev"])
    measured_at = measured()["measured_at"]
    prod = Deployment(environments()["prod"])
    top = dominant(prod, 10_000)
    out = [
        f"Prices: {REGION}, read {price_file()['regions'][REGION]['read']} from the AWS pricing pages named "
        "in "
        f"`bench/prices.toml`; counts: `bench/measured.json` (`make measure`, {measured_at}). Durations are "
        f"timed on the local stack (the fastest of {measured()['runs']} runs), so Lambda duration is an "
        "estimate; everything else is counted. How: API "
        "requests and invocations as the stack serves them; DynamoDB request units from the size of every "
        "item read and written, before and after, as DynamoDB rounds them "
        f"({units.WRITE_UNIT_BYTES // units.KB} KB a write unit, {units.READ_UNIT_BYTES // units.KB} KB a "
        "read unit, half for eventually consistent "
        "reads, twice in a transaction, each index by its projection; a list of a partition everyone shares "
        f"as a full page of {PAGE_READ} items); log bytes as the functions wrote them at the template's log "
        "level, with Lambda's JSON platform lines and the access log line; custom metrics as the distinct "
        "metric name and dimension sets of the EMF lines; traces as API requests and stream batches at "
        f"X-Ray's default {SAMPLING_RATE:.0%} past its reservoir of one a second; logs stored compressed to "
        f"{LOG_COMPRESSION:.0%} (an assumption: check a log group's storedBytes).",
        "",
        "**Idle, per month, per environment of `samconfig.toml`** (quantity in brackets; the always-free "
        "tier "
        "is per account, so it counts only once across environments):",
        "",
        *idle_table(),
        "",
        "**Per million of each story**, dev's settings (with the asynchronous work a story sets off: the "
        "stream, the bus and what its rules start):",
        "",
        *story_table(dev),
        "",
        "What one story does, as measured:",
        "",
        *counts_table(dev),
        "",
        "**A month for a team** of 1k, 10k and 100k active users, prod's settings, at list prices (no free "
        "tier), with `bench/load.py`'s stated use per user and working day ("
        + ", ".join(
            f"{measured()['stories'][n]['title']} {r:g}"
            for n, r in load.PER_USER_PER_DAY.items()
            if n in measured()["stories"]
        )
        + f", {load.SHARE_RATE:.0%} of new bookmarks shared; {load.WORKING_DAYS_PER_MONTH} working days). "
        "Cognito bills each user who signs in during a month once, however often; data stored adds "
        f"{usd(prices()['dynamodb_storage_gb_month'].usd + prices()['dynamodb_pitr_gb_month'].usd)} "
        "per GB-month "
        "(storage and point-in-time recovery; the first 25 GB stored are free):",
        "",
        *monthly_table(prod),
        "",
        "**The lines that dominate** the requests' part, a month of 10,000 users: "
        + ", ".join(f"{item} ({usd(amount)})" for item, amount in top)
        + ". **Options, each computed by the same model:**",
        "",
        *option_rows(dev),
    ]
    return out


def document() -> str:
    """bench/cost.md: the report as a page of its own."""
    return "# What it costs (generated by `make cost`)\n\n" + "\n".join(report()) + "\n"


BEGIN, END = "<!-- BEGIN generated: cost (make cost; do not edit) -->", "<!-- END generated: cost -->"


def readme_block(text: str, begin: str, end: str, body: list[str]) -> str:
    """``text`` with the lines between ``begin`` and ``end`` replaced by ``body``."""
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + "\n".join(body) + "\n" + text[stop:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md or bench/cost.md is stale")
    arguments = parser.parse_args()
    body = report()
    written = document()
    readme = README.read_text()
    updated = readme_block(readme, BEGIN, END, body)
    if arguments.check:
        stale = [p.name for p, new in ((README, updated), (COST_MD, written)) if p.read_text() != new]
        raise SystemExit(f"stale: {', '.join(stale)} (make cost)" if stale else 0)
    print(written)
    COST_MD.write_text(written)
    README.write_text(updated)


if __name__ == "__main__":
    main()
