"""DynamoDB throttling that outlasts botocore's own retries is a retryable 503 at the edge, never a 500."""
import pytest
from botocore.exceptions import ClientError

THROTTLE_CODES = ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]


@pytest.fixture
def throttled_table():
    """While `armed` is set, every DynamoDB call of the store's client fails as a throttle with that code."""
    from chalicelib.store.tables import dynamodb_client

    state = {"code": None}

    def throttle(model=None, **_kw) -> None:
        if state["code"]:
            raise ClientError({"Error": {"Code": state["code"], "Message": "Rate of requests exceeds the allowed throughput"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, model.name if model else "Unknown")

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", throttle, unique_id="test-throttle")
    yield state
    events.unregister("before-call.dynamodb", unique_id="test-throttle")


@pytest.mark.parametrize("code", THROTTLE_CODES)
def test_throttled_write_is_a_retryable_503(account, throttled_table, code):
    throttled_table["code"] = code
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"})
    throttled_table["code"] = None
    assert reply.status == 503, reply.body
    assert reply.json["error"]["code"] == "throttled"
    assert set(reply.json["error"]) == {"code", "message", "details"}
    assert int(reply.headers["Retry-After"]) >= 1
    assert account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"}).status == 201


def test_throttled_read_is_a_retryable_503(account, throttled_table):
    throttled_table["code"] = "ProvisionedThroughputExceededException"
    reply = account.owner.get("/credits")
    throttled_table["code"] = None
    assert reply.status == 503 and reply.json["error"]["code"] == "throttled", reply.body
    assert "Retry-After" in reply.headers


def test_other_dynamodb_errors_stay_500(account, throttled_table):
    throttled_table["code"] = "InternalServerError"
    reply = account.owner.get("/credits")
    throttled_table["code"] = None
    assert reply.status == 500 and reply.json["error"]["code"] == "internal_error", reply.body
