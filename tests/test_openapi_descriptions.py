"""Every operation in /openapi.json (what /docs renders) says what it does, who may call it and its errors with
their codes, and carries one example: written where the route is declared, so the two cannot drift apart."""
import re


def _examples(op: dict) -> list:
    bodies = [op.get("requestBody", {})] + list(op["responses"].values())
    return [media["example"] for body in bodies for media in body.get("content", {}).values() if "example" in media]


def test_every_operation_has_a_description_with_who_and_errors_and_one_example(http):
    doc = http.get("/openapi.json").json
    missing = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            text = op.get("description", "")
            if len(text) < 40 or "**Who:**" not in text or "**Errors:**" not in text:
                missing.append(f"{method.upper()} {path}: description")
            elif not re.search(r"\*\*Errors:\*\*.*(`\d{3} [a-z_]+`|none of its own)", text, re.S):
                missing.append(f"{method.upper()} {path}: errors without a status and code")
            if len(_examples(op)) != 1:
                missing.append(f"{method.upper()} {path}: {len(_examples(op))} examples")
    assert missing == []


def test_operations_are_grouped_and_the_document_explains_auth_money_and_errors(http):
    doc = http.get("/openapi.json").json
    assert "Bearer" in doc["info"]["description"] and "idempotency_key_reused" in doc["info"]["description"]
    tags = {t["name"] for t in doc["tags"]}
    assert all(op["tags"][0] in tags for ops in doc["paths"].values() for op in ops.values())
    create = doc["paths"]["/credits"]["post"]
    assert create["requestBody"]["content"]["application/json"]["example"]["amount"] == "25.00"


def test_every_example_is_valid_for_the_model_it_illustrates(chalice_app):
    """An example is the request body the route validates, or an answer of its response model: a field renamed in
    the models fails here instead of leaving /docs wrong."""
    from app import ROUTE_MODULES
    from chalicelib.api.route_table import import_all
    from chalicelib.api.routing import ROUTES

    import_all(ROUTE_MODULES)
    wrong = []
    for route in ROUTES:
        model = route.body if route.body is not None and route.body.model_fields else route.response
        if model is None or route.example is None:
            continue
        try:
            model.model_validate(route.example, by_alias=True)
        except Exception as error:  # noqa: BLE001 - collect every invalid example
            wrong.append(f"{route.method} {route.path}: {error}")
    assert wrong == []
