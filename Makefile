# A contributor's tasks. `make help` lists them.
PYTHON ?= python3

.PHONY: help install test lint format typecheck wheel postgres ci

help:
	@echo "install    editable install with the test and dev tools"
	@echo "test       the README's test command (plain Python)"
	@echo "lint       ruff check and ruff format --check"
	@echo "format     ruff format and the safe lint fixes"
	@echo "typecheck  mypy over the whole package (django-stubs; the domain core strict)"
	@echo "wheel      build the wheel (the core compiled by mypyc) into dist/"
	@echo "postgres   the database tests against a throwaway PostgreSQL server"
	@echo "ci         everything CI runs (.ci/run)"

install:
	$(PYTHON) -m pip install -e '.[test,postgresql,dev]'

test:
	$(PYTHON) -m pytest -q

lint:
	ruff check src tests bench tools
	ruff format --check src tests bench tools

format:
	ruff check --fix src tests bench tools
	ruff format src tests bench tools

typecheck:  # configured in pyproject.toml's [tool.mypy]; a stage of .ci/run
	$(PYTHON) -m mypy src/jixiao

wheel:
	$(PYTHON) -m pip wheel --no-deps -w dist .

postgres:
	PYTHON=$(PYTHON) .ci/postgres-tests

ci:
	.ci/run
