# Two commands matter: `make run` starts the platform, `make test` passes the tests.
# Both install what they need first.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install lock frontend frontend-check browser migrate demo lint schema clean

# Broker (embedded default only), web, worker, routing worker and beat under one supervisor
# (config/supervisor.py): a process that dies is restarted; Ctrl-C stops them all.
run: install frontend migrate demo
	$(BIN)/python -m config.supervisor

test: install frontend frontend-check browser
	$(BIN)/python scripts/lock.py --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest

# The core loop side by side with n8n (installed into var/n8n/ on first use); writes
# benchmarks/RESULTS.md. Needs PostgreSQL and Redis: see benchmarks/core_loop.py.
# Extra flags: make bench BENCH_ARGS=--quick
bench: install
	$(BIN)/python -m benchmarks.core_loop --from-make $(BENCH_ARGS)

install: $(STAMP)

# The versions come from requirements.lock (scripts/lock.py); the project itself is
# installed without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve requirements.lock after changing pyproject.toml's dependencies.
lock:
	test -x $(BIN)/pip-compile || $(BIN)/pip install --quiet 'pip-tools>=7.4'
	$(BIN)/python scripts/lock.py

NODE_DEPS := frontend/node_modules/.package-lock.json

$(NODE_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: frontend/dist/index.html

frontend/dist/index.html: $(NODE_DEPS) $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts
	cd frontend && npm run build

frontend-check: $(NODE_DEPS)
	cd frontend && npm run lint && npm test

# Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalog

demo: install
	$(BIN)/python manage.py bootstrap_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The committed API schema and the frontend types generated from it (tests/test_openapi_schema.py
# and `npm run lint` fail when either is stale).
schema: install $(NODE_DEPS)
	$(BIN)/python manage.py spectacular --file openapi.yaml --validate
	cd frontend && npm run api:generate

clean:
	rm -rf var frontend/dist
