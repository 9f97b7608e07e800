"""Instructions a cold start executes, counted by valgrind's cachegrind (`I refs`), and where they go.

Unlike CPU time, the count barely moves from run to run on a machine shared with other builds, so it is the
steady measure of the cold-start ratios; it is not a time (a cache miss costs more than a hit), and it
needs valgrind, which the bench treats as optional. The attribution counts the same cold start again with
more and more of its own modules imported first, group by group in ``GROUPS``' order: each group is
charged what importing it adds to the groups before it (a module two groups share goes to the first)."""

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bench.coldstart import Candidate, Profile

# Package prefixes of each group; a module goes to the group with its longest matching prefix.
GROUPS: dict[str, tuple[str, ...]] = {
    "AWS SDK": ("boto3", "botocore", "urllib3", "dateutil", "jmespath", "s3transfer", "six"),
    "asyncio": ("asyncio",),
    "pydantic": ("pydantic", "pydantic_core", "typing_extensions", "typing_inspection", "annotated_types"),
    "X-Ray SDK": ("aws_xray_sdk", "wrapt"),
    # The OpenTelemetry provider's layer (TracingProvider=opentelemetry): SDK, exporter and what they use.
    "OpenTelemetry": (
        "opentelemetry",
        "google.protobuf",
        "amazon.opentelemetry",
        "requests",
        "charset_normalizer",
        "idna",
        "certifi",
        "packaging",
    ),
    "Powertools core": ("aws_lambda_powertools",),
    "Powertools event_handler": ("aws_lambda_powertools.event_handler",),
    "app: domain and models": ("bookmarks",),
}
# What the steps after the groups are charged: Python's own start, the handler module's top level (its
# Logger, Tracer, resolver and routes, beyond the modules it imports), the first invocation.
START, HANDLER, FIRST_CALL = "Python start", "handler module", "first invocation"
STEPS = (START, *GROUPS, HANDLER, FIRST_CALL)

Key = TypeVar("Key")


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(python: str, candidate: Candidate, probe: Sequence[str] = ()) -> int:
    """Instructions of one probe run, from the interpreter's first to the probe's exit."""
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    result = subprocess.run(  # noqa: S603 - valgrind running our probe
        [*valgrind, *candidate.command(python, probe=probe)],
        env=candidate.env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return instructions_of(result.stderr)


def instructions_of(valgrind_stderr: str) -> int:
    """The ``I refs:`` total of cachegrind's summary, e.g. ``==12== I   refs:      1,046,999,343``."""
    found = re.search(r"^==\d+== I\s+refs:\s+([\d,]+)$", valgrind_stderr, re.MULTILINE)
    if found is None:
        raise ValueError(f"no cachegrind summary in: {valgrind_stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def counts(python: str, runs: Mapping[Key, tuple[Candidate, Sequence[str]]]) -> dict[Key, int]:
    """Instructions of every (candidate, probe options) run, as many at a time as there are cores: a
    count, unlike a time, does not depend on what else the machine is doing."""
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = {
            key: pool.submit(count, python, candidate, probe) for key, (candidate, probe) in runs.items()
        }
        return {key: future.result() for key, future in futures.items()}


def group_of(module: str, importers: Sequence[str] = ()) -> str | None:
    """The group of ``module``'s longest matching prefix; but a module that a more specific group of its
    own package imported belongs to that group (Powertools' data classes, loaded by its event handler)."""
    own = _longest_prefix(module)
    for importer in importers:
        theirs = _longest_prefix(importer)
        same_package = theirs and own and theirs[1].split(".")[0] == own[1].split(".")[0]
        if theirs and own and same_package and len(theirs[1]) > len(own[1]):
            return theirs[0]
    return own[0] if own else None


def _longest_prefix(module: str) -> tuple[str, str] | None:
    """(group, prefix) of the longest prefix that ``module`` is or is inside."""
    matches = [
        (prefix, group)
        for group, prefixes in GROUPS.items()
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(((group, prefix) for prefix, group in matches), key=lambda found: len(found[1]), default=None)


def attribution_runs(candidate: Candidate, profile: Profile) -> dict[str, tuple[Candidate, list[str]]]:
    """The probe runs whose differences attribute a cold start: one stopping at Python's start with each
    prefix of the groups it imports (from its import profile, in their order) imported first, and one
    stopping once the handler module is imported. The full cold start, counted apart, closes it."""
    groups = {
        group: [name for name in profile.modules if group_of(name, profile.importers(name)) == group]
        for group in GROUPS
    }
    imported: list[str] = []
    runs = {START: (candidate, ["--until=start"])}
    for group, names in groups.items():
        if names:
            imported += names
            runs[group] = (candidate, [f"--preimport={','.join(imported)}", "--until=start"])
    runs[HANDLER] = (candidate, [f"--preimport={','.join(imported)}", "--until=import"])
    return runs


def attribute(step_counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Each step's share of ``total``: its count less the count of the step before it (a group that the
    handler does not import is charged nothing)."""
    shares, before = {}, 0
    for step in STEPS:
        reached = total if step == FIRST_CALL else step_counts.get(step)
        if reached is not None:
            shares[step], before = reached - before, reached
    return shares
