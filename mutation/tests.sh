#!/bin/sh
# The test command of one mutant: pure unit tests (a second or two; MUTATE_UNIT_TESTS, set by mutation/run.py to the
# killing tests of the module under mutation, else all of tests/unit), then, only if all of them pass, the HTTP tests
# of payments, credits and returns (DynamoDB Local). Exit status non-zero = mutant killed.
# The "mutate" hypothesis profile draws a fixed set of examples, so a mutant's verdict does not depend on luck.
export PYTHONPATH=. PYTHONDONTWRITEBYTECODE=1
PY=${PYTHON:-.venv/bin/python}
UNIT="-x -q -p mutation.hypothesis_profile --hypothesis-profile=mutate ${MUTATE_UNIT_TESTS:-tests/unit}"
if [ -S "${MUTATE_FORKSERVER:-}" ]; then  # started by mutation/run.py: pytest already imported, one fork per run
    $PY -S mutation/forkserver.py run "$MUTATE_FORKSERVER" $UNIT || exit 1
else
    $PY -m pytest $UNIT >/dev/null 2>&1 || exit 1
fi
[ "${MUTATE_UNIT_ONLY:-0}" = 1 ] && exit 0
exec $PY -m pytest -x -q tests/test_payments_api.py tests/test_credits_api.py tests/test_returns_and_cancel.py \
    >/dev/null 2>&1
