"""/console/ and /docs: the built pages and assets, served by the API Lambda with strict headers, never loaded by
`import app` (the API's cold start)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _assets(html: bytes) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html.decode())


def test_the_console_page_and_its_assets_are_served_with_a_strict_policy(http):
    page = http.get("/console/", headers={"Accept": "text/html"})
    assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["Cache-Control"] == "no-cache" and page.headers["X-Content-Type-Options"] == "nosniff"
    assets = _assets(page.body)
    assert {Path(a).suffix for a in assets} == {".js", ".css"}
    for name in assets:
        reply = http.get(f"/console/{name}")
        assert reply.status == 200, name
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert reply.headers["Content-Type"].startswith("text/javascript" if name.endswith(".js") else "text/css")
        assert "Content-Security-Policy" in reply.headers


def test_the_docs_page_loads_swagger_ui_from_this_origin(http):
    page = http.get("/docs")
    assert page.status == 200 and b"swagger-ui" in page.body
    assets = _assets(page.body)
    assert assets and all(a.startswith("docs/") for a in assets)  # relative: works under a stage prefix too
    for name in assets:
        assert http.get(f"/{name}").status == 200, name
    assert b"//cdn" not in page.body and b"https://" not in page.body


def test_each_page_is_redirected_to_the_address_its_relative_links_need(http):
    console = http.get("/console")
    assert console.status == 308 and console.headers["Location"] == "console/"
    docs = http.get("/docs/")
    assert docs.status == 308 and docs.headers["Location"] == "../docs"


def test_unknown_or_odd_asset_names_are_a_404_in_the_error_shape(http):
    for name in ("nope.js", "index.html", "..%2Fstatic_files.py", ".built", "app.exe"):
        reply = http.get(f"/console/{name}")
        assert reply.status == 404, name
        assert reply.json["error"]["code"] == "not_found"


def test_import_app_loads_nothing_of_the_web_side():
    probe = "import json, sys, app; print(json.dumps(sorted(m for m in sys.modules if m.startswith('chalicelib.web'))))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         env={"LOCAL_DEV": "1", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == []
