"""The deployed API's lazy routes: with the packaged route table, `import app` knows every route but loads no route
module, and a route's module (its schemas, presenters, use cases) arrives with its first call.

The app is copied and given its table the way deploy/package.py does, then imported in a fresh interpreter (the test
session's own `app` was imported from the source tree, without a table).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from package import write_route_table  # noqa: E402

PROBE = """
import json, sys
import app
from chalicelib.api import route_table

def loaded():
    return sorted(m for m in sys.modules if m.startswith(("chalicelib.api.", "chalicelib.services."))
                  and not m.endswith((".routing", ".route_table", ".auth", ".idempotency", ".errors", ".responses",
                                              ".visibility", ".fallback_routes")))

def call(method, path, resource, body=None, params=None):
    event = {"requestContext": {"httpMethod": method, "resourcePath": resource, "path": path,
                                "identity": {"sourceIp": "127.0.0.1"}},
             "headers": {"authorization": "Bearer " + TOKEN, "content-type": "application/json"},
             "multiValueQueryStringParameters": None, "pathParameters": params, "stageVariables": {},
             "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False}
    return app.app(event, None)

TOKEN, CUSTOMER = sys.argv[1], sys.argv[2]
out = {"table": route_table.TABLE.exists(), "after_import": loaded(), "crypto": "cryptography" in sys.modules,
       "routes": {path: {m: [e.view_name, e.content_types] for m, e in methods.items()}
                  for path, methods in app.app.routes.items()}}
reply = call("POST", "/credits", "/credits", {"customer_id": CUSTOMER, "amount": "3.00"})
out["credit"] = [reply["statusCode"], json.loads(reply["body"])]
out["after_credit"] = loaded()
out["domain_after_credit"] = sorted(m for m in sys.modules if m.startswith("chalicelib.domain."))
reply = call("GET", "/customers/" + CUSTOMER + "/credit-summary", "/customers/{customer_id}/credit-summary",
             params={"customer_id": CUSTOMER})
out["summary"] = [reply["statusCode"], json.loads(reply["body"])]
reply = call("GET", "/openapi.json", "/openapi.json")
out["openapi"] = json.loads(reply["body"])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def packaged_copy(tmp_path_factory) -> Path:
    """app.py and chalicelib with the route table deploy/package.py writes."""
    project = tmp_path_factory.mktemp("lazy") / "project"
    project.mkdir()
    shutil.copy(ROOT / "app.py", project / "app.py")
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    write_route_table(project, dict(os.environ))
    return project


@pytest.fixture
def probe(packaged_copy, account, http) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, account.owner.token, account.customers[0]], cwd=packaged_copy,
                         env=dict(os.environ), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_the_packaged_app_knows_every_route_and_loads_no_route_module_at_import(probe, chalice_app):
    assert probe["table"] is True
    assert probe["after_import"] == []
    assert probe["crypto"] is False  # PyJWT loaded for HS256 without cryptography
    eager = {path: {m: [e.view_name, e.content_types] for m, e in methods.items()}
             for path, methods in chalice_app.routes.items()}
    assert probe["routes"] == eager


def test_a_route_loads_its_own_module_on_its_first_call_and_answers_as_the_eager_app(probe, account):
    status, credit = probe["credit"]
    assert status == 201 and credit["amount"] == "3.00"
    assert "chalicelib.api.routes_credits" in probe["after_credit"]
    assert "chalicelib.api.routes_sales" not in probe["after_credit"]
    assert probe["summary"][0] == 200
    assert probe["summary"][1] == account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json


def test_a_route_loads_only_the_models_and_domain_modules_it_uses(probe):
    """POST /credits brings its own shapes (chalicelib/api/wire/credits.py and what all share), not every route's
    models, and presenters.py's annotations load no domain module the use case does not need."""
    wire = [m for m in probe["after_credit"] if m.startswith("chalicelib.api.wire.")]
    assert wire == ["chalicelib.api.wire.common", "chalicelib.api.wire.credits"]
    assert "chalicelib.api.schemas" not in probe["after_credit"]  # the catalogue of every model
    assert "chalicelib.domain.customers" not in probe["domain_after_credit"]

def test_the_openapi_document_of_the_lazy_app_is_the_whole_document(probe, http):
    assert probe["openapi"] == http.get("/openapi.json").json
