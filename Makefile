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
# `make test` spreads the suite over the machine's cores with pytest-xdist (`-n auto`): each
# worker takes the next test as it finishes one, with test databases (gw0, gw1…) and a Redis
# database (tests/redis_database.py) of its own. Fails on any failure and on "no tests ran".
## Run the whole test suite (SQLite unless DATABASE_URL is set)
test: install
	$(PYTEST) -n auto --maxprocesses=8

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
