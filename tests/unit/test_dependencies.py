"""The runtime packages tests run with are the ones the Lambda layer ships."""

import re
import tomllib

from local.functions import ROOT


def pins(lines: list[str]) -> dict[str, str]:
    found = (re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip()) for line in lines)
    return {match[1].lower(): match[2] for match in found if match}


def test_layer_requirements_pin_the_runtime_group_exactly() -> None:
    runtime = pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["runtime"])
    layer = pins((ROOT / "layers" / "dependencies" / "requirements.txt").read_text().splitlines())

    assert runtime
    assert {name: layer.get(name) for name in runtime} == runtime


def test_layer_leaves_out_what_the_lambda_runtime_provides() -> None:
    layer = pins((ROOT / "layers" / "dependencies" / "requirements.txt").read_text().splitlines())

    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & set(layer)
