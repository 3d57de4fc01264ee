"""Accounts (staff), settings, roles and users."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.money import parse_cents
from ..domain.permissions import ADMIN_ROLE_ID, ADMIN_ROLE_NAME, ALL_PERMISSIONS
from ..services import accounts, reads
from . import presenters
from .plain_routes import listed, listing
from .routing import Call, endpoint
from .wire.accounts import (
    AccountOut, AssignRole, CreateAccount, CreateRole, MeOut, RoleList, RoleOut, SettingsOut, SettingsPatch, UserList, UserOut)
from .wire.common import ListQuery

bp = Blueprint(__name__)


@endpoint(bp, "/accounts", "POST", summary="Create an account and its owner (staff only)", body=CreateAccount,
          response=AccountOut, status=201, account_optional=True)
def create_account(call: Call):
    item = accounts.create_account(call.principal, name=call.body.name, owner_user_id=call.body.owner_user_id)
    return presenters.account(item)


@endpoint(bp, "/me", "GET", summary="Who the bearer token is: user, account, permissions, whether credits show",
          response=MeOut)
def who_am_i(call: Call):
    return presenters.me(call.principal, call.settings)


@endpoint(bp, "/settings", "GET", summary="Read the account's settings", response=SettingsOut)
def get_settings(call: Call):
    return presenters.settings(call.settings)


@endpoint(bp, "/settings", "PATCH", summary="Change settings (feature switches: staff only)",
          body=SettingsPatch, response=SettingsOut)
def patch_settings(call: Call):
    changes = call.body.model_dump(exclude_unset=True)
    if "credit_balance_warning_threshold" in changes and changes["credit_balance_warning_threshold"] is not None:
        changes["credit_balance_warning_threshold"] = parse_cents(changes["credit_balance_warning_threshold"])
    return presenters.settings(accounts.update_settings(call.principal, changes))


@endpoint(bp, "/roles", "POST", summary="Create a role with a permission set", body=CreateRole,
          response=RoleOut, status=201)
def create_role(call: Call):
    return presenters.role(accounts.create_role(call.principal, name=call.body.name,
                                                permissions=call.body.permissions))


@endpoint(bp, "/roles", "GET", summary="List roles (manage_roles); the built-in Admin role opens the first page",
          query=ListQuery, response=RoleList)
def list_roles(call: Call):
    page = listed(call, reads.list_roles, presenters.role)
    if not call.query.cursor:
        admin = {"id": ADMIN_ROLE_ID, "name": ADMIN_ROLE_NAME, "permissions": sorted(p.value for p in ALL_PERMISSIONS)}
        page["data"].insert(0, admin)
    return page


listing(bp, "/users", reads.list_users, presenters.user_row, query=ListQuery, response=UserList,
        summary="List the account's users and their roles (manage_roles)")


@endpoint(bp, "/users/{user_id}", "PUT", summary="Assign a role to a user", body=AssignRole,
          response=UserOut)
def assign_role(call: Call):
    return presenters.user(accounts.assign_role(call.principal, user_id=call.params["user_id"],
                                                role_id=call.body.role_id))
