# The two commands of the README. Each sets up everything it needs on a fresh machine.
#   make serve      install citycat (its runtime dependencies only) into .venv, check and build the
#                   catalogue, serve it on 127.0.0.1:8000 (PORT=... to change)
#   make test       install citycat with its test tools into .venv, the browser tests' axe-core and Lighthouse into
#                   node_modules (npm ci), and run the whole test suite; fails loudly, before running
#                   anything, when a program the suite needs is missing (npm, node, chromium, nginx, poppler-utils,
#                   fonts-liberation2, pango).
#                   SKIP_MISSING=1 runs anyway: the tests that need a missing program are skipped,
#                   each with its reason.
# Also: make validate (check only), make build (write public/), make docs, make bench, make lint.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: serving installs only citycat's runtime dependencies, testing adds the test extra.
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
AXE := node_modules/axe-core/axe.min.js

.PHONY: serve build validate test lint bench docs tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTING): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUNTIME)

# axe-core and Lighthouse for the browser tests, from package-lock.json: again whenever the lock file is newer.
$(AXE): package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "make test: npm is missing; the browser tests need axe-core from npm (Debian: apt-get install npm)." >&2; \
	  if [ -z "$(SKIP_MISSING)" ]; then exit 1; fi; \
	  echo "  SKIP_MISSING=1: the browser tests are skipped." >&2; \
	else \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	fi

# The programs the whole suite needs besides Python's packages.
tools:
	@missing=""; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	{ command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || missing="$$missing chromium"; \
	{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx-light"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	{ command -v fc-list >/dev/null 2>&1 && fc-list 'Liberation Serif:lang=vi' | grep -q .; } || missing="$$missing fonts-liberation2"; \
	{ ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0; } || missing="$$missing libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  echo "make test: the whole suite needs:$$missing (Debian: apt-get install$$missing)." >&2; \
	  if [ -z "$(SKIP_MISSING)" ]; then \
	    echo "  Install them, or run 'make test SKIP_MISSING=1' to skip the tests that need them." >&2; \
	    exit 1; \
	  fi; \
	  echo "  SKIP_MISSING=1: the tests that need them are skipped (see the summary)." >&2; \
	fi

serve: $(RUNTIME)
	$(BIN)/citycat serve --port $(or $(PORT),8000)

build: $(RUNTIME)
	$(BIN)/citycat build --out public

validate: $(RUNTIME)
	$(BIN)/citycat validate

lint: $(TESTING)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: tools $(TESTING) $(AXE) lint
	$(BIN)/python -m pytest

docs: $(RUNTIME)
	$(BIN)/citycat checks --format markdown > docs/checks.md
	$(BIN)/citycat fields > docs/fields.md
	$(BIN)/citycat schema
	$(BIN)/python -m citycat.pipeline.walkthrough

bench: $(RUNTIME)
	$(BIN)/python bench/validate_bench.py
