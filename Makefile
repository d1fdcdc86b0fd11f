# storytrace: `make demo` and `make test` work on a fresh machine with Python 3.11.
#
# Three installs into one .venv, each only as large as its targets need:
#   core  `make demo`:   storytrace and its core dependencies (numpy, trafilatura, the shipped
#                        sentence encoder and language-id model, ...): ~400 MB, ~1.5 min.
#   web   `make serve`:  core + the web app's Starlette, Jinja2 and uvicorn (a few MB more).
#   dev   `make test`, `make lint`, `make typecheck`: every extra, because the tests exercise
#                        them all: the other encoders (torch CPU, sentence-transformers), the
#                        Spark executor (pyspark), Playwright, pytest, ruff, mypy: ~2.8 GB,
#                        several minutes.
# A larger install serves the smaller targets (after `make test`, `make demo` installs nothing).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORE_STAMP := $(VENV)/.installed-core
WEB_STAMP  := $(VENV)/.installed-web
DEMO_OUT ?= demo-out
export OMP_NUM_THREADS ?= 1

# The smallest install that holds what a target needs: one already made, else its own.
CORE_OR_MORE := $(or $(wildcard $(STAMP)),$(wildcard $(WEB_STAMP)),$(CORE_STAMP))
WEB_OR_MORE  := $(or $(wildcard $(STAMP)),$(WEB_STAMP))

.PHONY: install browser demo test test-fast lint typecheck check clean bench serve

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing storytrace with the dev extra into $(VENV): every extra the tests exercise"
	@echo "(web app, torch CPU and sentence-transformers for the other encoders, pyspark for the"
	@echo "Spark executor, Playwright for the browser tests, pytest, ruff, mypy): ~2.8 GB, several minutes."
	@start=$$(date +%s); $(BIN)/python -m pip install --quiet -e '.[dev]' \
	  && echo "Installed in $$(( $$(date +%s) - start )) s."
	@touch $(STAMP)

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing storytrace with its core dependencies only into $(VENV) (numpy, trafilatura,"
	@echo "the shipped sentence encoder and language-id model; no torch, Spark or Playwright):"
	@echo "~400 MB, about 1.5 min on a fresh machine."
	@start=$$(date +%s); $(BIN)/python -m pip install --quiet -e . \
	  && echo "Installed in $$(( $$(date +%s) - start )) s."
	@touch $(CORE_STAMP)

$(WEB_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing storytrace with the web extra into $(VENV) (core + Starlette, Jinja2, uvicorn)."
	@start=$$(date +%s); $(BIN)/python -m pip install --quiet -e '.[web]' \
	  && echo "Installed in $$(( $$(date +%s) - start )) s."
	@touch $(WEB_STAMP)

demo: $(CORE_OR_MORE)
	@rm -rf $(DEMO_OUT)
	@echo "Analysing the demo corpus (14 documents; a few seconds):"
	@echo "$(BIN)/storytrace analyze src/storytrace/demo/corpus --out $(DEMO_OUT)"
	@start=$$(date +%s); $(BIN)/storytrace analyze src/storytrace/demo/corpus --out $(DEMO_OUT) \
	  && echo "Demo analysed in $$(( $$(date +%s) - start )) s."

browser:
	@echo "The browser tests (tests/test_web_browser.py) drive Debian's chromium with Playwright:"
	@echo "scripts/install-browser.sh installs it with apt-get when it is missing and this is root"
	@echo "(once; otherwise those tests are skipped with the reason)."
	@scripts/install-browser.sh

# Every test. Slow groups carry pytest markers (slow, spark, browser; see pyproject.toml):
# `make test-fast` (or `pytest -m "not slow"`) runs the others alone.
test: install browser
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

serve: $(WEB_OR_MORE)
	@$(MAKE) --no-print-directory demo
	$(BIN)/storytrace serve --db $(DEMO_OUT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
