"""The line between the app and its harness, as imports: local/ is a tool that knows the app only through
template.yaml and local.toml (so it can be lifted into another SAM project), what ships or deploys never
imports it, and tests reach it through tests/harness.py only (its own tests excepted)."""

import ast
from pathlib import Path

import pytest

from tests.harness import ROOT

# The app and its other tools: what local/ must not import.
APP_PACKAGES = {"bookmarks", "pipeline", "tools", "bench", "tests", "functions"}
# Tests of local/ itself, which may import its modules.
TESTS_OF_LOCAL = {
    "tests/harness.py",
    "tests/unit/test_alarms.py",
    "tests/unit/test_isolation.py",
    "tests/unit/test_local_api.py",
    "tests/unit/test_local_config.py",
    "tests/unit/test_local_observability.py",
    "tests/unit/test_moto_patches.py",
    "tests/unit/test_provision.py",
    "tests/unit/test_resolve.py",
    "tests/unit/test_runtime.py",
    "tests/unit/test_triggers.py",
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every import in ``path``, wherever in the module it stands."""
    packages = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            packages.add(node.module.split(".")[0])
    return packages


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _python_files("local"), ids=lambda path: path.name)
def test_the_local_stack_imports_nothing_of_the_app(path: Path) -> None:
    assert imported_packages(path) & APP_PACKAGES == set()


# tools/ and bench/ are development tools like the tests, and may use local/ to read the template.
@pytest.mark.parametrize(
    "path", _python_files("functions", "layers", "pipeline"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_what_ships_or_deploys_never_imports_the_local_stack(path: Path) -> None:
    assert "local" not in imported_packages(path)


def test_tests_reach_the_local_stack_only_through_the_harness() -> None:
    reaching = {
        str(path.relative_to(ROOT)) for path in _python_files("tests") if "local" in imported_packages(path)
    }
    assert reaching <= TESTS_OF_LOCAL
