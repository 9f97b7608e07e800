"""The runtime packages tests run with are the ones the Lambda layer ships, within its size budget."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

from tests.budgets import LAYER_BUDGET_BYTES
from tests.harness import ROOT

LAYER_REQUIREMENTS = ROOT / "layers" / "dependencies" / "requirements.txt"


def pins(lines: list[str]) -> dict[str, str]:
    found = (re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", line.strip()) for line in lines)
    return {match[1].lower(): match[2] for match in found if match}


def test_layer_requirements_pin_the_runtime_group_exactly() -> None:
    runtime = pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["runtime"])
    layer = pins(LAYER_REQUIREMENTS.read_text().splitlines())

    assert runtime
    assert {name: layer.get(name) for name in runtime} == runtime


def test_layer_leaves_out_what_the_lambda_runtime_provides() -> None:
    layer = pins(LAYER_REQUIREMENTS.read_text().splitlines())

    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & set(layer)
    assert "snapshot-restore-py" not in layer  # SnapStart's hooks module: the runtime ships it too


# What layers/dependencies/Makefile leaves out of the layer.
NOT_SHIPPED = re.compile(r"^(\.\.|bin/)|\.(pyi|c)$|-stubs/|/sboms/")


def test_the_layers_packages_with_their_bytecode_fit_its_budget() -> None:
    """The budget (bench/artifacts.py says how it was set) is on the layer as shipped: sources and the
    bytecode that spares every cold start compiling them. Bytecode costs about half the sources again,
    and the budget keeps room for patch releases, not for another library. The same pins, installed in
    this virtualenv with the bytecode pip compiled, weigh about 5% more than the built layer (metadata and
    this interpreter's larger bytecode), so this errs on the safe side; `make bench` weighs the layer."""
    layer = pins(LAYER_REQUIREMENTS.read_text().splitlines())
    files = [
        Path(str(distribution.locate_file(file)))
        for distribution in map(importlib.metadata.distribution, layer)
        for file in distribution.files or []
        if not NOT_SHIPPED.search(str(file))
    ]
    sizes = [path.stat().st_size for path in files if path.is_file()]
    bytecode = [path.stat().st_size for path in files if path.suffix == ".pyc" and path.is_file()]

    assert sum(bytecode) > 0.3 * (sum(sizes) - sum(bytecode))  # bytecode is counted, not only sources
    assert sum(sizes) <= LAYER_BUDGET_BYTES


def test_every_layer_pin_carries_a_wheel_hash() -> None:
    requirements = LAYER_REQUIREMENTS.read_text().replace("\\\n", " ").splitlines()
    pinned = [line for line in requirements if re.match(r"[A-Za-z0-9_.-]+==", line)]

    assert len(pinned) == len(pins(requirements)) > 3
    assert all(re.search(r"--hash=sha256:[0-9a-f]{64}", line) for line in pinned)
