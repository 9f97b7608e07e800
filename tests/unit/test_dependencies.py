"""The runtime packages tests run with are the ones the Lambda layer ships."""

import re
import tomllib

from local.functions import ROOT

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


def test_every_layer_pin_carries_a_wheel_hash() -> None:
    requirements = LAYER_REQUIREMENTS.read_text().replace("\\\n", " ").splitlines()
    pinned = [line for line in requirements if re.match(r"[A-Za-z0-9_.-]+==", line)]

    assert len(pinned) == len(pins(requirements)) > 3
    assert all(re.search(r"--hash=sha256:[0-9a-f]{64}", line) for line in pinned)
