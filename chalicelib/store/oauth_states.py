"""Consent `state` nonces, each usable once: the callback writes it with attribute_not_exists (TTL cleans up)."""
from __future__ import annotations

from pynamodb.exceptions import PutError

from .models import OAuthStateItem, account_pk
from .tables import bind


class StateAlreadyUsed(Exception):
    """This consent `state` came back before (a replayed or doubled callback)."""


def use_once(account_id: str, nonce: str, user_id: str, expires_at: int) -> None:
    bind()
    try:
        OAuthStateItem(account_pk(account_id), f"QBO#STATE#{nonce}", user_id=user_id,
                       expiration=expires_at + 60).save(condition=OAuthStateItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise StateAlreadyUsed(nonce) from error
        raise
