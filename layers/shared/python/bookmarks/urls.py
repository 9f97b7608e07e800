"""What the app understands of a URL: whether it is a web URL, and its normalised form for duplicates."""

from urllib.parse import SplitResult, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def web_url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host and no credentials, or None if it is one. (The
    request models' pattern refuses control and invisible characters before this runs.)"""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return "must start with http:// or https://"
    if not parts.hostname or any(char.isspace() for char in url) or port == 0:
        return "must name a host, with no spaces"
    # The whole team sees a shared URL: a user name or password in it would be a leaked credential.
    if "@" in parts.netloc:
        return "must not carry a user name or password"
    # Browsers read a backslash as "/", so https://a.com\@b.com is a.com to them and b.com to urlsplit.
    if "\\" in url:
        return "must not contain a backslash"
    return None


def normalise(url: str) -> str:
    """The form two URLs share when they point at the same page: lower-case scheme and host, no default
    port, no fragment, no trailing slash. Query strings stay; they often select the page."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host if parts.port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    return SplitResult(scheme, netloc, path, parts.query, "").geturl()


def top_level_domain(url: str) -> str:
    """The last label of the host (``org`` for https://docs.python.org/3/), lower-case."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host.rsplit(".", 1)[-1]
