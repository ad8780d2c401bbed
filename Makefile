SHELL := /bin/sh
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
ALLOWED_HOSTS ?= $(HOST),localhost,127.0.0.1
PYTEST_ARGS ?=

VENV := .venv
PY := $(VENV)/bin/python
# The first interpreter that exists and is at least 3.11.
PYTHON ?= $(shell for p in python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)

# Settings for `make run`: a production-like server over plain HTTP on the local machine.
RUN_ENV = DEBUG=0 SERVE_MEDIA=1 SECURE_COOKIES=0 ALLOWED_HOSTS='$(ALLOWED_HOSTS)'

.PHONY: help run test lint locale bench bench-admin bench-import clean

help:
	@echo "make run    set up everything, load the demo and serve on http://$(HOST):$(PORT)/"
	@echo "make test   run the test suite (PYTEST_ARGS=... passes options to pytest)"
	@echo "make lint   ruff and the missing-migrations check"
	@echo "make locale compile the translation catalogues (locale/*/LC_MESSAGES/django.po) with Babel"
	@echo "make bench  time the story page"
	@echo "make bench-admin  time the story's admin: change form, save, history and conflict page"
	@echo "make bench-import  import 10,000 ninjs stories into SQLite and PostgreSQL, then again unchanged"
	@echo "make clean  remove the virtualenv, collected static files and caches"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required (tried python3.11 and python3)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "$(PYTHON) is older than 3.11." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamps live inside the virtualenv, so a deleted .venv also forgets what was installed.
$(VENV)/.stamp-requirements: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.stamp-requirements

.secret_key: | $(PY)
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@
	@echo "Created .secret_key"

# The .po files are the source; the .mo files Django reads are built (only when stale) and not committed.
# Babel compiles them, so GNU gettext is not needed (newsroom/catalogs.py).
locale: $(VENV)/.stamp-requirements
	$(PY) -m newsroom.catalogs

run: $(VENV)/.stamp-requirements .secret_key locale
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py load_demo
	@$(RUN_ENV) $(PY) manage.py demo_admin --host $(HOST) --port $(PORT)
	$(RUN_ENV) $(VENV)/bin/gunicorn newsroom.wsgi -b $(HOST):$(PORT) --workers 2 --access-logfile -

test: $(VENV)/.stamp-dev locale
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.stamp-dev
	$(PY) scripts/bench_story_page.py

bench-admin: $(VENV)/.stamp-dev
	$(PY) scripts/bench_admin.py

# 10,000 ninjs stories into SQLite, then PostgreSQL when BENCH_POSTGRES_URL answers; first import and re-import.
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
bench-import: $(VENV)/.stamp-dev
	env -u DATABASE_URL $(PY) scripts/bench_import.py $(BENCH_COUNT)
	DATABASE_URL=$(BENCH_POSTGRES_URL) $(PY) scripts/bench_import.py $(BENCH_COUNT)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find locale -name '*.mo' -delete
