# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# The PostgreSQL pass of `make test` empties and migrates this database for every test.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run check test test-tools lint clean messages translations assets

# Languages with a catalogue in translations/ (English is the source and has one too,
# so that a missing translation is a test failure, not a silent English fallback).
LANGS := en zh_Hans de
BABEL := $(BIN)/pybabel

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

## messages: extract every message (code, templates, question bank) and update the catalogues
## (locations name the file only: line numbers would churn the .po files on every edit)
messages: $(VENV)/.runtime
	PYTHONPATH=. $(BABEL) -q extract -F babel.cfg -k _l -k lazy_gettext --add-comments=TRANSLATORS: --sort-by-file --add-location=file \
		--project="What would your score be?" -o translations/messages.pot .
	for lang in $(LANGS); do \
		if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BABEL) -q update --ignore-obsolete -i translations/messages.pot -d translations -l $$lang; \
		else \
			$(BABEL) -q init -i translations/messages.pot -d translations -l $$lang; \
		fi; \
	done

## translations: compile the catalogues (.po -> .mo; the .mo files are never committed)
translations: $(VENV)/.runtime
	$(BABEL) -q compile -d translations

## assets: a gzip copy beside each static file, for WhiteNoise to send (built, never committed)
assets: $(VENV)/.runtime
	$(BIN)/python -m whitenoise.compress --quiet --no-brotli static

## run: install, migrate the embedded SQLite (or DATABASE_URL), serve on http://$(HOST):$(PORT)
run: $(VENV)/.runtime translations assets
	export APP_ENV=$${APP_ENV:-development} HOST=$(HOST) PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" \
		&& exec sh docker/entrypoint.sh

## test-tools: Chromium, Java, Lighthouse and the Python test packages for tests/browser (idempotent)
test-tools: $(VENV)/.dev
	VENV=$(VENV) bash scripts/install-test-tools.sh

## check: the inner loop, under two minutes on two cores: lint, types, then every test but the
## browser, load, bench, container and slow ones (`make test` runs those too, and is what CI runs),
## on every core (pytest-xdist; a module's tests stay together, with its fixtures)
FAST := not browser and not load and not bench and not container and not slow
check: $(VENV)/.dev translations assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto --dist loadscope -m "$(FAST)"

## test: install the test tools and run the whole suite
## (the SQLite pass includes the `container` tests: scripts/container-check.sh builds and runs
## the image and the compose stack with podman, installing it if missing)
test: test-tools translations assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r app
	$(BIN)/hadolint Dockerfile docker/standin/*.Containerfile
	$(BIN)/python -m pytest
	@echo "--- the same suite against PostgreSQL ($(PG_TEST_URL)) ---"
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m "not browser and not bench and not container"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis .cache
