"""Finds the app's functions in template.yaml and loads their handlers in-process, as Lambda would."""

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from local.template import TEMPLATE_PATH, template

ROOT = TEMPLATE_PATH.parent


@dataclass(frozen=True)
class Route:
    """One API route of the template: method and path template, the function behind it, its body model."""

    method: str
    path: str
    function: str
    request_model: str | None
    # The event's Auth.Authorizer: None means the API's default; "NONE" means no authorizer.
    authorizer: str | None = None

    def resource_folder(self) -> str:
        """The folder of the function's code, e.g. ``get_bookmarks_function``."""
        return Path(functions()[self.function]["Properties"]["CodeUri"]).name

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if ``method`` and ``path`` fall on this route, else None."""
        if method.upper() != self.method:
            return None
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        found = re.fullmatch(pattern, path)
        return found.groupdict() if found else None


def functions() -> dict[str, dict[str, Any]]:
    """Every AWS::Serverless::Function of the template, by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


@cache
def api_routes() -> tuple[Route, ...]:
    return tuple(
        Route(
            method=event["Properties"]["Method"].upper(),
            path=event["Properties"]["Path"],
            function=logical_id,
            request_model=event["Properties"].get("RequestModel", {}).get("Model"),
            authorizer=event["Properties"].get("Auth", {}).get("Authorizer"),
        )
        for logical_id, function in functions().items()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    )


@cache
def handler_module(logical_id: str) -> ModuleType:
    """Import the function's handler module (``CodeUri`` + ``Handler``) under a name of its own."""
    properties = functions()[logical_id]["Properties"]
    module_name, _ = properties["Handler"].rsplit(".", 1)
    path = ROOT / properties["CodeUri"] / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"{path.parent.name}.{module_name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def use_layers() -> None:
    """Make the template's layers importable, as Lambda mounts them on /opt/python for every function."""
    for resource in template()["Resources"].values():
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            path = str(ROOT / resource["Properties"]["ContentUri"])
            if path not in sys.path:
                sys.path.append(path)


def handler(logical_id: str) -> Any:
    """The function's handler callable."""
    _, function_name = functions()[logical_id]["Properties"]["Handler"].rsplit(".", 1)
    return getattr(handler_module(logical_id), function_name)
