# Two commands matter: `make demo` runs the main job, `make test` runs the whole suite.
# Both build .venv from pyproject.toml on first use; a fresh machine needs only python3
# (and, for the browser tests, Debian's package manager: `make test` installs chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS ?=

.PHONY: demo test lint typecheck install browser serve clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) browser

# The browser tests drive Debian's chromium (a browser download at test time is not
# available); installed once, from the distribution's packages.
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'

demo: $(STAMP)
	$(BIN)/securecomm demo $(ARGS)

serve: $(STAMP)
	$(BIN)/securecomm serve --demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck browser
	$(BIN)/pytest $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_biometrics.py
	$(BIN)/python benchmarks/bench_ansi_nist.py
	$(BIN)/python benchmarks/bench_service.py

clean:
	rm -rf $(VENV) out var .pytest_cache .mypy_cache .ruff_cache .hypothesis
