# The two commands of the README:
#   make demo   sets up ./.venv and runs `civicgraph demo`
#   make test   sets up ./.venv with the test tools and runs pytest, then ruff and mypy
# `.ci/run` runs `make test` (which installs Chromium for the page tests if missing, runs pytest, then `make lint`).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench install dev chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet .

# A strict editable install: mypy can follow it (re-run after adding a module).
# Also Neo4j's own Cypher parser (npm, pinned by tests/cypher_lint/package-lock.json).
dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	cd tests/cypher_lint && npm ci --no-audit --no-fund --loglevel=error

demo: install
	$(BIN)/civicgraph demo

# The page tests open civicgraph's HTML in a real headless Chromium (Debian's package).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

# The README's test command, and all of CI: the test suite, then lint and type checks.
test: dev chromium
	$(BIN)/python -m pytest
	$(MAKE) lint

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# mypy runs outside the repository root: the root is itself the package, mapped by setuptools.
	cd $(VENV) && $(abspath $(BIN))/mypy --config-file $(CURDIR)/pyproject.toml --cache-dir $(CURDIR)/.mypy_cache

bench: dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache demo-out
