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

## Run the whole test suite (SQLite unless DATABASE_URL is set)
test: install
	DJANGO_SECRET_KEY=tests-only-secret-key $(BIN)/python -m pytest

## Regenerate the screenshots of the main pages (1280 and 375 px) in docs/screenshots/ (needs Chromium)
screenshots: install
	SCREENSHOTS=1 DJANGO_SECRET_KEY=tests-only-secret-key $(BIN)/python -m pytest tests/browser/test_screenshots.py

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/teritoire} \
	DJANGO_SECRET_KEY=tests-only-secret-key $(BIN)/python -m pytest

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

## Load test: gunicorn (production settings) on a fresh PostgreSQL database with the demonstration
## data, 60 s of public reading and partner updates from a second process (see docs/load.md)
.PHONY: load
load: install
	$(BIN)/python bench/load.py
