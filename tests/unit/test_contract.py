"""The gateway validates request bodies with the template's models; the function validates them again
with pydantic. Both must say the same thing, so the template's models are checked against pydantic's."""

from typing import Any

import pytest
from pydantic import BaseModel

from bookmarks.models import BookmarkPatch, NewBookmark, ReviewDecision
from local.functions import api_routes
from local.template import resource

# Keywords that document a schema but do not constrain it; API Gateway's draft 4 needs none of them.
_DOCUMENTATION_ONLY = {"title", "default", "description"}


def gateway_schema(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic's JSON schema of ``model`` with documentation-only keywords left out."""

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

    schema: dict[str, Any] = strip(model.model_json_schema())
    return schema


@pytest.mark.parametrize("model", [NewBookmark, BookmarkPatch, ReviewDecision])
def test_gateway_model_matches_the_pydantic_model(model: type[BaseModel]) -> None:
    gateway_models = resource("BookmarksApi")["Properties"]["Models"]

    assert gateway_models[model.__name__] == gateway_schema(model)


def test_every_request_model_a_route_names_is_defined() -> None:
    api = resource("BookmarksApi")["Properties"]
    named = {route.request_model for route in api_routes() if route.request_model}

    assert named == set(api["Models"]) == {"NewBookmark", "BookmarkPatch", "ReviewDecision"}
