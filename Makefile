# Lối Về: the two commands of the quick start, and a few more for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: demo test lint format messages bench mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

## demo: install, migrate a SQLite database, load demo data and serve on http://$(HOST)
demo: $(VENV)/.installed
	$(BIN)/python manage.py quickstart --addrport $(HOST)

## test: the whole suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## mutate: mutation testing of the rule modules against their tests (slow, so not in `make test`);
## MUTANTS="cases.minors*" limits it to one module; prints the kill rate per module
mutate: $(VENV)/.installed-dev
	$(BIN)/mutmut run $(MUTANTS) || true
	$(BIN)/python scripts/mutation_report.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: refresh and compile the Vietnamese and English translations
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --no-location
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: $(VENV)/.installed-dev
	$(BIN)/python manage.py bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache mutants
