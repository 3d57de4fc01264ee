"""Connection lifecycle rules, realm pacing, consent state, token sealing and the job hint: pure, no I/O."""
from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.connection import (Connection, DisconnectMode, NotConnected, RealmMismatch, accepts_realm,
                                          connect, disconnect)
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.legacy import NotLegacy, legacy_books_differ, repairable, require_legacy
from chalicelib.domain.pacing import BATCHES_PER_MINUTE, REQUESTS_PER_MINUTE, Pacer, floor_seconds
from chalicelib.domain.sync import ConnectionState

NONE = Connection(ConnectionState.NONE, None)
CONNECTED = Connection(ConnectionState.CONNECTED, "R1")
SOFT = Connection(ConnectionState.SOFT_DISCONNECTED, "R1")


def test_soft_keeps_the_realm_and_only_reconnects_there():
    assert disconnect(CONNECTED, DisconnectMode.SOFT) == SOFT
    assert connect(SOFT, "R1") == CONNECTED
    with pytest.raises(RealmMismatch):
        connect(SOFT, "R2")
    with pytest.raises(RealmMismatch):
        connect(CONNECTED, "R2")  # a connected account must be disconnected before switching companies


def test_a_consent_that_names_no_company_is_refused():
    for current in (NONE, SOFT, CONNECTED):
        with pytest.raises(InvalidInput):
            connect(current, "")


def test_hard_forgets_the_realm_so_any_company_may_follow():
    for current in (CONNECTED, SOFT, NONE):
        assert disconnect(current, DisconnectMode.HARD) == NONE
    assert connect(NONE, "R2") == Connection(ConnectionState.CONNECTED, "R2")


def test_soft_disconnect_needs_a_connection():
    for current in (SOFT, NONE):
        with pytest.raises(NotConnected):
            disconnect(current, DisconnectMode.SOFT)


def test_work_for_a_realm_is_accepted_only_while_connected_to_it():
    assert accepts_realm(CONNECTED, "R1")
    assert not accepts_realm(CONNECTED, "R2") and not accepts_realm(SOFT, "R1") and not accepts_realm(NONE, "R1")


def test_legacy_means_an_overpayment_synced_before_the_cutoff():
    require_legacy("overpayment", "2026-02-24T23:59:59Z")
    for source, at in (("overpayment", "2026-02-25T00:00:00Z"), ("manual", "2026-01-01T00:00:00Z"),
                       ("overpayment", "")):
        with pytest.raises(NotLegacy):
            require_legacy(source, at)


def test_books_differ_while_a_memo_holds_money_or_the_payment_lacks_it():
    assert legacy_books_differ(2000, 2000, 0)
    assert legacy_books_differ(2000, 0, 1000)
    assert not legacy_books_differ(2000, None, 2000) and not legacy_books_differ(0, 0, 0)
    assert repairable(2000, 2000) and not repairable(2000, 500) and not repairable(0, 0)


def test_one_cent_is_enough_to_differ_or_to_repair():
    assert legacy_books_differ(1, None, None) and legacy_books_differ(1, 0, 0)  # no Payment holds the last cent
    assert not legacy_books_differ(1, None, 1)
    assert repairable(1, 1)


@given(st.lists(st.tuples(st.booleans(), st.floats(min_value=0, max_value=5)), min_size=1, max_size=300))
def test_paced_requests_never_exceed_the_realm_limits_in_any_minute(plan):
    pacer, now, sent = Pacer(), 0.0, []
    for batch, think in plan:
        now += think  # the worker's own time between requests
        now += pacer.wait(now, batch=batch)
        pacer.sent(now, batch=batch)
        sent.append((now, batch))
    for start, _ in sent:
        window = [b for t, b in sent if start <= t < start + 60]
        assert len(window) <= REQUESTS_PER_MINUTE and sum(window) <= BATCHES_PER_MINUTE


def test_back_to_back_batches_run_at_the_floor():
    pacer, now = Pacer(), 0.0
    for _ in range(400):
        now += pacer.wait(now, batch=True)
        pacer.sent(now, batch=True)
    assert now == pytest.approx(floor_seconds(399, 0))


def test_consent_state_is_signed_expiring_and_for_its_purpose(monkeypatch):
    import jwt

    from chalicelib import config
    from chalicelib.qbo.consent import InvalidState, read_state, sign_state

    monkeypatch.setenv("LOCAL_DEV", "1")
    state = read_state(sign_state("A1", "u1", "n1", staff=True))
    assert (state.account_id, state.user_id, state.nonce, state.staff) == ("A1", "u1", "n1", True)
    bearer = jwt.encode({"sub": "u1", "account_id": "A1", "exp": 2_000_000_000, "nonce": "n"}, config.jwt_secret(),
                        algorithm="HS256")
    for bad in (sign_state("A1", "u1", "n1", now=1_000_000), bearer, sign_state("A1", "u1", "n1") + "x", ""):
        with pytest.raises(InvalidState):
            read_state(bad)


def test_sealed_tokens_open_only_with_their_key_and_account(monkeypatch):
    from chalicelib.store.sealing import LocalKeys, SealBroken, open_sealed, seal

    keys = LocalKeys(os.urandom(32))
    sealed = seal(b"refresh-token-123", {"account_id": "A1"}, keys)
    assert b"refresh-token-123" not in base64.b64decode(sealed.ciphertext)
    assert open_sealed(sealed, {"account_id": "A1"}, keys) == b"refresh-token-123"
    with pytest.raises(SealBroken):
        open_sealed(sealed, {"account_id": "A2"}, keys)  # copied onto another account's item
    with pytest.raises(SealBroken):
        open_sealed(sealed, {"account_id": "A1"}, LocalKeys(os.urandom(32)))


def test_sealing_refuses_to_run_unconfigured_outside_local_dev(monkeypatch):
    from chalicelib.store.sealing import SealingNotConfigured, key_source

    for name in ("TOKEN_KMS_KEY_ID", "TOKEN_LOCAL_KEY", "LOCAL_DEV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SealingNotConfigured):
        key_source()
    monkeypatch.setenv("TOKEN_KMS_KEY_ID", "alias/credits-tokens")
    assert key_source().name == "kms"


def test_job_hints_ride_their_accounts_push_group():
    from chalicelib.workers.queue import JOB, PUSH, Hint, parse

    hint = Hint(JOB, "01ACCOUNT-01JOB", "01ACCOUNT-01JOB#3")
    assert parse(hint.body()) == Hint(JOB, "01ACCOUNT-01JOB")
    assert hint.group == Hint(PUSH, "01ACCOUNT").group
    with pytest.raises(ValueError):
        parse('{"kind": ["job"], "job_id": "x"}')
