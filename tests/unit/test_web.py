"""The web client's server side: the local static server, the security headers it shares with the
template's CloudFront policy, and `make web-publish` (against moto)."""

import json
from pathlib import Path
from typing import Any

import boto3
from werkzeug.test import Client

from pipeline.publish_web import WEB_ROOT, describe, publish
from pipeline.web_config import web_config
from tests.harness import WebClient, content_security_policy, resource

CONFIG = web_config(
    {"ApiUrl": "http://127.0.0.1:3000", "UserPoolId": "us-east-1_pool", "UserPoolClientId": "client"},
    "us-east-1",
    cognito_endpoint="http://127.0.0.1:5000/",
)


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = [directive.split() for directive in policy.split(";") if directive.strip()]
    return {name: sorted(sources) for name, *sources in parsed}


def test_the_template_and_the_local_server_send_the_same_content_security_policy() -> None:
    headers = resource("WebResponseHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]
    deployed = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    api = "https://${BookmarksApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    cognito = "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}"

    assert _directives(deployed) == _directives(content_security_policy([api, cognito]))


def test_the_local_server_serves_the_client_and_its_config_with_the_security_headers() -> None:
    client = Client(WebClient(CONFIG, WEB_ROOT))

    page = client.get("/")
    config = client.get("/config.json")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert (
        "connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:5000"
        in (page.headers["Content-Security-Policy"])
    )
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/app.js").mimetype == "text/javascript"
    assert config.json == CONFIG


def test_the_local_server_serves_nothing_outside_web_and_accepts_no_writes() -> None:
    client = Client(WebClient(CONFIG, WEB_ROOT))

    assert client.get("/../template.yaml").status_code == 404
    assert client.get("/%2e%2e/template.yaml").status_code == 404
    assert client.post("/config.json").status_code == 405


def _distribution(cloudfront: Any) -> str:
    origin = {
        "Id": "web",
        "DomainName": "web.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    distribution_id: str = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    return distribution_id


def test_publishing_uploads_the_client_with_a_config_from_the_outputs_and_removes_stale_files(
    aws: None, tmp_path: Path
) -> None:
    s3, cloudfront = boto3.client("s3"), boto3.client("cloudfront")
    s3.create_bucket(Bucket="web")
    s3.put_object(Bucket="web", Key="old.js", Body=b"")
    (tmp_path / "screens").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "screens" / "team.js").write_text("export {};")
    outputs = {
        "WebBucketName": "web",
        "WebDistributionId": _distribution(cloudfront),
        "ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
        "UserPoolId": "us-east-1_pool",
        "UserPoolClientId": "client",
    }

    keys = publish(s3, cloudfront, outputs, "us-east-1", root=tmp_path)

    stored = {item["Key"] for item in s3.list_objects_v2(Bucket="web")["Contents"]}
    config = json.loads(s3.get_object(Bucket="web", Key="config.json")["Body"].read())
    script = s3.head_object(Bucket="web", Key="screens/team.js")
    assert keys == ["config.json", "index.html", "screens/team.js"]
    assert stored == set(keys)
    assert config == {
        "api_url": outputs["ApiUrl"],
        "region": "us-east-1",
        "cognito_endpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
        "user_pool_id": "us-east-1_pool",
        "user_pool_client_id": "client",
    }
    assert script["ContentType"] == "text/javascript"
    invalidations = cloudfront.list_invalidations(DistributionId=outputs["WebDistributionId"])
    assert invalidations["InvalidationList"]["Quantity"] == 1


def test_the_stacks_outputs_and_parameters_are_read_by_name(aws: None) -> None:
    cloudformation = boto3.client("cloudformation")
    body = {
        "Parameters": {"AllowedOrigin": {"Type": "String"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"WebUrl": {"Value": "https://d1.cloudfront.net"}},
    }
    cloudformation.create_stack(
        StackName="web",
        TemplateBody=json.dumps(body),
        Parameters=[{"ParameterKey": "AllowedOrigin", "ParameterValue": "*"}],
    )

    outputs, parameters = describe(cloudformation, "web")

    assert outputs == {"WebUrl": "https://d1.cloudfront.net"}
    assert parameters == {"AllowedOrigin": "*"}
