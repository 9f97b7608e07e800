"""Writes the API's request models (BookmarksApi's Models in template.yaml) from the pydantic models:
API Gateway validates a body with the same JSON Schema the function's pydantic model is, less the
keywords that only document (draft 4 needs none of them)."""

from typing import Any

import yaml
from pydantic import BaseModel

from bookmarks.models import BookmarkPatch, NewBookmark, ReviewDecision
from tools.generated import REPO, Block

BLOCK = Block(REPO / "template.yaml", "gateway models")
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    NewBookmark,
    BookmarkPatch,
    # feature: workflow
    ReviewDecision,
    # end feature: workflow
)
DOCUMENTATION_ONLY = frozenset({"title", "default", "description"})


def without_documentation(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with documentation-only keywords left out (property names are kept, whatever they are)."""

    def strip(node: Any, in_properties: bool = False) -> Any:
        if isinstance(node, dict):
            return {
                key: strip(value, in_properties=key == "properties")
                for key, value in node.items()
                if in_properties or key not in DOCUMENTATION_ONLY
            }
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    stripped: dict[str, Any] = strip(schema)
    return stripped


def gateway_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The gateway's model of ``model``: pydantic's JSON schema without documentation-only keywords."""
    return without_documentation(model.model_json_schema())


def models() -> dict[str, dict[str, Any]]:
    return {model.__name__: gateway_schema(model) for model in REQUEST_MODELS}


def rendered() -> str:
    """The Models property as YAML; patterns keep their escapes as written (ASCII only)."""
    return yaml.safe_dump({"Models": models()}, sort_keys=False, width=1_000_000, allow_unicode=False)
