"""Budgets that `make test` enforces and `make bench` reports against.

The budget guards against a heavy dependency slipping in (the Lambda runtime's boto3 and botocore
bundled again, say), which both uploads and cold starts pay for. It is set from what the layer weighs
with bytecode, measured by `make bench` (bench/results.md): sources 11.4 MB, with bytecode 16.4 MB, and
sourceless 11.9 MB (3.13's .pyc files outweigh their sources, and tracebacks would lose their lines).
18 MB leaves room for patch releases and none for a new library.
"""

# Bytes of the dependencies layer with its bytecode, as `sam build` ships it.
LAYER_BUDGET_BYTES = 18_000_000
