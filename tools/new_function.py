"""`make new-function NAME=export ROUTE=/bookmarks/export`: a new API function, written so that the suite
stays green with no hand edit. It writes the handler folder, the template block (function, log group, both
error alarms, read-only role), the dashboard lines, a sample event and its expected answer, the route's
OpenAPI entry, and a test; then regenerates docs/openapi.json and the README's route table.

The new function starts as a working read of the caller's own bookmarks (a page, or one by ``{id}``),
through the same domain calls and permissions as GetBookmarksFunction: change the handler's domain call,
its answer model in tools/openapi.py and its role in template.yaml together. Only GET routes are
scaffolded: a write needs a request model and a use case of its own, which no generator can guess.
"""

import argparse
import json
import keyword
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from local.functions import ROOT, Route, api_routes, functions
from local.gateway import proxy_event
from local.template import TEMPLATE_PATH, template

NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Literal segments of lowercase words, and at most one path parameter, the bookmark id.
SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|\{id\}")
# Lengths that keep every written line within the line length ruff allows.
MAX_NAME, MAX_ROUTE, MAX_SUMMARY = 30, 40, 70
# A summary lands in YAML, Python and a Markdown table: printable text, none of the characters that would
# need escaping in one of them (quotes, backslash) or end a table cell (|).
UNSAFE_IN_SUMMARY = frozenset('"\\|`')
# Names the handler module already binds: a route function of that name would shadow them.
HANDLER_NAMES = frozenset(
    {"app", "aws", "library", "snapstart", "logger", "tracer", "resolve", "lambda_handler", "current_user"}
    | {"json_response", "new_resolver", "not_an_api_event", "correlation_paths", "Response"}
)
SAMPLE_ID = "01KB2Z3Y4X5W6V7T8S9R0QPNMK"  # names no stored bookmark: the sample answers 404
SAMPLE_CLAIMS = {
    "sub": "1f2e3d4c-0000-4000-8000-00000000a11c",
    "email": "alice@example.com",
    "email_verified": "true",
    "token_use": "id",
    "cognito:username": "1f2e3d4c-0000-4000-8000-00000000a11c",
}
# The anchors the scaffold writes after or before, in files it shares with the rest of the app.
OPENAPI_TOOL = ROOT / "tools" / "openapi.py"
EVENT_EXPECTATIONS = ROOT / "tests" / "unit" / "test_events.py"
DASHBOARD_METRICS = ("Duration", "ConcurrentExecutions", "Throttles")


class Refused(Exception):
    """The input names no function this tool can add; the message says why."""


