"""Reads template.yaml, the one list of the app's resources, for the local stack and the tests."""

import copy
import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yaml"


@cache
def template() -> dict[str, Any]:
    """template.yaml as a dict, intrinsic functions kept as {"Ref": ...} / {"Fn::GetAtt": ...}."""
    parsed: dict[str, Any] = yaml_parse(TEMPLATE_PATH.read_text())
    return parsed


def resource(logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = template()["Resources"][logical_id]
    return found


def _bundled_managed_policies() -> dict[str, str]:
    """samtranslator asks IAM for managed-policy ARNs; offline, its bundled copy of that list answers."""
    bundled = files("samtranslator") / "internal" / "data" / "aws_managed_policies.json"
    policies: dict[str, str] = json.loads(bundled.read_text())["aws"]
    return policies


@cache
def translated(region: str = "us-east-1") -> dict[str, Any]:
    """template.yaml after the SAM transform, as CloudFormation would deploy it (offline, no AWS call)."""
    packaged = copy.deepcopy(template())
    for logical_id, resource in packaged["Resources"].items():
        # What `sam package` does: local code folders become S3 locations.
        for uri in ("CodeUri", "ContentUri", "DefinitionUri"):
            if isinstance(resource.get("Properties", {}).get(uri), str):
                resource["Properties"][uri] = f"s3://packaged-code/{logical_id}.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    result: dict[str, Any] = translator.translate(
        packaged, parameter_values={}, get_managed_policy_map=_bundled_managed_policies
    )
    return result
