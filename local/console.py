"""The read-only observability console of `make local`: a service map of the last traces, one trace's
timeline, the business metrics and the alarms' states, as JSON and HTML for the web server and as text
for `make traces` / `make metrics` (`python -m local.console traces|metrics [trace id]`)."""

import html
import json
import sys
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local.provision import Aws
from local.xray import TraceStore, entities, entity_annotations

RECENT_TRACES = 20


def service_map(store: TraceStore, last: int = RECENT_TRACES) -> dict[str, Any]:
    """Nodes (services and what they called) and edges with call counts, over the last traces."""
    edges: Counter[tuple[str, str]] = Counter()
    nodes: set[str] = set()
    for trace_id in store.trace_ids(last):
        documents = store.trace(trace_id)
        by_id = {e["id"]: e for e in entities(documents) if "id" in e}
        for segment in documents:
            nodes.add(segment["name"])
            parent = by_id.get(segment.get("parent_id", ""))
            # Lambda's two segments share the function's name; the map shows the function once.
            if parent is not None and _service_of(documents, parent) != segment["name"]:
                edges[(_service_of(documents, parent), segment["name"])] += 1
            for entity in entities(segment.get("subsegments", [])):
                if entity.get("namespace") in ("aws", "remote"):
                    nodes.add(entity["name"])
                    edges[(segment["name"], entity["name"])] += 1
    return {
        "nodes": sorted(nodes),
        "edges": [{"from": a, "to": b, "calls": n} for (a, b), n in sorted(edges.items())],
    }


def _segment_of(documents: list[dict[str, Any]], entity: dict[str, Any]) -> dict[str, Any] | None:
    for segment in documents:
        if any(e is entity for e in entities([segment])):
            return segment
    return None


def _service_of(documents: list[dict[str, Any]], entity: dict[str, Any]) -> str:
    segment = _segment_of(documents, entity)
    return str((segment or entity)["name"])


def traces(store: TraceStore, last: int = RECENT_TRACES) -> list[dict[str, Any]]:
    """Summaries of the last traces, newest first: id, duration, services, annotations, fault."""
    summaries = []
    for trace_id in reversed(store.trace_ids(last)):
        documents = store.trace(trace_id)
        every = list(entities(documents))
        starts = [e["start_time"] for e in every if "start_time" in e]
        ends = [e.get("end_time", e["start_time"]) for e in every if "start_time" in e]
        annotations: dict[str, str] = {}
        for entity in every:
            annotations.update(entity_annotations(entity))
        summaries.append(
            {
                "id": trace_id,
                "duration_ms": round((max(ends) - min(starts)) * 1000, 1) if starts else 0,
                "services": list(dict.fromkeys(d["name"] for d in documents)),
                "annotations": annotations,
                "fault": any(e.get("fault") for e in every),
                "error": any(e.get("error") for e in every),
            }
        )
    return summaries


def timeline(store: TraceStore, trace_id: str) -> list[dict[str, Any]]:
    """One trace's entities in start order with their depth, offsets from the trace's start, in ms."""
    documents = store.trace(trace_id)
    starts = [e["start_time"] for e in entities(documents) if "start_time" in e]
    if not starts:
        return []
    origin = min(starts)
    rows: list[dict[str, Any]] = []

    def walk(entity: dict[str, Any], depth: int) -> None:
        start = entity.get("start_time", origin)
        rows.append(
            {
                "name": entity.get("name", "?"),
                "origin": entity.get("origin") or entity.get("namespace") or "",
                "depth": depth,
                "start_ms": round((start - origin) * 1000, 1),
                "duration_ms": round((entity.get("end_time", start) - start) * 1000, 1),
                "annotations": entity_annotations(entity),
                "fault": bool(entity.get("fault")),
                "error": bool(entity.get("error")),
                "in_progress": bool(entity.get("in_progress")),
            }
        )
        for child in sorted(entity.get("subsegments", []), key=lambda e: e.get("start_time", 0)):
            walk(child, depth + 1)

    for document in documents:
        walk(document, 0)
    return rows


