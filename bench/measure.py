"""`make measure`: runs each user story on the local stack and records what AWS would meter for it (API
requests, Lambda invocations and durations, log bytes, metric lines, DynamoDB items read and written,
events, workflow transitions, notifications) in bench/measured.json, which `make cost` and `make capacity`
read. Slow (the stack, a few runs of every story); `make cost` never runs it."""

import argparse
import json
import re
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.units import item_size
from tests.e2e.http import Api, eventually
from tests.local_stack import Target, local_target

MEASURED = Path(__file__).with_name("measured.json")
RUNS = 5
# The list story reads a full page: a user with more bookmarks than one page holds.
LIST_SEED = 25
QUIET_SECONDS = 1.5  # no metered call for this long: the story's asynchronous work has finished


@dataclass
class Meter:
    """Everything metered since the last ``take()``, from every thread of the process."""

    calls: Counter[str] = field(default_factory=Counter)
    lambda_ms: dict[str, list[float]] = field(default_factory=dict)
    log_lines: dict[str, list[int]] = field(default_factory=dict)
    emf: list[str] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def take(self) -> dict[str, Any]:
        with self.lock:
            taken = {
                "calls": dict(self.calls),
                "lambda_ms": {k: list(v) for k, v in self.lambda_ms.items()},
                "log_lines": {k: list(v) for k, v in self.log_lines.items()},
                "emf": list(self.emf),
                "writes": list(self.writes),
                "reads": list(self.reads),
            }
            self.calls.clear()
            self.lambda_ms.clear()
            self.log_lines.clear()
            self.emf.clear()
            self.writes.clear()
            self.reads.clear()
        return taken


METER = Meter()
_current = threading.local()  # the function this thread is running an invocation of
_PATCHED: list[tuple[Any, str, Any]] = []  # what the meters replaced, to put back


def _patch(owner: Any, name: str, replacement: Any) -> None:
    _PATCHED.append((owner, name, owner.__dict__.get(name, getattr(owner, name))))
    setattr(owner, name, replacement)


def uninstall() -> None:
    """Put back everything the meters replaced, last first."""
    while _PATCHED:
        owner, name, original = _PATCHED.pop()
        setattr(owner, name, original)


def _attributes(item: Any) -> dict[str, Any] | None:
    """A moto Item's attributes in DynamoDB JSON, or None."""
    return None if item is None else item.to_json()["Attributes"]


