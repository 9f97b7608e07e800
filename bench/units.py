"""The arithmetic AWS bills by, each rule from the page that states it: DynamoDB item sizes and request
units, CloudWatch metric counts, X-Ray sampling, headroom. Pure functions: tests/unit/test_cost.py works
them against hand-worked examples."""

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

KB = 1024
# DynamoDB: one write request unit per 1 KB written, one read request unit per 4 KB read strongly
# consistent (half that eventually consistent); a transaction's request costs twice as many.
WRITE_UNIT_BYTES = 1 * KB
READ_UNIT_BYTES = 4 * KB


def _number_size(text: str) -> int:
    """A number's size: about one byte per two significant digits, plus one (DynamoDB developer guide,
    "Item sizes and formats")."""
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB JSON ({"S": ...}, {"N": ...}, {"M": {...}}...)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return _number_size(str(content))
    if kind == "B":
        return len(content) if isinstance(content, bytes) else math.ceil(len(str(content)) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(v).encode()) for v in content)
    if kind == "NS":
        return sum(_number_size(str(v)) for v in content)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in content)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in content.items())
    raise ValueError(f"not a DynamoDB attribute value: {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """An item's size as DynamoDB meters it: each attribute name's UTF-8 bytes plus its value's size."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size_before: int | None, size_after: int | None, *, transaction: bool = False) -> int:
    """Write request units of one PutItem, UpdateItem or DeleteItem: the larger of the item before and
    after, rounded up to 1 KB, at least one (a failed conditional write is billed too)."""
    size = max(size_before or 0, size_after or 0)
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return units * (2 if transaction else 1)


def read_units(sizes: Iterable[int], *, consistent: bool = False, one_item: bool = False) -> Decimal:
    """Read request units of a GetItem (``one_item``: its size rounded up to 4 KB) or a Query (the sum of
    the sizes it read, rounded up to 4 KB once): eventually consistent reads cost half. An empty
    answer still costs the minimum."""
    total = sum(sizes)
    units = max(1, math.ceil(total / READ_UNIT_BYTES))
    return Decimal(units) if consistent else Decimal(units) / 2


def index_write_units(
    before: Mapping[str, int] | None,
    after: Mapping[str, int] | None,
    keys: tuple[str, ...],
    projected: Mapping[str, int] | None = None,
) -> int:
    """Write units a global secondary index takes for one table write (DynamoDB developer guide,
    "Provisioned throughput considerations for GSIs"). ``before``/``after`` map attribute names to their
    sizes; ``keys`` are the index's key attributes; ``projected`` (attribute -> size) is computed by the
    caller from the index's projection. An item enters or leaves the index: one write of its projected
    size; an index key changes: a delete and a put; a projected attribute changes: one update; else none."""
    was = before is not None and all(k in before for k in keys)
    now = after is not None and all(k in after for k in keys)
    if not was and not now:
        return 0
    size_before = projected_size(before, projected) if was else 0
    size_after = projected_size(after, projected) if now else 0
    if was != now:
        return write_units(size_before, size_after)
    assert before is not None
    assert after is not None
    if any(before.get(k) != after.get(k) for k in keys):  # sizes stand in for values: see the caller
        return write_units(size_before, None) + write_units(None, size_after)
    names = set(projected or before) | set(projected or after)
    if all(before.get(n) == after.get(n) for n in names):
        return 0
    return write_units(size_before, size_after)


def projected_size(item: Mapping[str, int] | None, projected: Mapping[str, int] | None) -> int:
    """The size of the part of ``item`` an index holds: every attribute, or those named in ``projected``."""
    if item is None:
        return 0
    if projected is None:
        return sum(item.values())
    return sum(size for name, size in item.items() if name in projected)


def custom_metrics(shapes: Iterable[str]) -> int:
    """Custom metrics CloudWatch bills monthly: one per distinct metric name and dimension combination
    (each ``Namespace/Name[dims]`` of an EMF line's shape, ``;``-separated)."""
    return len({metric for shape in shapes for metric in shape.split(";") if metric})


def sampled_traces(
    requests_per_second: float, seconds: float, reservoir: float = 1.0, rate: float = 0.05
) -> float:
    """Traces X-Ray records under the default sampling rule: the first ``reservoir`` requests each second,
    then ``rate`` of the rest."""
    kept_per_second = min(requests_per_second, reservoir) + max(0.0, requests_per_second - reservoir) * rate
    return kept_per_second * seconds


def headroom(peak: float, limit: float) -> float:
    """How many times the peak fits under the limit (above 1: room to grow; below 1: throttled)."""
    return math.inf if peak == 0 else limit / peak
