# Two commands do all the set-up: `make run` (serve the seeded demo) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint schema clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Patronage needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

run: install
	$(BIN)/patronage migrate
	$(BIN)/patronage demo
	@echo "Serving on http://$(HOST):$(PORT)/graphql (GraphiQL in a browser); Ctrl+C stops it."
	$(BIN)/patronage serve --host $(HOST) --port $(PORT)

# Two workers: each gets its own SQLite file and PostgreSQL database.
test: install
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy --strict domain
	$(BIN)/mypy api persistence jobs patronage tests
	$(BIN)/lint-imports

schema: install
	$(BIN)/patronage export-schema > schema.graphql

clean:
	rm -rf $(VENV) patronage.db patronage.db-wal patronage.db-shm
