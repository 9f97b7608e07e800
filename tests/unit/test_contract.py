"""The gateway validates request bodies with the template's models; the function validates them again
with pydantic. Both must say the same thing, so the template's models are checked against pydantic's,
and so is the OpenAPI document that clients and the fuzz tests read (docs/openapi.json)."""

import json
from typing import Any

import pytest
from pydantic import BaseModel

from bookmarks.models import BookmarkPatch, NewBookmark, ReviewDecision
from local import openapi
from local.functions import api_routes
from local.template import resource

# Keywords that document a schema but do not constrain it; API Gateway's draft 4 needs none of them.
_DOCUMENTATION_ONLY = {"title", "default", "description"}


def without_documentation(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with documentation-only keywords left out (property names are kept, whatever they are)."""

    def strip(node: Any, in_properties: bool = False) -> Any:
        if isinstance(node, dict):
            return {
                key: strip(value, in_properties=key == "properties")
                for key, value in node.items()
                if in_properties or key not in _DOCUMENTATION_ONLY
            }
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    stripped: dict[str, Any] = strip(schema)
    return stripped


def gateway_schema(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic's JSON schema of ``model`` with documentation-only keywords left out."""
    return without_documentation(model.model_json_schema())


@pytest.mark.parametrize("model", [NewBookmark, BookmarkPatch, ReviewDecision])
def test_gateway_model_matches_the_pydantic_model(model: type[BaseModel]) -> None:
    gateway_models = resource("BookmarksApi")["Properties"]["Models"]

    assert gateway_models[model.__name__] == gateway_schema(model)


def test_every_request_model_a_route_names_is_defined() -> None:
    api = resource("BookmarksApi")["Properties"]
    named = {route.request_model for route in api_routes() if route.request_model}

    assert named == set(api["Models"]) == {"NewBookmark", "BookmarkPatch", "ReviewDecision"}


def test_committed_openapi_document_is_the_generated_one() -> None:
    assert openapi.OPENAPI_PATH.read_text() == openapi.rendered(), (
        "docs/openapi.json is stale: run make openapi"
    )


@pytest.mark.parametrize("model", openapi.REQUEST_MODELS)
def test_openapi_request_schema_matches_the_gateway_model(model: type[BaseModel]) -> None:
    gateway_models = resource("BookmarksApi")["Properties"]["Models"]
    schemas = json.loads(openapi.OPENAPI_PATH.read_text())["components"]["schemas"]

    assert without_documentation(schemas[model.__name__]) == gateway_models[model.__name__]


def test_openapi_document_has_every_route_of_the_template_with_its_request_model() -> None:
    paths = json.loads(openapi.OPENAPI_PATH.read_text())["paths"]

    for route in api_routes():
        operation = paths[route.path][route.method.lower()]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        named = body.get("schema", {}).get("$ref", "").removeprefix("#/components/schemas/") or None
        assert named == route.request_model, (route.method, route.path)
