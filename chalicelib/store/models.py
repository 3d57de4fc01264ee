"""PynamoDB items of the single table; every partition key starts with the account id.

Key layout: pk = "A#<account_id>", sk = "<KIND>#<id>"; gsi1 groups a customer's credits and invoices.
Amounts are integer cents in NumberAttributes (ints survive the JSON round trip; floats are never stored).
"""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


def account_pk(account_id: str) -> str:
    return f"A#{account_id}"


def customer_gsi_pk(account_id: str, customer_id: str) -> str:
    return f"A#{account_id}#CUST#{customer_id}"


def customer_name_gsi_pk(account_id: str) -> str:
    """gsi3 partition of an account's customers, sorted by lowercased name (case-insensitive search)."""
    return f"A#{account_id}#CUSTNAME"


def invoice_payments_gsi_pk(account_id: str, invoice_id: str) -> str:
    """gsi3 partition of one invoice's payments."""
    return f"A#{account_id}#INVPAY#{invoice_id}"


def customer_history_gsi_pk(account_id: str, customer_id: str) -> str:
    """gsi3 partition of the history lines of a customer's credits, sorted by time (as-of balances)."""
    return f"A#{account_id}#CUSTHIST#{customer_id}"


class ByCustomer(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class OpenCreditsByCustomer(GlobalSecondaryIndex):
    """Sparse: only credits with something left to spend carry open_pk, so FIFO reads no spent history."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    open_pk = UnicodeAttribute(hash_key=True)
    open_sk = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Common keys; table name and endpoint are bound per invocation by store.tables.bind()."""

    class Meta:
        table_name = "unbound"
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class PendingSync(GlobalSecondaryIndex):
    """Sparse: only objects waiting for a QBO push (or parked with an error) carry sync_pk, oldest first."""

    class Meta:
        index_name = "gsi4"
        projection = AllProjection()

    sync_pk = UnicodeAttribute(hash_key=True)
    sync_sk = UnicodeAttribute(range_key=True)


class SyncedItem(BaseItem):
    """What every object that syncs to QBO carries: its QBO id (null until synced), sync state, timestamps, version.

    `sync_status` is stored as the domain derives it, for the CSV export and readers of the raw table.
    """

    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    qbo_id = UnicodeAttribute(null=True)
    qbo_sync_token = UnicodeAttribute(null=True)
    sync_status = UnicodeAttribute(default="not_synced")
    sync_error = UnicodeAttribute(null=True)
    sync_error_code = UnicodeAttribute(null=True)
    sync_attempts = NumberAttribute(default=0)
    sync_failed_at = UnicodeAttribute(null=True)  # when it last failed: the sweeper's automatic retry waits from here
    sync_retrying = BooleanAttribute(null=True)  # the error is retried on its own (QBO unreachable, a wait)
    sync_shown = BooleanAttribute(null=True)  # a retried failure shown as an error on the object and the panel
    sync_drift = UnicodeAttribute(null=True)  # the accountant changed our document: what differs
    sync_version = NumberAttribute(default=0)
    synced_version = NumberAttribute(default=0)
    sync_pk = UnicodeAttribute(null=True)
    sync_sk = UnicodeAttribute(null=True)
    pending_sync = PendingSync()
    version = VersionAttribute()


class AccountItem(BaseItem):
    name = UnicodeAttribute()
    owner_user_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    credits_enabled = BooleanAttribute(default=False)
    qbo_credit_sync = BooleanAttribute(default=False)
    credit_balance_warning_threshold = NumberAttribute(null=True)
    qbo_last_push_at = UnicodeAttribute(null=True)  # when a push run last brought something into QBO (status panel)
    qbo_state = UnicodeAttribute(default="none")  # none | connected | soft_disconnected (domain.sync.ConnectionState)
    qbo_realm_id = UnicodeAttribute(null=True)
    qbo_item_id = UnicodeAttribute(null=True)  # the QBO Item on our lines; looked up once when unset
    qbo_cdc_watermark = UnicodeAttribute(null=True)  # inbound: CDC reads changes since this time (ISO, UTC)
    qbo_last_pull_at = UnicodeAttribute(null=True)  # inbound: when the last change read finished
    qbo_dead_letters = MapAttribute(null=True)  # sync messages in the dead-letter queue, by hint (store.dead_letters)
    version = VersionAttribute()


class RoleItem(BaseItem):
    name = UnicodeAttribute()
    permissions = UnicodeSetAttribute(null=True)
    created_at = UnicodeAttribute()


class UserItem(BaseItem):
    role_id = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()  # users written before it existed have none: their first update sets 1


class CounterItem(BaseItem):
    value = NumberAttribute(default=0)


class CustomerItem(SyncedItem):
    """A customer is its own entity (no domain object): the Customers repository attaches its SyncState as `sync`
    while a unit of work holds it. Customers written before they synced have no `version`: their next write sets 1.
    """

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)


