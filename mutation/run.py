"""`make mutate`: mutate chalicelib/domain with cosmic-ray, run the tests per mutant, print the score per file.

One module at a time, each in its own session (`.cache/mutation/<module>.sqlite`), so a run can be limited to some
files (`--files imports pacing`) and a report sums the sessions of the files asked for (all by default).
Phase 1 runs pure unit tests per mutant (through a fork server: a second or so each). Phase 2 reruns only the
mutants phase 1 left alive against the HTTP tests of payments, credits and returns (DynamoDB Local);
`--unit-only` stops after phase 1.

Which unit tests kill which module (KILLERS below; the module's own test files first, since `-x` stops at the
first failure, and a baseline run of them on the pristine module must pass before any mutant is judged):
- a leaf rule module (aging, allocation, connection, customers, history, imports, legacy, pacing, payments,
  permissions, qbo_steps, returns, settings, sync_plan): the unit test files that import it, directly or through the
  module that uses it (the planner's include the money-location model's), plus test_rules_values.py (value objects
  stay frozen) where it declares any;
- a module the others build on (credits, errors, invoices, locations, money, sync): its own tests, then all the pure
  rule tests (RULES: tests/unit/test_domain_*, test_rules_*, test_qbo_mapping, test_sync_workers), since a rule
  there is stated by the tests of every module that relies on it; money adds test_security_rules.py (amount
  parsing at the edge) and errors test_error_status.py (codes to HTTP statuses);
- left out everywhere else: the tests that import chalicelib.api (a second per fork) for rules they do not state.
A full run takes about 25 minutes of a quiet 2-core machine (most of it credits, invoices, locations and sync);
`--files` runs only the modules named, in that order.

Equivalent mutants (no test can tell them from the original) are skipped: mutants inside type annotations and
parameter markers (never evaluated: `from __future__ import annotations`), and those listed with a reason in
mutation/equivalent.toml. Score = killed / (mutants run). Exit status 1 below 90 %.
"""
from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from functools import cache
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

sys.path.insert(0, str(Path(__file__).resolve().parent))
import operators  # noqa: E402  (mutation/operators.py: the `domain/...` operators)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "cosmic-ray.toml"
EQUIVALENT = HERE / "equivalent.toml"
BIN = Path(sys.executable).parent
DOMAIN = ROOT / "chalicelib" / "domain"
GOAL = 90.0
UNIT = Path("tests/unit")
# The pure rule tests: no chalicelib.api, which costs a fork a second to import and states no domain rule of its own.
RULES = ("test_domain_*.py", "test_rules_*.py", "test_qbo_mapping.py", "test_sync_workers.py")
KILLERS: dict[str, list[str]] = {  # module stem -> its killing unit tests, own tests first; "RULES" = all rule tests
    "aging": ["test_domain_history_and_aging.py", "test_rules_values.py"],
    "allocation": ["test_rules_allocation.py", "test_domain_allocation.py", "test_rules_values.py"],
    "connection": ["test_domain_connection.py", "test_rules_values.py"],
    "credits": ["test_rules_credits.py", "test_domain_credits.py", "RULES"],
    "customers": ["test_domain_customers.py", "test_rules_misc.py", "test_credit_visibility.py",
                  "test_domain_history_and_aging.py", "test_rules_values.py"],
    "errors": ["test_error_status.py", "RULES"],
    "history": ["test_domain_history_and_aging.py", "test_rules_credits.py", "test_rules_values.py"],
    "imports": ["test_domain_imports.py", "test_rules_values.py"],
    "invoices": ["test_rules_invoices.py", "RULES"],
    "legacy": ["test_domain_connection.py"],
    "locations": ["test_domain_locations.py", "test_rules_credits.py", "RULES"],
    "money": ["test_rules_misc.py", "test_domain_credits.py", "test_security_rules.py", "RULES"],
    "pacing": ["test_domain_pacing.py", "test_domain_connection.py"],
    "payments": ["test_rules_payments.py", "test_qbo_mapping.py", "test_rules_values.py"],
    "permissions": ["test_rules_misc.py", "test_security_rules.py", "test_credit_visibility.py",
                    "test_rules_values.py"],
    "returns": ["test_rules_misc.py", "test_rules_values.py"],
    "settings": ["test_rules_misc.py", "test_rules_values.py"],
    "sync": ["test_domain_sync.py", "test_domain_sync_mode.py", "test_sync_workers.py", "RULES"],
    "sync_plan": ["test_domain_sync_plan.py", "test_rules_money_location.py", "test_qbo_mapping.py",
                  "test_domain_reissue.py"],
    "qbo_steps": ["test_domain_sync_plan.py"],
}


