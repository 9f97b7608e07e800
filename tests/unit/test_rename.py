"""One name: every name the app makes comes from template.yaml's AppName, and renaming the app is the one
edit and `make generate samples` that README "Make it yours: rename" documents, tried on a copy."""

import json
import re
from pathlib import Path
from typing import Any

from tests.names import app_name, every_name
from tests.repo_copy import ROOT, copy_repo, pytest_in, run, tracked_files

NEW_NAME = "linkhub"
# The documented edit: AppName's Default, the first Default of template.yaml's Parameters.
APP_NAME_DEFAULT = re.compile(r"(?m)^(  AppName:\n(?:    .*\n)*?    Default: )\S+$")
# What reads the names in the copy: the template and generated files, the rules, the dashboard, the
# metrics, the local stack's name, SAM CLI's view of a container.
NAME_TESTS = (
    "tests/unit/test_rename.py::test_every_name_the_app_makes_is_its_app_name_or_starts_with_it",
    "tests/unit/test_delivery.py",
    "tests/unit/test_local_config.py",
    "tests/unit/test_observability_template.py",
    "tests/unit/test_sam_local_invoke.py",
    "tests/events/test_rules.py",
    "tests/events/test_business_metrics.py",
    "tests/events/test_samples.py",
    # and, with the package renamed too: the import boundaries and a handler end to end on moto
    "tests/unit/test_boundaries.py",
    "tests/unit/test_bookmarks_api.py",
    "tests/unit/test_features.py",  # the features' manifest names the package's modules by path
)

# The README's search and replace for the Python package, run as the README writes it.
PACKAGE_RENAME = re.compile(r"(?ms)^```sh\n(NEW=linkhub\b.*?)^```$")
PRINT_NAMES = "import json; from tests.names import every_name; print(json.dumps(every_name()))"


def names_in(values: Any) -> list[str]:
    return [values] if isinstance(values, str) else [name for value in values for name in names_in(value)]


def test_every_name_the_app_makes_is_its_app_name_or_starts_with_it() -> None:
    names = every_name()

    for kind, value in names.items():
        for name in names_in(value):
            assert name == app_name() or name.startswith(f"{app_name()}-"), (kind, name)
    assert len(names) == 9


def test_a_rename_is_one_edit_and_two_generators_and_leaves_no_old_name(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / NEW_NAME)
    template = copy / "template.yaml"
    edited, count = APP_NAME_DEFAULT.subn(rf"\g<1>{NEW_NAME}", template.read_text())
    assert count == 1
    template.write_text(edited)

    run(copy, "make", "generate", "samples")
    [package_rename] = PACKAGE_RENAME.findall((ROOT / "README.md").read_text())
    run(copy, "bash", "-e", "-c", package_rename)
    run(copy, ".venv/bin/ruff", "check", ".")
    run(copy, ".venv/bin/sam", "validate", "--lint", "--template", "template.yaml")
    names = json.loads(run(copy, ".venv/bin/python", "-c", PRINT_NAMES))
    output = pytest_in(copy, *NAME_TESTS)

    assert all(NEW_NAME in name and app_name() not in name.lower() for name in names_in(names.values())), (
        names
    )
    assert names["stacks"] == [f"{NEW_NAME}-dev", f"{NEW_NAME}-prod", f"{NEW_NAME}-staging"]
    assert " passed" in output  # pytest_in fails the test on any failure
    assert (copy / "layers/shared/python/linkhub/library.py").exists()
    old_imports = re.compile(r"(?m)^\s*(from|import) bookmarks\b")
    python_files = [copy / path for path in tracked_files(copy) if path.suffix == ".py"]
    assert not [path for path in python_files if old_imports.search(path.read_text())]
