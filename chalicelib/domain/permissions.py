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
    qbo_sync: bool = False  # the account pushes its changes to QBO (sync on, connected or softly disconnected)

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
