"""Issue 19: an account connected the way production connects one (POST /qbo/connect → Intuit's consent → GET
/qbo/callback) hears back from QuickBooks; one company, one account; the callback proves the realm; the OAuth state is
never a login; a disconnect is all or nothing. Everything through the API and the emulator."""
from __future__ import annotations

import threading
import uuid

import pytest
import requests

from devstack.qbo_emulator.webhooks import build_body, sign
from tests.conftest import make_account
from tests.qbo import consent
from tests.qbo.inbound_stack import fifo_queue, memo_body

VERIFIER = "verifier-token"


@pytest.fixture
def queue_url(monkeypatch):
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}}):
        from chalicelib.workers import queue

        url = fifo_queue(queue.sqs_client(), f"connect-{uuid.uuid4().hex[:8]}")
        monkeypatch.setenv("SYNC_QUEUE_URL", url)
        yield url


@pytest.fixture
def env(realm, monkeypatch, queue_url):
    consent.point_at(realm, monkeypatch)
    monkeypatch.setenv("QBO_WEBHOOK_VERIFIER", VERIFIER)
    realm.limits(enabled=False)
    return realm


def _webhook(http, realm_id: str, entity: str = "CreditMemo", entity_id: str = "1"):
    body = build_body("legacy", [{"realm": realm_id, "entity": entity, "id": entity_id, "operation": "Create",
                                  "time": "2026-12-01T00:00:00Z"}])
    return http.as_(None).post("/qbo/webhook", raw=body.decode(), headers={"intuit-signature": sign(VERIFIER, body)})


def _pull(realm_id: str):
    from chalicelib.services.sync.pull import pull_changes

    return pull_changes(realm_id)


def _accountants_memo(realm, amount: str = "25.00") -> dict:
    customer = realm.customer()
    item = next(i["Id"] for i in realm.books()["objects"]["Item"] if i["Name"] == "Services")
    return realm.user_create("CreditMemo", memo_body(customer["Id"], amount, note="from the accountant",
                                                     item_id=item))


def _new_company(realm) -> dict:
    return requests.post(f"{realm.emulator.url}/_control/companies", json={"client_id": realm.info["client_id"]},
                         timeout=10).json()


def _status(account) -> dict:
    return account.owner.get("/qbo/status").json


# 1. the realm mapping belongs to the connection --------------------------------------------------------------------

def test_an_account_connected_through_consent_imports_the_accountants_credit_memo(http, env):
    from chalicelib.services.sync.pull import sweep_realms

    account = consent.connected_account(http, env)
    assert _pull(env.realm_id).account_id == account.id  # the first read after connecting
    memo = _accountants_memo(env)

    hinted = _webhook(http, env.realm_id, entity_id=memo["Id"])
    assert hinted.status == 200 and hinted.json == {"queued": [env.realm_id], "dropped": []}
    assert env.realm_id in sweep_realms()
    _pull(env.realm_id)

    imported = account.owner.get("/credits?source=qbo").json["data"]
    assert [(c["amount"], c["qbo_id"]) for c in imported] == [("25.00", memo["Id"])]
    status = _status(account)
    assert status["last_pull_at"] and status["cdc_watermark"] and status["sync_mode"] == "two_way"


def test_a_soft_disconnect_keeps_the_mapping_and_a_reconnect_writes_it_again(http, env):
    from chalicelib.store.qbo_connections import realm_holder

    account = consent.connected_account(http, env)
    assert account.staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    assert realm_holder(env.realm_id) == account.id
    assert _webhook(http, env.realm_id).json["queued"] == [env.realm_id]
    assert _pull(env.realm_id).account_id is None  # softly disconnected: nothing is read, no tokens to read with
    consent.connect(account.owner, env)
    assert realm_holder(env.realm_id) == account.id and _status(account)["connected"] is True


def test_a_hard_disconnect_forgets_the_realm_and_a_new_company_hears_back(http, env):
    from chalicelib.services.sync.jobs import run_job
    from chalicelib.services.sync.pull import sweep_realms
    from chalicelib.store.qbo_connections import realm_holder

    account = consent.connected_account(http, env)
    reply = account.staff.post("/qbo/disconnect", {"mode": "hard"})
    assert reply.status == 200, reply.body
    while run_job(reply.json["job"]["id"]).status == "running":
        pass
    assert realm_holder(env.realm_id) is None and env.realm_id not in sweep_realms()
    assert _webhook(http, env.realm_id).json == {"queued": [], "dropped": [env.realm_id]}

    company = _new_company(env)
    consent.connect(account.owner, env, company["realm_id"])
    assert realm_holder(company["realm_id"]) == account.id and realm_holder(env.realm_id) is None
    assert _webhook(http, env.realm_id).json["dropped"] == [env.realm_id]
    _pull(company["realm_id"])
    new_realm = consent_realm(env, company)
    memo = _accountants_memo(new_realm, "12.50")
    assert _webhook(http, company["realm_id"], entity_id=memo["Id"]).json["queued"] == [company["realm_id"]]
    _pull(company["realm_id"])
    assert [c["qbo_id"] for c in account.owner.get("/credits?source=qbo").json["data"]] == [memo["Id"]]


