# The developer loop (docs/development.md). Run it in a virtualenv:
#
#   make install            once: editable install with the test extras
#   ...edit rust/src...
#   make dev                rebuild the native library in seconds (no LTO)
#   make test K=lookup      the tests whose names match an expression
#
# `make help` lists every target. CI (.ci/run) calls the same targets.

PYTHON ?= python
CARGO ?= cargo
# A test selection for `make test` (pytest -k) and extra pytest arguments.
K ?=
ARGS ?=
# Which benchmark `make bench` runs: bench/$(B).py.
B ?= run

# The name `pip install -e .` gives the native library inside the package.
EXT_SUFFIX := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
NATIVE := libsourcemap/_sourcemap_native$(EXT_SUFFIX)

.PHONY: help install dev release test rust-test rust-valgrind test-pypy lint bench docs-deps docs docs-serve ci clean

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

install:  ## editable install with the test extras (a full release build, once)
	$(PYTHON) -m pip install -e '.[test]'

# The CFFI module follows the header: regenerated when the header changes.
libsourcemap/_lowlevel.py: include/libsourcemap.h build_ffi.py
	$(PYTHON) build_ffi.py

# Builds the cdylib in a cargo profile and puts it where the package loads it from. The
# copy is renamed over the old file, never written into it: a process that has the old
# one loaded keeps a valid mapping.
define put_native
	cd rust && $(CARGO) build --lib --profile $(1)
	cp rust/target/$(2)/libsourcemap_native.so $(NATIVE).new
	mv -f $(NATIVE).new $(NATIVE)
endef

dev: libsourcemap/_lowlevel.py  ## rebuild after a Rust edit: profile dev-py (no LTO, incremental)
	$(call put_native,dev-py,dev-py)

release: libsourcemap/_lowlevel.py  ## the release build (fat LTO) in place, as pip builds it
	$(call put_native,release,release)

test:  ## the Python tests; K=expr selects by name (pytest -k), ARGS= adds pytest arguments
	$(PYTHON) -m pytest $(if $(K),-k '$(K)') $(ARGS)

rust-test:  ## cargo fmt --check, clippy (warnings are errors), the Rust tests, fuzz targets built
	cd rust && $(CARGO) fmt --check
	cd rust && $(CARGO) clippy --all-targets -- -D warnings
	cd rust && $(CARGO) test
	# The fuzz targets are a crate of their own (run by nightly cargo-fuzz, rust/fuzz/run.sh):
	# checked here so that a change of the core's API cannot leave them broken unseen.
	cd rust/fuzz && $(CARGO) check --bins --quiet

rust-valgrind:  ## the Rust tests under valgrind (memory errors, leaks)
	bash .ci/valgrind-rust-tests

test-pypy:  ## the Python tests on PyPy (installs Debian's pypy3 if missing)
	bash .ci/test-pypy

lint:  ## ruff, ruff format --check, mypy
	ruff check .
	ruff format --check .
	mypy

bench: release  ## a benchmark on the release build: B=run (default), symbolicate, ...; ARGS=
	$(PYTHON) bench/$(B).py $(ARGS)

# The `docs` extra's packages, read from pyproject.toml (installing the extra itself
# would rebuild the package).
docs-deps:
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['docs']))" > .docs-requirements.txt
	$(PYTHON) -m pip install --quiet -r .docs-requirements.txt
	rm -f .docs-requirements.txt

docs: docs-deps  ## the documentation site, built strictly into site/ (as CI builds it)
	NO_MKDOCS_2_WARNING=1 mkdocs build --strict --site-dir site

docs-serve: docs-deps  ## the documentation site, served with live reload
	NO_MKDOCS_2_WARNING=1 mkdocs serve

ci:  ## all of CI, as it runs on a clean clone (bash .ci/run)
	bash .ci/run

clean:  ## build outputs (not the cargo cache)
	rm -rf build dist site libsourcemap/_lowlevel.py libsourcemap/_sourcemap_native*
