# The two commands of the README: `make run` and `make test`. Both set up what they need first:
# a virtual environment in .venv with the pinned requirements, and the development database.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint devdb

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

devdb: $(INSTALLED)
	$(PY) -m tracking.host.devdb build

run: $(INSTALLED)
	$(PY) -m tracking.host

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest
