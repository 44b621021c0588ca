# The two commands of the Quickstart: `make demo` and `make test`.
# Each creates .venv when missing and installs what it needs first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
EXAMPLE ?= demo
CHROMIUM ?= /usr/bin/chromium
CLIENT := tests/browser/client
EXAMPLES := $(sort $(notdir $(patsubst %/__main__.py,%,$(wildcard examples/*/__main__.py))))

# Keep compiled bytecode (and pytest's rewritten test modules) in __pycache__ even where the
# environment sets PYTHONDONTWRITEBYTECODE: without it each of the test workers compiles and
# rewrites every module again on every run (about 5 s each on a 2-core machine).
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test test-browser browser-deps lint typecheck bench clean

$(BIN)/python:
	@echo "Creating $(VENV) (first run only)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	@echo "Installing authmw and the demo's packages into $(VENV) (about a minute, first run only)..."
	$(BIN)/pip install -q -e '.[demo,pyramid,bottle,flask,django]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	@echo "Installing authmw and the test tools into $(VENV) (a few minutes, first run only)..."
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.demo-installed

ifeq ($(filter $(EXAMPLE),$(EXAMPLES)),)
demo:
	@echo "No example '$(EXAMPLE)'. Choose one of: $(EXAMPLES)"; exit 2
else
demo: $(VENV)/.demo-installed
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m examples.$(EXAMPLE)
endif

# The browser tests drive Debian's Chromium and bundle next-auth's own client with npm.
browser-deps: $(if $(wildcard $(CLIENT)/package-lock.json),$(CLIENT)/node_modules/.package-lock.json)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	    apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; \
	  else echo "No $(CHROMIUM): run 'sudo apt-get install chromium' or the browser tests skip."; fi; }

$(CLIENT)/node_modules/.package-lock.json: $(CLIENT)/package-lock.json
	@echo "Installing next-auth's client for the browser tests (npm ci)..."
	npm ci --prefix $(CLIENT) --no-audit --no-fund --loglevel=error

# While mypy runs on one core, a collection pass on the other compiles every module and rewrites
# the tests' asserts into __pycache__, so pytest's workers start from that cache even on a
# fresh clone (its own failures show in the real run below).
test: $(VENV)/.test-installed browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --collect-only -q -n 0 -p no:cov >/dev/null 2>&1 & warm=$$!; \
	  $(BIN)/mypy; checked=$$?; wait $$warm; exit $$checked
	$(BIN)/lint-imports
	$(BIN)/pytest --cov --cov-branch --cov-report=term

test-browser: $(VENV)/.test-installed browser-deps
	$(BIN)/pytest tests/browser

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/overhead.py
	$(BIN)/python benchmarks/rules_scaling.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
