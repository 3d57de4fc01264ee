"""Import time of the API Lambda (`import app`) against a baseline of its stack (chalice, boto3, pynamodb, pydantic).

Each measurement is a fresh interpreter; the median of several runs is reported, and the ratio is the figure
we track (goal <= 1.3). Also lists heavy modules that must stay out of the API's import (QBO libraries).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TIMER = "import time, sys; t = time.perf_counter(); {imports}; print(time.perf_counter() - t)"
BASELINE = "import chalice, boto3, pynamodb, pydantic"
APP = "import app"


def median_seconds(imports: str) -> float:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", TIMER.format(imports=imports)], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def main() -> None:
    baseline, app = median_seconds(BASELINE), median_seconds(APP)
    check = subprocess.run([sys.executable, "-c", "import sys, app; print(' '.join(m for m in "
                            "('quickbooks', 'intuitlib.client', 'moto', 'pytest') if m in sys.modules))"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    print(f"baseline ({BASELINE}): {baseline * 1000:.0f} ms (median of {RUNS})")
    print(f"import app: {app * 1000:.0f} ms (median of {RUNS})")
    print(f"ratio app/baseline: {app / baseline:.2f} (goal <= 1.30)")
    print(f"QBO/test modules loaded by import app: {check or 'none'}")


if __name__ == "__main__":
    main()
