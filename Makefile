# storytrace: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-out
export OMP_NUM_THREADS ?= 1

.PHONY: install browser demo test lint typecheck check clean bench serve

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: install
	@rm -rf $(DEMO_OUT)
	$(BIN)/storytrace analyze src/storytrace/demo/corpus --out $(DEMO_OUT)

browser:
	@scripts/install-browser.sh

test: install browser
	$(BIN)/python -m pytest -q

serve: demo
	$(BIN)/storytrace serve --db $(DEMO_OUT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
