# The two commands of the README. Each sets up everything it needs on a fresh machine.
#   make validate   install citycat into .venv and check the catalogue
#   make test       install citycat with its test tools into .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: validate test lint bench docs

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

validate: $(BIN)/.installed
	$(BIN)/citycat validate

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint
	$(BIN)/python -m pytest

docs: $(BIN)/.installed
	$(BIN)/citycat checks --format markdown > docs/checks.md

bench: $(BIN)/.installed
	$(BIN)/python bench/validate_bench.py
