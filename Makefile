# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# pytest-xdist workers of `make test` (one per core); a test module stays on one worker, so
# its module-scoped world is built once. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint install install-dev upgrade demo serve bench clean translations extract-messages

$(VENV)/.runtime: requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## Create or migrate the database, publish the demo district, serve with gunicorn.
run: translations upgrade demo serve

upgrade: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) search reindex

# DEMO_MONTHS (12) monthly exports of the demo district, generated once under instance/ and
# harvested, submitted and approved in date order; months already harvested are skipped.
demo: $(VENV)/.runtime
	$(FLASK) demo

# No gunicorn access log: it would write client addresses and full query strings. The
# portal logs each request itself (portal/ops/logs.py: path, status, time; no query, no address).
serve: $(VENV)/.runtime
	@echo "Portal: http://$(HOST):$(PORT)/  (Ctrl-C untuk berhenti)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 wsgi:app

## Install the dev requirements, lint (ruff, settings in pyproject.toml) and run the whole suite.
test: $(VENV)/.dev translations lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/pip install -q -r bench/requirements.txt
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache

## Translations: Indonesian in the source, English in portal/translations/en.
MO := portal/translations/en/LC_MESSAGES/messages.mo
PO := portal/translations/en/LC_MESSAGES/messages.po

translations: $(MO)

$(MO): $(PO) $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d portal/translations -D messages

extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i portal/translations/messages.pot -d portal/translations -D messages --no-fuzzy-matching
