"""The X-Ray daemon of the local stack: a UDP listener speaking the daemon protocol at
AWS_XRAY_DAEMON_ADDRESS, an OTLP/HTTP endpoint for the OpenTelemetry provider's spans (turned into the
segment documents X-Ray makes of them), the segments kept per trace, and the segments the AWS services
themselves would write (API Gateway, Lambda, Step Functions), since locally no service writes them."""

import json
import os
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What the X-Ray SDKs put before every document (aws_xray_sdk's UDPEmitter, the daemon's README).
PROTOCOL_HEADER = b'{"format":"json","version":1}'
# The daemon's limit for one datagram; the SDKs stream subsegments separately to stay under it.
MAX_DATAGRAM = 64 * 1024


def new_trace_id(now: float | None = None) -> str:
    """An X-Ray trace id: version 1, the epoch second in hex, 96 random bits."""
    return f"1-{int(now or time.time()):08x}-{secrets.token_hex(12)}"


def new_segment_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class TraceHeader:
    """The X-Amzn-Trace-Id header (``Root=...;Parent=...;Sampled=1``) that services pass on."""

    root: str
    parent: str | None = None
    sampled: bool = True

    @classmethod
    def parse(cls, header: str | None) -> "TraceHeader | None":
        """The header's fields, or None if it names no root (a missing or malformed header)."""
        fields = dict(part.strip().split("=", 1) for part in (header or "").split(";") if "=" in part.strip())
        if not fields.get("Root", "").startswith("1-"):
            return None
        return cls(fields["Root"], fields.get("Parent"), fields.get("Sampled", "1") != "0")

    def child(self, parent: str) -> "TraceHeader":
        return TraceHeader(self.root, parent, self.sampled)

    def __str__(self) -> str:
        parent = f";Parent={self.parent}" if self.parent else ""
        return f"Root={self.root}{parent};Sampled={int(self.sampled)}"


class TraceStore:
    """The last ``capacity`` traces' documents (segments and streamed subsegments), by trace id."""

    def __init__(self, capacity: int = 200) -> None:
        self.capacity = capacity
        self._traces: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, document: dict[str, Any]) -> None:
        trace_id = document.get("trace_id")
        if not isinstance(trace_id, str):
            return  # not a segment document: the daemon drops those too
        with self._lock:
            documents = self._traces.setdefault(trace_id, [])
            documents.append(document)
            self._traces.move_to_end(trace_id)
            while len(self._traces) > self.capacity:
                self._traces.popitem(last=False)

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        """Every document of the trace, streamed subsegments folded into their parents, by start time."""
        with self._lock:
            documents = [dict(d) for d in self._traces.get(trace_id, [])]
        return assemble(documents)

    def trace_ids(self, last: int | None = None) -> list[str]:
        """Trace ids, most recently written last."""
        with self._lock:
            ids = list(self._traces)
        return ids[-last:] if last else ids

    def find(self, **annotations: str) -> list[str]:
        """Ids of traces one of whose entities carries all these annotations (X-Ray's filter
        expression ``annotation.key = "value"``)."""
        wanted = set(annotations.items())
        return [
            trace_id
            for trace_id in self.trace_ids()
            if any(wanted <= set(entity_annotations(e).items()) for e in entities(self.trace(trace_id)))
        ]


