"""Canonical input over HTTP (issue 26): one spelling per link, id and cursor; visible means visible; a
repeated key is refused by name; the body limit fits the largest valid request however it is escaped."""

import base64
import json
from typing import Any

import pytest

from bookmarks.models import MAX_BODY_BYTES
from tests.e2e.http import Api

VALID = {"url": "https://example.com/canonical", "name": "Canonical"}
EMOJI = "\U0001f600"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_id_with_a_trailing_newline_is_not_found_and_changes_nothing(alice: Api, method: str) -> None:
    created = alice.create(name="Kept")

    answer = alice.request(method, f"/bookmarks/{created['id']}%0A", {"name": "Changed"})

    assert answer.status == 404, answer.body
    assert alice.request("GET", f"/bookmarks/{created['id']}").body == created


@pytest.mark.parametrize(
    "name",
    [
        "\ufe0f",  # a variation selector
        "\U000e0041",  # a tag character
        "\u206a",  # a deprecated format character
        "\u180b",  # a Mongolian free variation selector
        "\U0001d173",  # a musical formatting character
        "\u0301\u0301",  # combining marks with nothing to combine with
        " \u200b\U000e0020 ",
    ],
)
def test_a_name_of_only_invisible_characters_is_refused(alice: Api, name: str) -> None:
    answer = alice.request("POST", "/bookmarks", VALID | {"name": name})

    assert answer.status == 400, answer.body


@pytest.mark.parametrize(
    "url",
    [
        "https://exa\ufe0fmple.com/",
        "https://exa\U000e0041mple.com/",
        "https://\u180b.example.com/",
        "https://ex%61mple.com/",
    ],
)
def test_a_host_hiding_characters_is_refused(alice: Api, url: str) -> None:
    answer = alice.request("POST", "/bookmarks", VALID | {"url": url})

    assert answer.status == 400, answer.body


def test_a_description_of_only_invisible_characters_is_refused_by_name(alice: Api) -> None:
    answer = alice.request("POST", "/bookmarks", VALID | {"description": "\U000e0041\U0001d173"})

    assert answer.status == 400
    assert answer.body["errors"][0]["field"] == "description"


def test_the_largest_valid_body_escaped_the_longest_way_fits_and_one_byte_more_is_413(alice: Api) -> None:
    # Python's json.dumps escapes every emoji as two \uXXXX escapes: 12 bytes for one character, which
    # counts as two (UTF-16 code units) towards a field's limit.
    widest = {"url": "https://example.com/" + EMOJI * 1014, "name": EMOJI * 100, "description": EMOJI * 1000}
    body = json.dumps(widest, indent=4)

    assert alice.request("POST", "/bookmarks", raw=body).status == 201
    too_large = alice.request("POST", "/bookmarks", raw=body + " " * (MAX_BODY_BYTES + 1 - len(body)))
    assert too_large.status == 413
    assert str(MAX_BODY_BYTES) in too_large.body["message"]


def test_a_field_over_its_limit_counting_an_emoji_as_two_is_refused(alice: Api) -> None:
    # 200 characters, 400 UTF-16 code units: AWS does not document which its validator counts, so the
    # function and the local gateway count the larger; 100 emoji (200 units) fit either way.
    assert alice.request("POST", "/bookmarks", VALID | {"name": EMOJI * 100}).status == 201
    refused = alice.request("POST", "/bookmarks", VALID | {"name": EMOJI * 101})
    assert refused.status == 400


def test_a_key_sent_twice_is_refused_with_a_400_naming_it(alice: Api) -> None:
    before = alice.request("GET", "/bookmarks", headers={}).body
    raw = '{"url": "https://example.com/twice", "name": "First", "name": "Second"}'

    answer = alice.request("POST", "/bookmarks", raw=raw)

    assert answer.status == 400, answer.body
    assert answer.body["errors"] == [{"field": "name", "problem": "appears more than once"}]
    assert alice.request("GET", "/bookmarks").body == before


def test_a_key_sent_twice_whose_first_value_is_invalid_is_refused(alice: Api) -> None:
    # Which value a gateway checks is not documented: a body must be valid whichever one it keeps.
    raw = '{"url": "https://example.com/twice", "name": "\\u0000", "name": "Fine"}'

    assert alice.request("POST", "/bookmarks", raw=raw).status == 400


LISTS = [
    "/bookmarks",
    # feature: workflow
    "/team/bookmarks",
    # end feature: workflow
]


@pytest.mark.parametrize("path", LISTS)
def test_an_empty_cursor_reads_the_first_page(alice: Api, path: str) -> None:
    assert alice.request("GET", f"{path}?cursor=").body == alice.request("GET", path).body


def _cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/bookmarks", "0"),
        ("/bookmarks", _cursor({"v": True, "after": "01KB2Z3Y4X5W6V7T8S9R0QPNMK"})),
        # feature: workflow
        ("/team/bookmarks", "0"),
        (
            "/team/bookmarks",
            _cursor({"v": 1, "team_after": "٢٠٢٦-01-01T00:00:00Z#01KB2Z3Y4X5W6V7T8S9R0QPNMK"}),
        ),
        (
            "/team/bookmarks",
            _cursor({"v": True, "team_after": "2026-01-01T00:00:00Z#01KB2Z3Y4X5W6V7T8S9R0QPNMK"}),
        ),
        # end feature: workflow
    ],
)
def test_a_cursor_this_api_did_not_write_is_the_documented_400(alice: Api, path: str, cursor: str) -> None:
    answer = alice.request("GET", f"{path}?cursor={cursor}")

    assert answer.status == 400, answer.body
    assert answer.body["errors"] == [{"field": "cursor", "problem": "is not valid"}]
