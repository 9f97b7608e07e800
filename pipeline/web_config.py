"""The web client's config.json: where it finds the API and Cognito, made from a stack's outputs.

Its one definition, used by `make web-publish` for a deployed stack and named in local.toml for the local
stack, which passes its own outputs, its Cognito endpoint and its demo users."""

from collections.abc import Mapping, Sequence
from typing import Any


def web_config(
    outputs: Mapping[str, str],
    region: str,
    *,
    cognito_endpoint: str | None = None,
    demo_users: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """config.json for the stack with these outputs (ApiUrl, UserPoolId, UserPoolClientId)."""
    config: dict[str, Any] = {
        "api_url": outputs["ApiUrl"],
        "region": region,
        "cognito_endpoint": cognito_endpoint or f"https://cognito-idp.{region}.amazonaws.com/",
        "user_pool_id": outputs["UserPoolId"],
        "user_pool_client_id": outputs["UserPoolClientId"],
    }
    if demo_users:
        config["demo_users"] = [dict(user) for user in demo_users]
    return config
