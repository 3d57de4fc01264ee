"""Issue 12 §3, widened by issues 20 §7 and 21 §4: a seeded randomized soak of API operations, the QuickBooks
lifecycle (disconnects, reconnects through consent, re-syncs, the two-way switch), accountant edits in QBO and
faults, ending in parity.

CI runs a short soak inside `make test`: 80 operations of two seeds, the original one (a connected two-way account:
API operations, accountant edits, faults, re-syncs) and 20266322, whose account starts one-way and whose plan
disconnects softly, then hard, reconnects to a new company, switches two-way on and re-syncs. `make soak N=1000
SEED="..."` runs long ones (SOAK_N, SOAK_SEEDS). A failure prints the seed and the shortest failing prefix of its plan,
which `make soak N=<k> SEED=<seed>` re-runs.
"""
from __future__ import annotations

import os

import pytest

from tests.soak.runner import report, soak

SIZE = int(os.environ.get("SOAK_N", "80"))
SEEDS = [int(s) for s in os.environ.get("SOAK_SEEDS", "20261126 20266322").split()]
SHRINK_RUNS = int(os.environ.get("SOAK_SHRINK_RUNS", "10"))  # re-runs spent looking for a shorter failing prefix


@pytest.mark.parametrize("seed", SEEDS)
def test_soak_ends_in_parity_and_keeps_the_ledger_invariants(http, qbo_emulator, monkeypatch, seed):
    first, shortest = soak(http, qbo_emulator, monkeypatch.setenv, seed, SIZE, shrink_runs=SHRINK_RUNS)
    print(f"soak seed {seed}: {SIZE} operations in {first.seconds:.1f} s; "
          f"{ {k: v for k, v in first.stats.items() if k != 'traceback'} }")
    if first.failure:
        text = report(first, shortest)
        print(text)  # at once: a long run with several seeds shows each failure as it happens
        pytest.fail(text, pytrace=False)
