"""The one place secrets live: the OS keyring, service name `payapp`.

The database keeps only a fingerprint (a short SHA-256 prefix) so the UI can say "configured" and spot
a workstation whose keyring holds a different key. Plaintext keyring backends are refused."""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

import keyring
from keyring.backend import KeyringBackend

from payapp.domain.errors import PayAppError
from payapp.domain.messages import msg
from payapp.domain.redaction import register_secret

SERVICE = "payapp"
ALLOWED_BACKENDS: tuple[str, ...] = (
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
)


class InsecureKeyringError(PayAppError):
    def __init__(self, backend_name: str) -> None:
        self.reason = msg("secrets.insecure_keyring", backend=backend_name)
        super().__init__(self.reason)


class Secret:
    """A secret value that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def remember_for_redaction(value: str) -> None:
    """Every secret the store hands out or keeps is masked by value in the logs from then on; for a JSON object
    (the QuickBooks access token with its expiry) the strings under a key naming a token, secret or key."""
    register_secret(value)
    if value[:1] != "{":
        return
    try:
        data = json.loads(value)
    except ValueError:
        return
    if isinstance(data, dict):
        for key, item in data.items():
            if isinstance(item, str) and any(word in str(key).lower() for word in ("token", "secret", "key")):
                register_secret(item)


def fingerprint(value: str) -> str:
    """Short, non-reversible identifier of a secret for display and comparison (12 hex digits)."""
    return hashlib.sha256(f"payapp:{value}".encode()).hexdigest()[:12]


def _backends(kr: Any) -> list[Any]:
    return list(getattr(kr, "backends", [kr]))        # unwrap ChainerBackend


def check_backend(kr: KeyringBackend, allow: tuple[str, ...] = ALLOWED_BACKENDS) -> None:
    backends = _backends(kr)
    if not backends or not all(type(b).__module__.startswith(allow) for b in backends):
        raise InsecureKeyringError(type(kr).__name__)


class SecretStore:
    """Reads and writes secrets in one keyring backend (the OS keyring in the app)."""

    def __init__(self, backend: KeyringBackend | None = None,
                 allow: tuple[str, ...] = ALLOWED_BACKENDS) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._allow = allow

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__

    @property
    def backend_modules(self) -> tuple[str, ...]:
        """The modules of the keyring backends in use ("keyring.backends.Windows", ...): which store this is, in
        a form the UI can name in words (class names alone are ambiguous: macOS's and Secret Service's are both
        "Keyring")."""
        return tuple(type(b).__module__ for b in _backends(self._backend))

    def is_secure(self) -> bool:
        try:
            check_backend(self._backend, self._allow)
        except InsecureKeyringError:
            return False
        return True

    def check(self) -> None:
        check_backend(self._backend, self._allow)

    def set(self, name: str, value: Secret) -> str:
        """Store a secret; return its fingerprint. Refuses plaintext backends before writing anything."""
        self.check()
        remember_for_redaction(value.reveal())
        self._backend.set_password(SERVICE, name, value.reveal())
        return fingerprint(value.reveal())

    def get(self, name: str) -> Secret | None:
        if not self.is_secure():
            return None
        try:
            value = self._backend.get_password(SERVICE, name)
        except Exception:
            return None
        if not value:
            return None
        remember_for_redaction(value)
        return Secret(value)

    def delete(self, name: str) -> None:
        # keyring raises PasswordDeleteError when absent; either way it is gone
        with contextlib.suppress(Exception):
            self._backend.delete_password(SERVICE, name)

    def fingerprint_of(self, name: str) -> str:
        secret = self.get(name)
        return fingerprint(secret.reveal()) if secret else ""