def _install_dynamodb_meter() -> None:
    """Wrap moto's DynamoDB backend: whoever calls it (a handler, the workflow's integrations), each write
    is recorded with the item before and after, each read with the items it returned."""
    from moto.dynamodb.models import DynamoDBBackend

    in_transaction, reading = threading.local(), threading.local()

    def old_item(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        table = backend.get_table(table_name)
        hash_value, range_value = backend.get_keys_value(table, key)
        return _attributes(table.get_item(hash_value, range_value))

    def key_of(backend: DynamoDBBackend, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
        table = backend.get_table(table_name)
        names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
        return {name: item[name] for name in names if name in item}

    def metered_write(name: str, key_from: Callable[..., dict[str, Any]]) -> None:
        original = getattr(DynamoDBBackend, name)

        def write(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
            before = old_item(self, table_name, key_from(self, table_name, *args, **kwargs))
            record = {
                "table": table_name,
                "operation": name,
                "before": before,
                "transaction": bool(getattr(in_transaction, "on", False)),
                "failed": False,
            }
            try:
                result = original(self, table_name, *args, **kwargs)
            except Exception:
                record["failed"] = True
                _record_write(record | {"after": before})
                raise
            after = old_item(self, table_name, key_from(self, table_name, *args, **kwargs))
            _record_write(record | {"after": after})
            return result

        _patch(DynamoDBBackend, name, write)

    metered_write("put_item", lambda b, t, *a, **k: key_of(b, t, a[0] if a else k["item_attrs"]))
    metered_write("update_item", lambda b, t, *a, **k: a[0] if a else k["key"])
    metered_write("delete_item", lambda b, t, *a, **k: a[0] if a else k["key"])

    original_transaction = DynamoDBBackend.transact_write_items

    def transaction(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        in_transaction.on = True
        try:
            original_transaction(self, transact_items)
        finally:
            in_transaction.on = False

    _patch(DynamoDBBackend, "transact_write_items", transaction)

    # moto reads items itself while it writes (return values, conditions): only the items a GetItem,
    # BatchGetItem or TransactGetItems request reads are billed reads.
    from moto.dynamodb.responses import DynamoHandler

    for action in ("get_item", "batch_get_item", "transact_get_items"):
        _flag_while(DynamoHandler, action, reading)

    original_get = DynamoDBBackend.get_item

    def get_item(
        self: DynamoDBBackend, table_name: str, keys: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        item = original_get(self, table_name, keys, *args, **kwargs)
        if not getattr(reading, "on", False):
            return item
        _record_read(
            {"table": table_name, "operation": "get_item", "index": None, "items": [_attributes(item)]}
        )
        return item

    _patch(DynamoDBBackend, "get_item", get_item)

    original_query = DynamoDBBackend.query

    def query(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
        results, scanned, last_key = original_query(self, table_name, *args, **kwargs)
        _record_read(
            {
                "table": table_name,
                "operation": "query",
                "index": kwargs.get("index_name"),
                "consistent": bool(kwargs.get("consistent_read")),
                "items": [_attributes(item) for item in results],
                "scanned": scanned,
            }
        )
        return results, scanned, last_key

    _patch(DynamoDBBackend, "query", query)


def _flag_while(cls: type, name: str, flag: threading.local) -> None:
    """Set ``flag.on`` while ``cls.name`` runs."""
    original = getattr(cls, name)

    def flagged(self: Any, *args: Any, **kwargs: Any) -> Any:
        flag.on = True
        try:
            return original(self, *args, **kwargs)
        finally:
            flag.on = False

    _patch(cls, name, flagged)


def _record_write(record: dict[str, Any]) -> None:
    with METER.lock:
        METER.writes.append(record)
        METER.calls[f"dynamodb:{record['operation']}"] += 1
        METER.touch()


def _record_read(record: dict[str, Any]) -> None:
    with METER.lock:
        METER.reads.append(record)
        METER.calls[f"dynamodb:{record['operation']}"] += 1
        METER.touch()


def _install_call_meter() -> None:
    """Count the metered API calls the app's code makes through botocore (PutEvents entries, SNS, SQS,
    Step Functions), whatever thread makes them; the local stack's own pollers call through the same
    clients, so only the operations the app makes are counted."""
    from botocore.client import BaseClient

    metered = {
        ("events", "PutEvents"),
        ("sns", "Publish"),
        ("sqs", "SendMessage"),
        ("stepfunctions", "SendTaskSuccess"),
        ("stepfunctions", "StartExecution"),
        ("cognito-idp", "InitiateAuth"),
    }
    original = BaseClient._make_api_call  # type: ignore[attr-defined]  # botocore's private dispatch, untyped

    def call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = self.meta.service_model.endpoint_prefix
        service = "stepfunctions" if service == "states" else service
        if (service, operation_name) in metered and getattr(_current, "function", None) is not None:
            with METER.lock:
                METER.calls[f"{service}:{operation_name}"] += 1
                if operation_name == "PutEvents":
                    METER.calls["events:entries"] += len(api_params.get("Entries", []))
                METER.touch()
        return original(self, operation_name, api_params)

    _patch(BaseClient, "_make_api_call", call)


def _install_invocation_meter() -> None:
    """Time every handler call and collect the JSON lines it writes (logs and EMF), as Lambda's log agent
    sends them to CloudWatch Logs."""
    from local.metrics import CloudWatch
    from local.runtime import Runtime

    original_invoke = Runtime._invoke

    def invoke(self: Runtime, function: Any, logical_id: str, event: Any) -> Any:
        _current.function = logical_id
        started = time.perf_counter()
        try:
            return original_invoke(self, function, logical_id, event)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            _current.function = None
            with METER.lock:
                METER.lambda_ms.setdefault(logical_id, []).append(elapsed)
                METER.calls[f"lambda:{logical_id}"] += 1
                METER.touch()

    _patch(Runtime, "_invoke", invoke)

    original_put = CloudWatch.put_emf

    def put_emf(self: CloudWatch, line: str) -> Any:
        function = getattr(_current, "function", None)
        if function is not None:
            with METER.lock:
                METER.log_lines.setdefault(function, []).append(len(line.encode()) + 1)
                if '"_aws"' in line:
                    METER.emf.append(line)
        return original_put(self, line)

    _patch(CloudWatch, "put_emf", put_emf)


def _quiet() -> None:
    """Wait until nothing has been metered for QUIET_SECONDS (bounded: a stuck trigger fails the run)."""
    settled = eventually(lambda: time.monotonic() - METER.last_activity > QUIET_SECONDS, timeout=120)
    if not settled:
        raise RuntimeError("the local stack kept working for two minutes after a story")


@dataclass
class Story:
    """A user story: its name in measured.json, its title in tables, the API routes it calls (each once;
    `make cost` leaves out a story whose routes the template no longer has) and how to run it."""

    name: str
    title: str
    routes: tuple[str, ...]
    run: Callable[["Run"], None]


@dataclass
class Run:
    """One story's actors on the stack: a signed-in owner with bookmarks, and the target to sign in with;
    ``find`` reads an item of a template table without a metered call (a Scan, which the app never makes)."""

    target: Target
    owner: Api
    email: str
    bookmarks: list[str]
    find: Callable[[str, str, str], dict[str, Any] | None]
    # feature: workflow
    moderator: Api | None = None
    # end feature: workflow

    def status(self, bookmark_id: str) -> str | None:
        found = self.find("BookmarksTable", "id", bookmark_id)
        return found.get("contest_status", {}).get("S") if found else None


def _new_bookmark(owner: Api, **fields: Any) -> dict[str, Any]:
    answer = owner.request(
        "POST",
        "/bookmarks",
        {"url": f"https://docs.example.com/{uuid.uuid4().hex[:12]}", "name": "A useful page", **fields},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    if answer.status != 201:
        raise RuntimeError(f"create answered {answer.status}: {answer.body}")
    created: dict[str, Any] = answer.body
    return created


def _expect(answer: Any, status: int) -> None:
    if answer.status != status:
        raise RuntimeError(f"expected {status}, got {answer.status}: {answer.body}")


def _sign_in(run: Run) -> None:
    run.target.id_token(run.email)


def _list(run: Run) -> None:
    _expect(run.owner.request("GET", "/bookmarks"), 200)


def _get(run: Run) -> None:
    _expect(run.owner.request("GET", f"/bookmarks/{run.bookmarks[0]}"), 200)


def _create(run: Run) -> None:
    run.bookmarks.append(
        _new_bookmark(run.owner, description="Why it helps: a short note, as most bookmarks have.")["id"]
    )


def _update(run: Run) -> None:
    _expect(run.owner.request("PUT", f"/bookmarks/{run.bookmarks[-1]}", {"name": "A renamed page"}), 200)


def _delete(run: Run) -> None:
    _expect(run.owner.request("DELETE", f"/bookmarks/{run.bookmarks.pop()}"), 204)


STORIES = [
    Story("sign_in", "sign-in", (), _sign_in),
    Story("list", "list (a page of 20)", ("GET /bookmarks",), _list),
    Story("get", "get", ("GET /bookmarks/{id}",), _get),
    Story("create", "create", ("POST /bookmarks",), _create),
    Story("update", "update", ("PUT /bookmarks/{id}",), _update),
    Story("delete", "delete", ("DELETE /bookmarks/{id}",), _delete),
]

# feature: workflow


def _share_through_review(run: Run) -> None:
    """Share a new bookmark, a moderator lists the queue and approves it, the owner reads the team list."""
    assert run.moderator is not None
    shared = _new_bookmark(run.owner, shared=True)

    def waiting() -> bool:
        review = run.find("ReviewsTable", "bookmark_id", shared["id"])
        return review is not None and "task_token" in review

    if not eventually(waiting, timeout=60):
        raise RuntimeError("the shared bookmark never waited for review")
    _quiet()
    _expect(run.moderator.request("GET", "/reviews"), 200)
    _expect(run.moderator.request("POST", f"/reviews/{shared['id']}", {"decision": "approve"}), 200)
    if not eventually(lambda: run.status(shared["id"]) == "approved", timeout=60):
        raise RuntimeError("the approved bookmark was never published")
    _expect(run.owner.request("GET", "/team/bookmarks"), 200)


def _team_list(run: Run) -> None:
    _expect(run.owner.request("GET", "/team/bookmarks"), 200)


STORIES += [
    Story(
        "share",
        "share, reviewed, on the team list",
        ("POST /bookmarks", "GET /reviews", "POST /reviews/{id}", "GET /team/bookmarks"),
        _share_through_review,
    ),
    Story("team_list", "team list", ("GET /team/bookmarks",), _team_list),
]
# end feature: workflow


def _executions(stack: Any) -> dict[str, str]:
    """Every execution of the template's state machines so far: ARN -> status."""
    client = stack_client(stack, "stepfunctions")
    found: dict[str, str] = {}
    for machine in _physical_of_type(stack, "AWS::StepFunctions::StateMachine"):
        for page in client.get_paginator("list_executions").paginate(stateMachineArn=machine):
            found |= {e["executionArn"]: e["status"] for e in page["executions"]}
    return found


def _workflow_counts(stack: Any, executions: list[str]) -> Counter[str]:
    """State transitions and the service integrations' requests of ``executions``, from their histories."""
    client = stack_client(stack, "stepfunctions")
    counts = Counter[str]()
    for arn in executions:
        counts["stepfunctions:executions"] += 1
        for page in client.get_paginator("get_execution_history").paginate(executionArn=arn):
            for event in page["events"]:
                if event["type"].endswith("StateEntered"):
                    counts["stepfunctions:transitions"] += 1
                if event["type"] == "TaskScheduled":
                    details = event["taskScheduledEventDetails"]
                    counts[f"{details['resourceType']}:{details['resource'].split('.')[0]}"] += 1
    return counts


def _story_counts(story: Story, run: Run, stack: Any) -> dict[str, Any]:
    _quiet()
    METER.take()
    before = set(_executions(stack))
    story.run(run)
    _quiet()
    after = _executions(stack)
    if any(status == "RUNNING" for arn, status in after.items() if arn not in before):
        raise RuntimeError(f"story {story.name} left an execution running")
    taken = METER.take()
    taken["calls"] |= _workflow_counts(stack, sorted(set(after) - before))
    return taken


@contextmanager
def _stack() -> Iterator[Any]:
    from local.stack import start

    _install_dynamodb_meter()
    _install_call_meter()
    _install_invocation_meter()
    try:
        stack = start(aws_port=0, api_port=0, web_port=None, log=lambda line: None)
        try:
            yield stack
        finally:
            stack.stop()
    finally:
        uninstall()


def stack_client(stack: Any, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=stack.aws_url, region_name=stack.region)  # type: ignore[call-overload]


def _physical_of_type(stack: Any, resource_type: str) -> list[str]:
    from local.template import translated

    resources = translated(stack.region)["Resources"]
    return [
        str(stack.provisioned.physical[logical_id])
        for logical_id, resource in resources.items()
        if resource["Type"] == resource_type and logical_id in stack.provisioned.physical
    ]


def _finder(stack: Any) -> Callable[[str, str, str], dict[str, Any] | None]:
    client = stack_client(stack, "dynamodb")

    def find(table: str, attribute: str, value: str) -> dict[str, Any] | None:
        found = client.scan(
            TableName=stack.provisioned.physical[table],
            FilterExpression="#a = :v",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": {"S": value}},
        )["Items"]
        return dict(found[0]) if found else None

    return find


def measure(runs: int = RUNS) -> dict[str, Any]:
    """Run every story ``runs`` times on a fresh local stack; the raw meter readings of each run."""
    readings: dict[str, list[dict[str, Any]]] = {story.name: [] for story in STORIES}
    with _stack() as stack:
        target = local_target(stack.description())
        email = target.new_user()
        owner = target.api(target.id_token(email))
        run = Run(
            target, owner, email, [_new_bookmark(owner)["id"] for _ in range(LIST_SEED)], _finder(stack)
        )
        # feature: workflow
        run.moderator = target.signed_in(groups=("moderators",))
        # end feature: workflow
        _quiet()
        setup = METER.take()
        for _ in range(runs):
            for story in STORIES:
                readings[story.name].append(_story_counts(story, run, stack))
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d"),
        "runs": runs,
        "setup_emf": sorted({_emf_shape(line) for line in setup["emf"]}),
        "stories": {
            story.name: {"title": story.title, "routes": list(story.routes), "runs": readings[story.name]}
            for story in STORIES
        },
    }


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """Per story, the median run's counts and each function's median duration: what measured.json keeps."""
    stories = {}
    for name, story in raw["stories"].items():
        runs = story["runs"]
        invocations: dict[str, dict[str, float]] = {}
        for function in {f for r in runs for f in r["lambda_ms"]}:
            counts = [len(r["lambda_ms"].get(function, [])) for r in runs]
            durations = [ms for r in runs for ms in r["lambda_ms"].get(function, [])]
            log_bytes = [sum(r["log_lines"].get(function, [])) for r in runs]
            log_lines = [len(r["log_lines"].get(function, [])) for r in runs]
            invocations[function] = {
                "count": statistics.median(counts),
                "median_ms": round(statistics.median(durations), 1),
                # The model's duration: the fastest run, the one the machine's other work disturbed least.
                "min_ms": round(min(durations), 1),
                "log_bytes": statistics.median(log_bytes),
                "log_lines": statistics.median(log_lines),
            }
        median_run = sorted(runs, key=lambda r: len(r["writes"]) + len(r["reads"]))[len(runs) // 2]
        stories[name] = {
            "title": story["title"],
            "routes": story["routes"],
            "api_requests": len(story["routes"]),
            "invocations": invocations,
            "calls": {
                key: statistics.median(r["calls"].get(key, 0) for r in runs)
                for key in sorted({k for r in runs for k in r["calls"]})
                if not key.startswith(("lambda:", "dynamodb:"))
            },
            "emf": sorted({_emf_shape(line) for line in median_run["emf"]}),
            "emf_lines": len(median_run["emf"]),
            "emf_bytes": sum(len(line.encode()) + 1 for line in median_run["emf"]),
            "writes": [_write_sizes(w) for w in median_run["writes"]],
            "reads": [_read_sizes(r) for r in median_run["reads"]],
        }
    return {
        "measured_at": raw["measured_at"],
        "runs": raw["runs"],
        "setup_emf": raw["setup_emf"],
        "stories": stories,
    }


def _emf_shape(line: str) -> str:
    """An EMF line's metrics as ``Name[dim=value,...]``: the metrics it makes exist, no values."""
    document = json.loads(line)
    shapes = []
    for directive in document["_aws"]["CloudWatchMetrics"]:
        for dimensions in directive["Dimensions"]:
            labels = ",".join(f"{d}={document.get(d)}" for d in dimensions)
            shapes += [f"{directive['Namespace']}/{m['Name']}[{labels}]" for m in directive["Metrics"]]
    return ";".join(sorted(shapes))


def _write_sizes(write: dict[str, Any]) -> dict[str, Any]:
    """A write as the model needs it: sizes before and after, and the attributes the indexes key on."""
    return {
        "table": write["table"],
        "operation": write["operation"],
        "transaction": write["transaction"],
        "failed": write["failed"],
        "before": _shape(write["before"]),
        "after": _shape(write["after"]),
    }


def _read_sizes(read: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": read["table"],
        "operation": read["operation"],
        "index": read["index"],
        "consistent": read.get("consistent", False),
        "scanned": read.get("scanned", len(read["items"])),
        "items": [_shape(item) for item in read["items"] if item is not None],
    }


def _shape(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """An item reduced to what request units depend on: each attribute's size in bytes, by name, and under
    "@partition" the pattern of each partition key it has (of the table or an index): no user data."""
    if item is None:
        return None
    shape: dict[str, Any] = {name: item_size({name: value}) for name, value in sorted(item.items())}
    shape["@partition"] = {
        name: _pattern(str(next(iter(item[name].values()))))
        for name in sorted(_partition_keys())
        if name in item
    }
    return shape


def _partition_keys() -> set[str]:
    """Every attribute a table or global secondary index of the template is partitioned by."""
    from local.template import template

    names = set()
    for resource in template()["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            properties = resource["Properties"]
            schemas = [
                properties["KeySchema"],
                *(i["KeySchema"] for i in properties.get("GlobalSecondaryIndexes", [])),
            ]
            names |= {k["AttributeName"] for schema in schemas for k in schema if k["KeyType"] == "HASH"}
    return names


def _pattern(value: str) -> str:
    """A key value as a pattern: a constant (``TEAM``) stays; ``OWNER#<id>`` keeps its prefix; anything
    else is one of many values."""
    if re.fullmatch(r"[A-Z][A-Z_]*", value):
        return value
    if "#" in value:
        return value.split("#", 1)[0] + "#*"
    return "*"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    arguments = parser.parse_args()
    summary = summarise(measure(arguments.runs))
    MEASURED.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(f"wrote {MEASURED}")


if __name__ == "__main__":
    main()
