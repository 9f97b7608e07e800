"""The gateway validates request bodies with the template's models; the function validates them again
with pydantic. Both must say the same thing, so the template's models are generated from pydantic's
(tools/gateway_models.py) and checked here, and so is the OpenAPI document that clients and the fuzz tests
read (docs/openapi.json)."""

import json
import re
import shutil
import subprocess

import pytest
from pydantic import BaseModel, ValidationError

from bookmarks import paging
from bookmarks.models import (
    DESCRIPTION_PATTERN,
    MAX_BODY_BYTES,
    NAME_PATTERN,
    URL_PATTERN,
    BookmarkPatch,
    NewBookmark,
    ReviewDecision,
    largest_body_bytes,
)
from tests.harness import api_routes, resource
from tools import gateway_models, openapi
from tools.gateway_models import gateway_schema, without_documentation


@pytest.mark.parametrize("model", gateway_models.REQUEST_MODELS)
def test_gateway_model_matches_the_pydantic_model(model: type[BaseModel]) -> None:
    template_models = resource("BookmarksApi")["Properties"]["Models"]

    assert template_models[model.__name__] == gateway_schema(model)


def test_committed_gateway_models_are_the_generated_ones() -> None:
    assert gateway_models.BLOCK.committed() == gateway_models.rendered(), (
        "template.yaml's Models are stale: run make generate"
    )


def test_every_request_model_a_route_names_is_defined() -> None:
    api = resource("BookmarksApi")["Properties"]
    named = {route.request_model for route in api_routes() if route.request_model}

    assert named == set(api["Models"]) == {model.__name__ for model in gateway_models.REQUEST_MODELS}
    assert NewBookmark in gateway_models.REQUEST_MODELS
    assert BookmarkPatch in gateway_models.REQUEST_MODELS
    # feature: workflow
    assert ReviewDecision in gateway_models.REQUEST_MODELS
    # end feature: workflow


def test_committed_openapi_document_is_the_generated_one() -> None:
    assert openapi.OPENAPI_PATH.read_text() == openapi.rendered(), (
        "docs/openapi.json is stale: run make openapi"
    )


def test_readme_route_table_is_the_generated_one() -> None:
    readme = openapi.README_PATH.read_text()
    assert readme == openapi.with_route_table(readme), "README.md's route table is stale: run make openapi"


@pytest.mark.parametrize("model", openapi.REQUEST_MODELS)
def test_openapi_request_schema_matches_the_gateway_model(model: type[BaseModel]) -> None:
    template_models = resource("BookmarksApi")["Properties"]["Models"]
    schemas = json.loads(openapi.OPENAPI_PATH.read_text())["components"]["schemas"]

    assert without_documentation(schemas[model.__name__]) == template_models[model.__name__]


def test_openapi_document_has_every_route_of_the_template_with_its_request_model() -> None:
    paths = json.loads(openapi.OPENAPI_PATH.read_text())["paths"]

    for route in api_routes():
        operation = paths[route.path][route.method.lower()]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        named = body.get("schema", {}).get("$ref", "").removeprefix("#/components/schemas/") or None
        assert named == route.request_model, (route.method, route.path)


# Characters on which ECMA-262 and Python disagree, or that the text rules are about.
AWKWARD = [
    *"\x00\t\n\r\x1b\x1c\x1d\x1e\x1f\x7f\x85\xa0\xad",
    *"\u180e\u200b\u200d\u2028\u2029\u202e\u2066\u3000\u3164\ufeff\ufffd",
    "\U0001f600",
    "a",
    "\u00e9",
]
PATTERNS = {
    "url": URL_PATTERN,
    "name": NAME_PATTERN,
    "description": DESCRIPTION_PATTERN,
    "cursor": openapi.CURSOR_PATTERN,
}


def samples(kind: str) -> list[str]:
    """Each awkward character at the start, inside and at the end of a value that is valid otherwise."""
    base = {"url": "https://example.com/p", "name": "Name", "description": "Text", "cursor": "eyJ2Ijox"}[kind]
    cut = len(base) - 1
    return [
        variant
        for char in AWKWARD
        for variant in (char + base, base[:cut] + char + base[cut:], base + char, char, char * 3)
    ] + [base, base + "\n", base + "\r\n", ""]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for an ECMA-262 regex engine")
@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_each_pattern_means_the_same_in_ecma_262_and_python(kind: str) -> None:
    pattern, values = PATTERNS[kind], samples(kind)
    script = (
        "const [p, vs] = JSON.parse(require('fs').readFileSync(0));"
        "console.log(JSON.stringify(vs.map(v => new RegExp(p).test(v))))"
    )

    ecma = json.loads(
        subprocess.run(  # noqa: S603 (node, our own script)
            [str(shutil.which("node")), "-e", script],
            input=json.dumps([pattern, values]),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )

    python = [re.search(pattern, value) is not None for value in values]
    disagreements = [repr(value) for value, a, b in zip(values, ecma, python, strict=True) if a != b]
    assert disagreements == []


def test_patterns_use_only_escapes_that_mean_the_same_in_both_engines() -> None:
    for kind, pattern in PATTERNS.items():
        assert re.search(r"\\[sSwWdDbBZAz]|(?<!\\)\.", pattern) is None, kind


@pytest.mark.parametrize("kind", ["url", "name", "description"])
def test_the_function_reads_each_pattern_as_python_does(kind: str) -> None:
    valid = {"url": "https://example.com/p", "name": "Name"}
    for value in filter(None, samples(kind)):  # "" is too short before any pattern is tried
        accepted_by_pattern = re.search(PATTERNS[kind], value) is not None
        try:
            NewBookmark.model_validate({**valid, kind: value})
            accepted = True
        except ValidationError as error:
            accepted = not any(issue["type"] == "string_pattern_mismatch" for issue in error.errors())
        assert accepted == accepted_by_pattern, repr(value)


def test_the_documented_cursor_is_what_paging_writes_and_reads() -> None:
    written = paging.encode_cursor("01KB2Z3Y4X5W6V7T8S9R0QPNMK")

    assert re.search(openapi.CURSOR_PATTERN, written)
    assert paging.decode_cursor(written) == "01KB2Z3Y4X5W6V7T8S9R0QPNMK"
    assert len(written) <= paging.MAX_CURSOR_LENGTH
    assert paging.decode_cursor("") is None  # the first page, as for no cursor
    for refused in ["a b", "a+b", "a=", written + "\n"]:
        assert re.search(openapi.CURSOR_PATTERN, refused) is None, repr(refused)


def test_the_body_limit_fits_every_request_model_and_the_readme_gives_it() -> None:
    assert all(largest_body_bytes(model) <= MAX_BODY_BYTES for model in gateway_models.REQUEST_MODELS)
    assert f"{MAX_BODY_BYTES:,} bytes" in openapi.README_PATH.read_text()
