"""Cold start as Lambda pays it: the packaged app imported from the unzipped artifact, then its first requests.

Lambda unzips deployment.zip into a read-only /var/task and imports the handler module; Python cannot write
bytecode there, so whatever the zip does not carry is compiled on every cold start. This script builds the artifact
the way `make package` does (deploy/package.py: `chalice package`, then deploy/compile_artifact.py), unzips it
twice (as Chalice built it, and with the bytecode step) into read-only directories, and in fresh isolated
interpreters (`python -I -S -B`, nothing but the artifact on sys.path) times:
  - `import app` (what the issue's goal is about), and
  - the first and second request through the handler (`app.app(event, context)`, POST /credits against a DynamoDB
    Local), so that work moved out of import into the first request shows up: the artifact carries the API's route
    table (chalicelib/api/route_table.py), so its first request imports routes_credits, its own models
    (chalicelib/api/wire/credits.py) and the use case.
    CPU time is reported beside wall time (steadier on a shared machine), and import + first request together.
Baselines, from the venv (bytecode cached): the issue's `import chalice, boto3, pynamodb.models, pydantic`, the
same libraries as the service really uses them, and `import app` from the source tree.
Runs are interleaved and medians reported. Goal: packaged app (with bytecode) / bare dependencies <= 1.3.

Usage: .venv/bin/python bench/cold_start.py [--artifact build/package]  (default: build one in a temp dir)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from support import local_table  # also puts the repo root on sys.path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
# wall time (what Lambda bills) and CPU time (steadier on a shared machine), in seconds
TIMER = ("import time; t, c = time.perf_counter(), time.process_time(); {imports}; "
         "print(time.perf_counter() - t, time.process_time() - c)")
VENV_CASES = {
    "bare dependencies": "import chalice, boto3, pynamodb.models, pydantic",
    "stack in use": "import chalice.app, boto3, pynamodb.models, jwt; from pydantic import BaseModel",
    "import app (venv)": "import app",
}
# Runs inside the artifact interpreter: time the import, then two requests through the Lambda handler.
LAMBDA = """
import json, os, sys, time
sys.path.insert(0, {task!r})
t0, c0 = time.perf_counter(), time.process_time()
import app
t1, c1 = time.perf_counter(), time.process_time()
replies = []
for event in json.loads(os.environ["BENCH_EVENTS"]):
    start, start_cpu = time.perf_counter(), time.process_time()
    reply = app.app(event, None)
    replies.append((reply["statusCode"], time.perf_counter() - start, time.process_time() - start_cpu))
