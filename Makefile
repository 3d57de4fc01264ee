# The two commands that matter: `make run` (local API with everything it needs) and `make test`.
# `make unit` is the fast loop while editing: the pure tests in tests/unit, no Java, a few seconds.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist workers for `make test` (auto: one per core, at most 4; each starts its own DynamoDB Local);
# TEST_WORKERS=0 runs the suite in one process
TEST_WORKERS ?= auto

.PHONY: run test unit package bench clean mutate soak web

# The web console (/console/) and the API docs (/docs): npm packages pinned by web/package-lock.json, installed into
# the ignored web/node_modules (no install scripts run), bundled by web/build.mjs into the ignored
# chalicelib/web/static/, which the API Lambda serves and `make package` ships. Nothing is fetched at run time.
WEB_NPM := web/node_modules/.installed
WEB := chalicelib/web/static/.built
WEB_SOURCES := $(wildcard web/console/* web/docs/*) web/build.mjs

$(WEB_NPM): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(WEB_NPM)

$(WEB): $(WEB_NPM) $(WEB_SOURCES)
	cd web && node build.mjs

web: $(WEB)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip<26.3'  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# intuit-oauth's legacy nspkg .pth pre-registers an (empty) intuitlib module in every interpreter at start-up;
	# Python 3 finds the namespace package without it, and without it `import app` provably loads no QBO module.
	rm -f $(VENV)/lib/python3*/site-packages/intuit_oauth-*-nspkg.pth
	touch $(STAMP)

run: $(STAMP) $(WEB)
	$(PY) -m devstack.run

# Test modules are assertion-rewritten on import; keeping their .pyc (even where PYTHONDONTWRITEBYTECODE is set)
# saves that work on the next run: the unit loop collects in 0.8 s instead of 2.4 s here, as does each xdist worker.
test: $(STAMP) $(WEB)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup

unit: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest tests/unit

# chalice package (a clean copy of the project), then unchecked-hash .pyc for the Lambda's Python into the zip
package: $(STAMP) $(WEB)
	$(PY) deploy/package.py build/package --stage prod
	$(VENV)/bin/cfn-lint build/package/sam.json

bench: $(STAMP)
	$(PY) bench/cold_start.py
	$(PY) bench/dynamodb_calls.py
	$(PY) bench/ledger.py
	$(PY) bench/qbo_client.py
	$(PY) bench/sync_delivery.py
	$(PY) bench/resync.py
	$(PY) bench/parity.py
	$(PY) bench/push_run.py
	$(PY) bench/retries.py
	$(PY) bench/cost.py

# A long seeded soak (tests/soak): N operations per seed, each seed a fresh account and realm; `make test` runs a
# short one. A failure prints the seed and the shortest failing prefix: `make soak N=<prefix> SEED=<seed>` re-runs it.
N ?= 1000
SEED ?= 1 2 3
soak: $(STAMP)
	SOAK_N=$(N) SOAK_SEEDS="$(SEED)" $(PY) -m pytest tests/soak -q -s -p no:cacheprovider

# Mutation score of chalicelib/domain (cosmic-ray; not part of `make test` or CI). Prints survivors and per-file scores.
mutate: $(STAMP)
	$(PY) mutation/run.py

clean:
	rm -rf $(VENV) build .cache web/node_modules chalicelib/web/static
