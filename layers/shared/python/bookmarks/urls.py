"""What the app understands of a URL: whether it is a web URL, its one canonical form (what the duplicate
check compares), and the ASCII form of its host (shown beside one written in other characters)."""

import hashlib
import ipaddress
import re
from urllib.parse import SplitResult, quote, urlsplit

import idna

from bookmarks.text import is_hidden

WEB_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 section 2.3: percent-encoding these changes nothing, so section 6.2.2.2 decodes them.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_ASCII_HOST = re.compile(r"[a-z0-9_.-]{1,254}")
# A DNS label: 1 to 63 characters, no hyphen at either end (RFC 1123 section 2.1).
_ASCII_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


def web_url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host and no credentials, or None if it is one. (The
    request models' pattern refuses control and invisible characters of the Basic Multilingual Plane
    before this runs; the ones beyond it are refused here.)"""
    if any(is_hidden(char) for char in url):
        return "must not contain invisible characters"
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
    try:
        _ascii_host(parts.hostname)
    except (idna.IDNAError, UnicodeError):
        return "must have a host that is a valid domain name (IDNA, UTS #46)"
    return None


def url_key(url: str) -> str:
    """What two bookmarks of one page share in the table's indexes: the SHA-256 of the canonical form, in
    hex. DynamoDB limits a partition key to 2,048 bytes and a sort key to 1,024; the canonical form of a
    2,048-character URL can be longer (percent-encoding a character takes up to 12 bytes), the digest
    never."""
    return hashlib.sha256(normalise(url).encode()).hexdigest()


def normalise(url: str) -> str:
    """The one canonical form of a web URL, which two URLs share when they name the same page: scheme and
    host in lower case, the host in ASCII (IDNA, UTS #46 processing), no trailing dot, no default port,
    percent-encoding as RFC 3986 section 6.2.2 normalises it (unreserved characters decoded, hex digits in
    upper case, other characters encoded as UTF-8), no fragment, no trailing slash. Query strings stay,
    in their order: they often select the page. ``url`` must be one web_url_problem accepts."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _ascii_host(parts.hostname or "")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if parts.port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{parts.port}"
    path = _normalise_escapes(parts.path).rstrip("/")
    return SplitResult(scheme, netloc, path, _normalise_escapes(parts.query), "").geturl()


def ascii_host(url: str) -> str | None:
    """The URL's host in ASCII (``xn--bcher-kva.example``) when it is written with other characters,
    so that a look-alike in another script shows for what it is; None for an ASCII host."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host.isascii():
        return None
    try:
        return _ascii_host(host)
    except (idna.IDNAError, UnicodeError):
        return None


def top_level_domain(url: str) -> str:
    """The last label of the host in ASCII (``org`` for https://docs.python.org/3/), lower-case."""
    try:
        host = _ascii_host(urlsplit(url).hostname or "")
    except (idna.IDNAError, UnicodeError):
        host = ""
    return host.rsplit(".", 1)[-1]


def _ascii_host(hostname: str) -> str:
    """The host as DNS sees it; raises IDNAError for a name that is not a valid internationalised one.
    An ASCII name is only lower-cased (underscores and other names DNS allows stay allowed), unless it
    holds an A-label (``xn--``), which must decode."""
    host = hostname.lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    if host.isascii():
        # Letters, digits, hyphens, dots, and the underscores some DNS names have: nothing percent-encoded.
        labels = host.rstrip(".").split(".")
        if not _ASCII_HOST.fullmatch(host) or not all(_ASCII_LABEL.fullmatch(label) for label in labels):
            raise idna.IDNAError("not a host name")
        if "xn--" in host:
            idna.decode(host.rstrip("."), uts46=True)
        return host.rstrip(".")
    # UTS #46 maps full stops of other scripts (。) to ".", full-width letters to ASCII, case to lower.
    return idna.encode(host, uts46=True, transitional=False).decode("ascii").rstrip(".")


def _normalise_escapes(text: str) -> str:
    """``text`` with percent-encoding normalised (RFC 3986 section 6.2.2.2 and RFC 3987 section 3.1)."""
    encoded = "".join(char if char.isascii() else quote(char, safe="") for char in text)

    def one(escape: re.Match[str]) -> str:
        char = chr(int(escape.group(1), 16))
        return char if char in _UNRESERVED else f"%{escape.group(1).upper()}"

    return _PERCENT_ESCAPE.sub(one, encoded)
