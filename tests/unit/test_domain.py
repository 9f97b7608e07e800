"""Domain rules that need no AWS: ids, URLs, cursors and the contest lifecycle's sharing moves."""

import pytest

from bookmarks.errors import InvalidInput
from bookmarks.ids import is_bookmark_id, new_bookmark_id
from bookmarks.models import ContestStatus, after_sharing
from bookmarks.paging import decode_cursor, encode_cursor
from bookmarks.settings import Settings
from bookmarks.urls import ascii_host, normalise, top_level_domain, web_url_problem


def test_ids_sort_by_creation_time_and_are_not_guessable() -> None:
    earlier = new_bookmark_id(now_ms=1_700_000_000_000)
    later = new_bookmark_id(now_ms=1_700_000_000_001)
    same_moment = {new_bookmark_id(now_ms=1_700_000_000_000) for _ in range(1000)}

    assert earlier < later
    assert len(same_moment) == 1000
    assert all(is_bookmark_id(bookmark_id) for bookmark_id in same_moment | {earlier, later})


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTPS://Docs.Python.org:443/3/", "https://docs.python.org/3"),
        ("http://example.com:80", "http://example.com"),
        ("http://example.com:8080/a#section", "http://example.com:8080/a"),
        ("https://example.com./search?q=lambda", "https://example.com/search?q=lambda"),
    ],
)
def test_urls_that_name_the_same_page_normalise_alike(url: str, normalised: str) -> None:
    assert normalise(url) == normalised


# Each group: spellings of one link, which share one canonical form.
EQUIVALENT = [
    ["https://bücher.example/page", "https://xn--bcher-kva.example/page", "https://BÜCHER.example./page"],
    ["https://example.com/page", "https://example.com/%70age", "https://example.com/%70%61%67%65/"],
    ["https://example.com/a%2fb", "https://example.com/a%2Fb"],
    ["https://example.com/~user", "https://example.com/%7Euser", "https://example.com/%7euser"],
    ["https://example.com/caf\u00e9", "https://example.com/caf%C3%A9", "https://example.com/caf%c3%a9"],
    ["HTTP://Example.COM:80/", "http://example.com", "http://example.com/#top"],
    ["https://example.com:443/x?q=%7e", "https://example.com/x?q=~"],
    ["https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "https://example.com/"],
    ["https://example\u3002com/", "https://example.com/"],
    ["http://[::1]:80/a", "http://[::1]/a"],
]
# Pairs that differ: what a canonical form must keep apart.
DIFFERENT = [
    ("https://example.com/a%2Fb", "https://example.com/a/b"),  # an encoded slash is not a path separator
    ("https://example.com/?q=a+b", "https://example.com/?q=a%20b"),  # "+" is not unreserved
    ("https://ex\u0430mple.com/", "https://example.com/"),  # Cyrillic "a", a look-alike
    ("http://example.com/", "https://example.com/"),
    ("https://example.com:8443/", "https://example.com/"),
    ("https://example.com/?a=1&b=2", "https://example.com/?b=2&a=1"),
    ("https://example.com/Page", "https://example.com/page"),
    ("https://stra\u00dfe.example/", "https://strasse.example/"),  # UTS #46 non-transitional keeps sharp s
]


@pytest.mark.parametrize("spellings", EQUIVALENT, ids=lambda group: group[0])
def test_spellings_of_one_link_share_one_canonical_form(spellings: list[str]) -> None:
    assert all(web_url_problem(url) is None for url in spellings)
    assert len({normalise(url) for url in spellings}) == 1


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_links_keep_different_canonical_forms(one: str, other: str) -> None:
    assert normalise(one) != normalise(other)


def test_the_canonical_form_is_its_own_canonical_form() -> None:
    for url in [url for group in EQUIVALENT for url in group] + [url for pair in DIFFERENT for url in pair]:
        assert normalise(normalise(url)) == normalise(url)


def test_a_non_ascii_host_is_shown_in_ascii_too_and_an_ascii_one_is_not() -> None:
    assert ascii_host("https://ex\u0430mple.com/") == "xn--exmple-4nf.com"
    assert ascii_host("https://b\u00fccher.example/") == "xn--bcher-kva.example"
    assert ascii_host("https://xn--bcher-kva.example/") is None
    assert ascii_host("https://example.com/") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://ex%61mple.com/",
        "https://xn--zz.com/",
        "https://-bad.example/",
        "https://a..b.example/",
        "https://exa\ufe0fmple.com/",
        "https://exa\U000e0041mple.com/",
        "https://example.com/\U000e0041",
    ],
)
def test_a_url_whose_host_is_no_domain_name_or_that_hides_characters_is_not_a_web_url(url: str) -> None:
    assert web_url_problem(url) is not None


