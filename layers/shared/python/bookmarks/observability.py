"""What operators search traces by and what owners count: annotations and business metrics, in one place.

Annotations and metric dimensions carry operations, outcomes and statuses only: never a user, an email,
a token or a URL. Metric dimensions stay low-cardinality (each value is a separate, billed metric).
"""

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

if TYPE_CHECKING:  # the event functions never load a REST resolver (and its every sibling) at cold start
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from bookmarks.events import BookmarkEvent


def annotate(tracer: Tracer, **annotations: str) -> None:
    """Searchable trace annotations, e.g. ``annotation.outcome = "server_error"`` in the X-Ray console."""
    for key, value in annotations.items():
        tracer.put_annotation(key=key, value=str(value))


def count(metrics: Metrics, name: str, value: int = 1) -> None:
    """Count a business event (a PascalCase past-tense name) in this invocation's EMF line."""
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def outcome_of(status_code: int) -> str:
    """An API answer's outcome in three words an operator filters by, whatever the exact status."""
    if status_code >= 500:
        return "server_error"
    return "client_error" if status_code >= 400 else "success"


def resolve(
    app: "APIGatewayRestResolver", tracer: Tracer, event: dict[str, Any], context: "LambdaContext"
) -> dict[str, Any]:
    """Answer an API request and annotate its trace with the route template (``GET /bookmarks/{id}``,
    never the concrete path with its id) and the answer's outcome."""
    annotate(tracer, operation=f"{event.get('httpMethod')} {event.get('resource')}")
    answer = app.resolve(event, context)
    annotate(tracer, outcome=outcome_of(int(answer["statusCode"])))
    return answer


def count_published(metrics: Metrics, published: "Iterable[BookmarkEvent]") -> None:
    """The business metrics of events the stream function put on the bus: shares, and the workflow's
    decisions (the state machine cannot emit EMF, and each decision is published once per transition).
    Decisions are one metric with the outcome as a dimension, each flushed as its own EMF line."""
    # Only the stream function counts events: the API functions never load the event models.
    events = list(published)
    count(metrics, "DomainEventsPublished", len(events))
    # feature: contest
    from bookmarks.events import BookmarkShared

    count(metrics, "BookmarkShared", sum(isinstance(event, BookmarkShared) for event in events))
    # end feature: contest
    # feature: workflow
    from bookmarks.events import ContestEntryDecided

    decided = Counter(event.outcome for event in events if isinstance(event, ContestEntryDecided))
    for outcome, value in sorted(decided.items()):
        with single_metric(
            name="ContestEntryDecided", unit=MetricUnit.Count, value=value, namespace=metrics.namespace
        ) as metric:
            metric.add_dimension(name="outcome", value=outcome)
    # end feature: workflow
