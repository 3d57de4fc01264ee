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
    AccountOut,
    AssignRole,
    CreateAccount,
    CreateRole,
    MeOut,
    RoleList,
    RoleOut,
    SettingsChangeOut,
    SettingsOut,
    SettingsPatch,
    UserList,
    UserOut,
)
from .wire.common import ListQuery

bp = Blueprint(__name__)


@endpoint(bp, "/accounts", "POST", summary="Create an account and its owner (staff only)", body=CreateAccount,
          response=AccountOut, status=201, account_optional=True,
          description=("Creates a tenant account and its owner user, who gets the built-in Admin role (every "
                       "permission).\n\n"
                       "**Who:** vendor staff only (a staff token; it need not name an account).\n\n"
                       "**Errors:** `403 staff_only` for anyone else; `400 invalid_request` for a missing name or "
                       "owner; the common errors in the introduction."),
          example={"name": "Acme Wholesale", "owner_user_id": "user-ada"})
def create_account(call: Call):
    item = accounts.create_account(call.principal, name=call.body.name, owner_user_id=call.body.owner_user_id)
    return presenters.account(item)


@endpoint(bp, "/me", "GET", summary="Who the bearer token is: user, account, permissions, whether credits show",
          response=MeOut,
          description=("Who the bearer token is, as the service sees it: user, account, whether staff, the role's "
                       "permissions, and whether credits are shown (`sees_credits`: the feature is on and the role "
                       "may view credits). The web console reads it to show only what the caller may use.\n\n"
                       "**Who:** any user of the account.\n\n"
                       "**Errors:** none of its own (the common errors in the introduction)."),
          example={"user_id": "user-ada", "account_id": "01JF3Q6ACCOUNT0000000000000", "staff": False,
                   "permissions": ["create_credits", "view_credits"], "credits_enabled": True, "sees_credits": True,
                   "qbo_credit_sync": True})
def who_am_i(call: Call):
    return presenters.me(call.principal, call.settings)


@endpoint(bp, "/settings", "GET", summary="Read the account's settings", response=SettingsOut,
          description=("The account's settings: the `credits_enabled` and `qbo_credit_sync` switches and the "
                       "credit balance warning threshold.\n\n"
                       "**Who:** any user of the account (the guide: everyone sees the switches).\n\n"
                       "**Errors:** none of its own (the common errors in the introduction)."),
          example={"credits_enabled": True, "qbo_credit_sync": False, "credit_balance_warning_threshold": "500.00"})
def get_settings(call: Call):
    return presenters.settings(call.settings)


@endpoint(bp, "/settings", "PATCH", summary="Change settings (feature switches: staff only)",
          body=SettingsPatch, response=SettingsChangeOut,
          description=("Changes settings. Switching `credits_enabled` or `qbo_credit_sync` **on** is for vendor "
                       "staff only (the guide: users ask their Customer Success Manager); switching them off and "
                       "the warning threshold are open to the account's users.\n\n"
                       "**Who:** users of the account; staff to switch features on.\n\n"
                       "**Errors:** `403 staff_only` when a user switches a feature on; `400 invalid_request` / "
                       "`400 invalid_amount` for a bad threshold; the common errors in the introduction."),
          example={"credit_balance_warning_threshold": "750.00"})
def patch_settings(call: Call):
    changes = call.body.model_dump(exclude_unset=True)
    if "credit_balance_warning_threshold" in changes and changes["credit_balance_warning_threshold"] is not None:
        changes["credit_balance_warning_threshold"] = parse_cents(changes["credit_balance_warning_threshold"])
    if "qbo_credit_sync" not in changes:
        return {**presenters.settings(accounts.update_settings(call.principal, changes)), "qbo_sync_job": None}
    from ..services.sync.credit_switch import change_settings  # the switch may start the credits' push job

    settings, job = change_settings(call.principal, changes)
    return {**presenters.settings(settings), "qbo_sync_job": job}


@endpoint(bp, "/roles", "POST", summary="Create a role with a permission set", body=CreateRole,
          response=RoleOut, status=201,
          description=("Creates a role with a set of permissions (`view_credits`, `create_credits`, "
                       "`edit_credits`, `delete_credits`, `receive_payments`, `manage_sales`, `manage_roles`, "
                       "`manage_integration`).\n\n"
                       "**Who:** `manage_roles`; nobody grants permissions they do not hold.\n\n"
                       "**Errors:** `403 forbidden` without manage_roles; `403 permission_escalation` for a "
                       "permission you lack; `400 invalid_request` for an unknown permission; the common errors in "
                       "the introduction."),
          example={"name": "Clerk", "permissions": ["view_credits", "create_credits", "receive_payments"]})
def create_role(call: Call):
    return presenters.role(accounts.create_role(call.principal, name=call.body.name,
                                                permissions=call.body.permissions))


@endpoint(bp, "/roles", "GET", summary="List roles (manage_roles); the built-in Admin role opens the first page",
          query=ListQuery, response=RoleList,
          description=("One page of the account's roles; the built-in Admin role (`id: admin`) opens the first "
                       "page.\n\n"
                       "**Who:** `manage_roles`.\n\n"
                       "**Errors:** `403 forbidden` without manage_roles; `400 invalid_request` for a cursor of "
                       "another list; the common errors in the introduction."),
          example={"data": [{"id": "admin", "name": "Admin", "permissions": ["create_credits", "delete_credits",
                   "edit_credits", "manage_integration", "manage_roles", "manage_sales", "receive_payments",
                   "view_credits"]}], "next_cursor": None})
def list_roles(call: Call):
    page = listed(call, reads.list_roles, presenters.role)
    if not call.query.cursor:
        admin = {"id": ADMIN_ROLE_ID, "name": ADMIN_ROLE_NAME, "permissions": sorted(p.value for p in ALL_PERMISSIONS)}
        page["data"].insert(0, admin)
    return page


listing(bp, "/users", reads.list_users, presenters.user_row, query=ListQuery, response=UserList,
        summary="List the account's users and their roles (manage_roles)",
        description=("One page of the account's users and the role each holds.\n\n"
                     "**Who:** `manage_roles`.\n\n"
                     "**Errors:** `403 forbidden` without manage_roles; the common errors in the introduction."),
        example={"data": [{"user_id": "user-ada", "role_id": "admin", "updated_at": "2026-11-26T13:20:01.123456Z"}],
                 "next_cursor": None})


@endpoint(bp, "/users/{user_id}", "PUT", summary="Assign a role to a user", body=AssignRole,
          response=UserOut,
          description=("Gives a user (new or existing) a role of the account.\n\n"
                       "**Who:** `manage_roles`; only staff may move the owner away from Admin; nobody assigns a "
                       "role with permissions they lack, nor changes the role of a user holding permissions they "
                       "lack.\n\n"
                       "**Errors:** `403 owner_keeps_admin`; `403 permission_escalation`; `404 not_found` for an "
                       "unknown role; the common errors in the introduction."),
          example={"role_id": "01JF3QROLE00000000000000000"})
def assign_role(call: Call):
    return presenters.user(accounts.assign_role(call.principal, user_id=call.params["user_id"],
                                                role_id=call.body.role_id))
