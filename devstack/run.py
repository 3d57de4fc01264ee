"""`make run`: DynamoDB Local, the table, demo data, the QBO emulator with the demo account connected to a demo
company, the sync workers in-process (devstack/pump.py: the table's stream → relay, a FIFO queue → worker, the
sweeper every minute), and the API on http://127.0.0.1:8000 until Ctrl-C."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys

API_HOST = "127.0.0.1"


def console_link(base: str, token: str) -> str:
    """The console's address signed in as the token's user: the console moves the token into the tab's
    sessionStorage and out of the address bar."""
    return f"{base}/console/#token={token}"


def _print_banner(demo, port: int, qbo, pump) -> None:
    base = f"http://{API_HOST}:{port}"
    owner, clerk = demo.tokens["owner"], demo.tokens["clerk"]
    customer = demo.customer_ids[0]
    print(f"""
Credits API ready on {base}  (OpenAPI: {base}/openapi.json, interactive docs: {base}/docs)
Demo account {demo.account_id}; customers {', '.join(demo.customer_ids)}

Web console, one link per demo user (the token rides in the #fragment, which the browser never sends):
  owner (Admin, every permission):            {console_link(base, owner)}
  clerk (sales and payments, no View Credits): {console_link(base, clerk)}
  staff (vendor support, QuickBooks panel):   {console_link(base, demo.tokens['staff'])}

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

QBO emulator on {qbo.emulator.url}  (control API: {qbo.control_url}/)
Demo account connected to QBO company {qbo.realm_id} through the consent flow (POST /qbo/connect, the
emulator's consent page, then {qbo.redirect_uri}); tokens and the realm mapping in DynamoDB. Act as the
company's accountant:
curl -s {qbo.company_url}/books
curl -s -X POST {qbo.company_url}/objects/Customer -H 'Content-Type: application/json' -d '{{"DisplayName": "Corner Deli"}}'

Sync workers running in-process (table stream → relay, FIFO queue → worker, sweeper every {pump.sweep_every:.0f} s).
The credit created above reaches the company's books within seconds; watch it arrive:
curl -s {qbo.company_url}/books | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["objects"]["CreditMemo"], indent=1))'
curl -s {base}/credits -H "Authorization: Bearer $OWNER_TOKEN" | python3 -m json.tool | grep -E '"(number|qbo_id|sync_status|sync_error)"'

Ctrl-C stops the API and everything this command started.
""", flush=True)


def _stop_on_sigterm(*_args) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="API port")
    parser.add_argument("--qbo-port", type=int, default=8001, help="QBO emulator port (0: a free port)")
    parser.add_argument("--sweep-every", type=float, default=60.0, help="seconds between sweeper runs")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("CREDITS_TABLE", "credits-dev")
    os.environ.setdefault("LOCAL_DEV", "1")  # accept the documented dev JWT secret in this process only

    from devstack import dynamodb_local, pump, qbo_demo

    with contextlib.ExitStack() as started:  # stops what was started, last first, however we leave
        try:
            dynamodb = dynamodb_local.start()
            started.callback(dynamodb.stop)
            os.environ["DYNAMODB_ENDPOINT"] = dynamodb.endpoint

            from app import app
            from devstack import api_server
            from chalicelib.store.tables import create_table
            from devstack.seed import seed

            create_table()
            demo = seed()
            print(f"DynamoDB Local on {dynamodb.endpoint} (table {os.environ['CREDITS_TABLE']}, in memory)")
            base = f"http://{API_HOST}:{args.port}"
            qbo = qbo_demo.start(args.qbo_port, api_url=base)
            started.callback(qbo.stop)
            workers = pump.SyncPump(sweep_every=args.sweep_every).start()
            started.callback(workers.stop)
            try:
                api = api_server.serve(app, API_HOST, args.port)
            except OSError as error:
                print(f"error: the API cannot listen on {API_HOST}:{args.port} ({error.strerror}); "
                      "pass --port to use another", file=sys.stderr)
                return 1
            started.callback(api.stop)
            print(f"Serving on {base}", flush=True)
            qbo_demo.connect_with_sync(qbo, base, demo.tokens)
            _print_banner(demo, args.port, qbo, workers)
            while api.thread.is_alive():
                api.thread.join(0.5)
        except (dynamodb_local.DynamoDBLocalError, qbo_demo.QboDemoError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