def consent_realm(realm, company: dict):
    """Another company of the same OAuth client, as a Realm (control helpers)."""
    from tests.qbo.conftest import Realm

    return Realm(realm.emulator, {**realm.info, **company})


# 3. one QuickBooks company, one account ----------------------------------------------------------------------------

def test_a_company_connected_to_another_account_is_refused_until_that_account_hard_disconnects(http, env):
    from chalicelib.services.sync.jobs import run_job
    from chalicelib.store.qbo_connections import DynamoTokenStore, realm_holder

    first = consent.connected_account(http, env)
    second = make_account(http)
    refused = consent.callback(http, consent.consent(second.owner, env))
    assert refused.status == 409 and refused.json["error"]["code"] == "realm_in_use", refused.body
    assert DynamoTokenStore().get(second.id) is None and realm_holder(env.realm_id) == first.id
    assert _status(second)["connected"] is False and _status(first)["connected"] is True

    assert first.staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200  # soft keeps the company
    again = consent.callback(http, consent.consent(second.owner, env))
    assert again.status == 409 and again.json["error"]["code"] == "realm_in_use"

    job = first.staff.post("/qbo/disconnect", {"mode": "hard"}).json["job"]
    while run_job(job["id"]).status == "running":
        pass
    consent.connect(second.owner, env)
    assert realm_holder(env.realm_id) == second.id and _status(second)["connected"] is True


