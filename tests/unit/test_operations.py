"""The template's operational settings, read from template.yaml: the bus's archive, the stream's
fan-out and the clients' bounds, and (with the workflow) the execution timeout its alarm depends on."""

from bookmarks import aws
from tests.harness import resource, template

YEAR_SECONDS = 365 * 24 * 3600  # a Standard workflow's longest execution (Step Functions quotas)


def test_the_bus_archives_every_domain_event_longer_than_any_dead_letter_queue_keeps_one() -> None:
    archive = resource("BookmarksArchive")["Properties"]
    queues = [
        body["Properties"].get("MessageRetentionPeriod", 345600)
        for body in template()["Resources"].values()
        if body["Type"] == "AWS::SQS::Queue"
    ]

    assert archive["SourceArn"] == {"Fn::GetAtt": ["BookmarksBus", "Arn"]}
    assert archive["EventPattern"] == {"source": [{"Ref": "AppName"}]}
    assert archive["RetentionDays"] * 86400 > max(queues)


def test_the_stream_function_outlasts_its_slowest_call_and_keeps_each_items_order() -> None:
    function = resource("BookmarkEventsFunction")["Properties"]
    mapping = resource("BookmarkEventsMapping")["Properties"]

    assert function["Timeout"] > aws.WORST_CALL_SECONDS
    # Lambda keeps records of one item in order across a shard's concurrent batches; 10 is its maximum.
    assert 1 < mapping["ParallelizationFactor"] <= 10


# feature: workflow
def test_an_execution_times_out_after_the_longest_review_can_wait_so_its_alarm_can_fire() -> None:
    import json  # here, so that the rest of the file stays whole without the workflow

    from tests.harness import TEMPLATE_PATH

    definition = json.loads((TEMPLATE_PATH.parent / "statemachine" / "publish_bookmark.asl.json").read_text())
    longest_review = template()["Parameters"]["ReviewTimeoutSeconds"]["MaxValue"]
    alarm = resource("PublishBookmarkTimedOutAlarm")["Properties"]

    assert longest_review < definition["TimeoutSeconds"] <= YEAR_SECONDS
    assert alarm["MetricName"] == "ExecutionsTimedOut"


# end feature: workflow
