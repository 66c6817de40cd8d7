# Quick start: `make demo` and `make test` need only Python 3.11+ and make.

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed (none found on PATH)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,plot]'
	@touch $@

## demo: write a sample job search into a fresh SQLite file (demo.db) and print its views
demo: $(STAMP)
	@rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/jobsearch demo --log sqlite://$(CURDIR)/demo.db

## lint: ruff (lint and format check) and mypy --strict on src/
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy --strict src

## test: lint, then every test
test: lint
	$(BIN)/python -m pytest

## format: let ruff fix what it can
format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache .hypothesis
