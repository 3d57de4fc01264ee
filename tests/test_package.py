"""The deploy artifact: `chalice package` merged with deploy/resources.json passes cfn-lint.

Dependencies do not change the template, so the test packages a copy of the app with an empty
requirements.txt (no downloads); `make package` builds the real artifact.
"""
import json
import subprocess
import sys
import zipfile

import pytest

from tests.packaging import BIN, ROOT, package_template


def test_packaged_template_passes_cfn_lint(tmp_path):
    sam = package_template(tmp_path)
    template = json.loads(sam.read_text())
    resources = template["Resources"]
    table = resources["CreditsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert resources["SyncQueue"]["Properties"]["FifoQueue"] is True
    assert "RedrivePolicy" in resources["SyncQueue"]["Properties"]
    assert template["Parameters"]["JwtSecret"]["NoEcho"] is True
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"]["JWT_SECRET"] == {"Ref": "JwtSecret"}
    statements = resources["ApiHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert all("*" not in json.dumps(s["Action"]) for s in statements)
    lint = subprocess.run([str(BIN / "cfn-lint"), str(sam)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_unknown_paths_reach_the_catch_all_and_the_gateways_own_answers_echo_nothing(tmp_path):
    """Deployed as locally: a greedy /{proxy+} route answers 404 in our shape; what API Gateway answers itself
    (an unmatched route, a throttle, a too large body) keeps our error shape and never repeats request data."""
    template = json.loads(package_template(tmp_path).read_text())
    resources = template["Resources"]
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert {"get", "post", "put", "patch", "delete"} <= set(paths["/{proxy+}"])
    assert "put" in paths["/credits"]  # the 405 view of a served path's other method
    answers = {r["Properties"]["ResponseType"]: r["Properties"] for r in resources.values()
               if r["Type"] == "AWS::ApiGateway::GatewayResponse"}
    assert answers["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert set(answers) >= {"MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"}
    for answer in answers.values():
        body = json.loads(answer["ResponseTemplates"]["application/json"])
        assert set(body["error"]) == {"code", "message", "details"}
        assert "$context.error.message" not in json.dumps(body) and "$input" not in json.dumps(body)


def test_import_app_stays_light():
    """The API Lambda must not load the QBO libraries (or test tools) at import time.

    (intuit-oauth installs an nspkg .pth that registers an empty `intuitlib` namespace: only real modules count.)
    """
    code = ("import sys, app; print(' '.join(m for m in ('quickbooks', 'intuitlib.client', 'moto', 'pytest', "
            "'aws_lambda_powertools.utilities.idempotency') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _compile_artifact():
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import compile_artifact
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    return compile_artifact


def test_bytecode_step_writes_unchecked_hash_pycs_the_interpreter_uses(tmp_path):
    """Chalice's zip members all carry one fixed timestamp: only hash-based pycs that skip the check make sense."""
    compile_artifact = _compile_artifact()
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("pkg/__init__.py", date_time=(1980, 1, 1, 0, 0, 0)), "")
        zf.writestr(zipfile.ZipInfo("pkg/answer.py", date_time=(1980, 1, 1, 0, 0, 0)), "VALUE = 42\n")
    assert compile_artifact.compile_zip(archive) == (2, 0)
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(archive) as zf:
        pyc = zf.read(f"pkg/__pycache__/answer.{tag}.pyc")
        zf.extractall(tmp_path / "task")
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # PEP 552 flags: hash-based, check_source off
    # the interpreter loads the pyc without looking at the source: a changed source is not even read
    (tmp_path / "task" / "pkg" / "answer.py").write_text("VALUE = 0\n")
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c",
                          f"import sys; sys.path.insert(0, {str(tmp_path / 'task')!r}); import pkg.answer; "
                          "print(pkg.answer.VALUE)"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


def test_bytecode_step_refuses_another_python_than_the_lambda_runtime():
    compile_artifact = _compile_artifact()
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    compile_artifact.require_runtime({here})
    with pytest.raises(compile_artifact.RuntimeMismatch):
        compile_artifact.require_runtime({"python3.9"})
    with pytest.raises(compile_artifact.RuntimeMismatch):
        compile_artifact.require_runtime({here, "python3.9"})
