"""API Gateway's Cognito user-pool authorizer: verifies an ID token against the pool's JWKS and passes the
claims on as strings, the way the REST API hands them to a function."""

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# API Gateway renders these claims as dates, not epoch seconds.
_DATE_CLAIMS = {"exp", "iat", "auth_time"}


def claim_strings(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as a REST API's Cognito authorizer passes them: every value a string, lists comma-joined."""
    rendered = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float):
            rendered[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, bool):
            rendered[name] = "true" if value else "false"
        elif isinstance(value, list):
            rendered[name] = ",".join(str(item) for item in value)
        else:
            rendered[name] = str(value)
    return rendered


def fetch_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (the URL is the local moto server)
        loaded: dict[str, Any] = json.load(answer)
        return loaded


@dataclass
class CognitoAuthorizer:
    """Accepts an ID token the pool signed (RS256), unexpired, for one of the pool's app clients."""

    jwks_url: str
    issuer: str
    audiences: frozenset[str]
    clock: Callable[[], float] = time.time
    fetch: Callable[[str], dict[str, Any]] = fetch_json
    _keys: KeySet | None = field(default=None, repr=False)

    def keys(self) -> KeySet:
        if self._keys is None:
            self._keys = KeySet.import_key_set(self.fetch(self.jwks_url))  # type: ignore[arg-type]
        return self._keys

    def claims(self, token: str | None) -> dict[str, str] | None:
        """The token's claims as strings, or None if the gateway would answer 401."""
        if not token:
            return None
        try:
            decoded = jwt.decode(token, self.keys(), algorithms=["RS256"])
        except (JoseError, ValueError):
            return None
        claims = decoded.claims
        now = self.clock()
        # Unexpired, and neither issued nor valid only from some time still to come.
        if not _is_time(claims.get("exp")) or claims["exp"] <= now:
            return None
        if not _is_time(claims.get("iat")) or claims["iat"] > now:
            return None
        if "nbf" in claims and (not _is_time(claims["nbf"]) or claims["nbf"] > now):
            return None
        if claims.get("iss") != self.issuer or claims.get("token_use") != "id":
            return None
        # A Cognito ID token names its one app client as a string; a list or an object is not one.
        audience = claims.get("aud")
        if not isinstance(audience, str) or audience not in self.audiences:
            return None
        return claim_strings(claims)


def _is_time(value: Any) -> bool:
    """A NumericDate: seconds since the epoch (JSON true is not one, though Python counts it an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
