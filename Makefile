# Every task of the project. `make help` lists them; nothing here deploys (see README "Deploying").
# The first target that needs tools creates .venv and installs them: a fresh clone needs only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Scanners whose pins clash with the SAM CLI's live in a virtualenv of their own.
SCAN_VENV := .venv-scan
SCAN_INSTALLED := $(SCAN_VENV)/.installed
# The Lambda runtime's Python (LAMBDA_PYTHON, found as the layers' builds find it): cold starts are
# measured on it where the machine has it.
include layers/bytecode.mk
BENCH_PYTHON ?= $(LAMBDA_PYTHON)
BENCH_VENV := .venv-bench
BENCH_INSTALLED := $(BENCH_VENV)/.installed
# axe-core, the accessibility engine the browser tests run on every screen (from npm, pinned; npm checks the
# tarball's integrity). tests/e2e/browser.py reads it from this path.
AXE_VERSION := 4.14.1
AXE := .local/node/node_modules/axe-core/axe.min.js
# sam and cfn-lint read no credentials for what we ask of them, but botocore still wants a region.
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.DEFAULT_GOAL := help
# Ports of `make local`: AWS_PORT for the embedded AWS (moto), API_PORT for the local API, WEB_PORT for the web client.
# AWS_HOST=0.0.0.0 lets `sam local invoke`'s containers reach the embedded AWS (README); it stays 127.0.0.1 otherwise.
AWS_HOST ?= 127.0.0.1
AWS_PORT ?= 5000
API_PORT ?= 3000
WEB_PORT ?= 8080
# At-least-once delivery in `make local`: REDELIVER=1 delivers everything twice, sometimes out of order;
# REDELIVER_SEED=<n> replays the choices of a run (its seed is printed at start).
REDELIVER ?= 0
REDELIVER_SEED ?=
# pytest-xdist workers of `make test`: one per core; the tests of the shared local stack keep to one of them.
TEST_WORKERS ?= auto

.PHONY: help install lint format test build local traces metrics invoke bench deploy web-publish replay e2e audit samples generate openapi new-function remove-feature clean cost capacity measure

help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The SigV4 span exporter of the OpenTelemetry layer, without the fifty packages it pins (pyproject.toml).
OTEL_DISTRO_VERSION := $(shell sed -n 's/^aws-opentelemetry-distro==\([^ ]*\).*/\1/p' layers/opentelemetry/requirements.txt)
$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev
	$(BIN)/python -m pip install --quiet --no-deps "aws-opentelemetry-distro==$(OTEL_DISTRO_VERSION)"
	touch $@

