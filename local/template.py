"""Reads template.yaml, the one list of the app's resources, for the local stack and the tests."""

import copy
import json
import logging
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
    return translate(template(), region)


def translate(document: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """Any SAM template after the transform; local files are packaged the way `sam package` would."""
    packaged = copy.deepcopy(document)
    function_globals = packaged.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = "s3://packaged-code/globals.zip"
    for logical_id, resource in packaged["Resources"].items():
        properties = resource.get("Properties", {})
        # What `sam package` does: local code folders become S3 locations.
        for uri in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(uri), str):
                properties[uri] = f"s3://packaged-code/{logical_id}.zip"
        # A state machine's local definition file is inlined (sam package would upload it instead).
        definition_uri = properties.get("DefinitionUri")
        is_state_machine = resource["Type"] == "AWS::Serverless::StateMachine"
        if is_state_machine and isinstance(definition_uri, str) and not definition_uri.startswith("s3://"):
            properties["Definition"] = yaml_parse((TEMPLATE_PATH.parent / definition_uri).read_text())
            del properties["DefinitionUri"]
    # Without a feature-toggle config (only the SAM service has one) every lookup warns; nothing is wrong.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    result: dict[str, Any] = translator.translate(
        packaged, parameter_values={}, get_managed_policy_map=_bundled_managed_policies
    )
    return result
