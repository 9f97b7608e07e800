"""The straightforward Powertools handler: resolver, Logger, Tracer, Metrics and a pydantic model, all
imported eagerly, doing the same one DynamoDB call as the floor."""

import os

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver()
dynamodb = boto3.client("dynamodb")


class Bookmark(BaseModel):
    id: str
    url: str
    name: str


@app.get("/bookmarks/<bookmark_id>")
def get_bookmark(bookmark_id: str) -> dict[str, object]:
    key = {"pk": {"S": "OWNER#floor"}, "sk": {"S": f"BOOKMARK#{bookmark_id}"}}
    found = dynamodb.get_item(TableName=os.environ["BOOKMARKS_TABLE_NAME"], Key=key)
    return Bookmark(id=bookmark_id, url="https://example.com", name=str("Item" in found)).model_dump()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
