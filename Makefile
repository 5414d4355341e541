# schoolgate — the two commands: `make run` and `make test`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test bench lint screenshots install install-test system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, then start the gateway on its embedded defaults
## (SMTP on 127.0.0.1:2525, database and outbox under ./var).
run: install
	$(BIN)/schoolgate serve

## make test: install everything the suite needs (Python and Debian packages), run it all.
test: install-test system-deps
	$(BIN)/pytest

system-deps:
	@scripts/system-deps.sh

## make screenshots: retake docs/screenshots/*.png with the browser tests (make test
## takes them into a temporary folder, so it never changes tracked files).
screenshots: install-test system-deps
	SCHOOLGATE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/gateway/web/test_browser.py

## make bench: throughput, latency and detector timings (figures, not pass/fail).
bench: install-test
	$(BIN)/python -m bench

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gateway detectors models
	$(BIN)/lint-imports pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