def test_the_top_level_domain_of_a_non_ascii_host_is_its_ascii_label() -> None:
    assert top_level_domain("https://example.\u0440\u0444/") == "xn--p1ai"


def test_top_level_domain_is_the_hosts_last_label() -> None:
    assert top_level_domain("https://docs.python.org/3/") == "org"
    assert top_level_domain("https://EXAMPLE.DEV./") == "dev"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com", "https://", "https://exa mple.com", "http://x:0"]
)
def test_only_http_urls_with_a_host_are_web_urls(url: str) -> None:
    assert web_url_problem(url) is not None


def test_cursor_round_trips_and_rejects_anything_else() -> None:
    bookmark_id = new_bookmark_id()

    assert decode_cursor(encode_cursor(bookmark_id)) == bookmark_id
    with pytest.raises(InvalidInput):
        decode_cursor(encode_cursor("not-an-id"))
    assert decode_cursor("") is None  # the first page


@pytest.mark.parametrize(
    ("status", "shared", "moved_to"),
    [
        ("none", True, "entering"),
        ("entering", True, "entering"),
        ("entered", True, "entered"),
        ("resubmitted", True, "resubmitted"),
        ("none", False, "none"),
        ("entering", False, "entering"),  # the workflow withdraws it once the entry is counted
        ("rejected", False, "rejected"),
        ("withdrawn", False, "withdrawn"),
        # feature: workflow
        ("approved", True, "approved"),
        ("duplicate", True, "resubmitted"),
        ("invalid", True, "resubmitted"),
        ("rejected", True, "resubmitted"),
        ("withdrawn", True, "resubmitted"),
        ("entered", False, "withdrawn"),
        ("resubmitted", False, "withdrawn"),
        ("approved", False, "withdrawn"),
        # end feature: workflow
    ],
)
def test_sharing_enters_once_and_with_the_workflow_resubmits_after_an_outcome_and_unsharing_withdraws(
    status: str, shared: bool, moved_to: str
) -> None:
    assert after_sharing(ContestStatus(status), shared, contest=True) is ContestStatus(moved_to)


@pytest.mark.parametrize("status", list(ContestStatus))
@pytest.mark.parametrize("shared", [True, False])
def test_without_the_contest_sharing_moves_no_status(status: ContestStatus, shared: bool) -> None:
    assert after_sharing(status, shared, contest=False) is status


def test_items_are_converted_as_boto3_would_convert_them() -> None:
    from boto3.dynamodb.types import TypeSerializer

    from bookmarks.items import from_dynamodb, to_dynamodb

    values = {"s": "x", "b": True, "n": 3, "null": None, "m": {"l": [1, "y", False]}}
    assert to_dynamodb(values) == {name: TypeSerializer().serialize(v) for name, v in values.items()}
    assert from_dynamodb(to_dynamodb(values)) == values


@pytest.mark.parametrize(("value", "runs"), [(None, False), ("enabled", True)])
def test_the_contest_runs_only_where_the_store_function_is_told_so(
    monkeypatch: pytest.MonkeyPatch, value: str | None, runs: bool
) -> None:
    monkeypatch.delenv("BOOKMARKS_CONTEST", raising=False)
    if value is not None:
        monkeypatch.setenv("BOOKMARKS_CONTEST", value)

    assert Settings().contest_runs is runs


@pytest.mark.parametrize("typo", ["Enabled", "true", "1", ""])
def test_a_contest_setting_other_than_enabled_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, typo: str
) -> None:
    monkeypatch.setenv("BOOKMARKS_CONTEST", typo)

    with pytest.raises(ValueError, match="BOOKMARKS_CONTEST"):
        _ = Settings().contest_runs
