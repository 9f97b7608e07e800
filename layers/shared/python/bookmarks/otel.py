"""The OpenTelemetry provider of the tracing seam (bookmarks/observability.py), with Powertools' Tracer API.

It continues the trace Lambda starts (_X_AMZN_TRACE_ID, read by AWS's X-Ray propagator) with X-Ray trace
ids, makes every botocore call a span, and marks the attributes an operator searches by as X-Ray
annotations (the ``aws.xray.annotations`` attribute). Spans go over OTLP/HTTP, at the end of each
invocation, to X-Ray's OTLP endpoint signed with SigV4 (AWS's exporter from aws-opentelemetry-distro),
or to the endpoint OTEL_EXPORTER_OTLP_TRACES_ENDPOINT names (the local stack's). Only the OpenTelemetry
layer carries the packages: nothing here is imported unless TRACING_PROVIDER chooses it.
"""

import functools
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from opentelemetry import trace
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.propagators.aws import AwsXRayLambdaPropagator
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

# The span attribute listing which of its attributes X-Ray indexes as annotations (README, Observability).
ANNOTATIONS = "aws.xray.annotations"
ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"


def xray_endpoint(region: str) -> str:
    """X-Ray's OTLP traces endpoint in ``region`` (it needs Transaction Search on in the account)."""
    return f"https://xray.{region}.amazonaws.com/v1/traces"


def exporter(endpoint: str, region: str) -> SpanExporter:
    """OTLP/HTTP (protobuf) to ``endpoint``: signed with the function's role if it is AWS's, plain if not."""
    if (urlparse(endpoint).hostname or "").endswith(".amazonaws.com"):
        from amazon.opentelemetry.distro.exporter.otlp.aws.traces.otlp_aws_span_exporter import (  # type: ignore[import-untyped]  # the distro ships no type information
            OTLPAwsSpanExporter,
        )
        from botocore.session import Session

        # The function's role signs it (the X-Ray write access Tracing: Active grants covers the endpoint).
        signed: SpanExporter = OTLPAwsSpanExporter(endpoint=endpoint, aws_region=region, session=Session())
        return signed
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint)


class OpenTelemetryTracer:
    """Powertools' Tracer API on the OpenTelemetry SDK: the handler and captured methods are spans named
    as Powertools names its subsegments (``## name``), with its ColdStart and Service annotations."""

    def __init__(self, span_exporter: SpanExporter | None = None) -> None:
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.service = os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")
        # What opentelemetry-sdk-extension-aws's Lambda detector reads, without importing its EC2, ECS and
        # EKS detectors at every cold start.
        resource = Resource.create(
            {
                "service.name": self.service,
                "cloud.provider": "aws",
                "cloud.platform": "aws_lambda",
                "cloud.region": region,
                "faas.name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
                "faas.version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
            }
        )
        # Only spans inside an invocation's trace are recorded: a call outside any (at init, or the
        # local stack's own pollers) has no parent and is dropped, as the X-Ray SDK drops it.
        self.provider = TracerProvider(
            resource=resource, id_generator=AwsXRayIdGenerator(), sampler=ParentBased(ALWAYS_OFF)
        )
        chosen = span_exporter or exporter(os.environ.get(ENDPOINT_VARIABLE) or xray_endpoint(region), region)
        self.provider.add_span_processor(BatchSpanProcessor(chosen))
        instrumentor = BotocoreInstrumentor()  # type: ignore[no-untyped-call]  # the instrumentation is untyped
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=self.provider)
        self.tracer = self.provider.get_tracer("bookmarks")
        self.cold_start = True

    def capture_lambda_handler(self, lambda_handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(lambda_handler)
        def traced(event: Any, context: Any) -> Any:
            parent = AwsXRayLambdaPropagator().extract({})
            try:
                with self._span(f"## {lambda_handler.__name__}", parent):
                    self.put_annotation("ColdStart", self.cold_start)
                    self.put_annotation("Service", self.service)
                    self.cold_start = False
                    return lambda_handler(event, context)
            finally:
                # Lambda freezes the process once the handler returns: what is not sent now may never be.
                self.provider.force_flush()

        return traced

    def capture_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def traced(*args: Any, **kwargs: Any) -> Any:
            with self._span(f"## {method.__qualname__}"):
                return method(*args, **kwargs)

        return traced

    def put_annotation(self, key: str, value: str | int | float | bool) -> None:
        """An attribute X-Ray indexes (``annotation.<key>`` in a filter expression) on the current span."""
        span = trace.get_current_span()
        if not span.is_recording():
            return
        span.set_attribute(key, value)
        indexed = tuple(getattr(span, "attributes", {}).get(ANNOTATIONS, ()))
        if key not in indexed:
            span.set_attribute(ANNOTATIONS, [*indexed, key])

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        """An attribute X-Ray keeps but does not index; values that are not text are stored as JSON."""
        span = trace.get_current_span()
        if span.is_recording():
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            span.set_attribute(f"{namespace or self.service}.{key}", text)

    @contextmanager
    def _span(self, name: str, parent: Any = None) -> Iterator[trace.Span]:
        with self.tracer.start_as_current_span(name, context=parent) as span:
            yield span