@dataclass(frozen=True)
class NewFunction:
    """What one scaffolded function is called and serves."""

    name: str
    route: str
    summary: str

    @property
    def logical_id(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_")) + "Function"

    @property
    def folder(self) -> str:
        """The logical id in snake case, as every function's folder is (tests/unit/test_events.py)."""
        return f"{self.name}_function"

    @property
    def by_id(self) -> bool:
        return "{id}" in self.route

    @property
    def event_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def scenario(self) -> str:
        return "get" if self.by_id else "list"

    @property
    def sample_path(self) -> str:
        return self.route.replace("{id}", SAMPLE_ID)


def checked(name: str, route: str, method: str, summary: str | None) -> NewFunction:
    """The function to add, or Refused with the reason."""
    if method.upper() != "GET":
        raise Refused(
            f"METHOD={method}: only GET routes are scaffolded. A write needs a request model and a use case "
            "of its own: copy StoreBookmarkFunction's block (README, 'Add a function')"
        )
    if not NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise Refused(
            f"NAME={name!r}: use lowercase words joined by underscores (e.g. export, team_stats), "
            f"at most {MAX_NAME} characters"
        )
    if name.endswith("function"):
        raise Refused(f"NAME={name!r}: leave out 'function'; the tool adds it ({name}_function)")
    if keyword.iskeyword(name) or name in HANDLER_NAMES:
        raise Refused(f"NAME={name!r}: the handler's route function would shadow {name!r}; choose another")
    segments = route.split("/")
    if (
        not route.startswith("/")
        or route == "/"
        or len(route) > MAX_ROUTE
        or not all(SEGMENT.fullmatch(s) for s in segments[1:])
    ):
        raise Refused(
            f"ROUTE={route!r}: a path such as /bookmarks/export or /bookmarks/{{id}}/export: lowercase "
            f"segments (a-z, 0-9, -), no trailing slash, {{id}} as the only path parameter, at most "
            f"{MAX_ROUTE} characters"
        )
    if route.count("{id}") > 1:
        raise Refused(f"ROUTE={route!r}: one {{id}} at most")
    new = NewFunction(name, route, summary or _default_summary(route))
    if (
        len(new.summary) > MAX_SUMMARY
        or not new.summary.isprintable()
        or not new.summary.strip()
        or UNSAFE_IN_SUMMARY & set(new.summary)
    ):
        raise Refused(
            f"SUMMARY={new.summary!r}: one line of at most {MAX_SUMMARY} characters, without quotes, "
            "backslashes, backticks or |"
        )
    if new.logical_id in template()["Resources"]:
        raise Refused(f"NAME={name!r}: template.yaml already has a resource {new.logical_id}")
    for taken in (ROOT / "functions" / new.folder, ROOT / "events" / new.folder, _test_path(new)):
        if taken.exists():
            raise Refused(f"NAME={name!r}: {taken.relative_to(ROOT)} already exists")
    for existing in api_routes():
        if existing.method == "GET" and _shape(existing.path) == _shape(route):
            raise Refused(
                f"ROUTE={route!r}: GET {existing.path} is already served by {existing.function}; "
                "API Gateway cannot tell the two apart"
            )
    return new


def _shape(path: str) -> str:
    """A path with its parameters unnamed: /bookmarks/{id} and /bookmarks/{key} are one route."""
    return re.sub(r"\{\w+\}", "{}", path)


def _default_summary(route: str) -> str:
    return "Read one of the caller's bookmarks" if "{id}" in route else "List the caller's bookmarks"


def _test_path(new: NewFunction) -> Path:
    return ROOT / "tests" / "unit" / f"test_{new.folder}.py"


def handler_source(new: NewFunction) -> str:
    route = new.route.replace("{id}", "<bookmark_id>")
    if new.by_id:
        call = f'''@app.get("{route}")
def {new.name}(bookmark_id: str) -> Response[str]:
    return json_response(200, library.get(current_user(app), bookmark_id))
'''
        models = "Bookmark, ErrorBody"
    else:
        call = f'''@app.get("{route}")
def {new.name}() -> Response[str]:
    page = library.list_for_owner(
        current_user(app),
        limit=app.current_event.get_query_string_value("limit"),
        cursor=app.current_event.get_query_string_value("cursor"),
    )
    return json_response(200, page)
'''
        models = "BookmarkPage, ErrorBody"
    return f'''"""{new.logical_id}: serves GET {new.route}; its role may only read the bookmarks table.
Scaffolded by `make new-function`: replace the domain call with your use case, and keep the answer model
(tools/openapi.py) and the role (template.yaml) in step with it."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bookmarks import aws, library, snapstart
from bookmarks.api import current_user, json_response, new_resolver, not_an_api_event
from bookmarks.models import {models}
from bookmarks.observability import Tracer, resolve

logger = Logger()
tracer = Tracer()  # X-Ray SDK or OpenTelemetry, as the template chooses (bookmarks/observability.py)
app = new_resolver()
snapstart.warm_before_snapshot(clients=[aws.dynamodb], models=[{models}])


{call}

@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return not_an_api_event(event) or resolve(app, tracer, event, context)
'''


def template_block(new: NewFunction) -> str:
    f = new.logical_id
    action = "dynamodb:GetItem" if new.by_id else "dynamodb:Query"
    reads = "GetItem alone reads one" if new.by_id else "Query alone reads a page"
    return f"""  # Serves GET {new.route} (made by make new-function); its role reads the table, no more.
  {f}:
    Type: AWS::Serverless::Function
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_116
            comment: Invoked synchronously by API Gateway; the caller gets the error, nothing to dead-letter.
    Properties:
      Description: {json.dumps(f"{new.summary} (GET {new.route}).")}
      CodeUri: functions/{new.folder}/
      Handler: app.lambda_handler
      # CodeDeploy shifts traffic to each new version of the `live` alias (Globals) and rolls back if
      # its alarm fires; configuration-only changes publish a version too.
      AutoPublishAliasAllProperties: true
      DeploymentPreference:
        Type: !Ref DeploymentStrategy
        Alarms:
          - !Ref {f}NewVersionErrorsAlarm
      Environment:
        Variables:
          BOOKMARKS_TABLE_NAME: !Ref BookmarksTable
          ALLOWED_ORIGIN: !Ref AllowedOrigin
      Policies:
        # Raw statement: {reads} of the caller's bookmarks (DynamoDBReadPolicy adds Scan).
        - Statement:
            - Effect: Allow
              Action: {action}
              Resource: !GetAtt BookmarksTable.Arn
      Events:
        {new.event_name}:
          Type: Api
          Properties:
            RestApiId: !Ref BookmarksApi
            Path: {new.route}
            Method: get

  # The function's own log group, declared so it has a retention and the app's key.
  {f}LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${{{f}}}
      RetentionInDays: !Ref LogRetentionDays
      KmsKeyId: !If [UsesCustomerManagedKey, !GetAtt DataKey.Arn, !Ref AWS::NoValue]

  # Any error of the version being deployed rolls the deployment back: a new version has to earn traffic.
  {f}NewVersionErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: Errors of the {f} version being deployed; CodeDeploy rolls back on it.
      AlarmActions: [!Ref AlarmTopic]
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: Resource
          Value: !Sub "${{{f}}}:live"
        - Name: FunctionName
          Value: !Ref {f}
        - Name: ExecutedVersion
          Value: !GetAtt {f}.Version.Version
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching

  # A function raised or timed out (all versions): a bug or an outage of what it calls.
  {f}ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: {f} failed in the last 5 minutes.
      AlarmActions: [!Ref AlarmTopic]
      OKActions: [!Ref AlarmTopic]
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref {f}
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching

"""


def with_function_block(text: str, new: NewFunction) -> str:
    """The template with the new function's resources at the end of the section of the first API
    function (or of the first function), beside the functions it is most like."""
    lines = text.splitlines(keepends=True)
    first = next((route.function for route in api_routes()), None) or next(iter(functions()))
    anchor = lines.index(f"  {first}:\n")
    # A section opens with a banner line after a blank one (its title and a closing banner follow).
    end = next(
        (
            i
            for i in range(anchor, len(lines))
            if re.fullmatch(r"  # -{20,}\n", lines[i]) and not lines[i - 1].strip()
        ),
        None,
    )
    if end is None:
        end = lines.index("Outputs:\n")
    return "".join(lines[:end]) + template_block(new) + "".join(lines[end:])


def with_dashboard_lines(text: str, new: NewFunction) -> str:
    """The dashboard with the new function beside the others on each per-function widget."""
    for metric in DASHBOARD_METRICS:
        pattern = re.compile(
            rf'^(?P<indent> *)\["AWS/Lambda", "{metric}", "FunctionName", "\$\{{\w+\}}"'
            r"(?P<rest>.*?\])(?P<comma>,?)\n",
            re.MULTILINE,
        )
        found = list(pattern.finditer(text))
        if not found:
            raise Refused(f"template.yaml's OperationsDashboard has no per-function {metric} line to follow")
        # The lines of the last function shown (one per statistic), copied for the new function.
        last_function = re.search(r'"\$\{(\w+)\}"', found[-1].group(0))
        assert last_function is not None
        copies = [m for m in found if f'"${{{last_function[1]}}}"' in m.group(0)]
        new_lines = [
            f'{m["indent"]}["AWS/Lambda", "{metric}", "FunctionName", "${{{new.logical_id}}}"{m["rest"]}'
            for m in copies
        ]
        tail = found[-1]
        ending = tail["comma"]
        replacement = tail.group(0).rstrip("\n").rstrip(",") + ",\n"
        replacement += ",\n".join(new_lines) + ending + "\n"
        text = text[: tail.start()] + replacement + text[tail.end() :]
    return text


def with_operation(text: str, new: NewFunction) -> str:
    """tools/openapi.py's OPERATIONS with the new route's entry (what its success answer and errors are)."""
    start = text.index("OPERATIONS: dict[")
    end = text.index("\n}\n", start)
    if new.by_id:
        entry = f'''    ("GET", "{new.route}"): Operation(
        "{new.summary}",
        200,
        Bookmark,
        (BookmarkNotFound,),
    ),'''
    else:
        entry = f'''    ("GET", "{new.route}"): Operation(
        "{new.summary}",
        200,
        BookmarkPage,
        (InvalidInput,),
        paged=True,
    ),'''
    return text[:end] + "\n" + entry + text[end:]


def with_expected_status(text: str, new: NewFunction) -> str:
    """tests/unit/test_events.py's EXPECTED_STATUS with the new sample's answer."""
    start = text.index("EXPECTED_STATUS = {")
    end = text.index("\n}\n", start)
    status = 404 if new.by_id else 200
    return text[:end] + f'\n    "{new.folder}/{new.scenario}.json": {status},' + text[end:]


def sample_event(new: NewFunction) -> str:
    """The REST proxy event API Gateway sends for the route, as the other functions' samples are."""
    route = Route("GET", new.route, new.logical_id, None)
    event = proxy_event(
        route,
        new.sample_path,
        {"id": SAMPLE_ID} if new.by_id else {},
        claims=SAMPLE_CLAIMS,
        headers={"Accept": "application/json", "Authorization": "<the caller's Cognito ID token>"},
        query=None if new.by_id else {"limit": "20"},
    )
    event["requestContext"]["requestId"] = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    return json.dumps(event, indent=2) + "\n"


def test_source(new: NewFunction) -> str:
    if new.by_id:
        body = f'''def test_the_caller_reads_their_own_bookmark_and_not_another_users(
    alice: ApiClient, bob: ApiClient
) -> None:
    mine = alice.create(url="https://example.com/mine")
    theirs = bob.create(url="https://example.com/theirs")

    reply = alice.request("GET", "{new.route}".replace("{{id}}", mine["id"]))

    assert reply.status == 200
    assert reply.body == mine
    assert alice.request("GET", "{new.route}".replace("{{id}}", theirs["id"])).status == 404
'''
    else:
        body = f'''def test_the_caller_gets_their_own_bookmarks_newest_first_and_no_one_elses(
    alice: ApiClient, bob: ApiClient
) -> None:
    older = alice.create(url="https://example.com/older")
    newer = alice.create(url="https://example.com/newer")
    bob.create(url="https://example.com/bobs")

    reply = alice.request("GET", "{new.route}")

    assert reply.status == 200
    assert [bookmark["id"] for bookmark in reply.body["items"]] == [newer["id"], older["id"]]


def test_a_bad_limit_is_refused_by_name(alice: ApiClient) -> None:
    reply = alice.request("GET", "{new.route}", query={{"limit": "0"}})

    assert reply.status == 400
    assert [problem["field"] for problem in reply.body["errors"]] == ["limit"]
'''
    return f'''"""{new.logical_id} through its handler, as API Gateway calls it. Scaffolded by
`make new-function`: change these tests with the function."""

import json

from tests.api_client import ApiClient
from tests.harness import ROOT, find_route, invoke

SAMPLE = ROOT / "events" / "{new.folder}" / "{new.scenario}.json"


{body}

def test_the_sample_event_reaches_the_function(bookmarks_table: str) -> None:
    event = json.loads(SAMPLE.read_text())
    found = find_route(event["httpMethod"], event["path"])

    assert found is not None
    assert found[0].function == "{new.logical_id}"
    assert invoke(found[0], event).status == {404 if new.by_id else 200}
'''


def write(new: NewFunction) -> list[Path]:
    """Write every file of the new function; the paths written or changed."""
    folder = ROOT / "functions" / new.folder
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(handler_source(new))
    events = ROOT / "events" / new.folder
    events.mkdir(parents=True)
    (events / f"{new.scenario}.json").write_text(sample_event(new))
    _test_path(new).write_text(test_source(new))
    TEMPLATE_PATH.write_text(with_dashboard_lines(with_function_block(TEMPLATE_PATH.read_text(), new), new))
    OPENAPI_TOOL.write_text(with_operation(OPENAPI_TOOL.read_text(), new))
    EVENT_EXPECTATIONS.write_text(with_expected_status(EVENT_EXPECTATIONS.read_text(), new))
    return [
        folder / "app.py",
        events / f"{new.scenario}.json",
        _test_path(new),
        TEMPLATE_PATH,
        OPENAPI_TOOL,
        EVENT_EXPECTATIONS,
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make new-function", description=__doc__)
    parser.add_argument("--name", required=True, help="lowercase words with underscores, e.g. export")
    parser.add_argument("--route", required=True, help="the API path, e.g. /bookmarks/export")
    parser.add_argument("--method", default="GET", help="GET (the only method scaffolded)")
    parser.add_argument("--summary", help="one line for the OpenAPI document and the README's route table")
    arguments = parser.parse_args(argv)
    try:
        new = checked(arguments.name, arguments.route, arguments.method, arguments.summary)
    except Refused as refusal:
        print(f"make new-function: {refusal}", file=sys.stderr)
        return 2
    written = write(new)
    # The project's formatter has the last word on the code written (a long route wraps a line).
    python = [str(path) for path in written if path.suffix == ".py"]
    formatter = [sys.executable, "-m", "ruff", "format", "--quiet", *python]
    subprocess.run(formatter, cwd=ROOT, check=True)  # noqa: S603 (our interpreter, the files we wrote)
    # A fresh process: this one has read the template before the function was added.
    importable = {**os.environ, "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry)}
    subprocess.run([sys.executable, "-m", "tools.openapi"], cwd=ROOT, env=importable, check=True)
    print(f"{new.logical_id} serves GET {new.route}. Wrote or changed:")
    for path in written:
        print(f"  {path.relative_to(ROOT)}")
    print("  docs/openapi.json, README.md (route table)")
    print(
        f"Next: put your use case in functions/{new.folder}/app.py, then make test. "
        f"A running make local needs a restart for the new route (template.yaml)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
