# Quick start: `make demo` and `make test` need only Python 3.11+ and make.

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
#: Plugin packages in this repository, each with its own pyproject.toml and tests.
POSTGRES := plugins/jobsearch-core-postgres
POSTGRES_STAMP := $(VENV)/.installed-postgres
LINTED := src tests $(POSTGRES)/src $(POSTGRES)/tests
NUDGES := plugins/jobsearch-core-nudges
NUDGES_STAMP := $(VENV)/.installed-nudges
LINTED += $(NUDGES)/src $(NUDGES)/tests
DOCS_STAMP := $(VENV)/.installed-docs
BENCH_STAMP := $(VENV)/.installed-bench
LINTED += bench tools
#: Events in the generated log that `make bench` measures (1000000 works too).
EVENTS ?= 100000

.PHONY: demo test lint format clean screenshots
.PHONY: docs
.PHONY: bench

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed (none found on PATH)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,plot]'
	@touch $@

# The PostgreSQL plugin, installed editable into the same venv so its entry point is found.
$(POSTGRES_STAMP): $(STAMP) $(POSTGRES)/pyproject.toml
	$(BIN)/python -m pip install --quiet -e '$(POSTGRES)[test]'
	@touch $@

# The nudges plugin (a view and a command), installed editable the same way.
$(NUDGES_STAMP): $(STAMP) $(NUDGES)/pyproject.toml
	$(BIN)/python -m pip install --quiet -e '$(NUDGES)[test]'
	@touch $@

# MkDocs, Material, mkdocstrings and mkdocs-click: the `docs` extra.
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	@touch $@

## demo: write a sample job search into a fresh SQLite file (demo.db) and print its views
demo: $(STAMP)
	@rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/jobsearch demo --log sqlite://$(CURDIR)/demo.db

## lint: ruff (lint and format check) and mypy --strict on src/ and the plugins' src/
lint: $(STAMP) $(POSTGRES_STAMP) $(NUDGES_STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy --strict src $(POSTGRES)/src $(NUDGES)/src

## test: lint, then every test: the core's (on PostgreSQL too, and the report in headless
## Chromium when chromium and chromium-driver are installed), then each plugin's
test: lint
	@$(BIN)/python -c 'from tests.browser.chromium import missing; p = missing(); p and print(f"make test: the browser tests (tests/browser) are skipped here: {p}")'
	$(BIN)/python -m pytest
	cd $(POSTGRES) && $(CURDIR)/$(BIN)/python -m pytest
	cd $(NUDGES) && $(CURDIR)/$(BIN)/python -m pytest

## screenshots: draw docs/images/report.png, report-phone.png and bump-chart.png (and .svg)
## from the demo, in headless Chromium (needs chromium and chromium-driver)
screenshots: $(STAMP)
	$(BIN)/python -m tools.screenshots docs/images

## docs: build docs/ into build/site with MkDocs in strict mode (a broken link or reference fails)
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 JOBSEARCH_CORE_PLUGINS= $(BIN)/mkdocs build --strict

# The eventsourcing library and pyinstrument: the `bench` extra.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

## bench: measure appends, replay, time travel, catch-up and memory against raw sqlite3 and
## the eventsourcing library on one generated log (EVENTS=100000), and the PostgreSQL
## plugin against raw psycopg when a server answers; see bench/README.md
bench: $(BENCH_STAMP) $(POSTGRES_STAMP)
	$(BIN)/python -m bench --events $(EVENTS)

## format: let ruff fix what it can
format: $(STAMP)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf $(POSTGRES)/.pytest_cache $(POSTGRES)/.hypothesis
	rm -rf $(NUDGES)/.pytest_cache $(NUDGES)/.hypothesis build/site
