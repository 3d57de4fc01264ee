"""`chalice package` of a copy of the app with an empty requirements.txt: the template, without downloads.

Dependencies do not change the template; `make package` (deploy/package.py) builds the real artifact.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def package_template(tmp_path: Path) -> Path:
    """Package into tmp_path/out and answer the path of its sam.json."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("app.py", "chalicelib", ".chalice"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    shutil.rmtree(project / ".chalice" / "deployments", ignore_errors=True)
    (project / "requirements.txt").write_text("")
    subprocess.run([str(BIN / "chalice"), "package", "--stage", "prod", "--merge-template",
                    str(ROOT / "deploy" / "resources.json"), str(tmp_path / "out")],
                   cwd=project, env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}, check=True, capture_output=True)
    return tmp_path / "out" / "sam.json"


def packaged_resources(tmp_path: Path) -> dict:
    return json.loads(package_template(tmp_path).read_text())["Resources"]
