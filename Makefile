# Mofang 魔方 — the two commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
CUSTOMERS ?= 20000
DAYS ?= 90
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)

.PHONY: demo test bench web venv lint serve clean openapi

## demo: set everything up, generate the demo bank into ./data (once) and serve on http://127.0.0.1:8000
demo: venv web
	$(PY) -m mofang.cli seed --data-dir $(DATA) --customers $(CUSTOMERS) --days $(DAYS)
	@echo ""
	@echo "  魔方 Mofang console: http://$(HOST):$(PORT)"
	@echo "  Log in as admin / Mofang@2026 (also hq_ops, gd_ops, sz_ops, analyst, approver, rm_demo — same password)"
	@echo ""
	$(PY) -m mofang.cli serve --data-dir $(DATA) --host $(HOST) --port $(PORT)

## test: install what the tests need and run every test (lint, architecture, backend, console unit, browser)
test: venv web
	$(VENV)/bin/ruff check src tests bench
	PYTHONPATH=src $(VENV)/bin/lint-imports
	cd web && npm test --silent
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations=25

## bench: run the benchmarks (never part of `make test`)
bench: venv
	$(PY) bench/run_all.py

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

web: web/dist/index.html
web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build --silent
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## openapi: write the backend's OpenAPI schema (the console's API types are generated from it)
openapi: venv
	$(PY) -c "import json,tempfile,pathlib; from mofang.app import create_app; from mofang.platform.settings import Settings; \
	print(json.dumps(create_app(Settings(data_dir=pathlib.Path(tempfile.mkdtemp()))).openapi(), ensure_ascii=False, indent=1))" > docs/openapi.json

lint: venv
	$(VENV)/bin/ruff check src tests bench
	PYTHONPATH=src $(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) web/node_modules web/dist
