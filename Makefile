# Portico. `make run` serves the demo store; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install messages run demo test lint format bench clean makemessages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages

# Compile the .po catalogues with Babel (pure Python: no gettext needed on the machine).
messages: $(STAMP)
	$(BIN)/pybabel compile --statistics -D django -d locale
	@mkdir -p var

# Extract strings into locale/*/LC_MESSAGES/django.po (needs GNU gettext: apt-get install gettext).
makemessages: $(STAMP)
	$(PY) manage.py makemessages --locale tr --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'bench/*'

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# The web process (gunicorn), a Celery worker and beat, as in the Procfile, on SQLite and
# the filesystem broker unless the environment says otherwise.
run: demo
	@echo "Portico at http://127.0.0.1:8000  (Wagtail admin: /admin/)"
	BIND_HOST=127.0.0.1 PORT=8000 GUNICORN_CMD_ARGS="--reload" $(BIN)/honcho start web worker beat

test: install
	$(PY) -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
