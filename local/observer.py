"""What Lambda, API Gateway and EventBridge record about the app, done by the local stack: per invocation
the Lambda segments, the trace header the function sees, its EMF lines and its AWS/Lambda metrics; per
API request the API Gateway segment and AWS/ApiGateway metrics; the trace header an event carries on."""

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.alarms import AlarmClock
from local.functions import ROOT
from local.metrics import CloudWatch, EmfTee
from local.moto_patches import trace_headers_passed_on
from local.provision import Aws, Provisioned
from local.xray import (
    Daemon,
    OtlpReceiver,
    TraceHeader,
    TraceStore,
    daemon_environment,
    new_segment_id,
    service_segment,
)

_passing = threading.local()
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"  # the OpenTelemetry SDK's (bookmarks/otel.py)
# The header of threads that run no invocation: sampled out, so nothing they call is recorded.
_UNTRACED = TraceHeader("1-00000000-000000000000000000000000", "0" * 16, sampled=False)


@contextmanager
def passing_on(header: TraceHeader | None) -> Iterator[None]:
    """While active, invocations and executions this thread starts join ``header``'s trace: what a
    service does with the trace header of the request or event it delivers."""
    saved = getattr(_passing, "header", None)
    _passing.header = header
    try:
        yield
    finally:
        _passing.header = saved


def passed_on() -> TraceHeader | None:
    return getattr(_passing, "header", None)


def event_trace(observer: "Observer | None", event: Any) -> contextlib.AbstractContextManager[None]:
    """Pass an EventBridge event's trace on to what its target starts (nothing if unobserved)."""
    return passing_on(observer.header_of_event(event) if observer is not None else None)


def trace_header_parameter() -> dict[str, str]:
    """StartExecution's ``traceHeader`` for the trace this thread passes on (empty if none)."""
    header = passed_on()
    return {"traceHeader": str(header)} if header else {}


class _InvocationContext:
    """The X-Ray SDK's Lambda context, per thread: only a thread that runs an invocation is traced, so the
    local stack's own pollers never write segments into a function's trace (in Lambda, the process runs
    nothing else). The SDK reads _X_AMZN_TRACE_ID from the environment; this reads the thread's header."""

    def __new__(cls) -> Any:
        from aws_xray_sdk.core.lambda_launcher import LambdaContext
        from aws_xray_sdk.core.models.facade_segment import FacadeSegment

        class InvocationContext(LambdaContext):  # type: ignore[misc]  # the SDK is untyped
            headers = threading.local()

            def _refresh_context(self) -> None:
                header = getattr(self.headers, "value", None) or _UNTRACED
                segment = getattr(self._local, "segment", None)
                if segment is None or segment.id != header.parent or segment.trace_id != header.root:
                    facade = FacadeSegment("facade", header.parent, header.root, header.sampled)
                    self._local.segment, self._local.entities = facade, []

        return InvocationContext()


