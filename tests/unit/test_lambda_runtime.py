"""The Python version the functions run on has one definition, template.yaml's Globals Runtime; everything
else that depends on it (the layers' compatible runtimes, the interpreter layers/bytecode.mk compiles the
bytecode with and the wheels it fetches, the CI's Python, the bench's Lambda paths, the docs) is checked
against it here, so that a move to a newer runtime is one edit plus what this test then names (README,
"The runtime")."""

import re
import subprocess

import pytest

from tests.harness import ROOT, template

# Every way a file of this repository spells a Python version that has to be the runtime's; a version with
# a + is a lower bound (the tools' Python 3.11+, SnapStart's python3.12+), not the runtime.
SPELLINGS = (
    re.compile(r"\bpython(3\.\d+)\b(?!\+)"),
    re.compile(r"\bPython (3\.\d+)\b(?!\+)"),
    re.compile(r"\bCPython (3\.\d+)\b(?!\+)"),
    re.compile(r"\bcp3(\d+)\b"),
    re.compile(r"python-version:? \"?(3\.\d+)\"?"),
    re.compile(r"LAMBDA_PYTHON_VERSION := (3\.\d+)"),
)
# The README's runtime section names the next runtime on purpose; the bench's results record what ran.
EXEMPT = {"bench/results.md"}


def runtime() -> str:
    value: str = template()["Globals"]["Function"]["Runtime"]
    return value


def version() -> str:
    return runtime().removeprefix("python")


def tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607 (git from PATH)
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    suffixes = {".py", ".yaml", ".yml", ".mk", ".md", ".txt", ".toml", ".json", ".js", ""}
    return [
        name
        for name in listed
        if (name.rsplit("/", 1)[-1].rsplit(".", 1)[-1] if "." in name else "")
        in {s.lstrip(".") for s in suffixes}
        and (ROOT / name).is_file()
    ]


def readme_without_runtime_section() -> str:
    text = (ROOT / "README.md").read_text()
    return re.sub(r"(?ms)^### The runtime\n.*?(?=^#{2,3} )", "", text)


def test_given_the_template_when_read_then_the_runtime_is_a_lambda_python_one() -> None:
    assert re.fullmatch(r"python3\.\d+", runtime())


def test_given_the_layers_when_built_then_they_are_for_the_functions_runtime() -> None:
    layers = [r for r in template()["Resources"].values() if r["Type"] == "AWS::Serverless::LayerVersion"]

    assert layers
    assert all(r["Properties"]["CompatibleRuntimes"] == [runtime()] for r in layers)
    assert f"LAMBDA_PYTHON_VERSION := {version()}\n" in (ROOT / "layers" / "bytecode.mk").read_text()


def test_given_the_repository_when_searched_then_every_python_version_it_names_is_the_runtimes() -> None:
    wanted = {version(), version().replace("3.", "", 1)}
    stale = []
    for name in tracked_text_files():
        if name in EXEMPT:
            continue
        text = readme_without_runtime_section() if name == "README.md" else (ROOT / name).read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            for spelling in SPELLINGS:
                stale += [
                    f"{name}:{number}: {found[0]}"
                    for found in spelling.finditer(line)
                    if found[1] not in wanted
                ]

    assert stale == [], "names a Python other than the runtime's (README, 'The runtime')"


@pytest.mark.parametrize("job", ["test", "audit", "deploy-staging", "deploy-prod"])
def test_given_ci_when_it_sets_up_python_then_it_is_the_runtimes(job: str) -> None:
    workflow = (ROOT / ".github" / "workflows" / "pipeline.yml").read_text()
    block = (
        workflow.split(f"\n  {job}:\n", 1)[1].split("\n  deploy-", 1)[0] if job != "deploy-prod" else workflow
    )

    assert f'python-version: "{version()}"' in block
