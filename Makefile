# Two commands matter: `make demo` runs the main job, `make test` runs the whole suite.
# Both build .venv from pyproject.toml on first use; a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
ARGS ?=

.PHONY: demo test lint typecheck install clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/securecomm demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_biometrics.py
	$(BIN)/python benchmarks/bench_ansi_nist.py

clean:
	rm -rf $(VENV) out var .pytest_cache .mypy_cache .ruff_cache .hypothesis