def business_metrics(aws: Aws, hours: int = 3) -> list[dict[str, Any]]:
    """Every metric outside the AWS/ namespaces (what EMF lines defined), with its sum over ``hours``."""
    cloudwatch = aws.client("cloudwatch")
    found = [m for m in cloudwatch.list_metrics()["Metrics"] if not m["Namespace"].startswith("AWS/")]
    unique = {json.dumps(m, sort_keys=True): m for m in found}
    metrics = sorted(unique.values(), key=lambda m: (m["Namespace"], m["MetricName"], str(m["Dimensions"])))
    if not metrics:
        return []
    end = datetime.now(UTC) + timedelta(minutes=1)
    answer = cloudwatch.get_metric_data(
        StartTime=end - timedelta(hours=hours),
        EndTime=end,
        MetricDataQueries=[
            {"Id": f"m{i}", "MetricStat": {"Metric": m, "Period": hours * 3600, "Stat": "Sum"}}
            for i, m in enumerate(metrics)
        ],
    )
    sums = {r["Id"]: sum(r["Values"]) for r in answer["MetricDataResults"]}
    return [
        {
            "namespace": m["Namespace"],
            "name": m["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in m["Dimensions"]},
            "sum": sums.get(f"m{i}", 0.0),
        }
        for i, m in enumerate(metrics)
    ]


def alarms(aws: Aws) -> list[dict[str, Any]]:
    described = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return [
        {
            "name": a["AlarmName"],
            "state": a["StateValue"],
            "metric": f"{a.get('Namespace')}/{a.get('MetricName')}",
            "reason": a.get("StateReason", ""),
        }
        for a in sorted(described, key=lambda a: a["AlarmName"])
    ]


class Console:
    """The JSON documents and the HTML page the web server serves under /observability."""

    def __init__(self, store: TraceStore, aws: Aws) -> None:
        self.store, self.aws = store, aws

    def document(self, path: str) -> Any | None:
        """The JSON answer for a path under /observability/, or None if there is none."""
        if path == "traces.json":
            return {"traces": traces(self.store), "service_map": service_map(self.store)}
        if path.startswith("traces/") and path.endswith(".json"):
            trace_id = path.removeprefix("traces/").removesuffix(".json")
            return {
                "id": trace_id,
                "timeline": timeline(self.store, trace_id),
                "raw": self.store.trace(trace_id),
            }
        if path == "metrics.json":
            return {"metrics": business_metrics(self.aws), "alarms": alarms(self.aws)}
        return None

    def page(self, trace_id: str | None = None) -> str:
        """The whole view, rendered on the server: no script, so the web client's CSP holds."""
        summaries = traces(self.store)
        shown = trace_id or (summaries[0]["id"] if summaries else None)
        mapped = service_map(self.store)
        parts = [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            '<meta name=viewport content="width=device-width, initial-scale=1">',
            '<meta name=color-scheme content="light dark">',
            "<title>Observability · Linkshelf (make local)</title>",
            '<link rel=icon href="/favicon.svg" type="image/svg+xml">',
            '<link rel=stylesheet href="/styles.css"><link rel=stylesheet href="/observability.css">',
            "</head><body>",
            "<header class=topbar><div class=topbar-inner>",
            '<a class=brand href="/#/bookmarks"><img src="/favicon.svg" alt="" width=28 height=28>',
            "<span class=brand-name>Linkshelf</span></a><nav id=nav aria-label=Main>",
            '<a href="/#/bookmarks">Back to the app</a>',
            '<a href="/observability" aria-current=page>Observability</a></nav></div></header>',
            '<main class="console">',
            "<h1>Observability of <code>make local</code></h1>",
            "<p>Read-only. Traces come from the functions' X-Ray SDK and the local stack's service "
            "segments; metrics and alarms from the embedded CloudWatch (README, Observability).</p>",
            "<h2>Service map (last traces)</h2>",
            "<div class=scroll><table><tr><th>from</th><th>to</th><th>calls</th></tr>",
            *(
                f"<tr><td>{_e(edge['from'])}</td><td>{_e(edge['to'])}</td><td>{edge['calls']}</td></tr>"
                for edge in mapped["edges"]
            ),
            "</table></div><h2>Traces</h2><div class=scroll><table>",
            "<tr><th>trace</th><th>ms</th><th>services</th><th>annotations</th></tr>",
            *(
                f'<tr class="{"fault" if t["fault"] else ""}">'
                f'<td><a href="/observability?trace={_e(t["id"])}">{_e(t["id"])}</a></td>'
                f"<td>{t['duration_ms']}</td><td>{_e(' > '.join(t['services']))}</td>"
                f"<td>{_e(', '.join(f'{k}={v}' for k, v in t['annotations'].items()))}</td></tr>"
                for t in summaries
            ),
            "</table></div>",
        ]
        if shown:
            parts += [f"<h2>Timeline of {_e(shown)}</h2>", _timeline_svg(shown, timeline(self.store, shown))]
        parts += [
            "<h2>Business metrics</h2><div class=scroll><table>",
            "<tr><th>metric</th><th>dimensions</th><th>sum</th></tr>",
        ]
        parts += [
            f"<tr><td>{_e(m['namespace'])}/{_e(m['name'])}</td>"
            f"<td>{_e(', '.join(f'{k}={v}' for k, v in m['dimensions'].items()))}</td>"
            f"<td>{m['sum']:g}</td></tr>"
            for m in business_metrics(self.aws)
        ]
        parts += [
            "</table></div><h2>Alarms</h2><div class=scroll><table>",
            "<tr><th>alarm</th><th>state</th><th>metric</th></tr>",
        ]
        parts += [
            f'<tr class="{a["state"].lower()}"><td>{_e(a["name"])}</td><td>{a["state"]}</td>'
            f"<td>{_e(a['metric'])}</td></tr>"
            for a in alarms(self.aws)
        ]
        parts += ["</table></div></main></body></html>"]
        return "\n".join(parts)


def _e(text: Any) -> str:
    return html.escape(str(text))


def _timeline_svg(trace_id: str, rows: list[dict[str, Any]]) -> str:
    """The trace as bars on a shared time axis (SVG attributes, not styles: the CSP forbids inline styles),
    scaled to the window by its viewBox, and named for screen readers."""
    total = max((r["start_ms"] + r["duration_ms"] for r in rows), default=1) or 1
    width, label, height = 900, 330, 20
    bars = []
    for i, row in enumerate(rows):
        x = label + (width - label) * row["start_ms"] / total
        w = max(2.0, (width - label) * row["duration_ms"] / total)
        kind = "fault" if row["fault"] else "error" if row["error"] else "ok"
        name = ("  " * row["depth"]) + row["name"]
        bars.append(
            f'<text x="{4 + 12 * row["depth"]}" y="{i * height + 14}">{_e(row["name"][:40])}</text>'
            f'<rect class="{kind}" x="{x:.1f}" y="{i * height + 3}" width="{w:.1f}" height="{height - 6}">'
            f"<title>{_e(name)} {row['duration_ms']} ms</title></rect>"
        )
    full_height = len(rows) * height + 4
    return (
        f'<svg class="timeline" viewBox="0 0 {width} {full_height}" width="{width}" role="img" '
        f'aria-labelledby="timeline-title"><title id="timeline-title">Timeline of trace {_e(trace_id)}: '
        f"{len(rows)} segments</title>" + "".join(bars) + "</svg>"
    )


# What the console adds to the web client's stylesheet (served before it): its tables and the timeline, in the
# app's colours (light and dark), tables scrolling inside their box on a phone rather than the page.
STYLESHEET = """main.console{padding-bottom:3rem}
.console code{font-size:.95em}
.scroll{overflow-x:auto;margin-bottom:1.5rem;background:var(--surface);border:1px solid var(--line);
border-radius:var(--radius)}
.console table{border-collapse:collapse;width:100%;font-size:.9rem}
.console td,.console th{border-bottom:1px solid var(--line);padding:.4rem .6rem;text-align:left;
vertical-align:top}
.console th{background:var(--surface-2)}
.console td a{display:inline-block;min-height:24px}
tr.fault td,tr.alarm td{background:var(--danger-surface)}tr.ok td{background:var(--success-surface)}
svg.timeline{max-width:100%;height:auto;background:var(--surface);border:1px solid var(--line);
border-radius:var(--radius)}
svg.timeline text{font:12px monospace;fill:var(--text)}
rect.ok{fill:#4a7bd0}rect.error{fill:#e0a100}rect.fault{fill:#c62828}"""


# ---- make traces / make metrics: the same documents, as text -----------------------------------------


def _fetch(web_url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{web_url}/observability/{path}", timeout=10) as answer:  # noqa: S310 (our local URL)
        return json.load(answer)


def print_traces(web_url: str, trace_id: str | None = None) -> None:
    if trace_id:
        for row in _fetch(web_url, f"traces/{trace_id}.json")["timeline"]:
            flag = " FAULT" if row["fault"] else " error" if row["error"] else ""
            notes = " ".join(f"{k}={v}" for k, v in row["annotations"].items())
            indent = "  " * row["depth"]
            print(
                f"{row['start_ms']:>9.1f} {row['duration_ms']:>8.1f} ms  {indent}{row['name']}{flag}  {notes}"
            )
        return
    document = _fetch(web_url, "traces.json")
    print("Service map (last traces):")
    for edge in document["service_map"]["edges"]:
        print(f"  {edge['from']} -> {edge['to']} ({edge['calls']})")
    print("Traces, newest first (make traces TRACE=<id> shows one):")
    for trace in document["traces"]:
        notes = " ".join(f"{k}={v}" for k, v in trace["annotations"].items())
        flag = " FAULT" if trace["fault"] else ""
        print(
            f"  {trace['id']} {trace['duration_ms']:>8.1f} ms{flag}  {' > '.join(trace['services'])}  {notes}"
        )


def print_metrics(web_url: str) -> None:
    document = _fetch(web_url, "metrics.json")
    print("Business metrics (sum over the last 3 hours):")
    for metric in document["metrics"]:
        dimensions = ",".join(f"{k}={v}" for k, v in metric["dimensions"].items())
        print(f"  {metric['namespace']}/{metric['name']} [{dimensions}] {metric['sum']:g}")
    print("Alarms:")
    for alarm in document["alarms"]:
        print(f"  {alarm['state']:<17} {alarm['name']}  ({alarm['metric']})")


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("traces", "metrics"):
        raise SystemExit("usage: python -m local.console traces [trace id] | metrics")
    state = Path(".local/web.json")
    if not state.exists():
        raise SystemExit("No local stack is running here: start it with `make local`")
    web_url = json.loads(state.read_text())["web_url"]
    if argv[0] == "traces":
        print_traces(web_url, argv[1] if len(argv) > 1 and argv[1] else None)
    else:
        print_metrics(web_url)


if __name__ == "__main__":
    main(sys.argv[1:])
