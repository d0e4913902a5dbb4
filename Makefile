# ChainQ: `make run` serves the app with demo data; `make test` lints, type-checks and runs the whole suite.
# Packaging and tool settings: setup.cfg (ruff: pyproject.toml); exact versions: constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint setup venv vendor translations secret-key db demo bench prod-check screenshots clean-db

HOST ?= 127.0.0.1
PORT ?= 5000
# `make run` serves plain HTTP on this machine: its login cookie cannot be Secure-only (behind HTTPS: 1)
SECURE_COOKIES ?= 0

# One command, timers included: the development server runs the scheduler in-process
# (CHAINQ_SCHEDULER_IN_APP=1). Production runs it as its own process: docs/operations.md.
# Demo mode (CHAINQ_DEMO=1): the demo accounts log in with the demo password without changing it first.
run: setup demo
	CHAINQ_DEMO=1 CHAINQ_SESSION_COOKIE_SECURE=$(SECURE_COOKIES) CHAINQ_SCHEDULER_IN_APP=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

test: lint setup
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

# ruff (lint, import order, complexity) and mypy (strict for app/engine and app/domain): CI fails on either.
lint: venv
	$(BIN)/ruff check app tests bench scripts wsgi.py
	$(BIN)/mypy

setup: venv vendor translations secret-key db

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

vendor: build/vendor/.installed

# The modeler page: camunda-bpmn-js's Camunda 7 bundle as shipped, and our entry file bundling bpmnlint
# and bpmn-js-differ (ESM/CommonJS packages) with esbuild, a devDependency.
build/vendor/.installed: package.json package-lock.json app/static/modeler/tools.src.js
	npm install --no-audit --no-fund --loglevel=error
	rm -rf build/vendor && mkdir -p build/vendor/bpmn-js build/vendor/swagger-ui build/vendor/echarts \
	   build/vendor/camunda-bpmn-js build/vendor/modeler
	cp -r node_modules/camunda-bpmn-js/dist/assets \
	   node_modules/camunda-bpmn-js/dist/camunda-platform-modeler.production.min.js build/vendor/camunda-bpmn-js/
	node_modules/.bin/esbuild app/static/modeler/tools.src.js --bundle --minify --format=iife --log-level=warning \
	   --outfile=build/vendor/modeler/modeler-tools.js
	cp -r node_modules/bpmn-js/dist/assets node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js build/vendor/bpmn-js/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   node_modules/swagger-ui-dist/swagger-ui.css build/vendor/swagger-ui/
	cp node_modules/echarts/dist/echarts.common.min.js build/vendor/echarts/
	mkdir -p build/vendor/dmn-js
	cp -r node_modules/dmn-js/dist/assets node_modules/dmn-js/dist/dmn-modeler.production.min.js build/vendor/dmn-js/
	touch $@

translations: venv
	$(BIN)/pybabel compile -d app/translations -f 2>/dev/null || $(BIN)/pybabel compile -d app/translations -f

# The key that signs login cookies: random, made once, readable by its owner only (app/config.py reads
# it when CHAINQ_SECRET_KEY is unset; the app refuses to start without a key outside debug and tests).
secret-key: instance/secret_key

instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@.tmp && mv $@.tmp $@

db: venv secret-key
	CHAINQ_DEPLOY_ON_START=0 $(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

bench: setup
	$(BIN)/python bench/engine_throughput.py --quick
	$(BIN)/python bench/inbox_latency.py --quick
	$(BIN)/python bench/replay.py --quick
	$(BIN)/python bench/timers.py --quick
	$(BIN)/python bench/http_latency.py --quick
	$(BIN)/python bench/dmn.py --quick
	$(BIN)/python bench/project_lifecycle.py --quick
	$(BIN)/python bench/problem_review.py --quick

# Two gunicorn apps + a scheduler process on a throw-away PostgreSQL database, 8 clients, one app
# killed midway; one JSON line, non-zero exit when a required check fails (docs/operations.md).
# PROD_CHECK_ARGS="--duration 20" for a shorter run.
PROD_CHECK_POSTGRES ?= $(or $(CHAINQ_TEST_POSTGRES_URL),postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
# the user guide's pictures: main pages, Chinese UI, desk and phone (docs/screenshots/)
screenshots: setup
	$(BIN)/python scripts/screenshots.py

prod-check: setup
	$(BIN)/python bench/prod_check.py --postgres $(PROD_CHECK_POSTGRES) $(PROD_CHECK_ARGS)

clean-db:
	rm -f instance/chainq.db instance/chainq.db-wal instance/chainq.db-shm
