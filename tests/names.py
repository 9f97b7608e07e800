"""The app's names as template.yaml derives them from its one name, the AppName parameter, resolved as
CloudFormation resolves them with the parameters' defaults. Tests read names from here, never as literals,
so that a renamed app (README, "Make it yours: rename") passes them unchanged."""

import re
import tomllib
from functools import cache
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from tests.harness import ROOT, Resolver, local_stack_name, resource, template, translated


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


def contest_environment() -> dict[str, str]:
    """BOOKMARKS_CONTEST as the template gives it to the store function: there while the contest runs."""
    variables = resource("StoreBookmarkFunction")["Properties"]["Environment"]["Variables"]
    return {name: str(variables[name]) for name in ("BOOKMARKS_CONTEST",) if name in variables}


def rule_sources() -> set[str]:
    """The sources every rule of the translated template matches."""
    return {
        source
        for r in translated()["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        for source in resolved(r["Properties"]["EventPattern"]["source"])
    }


def dashboard_namespaces() -> set[str]:
    """The namespace of every metric line on the dashboard that is not AWS's own."""
    body = resource("OperationsDashboard")["Properties"]["DashboardBody"]["Fn::Sub"]
    lines = re.findall(r'\[\s*"([^"]+)",', body.replace("${AppName}", app_name()))
    return {namespace for namespace in lines if not namespace.startswith("AWS/")}


def every_name() -> dict[str, Any]:
    """Every name the app takes from AppName, as a deploy and the local stack would make it."""
    samconfig = tomllib.loads((ROOT / "samconfig.toml").read_text())
    oidc = yaml_parse((ROOT / "pipeline" / "github-oidc.yaml").read_text())
    return {
        "service": service(),
        "metrics namespace": metrics_namespace(),
        "event source": event_source(),
        "rule sources": sorted(rule_sources()),
        "bus": resolved(resource("BookmarksBus")["Properties"]["Name"]),
        "dashboard namespaces": sorted(dashboard_namespaces()),
        "stacks": sorted(
            tables["global"]["parameters"]["stack_name"]
            for tables in samconfig.values()
            if isinstance(tables, dict) and "global" in tables
        ),
        "pipeline stack prefix": oidc["Parameters"]["StackNamePrefix"]["Default"],
        "local stack": local_stack_name(translated(), {}),
    }