def assemble(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Segments with their subsegments nested, as X-Ray's GetTraceSummaries/BatchGetTraces show them.
    A document sent again (in progress, then complete) replaces the earlier copy."""
    latest: dict[str, dict[str, Any]] = {}
    for document in documents:
        latest[document.get("id", new_segment_id())] = document
    by_id: dict[str, dict[str, Any]] = {}
    for document in latest.values():
        for entity in entities([document]):
            by_id.setdefault(entity["id"], entity)
    roots = []
    for document in latest.values():
        parent = by_id.get(document.get("parent_id", "")) if document.get("type") == "subsegment" else None
        if parent is not None and parent is not document:
            parent.setdefault("subsegments", []).append(document)
        else:
            roots.append(document)
    return sorted(roots, key=lambda d: d.get("start_time", 0))


def entities(documents: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every segment and subsegment, depth first."""
    for document in documents:
        yield document
        yield from entities(document.get("subsegments", []))


def entity_annotations(entity: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (entity.get("annotations") or {}).items()}


def decode(datagram: bytes) -> dict[str, Any] | None:
    """One daemon-protocol datagram's document: the protocol header line, then one JSON document."""
    header, _, body = datagram.partition(b"\n")
    try:
        if json.loads(header).get("format") != "json":
            return None
        document = json.loads(body)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


class Daemon:
    """The UDP listener at 127.0.0.1:<port>; what it receives goes to ``store``."""

    def __init__(self, store: TraceStore, port: int = 0) -> None:
        self.store = store
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", port))
        self._socket.settimeout(0.2)
        self.address = "{}:{}".format(*self._socket.getsockname())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xray-daemon", daemon=True)

    def start(self) -> "Daemon":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._socket.recv(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:
                return
            document = decode(datagram)
            if document is not None:
                self.store.record(document)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


@contextmanager
def service_segment(
    store: TraceStore,
    name: str,
    origin: str,
    header: TraceHeader | None,
    *,
    parent_is_subsegment: bool = False,
    **fields: Any,
) -> Iterator[dict[str, Any]]:
    """A segment an AWS service writes around what it does (``origin`` e.g. ``AWS::Lambda``), in the
    caller's trace or a new one; yields it so the caller can add ``http``, ``error``, ``fault``...
    Its ``trace_header`` item is what the service passes on downstream."""
    header = header or TraceHeader(new_trace_id())
    segment: dict[str, Any] = {
        "trace_id": header.root,
        "id": new_segment_id(),
        "name": name,
        "origin": origin,
        "start_time": time.time(),
        **fields,
    }
    if header.parent and not parent_is_subsegment:
        segment["parent_id"] = header.parent
    segment["trace_header"] = str(header.child(segment["id"]))
    try:
        yield segment
    except Exception:
        segment["fault"] = True
        raise
    finally:
        segment["end_time"] = time.time()
        store.record({k: v for k, v in segment.items() if k != "trace_header"})


# The span attribute that lists which attributes X-Ray indexes as annotations (bookmarks/otel.py).
ANNOTATIONS = "aws.xray.annotations"
STATUS_ERROR = 2  # opentelemetry.proto.trace.v1.Status.STATUS_CODE_ERROR


def _value(any_value: Any) -> Any:
    """An OTLP AnyValue as Python: text, bool, number or a list of them."""
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def span_documents(request: bytes) -> list[dict[str, Any]]:
    """An OTLP ExportTraceServiceRequest's spans as X-Ray subsegment documents: X-Ray's trace id format,
    the attributes ``aws.xray.annotations`` names as annotations and the rest as metadata, an AWS SDK
    call (``rpc.system`` aws-api) named for its service in the ``aws`` namespace, as X-Ray shows it."""
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]  # protobuf has no stubs here
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    try:
        parsed = ExportTraceServiceRequest.FromString(request)
    except DecodeError as error:
        raise ValueError(f"not an OTLP ExportTraceServiceRequest: {error}") from error
    documents = []
    for resource_spans in parsed.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {a.key: _value(a.value) for a in span.attributes}
                indexed = set(attributes.pop(ANNOTATIONS, None) or ())
                trace_id = span.trace_id.hex()
                document: dict[str, Any] = {
                    "trace_id": f"1-{trace_id[:8]}-{trace_id[8:]}",
                    "id": span.span_id.hex(),
                    "type": "subsegment",
                    "name": span.name,
                    "start_time": span.start_time_unix_nano / 1e9,
                    "end_time": span.end_time_unix_nano / 1e9,
                    "annotations": {k: v for k, v in attributes.items() if k in indexed},
                    "metadata": {"default": {k: v for k, v in attributes.items() if k not in indexed}},
                }
                if span.parent_span_id:
                    document["parent_id"] = span.parent_span_id.hex()
                if attributes.get("rpc.system") == "aws-api":
                    document.update(
                        name=attributes.get("rpc.service", span.name),
                        namespace="aws",
                        aws={"operation": attributes.get("rpc.method")},
                    )
                if span.status.code == STATUS_ERROR:
                    document["fault"] = True
                documents.append(document)
    return documents


class OtlpReceiver:
    """OTLP/HTTP's traces endpoint at http://127.0.0.1:<port>/v1/traces (protobuf, as the exporter sends
    it); what it receives goes to ``store`` as X-Ray would keep it."""

    def __init__(self, store: TraceStore, port: int = 0) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # else each small answer waits for the exporter's delayed ACK

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    documents = span_documents(body) if self.path == "/v1/traces" else None
                except ValueError:
                    documents = None
                if documents is None:
                    self.send_response(400 if self.path == "/v1/traces" else 404)
                    self.end_headers()
                    return
                for document in documents:
                    receiver.store.record(document)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")  # an empty ExportTraceServiceResponse: all accepted
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """One line per export would drown the app's logs."""

        self.store = store
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}/v1/traces"
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)

    def start(self) -> "OtlpReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def daemon_environment(address: str) -> dict[str, str]:
    """What Lambda sets for the X-Ray SDK in every function: where the daemon listens."""
    return {"AWS_XRAY_DAEMON_ADDRESS": address, "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}


def current_trace_header() -> TraceHeader | None:
    """The trace header of the invocation running in this process (Lambda's _X_AMZN_TRACE_ID)."""
    return TraceHeader.parse(os.environ.get("_X_AMZN_TRACE_ID"))
