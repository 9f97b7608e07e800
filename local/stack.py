"""The whole app on an embedded AWS: a moto server, the template's resources, demo users, the local API,
the in-process triggers and the web client, started together and stopped together (`make local`)."""

import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer
from werkzeug.serving import BaseWSGIServer, make_server

from local.api import LocalApi, api_settings
from local.authorizer import CognitoAuthorizer
from local.config import User, config
from local.console import Console
from local.functions import api_routes
from local.health import HEALTH_PATH, Health, with_health_check
from local.moto_patches import dynamodb_one_call_at_a_time
from local.observer import Observability, start_observability
from local.provision import Aws, Provisioned, provision
from local.reload import CodeReloader
from local.resolve import Resolver, Unresolvable
from local.runtime import Runtime
from local.template import template, translated
from local.triggers import (
    AtLeastOnce,
    NotificationPrinter,
    QueuePoller,
    RulePoller,
    StreamPoller,
    functions_invoked_in_process,
)
from local.web import WebClient

# What --aws-host takes to listen on every interface (a choice the user makes, for Docker's containers).
EVERY_INTERFACE = ("0.0.0.0", "::")  # noqa: S104


def use_embedded_aws_environment(region: str) -> None:
    """Dummy credentials and the settings moto needs, for the runner and every in-process handler."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (moto's dummy credentials)
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)


def created_groups(translation: dict[str, Any], physical: dict[str, Any]) -> set[str]:
    """The name of every user pool group the template creates, as provisioned (``physical``)."""
    return {
        str(physical[logical_id])
        for logical_id, r in translation["Resources"].items()
        if r["Type"] == "AWS::Cognito::UserPoolGroup" and logical_id in physical
    }


def in_groups(users: tuple[User, ...], groups: set[str], log: Callable[[str], None]) -> tuple[User, ...]:
    """``users`` in only those of their groups that are in ``groups``: local.toml may name a group the
    template no longer creates (its feature removed), and that user is then made without it (and ``log``
    says so)."""
    kept = []
    for user in users:
        if missing := sorted(set(user.groups) - groups):
            log(f"user {user.email}: the template creates no group {', '.join(missing)}; made without it")
        kept.append(replace(user, groups=tuple(g for g in user.groups if g in groups)))
    return tuple(kept)


def create_users(aws: Aws, pool_id: str, users: tuple[User, ...]) -> None:
    """Confirmed users with permanent passwords, in their groups (which the template must create)."""
    cognito = aws.cognito()
    for user in users:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user.email,
            UserAttributes=[
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=user.email, Password=user.password, Permanent=True
        )
        for group in user.groups:
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user.email, GroupName=group)


@dataclass
class Stack:
    """A running local stack; ``stop()`` ends every thread and server it started."""

    region: str
    aws_url: str
    api_url: str
    provisioned: Provisioned
    user_pool_id: str
    user_pool_client_id: str
    users: tuple[User, ...]
    # The template's Outputs as the local stack resolves them (local.toml's [outputs] where they differ).
    outputs: dict[str, str]
    _moto: ThreadedMotoServer
    _api: BaseWSGIServer
    _stop: threading.Event
    _threads: list[threading.Thread] = field(default_factory=list)
    _exits: ExitStack = field(default_factory=ExitStack)
    health: Health = field(default_factory=Health)
    redelivery: AtLeastOnce | None = None
    web_url: str = ""
    _web: BaseWSGIServer | None = None
    observability: Observability | None = None

    def description(self) -> dict[str, Any]:
        """The content of .local/stack.json (a fixed format that tools and checks read)."""
        return {
            "api_url": self.api_url,
            "health_url": self.api_url + HEALTH_PATH,
            "redelivery_seed": self.redelivery.seed if self.redelivery else None,
            "aws_endpoint_url": self.aws_url,
            "region": self.region,
            "user_pool_id": self.user_pool_id,
            "user_pool_client_id": self.user_pool_client_id,
            "users": [
                {"email": u.email, "password": u.password, "groups": list(u.groups)} for u in self.users
            ],
        }

    def env_vars(self) -> dict[str, dict[str, str]]:
        """`sam local invoke --env-vars` content: each function's environment as this stack resolves it
        (its tables, bus, topics...). Not the endpoint: where a container reaches this stack is not where
        this process does; the template's LocalEndpointUrl parameter says it (README)."""
        return {
            logical_id: {
                name: value for name, value in function.environment.items() if name != "AWS_ENDPOINT_URL"
            }
            for logical_id, function in self.provisioned.functions.items()
        }

    def write_state(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        resources = {
            "physical": self.provisioned.physical,
            "topic_inboxes": self.provisioned.topic_inboxes,
            "functions": {k: {"name": f.name, "arn": f.arn} for k, f in self.provisioned.functions.items()},
        }
        for name, content in (
            ("env.json", self.env_vars()),
            ("resources.json", resources),
            ("web.json", {"web_url": self.web_url}),
            ("stack.json", self.description()),  # last: its presence means the stack is ready
        ):
            (directory / f"{name}.tmp").write_text(json.dumps(content, indent=2, default=str) + "\n")
            (directory / f"{name}.tmp").replace(directory / name)

    def stop(self) -> None:
        self._stop.set()
        self._api.shutdown()
        if self._web is not None:
            self._web.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        if self.observability is not None:
            self.observability.stop()
        self._exits.close()
        self._moto.stop()


def _thread(name: str, target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def _cognito_authorizers(
    aws: Aws, region: str, aws_url: str, pool_arns: dict[str, str]
) -> dict[str, CognitoAuthorizer]:
    authorizers = {}
    for name, arn in pool_arns.items():
        pool_id = arn.split("/")[-1]
        clients = aws.cognito().list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
        authorizers[name] = CognitoAuthorizer(
            jwks_url=f"{aws_url}/{pool_id}/.well-known/jwks.json",
            issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            audiences=frozenset(client["ClientId"] for client in clients),
        )
    return authorizers


class PortInUse(Exception):
    """A port `make local` needs is taken (another local stack?); choose others with AWS_PORT, API_PORT or
    WEB_PORT."""


def ensure_free(port: int, what: str, host: str = "127.0.0.1") -> None:
    """Fail early and clearly: moto's server thread would otherwise wait forever for a port it can't bind."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"port {port} for the {what} is in use ({error.strerror})") from error


def start(
    *,
    aws_host: str = "127.0.0.1",
    aws_port: int = 5000,
    api_port: int = 3000,
    web_port: int | None = 8080,
    region: str = "us-east-1",
    state_dir: Path | None = None,
    parameters: dict[str, str] | None = None,
    redelivery: AtLeastOnce | None = None,
    hot_reload: bool = False,
    log: Callable[[str], None] = print,
) -> Stack:
    """Start moto, provision the template, create the demo users, serve the API (and the health check),
    run the triggers (at least once with ``redelivery``) and serve the web client (unless ``web_port`` is
    None). Only the embedded AWS may listen beyond 127.0.0.1 (``aws_host``), for `sam local invoke`'s
    containers; the API and the web client stay on it. With ``hot_reload``, an edited handler or layer
    module serves the next invocation."""
    ensure_free(aws_port, "embedded AWS (AWS_PORT)", aws_host)
    ensure_free(api_port, "local API (API_PORT)")
    if web_port is not None:
        ensure_free(web_port, "web client (WEB_PORT)")
    use_embedded_aws_environment(region)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per moto call drowns the app's logs
    # Before any state machine exists: moto then really runs executions, calling back on MOTO_PORT.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    moto = ThreadedMotoServer(ip_address=aws_host, port=aws_port, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    # Bound to every interface, it is still reached here as 127.0.0.1 (0.0.0.0 is no address to call).
    aws_url = f"http://{'127.0.0.1' if host in EVERY_INTERFACE else host}:{port}"
    os.environ["MOTO_PORT"] = str(port)
    aws = Aws(aws_url, region)

    translation = translated(region)
    overrides = dict(parameters or {})
    name = stack_name(translation, overrides)
    resolver = Resolver(translation, region=region, stack_name=name, parameter_overrides=overrides)
    provisioned = provision(translation, aws, resolver)
    settings = api_settings(template(), resolver)
    pools = [
        logical_id
        for logical_id, r in translation["Resources"].items()
        if r["Type"] == "AWS::Cognito::UserPool"
    ]
    clients = [
        logical_id
        for logical_id, r in translation["Resources"].items()
        if r["Type"] == "AWS::Cognito::UserPoolClient"
    ]
    pool_id = str(provisioned.physical[pools[0]]) if pools else ""
    groups = created_groups(translation, provisioned.physical)
    users = in_groups(config().users, groups, log) if pool_id else ()
    create_users(aws, pool_id, users)

    stop = threading.Event()
    # Traces, metrics and alarms (local/observer.py): the X-Ray daemon, EMF and the alarm clock.
    observability = start_observability(aws, provisioned, stop, log)
    os.environ.update(observability.environment())
    reloader = CodeReloader(log) if hot_reload else None
    runtime = Runtime(provisioned.functions, aws_url, observability.observer, reloader)
    authorizers = _cognito_authorizers(aws, region, aws_url, settings.authorizer_pool_arns)
    health = Health(log)
    local_api = LocalApi(
        settings,
        runtime.invoke,
        authorizers,
        log=log,
        observer=observability.observer,
        api_name=resolver.stack_name,
    )
    api = make_server("127.0.0.1", api_port, with_health_check(local_api, health), threaded=True)
    stack = Stack(
        region=region,
        aws_url=aws_url,
        api_url=f"http://127.0.0.1:{api.server_port}",
        provisioned=provisioned,
        user_pool_id=pool_id,
        user_pool_client_id=str(provisioned.physical[clients[0]]) if clients else "",
        users=users,
        outputs=_outputs(translation, resolver)
        | config().local_outputs(
            api_url=f"http://127.0.0.1:{api.server_port}", aws_url=aws_url, region=region
        ),
        _moto=moto,
        _api=api,
        _stop=stop,
        health=health,
        redelivery=redelivery,
        observability=observability,
    )
    stack._exits.enter_context(functions_invoked_in_process(provisioned, runtime))
    stack._exits.enter_context(dynamodb_one_call_at_a_time())
    stack._threads.append(_thread("local-api", api.serve_forever))
    for mapping in provisioned.stream_mappings:
        poller = StreamPoller(mapping, aws, runtime, stop, log, health=health, redelivery=redelivery)
        stack._threads.append(_thread(f"stream-{mapping.logical_id}", poller.run))
    for queue_mapping in provisioned.queue_mappings:
        queue_poller = QueuePoller(
            queue_mapping, aws, runtime, stop, log, health=health, redelivery=redelivery
        )
        stack._threads.append(_thread(f"queue-{queue_mapping.logical_id}", queue_poller.run))
    for delivery in provisioned.rule_deliveries:
        asynchronous = provisioned.async_invocations.get(delivery.function or "")
        rule_poller = RulePoller(
            delivery, aws, runtime, stop, log, health=health, redelivery=redelivery, asynchronous=asynchronous
        )
        stack._threads.append(_thread(f"rule-{delivery.rule}", rule_poller.run))
    if provisioned.topic_inboxes:
        printer = NotificationPrinter(provisioned, stop, log, health)
        stack._threads.append(_thread("sns-printer", printer.run))
    if web_port is not None and config().web is not None:
        _serve_web_client(stack, web_port)
    if state_dir is not None:
        stack.write_state(state_dir)
    _announce(stack, settings.stage, log, reloader)
    return stack


def stack_name(translation: dict[str, Any], parameters: dict[str, str]) -> str:
    """local.toml's stack_name, with the template's parameters it names (``${AppName}-local``) put in,
    as Fn::Sub would: the app's name stays written once, in the template."""
    resolver = Resolver(translation, parameter_overrides=parameters)
    return str(resolver.resolve({"Fn::Sub": config().stack_name}))


def _outputs(translation: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """Each output of the template whose value the local stack can resolve (and whose condition holds)."""
    outputs: dict[str, str] = {}
    for name, output in translation.get("Outputs", {}).items():
        try:
            if "Condition" not in output or resolver.condition(output["Condition"]):
                outputs[name] = str(resolver.resolve(output["Value"]))
        except Unresolvable:
            continue
    return outputs


def _serve_web_client(stack: Stack, port: int) -> None:
    """web/ on its own origin, as CloudFront serves it; moto answers the browser's CORS preflight for
    Cognito itself (flask-cors), so the client calls the embedded AWS directly."""
    web = config().web
    assert web is not None
    client_config = web.config_maker()(
        stack.outputs,
        stack.region,
        cognito_endpoint=stack.aws_url + "/",
        demo_users=stack.description()["users"],
    )
    console = None
    if stack.observability is not None:
        console = Console(stack.observability.traces, Aws(stack.aws_url, stack.region))
    stack._web = make_server(
        "127.0.0.1", port, WebClient(client_config, web.root, console=console), threaded=True
    )
    stack.web_url = f"http://127.0.0.1:{stack._web.server_port}"
    stack._threads.append(_thread("web-client", stack._web.serve_forever))


def _announce(stack: Stack, stage: str, log: Callable[[str], None], reloader: CodeReloader | None) -> None:
    provisioned = stack.provisioned
    lines = [
        f"Embedded AWS (moto server)  {stack.aws_url}   region {stack.region}",
        f"API (stage {stage})           {stack.api_url}",
        *(f"  {route.method:6} {route.path:24} -> {route.function}" for route in api_routes()),
        *(f"stream  {m.stream_arn.split('/')[1]} -> {m.function}" for m in provisioned.stream_mappings),
        *(f"queue   {m.queue_arn.split(':')[-1]} -> {m.function}" for m in provisioned.queue_mappings),
        *(
            f"rule    {d.rule} -> {d.function or d.state_machine_arn or d.topic_arn} (via local queue)"
            for d in provisioned.rule_deliveries
        ),
        *(
            f"topic   {logical_id} (printed here; copy kept in {url})"
            for logical_id, url in provisioned.topic_inboxes.items()
        ),
        f"Health check                {stack.api_url}{HEALTH_PATH} (503 while a trigger cannot proceed)",
        (
            f"At-least-once delivery ON, seed {stack.redelivery.seed} "
            f"(replay: make local REDELIVER=1 REDELIVER_SEED={stack.redelivery.seed})"
            if stack.redelivery
            else "At-least-once delivery off: each event delivered once (make local REDELIVER=1 turns it on)"
        ),
        (
            f"Hot reload ON: an edit under {reloader.watched()} serves the next invocation; "
            "template.yaml and local.toml changes need a restart"
            if reloader
            else "Hot reload off: restart to run edited code"
        ),
        f"Cognito user pool {stack.user_pool_id}, app client {stack.user_pool_client_id}",
        *([f"Web client                  {stack.web_url}"] if stack.web_url else []),
        *(f"  user {u.email} / {u.password} {list(u.groups) or ''}" for u in stack.users),
        f"Not emulated (local/provision.py SKIPPED): {len(provisioned.skipped)} resources of types "
        + ", ".join(sorted(set(provisioned.skipped.values()))),
    ]
    for line in lines:
        log(line)