class CreditItem(SyncedItem):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_customer = ByCustomer()
    open_pk = UnicodeAttribute(null=True)
    open_sk = UnicodeAttribute(null=True)
    open_by_customer = OpenCreditsByCustomer()
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    source = UnicodeAttribute()
    status = UnicodeAttribute()
    amount = NumberAttribute()
    used = NumberAttribute(default=0)
    internal_note = UnicodeAttribute(default="")
    external_note = UnicodeAttribute(default="")
    search_text = UnicodeAttribute(default="")
    origin_invoice_id = UnicodeAttribute(null=True)
    origin_payment_id = UnicodeAttribute(null=True)
    return_id = UnicodeAttribute(null=True)
    line_items = JSONAttribute(null=True)
    uses_total = NumberAttribute(default=0)
    applied_in_qbo = NumberAttribute(default=0)  # imported credits: what QBO applied outside our ledger
    reissued_at = UnicodeAttribute(null=True)  # imported credits made ours by a re-sync to a new company
    use_count = NumberAttribute(default=0)
    locations = JSONAttribute(null=True)
    drawn = JSONAttribute(null=True)
    cuts = JSONAttribute(null=True)


class CreditUseItem(SyncedItem):
    """One use of a credit: sk = "USE#<credit_id>#<use_id>", so a credit's uses are one key-range Query."""

    id = UnicodeAttribute()
    credit_id = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    amount = NumberAttribute()
    at = UnicodeAttribute()
    voided_at = UnicodeAttribute(null=True)
    parts = JSONAttribute(null=True)
    from_qbo = BooleanAttribute(default=False)  # the accountant applied it in QBO (recorded, never pushed back)


class CreditEventItem(BaseItem):
    """One history line of a credit: sk = "CREDITEV#<credit_id>#<ulid>"."""

    kind = UnicodeAttribute()
    at = UnicodeAttribute()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    amount = NumberAttribute(default=0)
    details = JSONAttribute(null=True)


class SalesOrderItem(BaseItem):
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    deleted = BooleanAttribute(default=False)
    version = VersionAttribute()


class InvoiceItem(SyncedItem):
    """`total`, `paid` and `status` are stored copies of what the domain derives, for queries over the table."""

    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_customer = ByCustomer()
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    sales_order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    lines = JSONAttribute(null=True)
    charges = JSONAttribute(null=True)
    total = NumberAttribute()
    paid = NumberAttribute(default=0)
    adjusted_to_credit = NumberAttribute(default=0)
    adjustment_credit_ids = JSONAttribute(null=True)
    payment_ids = JSONAttribute(null=True)
    status = UnicodeAttribute()
    deleted = BooleanAttribute(default=False)


class PaymentItem(SyncedItem):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    tenders = JSONAttribute(null=True)
    credit_uses = JSONAttribute(null=True)
    tender_applied = NumberAttribute(default=0)
    overpayment_credit_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    voided_at = UnicodeAttribute(null=True)


class ReturnItem(BaseItem):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    lines = JSONAttribute(null=True)
    status = UnicodeAttribute()
    credit_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


class QboConnectionItem(BaseItem):
    """An account's link to its QBO company: sk = "QBO#CONNECTION"; tokens change only under the version condition.

    The tokens are sealed (store/sealing.py): `sealed_tokens` + `data_key` (wrapped by `key_source`). Plain
    `access_token` / `refresh_token` are only read from items written before sealing, and removed on their next write.
    """

    realm_id = UnicodeAttribute()
    access_token = UnicodeAttribute(null=True)
    refresh_token = UnicodeAttribute(null=True)
    sealed_tokens = UnicodeAttribute(null=True)
    data_key = UnicodeAttribute(null=True)
    key_source = UnicodeAttribute(null=True)
    access_expires_at = UnicodeAttribute()  # ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SSZ"
    version = VersionAttribute()


class OAuthStateItem(BaseItem):
    """A consent `state` used once: sk = "QBO#STATE#<nonce>", written with attribute_not_exists; TTL expiration."""

    user_id = UnicodeAttribute()
    expiration = NumberAttribute()


