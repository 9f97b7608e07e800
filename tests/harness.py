"""The tests' one door into the local stack's tool (local/): the template as SAM translates it, the app's
handlers loaded as Lambda loads them, API Gateway's proxy event, the stream and rule semantics, the
embedded AWS and the whole stack. Tests of the app import these from here; only the tests of local/
itself import its modules (tests/unit/test_boundaries.py checks both), so a change of local/'s insides
changes this file, not the suites."""

from local.config import config
from local.functions import ROOT, Route, api_routes, functions, handler, handler_module
from local.gateway import LambdaContext, Reply, find_route, invoke, proxy_event
from local.moto_patches import sent_notifications
from local.provision import Aws, create_table, filter_patterns, provision, state_machine_definition
from local.resolve import Resolver
from local.stack import Stack, start
from local.stack import stack_name as local_stack_name
from local.template import TEMPLATE_PATH, resource, template, translated
from local.triggers import AtLeastOnce, StreamReader, apply_input_path, matches, matches_filters, redelivered
from local.web import WebClient, content_security_policy

__all__ = [
    "ROOT",
    "TEMPLATE_PATH",
    "AtLeastOnce",
    "Aws",
    "LambdaContext",
    "Reply",
    "Resolver",
    "Route",
    "Stack",
    "StreamReader",
    "WebClient",
    "api_routes",
    "apply_input_path",
    "config",
    "content_security_policy",
    "create_table",
    "filter_patterns",
    "find_route",
    "functions",
    "handler",
    "handler_module",
    "invoke",
    "local_stack_name",
    "matches",
    "matches_filters",
    "provision",
    "proxy_event",
    "redelivered",
    "resource",
    "sent_notifications",
    "start",
    "state_machine_definition",
    "template",
    "translated",
]
