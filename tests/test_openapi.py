"""The OpenAPI document is generated from the route registry and covers every route."""


def test_openapi_covers_every_route(http, chalice_app):
    from app import WEB_PATHS

    doc = http.get("/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    from chalicelib.api.fallback_routes import is_fallback

    served = {(path, method) for path, entry in chalice_app.routes.items() for method in entry
              if path != "/openapi.json" and path not in WEB_PATHS
              and not is_fallback(entry[method].view_name)}
    assert served == documented
    create = doc["paths"]["/credits"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"customer_id", "amount"}
    assert schema["additionalProperties"] is False


def test_the_qbo_status_routes_and_the_sync_fields_are_in_the_contract(http):
    doc = http.get("/openapi.json").json
    schemas = doc["components"]["schemas"]
    assert "200" in doc["paths"]["/qbo/status"]["get"]["responses"]
    retry = doc["paths"]["/qbo/objects/{object_type}/{object_id}/retry"]["post"]
    assert {p["name"] for p in retry["parameters"]} >= {"object_type", "object_id"}
    assert set(schemas["QboStatusOut"]["required"]) == {"connected", "realm_id", "sync_mode", "pending", "last_push_at",
                                                        "last_pull_at", "cdc_watermark", "errors"}
    assert set(schemas["QboErrorOut"]["required"]) == {"object_type", "object_id", "number", "code", "message", "at",
                                                       "attempts"}
    for name in ("CustomerOut", "CreditOut", "InvoiceOut", "InvoiceRowOut", "PaymentOut"):
        assert {"qbo_id", "sync_status", "sync_error"} <= set(schemas[name]["required"]), name
