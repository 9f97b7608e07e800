"""The local stack's observability pieces: the X-Ray daemon, the OTLP endpoint and the trace store, EMF
extraction into the embedded CloudWatch, and the alarm clock's decisions and notifications."""

import io
import json
import socket
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor

from bookmarks.otel import OpenTelemetryTracer
from local.alarms import AlarmClock, local_period, next_state
from local.metrics import MAX_METRICS, CloudWatch, EmfTee, InvalidEmf, parse
from local.provision import Aws
from local.xray import Daemon, OtlpReceiver, TraceHeader, TraceStore, entities, new_trace_id
from tests.e2e.http import eventually
from tests.names import service

ACCOUNT, REGION = "123456789012", "us-east-1"


def _emf(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(datetime.now(UTC).timestamp() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": "Example",
                    "Dimensions": [["service"], ["service", "outcome"]],
                    "Metrics": [{"Name": "ContestEntryDecided", "Unit": "Count"}],
                }
            ],
        },
        "service": "example",
        "outcome": "approved",
        "ContestEntryDecided": [1.0, 1.0],
    }
    document.update(overrides)
    return document


def test_a_segment_sent_over_udp_in_the_daemon_protocol_is_kept_under_its_trace() -> None:
    store = TraceStore()
    daemon = Daemon(store).start()
    trace_id = new_trace_id()
    segment = {"trace_id": trace_id, "id": "a" * 16, "name": "fn", "start_time": 1.0, "end_time": 2.0}
    host, port = daemon.address.split(":")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(
                b'{"format":"json","version":1}\n' + json.dumps(segment).encode(), (host, int(port))
            )
            sender.sendto(b"not the protocol", (host, int(port)))
        kept = eventually(lambda: store.trace(trace_id))
    finally:
        daemon.stop()

    assert kept == [segment]
    assert store.trace_ids() == [trace_id]


def test_streamed_subsegments_are_nested_under_their_parents_and_found_by_annotation() -> None:
    store, trace_id = TraceStore(), new_trace_id()
    store.record({"trace_id": trace_id, "id": "s1", "name": "fn", "start_time": 1.0, "end_time": 3.0})
    store.record(
        {
            "trace_id": trace_id,
            "id": "c1",
            "type": "subsegment",
            "parent_id": "s1",
            "name": "## handler",
            "start_time": 1.5,
            "annotations": {"operation": "record_entry"},
        }
    )

    [segment] = store.trace(trace_id)

    assert [child["name"] for child in segment["subsegments"]] == ["## handler"]
    assert store.find(operation="record_entry") == [trace_id]
    assert store.find(operation="other") == []


def test_the_store_keeps_only_the_most_recent_traces() -> None:
    store = TraceStore(capacity=2)
    ids = [new_trace_id() for _ in range(3)]
    for trace_id in ids:
        store.record({"trace_id": trace_id, "id": trace_id[-16:], "name": "fn", "start_time": 1.0})

    assert store.trace_ids() == ids[1:]


# An invocation's _X_AMZN_TRACE_ID: the trace Lambda started, its function segment as the parent.
ROOT_ID, PARENT = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"


def test_spans_posted_to_the_local_otlp_endpoint_are_kept_as_xrays_subsegments(
    monkeypatch: pytest.MonkeyPatch, aws: Any
) -> None:
    store = TraceStore()
    receiver = OtlpReceiver(store).start()
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT_ID};Parent={PARENT};Sampled=1")
    tracer = OpenTelemetryTracer(OTLPSpanExporter(endpoint=receiver.endpoint))
    try:

        @tracer.capture_lambda_handler
        def lambda_handler(event: Any, context: Any) -> None:
            tracer.put_annotation("outcome", "success")
            tracer.put_metadata("batch", {"records": 2})
            boto3.client("dynamodb").list_tables()

        lambda_handler({}, None)
    finally:
        BotocoreInstrumentor().uninstrument()  # type: ignore[no-untyped-call]  # the instrumentation is untyped
        receiver.stop()

    [handler] = store.trace(ROOT_ID)  # its parent, Lambda's function segment, is not in this store
    [call] = handler["subsegments"]
    assert (handler["name"], handler["parent_id"], handler["type"]) == (
        "## lambda_handler",
        PARENT,
        "subsegment",
    )
    assert handler["annotations"] == {"ColdStart": True, "Service": service(), "outcome": "success"}
    assert handler["metadata"]["default"][f"{service()}.batch"] == '{"records": 2}'
    assert (call["name"], call["namespace"], call["aws"]) == ("DynamoDB", "aws", {"operation": "ListTables"})
    assert store.find(outcome="success") == [ROOT_ID]
    assert [e["id"] for e in entities(store.trace(ROOT_ID))] == [handler["id"], call["id"]]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [("/v1/traces", b"\xff not protobuf", 400), ("/v1/metrics", b"", 404)],
)
def test_the_local_otlp_endpoint_refuses_what_is_not_a_trace_export(
    path: str, body: bytes, status: int
) -> None:
    store = TraceStore()
    receiver = OtlpReceiver(store).start()
    url = receiver.endpoint.removesuffix("/v1/traces") + path
    request = urllib.request.Request(url, data=body)  # noqa: S310 (http to our own local endpoint)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 (our own local endpoint)
    finally:
        receiver.stop()

    assert refused.value.code == status
    assert store.trace_ids() == []


def test_a_trace_header_is_read_and_passed_on_with_a_new_parent() -> None:
    header = TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")

    assert header is not None
    assert str(header.child("0000000000000001")) == (
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000001;Sampled=1"
    )
    assert TraceHeader.parse("Self=1-abc") is None
    assert TraceHeader.parse(None) is None


