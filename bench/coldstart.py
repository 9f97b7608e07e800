"""Cold start of every function of template.yaml against two baselines, in fresh interpreters that see
the environment Lambda sets and the code as Lambda lays it out (bench/layout.py). The AWS calls of the
first invocation are answered by a local moto server."""

import json
import os
import resource
import statistics
import subprocess
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from bench.layout import Layout
from local.functions import ROOT, functions
from local.template import template

PROBE = Path(__file__).with_name("probe.py")
BASELINES = {
    "floor: boto3 only": Path(__file__).parent / "baselines" / "floor.py",
    "straightforward Powertools": Path(__file__).parent / "baselines" / "powertools_handler.py",
}
# The event each function is measured with: its most common work. Others take their first sample.
EVENT_OF = {
    "GetBookmarksFunction": "get.json",
    "StoreBookmarkFunction": "create_shared.json",
    # feature: workflow
    "ReviewBookmarkFunction": "list.json",
    # end feature: workflow
}
FLOOR_EVENT = ROOT / "events" / "get_bookmarks_function" / "get.json"


def lambda_environment(function_env: dict[str, str], endpoint_url: str) -> dict[str, str]:
    """What the Lambda runtime sets, as far as the libraries we use look at it."""
    return {
        "PATH": os.environ["PATH"],
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # the local moto server's dummy credentials
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        # Lambda's /opt and /var/task are read-only; the bench runs as whoever it runs as, so Python is
        # told not to write bytecode rather than being refused.
        "PYTHONDONTWRITEBYTECODE": "1",
        **function_env,
        # Last: the template declares AWS_ENDPOINT_URL (empty unless under `sam local invoke`), and the
        # bench's moto server stands in for AWS whatever it says.
        "AWS_ENDPOINT_URL": endpoint_url,
    }


def function_environment(logical_id: str) -> dict[str, str]:
    """The function's Environment from the template; a Ref names the resource by its logical id, which is
    the name the bench provisions it under."""
    globals_env = (
        template().get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    )
    own_env = functions()[logical_id]["Properties"].get("Environment", {}).get("Variables", {})
    parameters = template().get("Parameters", {})

    def value(raw: Any) -> str:
        if isinstance(raw, dict) and "Ref" in raw:
            name = raw["Ref"]
            return str(parameters[name].get("Default", name)) if name in parameters else str(name)
        return str(raw)

    return {name: value(raw) for name, raw in (globals_env | own_env).items()}


@dataclass(frozen=True)
class Candidate:
    """A handler to cold-start: its folder on sys.path, its module, the event and the environment."""

    folder: Path
    module: str
    event: Path
    env: dict[str, str]
    layers: list[str]

    def command(self, python: str, *options: str, probe: Sequence[str] = ()) -> list[str]:
        """The probe's command line: ``options`` for the interpreter, ``probe`` for the probe."""
        where = [str(self.folder), self.module, str(self.event), *self.layers]
        return [python, *options, str(PROBE), *probe, *where]


def baselines(endpoint_url: str, layout: Layout) -> dict[str, Candidate]:
    """The floor needs no layer; the straightforward Powertools handler imports from the same /opt."""
    env = lambda_environment(
        {"BOOKMARKS_TABLE_NAME": "BookmarksTable", "POWERTOOLS_SERVICE_NAME": "bench"}, endpoint_url
    )
    return {
        name: Candidate(
            path.parent, path.stem, FLOOR_EVENT, env, [] if path.stem == "floor" else layout.layer_paths
        )
        for name, path in BASELINES.items()
    }


def candidates(endpoint_url: str, layout: Layout) -> dict[str, Candidate]:
    """Every function of the template, from its /var/task, with the event it is measured with."""
    found = {}
    for logical_id, function in functions().items():
        properties = function["Properties"]
        folder = ROOT / properties["CodeUri"]
        module, _ = properties["Handler"].rsplit(".", 1)
        events = sorted((ROOT / "events" / folder.name).glob("*.json"))
        event = ROOT / "events" / folder.name / EVENT_OF.get(logical_id, events[0].name)
        env = lambda_environment(function_environment(logical_id), endpoint_url)
        found[logical_id] = Candidate(layout.task(logical_id), module, event, env, layout.layer_paths)
    return found


