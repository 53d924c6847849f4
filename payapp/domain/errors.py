"""Errors that carry a message fit to show a person (never a traceback, never a secret)."""

from __future__ import annotations

from payapp.domain.messages import Message


class PayAppError(Exception):
    """Base for expected failures. `message` is what to tell the person, as data (payapp/domain/messages.py: the UI
    and the portal put it into the person's language); `user_message` is it in English (logs, tests). A text not
    converted to a Message yet is kept as it is (`message` None; the UI translates it the old way)."""

    def __init__(self, user_message: str | Message, *, detail: str = "") -> None:
        self.message: Message | None = user_message if isinstance(user_message, Message) else None
        self.user_message: str = user_message.english() if isinstance(user_message, Message) else user_message
        super().__init__(self.user_message)
        self.detail = detail


class ValidationError(PayAppError):
    """Input that breaks a rule; `field` names the field the message belongs next to."""

    def __init__(self, user_message: str | Message, *, field: str = "") -> None:
        super().__init__(user_message)
        self.field = field


class PermissionDenied(PayAppError):
    pass


class NotFound(PayAppError):
    pass


class ConflictError(PayAppError):
    """The data changed under us (another workstation) or the action no longer applies."""