def _source_line(module: Path, row: int) -> str:
    return (ROOT / module).read_text().splitlines()[row - 1].strip()


@cache
def _never_evaluated(module: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Spans of a module's code that never runs: annotations, and function signatures outside default values."""
    spans = []
    for node in ast.walk(ast.parse((ROOT / module).read_text())):
        annotations = []
        if isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations.append(node.returns)
            defaults = [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
            start = (node.lineno, node.col_offset)
            end = (node.body[0].lineno, node.body[0].col_offset)
            holes = sorted(((d.lineno, d.col_offset), (d.end_lineno, d.end_col_offset)) for d in defaults)
            for hole_start, hole_end in holes:  # the signature minus its default values
                spans.append((start, hole_start))
                start = hole_end
            spans.append((start, end))
        spans += [((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in annotations if a is not None]
    return spans


def _in_never_evaluated_code(mutation) -> bool:
    if not mutation.operator_name.startswith(("core/ReplaceBinaryOperator", "core/NumberReplacer",
                                              "core/ReplaceUnaryOperator")):
        return False  # decorators and bodies do run
    position = tuple(mutation.start_pos)
    return any(start <= position < end for start, end in _never_evaluated(str(mutation.module_path)))


def _enclosing_class(module: Path, row: int) -> str:
    """Name of the top-level class a line belongs to ("" outside classes)."""
    for line in reversed((ROOT / module).read_text().splitlines()[:row]):
        if line.startswith("class "):
            return line[len("class "):].split("(")[0].split(":")[0]
        if line.startswith(("def ", "@")) or (line and not line[0].isspace() and not line.startswith(("#", ")"))):
            if not line.startswith("class "):
                return ""
    return ""


def _mutated_line(mutation) -> str:
    """The stripped line as this mutant rewrites it (from the module on disk, which is pristine between runs)."""
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    operator = get_operator(mutation.operator_name)(**getattr(mutation, "operator_args", {}))
    code = mutate_code((ROOT / mutation.module_path).read_text(), operator, mutation.occurrence)
    return code.splitlines()[mutation.start_pos[0] - 1].strip() if code else ""


def load_equivalents() -> list[dict]:
    """Each entry: module, operator, line (the stripped source line), optional in_class, optional `to` (the stripped
    line as the mutant has it, when only some mutants of that line and operator are equivalent), and reason."""
    return tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])


def skip_equivalents(db: WorkDB, equivalents: list[dict]) -> int:
    """Mark equivalent mutants as skipped; a listed entry that matches nothing is reported as stale."""
    matched: set[int] = set()
    skipped = 0
    for item in db.pending_work_items:
        mutation = item.mutations[0]
        reason = None
        if _in_never_evaluated_code(mutation):
            reason = "annotation or parameter marker: never evaluated"
        line = _source_line(mutation.module_path, mutation.start_pos[0])
        for index, entry in enumerate(equivalents):
            if (Path(entry["module"]) == Path(mutation.module_path) and entry["operator"] == mutation.operator_name
                    and entry["line"] == line
                    and entry.get("in_class", "") in ("", _enclosing_class(mutation.module_path, mutation.start_pos[0]))
                    and entry.get("to", None) in (None, _mutated_line(mutation))):
                matched.add(index)
                reason = entry["reason"]
        if reason:
            skipped += 1
            db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="equivalent: " + reason))
    for index, entry in enumerate(equivalents):
        if index not in matched:
            print(f"stale entry in {EQUIVALENT.name}: {entry['module']} {entry['operator']} {entry['line']!r}")
    return skipped


