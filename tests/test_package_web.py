"""The packaged template serves the console and the docs too: API Gateway routes them to the API Lambda, the built
files ride in its zip, and API Gateway compresses answers above 1 KiB for clients that accept gzip (Swagger UI's
1.7 MB bundle travels as about 450 KB)."""
import json
import zipfile

from tests.packaging import package_template


def test_the_template_routes_the_web_paths_to_the_api_and_its_zip_carries_the_built_files(tmp_path):
    sam = package_template(tmp_path)
    template = json.loads(sam.read_text())
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["MinimumCompressionSize"] == 1024
    paths = api["DefinitionBody"]["paths"]
    for path in ("/docs", "/docs/{asset}", "/console", "/console/{asset}"):
        assert "get" in paths[path], path
    with zipfile.ZipFile(sam.parent / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert {"chalicelib/web/static/console/index.html", "chalicelib/web/static/docs/index.html",
            "chalicelib/web/static_files.py"} <= names
    assert any(n.startswith("chalicelib/web/static/docs/swagger-ui-") and n.endswith(".js") for n in names)