def test_two_accounts_racing_for_one_company_leave_one_owner_and_revoke_the_losers_tokens(http, env):
    """Both pass the check before the exchange; the transaction lets one win."""
    from chalicelib.store.qbo_connections import DynamoTokenStore, realm_holder

    accounts = [make_account(http) for _ in range(2)]
    queries = [consent.consent(a.owner, env) for a in accounts]
    replies: list = [None, None]

    def complete(n: int) -> None:
        replies[n] = consent.callback(http, queries[n])

    threads = [threading.Thread(target=complete, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in replies)
    assert statuses == [200, 409], [r.body for r in replies]
    winner = accounts[[r.status for r in replies].index(200)]
    loser = accounts[[r.status for r in replies].index(409)]
    assert realm_holder(env.realm_id) == winner.id and DynamoTokenStore().get(loser.id) is None


# 4. the callback verifies the realm --------------------------------------------------------------------------------

def test_a_code_for_one_company_sent_with_another_realm_id_stores_nothing(http, env):
    from chalicelib.store.qbo_connections import DynamoTokenStore, realm_holder

    other = _new_company(env)
    account = make_account(http)
    query = consent.consent(account.owner, env)  # consent given for the test's company
    reply = consent.callback(http, dict(query, realmId=other["realm_id"]))
    assert reply.status == 400 and reply.json["error"]["code"] == "realm_unverified", reply.body
    assert DynamoTokenStore().get(account.id) is None and realm_holder(other["realm_id"]) is None
    assert _status(account)["connected"] is False


# 5. the OAuth state is never a login -------------------------------------------------------------------------------

def test_a_fresh_state_is_refused_as_a_bearer_token_on_every_route(http, env):
    from app import ROUTE_MODULES
    from chalicelib.api.route_table import import_all
    from chalicelib.api.routing import ROUTES

    staff = make_account(http).staff  # a state started by staff would have passed staff-only routes before
    authorization_url = staff.post("/qbo/connect", {}).json["authorization_url"]
    state = dict(p.split("=", 1) for p in authorization_url.split("?", 1)[1].split("&"))["state"]
    as_state = http.as_(requests.utils.unquote(state))
    import_all(ROUTE_MODULES)
    checked = 0
    for spec in ROUTES:
        if spec.public:
            continue
        path = spec.path
        for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
            path = path.replace("{" + name + "}", "x1")
        reply = as_state.call(spec.method, path, {} if spec.method != "GET" else None)
        assert reply.status == 401, (spec.method, spec.path, reply.body)
        checked += 1
    assert checked > 40


def test_states_never_reach_our_logs(http, env, capfd):
    import logging

    logging.getLogger("chalicelib").setLevel(logging.DEBUG)
    try:
        account = make_account(http)
        query = consent.consent(account.owner, env)
        assert consent.callback(http, query).status == 200
    finally:
        logging.getLogger("chalicelib").setLevel(logging.INFO)
    out = "".join(capfd.readouterr())
    assert query["state"] not in out and query["code"] not in out


# 6. disconnect is all or nothing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("trial", range(3))
def test_a_disconnect_racing_settings_changes_ends_disconnected_with_the_tokens_gone(http, env, trial):
    from chalicelib.store.qbo_connections import DynamoTokenStore

    account = consent.connected_account(http, env)
    replies: dict[str, list] = {"disconnect": [], "settings": []}

    def disconnect() -> None:
        replies["disconnect"].append(account.staff.post("/qbo/disconnect", {"mode": "soft"}))

    def patch(n: int) -> None:
        replies["settings"].append(account.owner.patch("/settings", {"credit_balance_warning_threshold": f"{n}.00"}))

    threads = [threading.Thread(target=disconnect)] + [threading.Thread(target=patch, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (reply,) = replies["disconnect"]
    assert reply.status == 200, reply.body
    assert all(r.status == 200 for r in replies["settings"]), [r.body for r in replies["settings"]]
    status = _status(account)
    assert (status["connected"], status["sync_mode"]) == (False, "paused")
    assert DynamoTokenStore().get(account.id) is None
    consent.connect(account.owner, env)  # and it reconnects cleanly
    assert _status(account)["connected"] is True


def test_a_revoke_intuit_refuses_is_kept_and_retried_from_the_queue(http, env, monkeypatch, queue_url):
    from chalicelib.store.qbo_connections import DynamoTokenStore, pending_revocations
    from chalicelib.workers import queue, worker

    account = consent.connected_account(http, env)
    held = DynamoTokenStore().get(account.id)
    monkeypatch.setenv("QBO_CLIENT_SECRET", "not-the-secret")  # Intuit refuses the revoke (invalid_client)
    reply = account.staff.post("/qbo/disconnect", {"mode": "soft"})
    assert reply.status == 200 and reply.json["tokens_revoked"] is False, reply.body
    assert DynamoTokenStore().get(account.id) is None and _status(account)["sync_mode"] == "paused"
    assert [p.refresh_token for p in pending_revocations(account.id)] == [held.refresh_token]

    messages = queue.sqs_client().receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                                  AttributeNames=["All"])["Messages"]
    revokes = [m for m in messages if queue.parse(m["Body"]) == queue.Hint(queue.REVOKE, account.id)]
    assert len(revokes) == 1
    event = {"Records": [{"messageId": m["MessageId"], "body": m["Body"], "attributes": m["Attributes"]}
                         for m in revokes]}
    assert worker.handle_event(event)["batchItemFailures"] != []  # still refused: back to the queue
    monkeypatch.setenv("QBO_CLIENT_SECRET", env.info["client_secret"])
    assert worker.handle_event(event)["batchItemFailures"] == []
    assert pending_revocations(account.id) == []
    api = f"{env.emulator.api_base}/company/{env.realm_id}/query"
    dead = requests.get(api, params={"query": "SELECT * FROM Customer"}, timeout=10,
                        headers={"Authorization": f"Bearer {held.access_token}", "Accept": "application/json"})
    assert dead.status_code == 401  # revoked at Intuit in the end


# 7. webhook edges --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["[1, 2]", '{"eventNotifications": "abc"}', '{"eventNotifications": [1]}',
                                  '{"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": [1]}}]}',
                                  "[" * 50_000 + "]" * 50_000, '"text"', "{}"])
def test_a_signed_webhook_of_an_unexpected_shape_is_a_400(http, env, body):
    reply = http.as_(None).post("/qbo/webhook", raw=body,
                                headers={"intuit-signature": sign(VERIFIER, body.encode())})
    assert reply.status == 400 and reply.json["error"]["code"] == "bad_webhook_payload", reply.body[:300]


@pytest.mark.parametrize("media_type", ["application/json", "application/cloudevents-batch+json",
                                        "application/cloudevents+json", "application/json; charset=utf-8"])
def test_webhooks_come_as_json_or_cloudevents(http, env, media_type):
    consent.connected_account(http, env)
    body = build_body("cloudevents", [{"realm": env.realm_id, "entity": "CreditMemo", "id": "9",
                                       "operation": "Create", "time": "2026-12-01T00:00:00Z"}])
    reply = http.as_(None).post("/qbo/webhook", raw=body.decode(),
                                headers={"intuit-signature": sign(VERIFIER, body), "Content-Type": media_type})
    assert reply.status == 200 and reply.json["queued"] == [env.realm_id], reply.body


def test_the_signature_is_checked_before_the_media_type(http, env):
    body = b'{"eventNotifications": []}'
    unsigned = http.as_(None).post("/qbo/webhook", raw=body.decode(), headers={"Content-Type": "text/plain"})
    assert unsigned.status == 401
    signed = http.as_(None).post("/qbo/webhook", raw=body.decode(),
                                 headers={"Content-Type": "text/plain", "intuit-signature": sign(VERIFIER, body)})
    assert signed.status == 415 and signed.json["error"]["code"] == "unsupported_media_type"
