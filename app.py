"""Chalice app wiring only: the API's blueprints, and the sync Lambdas (relay, worker, sweeper) whose bodies live
in chalicelib/workers and are imported when they first run (the API Lambda never loads the QBO libraries)."""
import os

from chalice import Chalice, Rate, Response

from chalicelib import bootstrap, observability
from chalicelib.api.fallback_routes import add_fallback_routes
from chalicelib.api.responses import json_response
from chalicelib.api.route_table import import_all, register_routes

bootstrap.wire()  # the sync queue's sender and the QBO token store, plugged into their ports
app = Chalice(app_name="credits")
# The API's route modules (chalicelib/api/<name>.py, each with a blueprint `bp` of endpoint() routes). A new module is
# one more name here; in the deployed artifact each is imported when one of its routes is first called.
ROUTE_MODULES = ("routes_accounts", "routes_customers", "routes_credits", "routes_sales", "routes_returns",
                 "routes_credit_reads", "routes_qbo_webhook", "routes_qbo_connection", "routes_qbo_status",
                 "routes_qbo_parity")
register_routes(app, ROUTE_MODULES)
observability.start_tracing(app)  # only when switched on (POWERTOOLS_TRACE_DISABLED=false): imports nothing else


@app.route("/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    from chalicelib.api.openapi import build_document

    import_all(ROUTE_MODULES)
    return json_response(200, build_document())


# The web console and the API docs: static files built by `make` (web/), served by this Lambda from the same origin
# as the API (README "Web console and API docs" says why not S3 + CloudFront). Imported on their first call only.
WEB_PATHS = ("/docs", "/docs/{asset}", "/console", "/console/{asset}")


@app.route("/docs", methods=["GET"])
def api_docs() -> Response:
    from chalicelib.web import static_files

    return static_files.page("docs")


@app.route("/docs/{asset}", methods=["GET"])
def api_docs_asset(asset: str) -> Response:
    from chalicelib.web import static_files

    return static_files.asset("docs", asset)


@app.route("/console", methods=["GET"])
def web_console() -> Response:
    from chalicelib.web import static_files

    return static_files.page("console")


@app.route("/console/{asset}", methods=["GET"])
def web_console_asset(asset: str) -> Response:
    from chalicelib.web import static_files

    return static_files.asset("console", asset)


# Last of the routes: 405 for a served path's other methods, 404 (greedy /{proxy+}) for every other path.
add_fallback_routes(app)


# The sync Lambdas. The ARNs below are what `chalice package` needs to build the event sources; deploy/resources.json
# replaces them with the stack's own table stream and queue, and adds ReportBatchItemFailures and the filter.
SYNC_QUEUE_ARN = os.environ.get("SYNC_QUEUE_ARN", "arn:aws:sqs:us-east-1:000000000000:credits-sync.fifo")
TABLE_STREAM_ARN = os.environ.get(
    "CREDITS_TABLE_STREAM_ARN", "arn:aws:dynamodb:us-east-1:000000000000:table/credits/stream/1970-01-01T00:00:00.000")


@app.on_dynamodb_record(stream_arn=TABLE_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                        name="sync_relay")
def sync_relay(event) -> None:
    """Committed changes that left an object pending → push hints on the sync queue."""
    from chalicelib.workers import relay

    with observability.invocation(**observability.lambda_keys("sync_relay", event.context)):
        relay.handle_event(event.to_dict())


@app.on_sqs_message(queue_arn=SYNC_QUEUE_ARN, batch_size=10, name="sync_worker")
def sync_worker(event) -> dict:
    """Push/pull hints from the FIFO queue; the answer names the messages to deliver again."""
    from chalicelib.workers import worker

    with observability.invocation(**observability.lambda_keys("sync_worker", event.context)):
        return worker.handle_event(event.to_dict())


@app.schedule(Rate(1, unit=Rate.MINUTES), name="sync_sweeper")
def sync_sweeper(event) -> None:
    """Every minute: hint stale pending changes again, retry parked ones whose backoff has passed."""
    from chalicelib.workers import sweeper

    with observability.invocation(**observability.lambda_keys("sync_sweeper", event.context)):
        sweeper.run()


@app.schedule(Rate(5, unit=Rate.MINUTES), name="sync_cdc_sweep")
def sync_cdc_sweep(event) -> None:
    """Every five minutes: a pull hint per connected realm, so changes a webhook never announced still arrive."""
    from chalicelib.workers import sweeper

    with observability.invocation(**observability.lambda_keys("sync_cdc_sweep", event.context)):
        sweeper.run_cdc()
