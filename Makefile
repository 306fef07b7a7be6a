# lip_research — run `make help` for the list of targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= data/sample
OUT ?= reports/sample

.DEFAULT_GOAL := help
.PHONY: help env report test test-fast lint format sample benchmarks lock

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

env: $(STAMP) ## Create or update the virtual environment in .venv/ (lip at .venv/bin/lip)

report: $(STAMP) ## Default thematic report on the bundled sample corpus (CORPUS=…, OUT=…)
	$(BIN)/lip report --corpus $(CORPUS) --out $(OUT)

test: $(STAMP) ## Run the whole test suite (installs Debian's chromium for the browser test if it can)
	@tools/ensure-chromium.sh
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## Unit tests only (no end-to-end runs)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check lip_research tests benchmarks tools
	$(BIN)/ruff format --check lip_research tests benchmarks tools

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format lip_research tests benchmarks tools
	$(BIN)/ruff check --fix lip_research tests benchmarks tools

sample: $(STAMP) ## Rebuild the fictional sample corpus from its paragraph bank
	$(BIN)/lip sample

benchmarks: $(STAMP) ## Run the benchmark scripts (minutes; prints ratios against baselines)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/sections.py
	$(BIN)/python benchmarks/topics.py
	$(BIN)/python benchmarks/themes.py

lock: ## Re-pin requirements.lock from the current .venv
	{ head -3 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | sed "s/^torch==\(.*\)+cpu/torch==\1/"; } > requirements.lock.new && mv requirements.lock.new requirements.lock
