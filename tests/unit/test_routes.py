"""One route registry: template.yaml's Api events. The handlers' Powertools decorators and the OpenAPI
generator's per-route documentation (tools/openapi.py) must name exactly its routes."""

import re

import pytest

from tests.harness import api_routes, handler_module
from tools.openapi import OPERATIONS

API_FUNCTIONS = sorted({route.function for route in api_routes()})


def _as_template_path(powertools_rule: str) -> str:
    """Powertools writes a path parameter as ``<name>``, API Gateway as ``{name}``; the name is free."""
    return re.sub(r"<\w+>", "{}", powertools_rule)


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_each_function_handles_exactly_the_routes_the_template_sends_it(function: str) -> None:
    resolver = handler_module(function).app
    handled = {
        (route.method, _as_template_path(route.path))
        # Private to Powertools, and the only place a resolver lists its routes; a rename fails here.
        for route in resolver._static_routes + resolver._dynamic_routes
    }
    declared = {
        (route.method, re.sub(r"\{\w+\}", "{}", route.path))
        for route in api_routes()
        if route.function == function
    }
    assert handled == declared


def test_every_route_of_the_template_is_documented_and_nothing_else() -> None:
    assert set(OPERATIONS) == {(route.method, route.path) for route in api_routes()}
