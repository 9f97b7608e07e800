"""The app's names as template.yaml derives them from its one name, the AppName parameter, resolved as
CloudFormation resolves them with the parameters' defaults. Tests read names from here, never as literals,
so that a renamed app (README, "Make it yours: rename") passes them unchanged."""

from functools import cache
from typing import Any

from tests.harness import Resolver, resource, template


def app_name() -> str:
    """AppName's Default: the one place the app's name is written."""
    return str(template()["Parameters"]["AppName"]["Default"])


def resolved(value: Any, **parameters: str) -> Any:
    """``value`` (a piece of template.yaml) with its intrinsics resolved, parameters at their defaults
    unless given."""
    return Resolver(template(), stack_name=f"{app_name()}-dev", parameter_overrides=parameters).resolve(value)


@cache
def function_environment() -> dict[str, str]:
    """The variables Globals gives every function, as deployed with the default parameters."""
    variables: dict[str, str] = resolved(template()["Globals"]["Function"]["Environment"]["Variables"])
    return variables


def service() -> str:
    """The Powertools service: the ``service`` dimension of every business metric."""
    return function_environment()["POWERTOOLS_SERVICE_NAME"]


def metrics_namespace() -> str:
    """The CloudWatch namespace of the business metrics."""
    return function_environment()["POWERTOOLS_METRICS_NAMESPACE"]


def event_source() -> str:
    """The ``source`` of every domain event, as the stream function is told it."""
    variables = resource("BookmarkEventsFunction")["Properties"]["Environment"]["Variables"]
    return str(resolved(variables["BOOKMARKS_EVENT_SOURCE"]))


def powertools_environment() -> dict[str, str]:
    """What a test process sets before a handler module loads, as the template sets it."""
    return {
        "POWERTOOLS_SERVICE_NAME": service(),
        "POWERTOOLS_METRICS_NAMESPACE": metrics_namespace(),
        "BOOKMARKS_EVENT_SOURCE": event_source(),
    }
