# The two commands that matter: `make run` (local API with everything it needs) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test package bench clean mutate

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# intuit-oauth's legacy nspkg .pth pre-registers an (empty) intuitlib module in every interpreter at start-up;
	# Python 3 finds the namespace package without it, and without it `import app` provably loads no QBO module.
	rm -f $(VENV)/lib/python3*/site-packages/intuit_oauth-*-nspkg.pth
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m devstack.run

test: $(STAMP)
	$(PY) -m pytest

package: $(STAMP)
	rm -rf build/package
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(VENV)/bin/chalice package --stage prod \
		--merge-template deploy/resources.json build/package
	$(VENV)/bin/cfn-lint build/package/sam.json
	@echo "artifact: build/package (sam.json + deployment.zip)"

bench: $(STAMP)
	$(PY) bench/cold_start.py
	$(PY) bench/dynamodb_calls.py
	$(PY) bench/ledger.py
	$(PY) bench/qbo_client.py

# Mutation score of chalicelib/domain (cosmic-ray; not part of `make test` or CI). Prints survivors and per-file scores.
mutate: $(STAMP)
	$(PY) mutation/run.py

clean:
	rm -rf $(VENV) build .cache
