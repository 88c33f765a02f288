# A contributor's tasks. `make help` lists them.
PYTHON ?= python3

.PHONY: help install test lint format typecheck wheel postgres ci

help:
	@echo "install    editable install with the test and dev tools"
	@echo "test       the README's test command (plain Python)"
	@echo "lint       ruff check and ruff format --check"
	@echo "format     ruff format and the safe lint fixes"
	@echo "typecheck  mypy over the compiled core (what setup.py hands to mypyc)"
	@echo "wheel      build the wheel (the core compiled by mypyc) into dist/"
	@echo "postgres   the database tests against a throwaway PostgreSQL server"
	@echo "ci         everything CI runs (.ci/run)"

install:
	$(PYTHON) -m pip install -e '.[test,postgresql,dev]'

test:
	$(PYTHON) -m pytest -q

lint:
	ruff check src tests bench
	ruff format --check src tests bench

format:
	ruff check --fix src tests bench
	ruff format src tests bench

typecheck:  # the modules setup.py compiles, read from its COMPILED list
	$(PYTHON) -m mypy $(shell grep -o 'src/jixiao/domain/[a-z_/]*\.py' setup.py)

wheel:
	$(PYTHON) -m pip wheel --no-deps -w dist .

postgres:
	PYTHON=$(PYTHON) .ci/postgres-tests

ci:
	.ci/run
