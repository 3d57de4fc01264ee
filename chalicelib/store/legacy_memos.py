"""Legacy overpayment memos (services/sync/legacy.py): recorded once per credit at import, and the steps of their
repair saved under the item's version, so two repairs of one memo at once never both move its money."""
from __future__ import annotations

from typing import Iterator

from pynamodb.exceptions import PutError

from ..domain.errors import Conflict, NotFound
from .models import LegacyMemoItem, account_pk
from .tables import bind

PREFIX = "QBO#LEGACY#"


class RepairRaced(Conflict):
    """Another repair of the same memo saved a step between our read and our write: a 409; asking again goes on
    from the step it recorded."""

    code = "legacy_repair_raced"


def record(account_id: str, credit_id: str, memo_qbo_id: str, synced_at: str) -> None:
    """Write down that `credit_id` reached QBO as CreditMemo `memo_qbo_id`; recording it again changes nothing."""
    bind()
    item = LegacyMemoItem(account_pk(account_id), PREFIX + credit_id, credit_id=credit_id, memo_qbo_id=memo_qbo_id,
                          synced_at=synced_at)
    try:
        item.save(condition=LegacyMemoItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def of_account(account_id: str) -> Iterator[LegacyMemoItem]:
    bind()
    return LegacyMemoItem.query(account_pk(account_id), LegacyMemoItem.sk.startswith(PREFIX), consistent_read=True)


def get(account_id: str, credit_id: str) -> LegacyMemoItem:
    bind()
    try:
        return LegacyMemoItem.get(account_pk(account_id), PREFIX + credit_id, consistent_read=True)
    except LegacyMemoItem.DoesNotExist:
        raise NotFound("no legacy memo for this credit", details={"credit_id": credit_id}) from None


def save_step(item: LegacyMemoItem, **changes: str) -> None:
    """Record a repair step (`repair_step`, `repaired_at`) if nobody saved one since `item` was read."""
    for name, value in changes.items():
        setattr(item, name, value)
    try:
        item.save()  # conditional on the version read (VersionAttribute)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise RepairRaced("this memo's record changed while it was being repaired (another repair, or a hard "
                          "disconnect forgetting it); ask again to see where it stands",
                          details={"credit_id": item.credit_id}) from None
