# The two commands: `make run` and `make test`. Both run `setup` first, which is idempotent.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Development defaults; anything set in the environment wins.
export DJANGO_DEBUG ?= true
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.PHONY: setup run test lint fmt assets migrate demo worker beat check-deploy bench clean

setup: .env $(VENV)/.installed node_modules/.installed assets migrate demo

# A development .env (git ignores it) so that `python manage.py ...` works outside make too.
.env:
	printf '# Development settings written by `make setup`; see .env.example.\nDJANGO_DEBUG=true\n' > $@

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements/constraints.txt --editable '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The NHS.UK frontend compiled with relative asset URLs, plus its JavaScript and images.
assets: static/dist/main.css static/dist/nhsuk-frontend.min.js static/dist/chart.umd.min.js

static/dist/main.css: static/scss/main.scss static/scss/_portal.scss node_modules/.installed
	mkdir -p static/dist
	npx sass --no-source-map --style=compressed --load-path=node_modules $< $@
	rm -rf static/dist/assets && cp -R node_modules/nhsuk-frontend/dist/nhsuk/assets static/dist/assets

static/dist/nhsuk-frontend.min.js: node_modules/.installed
	mkdir -p static/dist
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js.map static/dist/

static/dist/chart.umd.min.js: node_modules/.installed
	mkdir -p static/dist
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/dist/

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --no-input $(if $(filter 1 true,$(VERBOSE)),,--verbosity 0)

demo: migrate
	$(PY) manage.py seed_demo --quiet-logins

run: setup
	@echo
	@$(PY) manage.py seed_demo
	@echo
	@echo "CLM Portal: http://$(HOST):$(PORT)/  (SQLite, tasks run in-process; Ctrl-C to stop)"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT) $(ARGS)

# The tests build their own test database: `make test` never migrates or seeds the database
# that DATABASE_URL names, and creates no demo accounts.
test: .env $(VENV)/.installed node_modules/.installed assets
	$(BIN)/pytest -n auto $(ARGS)

# Style, migrations, the scope rule of ADR 002 (no Model.objects in views) and the one-way
# data flow between apps (import-linter, contracts in pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) tools/scope_lint.py
	$(BIN)/lint-imports

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The production shape without Docker: a Celery worker and beat on $REDIS_URL.
worker: $(VENV)/.installed
	$(BIN)/celery -A clm_portal worker --loglevel=INFO $(ARGS)

beat: $(VENV)/.installed
	$(BIN)/celery -A clm_portal beat --loglevel=INFO $(ARGS)

check-deploy: $(VENV)/.installed
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  DJANGO_ALLOWED_HOSTS=clm.example.nhs.uk $(PY) manage.py check --deploy --fail-level WARNING

# The load benchmark: gunicorn and wrk on loopback, PostgreSQL at national and demo scale; needs
# a PostgreSQL server (BENCH_POSTGRES) and wrk; writes bench/RESULTS.md (see bench/README.md).
bench: $(VENV)/.installed assets
	$(PY) bench/bench.py $(ARGS)

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles db.sqlite3 .pytest_cache
