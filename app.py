"""API Lambda: Chalice app wiring only; routes live in chalicelib/api blueprints, rules in chalicelib/domain."""
from chalice import Chalice, Response

from chalicelib.api import (
    routes_accounts,
    routes_credit_reads,
    routes_credits,
    routes_customers,
    routes_qbo_connection,
    routes_reads,
    routes_returns,
    routes_sales,
)
from chalicelib.api.openapi import build_document
from chalicelib.api.responses import json_response
from chalicelib.api.routing import remember_request

app = Chalice(app_name="credits")
for blueprint_module in (routes_accounts, routes_customers, routes_credits, routes_sales, routes_returns,
                         routes_reads, routes_credit_reads, routes_qbo_connection):
    app.register_blueprint(blueprint_module.bp)
app.register_middleware(remember_request, "http")


@app.route("/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return json_response(200, build_document())
