"""The metrics the local stack records in the embedded CloudWatch: the functions' embedded-metric-format
lines, parsed and checked as CloudWatch Logs does, and the AWS-owned metrics (AWS/Lambda, AWS/ApiGateway)
that the services would publish about themselves."""

import io
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# CloudWatch's EMF specification: at most 100 metrics in a directive, 30 dimensions in a dimension set,
# 100 values in a metric's array, and the units PutMetricData accepts.
MAX_METRICS = 100
MAX_DIMENSIONS = 30
MAX_VALUES = 100
# EMF lines carry their own timestamps, so data is only roughly in time order: how far back to look past.
LATE = timedelta(minutes=1)
UNITS = frozenset(
    [
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ]
)


class InvalidEmf(ValueError):
    """A line that claims EMF (an ``_aws`` member) but breaks the specification: CloudWatch keeps the log
    event and extracts no metric from it."""


@dataclass(frozen=True)
class Datum:
    """One metric value as PutMetricData takes it."""

    namespace: str
    name: str
    unit: str
    dimensions: tuple[tuple[str, str], ...]
    values: tuple[float, ...]
    timestamp: datetime

    def as_metric_data(self) -> dict[str, Any]:
        return {
            "MetricName": self.name,
            "Unit": self.unit,
            "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
            "Values": list(self.values),
            "Timestamp": self.timestamp,
        }


def _values(raw: Any, name: str) -> tuple[float, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or len(values) > MAX_VALUES:
        raise InvalidEmf(f"{name}: between 1 and {MAX_VALUES} values")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise InvalidEmf(f"{name}: values must be numbers")
    return tuple(float(v) for v in values)


def parse(document: dict[str, Any]) -> list[Datum]:
    """The metric data an EMF document defines; raises InvalidEmf where CloudWatch would extract none."""
    metadata = document.get("_aws")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("CloudWatchMetrics"), list):
        raise InvalidEmf("_aws.CloudWatchMetrics must be an array")
    timestamp = metadata.get("Timestamp")
    if not isinstance(timestamp, int):
        raise InvalidEmf("_aws.Timestamp must be epoch milliseconds")
    when = datetime.fromtimestamp(timestamp / 1000, UTC).replace(tzinfo=None)  # moto keeps naive UTC
    data = []
    for directive in metadata["CloudWatchMetrics"]:
        namespace = directive.get("Namespace")
        if not isinstance(namespace, str) or not 1 <= len(namespace) <= 255 or namespace.startswith("AWS/"):
            raise InvalidEmf(f"namespace {namespace!r}: 1-255 characters, not an AWS/ namespace")
        metrics = directive.get("Metrics") or []
        if len(metrics) > MAX_METRICS:
            raise InvalidEmf(f"{len(metrics)} metrics in one directive; at most {MAX_METRICS}")
        dimension_sets = directive.get("Dimensions", [])
        for dimension_set in dimension_sets:
            if len(dimension_set) > MAX_DIMENSIONS:
                raise InvalidEmf(f"{len(dimension_set)} dimensions in a set; at most {MAX_DIMENSIONS}")
            missing = [n for n in dimension_set if not isinstance(document.get(n), str)]
            if missing:
                raise InvalidEmf(f"dimensions {missing} have no string value in the document")
        for definition in metrics:
            name, unit = definition.get("Name"), definition.get("Unit", "None")
            if name not in document:
                raise InvalidEmf(f"metric {name!r} has no value in the document")
            if unit not in UNITS:
                raise InvalidEmf(f"metric {name}: unit {unit!r} is not a CloudWatch unit")
            values = _values(document[name], name)
            for dimension_set in dimension_sets or [[]]:
                dimensions = tuple((n, str(document[n])) for n in dimension_set)
                data.append(Datum(namespace, name, unit, dimensions, values, when))
    return data


class CloudWatch:
    """Writes metric data straight into the embedded CloudWatch's backend: the handlers' threads must not
    make AWS calls of their own (they would show in the functions' traces)."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id, self.region = account_id, region
        self.rejected: list[str] = []  # why EMF lines were not extracted, for the view

    def _backend(self) -> Any:
        from moto.cloudwatch.models import cloudwatch_backends

        return cloudwatch_backends[self.account_id][self.region]

    def put(self, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        self._backend().put_metric_data(namespace, metric_data)

    def values_since(
        self, since: datetime, namespace: str, name: str, dimensions: list[dict[str, str]]
    ) -> list[tuple[datetime, float]]:
        """The datapoints of one metric (exactly these dimensions) from ``since`` on. Read from the newest
        back, so an alarm's evaluation costs its window, not the whole history (moto's get_metric_data
        scans every datapoint for every period)."""
        wanted = sorted((d["Name"], d["Value"]) for d in dimensions)
        found = []
        for datum in reversed(self._backend().metric_data):
            if datum.timestamp < since - LATE:
                break
            if (
                datum.timestamp >= since
                and (datum.namespace, datum.name) == (namespace, name)
                and hasattr(datum, "value")  # not a StatisticValues datum, which the local stack never puts
                and sorted((d.name, d.value) for d in datum.dimensions) == wanted
            ):
                found.append((datum.timestamp, float(datum.value)))
        return found

    def forget_before(self, oldest: datetime) -> None:
        """Drop datapoints older than ``oldest``: a long `make local` session keeps a bounded history."""
        backend = self._backend()
        backend.metric_data = [datum for datum in backend.metric_data if datum.timestamp >= oldest]

    def put_data(self, data: list[Datum]) -> None:
        for datum in data:
            self.put(datum.namespace, [datum.as_metric_data()])

    def put_emf(self, line: str) -> None:
        """Extract an EMF line's metrics; lines that are not EMF are ignored, broken EMF is noted."""
        try:
            document = json.loads(line)
        except ValueError:
            return
        if not isinstance(document, dict) or "_aws" not in document:
            return
        try:
            self.put_data(parse(document))
        except InvalidEmf as error:
            self.rejected.append(str(error))


class EmfTee(io.TextIOBase):
    """The process's standard output while `make local` runs handlers, in many threads at once: every write
    goes through to the console, and the complete lines a thread writes while it runs an invocation go to
    that invocation's ``on_line`` (as Lambda's log agent gives CloudWatch Logs the function's output). One
    tee serves every thread: swapping sys.stdout per invocation (contextlib.redirect_stdout) interleaves
    across threads and can leave a stale tee in place, or lose lines to another invocation's."""

    _thread = threading.local()
    _installing = threading.Lock()

    def __init__(self, console: Any) -> None:
        self.console = console

    def write(self, text: str) -> int:
        written: int = self.console.write(text)
        on_line = getattr(self._thread, "on_line", None)
        if on_line is not None:
            lines = (self._thread.partial + text).split("\n")
            self._thread.partial = lines.pop()
            for line in lines:
                if line.startswith("{"):
                    on_line(line)
        return written

    def flush(self) -> None:
        self.console.flush()

    @classmethod
    @contextmanager
    def lines_to(cls, on_line: Callable[[str], None]) -> Iterator[None]:
        """While the block runs, this thread's output lines also go to ``on_line``."""
        with cls._installing:
            if not isinstance(sys.stdout, EmfTee):
                sys.stdout = cls(sys.stdout)
        cls._thread.on_line, cls._thread.partial = on_line, ""
        try:
            yield
        finally:
            cls._thread.on_line = None
