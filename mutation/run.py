"""`make mutate`: mutate chalicelib/domain with cosmic-ray, run the tests per mutant, print the score per file.

Equivalent mutants (no test can tell them from the original) are listed with a reason in mutation/equivalent.toml
and skipped; the score is killed / (mutants - equivalent). MUTATE_UNIT_ONLY=1 runs the unit tests alone (fast loop).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "cosmic-ray.toml"
EQUIVALENT = HERE / "equivalent.toml"
BIN = Path(sys.executable).parent


def _source_line(module: Path, row: int) -> str:
    return (ROOT / module).read_text().splitlines()[row - 1].strip()


def load_equivalents() -> list[dict]:
    """Each entry: module, operator, line (the stripped source line) and reason."""
    return tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])


def skip_equivalents(db: WorkDB, equivalents: list[dict]) -> int:
    """Mark the listed equivalent mutants as skipped; an entry that matches nothing is reported as stale."""
    matched: set[int] = set()
    skipped = 0
    for item in db.pending_work_items:
        for mutation in item.mutations:
            line = _source_line(mutation.module_path, mutation.start_pos[0])
            for index, entry in enumerate(equivalents):
                if (Path(entry["module"]) == Path(mutation.module_path) and entry["operator"] == mutation.operator_name
                        and entry["line"] == line):
                    matched.add(index)
                    skipped += 1
                    db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                          output="equivalent: " + entry["reason"]))
                    break
    for index, entry in enumerate(equivalents):
        if index not in matched:
            print(f"stale entry in {EQUIVALENT.name}: {entry['module']} {entry['operator']} {entry['line']!r}")
    return skipped


def report(session: Path) -> float:
    """Print per-file and total scores plus every survivor; returns the total score in percent."""
    per_file: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # killed, survived, equivalent
    survivors = []
    filtered = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            mutation = item.mutations[0]
            counts = per_file[mutation.module_path.name]
            if result.worker_outcome is WorkerOutcome.SKIPPED and not (result.output or "").startswith("equivalent"):
                filtered += 1  # an operator excluded in cosmic-ray.toml
            elif result.worker_outcome is WorkerOutcome.SKIPPED:
                counts[2] += 1
            elif result.test_outcome is TestOutcome.SURVIVED:
                counts[1] += 1
                survivors.append((str(mutation.module_path), mutation.start_pos[0], mutation.operator_name,
                                  mutation.occurrence, _source_line(mutation.module_path, mutation.start_pos[0])))
            else:
                counts[0] += 1
    for where, row, operator, occurrence, line in sorted(survivors):
        print(f"survived  {where}:{row}  {operator} #{occurrence}  {line}")
    print(f"\n{filtered} mutants of excluded operators not run (see cosmic-ray.toml)")
    print(f"{'file':<18}{'killed':>8}{'survived':>10}{'equivalent':>12}{'score':>9}")
    total = [0, 0, 0]
    for name in sorted(per_file):
        killed, survived, equivalent = per_file[name]
        total = [a + b for a, b in zip(total, per_file[name])]
        print(f"{name:<18}{killed:>8}{survived:>10}{equivalent:>12}{100 * killed / max(1, killed + survived):>8.1f}%")
    killed, survived, equivalent = total
    score = 100 * killed / max(1, killed + survived)
    print(f"{'total':<18}{killed:>8}{survived:>10}{equivalent:>12}{score:>8.1f}%")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--session", default=str(ROOT / ".cache" / "mutation" / "session.sqlite"))
    parser.add_argument("--report-only", action="store_true", help="print the score of the last session")
    args = parser.parse_args()
    session = Path(args.session)
    if not args.report_only:
        session.parent.mkdir(parents=True, exist_ok=True)
        session.unlink(missing_ok=True)
        subprocess.run([BIN / "cosmic-ray", "init", CONFIG, session], cwd=ROOT, check=True)
        subprocess.run([BIN / "cr-filter-operators", session, CONFIG], cwd=ROOT, check=True)
        with use_db(str(session), WorkDB.Mode.open) as db:
            total = db.num_work_items
            equivalent = skip_equivalents(db, load_equivalents())
        print(f"{total} mutants, {equivalent} known equivalent; running the tests per mutant "
              "(unit tests first, HTTP tests only for what they leave)", flush=True)
        # cosmic-ray edits the module in place per mutant and restores it afterwards
        subprocess.run([BIN / "cosmic-ray", "exec", CONFIG, session], cwd=ROOT, check=True)
    score = report(session)
    return 0 if score >= 90 else 1


if __name__ == "__main__":
    sys.exit(main())
