"""The read routes are in the generated contract with their filters and response shapes."""

READS = {
    ("/customers", "get"): {"q", "limit", "cursor"},
    ("/customers/{customer_id}", "get"): {"customer_id"},
    ("/customers/{customer_id}", "patch"): {"customer_id", "Idempotency-Key"},
    ("/invoices", "get"): {"customer_id", "status", "limit", "cursor"},
    ("/payments", "get"): {"invoice_id", "customer_id", "status", "limit", "cursor"},
    ("/payments/{payment_id}", "get"): {"payment_id"},
    ("/sales-orders/{sales_order_id}", "get"): {"sales_order_id"},
    ("/returns", "get"): {"customer_id", "status", "limit", "cursor"},
    ("/roles", "get"): {"limit", "cursor"},
    ("/users", "get"): {"limit", "cursor"},
    ("/credits/{credit_id}/cancel/preview", "post"): {"credit_id", "Idempotency-Key"},
    ("/credits/{credit_id}/delete/preview", "post"): {"credit_id", "Idempotency-Key"},
    ("/customers/{customer_id}/credit-summary", "get"): {"customer_id", "as_of"},
    ("/reports/credit-aging", "get"): {"customer_id", "as_of"},
    ("/credits/{credit_id}/lineage", "get"): {"credit_id"},
}


def test_read_routes_are_documented_with_their_parameters(http):
    doc = http.get("/openapi.json").json
    for (path, method), params in READS.items():
        op = doc["paths"][path][method]
        assert {p["name"] for p in op["parameters"]} == params, (path, method)
        assert "content" in op["responses"]["200"], (path, method)
    aging = doc["components"]["schemas"]["AgingBucketsOut"]
    assert set(aging["properties"]) == {"0-30", "31-60", "61-90", "90+"}
    assert "return" in doc["components"]["schemas"]["LineageOrigin"]["properties"]
