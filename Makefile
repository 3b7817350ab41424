# Lối Về: the two commands of the quick start, and a few more for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: demo test lint format messages bench mutate clean

# A virtualenv without ensurepip's slow copy of pip: the system's pip installs a current pip
# into it without compiling it (a plain venv where the system has no pip).
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV) \
	  && $(PYTHON) -m pip --python $(BIN)/python install --quiet --no-compile pip \
	  || $(PYTHON) -m venv --clear $(VENV)

# The demo needs only the dependencies (manage.py imports the project from the checkout), as
# wheels, not compiled ahead: Python compiles what it imports.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --no-compile --prefer-binary -r $(VENV)/requirements.txt
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

## demo: install, migrate a SQLite database, load demo data and serve on http://$(HOST)
## (DEBUG off, as users see it; the deadline sweep runs in the server's process)
demo: $(VENV)/.installed
	DJANGO_DEBUG=0 $(BIN)/python manage.py quickstart --addrport $(HOST)

## test: the whole suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set),
## on both cores (pytest-xdist); PYTEST_ARGS="-n 0 -x" runs it in one process
PYTEST_ARGS ?= -n 2
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## mutate: mutation testing of the rule modules against their own tests, one module at a time
## (slow, so not in `make test`); MODULES="cases.minors" limits it; prints the kill rates
mutate: $(VENV)/.installed-dev
	nice -n 10 $(BIN)/python -m scripts.mutate $(MODULES)

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
