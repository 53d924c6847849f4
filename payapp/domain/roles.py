"""Roles and what each may do. Services check these; the UI only hides what a role cannot do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    TAKE_PAYMENT = "take_payment"
    MANAGE_PAYMENT = "manage_payment"        # void, refund, retry sync
    APPROVE_REFUND = "approve_refund"
    RUN_SYNC = "run_sync"
    ADMINISTER = "administer"                # Admin tab: settings, keys, users, audit


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.FINANCE: frozenset({Permission.VIEW, Permission.TAKE_PAYMENT, Permission.MANAGE_PAYMENT,
                             Permission.APPROVE_REFUND, Permission.RUN_SYNC}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
