"""`make web-publish`: upload web/ and a config.json made from a deployed stack's outputs to the stack's
web bucket, remove what web/ no longer has, and invalidate the distribution's cache."""

import argparse
import json
import mimetypes
import time
from pathlib import Path
from typing import Any

import boto3

from pipeline.web_config import web_config

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"
# Browsers re-check within a minute; the invalidation below empties the edge caches at once.
CACHE_CONTROL = "public, max-age=60"


def describe(cloudformation: Any, stack_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The stack's outputs and parameters, each as a name -> value dict."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    return outputs, parameters


def publish(
    s3: Any, cloudfront: Any, outputs: dict[str, str], region: str, root: Path = WEB_ROOT
) -> list[str]:
    """Upload every file of ``root`` and config.json; delete other keys; returns the keys uploaded."""
    bucket = outputs["WebBucketName"]
    config = web_config(outputs, region)
    files = {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }
    files["config.json"] = (json.dumps(config, indent=2) + "\n").encode()
    for key, body in sorted(files.items()):
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream",
            CacheControl=CACHE_CONTROL,
        )
    stale = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in files
    ]
    if stale:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in stale]})
    cloudfront.create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )
    return sorted(files)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.publish_web", description=__doc__)
    parser.add_argument("stack_name", help="the deployed stack, e.g. bookmarks-dev")
    arguments = parser.parse_args()
    session = boto3.Session()
    outputs, parameters = describe(session.client("cloudformation"), arguments.stack_name)
    if "WebBucketName" not in outputs:
        raise SystemExit(
            f"{arguments.stack_name} hosts no web client: deploy it with EnableWebHosting=true first."
        )
    keys = publish(session.client("s3"), session.client("cloudfront"), outputs, session.region_name)
    web_url = outputs["WebUrl"]
    print(f"Uploaded {len(keys)} files to s3://{outputs['WebBucketName']}; the web client is at {web_url}")
    # The API's CORS origin is a parameter, set once the distribution's URL is known (see the README).
    origin = parameters.get("AllowedOrigin")
    if origin not in ("*", web_url):
        print(
            f"The API allows the origin {origin}, not {web_url}: set AllowedOrigin={web_url} in "
            "samconfig.toml's parameter_overrides for this stack and deploy again."
        )


if __name__ == "__main__":
    main()
