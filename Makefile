# Stepdown: `make run` to set up and serve, `make test` to set up and run every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STEPDOWN := $(VENV)/bin/stepdown
HOST ?= 127.0.0.1
PORT ?= 8000
# Where PostgreSQL and Redis are looked for by `make test`'s second pass.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The suite runs in two parallel test workers (pytest-xdist); `make test PYTEST_WORKERS=` runs
# it in one.
PYTEST_WORKERS ?= -n 2

.PHONY: run install demo test test-sqlite test-postgres browser-deps lint format clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The background worker (`stepdown worker`) runs beside the server, in a session of its own so
# that Ctrl+C reaches it once, through the trap: it finishes the task in hand and stops with the
# server. Queued tasks wait in the database for the next start.
run: install
	$(STEPDOWN) migrate --noinput
	$(STEPDOWN) demo
	@$$(command -v setsid) $(STEPDOWN) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(STEPDOWN) serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests; install it when missing and we are root.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: install Debian's chromium package (browser tests will be skipped)"; \
	  fi; \
	fi

test: install browser-deps lint
	@passes="sqlite"; \
	echo "== pass 1: SQLite =="; \
	STEPDOWN_DATA_DIR=$$(mktemp -d) $(PY) -m pytest -q $(PYTEST_WORKERS) || exit $$?; \
	if $(PY) -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
	  redis=""; \
	  if $(PY) -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(('127.0.0.1',6379)))"; then redis="$(TEST_REDIS_URL)"; fi; \
	  echo "== pass 2: PostgreSQL$${redis:+ and Redis} =="; \
	  STEPDOWN_DATA_DIR=$$(mktemp -d) DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$$redis" \
	    $(PY) -m pytest -q $(PYTEST_WORKERS) || exit $$?; \
	  passes="$$passes, postgresql$${redis:+ + redis}"; \
	else \
	  echo "PostgreSQL is not reachable at 127.0.0.1:5432: skipped the PostgreSQL pass"; \
	fi; \
	echo "Test passes run: $$passes"

lint: install
	$(VENV)/bin/ruff check stepdown config tests
	$(VENV)/bin/ruff format --check stepdown config tests
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit --quiet --recursive stepdown config --severity-level medium

format: install
	$(VENV)/bin/ruff format stepdown config tests
	$(VENV)/bin/ruff check --fix stepdown config tests

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
