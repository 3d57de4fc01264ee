"""`make run`: DynamoDB Local, the table, demo data, and the API on http://127.0.0.1:8000 until Ctrl-C."""
from __future__ import annotations

import argparse
import os
import signal
import sys

API_HOST = "127.0.0.1"


def _print_banner(demo, port: int) -> None:
    base = f"http://{API_HOST}:{port}"
    owner, clerk = demo.tokens["owner"], demo.tokens["clerk"]
    customer = demo.customer_ids[0]
    print(f"""
Credits API ready on {base}  (OpenAPI: {base}/openapi.json)
Demo account {demo.account_id}; customers {', '.join(demo.customer_ids)}

export OWNER_TOKEN={owner}
export CLERK_TOKEN={clerk}
export STAFF_TOKEN={demo.tokens['staff']}

curl -s {base}/settings -H "Authorization: Bearer $OWNER_TOKEN"
curl -s -X POST {base}/credits -H "Authorization: Bearer $OWNER_TOKEN" -H 'Content-Type: application/json' \\
     -H "Idempotency-Key: $(date +%s%N)" -d '{{"customer_id": "{customer}", "amount": "25.00", "internal_note": "damaged case"}}'
curl -s "{base}/credits?q=damaged" -H "Authorization: Bearer $OWNER_TOKEN"
curl -s {base}/credits -H "Authorization: Bearer $OWNER_TOKEN" -H 'Accept: text/csv'
curl -s {base}/customers/{customer}/credit-summary -H "Authorization: Bearer $OWNER_TOKEN"
curl -s {base}/credits -H "Authorization: Bearer $CLERK_TOKEN"     # 403: the clerk's role lacks view_credits

Ctrl-C stops the API and everything this command started.
""", flush=True)


def _stop_on_sigterm(*_args) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("CREDITS_TABLE", "credits-dev")

    from devstack import dynamodb_local

    try:
        dynamodb = dynamodb_local.start()
    except dynamodb_local.DynamoDBLocalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    os.environ["DYNAMODB_ENDPOINT"] = dynamodb.endpoint
    try:
        from chalice.config import Config
        from chalice.local import create_local_server

        from app import app
        from chalicelib.store.tables import create_table
        from devstack.seed import seed

        create_table()
        demo = seed()
        print(f"DynamoDB Local on {dynamodb.endpoint} (table {os.environ['CREDITS_TABLE']}, in memory)")
        server = create_local_server(app, Config.create(chalice_stage="dev", app_name="credits"), API_HOST, args.port)
        _print_banner(demo, args.port)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    finally:
        dynamodb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
