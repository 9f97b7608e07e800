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
.PHONY: help install lint format test build clean samples

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

samples: $(INSTALLED) ## Regenerate the event functions' events/ samples and events/catalogue.json
	PYTHONPATH=layers/shared/python:. $(BIN)/python -m tests.events.samples > /dev/null

build: $(INSTALLED) ## sam build for arm64 and Python 3.13, with no Docker and no python3.13 needed
	$(BIN)/sam build --template template.yaml

clean: ## Remove build output and the virtualenv
	rm -rf .aws-sam $(VENV) .mypy_cache .pytest_cache .ruff_cache
