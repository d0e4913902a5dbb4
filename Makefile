# ChainQ: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test setup venv vendor translations db demo bench clean-db

HOST ?= 127.0.0.1
PORT ?= 5000

run: setup demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: venv vendor translations db

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

vendor: build/vendor/.installed

build/vendor/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	rm -rf build/vendor && mkdir -p build/vendor/bpmn-js build/vendor/swagger-ui
	cp -r node_modules/bpmn-js/dist/assets node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js build/vendor/bpmn-js/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   node_modules/swagger-ui-dist/swagger-ui.css build/vendor/swagger-ui/
	touch $@

translations: venv
	$(BIN)/pybabel compile -d app/translations -f 2>/dev/null || $(BIN)/pybabel compile -d app/translations -f

db: venv
	CHAINQ_DEPLOY_ON_START=0 $(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

bench: setup
	$(BIN)/python bench/engine_throughput.py --quick
	$(BIN)/python bench/inbox_latency.py --quick
	$(BIN)/python bench/replay.py --quick
	$(BIN)/python bench/timers.py --quick
	$(BIN)/python bench/http_latency.py --quick

clean-db:
	rm -f instance/chainq.db instance/chainq.db-wal instance/chainq.db-shm
