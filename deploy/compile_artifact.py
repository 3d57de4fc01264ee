"""Add bytecode to a `chalice package` deployment.zip, so a cold start does not compile every module it imports.

Lambda unzips the artifact into a read-only /var/task: Python cannot write __pycache__ there, so without bytecode in
the zip every cold start compiles everything it imports (botocore alone is most of it). Chalice stores every member
with the same fixed timestamp, so timestamp-checked pycs would be meaningless; the pycs written here are
unchecked-hash pycs (PEP 552) for the Lambda runtime's Python, which the interpreter loads without looking at the
source. This script must run on that Python version (it refuses otherwise): bytecode is version-specific.

Usage: python deploy/compile_artifact.py build/package   (reads sam.json for the runtime, rewrites deployment.zip);
deploy/package.py runs it after `chalice package`.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # the writer py_compile uses for PEP 552 pycs
from pathlib import Path, PurePosixPath


class RuntimeMismatch(RuntimeError):
    """The running interpreter is not the Python the Lambda functions run on."""


def lambda_runtimes(template: Path) -> set[str]:
    """The distinct `Runtime` values of the functions in a SAM/CloudFormation template, e.g. {"python3.11"}."""
    resources = json.loads(template.read_text())["Resources"]
    return {r["Properties"]["Runtime"] for r in resources.values()
            if r["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function") and "Runtime" in r["Properties"]}


def require_runtime(runtimes: set[str]) -> None:
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtimes != {here}:
        raise RuntimeMismatch(f"the functions run on {sorted(runtimes)}; run this script with that Python, not {here}")


def pyc_name(source: str) -> str:
    """Where the import system looks for the bytecode of `source` (a posix path inside the zip)."""
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")


def compile_zip(zip_path: Path) -> tuple[int, int]:
    """Rewrite zip_path with an unchecked-hash .pyc beside every .py; returns (compiled, skipped as not Python 3)."""
    compiled = skipped = 0
    temporary = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        names = set(source.namelist())
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data)
            if not info.filename.endswith(".py") or pyc_name(info.filename) in names:
                continue
            try:
                code = compile(data, f"/var/task/{info.filename}", "exec", dont_inherit=True)
            except SyntaxError:  # e.g. Python 2 only test files some packages ship; never imported
                skipped += 1
                continue
            pyc = zipfile.ZipInfo(pyc_name(info.filename), date_time=info.date_time)
            pyc.external_attr, pyc.compress_type = info.external_attr, zipfile.ZIP_DEFLATED
            target.writestr(pyc, bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)))
            compiled += 1
    os.replace(temporary, zip_path)
    return compiled, skipped


def main(package_dir: str) -> None:
    package = Path(package_dir)
    require_runtime(lambda_runtimes(package / "sam.json"))
    compiled, skipped = compile_zip(package / "deployment.zip")
    print(f"deployment.zip: {compiled} modules compiled to unchecked-hash pycs ({sys.implementation.cache_tag}), "
          f"{skipped} skipped (not valid Python 3)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/package")
