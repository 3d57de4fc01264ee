"""Account settings and who may change them."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import Forbidden
from .permissions import ASK_SUPPORT, Permission, Principal

_SWITCH_OFF_PERMISSION = {"credits_enabled": Permission.MANAGE_ROLES, "qbo_credit_sync": Permission.MANAGE_INTEGRATION}


@dataclass(frozen=True)
class AccountSettings:
    credits_enabled: bool = False
    qbo_credit_sync: bool = False
    credit_balance_warning_threshold: int | None = None  # cents

    def changed_by(self, principal: Principal, changes: dict) -> "AccountSettings":
        """Apply a settings patch: staff alone switch features on; admins set the warning threshold."""
        for switch in ("credits_enabled", "qbo_credit_sync"):
            if switch in changes and changes[switch] and not getattr(self, switch) and not principal.staff:
                raise Forbidden(f"{switch} cannot be switched on by account users; " + ASK_SUPPORT, code="staff_only")
            if switch in changes and not changes[switch] and getattr(self, switch):
                principal.require(_SWITCH_OFF_PERMISSION[switch])
        if "credit_balance_warning_threshold" in changes:
            principal.require(Permission.MANAGE_ROLES)
        return replace(self, **changes)
