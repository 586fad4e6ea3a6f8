# The two set-up commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest services bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

## demo: review a small sample repository against the bundled Moonshot emulator (no key needed)
demo: $(VENV)/.installed
	$(BIN)/python scripts/demo.py

## test: lint, type-check and run the whole suite against real services
test: $(VENV)/.dev-installed services
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest

services:
	@bash scripts/services-up.sh

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/review_large.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
