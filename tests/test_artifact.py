"""The deployment artifact as Lambda runs it: unzipped read-only, imported by an isolated interpreter.

Built once for this module by deploy/package.py (what `make package` runs: `chalice package` with the real
requirements, downloaded by pip for the Lambda's platform, then bytecode compiled into the zip).
"""
import json
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
sys.path.insert(0, {task!r})
import app
import boto3, botocore
task = {task!r}
ours = [m for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").startswith(task)]
event = {{"requestContext": {{"httpMethod": "GET", "resourcePath": "/openapi.json", "path": "/openapi.json",
                              "identity": {{"sourceIp": "127.0.0.1"}}}},
          "headers": {{}}, "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": {{}},
          "body": None, "isBase64Encoded": False}}
reply = app.app(event, None)
print(json.dumps({{
    "outside": sorted({{m.__name__.split(".")[0] for m in list(sys.modules.values())
                        if (getattr(m, "__file__", None) or "").endswith((".py", ".so"))
                        and not m.__file__.startswith(task) and "site-packages" in m.__file__}}),
    "from_artifact": len(ours),
    "without_bytecode": sorted(m.__name__ for m in ours if m.__file__.endswith(".py")
                               and not (m.__cached__ and __import__("os").path.exists(m.__cached__))),
    "boto3": [boto3.__version__, boto3.__file__.startswith(task)],
    "botocore": [botocore.__version__, botocore.__file__.startswith(task)],
    "qbo_loaded": [m for m in ("quickbooks", "intuitlib.client") if m in sys.modules],
    "status": reply["statusCode"], "paths": len(json.loads(reply["body"])["paths"]),
}}))
"""


def pinned(name: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


@pytest.fixture(scope="module")
def task(tmp_path_factory) -> Path:
    """deployment.zip from deploy/package.py, unzipped like /var/task: nobody may write there."""
    out = tmp_path_factory.mktemp("artifact") / "package"
    subprocess.run([sys.executable, str(ROOT / "deploy" / "package.py"), str(out)], check=True, capture_output=True)
    target = out.parent / "task"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield target
    for path in [target, *target.rglob("*")]:
        if path.is_dir():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def probe(task) -> dict:
    """Import the app in `python -I -S -B` (no site-packages, no user paths, no bytecode writing) and serve a request."""
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", PROBE.format(task=str(task))], cwd=task,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_the_app_imports_from_the_artifact_alone_and_serves_a_request(probe):
    assert probe["outside"] == []  # nothing from a venv or a system site-packages
    assert probe["from_artifact"] > 100
    assert probe["status"] == 200 and probe["paths"] > 10
    assert probe["qbo_loaded"] == []


def test_the_support_cli_stays_out_of_the_artifact(task):
    """chalicelib/ops (and its rich progress bars) is for support staff at a checkout: the Lambdas never load it."""
    assert (task / "chalicelib" / "api").is_dir()
    assert not (task / "chalicelib" / "ops").exists()


def test_every_module_imported_from_the_artifact_has_its_bytecode(probe):
    assert probe["without_bytecode"] == []


def test_boto3_and_botocore_are_packaged_at_the_pinned_versions(probe):
    """Lambda's runtime boto3 must never run against the bundled botocore of another version."""
    assert probe["boto3"] == [pinned("boto3"), True]
    assert probe["botocore"] == [pinned("botocore"), True]
