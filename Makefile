# The two commands of the README: `make run` and `make test`. Both set up what they need first:
# a virtual environment in .venv with the pinned requirements, and the development database.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint devdb chromium

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

# The browser test of the live board (tests/browser) drives a Chromium with Playwright. Where none is installed,
# Debian's package is installed when we may (root, with apt-get); otherwise the test says so and is skipped.
chromium:
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
		|| command -v google-chrome >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser test: apt-get install -y chromium"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
			|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
			|| echo "Could not install chromium: the live board browser test will be skipped."; \
	else \
		echo "No Chromium found, and installing one needs root and apt-get: the live board browser test will be"; \
		echo "skipped. Install chromium (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary."; \
	fi

test: lint chromium
	$(PY) -m pytest
