"""Who is acting. Services ask `CurrentUser.require(permission)` before doing anything."""

from __future__ import annotations

from dataclasses import dataclass

from payapp.domain.errors import PermissionDenied
from payapp.domain.messages import msg
from payapp.domain.roles import Permission, Role, allows


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role
    display_name: str = ""

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN, display_name="PayApp")
#: who acts in the client portal: a client paying from a payment link (no user row; may view and take payments only)
PORTAL_ACTOR = Actor(user_id=None, username="client-portal", role=Role.PORTAL, display_name="Client portal")


class CurrentUser:
    """The signed-in user of this workstation (one per app). Set by the sign-in dialog."""

    def __init__(self, actor: Actor | None = None) -> None:
        self.actor = actor

    def require(self, permission: Permission) -> Actor:
        if self.actor is None:
            raise PermissionDenied(msg("auth.sign_in_first"))
        if not self.actor.can(permission):
            raise PermissionDenied(msg("auth.role_may_not", role=self.actor.role.value))
        return self.actor

    def can(self, permission: Permission) -> bool:
        return self.actor is not None and self.actor.can(permission)
