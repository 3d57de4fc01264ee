"""The template seals QBO tokens with its own KMS key, and the API and the sync worker (which refreshes tokens) may
only make and open data keys with it."""
from __future__ import annotations

import json
from pathlib import Path

RESOURCES = json.loads((Path(__file__).resolve().parents[2] / "deploy" / "resources.json").read_text())["Resources"]


def test_the_api_gets_the_token_key_and_only_the_two_data_key_actions_on_it():
    key = RESOURCES["TokenKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert RESOURCES["APIHandler"]["Properties"]["Environment"]["Variables"]["TOKEN_KMS_KEY_ID"] == {"Ref": "TokenKey"}
    [statement] = RESOURCES["TokenKeyUse"]["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Resource"] == {"Fn::GetAtt": ["TokenKey", "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"kms:EncryptionContext:purpose": "qbo-tokens"}}
    assert RESOURCES["TokenKeyUse"]["Properties"]["Roles"] == [{"Ref": "ApiHandlerRole"}, {"Ref": "SyncWorkerRole"}]