# How a function's name reads in the tables when it traces with OpenTelemetry (TracingProvider).
OPENTELEMETRY = "{}, OpenTelemetry"


def opentelemetry_candidates(endpoint_url: str, layout: Layout, otlp_endpoint: str) -> dict[str, Candidate]:
    """Every function again as TracingProvider=opentelemetry deploys it (its layer is in the same /opt),
    sending its spans over OTLP/HTTP to ``otlp_endpoint`` where Lambda would send them to X-Ray's."""
    tracing = {"TRACING_PROVIDER": "opentelemetry", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": otlp_endpoint}
    return {
        OPENTELEMETRY.format(logical_id): replace(candidate, env={**candidate.env, **tracing})
        for logical_id, candidate in candidates(endpoint_url, layout).items()
    }


@dataclass
class Samples:
    """Seconds per cold start: wall time, and the CPU time the process used (user + system), which a
    shared, busy machine inflates far less than wall time."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


Key = TypeVar("Key", bound=Hashable)


def cold_starts(python: str, measured: Mapping[Key, Candidate], runs: int) -> dict[Key, Samples]:
    """Each candidate's cold starts, ``runs`` times, interleaved so that drift hits all alike."""
    timings: dict[Key, Samples] = {}
    for _ in range(runs):
        for name, candidate in measured.items():
            cpu_before = _children_cpu()
            started = time.perf_counter()
            command = candidate.command(python)
            # Log lines go nowhere: the terminal would be timed too.
            subprocess.run(command, env=candidate.env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our probe
            samples = timings.setdefault(name, Samples())
            samples.wall.append(time.perf_counter() - started)
            samples.cpu.append(_children_cpu() - cpu_before)
    return timings


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Profile:
    """What ``-X importtime`` says of one cold start: every module imported, in the order their imports
    finished, the module whose import imported each (none for the handler's own imports and Python's),
    and the top-level imports by cumulative milliseconds, largest first."""

    modules: list[str]
    importer: dict[str, str]
    largest: list[tuple[float, str]]

    def importers(self, module: str) -> list[str]:
        """The chain of modules whose imports led to ``module``, nearest first."""
        chain = []
        while (module := self.importer.get(module, "")) and module not in chain:
            chain.append(module)
        return chain


def import_profile(python: str, candidate: Candidate, top: int = 6) -> Profile:
    """The import-time profile of one cold start, with its ``top`` largest top-level imports."""
    result = subprocess.run(  # noqa: S603
        candidate.command(python, "-X", "importtime"),
        env=candidate.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return parse_importtime(result.stderr, top)


def parse_importtime(stderr: str, top: int) -> Profile:
    """Lines read ``import time: <self us> | <cumulative us> | <name>``, each after those of the modules it
    imported, its name indented two spaces per level of nesting; anything else on stderr is skipped."""
    modules: list[str] = []
    importer: dict[str, str] = {}
    rows: list[tuple[float, str]] = []
    unclaimed: list[tuple[int, str]] = []  # (depth, module) whose importer's line is still to come
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name, depth = parts[2].strip(), (len(parts[2]) - len(parts[2].lstrip()) - 1) // 2
        modules.append(name)
        while unclaimed and unclaimed[-1][0] > depth:
            importer.setdefault(unclaimed.pop()[1], name)
        unclaimed.append((depth, name))
        if depth == 0:
            rows.append((int(parts[1]) / 1000, name))
    return Profile(modules, importer, sorted(rows, reverse=True)[:top])


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def describe(python: str) -> str:
    answer = subprocess.run([python, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    version = answer.stdout
    return json.dumps(version.strip())
