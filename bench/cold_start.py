"""Import time of the API Lambda (`import app`) against baselines of its stack, each in a fresh interpreter.

Two baselines, because the one the issue names undercounts what any app on this stack must load:
- literal: `import chalice, boto3, pynamodb, pydantic` (pydantic and pynamodb import lazily: no BaseModel, no models)
- in use: the same libraries as the service really uses them (chalice.app, pynamodb.models, pydantic.BaseModel, jwt)
Runs are interleaved and the median reported; the ratios are the figures we track (goal <= 1.3).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
TIMER = "import time; t = time.perf_counter(); {imports}; print(time.perf_counter() - t)"
CASES = {
    "literal baseline": "import chalice, boto3, pynamodb, pydantic",
    "stack in use": "import chalice.app, boto3, pynamodb.models, jwt; from pydantic import BaseModel",
    "import app": "import app",
}


def one_run(imports: str) -> float:
    out = subprocess.run([sys.executable, "-c", TIMER.format(imports=imports)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(RUNS):
        for name, imports in CASES.items():
            samples[name].append(one_run(imports))
    median = {name: statistics.median(values) for name, values in samples.items()}
    for name, imports in CASES.items():
        print(f"{name:17s} {median[name] * 1000:6.0f} ms  ({imports})")
    app = median["import app"]
    print(f"ratio app / literal baseline: {app / median['literal baseline']:.2f} (goal <= 1.30)")
    print(f"ratio app / stack in use:     {app / median['stack in use']:.2f} (our own modules' share)")
    loaded = subprocess.run([sys.executable, "-c", "import sys, app; print(' '.join(m for m in "
                             "('quickbooks', 'intuitlib.client', 'moto', 'pytest', "
                             "'aws_lambda_powertools.utilities.idempotency') if m in sys.modules))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    print(f"QBO/test/idempotency modules loaded by import app: {loaded or 'none'}")


if __name__ == "__main__":
    main()
