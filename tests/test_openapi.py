"""The OpenAPI document is generated from the route registry and covers every route."""


def test_openapi_covers_every_route(http, chalice_app):
    doc = http.get("/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    served = {(path, method) for path, entry in chalice_app.routes.items() for method in entry
              if path != "/openapi.json"}
    assert served == documented
    create = doc["paths"]["/credits"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"customer_id", "amount"}
    assert schema["additionalProperties"] is False
