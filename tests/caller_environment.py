"""The caller's own AWS settings, captured before tests/conftest.py replaces them with moto's dummies, so
that the e2e suite can reach a deployed stack (AWS_SAM_STACK_NAME) with real credentials."""

import os

CALLER_AWS_ENVIRONMENT = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
