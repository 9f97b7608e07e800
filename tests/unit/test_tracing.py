"""The tracing seam: the X-Ray SDK by default, OpenTelemetry when the template says so (spans in Lambda's
trace, annotations X-Ray indexes, only inside an invocation), and the OpenTelemetry layer's pins and place
in the template. The local stack's OTLP endpoint is tested with its X-Ray daemon
(tests/unit/test_local_observability.py)."""

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Tracer as PowertoolsTracer
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bookmarks import otel
from bookmarks.observability import Tracer
from tests.harness import ROOT, template
from tests.names import service

ROOT_ID, PARENT = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[otel.OpenTelemetryTracer, InMemorySpanExporter]]:
    """The OpenTelemetry provider exporting to memory, in an invocation Lambda started a sampled trace for;
    botocore is instrumented for this test only."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT_ID};Parent={PARENT};Sampled=1")
    exported = InMemorySpanExporter()
    tracer = otel.OpenTelemetryTracer(exported)
    try:
        yield tracer, exported
    finally:
        BotocoreInstrumentor().uninstrument()  # type: ignore[no-untyped-call]  # the instrumentation is untyped


def test_the_default_provider_is_powertools_tracer_on_the_xray_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACING_PROVIDER", raising=False)

    assert isinstance(Tracer().provider, PowertoolsTracer)


def test_an_unknown_provider_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACING_PROVIDER", "zipkin")

    with pytest.raises(ValueError, match="TRACING_PROVIDER must be xray-sdk or opentelemetry, not 'zipkin'"):
        Tracer().provider  # noqa: B018 (the provider is chosen when first read)


def test_the_provider_is_chosen_at_the_first_call_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    tracer = Tracer()

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> str:
        return "answered"

    monkeypatch.setenv("TRACING_PROVIDER", "zipkin")  # set after decoration, as a test may

    assert tracer._provider is None
    with pytest.raises(ValueError, match="zipkin"):
        handler({}, None)


def test_opentelemetry_spans_continue_lambdas_trace_with_botocore_calls_and_indexed_annotations(
    spans: tuple[otel.OpenTelemetryTracer, InMemorySpanExporter], aws: Any
) -> None:
    tracer, exported = spans

    @tracer.capture_lambda_handler
    def lambda_handler(event: Any, context: Any) -> str:
        tracer.put_annotation("operation", "GET /bookmarks")
        boto3.client("dynamodb").list_tables()
        return "answered"

    assert lambda_handler({}, None) == "answered"
    lambda_handler({}, None)

    first_call, first, _, second = exported.get_finished_spans()
    assert (first.name, first_call.name) == ("## lambda_handler", "DynamoDB.ListTables")
    assert f"{first.context.trace_id:032x}" == ROOT_ID.removeprefix("1-").replace("-", "")
    assert first.parent is not None
    assert f"{first.parent.span_id:016x}" == PARENT
    assert first_call.parent is not None
    assert first_call.parent.span_id == first.context.span_id
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes["aws.xray.annotations"] == ("ColdStart", "Service", "operation")
    assert (first.attributes["ColdStart"], second.attributes["ColdStart"]) == (True, False)
    assert first.attributes["Service"] == service()


def test_an_invocation_lambda_did_not_sample_and_calls_outside_one_record_nothing(
    spans: tuple[otel.OpenTelemetryTracer, InMemorySpanExporter], aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracer, exported = spans
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT_ID};Parent={PARENT};Sampled=0")

    tracer.capture_lambda_handler(lambda event, context: tracer.put_annotation("outcome", "success"))(
        {}, None
    )
    boto3.client("dynamodb").list_tables()

    assert exported.get_finished_spans() == ()


def test_spans_are_signed_for_xrays_otlp_endpoint_and_sent_plain_elsewhere() -> None:
    signed = otel.exporter(otel.xray_endpoint("eu-west-1"), "eu-west-1")
    plain = otel.exporter("http://127.0.0.1:4318/v1/traces", "eu-west-1")

    assert type(signed).__name__ == "OTLPAwsSpanExporter"
    assert signed._endpoint == "https://xray.eu-west-1.amazonaws.com/v1/traces"  # type: ignore[attr-defined]
    assert type(plain) is OTLPSpanExporter


def _pins(text: str) -> dict[str, str]:
    found = (re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", line.strip()) for line in text.splitlines())
    return {match[1].lower(): match[2] for match in found if match}


def test_the_opentelemetry_layer_pins_the_opentelemetry_group_and_nothing_lambda_or_the_other_layer_has() -> (
    None
):
    layer = _pins((ROOT / "layers" / "opentelemetry" / "requirements.txt").read_text())
    group = _pins(
        "\n".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["opentelemetry"])
    )
    dependencies = _pins((ROOT / "layers" / "dependencies" / "requirements.txt").read_text())

    assert group
    assert {name: layer.get(name) for name in group} == group
    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & set(layer)
    assert not set(dependencies) & set(layer)


def test_only_a_stack_that_traces_with_opentelemetry_creates_and_loads_its_layer() -> None:
    document = template()
    layer = document["Resources"]["OpenTelemetryLayer"]
    function_globals = document["Globals"]["Function"]

    assert document["Parameters"]["TracingProvider"]["Default"] == "xray-sdk"
    assert layer["Condition"] == "TracesWithOpenTelemetry"
    assert function_globals["Layers"][-1] == {
        "Fn::If": ["TracesWithOpenTelemetry", {"Ref": "OpenTelemetryLayer"}, {"Ref": "AWS::NoValue"}]
    }
    assert function_globals["Tracing"] == "Active"  # Lambda's own segments, and the spans' parent, either way
    assert function_globals["Environment"]["Variables"]["TRACING_PROVIDER"] == {"Ref": "TracingProvider"}
