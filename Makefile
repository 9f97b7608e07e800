# Every task of the project. `make help` lists them; nothing here deploys (see README "Deploying").
# The first target that needs tools creates .venv and installs them: a fresh clone needs only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# sam and cfn-lint read no credentials for what we ask of them, but botocore still wants a region.
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.DEFAULT_GOAL := help
# Ports of `make local`: AWS_PORT for the embedded AWS (moto), API_PORT for the local API.
AWS_PORT ?= 5000
API_PORT ?= 3000

.PHONY: help install lint format test build clean local invoke

help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev
	touch $@

install: $(INSTALLED) ## Create .venv with every tool the project uses (runs by itself when needed)

lint: $(INSTALLED) ## Lint and type-check the code, validate the template
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions layers local tests
	$(BIN)/sam validate --lint --template template.yaml

format: $(INSTALLED) ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint ## Lint, then run every test (the command CI runs)
	$(BIN)/pytest

build: $(INSTALLED) ## sam build for arm64 and Python 3.13, with no Docker and no python3.13 needed
	$(BIN)/sam build --template template.yaml

local: $(INSTALLED) ## Run the whole app offline on 127.0.0.1 (AWS_PORT=5000, API_PORT=3000); Ctrl-C stops
	$(BIN)/python -m local --aws-port $(AWS_PORT) --api-port $(API_PORT)

invoke: $(INSTALLED) ## Run one handler against `make local`: make invoke FUNCTION=<logical id> EVENT=events/...
	@test -n "$(FUNCTION)" -a -n "$(EVENT)" || { echo "usage: make invoke FUNCTION=<logical id> EVENT=<file>"; exit 2; }
	$(BIN)/python -m local.invoke $(FUNCTION) $(EVENT)

clean: ## Remove build output, the virtualenv and the local stack's state
	rm -rf .aws-sam $(VENV) .mypy_cache .pytest_cache .ruff_cache .local
