# Qualitas: the two commands are `make run` and `make test`. Everything else is a step of theirs,
# plus `make benchmark` for the performance figures in benchmarks/README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL server the second test run uses; CI sets QUALITAS_REQUIRE_POSTGRES=1.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/qualitas_ci
# The PostgreSQL server the benchmarks create their throwaway databases on.
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Debian packages the tests need: Chromium for the browser tests, fonts and poppler for PDFs,
# libmagic for file types.
SYSTEM_PACKAGES := chromium fonts-dejavu-core poppler-utils libmagic1
PYTEST_ARGS ?=
# The suite runs on both cores (pytest-xdist); each worker has its own test database.
PYTEST_WORKERS ?= 2

.PHONY: help run test test-sqlite test-postgres lint checks venv frontend tools system-deps migrate demo \
	benchmark clean typecheck

help:
	@echo "make run        set up everything and serve Qualitas on http://$(HOST):$(PORT) with demo data"
	@echo "make test       set up everything the tests need and run the whole suite"
	@echo "make benchmark  run the benchmarks in benchmarks/ (SQLite and PostgreSQL)"

$(STAMPS):
	@mkdir -p $(STAMPS)

# Python 3.11+ with venv, and Node.js with npm. Root installs what is missing from Debian's
# packages; anyone else is told what to install.
tools:
	@missing=""; \
	if ! command -v $(PYTHON) >/dev/null 2>&1; then missing="$$missing python3 python3-venv"; \
	elif ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "Qualitas needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1). Use PYTHON=python3.11 make ..."; exit 1; \
	elif ! $(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Qualitas needs these packages:$$missing"; \
	    echo "On Debian or Ubuntu:  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(STAMPS)/venv: pyproject.toml | $(STAMPS) tools
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,production]'
	@touch $@

venv: $(STAMPS)/venv

$(STAMPS)/frontend: frontend/package.json frontend/package-lock.json frontend/build.mjs $(shell find frontend/src -type f 2>/dev/null) | $(STAMPS) tools
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent
	@touch $@

frontend: $(STAMPS)/frontend

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing"; \
	    echo "Install them with:  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

migrate: venv frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: venv typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy qualitas/stats qualitas/framework qualitas/core/audit.py qualitas/core/services.py \
	  qualitas/accounts/services.py qualitas/core/background.py qualitas/core/attachments.py qualitas/core/comments.py \
	  qualitas/signatures/services.py qualitas/approvals/services.py qualitas/notifications/services.py \
	  qualitas/notifications/sending.py qualitas/notifications/stream.py qualitas/reports/pdf.py \
	  qualitas/reports/services.py qualitas/compliance/services.py qualitas/production/services.py \
	  qualitas/production/routing.py qualitas/production/imports.py qualitas/production/metrics.py \
	  qualitas/inspections/services.py qualitas/inspections/sampling.py qualitas/nonconformance/services.py

# The static files (frontend) must exist: STATICFILES_DIRS points at them.
checks: venv frontend
	$(PY) manage.py makemigrations --check --dry-run
	QUALITAS_DEBUG=0 SECRET_KEY=ci-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	  ALLOWED_HOSTS=qualitas.example.com DATABASE_URL=sqlite:///$(CURDIR)/var/check.sqlite3 \
	  CELERY_BROKER_URL=redis://127.0.0.1:6379/0 EMAIL_URL=smtp://127.0.0.1:25 \
	  $(PY) manage.py check --deploy --fail-level WARNING

# A database file rather than memory: the job tests start a real Celery worker process, which must
# share the test database (qualitas/core/tests/test_jobs_worker.py).
test-sqlite: venv frontend system-deps
	QUALITAS_TESTING=1 QUALITAS_TEST_DB_FILE=1 DATABASE_URL= $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: venv frontend system-deps
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_POSTGRES_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "QUALITAS_TESTING=1 DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)"; \
	  QUALITAS_TESTING=1 DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS); \
	elif [ -n "$$QUALITAS_REQUIRE_POSTGRES" ]; then \
	  echo "PostgreSQL is required but does not answer at $(TEST_POSTGRES_URL)"; exit 1; \
	else \
	  echo "PostgreSQL does not answer at $(TEST_POSTGRES_URL): the PostgreSQL run is left out (CI runs it)."; \
	fi

test: lint checks test-sqlite test-postgres

# About thirty minutes on two cores. Each benchmark makes its own throwaway database and drops it.
benchmark: venv
	$(PY) -m benchmarks audit --database-url sqlite --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks list --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks notifications --database-url sqlite --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks inspection-pack --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks sampling --database-url sqlite --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks ingest --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks production-lists --database-url $(BENCH_POSTGRES_URL)
	$(PY) -m benchmarks.stats_library

clean:
	rm -rf $(VENV) $(STAMPS) frontend/node_modules qualitas/static/dist var