def test_an_emf_line_makes_one_datum_per_metric_and_dimension_set() -> None:
    data = parse(_emf())

    assert [(d.name, d.dimensions, d.values) for d in data] == [
        ("ContestEntryDecided", (("service", "example"),), (1.0, 1.0)),
        ("ContestEntryDecided", (("service", "example"), ("outcome", "approved")), (1.0, 1.0)),
    ]


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ({"outcome": 7}, "no string value"),
        ({"ContestEntryDecided": "one"}, "numbers"),
        ({"ContestEntryDecided": [1.0] * 101}, "between 1 and 100"),
        ({"_aws": {"CloudWatchMetrics": []}}, "Timestamp"),
    ],
)
def test_emf_that_breaks_the_specification_is_not_extracted(broken: dict[str, Any], why: str) -> None:
    with pytest.raises(InvalidEmf, match=why):
        parse(_emf(**broken))


def test_more_than_100_metrics_or_an_unknown_unit_in_a_directive_are_refused() -> None:
    names = [f"M{i}" for i in range(MAX_METRICS + 1)]
    crowded = _emf(**dict.fromkeys(names, 1))
    crowded["_aws"]["CloudWatchMetrics"][0]["Metrics"] = [{"Name": n, "Unit": "Count"} for n in names]
    odd_unit = _emf()
    odd_unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = "Example"

    with pytest.raises(InvalidEmf, match="at most 100"):
        parse(crowded)
    with pytest.raises(InvalidEmf, match="not a CloudWatch unit"):
        parse(odd_unit)


def test_each_invocations_output_lines_reach_its_own_sink_while_threads_print_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    console = io.StringIO()
    monkeypatch.setattr(sys, "stdout", console)
    lines: dict[int, list[str]] = {0: [], 1: []}
    both_printing = threading.Barrier(2)

    def invocation(number: int) -> None:
        with EmfTee.lines_to(lines[number].append):
            both_printing.wait()
            for count in range(50):
                print(json.dumps({"invocation": number, "count": count}))
        print("{not inside any invocation}")

    threads = [threading.Thread(target=invocation, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One tee stays in place for every thread, whatever order the invocations ended in.
    assert isinstance(sys.stdout, EmfTee)
    assert sys.stdout.console is console
    for number in (0, 1):
        assert [json.loads(line) for line in lines[number]] == [
            {"invocation": number, "count": count} for count in range(50)
        ]
    assert console.getvalue().count("\n") == 102


def test_emf_metrics_are_queryable_with_get_metric_data(embedded_aws: Aws) -> None:
    cloudwatch = CloudWatch(ACCOUNT, REGION)
    cloudwatch.put_emf(json.dumps(_emf()))
    cloudwatch.put_emf('{"_aws": "broken"}')
    cloudwatch.put_emf("a plain log line")
    end = datetime.now(UTC) + timedelta(minutes=1)

    answer = embedded_aws.client("cloudwatch").get_metric_data(
        StartTime=end - timedelta(hours=1),
        EndTime=end,
        MetricDataQueries=[
            {
                "Id": "decided",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "Example",
                        "MetricName": "ContestEntryDecided",
                        "Dimensions": [
                            {"Name": "service", "Value": "example"},
                            {"Name": "outcome", "Value": "approved"},
                        ],
                    },
                    "Period": 3600,
                    "Stat": "Sum",
                },
            }
        ],
    )

    assert sum(answer["MetricDataResults"][0]["Values"]) == 2.0
    assert cloudwatch.rejected == ["_aws.CloudWatchMetrics must be an array"]


ALARM = {
    "EvaluationPeriods": 1,
    "Threshold": 0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "notBreaching",
}


@pytest.mark.parametrize(
    ("values", "treat", "expected"),
    [
        ([1.0], "notBreaching", "ALARM"),
        ([0.0], "notBreaching", "OK"),
        ([], "notBreaching", "OK"),
        ([], "breaching", "ALARM"),
        ([], "missing", "INSUFFICIENT_DATA"),
        ([], "ignore", "ALARM"),
    ],
)
def test_an_alarm_decides_as_cloudwatch_does(values: list[float], treat: str, expected: str) -> None:
    state, _ = next_state(values, {**ALARM, "TreatMissingData": treat}, current="ALARM")

    assert state == expected


def test_five_aws_minutes_are_five_local_seconds() -> None:
    assert (local_period(300), local_period(60), local_period(10)) == (5, 1, 1)


def test_a_message_in_a_watched_queue_drives_its_alarm_to_alarm_and_notifies_the_topic(
    embedded_aws: Aws,
) -> None:
    sqs, sns, cloudwatch = embedded_aws.sqs(), embedded_aws.sns(), embedded_aws.client("cloudwatch")
    queue = sqs.create_queue(QueueName="failures")["QueueUrl"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox")
    cloudwatch.put_metric_alarm(
        AlarmName="failures-waiting",
        AlarmActions=[topic],
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "failures"}],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    clock = AlarmClock(embedded_aws, CloudWatch(ACCOUNT, REGION), {"failures": queue}, [])
    sqs.send_message(QueueUrl=queue, MessageBody="a poison record's batch info")

    clock.sample()
    changes = clock.evaluate()
    received = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=1).get("Messages", [])

    assert changes == [("failures-waiting", "OK", "ALARM")]
    [message] = [json.loads(json.loads(m["Body"])["Message"]) for m in received]
    assert (message["AlarmName"], message["OldStateValue"], message["NewStateValue"]) == (
        "failures-waiting",
        "OK",
        "ALARM",
    )
    assert message["Trigger"]["Dimensions"] == [{"value": "failures", "name": "QueueName"}]