class JobItem(BaseItem):
    """A lifecycle job (hard disconnect, mass re-sync) and its progress: sk = "QBO#JOB#<job_id>".

    `cursor` is where a (re)started worker continues; `inflight` names the objects of a batch sent to QBO whose
    answer is not recorded yet (looked up by marker on resume, so a crash never creates them twice).
    """

    id = UnicodeAttribute()
    kind = UnicodeAttribute()  # hard_disconnect | resync
    status = UnicodeAttribute()  # running | done | failed
    stopped = UnicodeAttribute(null=True)  # why a job ended early, e.g. "disconnected"
    realm_id = UnicodeAttribute(null=True)
    total = NumberAttribute(default=0)
    done = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    errors = JSONAttribute(null=True)  # [{object_type, object_id, code, message}], capped
    cursor = JSONAttribute(null=True)
    inflight = JSONAttribute(null=True)
    requests = NumberAttribute(default=0)  # QBO requests made so far
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class LegacyMemoItem(BaseItem):
    """An overpayment credit that reached QBO as a CreditMemo before 2026-02-25: sk = "QBO#LEGACY#<credit_id>".

    Recorded by the import of an account's history; a repair moves the amount onto the original Payment's
    UnappliedAmt (`repair_step` "payment_raised") and then deletes the memo (`repaired_at`).
    """

    credit_id = UnicodeAttribute()
    memo_qbo_id = UnicodeAttribute()
    synced_at = UnicodeAttribute()
    repair_step = UnicodeAttribute(null=True)
    repaired_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


class ParityReportItem(BaseItem):
    """The account's last background parity check (sk = "QBO#PARITY"): which job runs it, and its finished report.

    Only large accounts are checked in the background (services.sync.parity); `differences` is capped (`truncated`).
    """

    job_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # running | done | failed
    checked_at = UnicodeAttribute(null=True)
    report = JSONAttribute(null=True)
    version = VersionAttribute()


class ActiveJobItem(BaseItem):
    """The account's one running lifecycle job: sk = "QBO#JOB#ACTIVE"; created with attribute_not_exists."""

    job_id = UnicodeAttribute()
    kind = UnicodeAttribute()


class AppliedKeyItem(BaseItem):
    """Written in the same transaction as a keyed request's effect: that key can never take effect twice."""

    expiration = NumberAttribute()


class RealmItem(BaseItem):
    """pk = "REALM#<realm_id>", sk = "REALM": which account a QBO company belongs to (webhooks name only realms).

    Written by the consent callback's transaction, removed by a hard disconnect (store/qbo_connections.py): one realm,
    one account."""

    account_id = UnicodeAttribute()


class RevocationItem(BaseItem):
    """sk = "QBO#REVOKE#<id>": tokens a disconnect dropped, sealed, until Intuit confirms their revocation.

    Written in the disconnect's own transaction, so the account never holds tokens it no longer uses nor loses ones
    Intuit still honours; deleted once the revoke succeeds (TTL: the refresh token's own life)."""

    realm_id = UnicodeAttribute()
    sealed_tokens = UnicodeAttribute()
    data_key = UnicodeAttribute()
    key_source = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    expiration = NumberAttribute()


class QboMapItem(BaseItem):
    """sk = "QBMAP#<Entity>#<qbo id>": a QBO document imported (or linked) once, and the object it became."""

    object_type = UnicodeAttribute()  # credit | customer | payment
    object_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class DriftItem(BaseItem):
    """sk = "DRIFT#<kind>#<id>": an accountant changed a document we own; both sides kept for the panel/parity."""

    kind = UnicodeAttribute()
    object_id = UnicodeAttribute()
    qbo_type = UnicodeAttribute()
    qbo_id = UnicodeAttribute()
    sync_token = UnicodeAttribute(null=True)
    ours = JSONAttribute(null=True)
    theirs = JSONAttribute(null=True)
    at = UnicodeAttribute()


ALL_MODELS: tuple[type[BaseItem], ...] = (CreditItem, CreditUseItem, AccountItem, RoleItem, UserItem, CounterItem,
                                          CustomerItem, CreditEventItem, SalesOrderItem, InvoiceItem, PaymentItem,
                                          ReturnItem, QboConnectionItem, AppliedKeyItem, RealmItem, QboMapItem, DriftItem,
                                          OAuthStateItem, JobItem, ActiveJobItem, LegacyMemoItem,
                                          ParityReportItem)
