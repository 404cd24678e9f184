# Two commands: `make run` and `make test`. Everything else is here for CI and developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run serve data test test-postgres lint format screenshots clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Create .venv, install, migrate, load the reference and demonstration data, serve on 127.0.0.1:$(PORT)
run: data
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

data: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_territory
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo

# PYTHONDONTWRITEBYTECODE emptied: pytest keeps its rewritten test modules in __pycache__ (git
# ignores it) instead of parsing them again on every run, a few seconds per process.
PYTEST := PYTHONDONTWRITEBYTECODE= DJANGO_SECRET_KEY=tests-only-secret-key $(BIN)/python -m pytest
# `make test` runs the suite as two pytest processes side by side, one per core: these tests
# (the browser tests mostly wait for Chromium) and, at the same time, all the others. Together
# they run every test once; the second prints its report when the first is done; the run fails
# when either fails (pytest's "no tests ran" included).
TEST_SIDE ?= tests/browser tests/hostile/test_partner_space.py tests/hostile/test_stored_input.py

## Run the whole test suite (SQLite unless DATABASE_URL is set)
test: install
	@side_log=$$(mktemp); \
	TEST_DB_SUFFIX=side $(PYTEST) $(TEST_SIDE) >"$$side_log" 2>&1 & side=$$!; \
	trap 'kill $$side 2>/dev/null; rm -f "$$side_log"' EXIT; \
	$(PYTEST) $(addprefix --ignore=,$(TEST_SIDE)); main_status=$$?; \
	wait $$side; side_status=$$?; \
	printf '\n=== %s ===\n' "$(TEST_SIDE)"; cat "$$side_log"; \
	[ $$main_status -eq 0 ] && [ $$side_status -eq 0 ]

## Regenerate the screenshots of the main pages (1280 and 375 px) in docs/screenshots/ (needs Chromium)
screenshots: install
	SCREENSHOTS=1 DJANGO_SECRET_KEY=tests-only-secret-key $(BIN)/python -m pytest tests/browser/test_screenshots.py

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/teritoire} \
	$(MAKE) --no-print-directory test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles

## Benchmark of the public pages on PostgreSQL with gunicorn and wrk (see docs/performance.md)
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

## Load test with faults: nginx (deploy/nginx.conf) in front of two gunicorn instances (production
## settings) sharing PostgreSQL, Redis and MEDIA_ROOT, 60 s of public reading and partner writing
## while one instance, Redis, PostgreSQL and the mail server fail in turn (see docs/load.md)
.PHONY: load
load: install
	@command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx-light)
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
	@command -v pg_createcluster >/dev/null || (apt-get update -qq && apt-get install -y -qq postgresql)
	$(BIN)/python bench/load.py
