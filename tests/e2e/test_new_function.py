"""`make new-function` as a user runs it, in a copy of the repository: the scaffolded function passes lint,
types, SAM's validation and the template scanners, its own tests and those that hold every function to the
template's rules, and answers over HTTP on the copy's local stack with a real token. Local only."""

import subprocess
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from tests.local_stack import local_target, running_stack
from tests.repo_copy import copy_repo, pytest_in, run

# The tests every function is held to: roles, logs, alarms, dashboard, routes, contract, samples, alias.
RULES_FOR_EVERY_FUNCTION = (
    "tests/unit/test_template.py",
    "tests/unit/test_observability_template.py",
    "tests/unit/test_routes.py",
    "tests/unit/test_contract.py",
    "tests/unit/test_events.py",
    "tests/unit/test_delivery.py",
    "tests/unit/test_coldstart.py",
)

SUMMARY = "Export: every bookmark of the caller's, #1 first"

# Where the scaffold writes: nothing of it may be there after a refusal.
WRITTEN_BY_THE_SCAFFOLD = ("template.yaml", "functions", "events", "tests", "tools", "docs", "README.md")


def test_a_scaffolded_function_passes_lint_and_tests_and_serves_its_route_locally(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / "app")

    # A summary with what YAML, the shell and Markdown each read specially (": ", "#", "'").
    run(copy, "make", "new-function", "NAME=export", "ROUTE=/bookmarks/export", f"SUMMARY={SUMMARY}")
    assert f"| {SUMMARY} |" in (copy / "README.md").read_text()
    assert (
        resource_in(copy, "ExportFunction")["Properties"]["Description"]
        == f"{SUMMARY} (GET /bookmarks/export)."
    )

    run(copy, ".venv/bin/ruff", "check", ".")
    run(copy, ".venv/bin/ruff", "format", "--check", ".")
    run(copy, ".venv/bin/mypy", "functions/export_function", "tests/unit/test_export_function.py", "tools")
    run(copy, ".venv/bin/sam", "validate", "--lint", "--template", "template.yaml")
    run(copy, ".venv/bin/cfn-lint", "template.yaml", "--append-rules", "cfn_lint_serverless.rules")
    checkov = (".venv-scan/bin/checkov", "--config-file", ".checkov.yaml", "--quiet", "--compact")
    run(copy, *checkov, "--skip-download", "--framework", "cloudformation", "--file", "template.yaml")
    passed = pytest_in(copy, "-rA", "tests/unit/test_export_function.py", *RULES_FOR_EVERY_FUNCTION)
    assert "PASSED tests/unit/test_export_function.py::test_the_sample_event_reaches_the_function" in passed
    state = tmp_path / "state"
    state.mkdir()
    with running_stack(copy, state) as stack:
        api = local_target(stack).signed_in()
        created = api.create(url="https://example.com/exported")
        answer = api.request("GET", "/bookmarks/export")
        # A literal segment wins over /bookmarks/{id}, as in API Gateway.
        assert api.request("GET", f"/bookmarks/{created['id']}").body == created

    assert answer.status == 200
    assert [bookmark["id"] for bookmark in answer.body["items"]] == [created["id"]]


def test_the_scaffold_refuses_a_name_or_route_taken_and_writes_nothing(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / "app")

    for arguments, reason in (
        (("NAME=get_bookmarks", "ROUTE=/bookmarks/mine"), "already has a resource GetBookmarksFunction"),
        (("NAME=lookup", "ROUTE=/bookmarks/{id}"), "GET /bookmarks/{id} is already served"),
        (("NAME=Export", "ROUTE=/bookmarks/export"), "lowercase words"),
        (("NAME=export", "ROUTE=/bookmarks/export/"), "no trailing slash"),
        (("NAME=export", "ROUTE=/bookmarks/export", "METHOD=POST"), "only GET routes are scaffolded"),
        (("NAME=export", "ROUTE=/bookmarks/export", "SUMMARY=Export | all"), "backticks or |"),
    ):
        refused = subprocess.run(  # noqa: S603 (make, with our own arguments, in the copy)
            ["make", "--no-print-directory", "new-function", *arguments],  # noqa: S607 (make from PATH)
            cwd=copy,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode != 0, arguments
        assert reason in refused.stderr, (arguments, refused.stderr)
    # The copy's index holds every file as copied: nothing differs from it, and nothing new is there.
    assert run(copy, "git", "diff", "--name-only", "--", *WRITTEN_BY_THE_SCAFFOLD) == ""
    assert run(copy, "git", "ls-files", "--others", "--exclude-standard", *WRITTEN_BY_THE_SCAFFOLD) == ""


def resource_in(copy: Path, logical_id: str) -> dict[str, Any]:
    """A resource of the copy's template.yaml, as SAM reads it."""
    resources: dict[str, dict[str, Any]] = yaml_parse((copy / "template.yaml").read_text())["Resources"]
    return resources[logical_id]
