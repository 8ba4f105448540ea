# The two commands of the quick start: `make run` and `make test`.
# Both create .venv and install the pinned dependencies on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint check build serve install browser clean benchmarks

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium through Playwright; Playwright cannot
# download its own browsers here, so the system package is installed once.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)..."; \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null \
	  || { echo "Could not install chromium: run 'apt-get install chromium' as root."; exit 1; }; }

lint: $(STAMP)
	$(BIN)/ruff check .

check: $(STAMP)
	$(BIN)/transparency check

build: $(STAMP)
	$(BIN)/transparency build

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/transparency check
	$(BIN)/transparency build
	$(BIN)/flask --app feedback_api db upgrade
	$(BIN)/transparency serve --host $(HOST) --port $(PORT)

benchmarks: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf site instance .pytest_cache .ruff_cache build
