"""Accounts, roles, users and settings."""
from __future__ import annotations

from ..domain.errors import NotFound
from ..domain.permissions import (
    ADMIN_ROLE_ID,
    ALL_PERMISSIONS,
    Permission,
    Principal,
    check_grant,
    check_role_assignment,
    parse_permissions,
)
from ..domain.settings import AccountSettings
from ..store import accounts as store
from ..store.accounts import Roles, Users
from ..store.ids import new_id, utc_now
from ..store.models import AccountItem, RoleItem, UserItem
from ..store.repository import load_into
from ..store.uow import UnitOfWork, run_in_transaction


def create_account(principal: Principal, *, name: str, owner_user_id: str) -> AccountItem:
    """Staff open an account for a customer company; its owner gets the built-in Admin role."""
    principal.require_staff("only vendor staff can create accounts")
    account_id, now = new_id(), utc_now()
    return run_in_transaction(account_id, lambda uow: store.open_account(
        uow, account_id, name=name, owner_user_id=owner_user_id, owner_role_id=ADMIN_ROLE_ID, now=now), attempts=1)


def update_settings(principal: Principal, changes: dict, *, cdc_from_now: bool = False) -> AccountSettings:
    """Apply a settings patch under the domain's rules, guarded by the account's version. `cdc_from_now`: two-way
    credit sync starts now, so the inbound reader reads QBO's changes from this moment (services.sync.credit_switch)."""

    def write(uow: UnitOfWork) -> AccountSettings:
        account = store.get_account(principal.account_id)
        updated = store.settings_of(account).changed_by(principal, changes)
        account.credits_enabled = updated.credits_enabled
        account.qbo_credit_sync = updated.qbo_credit_sync
        account.credit_balance_warning_threshold = updated.credit_balance_warning_threshold
        if cdc_from_now:
            account.qbo_cdc_watermark = utc_now()
        uow.put(account)
        return updated

    return run_in_transaction(principal.account_id, write)


def create_role(principal: Principal, *, name: str, permissions: list[str]) -> RoleItem:
    """A custom role of this account with a set of permissions."""
    principal.require(Permission.MANAGE_ROLES)
    granted = parse_permissions(permissions)
    check_grant(principal, granted)

    def write(uow: UnitOfWork) -> RoleItem:
        return Roles(uow).new(new_id(), name=name, permissions={p.value for p in granted} or None,
                              created_at=utc_now())

    return run_in_transaction(principal.account_id, write)


def assign_role(principal: Principal, *, user_id: str, role_id: str) -> UserItem:
    """Give a user (new or existing) a role of this account, within the domain's guard against escalation."""
    principal.require(Permission.MANAGE_ROLES)

    def write(uow: UnitOfWork) -> UserItem:
        roles, users = Roles(uow), Users(uow)
        custom_role = role_id != ADMIN_ROLE_ID  # Admin is built in, not stored
        load_into(uow, [users.key(user_id)] + ([roles.key(role_id)] if custom_role else []))  # one read
        granted = parse_permissions(sorted(roles.get(role_id).permissions or ())) if custom_role else ALL_PERMISSIONS
        target = store.load_membership(principal.account_id, user_id)
        if target is None:
            raise NotFound("no such account")
        check_role_assignment(principal, user_id=user_id, owner_user_id=target.account.owner_user_id,
                              role_id=role_id, granted=granted, current=target.permissions)
        user = users.find(user_id) or users.new(user_id)
        user.role_id, user.updated_at = role_id, utc_now()
        return user

    return run_in_transaction(principal.account_id, write)


def role_id_of(role: RoleItem) -> str:
    return role.sk.split("#", 1)[1]