class Observer:
    """Records what AWS would about each invocation and API request, into ``traces`` and ``cloudwatch``."""

    def __init__(
        self, traces: TraceStore, cloudwatch: CloudWatch, daemon_address: str, otlp_endpoint: str = ""
    ) -> None:
        self.traces, self.cloudwatch, self.daemon_address = traces, cloudwatch, daemon_address
        self.otlp_endpoint = otlp_endpoint  # where the OpenTelemetry provider sends its spans locally
        self.event_headers: dict[str, TraceHeader] = {}  # EventBridge event id -> its PutEvents' header
        self.executions: dict[str, dict[str, Any]] = {}  # execution ARN -> its open segment
        self._context: Any = None

    def _traced_threads(self) -> Any:
        """Configure the X-Ray SDK once, on the first invocation (the handlers import it anyway)."""
        if self._context is None:
            from aws_xray_sdk.core import xray_recorder

            self._context = _InvocationContext()
            xray_recorder.configure(
                context=self._context, daemon_address=self.daemon_address, streaming_threshold=0
            )
        return self._context

    def incoming(self, event: Any) -> TraceHeader | None:
        """The trace an invocation joins: the one passed on to this thread, an API request's
        X-Amzn-Trace-Id, or the PutEvents call an EventBridge event came from; else a new trace."""
        header = passed_on()
        if header is None and isinstance(event, dict):
            if isinstance(event.get("headers"), dict):
                header = TraceHeader.parse(event["headers"].get("X-Amzn-Trace-Id"))
            elif isinstance(event.get("id"), str):
                header = self.event_headers.get(event["id"])
        return header

    @contextmanager
    def invocation(self, name: str, event: Any) -> Iterator[dict[str, str]]:
        """Around one handler call: yields the environment Lambda sets for it (_X_AMZN_TRACE_ID, and the
        local OTLP endpoint in place of X-Ray's, which the template names); records
        the AWS::Lambda segments, Invocations, Errors, Duration and, for streams, IteratorAge."""
        context = self._traced_threads()
        started = time.monotonic()
        failed = False
        header = self.incoming(event)
        try:
            with (
                service_segment(self.traces, name, "AWS::Lambda", header) as service,
                service_segment(
                    self.traces,
                    name,
                    "AWS::Lambda::Function",
                    TraceHeader.parse(service["trace_header"]),
                ) as function,
            ):
                function_header = TraceHeader.parse(function["trace_header"])
                context.headers.value = function_header
                try:
                    with EmfTee.lines_to(self.cloudwatch.put_emf):
                        yield {
                            "_X_AMZN_TRACE_ID": str(function_header),
                            **({OTLP_ENDPOINT: self.otlp_endpoint} if self.otlp_endpoint else {}),
                        }
                finally:
                    context.headers.value = None
        except Exception:
            failed = True
            raise
        finally:
            self._count_invocation(name, event, (time.monotonic() - started) * 1000, failed)

    def _count_invocation(self, name: str, event: Any, duration_ms: float, failed: bool) -> None:
        data = [
            {"MetricName": "Invocations", "Unit": "Count", "Value": 1},
            {"MetricName": "Errors", "Unit": "Count", "Value": int(failed)},
            {"MetricName": "Duration", "Unit": "Milliseconds", "Value": duration_ms},
        ]
        age = iterator_age_ms(event)
        if age is not None:
            data.append({"MetricName": "IteratorAge", "Unit": "Milliseconds", "Value": age})
        dimensions = [{"Name": "FunctionName", "Value": name}]
        self.cloudwatch.put("AWS/Lambda", [{**datum, "Dimensions": dimensions} for datum in data])

    @contextmanager
    def api_request(
        self, api_name: str, stage: str, method: str, path: str, header: str | None
    ) -> Iterator[dict[str, Any]]:
        """Around one API request: the API Gateway segment (the caller's X-Amzn-Trace-Id is joined) and
        Count, 4XXError, 5XXError and Latency. Yields the segment: its ``trace_header`` goes to the
        function; set its ``status`` once the answer is known."""
        started = time.monotonic()
        with service_segment(
            self.traces,
            f"{api_name}/{stage}",
            "AWS::ApiGateway::Stage",
            TraceHeader.parse(header),
            http={"request": {"method": method, "url": path}},
        ) as segment:
            try:
                yield segment
            finally:
                status = int(segment.pop("status", 502))
                segment["http"]["response"] = {"status": status}
                segment["error"], segment["fault"] = 400 <= status < 500, status >= 500
                dimensions = [{"Name": "ApiName", "Value": api_name}, {"Name": "Stage", "Value": stage}]
                data = [
                    {"MetricName": "Count", "Unit": "Count", "Value": 1},
                    {"MetricName": "4XXError", "Unit": "Count", "Value": int(400 <= status < 500)},
                    {"MetricName": "5XXError", "Unit": "Count", "Value": int(status >= 500)},
                    {
                        "MetricName": "Latency",
                        "Unit": "Milliseconds",
                        "Value": (time.monotonic() - started) * 1000,
                    },
                ]
                self.cloudwatch.put("AWS/ApiGateway", [{**d, "Dimensions": dimensions} for d in data])

    def events_put(self, event_ids: list[str], header: str | None) -> None:
        """EventBridge keeps the PutEvents call's trace header with each event and passes it to targets."""
        parsed = TraceHeader.parse(header)
        if parsed is not None:
            for event_id in event_ids:
                self.event_headers[event_id] = parsed

    def header_of_event(self, event: Any) -> TraceHeader | None:
        return self.event_headers.get(event.get("id", "")) if isinstance(event, dict) else None

    def execution_started(self, arn: str, state_machine_arn: str, header: str | None) -> None:
        """Step Functions' segment of an execution started with a trace header; ended by
        ``execution_ended`` when the execution's status is final."""
        parsed = TraceHeader.parse(header)
        if parsed is None:
            return
        self.executions[arn] = {
            "trace_id": parsed.root,
            "id": new_segment_id(),
            "name": state_machine_arn.split(":")[-1],
            "origin": "AWS::StepFunctions::StateMachine",
            "start_time": time.time(),
            "in_progress": True,
            **({"parent_id": parsed.parent} if parsed.parent else {}),
            "aws": {"stepfunctions": {"execution_arn": arn}},
        }
        self.traces.record(dict(self.executions[arn]))

    def execution_ended(self, arn: str, status: str, ended: float) -> None:
        segment = self.executions.pop(arn, None)
        if segment is not None:
            segment.pop("in_progress")
            segment.update(end_time=ended, fault=status in ("FAILED", "TIMED_OUT", "ABORTED"))
            segment["annotations"] = {"status": status}
            self.traces.record(segment)


