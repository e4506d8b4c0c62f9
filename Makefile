# The two commands: `make run` (the whole platform with demo data) and `make test`.
#
# A fresh machine needs only Python 3.11. The first run bootstraps uv into var/bootstrap and builds
# .venv from uv.lock; later runs reuse it and re-sync only when uv.lock or pyproject.toml change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_SPEC := uv>=0.5,<0.14
BOOTSTRAP := var/bootstrap
UV := $(BOOTSTRAP)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` on PostgreSQL/Redis (auto: one per core); each worker gets its own
# test database (pytest-django: test_<name>_gw0, _gw1 …) and Redis database (tests/helpers/xdist.py).
TEST_WORKERS ?= auto
XDIST := $(if $(and $(DATABASE_URL),$(REDIS_URL)),-n $(TEST_WORKERS))

.PHONY: help run test lint venv clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# uv itself, pinned to a range, in a venv of its own (it never touches the system Python).
$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check "$(UV_SPEC)"

# .venv exactly as uv.lock says, dev group included. --frozen: install the lock as written, never
# re-resolve; on an already-synced .venv this is a quick, offline check.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	@touch $@

venv: $(VENV)/.synced  ## create or update .venv from uv.lock

# the demo runs the sandbox test clock (decision 026): staff move time ahead to watch deadlines fall due
run: export PLATFORM_TEST_CLOCK_ENABLED ?= true
run: venv  ## migrate, seed demo data, then start web + worker + beat (Ctrl-C stops all three)
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --port $(PORT)

test: venv  ## the test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite); PYTEST_ARGS=...
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

lint: venv  ## ruff, formatting, mypy, import contracts, missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:  ## remove what make built (environments, caches, collected static, broker queue); keeps var/db.sqlite3 and var/media
	rm -rf $(VENV) $(BOOTSTRAP) .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf var/static var/broker var/test-logs var/celerybeat-schedule*
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
