"""The tests' one door into the local stack's tool (local/): the template as SAM translates it, the app's
handlers loaded as Lambda loads them, API Gateway's proxy event, the stream and rule semantics, the
embedded AWS and the whole stack. Tests of the app import these from here; only the tests of local/
itself import its modules (tests/unit/test_boundaries.py checks both), so a change of local/'s insides
changes this file, not the suites. It also says which table each function's variable names
(``table_variables``) and which groups it creates (``user_pool_groups``), so that fixtures make what the
template has, not a list of their own."""

from typing import Any

from local.config import config
from local.functions import ROOT, Route, api_routes, functions, handler, handler_module
from local.gateway import LambdaContext, Reply, find_route, invoke, proxy_event
from local.moto_patches import sent_notifications
from local.provision import Aws, create_table, filter_patterns, provision, state_machine_definition
from local.resolve import Resolver
from local.stack import Stack, start
from local.stack import stack_name as local_stack_name
from local.template import TEMPLATE_PATH, resource, template, translate, translated
from local.triggers import AtLeastOnce, StreamReader, apply_input_path, matches, matches_filters, redelivered
from local.web import WebClient, content_security_policy


def table_variables(document: dict[str, Any] | None = None) -> dict[str, str]:
    """Each AWS::DynamoDB::Table of template.yaml (or ``document``), by logical id, -> the environment
    variable functions find it by: the one a function's (or Globals') Environment sets to its Ref. A table
    no function names is left out; one that two functions know by different names is an error."""
    document = template() if document is None else document
    resources = document["Resources"]
    tables = {logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}
    environments: list[Any] = [document.get("Globals", {}).get("Function", {}).get("Environment", {})]
    environments += [
        r.get("Properties", {}).get("Environment", {})
        for r in resources.values()
        if r["Type"] == "AWS::Serverless::Function"
    ]
    found: dict[str, str] = {}
    for environment in environments:
        for variable, value in environment.get("Variables", {}).items():
            table = value.get("Ref") if isinstance(value, dict) else None
            if not isinstance(table, str) or table not in tables:
                continue
            if found.setdefault(table, variable) != variable:
                raise ValueError(f"{table} is {found[table]} to one function and {variable} to another")
    return found


def user_pool_groups() -> tuple[str, ...]:
    """The GroupName of every user pool group template.yaml creates: a caller in all of them reaches every
    route's own logic, and one the template does not create cannot be joined."""
    return tuple(
        sorted(
            str(r["Properties"]["GroupName"])
            for r in template()["Resources"].values()
            if r["Type"] == "AWS::Cognito::UserPoolGroup"
        )
    )


def table_environment(suffix: str = "test") -> dict[str, str]:
    """A name for every table functions read, under its variable: BOOKMARKS_TABLE_NAME -> bookmarks-test."""
    return {
        variable: f"{variable.removesuffix('_TABLE_NAME').lower().replace('_', '-')}-{suffix}"
        for variable in table_variables().values()
    }


__all__ = [
    "ROOT",
    "TEMPLATE_PATH",
    "AtLeastOnce",
    "Aws",
    "LambdaContext",
    "Reply",
    "Resolver",
    "Route",
    "Stack",
    "StreamReader",
    "WebClient",
    "api_routes",
    "apply_input_path",
    "config",
    "content_security_policy",
    "create_table",
    "filter_patterns",
    "find_route",
    "functions",
    "handler",
    "handler_module",
    "invoke",
    "local_stack_name",
    "matches",
    "matches_filters",
    "provision",
    "proxy_event",
    "redelivered",
    "resource",
    "sent_notifications",
    "start",
    "state_machine_definition",
    "table_environment",
    "table_variables",
    "template",
    "translate",
    "translated",
    "user_pool_groups",
]
