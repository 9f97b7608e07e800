"""Reading what handlers print: CloudWatch embedded-metric-format lines, as Lambda's log agent reads them."""

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Metric:
    """One metric of an EMF line: what CloudWatch would make of it."""

    namespace: str
    name: str
    unit: str
    dimensions: dict[str, str]
    value: float


def emf_lines(printed: str) -> list[dict[str, Any]]:
    """The EMF objects among printed lines (JSON with an ``_aws`` key); other lines are ignored."""
    found = []
    for line in printed.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict) and "_aws" in parsed:
            found.append(parsed)
    return found


def metrics(printed: str) -> list[Metric]:
    """Every metric of every EMF line, with the dimensions and value its line gives it."""
    out = []
    for line in emf_lines(printed):
        for directive in line["_aws"]["CloudWatchMetrics"]:
            names = [name for dimension_set in directive["Dimensions"] for name in dimension_set]
            for definition in directive["Metrics"]:
                raw = line[definition["Name"]]
                out.append(
                    Metric(
                        namespace=directive["Namespace"],
                        name=definition["Name"],
                        unit=definition["Unit"],
                        dimensions={name: line[name] for name in names},
                        value=float(sum(raw) if isinstance(raw, list) else raw),
                    )
                )
    return out