heavy = [m for m in ("cryptography", "quickbooks", "intuitlib.client", "boto3", "aws_xray_sdk") if m in sys.modules]
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"import": t1 - t0, "import_cpu": c1 - c0, "requests": replies, "loaded": heavy, "rss_mb": rss}}))
"""
# The sync worker's cold start: app, then what its first push and pull import (the worker's batch utilities, the
# push and pull engines, python-quickbooks and intuit-oauth through the QBO client); peak RSS sizes its memory.
WORKER = """
import json, resource, sys, time
sys.path.insert(0, {task!r})
t0, c0 = time.perf_counter(), time.process_time()
import app
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor
from chalicelib.workers import worker, queue
from chalicelib.services.sync import push, pull
from chalicelib.qbo import client
import quickbooks.objects, intuitlib.client, boto3
sqs = boto3.client("sqs", region_name="us-east-1")
t1, c1 = time.perf_counter(), time.process_time()
print(json.dumps({{"import": t1 - t0, "import_cpu": c1 - c0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def build_artifact(out: Path) -> Path:
    """deploy/package.py into `out` without bytecode (the 'before' zip); returns the directory."""
    subprocess.run([sys.executable, str(ROOT / "deploy" / "package.py"), str(out), "--no-bytecode"], check=True,
                   capture_output=True)
    return out


def unzip_read_only(zip_path: Path, target: Path) -> Path:
    """Unzip like Lambda into a directory nobody can write to (so no __pycache__ appears later)."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(target)
    for path in sorted(target.rglob("*"), reverse=True) + [target]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return target


def make_writable(target: Path) -> None:
    for path in [target, *target.rglob("*")]:
        if path.is_dir():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def events() -> list[dict]:
    """Two POST /credits events as API Gateway sends them, for an account seeded in DynamoDB Local."""
    from devstack.seed import seed

    demo = seed()
    body = json.dumps({"customer_id": demo.customer_ids[0], "amount": "12.50"})
    headers = {"authorization": f"Bearer {demo.tokens['owner']}", "content-type": "application/json",
               "host": "localhost"}
    event = {"requestContext": {"httpMethod": "POST", "resourcePath": "/credits", "path": "/credits",
                                "identity": {"sourceIp": "127.0.0.1"}},
             "headers": headers, "multiValueQueryStringParameters": None, "pathParameters": None,
             "stageVariables": {}, "body": body, "isBase64Encoded": False}
    return [event, event]


def venv_run(imports: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", TIMER.format(imports=imports)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def lambda_run(task: Path, env: dict, code: str = LAMBDA) -> dict:
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code.format(task=str(task))], cwd=task,
                         env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


FULL_VCPU_MB = 1769  # Lambda gives one vCPU at 1,769 MB, a proportional share below


def print_memory(api_cold_cpu: float, api_rss: float, workers: list[dict]) -> None:
    """Peak RSS and the cold start each memory size would give (CPU time / the vCPU share it buys)."""
    worker_cpu, worker_rss = statistics.median(w["import_cpu"] for w in workers), max(w["rss_mb"] for w in workers)
    print("memory (Lambda's CPU share is memory / 1,769 MB; cold start ≈ CPU time / share):")
    for name, cpu, rss in (("API: import + 1st request", api_cold_cpu, api_rss),
                           ("worker: import app + push/pull engine", worker_cpu, worker_rss)):
        cells = ", ".join(f"{mb} MB {cpu / min(1.0, mb / FULL_VCPU_MB) * 1000:.0f} ms" for mb in (256, 512, 1024))
        print(f"  {name:38s} CPU {cpu * 1000:.0f} ms, peak RSS {rss:.0f} MB; cold start at {cells}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifact", type=Path, help="a built package directory (sam.json + deployment.zip)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "deploy"))
    from compile_artifact import compile_zip

    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch, local_table():
        scratch = Path(scratch)
        plain_zip = scratch / "plain.zip"
        if args.artifact:
            shutil.copy(args.artifact / "deployment.zip", plain_zip)
        else:
            shutil.copy(build_artifact(scratch / "package") / "deployment.zip", plain_zip)
        compiled_zip = scratch / "compiled.zip"
        shutil.copy(plain_zip, compiled_zip)
        compiled, _ = compile_zip(compiled_zip)  # no-op for members that already have bytecode
        size = plain_zip.stat().st_size, compiled_zip.stat().st_size
        tasks = {"no bytecode": unzip_read_only(plain_zip, scratch / "task-plain"),
                 "bytecode": unzip_read_only(compiled_zip, scratch / "task-compiled")}
        env = {**os.environ, "BENCH_EVENTS": json.dumps(events())}
        venv = {name: [] for name in VENV_CASES}
        lam = {name: [] for name in tasks}
        workers = []
        for _ in range(RUNS):
            for name, imports in VENV_CASES.items():
                venv[name].append(venv_run(imports))
            for name, task in tasks.items():
                lam[name].append(lambda_run(task, env))
            workers.append(lambda_run(tasks["bytecode"], env, WORKER))
        for task in tasks.values():
            make_writable(task)

    median = {name: statistics.median(wall for wall, _ in values) for name, values in venv.items()}
    median_cpu = {name: statistics.median(cpu for _, cpu in values) for name, values in venv.items()}
    print(f"artifact: deployment.zip {size[0] // 1024} KiB; with bytecode ({compiled} pycs added) {size[1] // 1024} KiB")
    print(f"venv, bytecode cached ({RUNS} runs, median):")
    for name, imports in VENV_CASES.items():
        print(f"  {name:22s} {ms(median[name])}  (CPU {ms(median_cpu[name]).strip()})  ({imports})")
    print("artifact, unzipped read-only, python -I -S -B (median; requests are POST /credits via app.app):")
    print(f"  {'':22s} {'import app':>10} {'(CPU)':>9} {'1st request':>12} {'(CPU)':>9} {'2nd request':>12} "
          f"{'(CPU)':>9} {'import+1st (CPU)':>17}  status  heavy modules loaded")
    imports, imports_cpu = {}, {}
    for name, runs in lam.items():
        imports[name] = statistics.median(r["import"] for r in runs)
        imports_cpu[name] = statistics.median(r["import_cpu"] for r in runs)
        first = statistics.median(r["requests"][0][1] for r in runs)
        first_cpu = statistics.median(r["requests"][0][2] for r in runs)
        second = statistics.median(r["requests"][1][1] for r in runs)
        second_cpu = statistics.median(r["requests"][1][2] for r in runs)
        cold_cpu = statistics.median(r["import_cpu"] + r["requests"][0][2] for r in runs)
        statuses = sorted({tuple(s for s, *_ in r["requests"]) for r in runs})
        print(f"  {name:22s} {ms(imports[name]):>10} {ms(imports_cpu[name]):>9} {ms(first):>12} {ms(first_cpu):>9} "
              f"{ms(second):>12} {ms(second_cpu):>9} {ms(cold_cpu):>17}  {statuses}  "
              f"{' '.join(runs[0]['loaded']) or 'none'}; peak RSS {max(r['rss_mb'] for r in runs):.0f} MB")
    print_memory(statistics.median(r["import_cpu"] + r["requests"][0][2] for r in lam["bytecode"]),
                 max(r["rss_mb"] for r in lam["bytecode"]), workers)
    base, base_cpu = median["bare dependencies"], median_cpu["bare dependencies"]
    print("ratios to the bare dependencies from the venv (wall / CPU):")
    for name, value, cpu in (("packaged app, bytecode", imports["bytecode"], imports_cpu["bytecode"]),
                             ("packaged app, no bytecode", imports["no bytecode"], imports_cpu["no bytecode"]),
                             ("import app (venv)", median["import app (venv)"], median_cpu["import app (venv)"])):
        goal = "  (goal <= 1.30)" if name.endswith(", bytecode") else ""
        print(f"  {name:26s} {value / base:.2f} / {cpu / base_cpu:.2f}{goal}")
    stack, stack_cpu = median["stack in use"], median_cpu["stack in use"]
    print(f"ratio packaged app (bytecode) / stack in use (what any app on these libraries loads): "
          f"{imports['bytecode'] / stack:.2f} / {imports_cpu['bytecode'] / stack_cpu:.2f}")


if __name__ == "__main__":
    main()
