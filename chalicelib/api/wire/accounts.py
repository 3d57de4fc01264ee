"""Accounts, settings, roles and users (routes_accounts)."""
from __future__ import annotations

from pydantic import Field

from .common import Amount, Body, Id, Name, Out


class CreateAccount(Body):
    name: Name
    owner_user_id: Id


class SettingsPatch(Body):
    credits_enabled: bool = Field(default=None, description="staff only to switch on; omit to leave as is")
    qbo_credit_sync: bool = Field(default=None, description="staff only to switch on; omit to leave as is")
    credit_balance_warning_threshold: Amount | None = None


class CreateRole(Body):
    name: Name
    permissions: list[str] = Field(default_factory=list, max_length=20)


class AssignRole(Body):
    role_id: Id


class AccountOut(Out):
    id: str
    name: str
    owner_user_id: str
    created_at: str


class SettingsOut(Out):
    credits_enabled: bool
    qbo_credit_sync: bool
    credit_balance_warning_threshold: str | None


class SettingsChangeOut(SettingsOut):
    """The settings after a change; switching two-way credit sync on for an account that keeps a company (connected
    or softly disconnected) starts a job."""

    qbo_sync_job: dict | None = Field(default=None, description="the job that pushes the account's credits and "
                                         "their uses after two-way credit sync was switched on (follow it with "
                                         "GET /qbo/jobs/{id}); null otherwise")


class MeOut(Out):
    """The caller as the service sees them: what a client (the web console) may show and offer."""

    user_id: str
    account_id: str
    staff: bool = Field(description="a vendor teammate: every permission, and the staff-only switches and jobs")
    permissions: list[str] = Field(description="the role's permissions (all of them for staff)")
    credits_enabled: bool
    sees_credits: bool = Field(description="credits are on and the caller may view them: show credit elements")
    qbo_credit_sync: bool


class RoleOut(Out):
    id: str
    name: str
    permissions: list[str]


class UserOut(Out):
    user_id: str
    role_id: str


class RoleList(Out):
    data: list[RoleOut]
    next_cursor: str | None


class UserRowOut(UserOut):
    updated_at: str


class UserList(Out):
    data: list[UserRowOut]
    next_cursor: str | None
