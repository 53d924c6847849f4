"""Roles and what each may do. Services check these; the UI only hides what a role cannot do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    VIEWER = "viewer"
    #: the client portal acting for a client who opened a payment link; never a user's role (Admin › Users does
    #: not offer it, and the users service refuses it)
    PORTAL = "portal"


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
    Role.PORTAL: frozenset({Permission.VIEW, Permission.TAKE_PAYMENT}),
}

#: the roles a person signing in to the desktop app can have (Admin › Users offers these only)
USER_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.FINANCE, Role.VIEWER)


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
