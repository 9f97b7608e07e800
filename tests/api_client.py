"""Calls the API's handlers in-process the way API Gateway does, for one signed-in user at a time."""

import json
from typing import Any

from tests.harness import Reply, find_route, invoke, proxy_event


def claims_for(
    user: str, groups: str | None = None, *, email_verified: bool = True, name: str | None = None
) -> dict[str, str]:
    """The claims the Cognito authorizer passes on for a verified ID token of ``user``; a REST API's
    authorizer flattens ``cognito:groups`` to a string such as "[editors]", and ``email_verified`` to
    "true" or "false"."""
    claims = {
        "sub": user,
        "email": f"{user}@example.com",
        "email_verified": str(email_verified).lower(),
        "token_use": "id",
        "cognito:username": user,
    }
    if groups is not None:
        claims["cognito:groups"] = groups
    if name is not None:
        claims["name"] = name
    return claims


class ApiClient:
    def __init__(
        self, user: str, groups: str | None = None, *, email_verified: bool = True, name: str | None = None
    ) -> None:
        self.user = user
        self.groups = groups
        self.email_verified = email_verified
        self.name = name

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw_body: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> Reply:
        found = find_route(method, path)
        assert found is not None, f"no route for {method} {path} in template.yaml"
        route, parameters = found
        if body is not None:
            raw_body = json.dumps(body)
        event = proxy_event(
            route,
            path,
            parameters,
            claims=claims_for(self.user, self.groups, email_verified=self.email_verified, name=self.name),
            body=raw_body,
            headers={"Content-Type": "application/json", **(headers or {})},
            query=query,
        )
        return invoke(route, event)

    def create(self, **fields: Any) -> dict[str, Any]:
        reply = self.request("POST", "/bookmarks", {"url": "https://example.com/a", "name": "A", **fields})
        assert reply.status == 201, reply.body
        created: dict[str, Any] = reply.body
        return created
