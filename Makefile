# The two commands of the README. Each sets up everything it needs on a fresh machine.
#   make serve      install citycat into .venv, check and build the catalogue, serve it on 127.0.0.1:8000
#   make test       install citycat with its test tools into .venv and run the whole test suite
# Also: make validate (check only), make build (write public/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve build validate test lint bench docs

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed
	$(BIN)/citycat serve --port $(or $(PORT),8000)

build: $(BIN)/.installed
	$(BIN)/citycat build --out public

validate: $(BIN)/.installed
	$(BIN)/citycat validate

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint
	$(BIN)/python -m pytest

docs: $(BIN)/.installed
	$(BIN)/citycat checks --format markdown > docs/checks.md
	$(BIN)/citycat fields > docs/fields.md
	$(BIN)/citycat schema

bench: $(BIN)/.installed
	$(BIN)/python bench/validate_bench.py
