"""The sync Lambdas in the deploy template: event sources wired to this stack's stream and queue, partial batch
failures reported, least privilege (packaged as tests/test_package.py does, without dependencies)."""
import json

import pytest

from tests.packaging import packaged_resources


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    return packaged_resources(tmp_path_factory.mktemp("package"))


def test_the_relay_reads_this_tables_stream_and_only_pending_objects(resources):
    assert resources["CreditsTable"]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    source = resources["SyncRelay"]["Properties"]["Events"]["SyncRelayDynamodbEventSource"]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["CreditsTable", "StreamArn"]}
    pattern = json.loads(source["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern == {"dynamodb": {"NewImage": {"sync_pk": {"S": [{"exists": True}]}}}}
    assert resources["SyncRelay"]["Properties"]["Handler"] == "app.sync_relay"


def test_the_worker_reports_partial_batch_failures_from_this_stacks_queue(resources):
    worker = resources["SyncWorker"]["Properties"]
    source = worker["Events"]["SyncWorkerSqsEventSource"]["Properties"]
    assert source["Queue"] == {"Fn::Sub": "${SyncQueue.Arn}"}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and source["BatchSize"] <= 10
    queue = resources["SyncQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= worker["Timeout"]  # a message is not redelivered while still in work
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5


def test_the_sweeper_runs_every_minute(resources):
    events = resources["SyncSweeper"]["Properties"]["Events"]
    assert [e["Properties"]["Schedule"] for e in events.values()] == ["rate(1 minute)"]


@pytest.mark.parametrize("function", ["SyncRelay", "SyncWorker", "SyncSweeper"])
def test_each_sync_lambda_has_its_own_least_privilege_role(resources, function):
    variables = resources[function]["Properties"]["Environment"]["Variables"]
    assert variables["CREDITS_TABLE"] == {"Ref": "CreditsTable"} and variables["SYNC_QUEUE_URL"] == {"Ref": "SyncQueue"}
    statements = resources[f"{function}Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert all("*" not in a for a in actions) and all(s["Resource"] != "*" for s in statements)
    assert "dynamodb:Scan" not in actions or function == "SyncSweeper"
    assert ("sqs:ReceiveMessage" in actions) == (function == "SyncWorker")
    assert ("dynamodb:GetRecords" in actions) == (function == "SyncRelay")


def test_the_worker_can_hand_work_back_to_its_own_queue(resources):
    """A push run cut at its slice queues its continuation, and a job its next step: SendMessage, on the sync queue."""
    statements = resources["SyncWorkerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    sending = [s for s in statements if "sqs:SendMessage" in s["Action"]]
    assert [s["Resource"] for s in sending] == [{"Fn::GetAtt": ["SyncQueue", "Arn"]}]


def test_the_worker_reaches_qbo_with_the_apps_credentials_and_can_open_the_sealed_tokens(resources):
    """The worker refreshes and uses the stored tokens: Intuit's environment and OAuth client, and the token key."""
    variables = resources["SyncWorker"]["Properties"]["Environment"]["Variables"]
    assert {k: variables[k] for k in ("QBO_ENVIRONMENT", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "TOKEN_KMS_KEY_ID")} == {
        "QBO_ENVIRONMENT": {"Ref": "QboEnvironment"}, "QBO_CLIENT_ID": {"Ref": "QboClientId"},
        "QBO_CLIENT_SECRET": {"Ref": "QboClientSecret"}, "TOKEN_KMS_KEY_ID": {"Ref": "TokenKey"}}
    assert {"Ref": "SyncWorkerRole"} in resources["TokenKeyUse"]["Properties"]["Roles"]


def test_the_api_completes_consent_and_checks_webhooks_with_the_apps_settings(resources):
    """The API Lambda exchanges the consent code (OAuth client, redirect URI) and verifies intuit-signature."""
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    wanted = {"QBO_ENVIRONMENT": "QboEnvironment", "QBO_CLIENT_ID": "QboClientId", "QBO_CLIENT_SECRET": "QboClientSecret",
              "QBO_REDIRECT_URI": "QboRedirectUri", "QBO_WEBHOOK_VERIFIER": "QboWebhookVerifier"}
    assert {k: variables.get(k) for k in wanted} == {k: {"Ref": p} for k, p in wanted.items()}
