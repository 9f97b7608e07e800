"""What operators search traces by and what owners count: the tracing seam, annotations and business
metrics, in one place.

Annotations and metric dimensions carry operations, outcomes and statuses only: never a user, an email,
a token or a URL. Metric dimensions stay low-cardinality (each value is a separate, billed metric).
"""

import functools
import os
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

if TYPE_CHECKING:  # the event functions never load a REST resolver (and its every sibling) at cold start
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from bookmarks.events import BookmarkEvent

Function = TypeVar("Function", bound=Callable[..., Any])
# The template's TracingProvider parameter, in every function's environment.
PROVIDER_VARIABLE = "TRACING_PROVIDER"
XRAY_SDK, OPENTELEMETRY = "xray-sdk", "opentelemetry"


class TracingProvider(Protocol):
    """What the app traces through, as Powertools' Tracer offers it: the X-Ray SDK's (Powertools' own
    Tracer) and OpenTelemetry's (bookmarks/otel.py) both have it."""

    def capture_lambda_handler(self, lambda_handler: Any) -> Any: ...
    def capture_method(self, method: Any) -> Any: ...
    def put_annotation(self, key: str, value: Any) -> Any: ...
    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> Any: ...


class Tracer:
    """The one tracing interface of every handler, with Powertools' Tracer API (capture of handlers and
    methods, annotations, metadata). Which provider it traces through is read from TRACING_PROVIDER on
    first use, not at import: ``xray-sdk`` (the default) is Powertools' Tracer on the X-Ray SDK, exactly
    as before; ``opentelemetry`` is the OpenTelemetry SDK, loaded only then (README, Observability)."""

    def __init__(self, patch_modules: tuple[str, ...] = ("botocore",)) -> None:
        self.patch_modules = patch_modules  # all we call out with: patching every library costs init
        self._provider: TracingProvider | None = None

    @property
    def provider(self) -> TracingProvider:
        if self._provider is None:
            self._provider = _new_provider(os.environ.get(PROVIDER_VARIABLE, XRAY_SDK), self.patch_modules)
        return self._provider

    def capture_lambda_handler(self, lambda_handler: Function) -> Function:
        return self._captured(lambda_handler, lambda provider: provider.capture_lambda_handler)

    def capture_method(self, method: Function) -> Function:
        return self._captured(method, lambda provider: provider.capture_method)

    def put_annotation(self, key: str, value: str | int | float | bool) -> None:
        self.provider.put_annotation(key=key, value=value)

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        self.provider.put_metadata(key=key, value=value, namespace=namespace)

    def _captured(self, function: Function, capture: Callable[[TracingProvider], Any]) -> Function:
        """``function`` decorated by the provider's ``capture``, decided at its first call."""
        decorated: list[Callable[..., Any]] = []

        @functools.wraps(function)
        def traced(*args: Any, **kwargs: Any) -> Any:
            if not decorated:
                decorated.append(capture(self.provider)(function))
            return decorated[0](*args, **kwargs)

        return traced  # type: ignore[return-value]  # functools.wraps keeps the signature, mypy can't see it


def _new_provider(name: str, patch_modules: tuple[str, ...]) -> TracingProvider:
    if name == OPENTELEMETRY:
        from bookmarks.otel import OpenTelemetryTracer

        return OpenTelemetryTracer()
    if name != XRAY_SDK:
        raise ValueError(f"{PROVIDER_VARIABLE} must be {XRAY_SDK} or {OPENTELEMETRY}, not {name!r}")
    from aws_lambda_powertools import Tracer as PowertoolsTracer

    return PowertoolsTracer(patch_modules=list(patch_modules))


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
