# Threadline: `make run` to read the debate locally, `make test` for the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Production (`make serve`) runs from its own environment: the locked runtime dependencies
# (requirements.lock) and Threadline itself, no development tools.
PROD_VENV := .venv-prod
PROD_BIN := $(PROD_VENV)/bin
PROD_STAMP := $(PROD_VENV)/.installed-stamp
PIP_QUIET := --quiet --disable-pip-version-check
# This machine's pip configuration prints a line of noise for every package.
PIP_NOISE := { grep -v 'is ignored: it is neither a file nor a directory' || true; }
HOST ?= 127.0.0.1
PORT ?= 8000
# Development commands run in DEBUG mode unless told otherwise; production ones never do.
DEV := DEBUG=$${DEBUG:-1}
WORKERS ?= 2
# Interpreters to try, best first; `make PYTHON=/path/to/python3.13 run` picks one by hand.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 \
	$(shell pyenv prefix 3.13 2>/dev/null)/bin/python3 $(shell pyenv prefix 3.12 2>/dev/null)/bin/python3

.PHONY: help install install-prod run seed editor test screenshots serve backup restore audit lock bench lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# $(call new-venv,DIR): make sure DIR is a virtual environment of Python 3.12 or newer.
define new-venv
	@py=""; for c in $(PYTHON_CANDIDATES); do \
	  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "Threadline needs Python 3.12 or newer (3.13 recommended), and none was found." >&2; \
	  echo "Install one (e.g. 'pyenv install 3.13'), or name it: make PYTHON=/path/to/python3.13 run" >&2; \
	  exit 1; \
	fi; \
	if [ -x $(1)/bin/python ] && ! $(1)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  echo "Replacing $(1): its Python is older than 3.12."; rm -rf $(1); \
	fi; \
	[ -x $(1)/bin/python ] || { echo "Creating $(1) with $$("$$py" --version)"; "$$py" -m venv $(1); }
endef

$(STAMP): pyproject.toml
	$(call new-venv,$(VENV))
	@echo "Installing Threadline and its dependencies into $(VENV)..."
	@$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev]' 2>&1 | $(PIP_NOISE)
	@touch $@

# Exactly the locked versions, then Threadline itself without resolving anything again.
$(PROD_STAMP): requirements.lock pyproject.toml
	$(call new-venv,$(PROD_VENV))
	@echo "Installing Threadline and its locked runtime dependencies into $(PROD_VENV)..."
	@$(PROD_BIN)/python -m pip install $(PIP_QUIET) --requirement requirements.lock 2>&1 | $(PIP_NOISE)
	@$(PROD_BIN)/python -m pip install $(PIP_QUIET) --no-deps . 2>&1 | $(PIP_NOISE)
	@touch $@

install: $(STAMP) ## Create .venv and install everything (development)

install-prod: $(PROD_STAMP) ## Create .venv-prod with requirements.lock only (what serve runs)

seed: $(STAMP) ## Migrate and load the seed debate (idempotent)
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py loaddata seed_debate

editor: $(STAMP) ## Make sure the editor account exists and print how to log in
	@$(DEV) $(BIN)/python manage.py ensure_editor --site http://$(HOST):$(PORT)

run: seed editor ## Install, migrate, load the seed debate and serve on http://127.0.0.1:8000
	@echo "Threadline is at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) ## Run the whole suite (browser tests need /usr/bin/chromium)
	$(BIN)/python -m pytest

screenshots: seed ## Full-page PNGs of every page at 1280 and 390 px into var/screenshots/
	DEBUG=1 $(BIN)/python manage.py screenshots

serve: $(PROD_STAMP) ## Production: migrate, collect static files, gunicorn (needs SECRET_KEY, ALLOWED_HOSTS)
	$(PROD_BIN)/python manage.py check --deploy --fail-level WARNING
	$(PROD_BIN)/python manage.py migrate --noinput
	$(PROD_BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD_BIN)/gunicorn config.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile -

backup: $(STAMP) ## Back up everything to var/backups/threadline-<time>.json.gz
	$(DEV) $(BIN)/python manage.py backup

restore: $(STAMP) ## Restore FILE=var/backups/... into an empty, migrated database
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=var/backups/threadline-....json.gz" >&2; exit 2; }
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py restore $(if $(FORCE),--force) "$(FILE)"

audit: $(STAMP) ## Check the locked runtime dependencies for known vulnerabilities
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --progress-spinner off

lock: ## Re-resolve the runtime dependencies into requirements.lock
	rm -rf var/lockenv && python3 -m venv var/lockenv && var/lockenv/bin/pip install --quiet . \
	  && { head -2 requirements.lock; var/lockenv/bin/pip freeze --exclude-editable | grep -v '^threadline'; } > requirements.lock.new \
	  && mv requirements.lock.new requirements.lock && rm -rf var/lockenv

bench: $(STAMP) ## Benchmark the pages on PostgreSQL at 1,000, 10,000 and 100,000 posts
	$(BIN)/python bench/run.py

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Fix style with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove .venv, .venv-prod and local data under var/
	rm -rf $(VENV) $(PROD_VENV) var
