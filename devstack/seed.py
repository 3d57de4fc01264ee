"""Demo data for the local stack: an account with an owner (Admin), a clerk without view_credits, two customers."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.login_tokens import issue_token
from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
from chalicelib.services import accounts, customers
from chalicelib.services.accounts import role_id_of

OWNER, CLERK, STAFF = "demo-owner", "demo-clerk", "demo-staff"


@dataclass
class Demo:
    account_id: str
    customer_ids: list[str]
    tokens: dict[str, str]


def seed() -> Demo:
    staff = Principal(STAFF, "", ALL_PERMISSIONS, staff=True)
    account = accounts.create_account(staff, name="Demo Wholesale", owner_user_id=OWNER)
    account_id = account.pk.split("#", 1)[1]
    staff = Principal(STAFF, account_id, ALL_PERMISSIONS, staff=True, credits_enabled=True)
    accounts.update_settings(staff, {"credits_enabled": True, "credit_balance_warning_threshold": 500_00})
    clerk_role = accounts.create_role(staff, name="Clerk", permissions=["manage_sales", "receive_payments"])
    accounts.assign_role(staff, user_id=CLERK, role_id=role_id_of(clerk_role))
    ids = [customers.create_customer(staff, name=name).id for name in ("Green Leaf Dispensary", "Sunrise Market")]
    tokens = {"owner": issue_token(OWNER, account_id, ttl_seconds=30 * 86400),
              "clerk": issue_token(CLERK, account_id, ttl_seconds=30 * 86400),
              "staff": issue_token(STAFF, account_id, staff=True, ttl_seconds=30 * 86400)}
    return Demo(account_id, ids, tokens)