def reopen_survivors(session: Path) -> int:
    """Make the mutants that survived phase 1 pending again, for phase 2."""
    with use_db(str(session), WorkDB.Mode.open) as db:
        survivors = [item.job_id for item, result in db.completed_work_items
                     if result.test_outcome is TestOutcome.SURVIVED]
    import sqlite3

    with sqlite3.connect(session) as raw:
        raw.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in survivors])
    return len(survivors)


def modules(names: list[str] | None) -> list[Path]:
    """The domain modules to mutate: those named (by stem), or all but __init__."""
    found = sorted(path for path in DOMAIN.glob("*.py") if path.name != "__init__.py")
    if not names:
        return found
    by_stem = {path.stem: path for path in found}
    unknown = set(names) - set(by_stem)
    if unknown:
        raise SystemExit(f"no such module in {DOMAIN.relative_to(ROOT)}: {', '.join(sorted(unknown))}")
    return [by_stem[name] for name in dict.fromkeys(names)]  # in the order asked: the urgent first


def killers(module: Path) -> str:
    """The unit tests phase 1 runs against a mutant of this module (space-separated paths, each once, in order)."""
    paths: list[str] = []
    for name in KILLERS.get(module.stem, ["RULES"]):
        for pattern in RULES if name == "RULES" else (name,):
            paths += sorted(str(path.relative_to(ROOT)) for path in (ROOT / UNIT).glob(pattern))
    return " ".join(dict.fromkeys(paths))


def module_config(module: Path, sessions: Path) -> Path:
    """cosmic-ray.toml with module-path narrowed to one module."""
    config = sessions / f"{module.stem}.toml"
    text = CONFIG.read_text().replace('module-path = "chalicelib/domain"',
                                      f'module-path = "{module.relative_to(ROOT)}"')
    config.write_text(text)
    return config


def report(sessions: list[Path]) -> float:
    """Print every survivor, then per-file and total scores; returns the total score in percent."""
    per_file: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # killed, survived, equivalent
    survivors = []
    filtered = 0
    for session in sessions:
        if not session.exists():
            print(f"no session {session.name} yet: run that module first")
            continue
        with use_db(str(session), WorkDB.Mode.open) as db:
            for item, result in db.completed_work_items:
                mutation = item.mutations[0]
                counts = per_file[mutation.module_path.name]
                output = result.output or ""
                if result.worker_outcome is WorkerOutcome.SKIPPED and not output.startswith("equivalent"):
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
    print(f"\n{filtered} mutants of excluded operators not made (see cosmic-ray.toml)")
    print(f"{'file':<18}{'killed':>8}{'survived':>10}{'equivalent':>12}{'score':>9}")
    total = [0, 0, 0]
    for name in sorted(per_file):
        killed, survived, equivalent = per_file[name]
        total = [a + b for a, b in zip(total, per_file[name])]
        print(f"{name:<18}{killed:>8}{survived:>10}{equivalent:>12}{100 * killed / max(1, killed + survived):>8.1f}%")
    killed, survived, equivalent = total
    score = 100 * killed / max(1, killed + survived)
    print(f"{'total':<18}{killed:>8}{survived:>10}{equivalent:>12}{score:>8.1f}%   (goal {GOAL:.0f} %)")
    return score


def cosmic_ray(*args: object) -> None:
    """Run a cosmic-ray command in this process, where the `domain` operators are registered."""
    from cosmic_ray.cli import cli

    operators.register()
    try:
        cli.main(args=["--verbosity", "ERROR", *[str(a) for a in args]], standalone_mode=False)
    except SystemExit as done:  # its commands end with sys.exit
        if done.code:
            raise SystemExit(f"cosmic-ray {args[0]} failed ({done.code})") from None


