# The two commands of the quick start: `make run` and `make test`.
# Both create .venv and install the pinned dependencies on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
POLICY_RC := /usr/sbin/policy-rc.d
NODE_STAMP := node_modules/.installed
# The Zensical canary (docs/engines.md) runs in `make test-engines` alone
CANARY := tests/site/test_zensical_canary.py

.PHONY: run test test-engines lint check build serve install browser nginx validators clean \
	benchmarks docs translations

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

# The nginx tests run deploy/nginx.conf with Debian's nginx. The package's install
# script would start a system nginx on port 80; a policy-rc.d that refuses service
# starts (exit 101) stops that while apt runs, and is removed afterwards when it was
# not there before. The service is also left disabled at boot.
nginx:
	@test -x $(NGINX) || { \
	  echo "Installing Debian's nginx for the nginx tests (needs root)..."; \
	  if [ ! -e $(POLICY_RC) ]; then \
	    trap 'rm -f $(POLICY_RC)' EXIT; trap 'exit 1' HUP INT TERM; \
	    printf '#!/bin/sh\nexit 101\n' > $(POLICY_RC) && chmod 755 $(POLICY_RC); \
	  fi; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) \
	    >/dev/null \
	  || { echo "Could not install nginx: run 'apt-get install nginx' as root."; exit 1; }; \
	  update-rc.d nginx disable >/dev/null 2>&1 || true; }

# The W3C Nu HTML Checker (npm's vnu-jar, pinned in package-lock.json) runs on Debian's
# Java; the package's own Java download is skipped (--ignore-scripts).
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

validators: $(NODE_STAMP)
	@command -v java >/dev/null || { \
	  echo "Installing Debian's Java for the HTML checker (needs root)..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq default-jre-headless) >/dev/null \
	  || { echo "Could not install Java: run 'apt-get install default-jre-headless' as root."; \
	       exit 1; }; }

lint: $(STAMP)
	$(BIN)/ruff check .

# Gather every string the public sees into translations/messages.pot, and bring each
# language's catalogue up to date with it (docs/translating.md).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k n_:1,2 --add-location=file --sort-by-file \
	  --project "City of Albuquerque social media policies" --msgid-bugs-address "" \
	  --copyright-holder "City of Albuquerque" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete

check: $(STAMP)
	$(BIN)/transparency check

build: $(STAMP)
	$(BIN)/transparency build

test: $(STAMP) browser nginx validators
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -q --ignore=$(CANARY) $(PYTEST_ARGS)

# The site and history suites again with ProperDocs as the engine, then the Zensical
# canary (docs/engines.md); CI runs it after `make test`.
test-engines: $(STAMP) browser nginx validators
	TRANSPARENCY_ENGINE=properdocs $(BIN)/python -m pytest -n 2 --dist loadfile -q \
	  --ignore=$(CANARY) tests/site tests/history $(PYTEST_ARGS)
	$(BIN)/python -m pytest -n 2 -q $(CANARY) $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/transparency check
	$(BIN)/transparency build
	$(BIN)/flask --app feedback_api db upgrade
	$(BIN)/transparency serve --host $(HOST) --port $(PORT)

benchmarks: $(STAMP)
	$(BIN)/python -m benchmarks

# The examples in these files are written by running the code (cog blocks calling tools/);
# tests/test_docs.py fails when they drift.
docs: $(STAMP)
	$(BIN)/cog -r -I . README.md docs/api.md docs/publishing.md

clean:
	rm -rf site instance .pytest_cache .ruff_cache build node_modules
