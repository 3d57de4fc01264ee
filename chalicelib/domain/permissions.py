"""Who may do what: the permission names, the built-in Admin role, and the checks."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import CreditsDisabled, Forbidden

ASK_SUPPORT = "contact your Customer Success Manager or support: only a vendor teammate can switch this on"


class Permission(str, Enum):
    VIEW_CREDITS = "view_credits"
    CREATE_CREDITS = "create_credits"
    EDIT_CREDITS = "edit_credits"
    DELETE_CREDITS = "delete_credits"
    RECEIVE_PAYMENTS = "receive_payments"
    MANAGE_SALES = "manage_sales"
    MANAGE_ROLES = "manage_roles"
    MANAGE_INTEGRATION = "manage_integration"


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)
ADMIN_ROLE_ID = "admin"
ADMIN_ROLE_NAME = "Admin"


@dataclass(frozen=True)
class Principal:
    """The caller: a user of one account, with the permissions of their role; staff are vendor teammates."""

    user_id: str
    account_id: str
    permissions: frozenset[Permission]
    staff: bool = False
    credits_enabled: bool = False
    # the kinds of object whose changes the account marks for QBO (domain.sync_modes.synced_kinds): none when it
    # is not connected; customers, invoices and payments one-way; credits and their uses too two-way
    sync_kinds: frozenset[str] = frozenset()

    @property
    def qbo_sync(self) -> bool:
        """The account records changes for QBO (connected or softly disconnected, in either mode)."""
        return bool(self.sync_kinds)

    def can(self, permission: Permission) -> bool:
        return self.staff or permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise Forbidden(
                f"your role lacks the {permission.value} permission",
                details={"permission": permission.value},
            )

    def require_any(self, *permissions: Permission) -> None:
        if not any(self.can(p) for p in permissions):
            raise Forbidden(f"your role lacks one of: {', '.join(p.value for p in permissions)}",
                            details={"permissions": [p.value for p in permissions]})

    @property
    def sees_credits(self) -> bool:
        """Credit fields are shown only when the feature is on and the role may view credits."""
        return self.credits_enabled and self.can(Permission.VIEW_CREDITS)

    def require_credits(self, permission: Permission = Permission.VIEW_CREDITS) -> None:
        """Credit routes need the feature switched on, view_credits (they all show credits), then the action's own."""
        if not self.credits_enabled:
            raise CreditsDisabled("credits are not enabled for this account; " + ASK_SUPPORT)
        self.require(Permission.VIEW_CREDITS)
        self.require(permission)

    def require_customer_reader(self) -> None:
        """Customers (and what is summed up about one) are read by those who sell or take payments, and by those who
        may view credits (the credits table names them)."""
        if not self.sees_credits:
            self.require_any(Permission.MANAGE_SALES, Permission.RECEIVE_PAYMENTS)

    def require_staff(self, message: str) -> None:
        if not self.staff:
            raise Forbidden(message, code="staff_only")


def parse_permissions(names: list[str]) -> frozenset[Permission]:
    """Validate a role's permission list; unknown names are a 400, not silently dropped."""
    from .errors import InvalidInput

    known = {p.value for p in Permission}
    unknown = sorted(set(names) - known)
    if unknown:
        raise InvalidInput("unknown permissions", details={"permissions": unknown, "allowed": sorted(known)})
    return frozenset(Permission(n) for n in names)


class OwnerKeepsAdmin(Forbidden):
    code = "owner_keeps_admin"


class PermissionEscalation(Forbidden):
    code = "permission_escalation"


def check_grant(actor: Principal, granted: frozenset[Permission]) -> None:
    """Only staff hand out permissions they do not hold: a role created or assigned stays within the actor's own.

    This is what stops a `manage_roles` user from making themselves (or an accomplice) Admin, by creating a
    broader role or assigning an existing one (the escalation rule Kubernetes RBAC applies to role bindings).
    """
    missing = granted - actor.permissions
    if missing and not actor.staff:
        raise PermissionEscalation("you cannot grant permissions your own role lacks",
                                   details={"permissions": sorted(p.value for p in missing)})


def check_role_assignment(actor: Principal, *, user_id: str, owner_user_id: str, role_id: str,
                          granted: frozenset[Permission], current: frozenset[Permission]) -> None:
    """Who may give `user_id` (holding `current` now) the role `role_id` (granting `granted`).

    Staff may do anything. Otherwise the account owner keeps Admin, the role stays within the actor's permissions,
    and a user who holds permissions the actor lacks (an Admin, for a clerk with manage_roles) is not theirs to change.
    """
    if actor.staff:
        return
    if user_id == owner_user_id and role_id != ADMIN_ROLE_ID:
        raise OwnerKeepsAdmin("the account owner keeps the Admin role; only vendor staff can change it",
                              details={"user_id": user_id})
    check_grant(actor, granted)
    outranking = current - actor.permissions
    if outranking:
        raise PermissionEscalation("this user holds permissions your own role lacks; you cannot change their role",
                                   details={"user_id": user_id, "permissions": sorted(p.value for p in outranking)})
