# ExportHub: `make run` starts everything on embedded defaults, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB_PORT ?= 8000

.PHONY: run test preflight lint audit env migrate bench reliability fuzz clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ExportHub needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[demo]"
	@touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.run-deps

env: $(VENV)/.run-deps
	@$(BIN)/python -m exporthub.devenv .env

migrate: env
	$(BIN)/python manage.py migrate --noinput

# Web, worker and beat count metrics into one folder, emptied at each start (prometheus-client's
# multiprocess mode); /metrics sums it when METRICS_TOKEN is set.
run: migrate
	@$(BIN)/python manage.py seed_demo
	@rm -rf var/metrics && mkdir -p var/metrics
	WEB_PORT=$(WEB_PORT) PATH="$(CURDIR)/$(BIN):$$PATH" PROMETHEUS_MULTIPROC_DIR="$(CURDIR)/var/metrics" \
		$(BIN)/honcho -f Procfile start

# Azurite (the Azure Blob stand-in the tests start) comes from npm.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive exporthub integrations feeds

# Known vulnerabilities in the installed dependencies; needs PyPI's JSON API or OSV.
audit: $(VENV)/.test-deps
	$(BIN)/pip-audit --strict --skip-editable

# Before anything is installed: the machine tools the suite drives, or the command to get them.
preflight:
	@$(PYTHON) tests/support/preflight.py

test: preflight lint node_modules/.installed
	$(BIN)/pytest

# Figures for README "Performance": PostgreSQL (BENCH_DATABASE_URL, a scratch database it
# creates) and an in-process S3 stand-in; writes bench/results.json.
bench: $(VENV)/.test-deps
	$(BIN)/python -m bench

# The long runs of docs/RELIABILITY.md (kills, faults, outages, leak sweep): figures printed and
# written to reliability/results.json. PostgreSQL when DATABASE_URL names it, else SQLite.
reliability: $(VENV)/.test-deps node_modules/.installed
	$(BIN)/python -m reliability

# The fuzzing of docs/RELIABILITY.md at length: 10 000 examples per validator and parser test,
# 1 000 per API operation (CI runs 150 and 30).
fuzz: $(VENV)/.test-deps
	FUZZ_EXAMPLES=10000 API_FUZZ_EXAMPLES=1000 $(BIN)/pytest -p no:logging \
		--hypothesis-show-statistics tests/security/test_fuzz.py tests/security/test_api_schema.py

clean:
	rm -rf $(VENV) var
