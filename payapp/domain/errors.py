"""Errors that carry a message fit to show a person (never a traceback, never a secret)."""

from __future__ import annotations


class PayAppError(Exception):
    """Base for expected failures. `user_message` is plain words for a banner."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail


class ValidationError(PayAppError):
    """Input that breaks a rule; `field` names the field the message belongs next to."""

    def __init__(self, user_message: str, *, field: str = "") -> None:
        super().__init__(user_message)
        self.field = field


class PermissionDenied(PayAppError):
    pass


class NotFound(PayAppError):
    pass


class ConflictError(PayAppError):
    """The data changed under us (another workstation) or the action no longer applies."""