def prepare(module: Path, config: Path, session: Path, equivalents: list[dict]) -> None:
    """A fresh session of one module's mutants, excluded operators filtered and equivalents skipped."""
    session.unlink(missing_ok=True)
    cosmic_ray("init", config, session)
    subprocess.run([BIN / "cr-filter-operators", session, config], check=True)
    with use_db(str(session), WorkDB.Mode.open) as db:
        made = db.num_work_items
        equivalent = skip_equivalents(db, [e for e in equivalents if Path(e["module"]) == module.relative_to(ROOT)])
        pending = len(list(db.pending_work_items))
    print(f"{module.name}: {made} mutants made, {made - pending - equivalent} of excluded operators, "
          f"{equivalent} equivalent; {pending} to run", flush=True)


def phase_2(config: Path, session: Path) -> None:
    """Rerun the survivors of phase 1 against the HTTP tests."""
    reopened = reopen_survivors(session)
    os.environ["MUTATE_UNIT_ONLY"] = "0"
    print(f"phase 2: {reopened} survivors against the HTTP tests", flush=True)
    if reopened:
        started = time.monotonic()
        cosmic_ray("exec", config, session)
        print(f"phase 2 (HTTP tests): {time.monotonic() - started:.0f} s", flush=True)


def execute(work: list[tuple[Path, Path, Path]], *, unit_only: bool, http_only: bool,
            equivalents: list[dict] | None = None) -> None:
    """Per module: phase 1 (its killing unit tests through the fork server), then phase 2 for what phase 1 left."""
    pristine = {path: path.read_bytes() for path in DOMAIN.glob("*.py")}
    socket_path = work[0][2].parent / "forkserver.sock"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen([sys.executable, HERE / "forkserver.py", "serve", socket_path], cwd=ROOT, env=env)
    try:
        for _ in range(600):
            if socket_path.exists():
                break
            time.sleep(0.1)
        os.environ["MUTATE_FORKSERVER"] = str(socket_path)
        for module, config, session in work:
            if equivalents is not None:  # each module made just before it runs: an interrupted run keeps the rest
                prepare(module, config, session, equivalents)
            if not http_only:
                os.environ.update(MUTATE_UNIT_ONLY="1", MUTATE_UNIT_TESTS=killers(module))
                if subprocess.run(["sh", HERE / "tests.sh"], cwd=ROOT).returncode:  # else every mutant "dies"
                    raise SystemExit(f"the killing tests of {module.name} fail without a mutant: fix them first")
                started = time.monotonic()
                cosmic_ray("exec", config, session)
                print(f"{module.name} phase 1 (unit tests): {time.monotonic() - started:.0f} s", flush=True)
            if not unit_only:
                os.environ["MUTATE_UNIT_TESTS"] = killers(module)
                phase_2(config, session)
    finally:
        server.terminate()
        server.wait()
        socket_path.unlink(missing_ok=True)
        for path, content in pristine.items():  # an interrupted run must not leave a mutant behind
            if path.read_bytes() != content:
                path.write_bytes(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default=str(ROOT / ".cache" / "mutation"), help="where the sessions live")
    parser.add_argument("--files", nargs="+", metavar="MODULE", help="only these domain modules (stems: imports ...)")
    parser.add_argument("--unit-only", action="store_true", help="phase 1 only (fast loop)")
    parser.add_argument("--http-only", action="store_true", help="phase 2 only, on the survivors of the last session")
    parser.add_argument("--report-only", action="store_true", help="print the score of the last sessions")
    args = parser.parse_args()
    os.chdir(ROOT)  # module-path and test-command in cosmic-ray.toml are relative to the repository
    sessions = Path(args.sessions)
    sessions.mkdir(parents=True, exist_ok=True)
    chosen = modules(args.files)
    work = [(module, module_config(module, sessions), sessions / f"{module.stem}.sqlite") for module in chosen]
    if not args.report_only:
        started = time.monotonic()
        equivalents = None if args.http_only else load_equivalents()
        execute(work, unit_only=args.unit_only, http_only=args.http_only, equivalents=equivalents)
        print(f"run time: {time.monotonic() - started:.0f} s", flush=True)
    score = report([session for _, _, session in work])
    return 0 if score >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
