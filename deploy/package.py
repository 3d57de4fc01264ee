"""Build the deploy artifact: `chalice package` of a clean copy of the project, then bytecode into deployment.zip.

`make package` runs this (then cfn-lint). The copy keeps Chalice's build cache out of the work tree and lets the
tests package the app exactly as deployed; it also gets the API's route table (chalicelib/api/route_table.py), so
the deployed API imports a route's module only when that route is first called. Usage: python deploy/package.py [OUT] [--stage prod] [--no-bytecode]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_artifact import compile_zip, lambda_runtimes, require_runtime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("app.py", "chalicelib", ".chalice", "requirements.txt")
SUPPORT_ONLY = ("chalicelib/ops",)  # the support CLI runs from a checkout against a stage, never inside a Lambda


def chalice_package(out: Path, *, stage: str = "prod", project: Path = ROOT) -> None:
    """`chalice package` (dependencies from requirements.txt, resources merged) of a copy of `project` into `out`."""
    with tempfile.TemporaryDirectory(prefix="credits-package-") as scratch:
        copy = Path(scratch) / "project"
        copy.mkdir()
        for name in PROJECT_FILES:
            source = project / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / name)
        shutil.rmtree(copy / ".chalice" / "deployments", ignore_errors=True)
        for name in SUPPORT_ONLY:
            shutil.rmtree(copy / name)
        shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"}
        write_route_table(copy, env)
        chalice = Path(sys.executable).parent / "chalice"
        subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template",
                        str(project / "deploy" / "resources.json"), str(out.resolve())],
                       cwd=copy, env=env, check=True)


def write_route_table(project: Path, env: dict[str, str]) -> None:
    """chalicelib/api/routes.json in the copy: with it the deployed app imports a route module on its first call."""
    subprocess.run([sys.executable, "-c", "import app; from chalicelib.api.route_table import write_table; "
                    "write_table(app.ROUTE_MODULES)"], cwd=project, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="build/package", type=Path)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--no-bytecode", action="store_true", help="leave deployment.zip as Chalice built it")
    args = parser.parse_args()
    chalice_package(args.out, stage=args.stage)
    if not args.no_bytecode:
        require_runtime(lambda_runtimes(args.out / "sam.json"))
        compiled, skipped = compile_zip(args.out / "deployment.zip")
        print(f"deployment.zip: {compiled} modules compiled to unchecked-hash pycs, {skipped} skipped")
    print(f"artifact: {args.out} (sam.json + deployment.zip)")


if __name__ == "__main__":
    main()
