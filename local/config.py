"""The local stack's own settings, read from local.toml beside template.yaml: what the template cannot say
(the stack's name, the users to create, the web client and its config.json, outputs that differ locally).
local/README.md describes each key; local/ knows nothing else of the app."""

import importlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from local.template import TEMPLATE_PATH

CONFIG_PATH = TEMPLATE_PATH.parent / "local.toml"


@dataclass(frozen=True)
class User:
    """A user the local stack creates in the template's user pool, confirmed, in the named groups."""

    email: str
    password: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebSettings:
    """The static web client: its folder, and ``module:function`` that makes its config.json, called as
    ``f(outputs, region, cognito_endpoint=..., demo_users=[{email, password, groups}])``."""

    root: Path
    config: str

    def config_maker(self) -> Callable[..., dict[str, Any]]:
        module, _, function = self.config.partition(":")
        maker: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), function)
        return maker


@dataclass(frozen=True)
class LocalConfig:
    stack_name: str = "local"
    users: tuple[User, ...] = ()
    web: WebSettings | None = None
    # Output name -> its local value, with {api_url}, {aws_url} and {region} replaced.
    outputs: Mapping[str, str] = field(default_factory=dict)

    def local_outputs(self, **values: str) -> dict[str, str]:
        """The ``outputs`` overrides with the running stack's ``values`` put in."""
        return {name: template.format(**values) for name, template in self.outputs.items()}


def parse(text: str, root: Path) -> LocalConfig:
    """The settings of a local.toml's ``text``; relative paths are relative to ``root``."""
    raw = tomllib.loads(text)
    web = raw.get("web")
    return LocalConfig(
        stack_name=raw.get("stack_name", LocalConfig.stack_name),
        users=tuple(
            User(user["email"], user["password"], tuple(user.get("groups", ())))
            for user in raw.get("users", ())
        ),
        web=WebSettings(root / web["root"], web["config"]) if web else None,
        outputs=dict(raw.get("outputs", {})),
    )


@cache
def config(path: Path = CONFIG_PATH) -> LocalConfig:
    """The project's local.toml; without one, a stack with no users and no web client."""
    return parse(path.read_text() if path.exists() else "", path.parent)
