# Everything runs from .venv, created on first use: a fresh machine needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPEC := spec/openapi.yaml
PACKAGE := elkapi
# Hypothesis: derandomized under CI so a failure reproduces; override with HYPOTHESIS_PROFILE=dev.
HYPOTHESIS_PROFILE ?= ci

.PHONY: installed-version generate test test-quick lint typecheck spec-check drift pytest conformance mock bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The installed metadata's version is read from generated/elkapi/_spec.py (the spec's
# info.version) at install time: refresh it, without dependencies, when regenerating changed it.
installed-version: $(STAMP)
	@$(BIN)/python -c 'import elkapi, importlib.metadata as m; \
		raise SystemExit(m.version("elkapi-contract") != elkapi.__version__)' \
		|| $(BIN)/python -m pip install --quiet --no-deps -e .

generate: $(STAMP)
	$(BIN)/python -m codegen --spec $(SPEC) --out generated --package $(PACKAGE)

test: lint typecheck spec-check drift pytest

lint: $(STAMP)
	$(BIN)/ruff check codegen generated tests
	$(BIN)/ruff format --check codegen generated tests

typecheck: $(STAMP)
	$(BIN)/mypy codegen generated/$(PACKAGE) tests

spec-check: $(STAMP)
	$(BIN)/openapi-spec-validator $(SPEC)

# Regenerate into a temporary folder and compare byte for byte with generated/.
drift: $(STAMP)
	@tmp=$$(mktemp -d) && \
	$(BIN)/python -m codegen --spec $(SPEC) --out $$tmp --package $(PACKAGE) >/dev/null && \
	if diff -r -x __pycache__ $$tmp/$(PACKAGE) generated/$(PACKAGE); then \
		echo "generated/ is up to date"; rm -rf $$tmp; \
	else \
		echo "generated/ is stale: run 'make generate' and commit the result"; rm -rf $$tmp; exit 1; \
	fi

# Two pytest workers per usable core (at most 16): many tests wait on loopback servers,
# and the other worker keeps the core busy (2 cores: about 125 s, against 150 s with one).
WORKERS ?= $(shell $(PYTHON) -c 'import os; \
	n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(); \
	print(min(2 * (n or 1), 16))')

pytest: installed-version
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/pytest -q -n $(WORKERS)

# While working: pytest without the tests marked slow (see the README's "The test suite").
test-quick: installed-version
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/pytest -q -n $(WORKERS) -m "not slow"

# The key travels in ELKAPI_API_KEY (export it), never on a command line (ps shows those).
# RULES: rule ids or globs (comma-separated); MOCK_PORT: the bundled mock's port (no BASE_URL).
# Exit status: 0 every selected rule holds, 1 a rule failed, 2 could not run.
conformance: $(STAMP)
	$(if $(filter command line,$(origin API_KEY)),$(error API_KEY on the command line \
		is visible to every user (ps); export ELKAPI_API_KEY instead))
	$(BIN)/python -m tests.contract.conformance $(if $(BASE_URL),--base-url $(BASE_URL)) \
		$(if $(RULES),--rules '$(RULES)') $(if $(MOCK_PORT),--mock-port $(MOCK_PORT)) \
		$(if $(BUDGET),--budget $(BUDGET)) $(if $(EXAMPLES),--examples $(EXAMPLES)) \
		$(foreach rule,$(MOCK_BREAK),--mock-break $(rule))

mock: $(STAMP)
	$(BIN)/python -m tests.contract.mock --port $(or $(PORT),8080)

# Ours beside the peers, in one run: see tests/bench.py.
bench: $(STAMP)
	$(BIN)/python -m tests.bench $(if $(ROUNDS),--rounds $(ROUNDS)) $(if $(SIZES),--sizes $(SIZES)) $(if $(CALLS),--calls $(CALLS))

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis reports