def iterator_age_ms(event: Any) -> float | None:
    """Lambda's IteratorAge of a stream batch: how old its last record is when the function gets it."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not records or not isinstance(records[-1], dict) or "dynamodb" not in records[-1]:
        return None
    created = records[-1]["dynamodb"].get("ApproximateCreationDateTime")
    if not isinstance(created, int | float):
        return None
    return max(0.0, (datetime.now(UTC).timestamp() - created) * 1000)


@dataclass
class Observability:
    """The local stack's X-Ray daemon and OTLP endpoint, trace store, CloudWatch writer, observer and
    alarm clock."""

    traces: TraceStore
    cloudwatch: CloudWatch
    daemon: Daemon
    receiver: OtlpReceiver
    observer: Observer
    clock: AlarmClock
    _exits: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def environment(self) -> dict[str, str]:
        """What Lambda sets for tracing in every function's environment: the daemon's address, and the
        task root whose absence makes Powertools' Tracer assume it runs outside Lambda."""
        return {
            **daemon_environment(self.daemon.address),
            "LAMBDA_TASK_ROOT": str(ROOT),
            "POWERTOOLS_TRACE_DISABLED": os.environ.get("POWERTOOLS_TRACE_DISABLED", "false"),
        }

    def stop(self) -> None:
        self._exits.close()
        self.daemon.stop()
        self.receiver.stop()


def start_observability(
    aws: Aws, provisioned: Provisioned, stop: threading.Event, log: Callable[[str], None]
) -> Observability:
    """Listen for segments and spans, pass trace headers through moto's EventBridge and Step Functions,
    and run the alarm clock over the template's queues and state machines until ``stop``."""
    resolver = provisioned.resolver
    traces = TraceStore()
    cloudwatch = CloudWatch(resolver.account_id, resolver.region)
    daemon = Daemon(traces).start()
    receiver = OtlpReceiver(traces).start()
    observer = Observer(traces, cloudwatch, daemon.address, receiver.endpoint)
    queue_names = {
        name: url
        for (logical_id, attribute), name in resolver.attributes.items()
        if attribute == "QueueName" and (url := provisioned.physical.get(logical_id))
    }
    state_machines = [
        str(arn) for arn in provisioned.physical.values() if str(arn).startswith("arn:aws:states:")
    ]
    clock = AlarmClock(aws, cloudwatch, queue_names, state_machines, observer.execution_ended, log)
    observability = Observability(traces, cloudwatch, daemon, receiver, observer, clock)
    observability._exits.enter_context(
        trace_headers_passed_on(observer.events_put, observer.execution_started)
    )
    threading.Thread(target=clock.run, args=(stop,), name="alarm-clock", daemon=True).start()
    return observability