$(SCAN_INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(SCAN_VENV)/bin/python -m pip install --quiet --group scan
	touch $@

$(AXE): Makefile
	@if command -v npm >/dev/null; then \
		npm install --silent --prefix .local/node --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
			axe-core@$(AXE_VERSION) && touch $@; \
	else echo "npm not found: the browser tests need axe-core from npm (apt-get install -y npm)"; fi

install: $(INSTALLED) $(SCAN_INSTALLED) $(AXE) ## Create the virtualenvs with every tool (runs by itself when needed)

lint: $(INSTALLED) $(SCAN_INSTALLED) ## Lint and type-check the code, validate the templates and workflows
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions layers local tests bench pipeline tools
	$(BIN)/sam validate --lint --template template.yaml
	$(BIN)/cfn-lint template.yaml pipeline/github-oidc.yaml --append-rules cfn_lint_serverless.rules
	$(SCAN_VENV)/bin/checkov --config-file .checkov.yaml --quiet --compact --skip-download --framework cloudformation \
		--file template.yaml --file pipeline/github-oidc.yaml
	$(BIN)/bandit --quiet --recursive functions layers
	$(SCAN_VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(SCAN_VENV)/bin/zizmor --offline --quiet .github/workflows

format: $(INSTALLED) ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint $(AXE) ## Lint, then run every test (the command CI runs); TEST_WORKERS=1 runs them in one process
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

samples: $(INSTALLED) ## Regenerate the event functions' events/ samples and events/catalogue.json
	PYTHONPATH=layers/shared/python:. $(BIN)/python -m tests.events.samples > /dev/null

generate: $(INSTALLED) ## Regenerate template.yaml's blocks derived from the domain: the gateway models, the workflow's layout
	PYTHONPATH=layers/shared/python $(BIN)/python -m tools.generate
	@# The cost and capacity blocks follow the template (a removed feature's resources and stories go).
	@PYTHONPATH=layers/shared/python $(BIN)/python -m bench.cost > /dev/null
	@PYTHONPATH=layers/shared/python $(BIN)/python -m bench.capacity > /dev/null

openapi: $(INSTALLED) ## Regenerate docs/openapi.json and the README route table from template.yaml routes and the models
	PYTHONPATH=layers/shared/python $(BIN)/python -m tools.openapi

# SUMMARY reaches the tool through the environment (make exports command-line variables), so no shell
# quoting of ours breaks on an apostrophe in it.
new-function: $(INSTALLED) ## Add a GET API function with its template block, alarms, event, OpenAPI entry, test: NAME= ROUTE=
	@test -n "$(NAME)" -a -n "$(ROUTE)" || { echo "usage: make new-function NAME=export ROUTE=/bookmarks/export [SUMMARY='...']"; exit 2; }
	PYTHONPATH=layers/shared/python $(BIN)/python -m tools.new_function --name '$(NAME)' --route '$(ROUTE)' \
		$(if $(METHOD),--method '$(METHOD)') $${SUMMARY:+--summary "$$SUMMARY"}

remove-feature: $(INSTALLED) ## Take a feature out along its seam (tools/features.toml): make remove-feature FEATURE=workflow
	@test -n "$(FEATURE)" || { echo "usage: make remove-feature FEATURE=workflow|contest (tools/features.toml)"; exit 2; }
	PYTHONPATH=layers/shared/python $(BIN)/python -m tools.remove_feature '$(FEATURE)'

build: $(INSTALLED) ## sam build for arm64 and Python 3.13 without Docker; bytecode needs a Python 3.13 (warns if none)
	$(BIN)/sam build --template template.yaml

local: $(INSTALLED) ## Run the whole app offline on 127.0.0.1 (AWS_PORT=5000, API_PORT=3000, WEB_PORT=8080, REDELIVER=1, TRACING=opentelemetry); Ctrl-C stops
	$(BIN)/python -m local --aws-host $(AWS_HOST) --aws-port $(AWS_PORT) --api-port $(API_PORT) --web-port $(WEB_PORT) \
		$(if $(TRACING),--parameter TracingProvider=$(TRACING)) \
		$(if $(filter 1,$(REDELIVER)),--redeliver) $(if $(REDELIVER_SEED),--redeliver-seed $(REDELIVER_SEED))

traces: $(INSTALLED) ## Print `make local`'s service map and last traces; make traces TRACE=<id> prints one's timeline
	$(BIN)/python -m local.console traces $(TRACE)

metrics: $(INSTALLED) ## Print `make local`'s business metrics and alarm states
	$(BIN)/python -m local.console metrics

invoke: $(INSTALLED) ## Run one handler against `make local`: make invoke FUNCTION=<logical id> EVENT=events/...
	@test -n "$(FUNCTION)" -a -n "$(EVENT)" || { echo "usage: make invoke FUNCTION=<logical id> EVENT=<file>"; exit 2; }
	$(BIN)/python -m local.invoke $(FUNCTION) $(EVENT)

# Only what the Lambda runtime provides: everything else a cold start imports comes from the built layers.
$(BENCH_INSTALLED): pyproject.toml
	$(or $(BENCH_PYTHON),$(PYTHON)) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BENCH_VENV)/bin/python -m pip install --quiet "boto3==1.43.108"
	touch $@

# Instruction counts and their attribution need valgrind (optional: without it the bench says so and times
# only). Not part of `make test`: it takes about half an hour.
bench: $(INSTALLED) $(BENCH_INSTALLED) ## Measure cold start (before/after, instructions if valgrind), warm overhead, sizes, reads; writes bench/results.md
	PYTHONPATH=layers/shared/python $(BIN)/python -m bench.run --python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

# Offline, from the committed bench/measured.json: a second or two.
cost: $(INSTALLED) ## Print what the app costs idle per environment and per million of each story; writes bench/cost.md, README
	PYTHONPATH=layers/shared/python $(BIN)/python -m bench.cost

capacity: $(INSTALLED) ## Print each load profile's peak on every limited resource, its limit and headroom; writes README
	PYTHONPATH=layers/shared/python $(BIN)/python -m bench.capacity

# Runs the stories on the local stack (a few minutes); then make cost capacity.
measure: $(INSTALLED) ## Measure what each story meters on the local stack into bench/measured.json
	PYTHONPATH=layers/shared/python $(BIN)/python -m bench.measure

deploy: build ## Deploy to an environment of samconfig.toml (needs AWS credentials): make deploy ENV=staging
	@test -n "$(ENV)" || { echo "Name the environment: make deploy ENV=default|staging|prod"; exit 1; }
	$(BIN)/sam deploy --config-env $(ENV) --no-fail-on-empty-changeset \
		$(if $(CI),--no-confirm-changeset) \
		$(if $(ARTIFACTS_BUCKET),--s3-bucket $(ARTIFACTS_BUCKET),--resolve-s3) \
		$(if $(CLOUDFORMATION_EXECUTION_ROLE_ARN),--role-arn $(CLOUDFORMATION_EXECUTION_ROLE_ARN))

web-publish: $(INSTALLED) ## Upload web/ and its config.json to a deployed stack's bucket: make web-publish STACK=<AppName>-dev
	@test -n "$(STACK)" || { echo "usage: make web-publish STACK=<deployed stack name>"; exit 2; }
	$(BIN)/python -m pipeline.publish_web $(STACK)

replay: $(INSTALLED) ## Replay lost events into a deployed stack: make replay STACK=<stack> FROM=parked, or FROM=archive SINCE=<ISO time> [UNTIL=] [RULE=<rule ARN>]
	@test -n "$(STACK)" -a -n "$(FROM)" || { echo "usage: make replay STACK=<deployed stack> FROM=parked|archive [SINCE=...]"; exit 2; }
	PYTHONPATH=layers/shared/python $(BIN)/python -m tools.replay $(STACK) $(FROM) \
		$(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) $(if $(RULE),--rule $(RULE))

e2e: $(INSTALLED) ## End-to-end suite against a deployed stack: make e2e ENV=staging, or AWS_SAM_STACK_NAME=<stack>
	@test -n "$(AWS_SAM_STACK_NAME)$(ENV)" || { echo "Name the stack: ENV=<samconfig environment> or AWS_SAM_STACK_NAME=<stack>"; exit 1; }
	@stack="$(AWS_SAM_STACK_NAME)"; test -n "$$stack" || stack=$$(PYTHONPATH=layers/shared/python \
		$(BIN)/python -m tools.stack_names $(ENV)) || exit 1; \
	echo "end-to-end suite against $$stack"; AWS_SAM_STACK_NAME="$$stack" $(BIN)/pytest tests/e2e

audit: ## pip-audit the pinned runtime packages (needs the vulnerability service: CI, not make test)
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet pip-audit==2.10.1
	.venv-audit/bin/pip-audit --no-deps --disable-pip --requirement layers/dependencies/requirements.txt

clean: ## Remove build output, the virtualenvs and the local stack's state
	rm -rf .aws-sam $(VENV) $(SCAN_VENV) $(BENCH_VENV) .venv-audit .mypy_cache .pytest_cache .ruff_cache .hypothesis .local
